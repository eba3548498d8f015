//! The audit's rules: each a pure function of a secret's metadata, what was
//! learned about its rotation function, and the options. Built on what AWS
//! defines (RotationEnabled, NextRotationDate, LastRotatedDate,
//! LastAccessedDate, the staging labels), not on whether rotation rules are
//! present: AWS keeps the rules after rotation is turned off.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::{Failure, Owner, RotationState, Secret};
use crate::rotation;
use crate::runtimes;
use crate::schedule::interval_days;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// `--fail-on`: the lowest severity that makes the audit exit 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Low => "low",
            FailOn::Medium => "medium",
            FailOn::High => "high",
            FailOn::Never => "never",
        }
    }

    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Low => true,
            FailOn::Medium => severity >= Severity::Medium,
            FailOn::High => severity == Severity::High,
            FailOn::Never => false,
        }
    }
}

/// The rules, with the ids the contract fixes (the `Rule` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    RotationDisabled,
    RotationFailed,
    RotationStuck,
    RotationOverdue,
    RotationLambdaMissing,
    RotationLambdaNotInvokable,
    RotationLambdaNoSourceAccount,
    RotationIntervalTooLong,
    NotRotatedRecently,
    VpcEndpointMissing,
    Unused,
    MissingTags,
    DefaultKmsKey,
    ManagedSecretImpaired,
    ManagedRotationDisabled,
    RotationFunctionRuntimeDeprecated,
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// What a rule checks, why, the auditors' rule it corresponds to, and the fix.
pub struct RuleHelp {
    pub title: &'static str,
    pub why: &'static str,
    pub anchor: &'static str,
    pub fix: &'static str,
}

impl Rule {
    pub const ALL: [Rule; 16] = [
        Rule::RotationDisabled,
        Rule::RotationFailed,
        Rule::RotationStuck,
        Rule::RotationOverdue,
        Rule::RotationLambdaMissing,
        Rule::RotationLambdaNotInvokable,
        Rule::RotationLambdaNoSourceAccount,
        Rule::RotationIntervalTooLong,
        Rule::NotRotatedRecently,
        Rule::VpcEndpointMissing,
        Rule::Unused,
        Rule::MissingTags,
        Rule::DefaultKmsKey,
        Rule::ManagedSecretImpaired,
        Rule::ManagedRotationDisabled,
        Rule::RotationFunctionRuntimeDeprecated,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::RotationDisabled => "rotation-disabled",
            Rule::RotationFailed => "rotation-failed",
            Rule::RotationStuck => "rotation-stuck",
            Rule::RotationOverdue => "rotation-overdue",
            Rule::RotationLambdaMissing => "rotation-lambda-missing",
            Rule::RotationLambdaNotInvokable => "rotation-lambda-not-invokable",
            Rule::RotationLambdaNoSourceAccount => "rotation-lambda-no-source-account",
            Rule::RotationIntervalTooLong => "rotation-interval-too-long",
            Rule::NotRotatedRecently => "not-rotated-recently",
            Rule::VpcEndpointMissing => "vpc-endpoint-missing",
            Rule::Unused => "unused",
            Rule::MissingTags => "missing-tags",
            Rule::DefaultKmsKey => "default-kms-key",
            Rule::ManagedSecretImpaired => "managed-secret-impaired",
            Rule::ManagedRotationDisabled => "managed-rotation-disabled",
            Rule::RotationFunctionRuntimeDeprecated => "rotation-function-runtime-deprecated",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::RotationDisabled
            | Rule::RotationFailed
            | Rule::RotationStuck
            | Rule::RotationOverdue
            | Rule::RotationLambdaMissing
            | Rule::RotationLambdaNotInvokable
            | Rule::ManagedSecretImpaired => Severity::High,
            Rule::RotationLambdaNoSourceAccount
            | Rule::ManagedRotationDisabled
            | Rule::RotationIntervalTooLong
            | Rule::NotRotatedRecently
            | Rule::VpcEndpointMissing
            | Rule::RotationFunctionRuntimeDeprecated => Severity::Medium,
            Rule::Unused | Rule::MissingTags | Rule::DefaultKmsKey => Severity::Low,
        }
    }

    pub fn help(self) -> RuleHelp {
        match self {
            Rule::RotationDisabled => RuleHelp {
                title: "Rotation is not enabled",
                why: "A secret that is never rotated stays valid for as long as it leaks. RotationEnabled is what counts: AWS keeps the rules after rotation is turned off.",
                anchor: "AWS Config secretsmanager-rotation-enabled-check; Security Hub SecretsManager.1; Prowler secretsmanager_automatic_rotation_enabled",
                fix: "rotctl enable SECRET --lambda-arn ARN (or --template NAME)",
            },
            Rule::RotationStuck => RuleHelp {
                title: "A rotation failed and blocks the next one",
                why: "AWSPENDING on a version other than AWSCURRENT for more than 15 minutes is a failed rotation; AWS refuses to start another until the label is removed.",
                anchor: "Security Hub SecretsManager.2 (rotation succeeded); AWS rotation troubleshooting",
                fix: "read the function's log (/aws/lambda/FUNCTION), fix the cause, then rotate again: rotctl rotate-now SECRET --retry --wait (removes only the failed AWSPENDING; a rollback is not the remedy)",
            },
            Rule::RotationFailed => RuleHelp {
                title: "The last rotation failed",
                why: "The rotation function logged an error for the pending version (or CloudTrail recorded RotationFailed): the secret keeps its old value, and AWS refuses the next rotation until AWSPENDING is removed.",
                anchor: "Security Hub SecretsManager.2 (rotation succeeded); AWS Config secretsmanager-scheduled-rotation-success-check",
                fix: "rotctl why SECRET names the cause and its fix; then rotate again: rotctl rotate-now SECRET --retry --wait (removes only the failed AWSPENDING; a rollback is not the remedy)",
            },
            Rule::RotationOverdue => RuleHelp {
                title: "The scheduled rotation has not happened",
                why: "NextRotationDate is in the past with nothing pending: a rotation failed before it created a version, or never ran.",
                anchor: "Security Hub SecretsManager.4 (rotated within N days); AWS Config secretsmanager-scheduled-rotation-success-check",
                fix: "rotctl rotate-now SECRET --wait, and read the function's log if it fails",
            },
            Rule::RotationLambdaMissing => RuleHelp {
                title: "The rotation function does not exist",
                why: "Rotation is on, but the function it invokes was deleted: every rotation fails.",
                anchor: "rotctl (operators' rule; auditors do not check the function)",
                fix: "rotctl enable SECRET with a function that exists (--lambda-arn or --template)",
            },
            Rule::RotationLambdaNotInvokable => RuleHelp {
                title: "Secrets Manager may not invoke the rotation function",
                why: "Without a resource-policy statement for secretsmanager.amazonaws.com the rotation fails with access denied.",
                anchor: "rotctl; AWS rotation troubleshooting (\"access denied when trying to configure rotation\")",
                fix: "rotctl enable SECRET --lambda-arn FUNCTION (adds the permission, scoped with aws:SourceAccount)",
            },
            Rule::RotationLambdaNoSourceAccount => RuleHelp {
                title: "The invoke permission is not scoped to an account",
                why: "A statement for secretsmanager.amazonaws.com without aws:SourceAccount lets Secrets Manager acting for any account invoke the function (confused deputy).",
                anchor: "Control Tower CT.LAMBDA.PR.2; Prowler awslambda_function_not_publicly_accessible; cfn-guard lambda rules",
                fix: "remove the statement (aws lambda remove-permission) and run rotctl enable SECRET --lambda-arn FUNCTION",
            },
            Rule::RotationIntervalTooLong => RuleHelp {
                title: "The rotation interval is longer than allowed",
                why: "The schedule (days, or rate()/cron() read as the longest gap between windows) rotates less often than --max-interval-days.",
                anchor: "AWS Config secretsmanager-rotation-enabled-check maximumAllowedRotationFrequency; Security Hub SecretsManager.1 parameter",
                fix: "rotctl enable SECRET --lambda-arn FUNCTION --every-days N (N within the limit)",
            },
            Rule::NotRotatedRecently => RuleHelp {
                title: "Not rotated recently",
                why: "Rotation is on, but the last successful rotation is older than --max-days-since-rotation, or there was none.",
                anchor: "Security Hub SecretsManager.4; AWS Config secretsmanager-secret-periodic-rotation",
                fix: "rotctl rotate-now SECRET --wait",
            },
            Rule::VpcEndpointMissing => RuleHelp {
                title: "The function's VPC has no Secrets Manager endpoint",
                why: "A rotation function in a VPC without internet access cannot reach Secrets Manager without an interface endpoint.",
                anchor: "rotctl; AWS rotation docs (configure a VPC endpoint)",
                fix: "rotctl enable SECRET --lambda-arn FUNCTION (creates the endpoint)",
            },
            Rule::Unused => RuleHelp {
                title: "Not used recently",
                why: "A secret nobody has read for --unused-days (or since it was created) may be abandoned; it still costs money and risk.",
                anchor: "Security Hub SecretsManager.3; AWS Config secretsmanager-secret-unused",
                fix: "confirm nothing uses it, then delete it (aws secretsmanager delete-secret --recovery-window-in-days 30)",
            },
            Rule::MissingTags => RuleHelp {
                title: "Required tags are missing",
                why: "A tag listed in --required-tags is absent.",
                anchor: "AWS Config required-tags; Security Hub SecretsManager.5",
                fix: "aws secretsmanager tag-resource --secret-id SECRET --tags Key=...,Value=...",
            },
            Rule::DefaultKmsKey => RuleHelp {
                title: "Encrypted with the AWS managed key",
                why: "With --require-cmk, secrets must use a customer managed KMS key, whose policy you control and which can be shared across accounts.",
                anchor: "AWS Config secretsmanager-using-cmk",
                fix: "aws secretsmanager update-secret --secret-id SECRET --kms-key-id KEY",
            },
            Rule::ManagedSecretImpaired => RuleHelp {
                title: "The owning service cannot rotate its secret",
                why: "RDS (or DocumentDB) reports the master-user secret impaired: it can still be read, but the owner lost access to the secret or its KMS key and no rotation will happen until that is fixed.",
                anchor: "RDS API MasterUserSecret.SecretStatus; rotctl (auditors do not read the owner)",
                fix: "give the owner back its access to the secret and its KMS key (or turn management of the master password off and on again), then rotctl rotate-now SECRET --wait",
            },
            Rule::ManagedRotationDisabled => RuleHelp {
                title: "Rotation of a managed secret is turned off",
                why: "The owning service rotates a managed secret only while rotation is on; turned off, the database password stays as it is.",
                anchor: "AWS Config secretsmanager-rotation-enabled-check; Security Hub SecretsManager.1 (managed secrets included)",
                fix: "rotctl schedule SECRET --every-days 7 (turns the owner's rotation back on)",
            },
            Rule::RotationFunctionRuntimeDeprecated => RuleHelp {
                title: "The rotation function's runtime is deprecated",
                why: "Lambda stops patching a deprecated runtime, then refuses to create or update functions on it: the rotation function can no longer be fixed or redeployed as it is. Reported from 90 days before the deprecation date (Lambda's published schedule, kept in rotctl).",
                anchor: "Security Hub Lambda.2 (supported runtimes); Lambda runtime deprecation policy",
                fix: "deploy a version of its rotation application whose runtime is supported (rotctl enable SECRET --template NAME --template-version VERSION; the version's runtime parameter default in the Serverless Application Repository says which), or move its stack to the AWS::SecretsManager-2024-09-16 transform, which updates the runtime with the stack; never change Runtime alone (AWS's functions ship native libraries built for one Python: Runtime.ImportModuleError)",
            },
        }
    }
}

/// One finding: `{"Secret", "ARN", "Region", "Rule", "Severity", "Message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    /// The account, in an audit across accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub secret: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    pub region: String,
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    /// A finding of `rule` about `secret` in `region` (its account is set by
    /// an audit across accounts).
    pub(crate) fn new(secret: &Secret, region: &str, rule: Rule, message: String) -> Finding {
        Finding {
            account: None,
            secret: secret.name.clone(),
            arn: secret.arn.clone(),
            region: region.to_string(),
            rule,
            severity: rule.severity(),
            message,
        }
    }
}

/// The audit's options.
#[derive(Debug, Clone)]
pub struct Options {
    pub max_interval_days: Option<i64>,
    pub max_days_since_rotation: i64,
    pub unused_days: i64,
    pub required_tags: Vec<String>,
    pub require_cmk: bool,
}

/// What the audit learned about a rotation function (one lookup per function).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionFacts {
    Missing,
    Present {
        /// The aws:SourceAccount of each statement letting secretsmanager.amazonaws.com
        /// invoke it (None: the statement has no such condition).
        grants: Vec<Option<String>>,
        vpc_id: Option<String>,
        /// Its Lambda runtime (None for a container image).
        runtime: Option<String>,
    },
    /// The lookup failed (e.g. no permission): rules about it are not judged.
    Unknown(String),
}

/// Why a secret is reported but not judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Rotation is configured on the primary secret.
    Replica(String),
    /// Rotated by a partner (external secret rotation).
    Partner,
}

impl Skip {
    pub fn reason(&self) -> String {
        match self {
            Skip::Replica(primary) => format!("replica of the secret in {primary}"),
            Skip::Partner => "rotated by a partner (external secret rotation)".to_string(),
        }
    }
}

/// Whether a secret is left out of the judging, and why. (A managed secret
/// is judged, by `evaluate_managed`; a replica of one is still a replica.)
pub(crate) fn classify(secret: &Secret, region: &str) -> Option<Skip> {
    if let Some(primary) = secret.primary_region.as_deref().filter(|p| *p != region) {
        return Some(Skip::Replica(primary.to_string()));
    }
    secret.external_secret_rotation_role_arn.as_ref().map(|_| Skip::Partner)
}

/// The managed rules, for a secret its owner rotates (the Lambda rules do
/// not apply to it): its owner reports it impaired; its rotation is off.
pub(crate) fn evaluate_managed(secret: &Secret, region: &str, owner: &Owner) -> Vec<Finding> {
    let mut found = Vec::new();
    let who = crate::owner::display(&owner.service);
    let resource = owner.resource.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    let mut fire = |rule: Rule, message: String| found.push(Finding::new(secret, region, rule, message));
    if owner.secret_status.as_deref() == Some(crate::owner::IMPAIRED) {
        fire(
            Rule::ManagedSecretImpaired,
            format!(
                "{who}{resource} reports the secret impaired: it cannot rotate it (fix: {})",
                fix(Rule::ManagedSecretImpaired, &secret.name)
            ),
        );
    }
    // Only for owners that rotate their secrets (a known default schedule), or
    // whose rotation was set up once: EventBridge, AppFlow and others own
    // secrets they never rotate.
    let rotates = crate::owner::default_schedule(&owner.service).is_some() || rotation::is_configured(secret);
    if rotates && secret.rotation_enabled != Some(true) {
        let default = crate::owner::default_schedule(&owner.service)
            .map(|d| format!("; {who}'s default is {d}"))
            .unwrap_or_default();
        fire(
            Rule::ManagedRotationDisabled,
            format!(
                "rotation is turned off, so {who} no longer rotates this secret{default} (fix: {})",
                fix(Rule::ManagedRotationDisabled, &secret.name)
            ),
        );
    }
    found
}

/// What was read about a secret besides its metadata: the known failure of
/// its pending rotation, its function, and whether the function's VPC has a
/// Secrets Manager endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Evidence<'a> {
    pub(crate) failure: Option<&'a Failure>,
    pub(crate) function: Option<&'a FunctionFacts>,
    pub(crate) endpoint_in_vpc: Option<bool>,
}

/// Every rule that fires for `secret`. `function` is the lookup of its
/// rotation function; `endpoint_in_vpc` whether that function's VPC has a
/// Secrets Manager endpoint. `intervals` caches schedule intervals by expression.
// One rule after another, in the contract's order: a table, clearer whole than split.
#[allow(clippy::too_many_lines)]
pub(crate) fn evaluate(
    secret: &Secret,
    region: &str,
    evidence: &Evidence<'_>,
    options: &Options,
    now: Timestamp,
    intervals: &mut BTreeMap<String, Option<f64>>,
) -> Vec<Finding> {
    let Evidence { failure, function, endpoint_in_vpc } = *evidence;
    let mut found = Vec::new();
    let mut fire = |rule: Rule, message: String| found.push(Finding::new(secret, region, rule, message));
    let name = &secret.name;
    let days_ago = |date: Timestamp| now.duration_since(date).as_secs() / 86_400;

    let failed = match failure {
        Some(failure) if secret.rotation_enabled == Some(true) => {
            let (state, reason) = rotation::assess(secret, Some(failure), None, now);
            (state == RotationState::Failed).then_some(reason)
        }
        _ => None,
    };
    if let Some(reason) = &failed {
        fire(Rule::RotationFailed, format!("{reason} (fix: {})", fix(Rule::RotationFailed, name)));
    } else if let Some(reason) = rotation::stuck(secret, now) {
        // Stuck whether or not rotation is still on: a cancelled rotation leaves its label too.
        let log = secret.rotation_lambda_arn.as_deref().map_or_else(|| "its log".to_string(), crate::naming::log_group);
        let fix = fix(Rule::RotationStuck, name).replace("/aws/lambda/FUNCTION", &log);
        fire(Rule::RotationStuck, format!("{reason} (fix: {fix})"));
    }
    if secret.rotation_enabled == Some(true) {
        let (state, reason) = rotation::assess(secret, None, None, now);
        if state == RotationState::Overdue {
            fire(Rule::RotationOverdue, format!("{reason} (fix: {})", fix(Rule::RotationOverdue, name)));
        }
        if let (Some(arn), Some(facts)) = (&secret.rotation_lambda_arn, function) {
            // Judged for this secret's account: a grant for another account does not let it be invoked.
            let account = secret.arn.split(':').nth(4).unwrap_or_default();
            let (invokable, unscoped) = match facts {
                FunctionFacts::Present { grants, .. } => (
                    grants.iter().any(|g| g.as_deref().is_none_or(|a| a == account)),
                    grants.iter().any(Option::is_none),
                ),
                _ => (true, false),
            };
            match facts {
                FunctionFacts::Missing => fire(
                    Rule::RotationLambdaMissing,
                    format!(
                        "rotation invokes {arn}, which does not exist (fix: {})",
                        fix(Rule::RotationLambdaMissing, name)
                    ),
                ),
                FunctionFacts::Present { .. } if !invokable => fire(
                    Rule::RotationLambdaNotInvokable,
                    format!(
                        "{arn} has no policy statement letting secretsmanager.amazonaws.com invoke it (fix: {})",
                        fix(Rule::RotationLambdaNotInvokable, name).replace("FUNCTION", arn)
                    ),
                ),
                FunctionFacts::Present { .. } if unscoped => fire(
                    Rule::RotationLambdaNoSourceAccount,
                    format!(
                        "{arn} lets secretsmanager.amazonaws.com invoke it without an aws:SourceAccount condition (fix: {})",
                        fix(Rule::RotationLambdaNoSourceAccount, name).replace("FUNCTION", arn)
                    ),
                ),
                _ => {}
            }
            if let FunctionFacts::Present { runtime: Some(runtime), .. } = facts {
                let verdict = runtimes::Verdict::of(runtime, now);
                if verdict.is_concern() {
                    fire(
                        Rule::RotationFunctionRuntimeDeprecated,
                        format!(
                            "{arn}: {} (fix: {})",
                            verdict.describe(runtime, now),
                            fix(Rule::RotationFunctionRuntimeDeprecated, name)
                        ),
                    );
                }
            }
            if let (FunctionFacts::Present { vpc_id: Some(vpc), .. }, Some(false)) = (facts, endpoint_in_vpc) {
                fire(
                    Rule::VpcEndpointMissing,
                    format!(
                        "{arn} runs in {vpc}, which has no Secrets Manager interface endpoint (fix: {})",
                        fix(Rule::VpcEndpointMissing, name).replace("FUNCTION", arn)
                    ),
                );
            }
        }
        if let (Some(limit), Some(rules)) = (options.max_interval_days, &secret.rotation_rules) {
            let key = format!("{rules:?}");
            let interval = *intervals.entry(key).or_insert_with(|| interval_days(rules));
            if let Some(days) = interval.filter(|days| *days > limit as f64) {
                fire(
                    Rule::RotationIntervalTooLong,
                    format!(
                        "rotates every {} ({}), more than the {limit} days allowed (fix: {})",
                        if days.fract() == 0.0 { format!("{days} days") } else { format!("{days:.1} days") },
                        rotation::describe_rules(rules),
                        fix(Rule::RotationIntervalTooLong, name)
                    ),
                );
            }
        }
        match secret.last_rotated_date {
            None => fire(
                Rule::NotRotatedRecently,
                format!("rotation is on but has never succeeded (fix: {})", fix(Rule::NotRotatedRecently, name)),
            ),
            Some(last)
                if now.duration_since(last) > SignedDuration::from_hours(24 * options.max_days_since_rotation) =>
            {
                fire(
                    Rule::NotRotatedRecently,
                    format!(
                        "last rotated {} days ago ({last}), more than {} (fix: {})",
                        days_ago(last),
                        options.max_days_since_rotation,
                        fix(Rule::NotRotatedRecently, name)
                    ),
                );
            }
            _ => {}
        }
    } else {
        let message = if rotation::is_configured(secret) {
            "rotation was set up and is turned off (its rules remain but do not apply)"
        } else {
            "rotation was never set up"
        };
        fire(Rule::RotationDisabled, format!("{message} (fix: {})", fix(Rule::RotationDisabled, name)));
    }

    // Never accessed counts from creation.
    let last_use = secret.last_accessed_date.or(secret.created_date);
    if let Some(last) =
        last_use.filter(|last| now.duration_since(*last) > SignedDuration::from_hours(24 * options.unused_days))
    {
        let what = if secret.last_accessed_date.is_some() { "last read" } else { "never read since it was created" };
        fire(
            Rule::Unused,
            format!(
                "{what} {} days ago, more than {} (fix: {})",
                days_ago(last),
                options.unused_days,
                fix(Rule::Unused, name)
            ),
        );
    }
    let missing: Vec<&str> = options
        .required_tags
        .iter()
        .filter(|key| !secret.tags.iter().any(|tag| tag.key == **key))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        fire(
            Rule::MissingTags,
            format!("lacks the tag(s) {} (fix: {})", missing.join(", "), fix(Rule::MissingTags, name)),
        );
    }
    if options.require_cmk && secret.kms_key_id.as_deref().is_none_or(|key| key.contains("alias/aws/secretsmanager")) {
        fire(
            Rule::DefaultKmsKey,
            format!("encrypted with the AWS managed key aws/secretsmanager (fix: {})", fix(Rule::DefaultKmsKey, name)),
        );
    }
    found
}

fn fix(rule: Rule, secret: &str) -> String {
    rule.help().fix.replace("SECRET", secret)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{RotationRules, SecretVersion, Tag};

    const NOW: &str = "2026-11-22T12:00:00Z";

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a date")
    }

    fn options() -> Options {
        Options {
            max_interval_days: None,
            max_days_since_rotation: 90,
            unused_days: 90,
            required_tags: vec![],
            require_cmk: false,
        }
    }

    fn healthy() -> Secret {
        Secret {
            name: "app/db".into(),
            arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf".into(),
            rotation_enabled: Some(true),
            rotation_lambda_arn: Some("arn:aws:lambda:us-east-1:123456789012:function:rotate".into()),
            rotation_rules: Some(RotationRules { automatically_after_days: Some(30), ..Default::default() }),
            last_rotated_date: Some(at("2026-11-20T00:00:00Z")),
            next_rotation_date: Some(at("2026-12-20T00:00:00Z")),
            last_accessed_date: Some(at("2026-11-22T00:00:00Z")),
            created_date: Some(at("2025-01-01T00:00:00Z")),
            version_ids_to_stages: BTreeMap::from([("v2".into(), vec!["AWSCURRENT".into(), "AWSPENDING".into()])]),
            ..Default::default()
        }
    }

    fn present(invokable: bool, scoped: bool, vpc: Option<&str>) -> FunctionFacts {
        let grants = match (invokable, scoped) {
            (false, _) => vec![],
            (true, true) => vec![Some("123456789012".to_string())],
            (true, false) => vec![None],
        };
        FunctionFacts::Present { grants, vpc_id: vpc.map(str::to_string), runtime: Some("python3.12".into()) }
    }

    fn rules_fired(
        secret: &Secret,
        function: Option<&FunctionFacts>,
        endpoint: Option<bool>,
        options: &Options,
    ) -> Vec<&'static str> {
        evaluate(
            secret,
            "us-east-1",
            &Evidence { failure: None, function, endpoint_in_vpc: endpoint },
            options,
            at(NOW),
            &mut BTreeMap::new(),
        )
        .iter()
        .map(|f| f.rule.id())
        .collect()
    }

    #[test]
    fn a_healthy_secret_has_no_findings() {
        assert!(rules_fired(&healthy(), Some(&present(true, true, None)), None, &options()).is_empty());
    }

    #[test]
    fn disabled_is_judged_on_rotation_enabled_not_on_rules() {
        let mut off = healthy();
        off.rotation_enabled = Some(false);
        let findings = evaluate(&off, "us-east-1", &Evidence::default(), &options(), at(NOW), &mut BTreeMap::new());
        assert_eq!(findings.iter().map(|f| f.rule.id()).collect::<Vec<_>>(), ["rotation-disabled"]);
        assert!(findings[0].message.contains("turned off") && findings[0].message.contains("rotctl enable app/db"));
        let never = Secret { rotation_enabled: None, rotation_lambda_arn: None, rotation_rules: None, ..healthy() };
        assert_eq!(rules_fired(&never, None, None, &options()), ["rotation-disabled"]);
    }

    #[test]
    fn stuck_and_overdue() {
        let mut stuck = healthy();
        stuck.version_ids_to_stages.insert("v3".into(), vec!["AWSPENDING".into()]);
        stuck.versions.push(SecretVersion {
            version_id: "v3".into(),
            created_date: Some(at("2026-11-22T10:00:00Z")),
            ..Default::default()
        });
        assert_eq!(rules_fired(&stuck, None, None, &options()), ["rotation-stuck"]);
        let findings = evaluate(&stuck, "us-east-1", &Evidence::default(), &options(), at(NOW), &mut BTreeMap::new());
        assert!(findings[0].message.contains("/aws/lambda/rotate"), "{}", findings[0].message);
        let mut overdue = healthy();
        overdue.next_rotation_date = Some(at("2026-11-21T00:00:00Z"));
        assert_eq!(rules_fired(&overdue, None, None, &options()), ["rotation-overdue"]);
        let mut cancelled = stuck.clone();
        cancelled.rotation_enabled = Some(false);
        assert_eq!(rules_fired(&cancelled, None, None, &options()), ["rotation-stuck", "rotation-disabled"]);
    }

    #[test]
    fn a_known_failure_takes_the_place_of_stuck() {
        let mut failed = healthy();
        failed.version_ids_to_stages.insert("v3".into(), vec!["AWSPENDING".into()]);
        failed.versions.push(SecretVersion {
            version_id: "v3".into(),
            created_date: Some(at("2026-11-01T00:00:00Z")),
            ..Default::default()
        });
        let failure = Failure {
            version_id: "v3".into(),
            step: Some("setSecret".into()),
            message: "setSecret: Unable to log into database".into(),
            source: crate::model::FailureSource::FunctionLog,
            log_group: Some("/aws/lambda/rotate".into()),
        };
        let findings = evaluate(
            &failed,
            "us-east-1",
            &Evidence { failure: Some(&failure), ..Evidence::default() },
            &options(),
            at(NOW),
            &mut BTreeMap::new(),
        );
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.id()).collect();
        assert_eq!(rules, ["rotation-failed"]);
        assert!(findings[0].message.contains("setSecret: Unable to log into database"), "{}", findings[0].message);
        assert!(findings[0].message.contains("rotate-now app/db --retry --wait"), "{}", findings[0].message);
        // Evidence for another version leaves the stuck finding.
        let other = Failure { version_id: "v9".into(), ..failure };
        let findings = evaluate(
            &failed,
            "us-east-1",
            &Evidence { failure: Some(&other), ..Evidence::default() },
            &options(),
            at(NOW),
            &mut BTreeMap::new(),
        );
        assert_eq!(findings.iter().map(|f| f.rule.id()).collect::<Vec<_>>(), ["rotation-stuck"]);
    }

    #[test]
    fn function_rules() {
        let s = healthy();
        assert_eq!(rules_fired(&s, Some(&FunctionFacts::Missing), None, &options()), ["rotation-lambda-missing"]);
        assert_eq!(
            rules_fired(&s, Some(&present(false, false, None)), None, &options()),
            ["rotation-lambda-not-invokable"]
        );
        assert_eq!(
            rules_fired(&s, Some(&present(true, false, None)), None, &options()),
            ["rotation-lambda-no-source-account"]
        );
        assert_eq!(
            rules_fired(&s, Some(&present(true, true, Some("vpc-1"))), Some(false), &options()),
            ["vpc-endpoint-missing"]
        );
        assert!(rules_fired(&s, Some(&present(true, true, Some("vpc-1"))), Some(true), &options()).is_empty());
        assert!(rules_fired(&s, Some(&FunctionFacts::Unknown("AccessDenied".into())), None, &options()).is_empty());
        let elsewhere =
            FunctionFacts::Present { grants: vec![Some("999999999999".into())], vpc_id: None, runtime: None };
        assert_eq!(
            rules_fired(&s, Some(&elsewhere), None, &options()),
            ["rotation-lambda-not-invokable"],
            "another account's grant"
        );
        let mixed =
            FunctionFacts::Present { grants: vec![Some("123456789012".into()), None], vpc_id: None, runtime: None };
        assert_eq!(
            rules_fired(&s, Some(&mixed), None, &options()),
            ["rotation-lambda-no-source-account"],
            "an unscoped grant beside a scoped one"
        );
    }

    #[test]
    fn a_deprecated_runtime_or_one_within_90_days_of_it() {
        let s = healthy();
        let on = |runtime: &str| FunctionFacts::Present {
            grants: vec![Some("123456789012".into())],
            vpc_id: None,
            runtime: Some(runtime.into()),
        };
        // NOW is 2026-11-22: python3.9 deprecated 2025-12-15; python3.11 on 2027-06-30.
        let found = evaluate(
            &s,
            "us-east-1",
            &Evidence { function: Some(&on("python3.9")), ..Evidence::default() },
            &options(),
            at(NOW),
            &mut BTreeMap::new(),
        );
        assert_eq!(found.iter().map(|f| f.rule.id()).collect::<Vec<_>>(), ["rotation-function-runtime-deprecated"]);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(found[0].message.contains("python3.9 was deprecated by Lambda on 2025-12-15"), "{}", found[0].message);
        assert!(found[0].message.contains("never change Runtime alone"), "{}", found[0].message);
        assert!(rules_fired(&s, Some(&on("python3.11")), None, &options()).is_empty());
        assert!(rules_fired(&s, Some(&on("a-new-runtime")), None, &options()).is_empty(), "unknown: not judged");
        let later = at("2027-04-15T00:00:00Z");
        let found = evaluate(
            &s,
            "us-east-1",
            &Evidence { function: Some(&on("python3.11")), ..Evidence::default() },
            &options(),
            later,
            &mut BTreeMap::new(),
        );
        assert!(found.iter().any(|f| f.rule == Rule::RotationFunctionRuntimeDeprecated), "{found:?}");
    }

    #[test]
    fn intervals_only_with_a_limit_and_short_ones_pass() {
        let limited = Options { max_interval_days: Some(30), ..options() };
        let mut long = healthy();
        long.rotation_rules = Some(RotationRules { automatically_after_days: Some(90), ..Default::default() });
        assert!(rules_fired(&long, None, None, &options()).is_empty(), "no limit, no finding");
        assert_eq!(rules_fired(&long, None, None, &limited), ["rotation-interval-too-long"]);
        long.rotation_rules =
            Some(RotationRules { schedule_expression: Some("rate(12 hours)".into()), ..Default::default() });
        assert!(rules_fired(&long, None, None, &limited).is_empty());
        long.rotation_rules =
            Some(RotationRules { schedule_expression: Some("cron(0 4 1 1,7 ? *)".into()), ..Default::default() });
        assert_eq!(rules_fired(&long, None, None, &limited), ["rotation-interval-too-long"]);
    }

    #[test]
    fn rotation_age_use_tags_and_keys() {
        let mut old = healthy();
        old.last_rotated_date = Some(at("2026-06-01T00:00:00Z"));
        assert_eq!(rules_fired(&old, None, None, &options()), ["not-rotated-recently"]);
        old.last_rotated_date = None;
        assert_eq!(rules_fired(&old, None, None, &options()), ["not-rotated-recently"], "never rotated");

        let mut idle = healthy();
        idle.last_accessed_date = Some(at("2026-01-01T00:00:00Z"));
        assert_eq!(rules_fired(&idle, None, None, &options()), ["unused"]);
        idle.last_accessed_date = None;
        assert_eq!(rules_fired(&idle, None, None, &options()), ["unused"], "never read counts from creation");
        idle.created_date = Some(at("2026-11-01T00:00:00Z"));
        assert!(rules_fired(&idle, None, None, &options()).is_empty());

        let strict = Options { required_tags: vec!["owner".into(), "env".into()], require_cmk: true, ..options() };
        let mut tagged = healthy();
        tagged.tags = vec![Tag { key: "owner".into(), value: "team".into() }];
        let findings = evaluate(&tagged, "us-east-1", &Evidence::default(), &strict, at(NOW), &mut BTreeMap::new());
        assert_eq!(findings.iter().map(|f| f.rule.id()).collect::<Vec<_>>(), ["missing-tags", "default-kms-key"]);
        assert!(findings[0].message.contains("lacks the tag(s) env"));
        tagged.kms_key_id = Some("arn:aws:kms:us-east-1:123456789012:key/1234".into());
        assert_eq!(rules_fired(&tagged, None, None, &strict), ["missing-tags"]);
    }

    #[test]
    fn replicas_and_partners_are_skipped_and_managed_secrets_judged_by_the_managed_rules() {
        let managed = Secret { owning_service: Some("rds".into()), ..healthy() };
        assert_eq!(classify(&managed, "us-east-1"), None, "judged, by the managed rules");
        let replica = Secret { primary_region: Some("eu-west-1".into()), ..healthy() };
        assert_eq!(classify(&replica, "us-east-1"), Some(Skip::Replica("eu-west-1".into())));
        assert_eq!(classify(&replica, "eu-west-1"), None, "the primary itself is judged");
        assert_eq!(classify(&healthy(), "us-east-1"), None);

        let owner = |status: &str| Owner {
            service: "rds".into(),
            resource: Some("arn:aws:rds:us-east-1:123456789012:db:orders".into()),
            secret_status: Some(status.into()),
            kms_key_id: None,
        };
        let rules = |secret: &Secret, owner: &Owner| -> Vec<Rule> {
            evaluate_managed(secret, "us-east-1", owner).iter().map(|f| f.rule).collect()
        };
        assert_eq!(rules(&managed, &owner("active")), [], "a managed secret without its function is fine");
        assert_eq!(rules(&managed, &owner("impaired")), [Rule::ManagedSecretImpaired]);
        let off = Secret { rotation_enabled: Some(false), ..managed };
        let findings = evaluate_managed(&off, "us-east-1", &owner("impaired"));
        assert_eq!(
            findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
            [Rule::ManagedSecretImpaired, Rule::ManagedRotationDisabled]
        );
        assert!(findings[1].message.contains("Amazon RDS's default is every 7 days"), "{}", findings[1].message);
        assert!(findings[1].message.contains("rotctl schedule app/db --every-days 7"), "{}", findings[1].message);
        // An owner that never rotates its secrets (EventBridge's connections) has nothing turned off.
        let events = Owner { service: "events".into(), resource: None, secret_status: None, kms_key_id: None };
        let never = Secret { rotation_enabled: None, rotation_lambda_arn: None, rotation_rules: None, ..healthy() };
        assert_eq!(evaluate_managed(&never, "us-east-1", &events), []);
    }

    #[test]
    fn fail_on_thresholds() {
        assert!(FailOn::High.fails(Severity::High) && !FailOn::High.fails(Severity::Medium));
        assert!(FailOn::Medium.fails(Severity::Medium) && !FailOn::Medium.fails(Severity::Low));
        assert!(FailOn::Low.fails(Severity::Low));
        assert!(!FailOn::Never.fails(Severity::High));
    }
}
