//! The serialisable types that are rotctl's JSON contract. Field names are
//! AWS's own (DescribeSecret, ListSecretVersionIds); absent AWS fields are
//! omitted; dates are RFC 3339 UTC.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

/// The staging labels AWS gives rotation meaning to.
pub const AWSCURRENT: &str = "AWSCURRENT";
pub const AWSPENDING: &str = "AWSPENDING";
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";

/// A secret's metadata, from DescribeSecret or a ListSecrets entry. Never its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    pub name: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<bool>,
    #[serde(rename = "RotationLambdaARN", skip_serializing_if = "Option::is_none")]
    pub rotation_lambda_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_rules: Option<RotationRules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owning_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    /// Set for secrets a partner rotates (external secret rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_secret_rotation_role_arn: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Labelled versions and their staging labels. (ListSecrets calls this
    /// SecretVersionsToStages; rotctl always uses DescribeSecret's name.)
    pub version_ids_to_stages: BTreeMap<String, Vec<String>>,
    /// The labelled versions with their dates (ListSecretVersionIds), when read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<SecretVersion>,
}

impl Secret {
    /// The version holding `label`, if any.
    pub fn version_with(&self, label: &str) -> Option<&str> {
        self.version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == label))
            .map(|(id, _)| id.as_str())
    }

    /// The version holding AWSPENDING when that is not also the AWSCURRENT
    /// version: a rotation that has not finished (or never will).
    pub fn dangling_pending(&self) -> Option<&str> {
        self.version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == AWSPENDING) && !stages.iter().any(|s| s == AWSCURRENT))
            .map(|(id, _)| id.as_str())
    }

    /// When a version was created, if its dates were read.
    pub fn version_created(&self, version_id: &str) -> Option<Timestamp> {
        self.versions.iter().find(|v| v.version_id == version_id).and_then(|v| v.created_date)
    }
}

/// A tag, as AWS writes them: `{"Key", "Value"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// RotationRules as AWS reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationRules {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automatically_after_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// One entry of ListSecretVersionIds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecretVersion {
    pub version_id: String,
    pub version_stages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Timestamp>,
}

/// The derived rotation state, in the order that decides when several apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RotationState {
    NotConfigured,
    Disabled,
    Stuck,
    InProgress,
    Overdue,
    Healthy,
}

impl RotationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RotationState::NotConfigured => "not-configured",
            RotationState::Disabled => "disabled",
            RotationState::Stuck => "stuck",
            RotationState::InProgress => "in-progress",
            RotationState::Overdue => "overdue",
            RotationState::Healthy => "healthy",
        }
    }
}

/// One element of `status -o json`: the secret's metadata and its derived state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecretStatus {
    #[serde(flatten)]
    pub secret: Secret,
    pub rotation_state: RotationState,
    /// Why the state is what it is, in words; shown in the table only.
    #[serde(skip)]
    pub reason: String,
}

/// What `enable` does about one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Ok,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Ok => "ok",
        }
    }
}

/// The steps of `enable`, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnableStep {
    /// Deploy the rotation function's CloudFormation stack.
    Stack,
    /// Let secretsmanager.amazonaws.com invoke the function.
    InvokePermission,
    /// Put the function in the given subnets and security groups.
    VpcConfig,
    /// A Secrets Manager interface endpoint in the function's VPC.
    VpcEndpoint,
    /// RotateSecret with the function and the rules.
    Rotation,
}

impl EnableStep {
    pub fn as_str(self) -> &'static str {
        match self {
            EnableStep::Stack => "stack",
            EnableStep::InvokePermission => "invoke-permission",
            EnableStep::VpcConfig => "vpc-config",
            EnableStep::VpcEndpoint => "vpc-endpoint",
            EnableStep::Rotation => "rotation",
        }
    }
}

/// One line of the plan: `{"Step", "Action", "Detail"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlannedStep {
    pub step: EnableStep,
    pub action: Action,
    pub detail: String,
}
