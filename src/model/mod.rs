//! The serialisable types that are rotctl's JSON contract. Field names are
//! AWS's own (DescribeSecret, ListSecretVersionIds); absent AWS fields are
//! omitted; dates are RFC 3339 UTC.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

mod reports;
pub(crate) use reports::*;

/// The staging labels AWS gives rotation meaning to.
pub(crate) const AWSCURRENT: &str = "AWSCURRENT";
pub(crate) const AWSPENDING: &str = "AWSPENDING";
pub(crate) const AWSPREVIOUS: &str = "AWSPREVIOUS";

/// A secret's metadata, from DescribeSecret or a ListSecrets entry. Never its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Secret {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rotation_enabled: Option<bool>,
    #[serde(rename = "RotationLambdaARN", skip_serializing_if = "Option::is_none")]
    pub(crate) rotation_lambda_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rotation_rules: Option<RotationRules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_rotated_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_rotation_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_accessed_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_changed_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) owning_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) primary_region: Option<String>,
    /// The primary's replicas and their state (DescribeSecret only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) replication_status: Vec<ReplicaStatus>,
    /// Set for secrets a partner rotates (external secret rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_secret_rotation_role_arn: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tags: Vec<Tag>,
    /// Labelled versions and their staging labels. (ListSecrets calls this
    /// SecretVersionsToStages; rotctl always uses DescribeSecret's name.)
    pub(crate) version_ids_to_stages: BTreeMap<String, Vec<String>>,
    /// The labelled versions with their dates (ListSecretVersionIds), when read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) versions: Vec<SecretVersion>,
}

impl Secret {
    /// The version holding `label`, if any.
    pub(crate) fn version_with(&self, label: &str) -> Option<&str> {
        self.version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == label))
            .map(|(id, _)| id.as_str())
    }

    /// The version holding AWSPENDING when that is not also the AWSCURRENT
    /// version: a rotation that has not finished (or never will).
    pub(crate) fn dangling_pending(&self) -> Option<&str> {
        self.version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == AWSPENDING) && !stages.iter().any(|s| s == AWSCURRENT))
            .map(|(id, _)| id.as_str())
    }

    /// When a version was created, if its dates were read.
    pub(crate) fn version_created(&self, version_id: &str) -> Option<Timestamp> {
        self.versions.iter().find(|v| v.version_id == version_id).and_then(|v| v.created_date)
    }
}

/// One replica of a primary secret, as DescribeSecret reports it:
/// `{"Region", "KmsKeyId", "Status", "StatusMessage", "LastAccessedDate"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReplicaStatus {
    pub(crate) region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kms_key_id: Option<String>,
    /// InSync, Failed or InProgress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_accessed_date: Option<Timestamp>,
}

/// The service that owns a managed secret, the resource it belongs to, and
/// what the owner says of it: `{"Service", "Resource", "SecretStatus", "KmsKeyId"}`.
/// (`SecretStatus` is RDS's `MasterUserSecret.SecretStatus`: creating, active,
/// rotating or impaired; absent when the owner has no such field or was not read.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Owner {
    pub(crate) service: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kms_key_id: Option<String>,
}

/// A tag, as AWS writes them: `{"Key", "Value"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub(crate) key: String,
    pub(crate) value: String,
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
pub(crate) struct SecretVersion {
    pub(crate) version_id: String,
    pub(crate) version_stages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_accessed_date: Option<Timestamp>,
}

/// The derived rotation state, in the order that decides when several apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RotationState {
    NotConfigured,
    Disabled,
    /// A managed secret whose owner says it cannot rotate it.
    Impaired,
    /// AWSPENDING on another version, and the rotation is known to have failed.
    Failed,
    Stuck,
    InProgress,
    Overdue,
    Healthy,
}

impl RotationState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RotationState::NotConfigured => "not-configured",
            RotationState::Disabled => "disabled",
            RotationState::Impaired => "impaired",
            RotationState::Failed => "failed",
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
pub(crate) struct SecretStatus {
    #[serde(flatten)]
    pub(crate) secret: Secret,
    pub(crate) rotation_state: RotationState,
    /// The service that owns and rotates a managed secret, and what it says of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<Owner>,
    /// Why the pending rotation failed, when that is known (state `failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<Failure>,
    /// Why the state is what it is, in words; shown in the table only.
    #[serde(skip)]
    pub(crate) reason: String,
}

/// What `enable` does about one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Create,
    Update,
    Ok,
}

impl Action {
    pub(crate) fn as_str(self) -> &'static str {
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
pub(crate) enum EnableStep {
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
    pub(crate) fn as_str(self) -> &'static str {
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
pub(crate) struct PlannedStep {
    pub(crate) step: EnableStep,
    pub(crate) action: Action,
    pub(crate) detail: String,
}
