//! Snapshots of every table and JSON renderer, from fixture reports: what
//! stdout shows, pinned whole (review changes with `cargo insta review`).

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::render;
use crate::audit::{FailOn, Finding, Rule};
use crate::cli::OutputFormat;
use crate::context::Context;
use crate::model::{
    Action, AuditReport, DisableReport, EnableReport, EnableStep, FailedRegion, Failure, FailureSource, ManagedSecret,
    Outcome, Owner, PlannedStep, Report, RollbackReport, RotateReport, Rotation, RotationRules, Secret, SecretStatus,
    SecretVersion, Skipped, StatusReport, TemplatesReport, Unchecked,
};
use crate::templates::CATALOGUE;

const NOW: &str = "2026-11-22T12:00:00Z";
const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:prod-db-rotation";
const V1: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const V2: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const V3: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

fn at(text: &str) -> Timestamp {
    text.parse().expect("a date")
}

fn ctx(output: OutputFormat) -> Context {
    Context { output, now: at(NOW), ..Context::for_tests() }
}

/// A rotated secret with an AWSPREVIOUS and an AWSCURRENT version, plus `extra` versions.
fn secret(name: &str, extra: &[(&str, &str, &str)]) -> Secret {
    let mut versions = vec![(V1, "AWSPREVIOUS", "2026-10-23T03:00:00Z"), (V2, "AWSCURRENT", "2026-11-22T03:00:00Z")];
    versions.extend_from_slice(extra);
    Secret {
        name: name.to_string(),
        arn: format!("{ARN}{name}-AbCdEf"),
        rotation_enabled: Some(true),
        rotation_lambda_arn: Some(FUNCTION.to_string()),
        rotation_rules: Some(RotationRules {
            automatically_after_days: Some(30),
            schedule_expression: Some("rate(30 days)".into()),
            duration: Some("4h".into()),
        }),
        last_rotated_date: Some(at("2026-11-22T03:00:05Z")),
        next_rotation_date: Some(at("2026-12-22T03:59:59Z")),
        last_accessed_date: Some(at("2026-11-21T00:00:00Z")),
        version_ids_to_stages: versions
            .iter()
            .map(|(id, label, _)| ((*id).to_string(), vec![(*label).to_string()]))
            .collect(),
        versions: versions
            .iter()
            .map(|(id, label, created)| SecretVersion {
                version_id: (*id).to_string(),
                version_stages: vec![(*label).to_string()],
                created_date: Some(at(created)),
                last_accessed_date: None,
            })
            .collect(),
        ..Secret::default()
    }
}

fn status(secret: Secret) -> SecretStatus {
    crate::rotation::status(secret, None, None, at(NOW))
}

/// The function's own error for the pending version, as rotctl quotes it.
fn failure() -> Failure {
    Failure {
        version_id: V3.into(),
        step: Some("setSecret".into()),
        message: "setSecret: Unable to log into database with previous, current, or pending secret of secret arn \
                  arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/legacy-db-AbCdEf"
            .into(),
        source: FailureSource::FunctionLog,
        log_group: Some("/aws/lambda/prod-db-rotation".into()),
    }
}

fn failed() -> SecretStatus {
    let secret = secret("prod/legacy-db", &[(V3, "AWSPENDING", "2026-11-22T11:58:00Z")]);
    crate::rotation::status(secret, Some(failure()), None, at(NOW))
}

fn healthy() -> SecretStatus {
    status(secret("prod/db", &[]))
}

fn stuck() -> SecretStatus {
    status(secret("prod/legacy-db", &[(V3, "AWSPENDING", "2026-11-22T09:00:00Z")]))
}

/// A secret RDS owns and reports impaired.
fn impaired() -> SecretStatus {
    let name = "rds!db-1234";
    let secret = Secret {
        name: name.into(),
        arn: format!("{ARN}{name}-AbCdEf"),
        rotation_enabled: Some(true),
        rotation_rules: Some(RotationRules { automatically_after_days: Some(7), ..RotationRules::default() }),
        owning_service: Some("rds".into()),
        version_ids_to_stages: BTreeMap::from([(V1.to_string(), vec!["AWSCURRENT".to_string()])]),
        ..Secret::default()
    };
    let owner = Owner {
        service: "rds".into(),
        resource: Some("arn:aws:rds:us-east-1:123456789012:db:orders".into()),
        secret_status: Some("impaired".into()),
        kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into()),
    };
    crate::rotation::status(secret, None, Some(owner), at(NOW))
}

fn not_configured() -> SecretStatus {
    status(Secret {
        name: "prod/api-key".into(),
        arn: format!("{ARN}prod/api-key-XyZ123"),
        version_ids_to_stages: BTreeMap::from([(V1.to_string(), vec!["AWSCURRENT".to_string()])]),
        ..Secret::default()
    })
}

/// Both renderings of a report: the table and the JSON.
fn both(name: &str, report: impl Fn() -> Report) {
    insta::assert_snapshot!(format!("{name}_table"), render(&ctx(OutputFormat::Table), &report()).expect("renders"));
    insta::assert_snapshot!(format!("{name}_json"), render(&ctx(OutputFormat::Json), &report()).expect("renders"));
}

#[test]
fn status_of_several_secrets() {
    both("status", || {
        Report::Status(StatusReport {
            secrets: vec![healthy(), failed(), stuck(), not_configured(), impaired()],
            check: false,
            notes: vec![],
        })
    });
}

#[test]
fn status_of_no_secrets() {
    let report = Report::Status(StatusReport { secrets: vec![], check: true, notes: vec![] });
    insta::assert_snapshot!(render(&ctx(OutputFormat::Table), &report).expect("renders"), @"No secrets.");
}

fn plan(actions: [Action; 5]) -> Vec<PlannedStep> {
    let steps = [
        (
            EnableStep::Stack,
            "CreateChangeSet (CREATE) and ExecuteChangeSet for stack rotctl-prod-db-3f2a1b, then wait for it",
        ),
        (
            EnableStep::InvokePermission,
            "AddPermission rotctl-secretsmanager-invoke: secretsmanager.amazonaws.com may call lambda:InvokeFunction, aws:SourceAccount 123456789012",
        ),
        (EnableStep::VpcConfig, "no --subnet-ids: the function stays outside any VPC"),
        (EnableStep::VpcEndpoint, "the function is not in a VPC: it reaches Secrets Manager's public endpoint"),
        (EnableStep::Rotation, "RotateSecret with the function, rate(30 days), window 4h, rotating now"),
    ];
    steps
        .iter()
        .zip(actions)
        .map(|((step, detail), action)| PlannedStep { step: *step, action, detail: (*detail).to_string() })
        .collect()
}

#[test]
fn enable_with_its_first_rotation() {
    both("enable", || {
        let rotation = Rotation { version_id: V2.into(), outcome: Outcome::Succeeded, failure: None };
        let steps = plan([Action::Create, Action::Create, Action::Ok, Action::Ok, Action::Create]);
        Report::Enable(EnableReport::new(steps, healthy(), false, Some(rotation), vec![]))
    });
}

#[test]
fn enable_dry_run_and_nothing_to_do() {
    let dry = EnableReport::new(plan([Action::Create; 5]), not_configured(), true, None, vec![]);
    insta::assert_snapshot!(
        "enable_dry_run_table",
        render(&ctx(OutputFormat::Table), &Report::Enable(dry)).expect("renders")
    );
    let done = EnableReport::new(plan([Action::Ok; 5]), healthy(), false, None, vec![]);
    insta::assert_snapshot!(
        "enable_nothing_to_do_table",
        render(&ctx(OutputFormat::Table), &Report::Enable(done)).expect("renders")
    );
}

#[test]
fn a_failed_rotation() {
    both("rotate_now_failed", || {
        Report::RotateNow(RotateReport {
            name: "prod/legacy-db".into(),
            arn: format!("{ARN}prod/legacy-db-AbCdEf"),
            version_id: Some(V3.into()),
            outcome: Outcome::Failed,
            failure: Some(failure()),
            status: failed(),
            notes: vec![],
        })
    });
}

#[test]
fn a_rollback() {
    both("rollback", || {
        let before = healthy();
        let mut after = before.secret.clone();
        after.version_ids_to_stages =
            BTreeMap::from([(V1.to_string(), vec!["AWSCURRENT".into()]), (V2.to_string(), vec!["AWSPREVIOUS".into()])]);
        Report::Rollback(RollbackReport {
            name: before.secret.name.clone(),
            arn: before.secret.arn.clone(),
            from: V2.into(),
            to: V1.into(),
            dry_run: false,
            already_done: false,
            strategy: crate::strategy::Strategy::AlternatingUsers,
            strategy_source: "the function's tag serverlessrepo:applicationId = \
                              SecretsManagerRDSPostgreSQLRotationMultiUser"
                .into(),
            status: status(after),
            before,
            notes: vec![],
        })
    });
}

#[test]
fn a_disable() {
    both("disable", || {
        let before = stuck();
        Report::Disable(DisableReport {
            notes: vec![],
            name: before.secret.name.clone(),
            arn: before.secret.arn.clone(),
            cancelled: true,
            cleared_pending_version: Some(V3.into()),
            dry_run: true,
            status: before,
        })
    });
}

fn audit() -> Report {
    let finding = |status: &SecretStatus, rule: Rule, message: &str| Finding {
        account: None,
        secret: status.secret.name.clone(),
        arn: status.secret.arn.clone(),
        region: "us-east-1".into(),
        rule,
        severity: rule.severity(),
        message: message.into(),
    };
    Report::Audit(AuditReport {
        findings: vec![
            finding(&stuck(), Rule::RotationStuck, "AWSPENDING has been on a version for 3h"),
            finding(&not_configured(), Rule::RotationDisabled, "rotation was never configured"),
            finding(&healthy(), Rule::RotationLambdaNoSourceAccount, "the invoke statement has no aws:SourceAccount"),
            finding(&healthy(), Rule::Unused, "not read for 120 days"),
            Finding {
                account: None,
                secret: "rds!db-1234".into(),
                arn: format!("{ARN}rds!db-1234-AbCdEf"),
                region: "us-east-1".into(),
                rule: Rule::ManagedSecretImpaired,
                severity: Rule::ManagedSecretImpaired.severity(),
                message: "Amazon RDS reports the secret impaired".into(),
            },
        ],
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        secrets_read: 3,
        skipped: vec![Skipped {
            account: None,
            secret: "app/db".into(),
            arn: format!("{ARN}app/db-AbCdEf"),
            region: "eu-west-1".into(),
            reason: "replica of the secret in us-east-1".into(),
        }],
        managed: vec![ManagedSecret {
            account: None,
            secret: "rds!db-1234".into(),
            arn: format!("{ARN}rds!db-1234-AbCdEf"),
            region: "us-east-1".into(),
            owner: Owner {
                service: "rds".into(),
                resource: Some("arn:aws:rds:us-east-1:123456789012:db:orders".into()),
                secret_status: Some("impaired".into()),
                kms_key_id: None,
            },
            rotation_enabled: Some(true),
            rotation_rules: Some(RotationRules { automatically_after_days: Some(7), ..RotationRules::default() }),
            default_schedule: Some("every 7 days"),
        }],
        failed_regions: vec![FailedRegion {
            region: "eu-west-1".into(),
            message: "secretsmanager:ListSecrets was denied".into(),
        }],
        unchecked: vec![Unchecked {
            region: "us-east-1".into(),
            resource: FUNCTION.into(),
            message: "lambda:GetPolicy was denied".into(),
        }],
        fail_on: FailOn::High,
        accounts: None,
        access_errors: vec![],
        strict: false,
    })
}

#[test]
fn an_audit() {
    both("audit", audit);
    insta::assert_snapshot!("audit_sarif", render(&ctx(OutputFormat::Sarif), &audit()).expect("renders"));
}

#[test]
fn the_templates() {
    both("templates", || {
        Report::Templates(TemplatesReport {
            partition: "aws",
            templates: CATALOGUE.iter().map(|t| (t, t.application_arn("us-east-1"))).collect(),
        })
    });
}

/// The service's clock a second ahead of this machine's: a rotation that
/// happened is "just now", never "in 1s".
#[test]
fn a_past_event_is_never_in_the_future() {
    let ahead = at("2026-11-22T12:00:01Z");
    assert_eq!(super::when_past(at(NOW), Some(ahead), "never"), "2026-11-22T12:00:01Z (just now)");
    assert_eq!(
        super::when(at(NOW), Some(ahead), "not scheduled"),
        "2026-11-22T12:00:01Z (in 1s)",
        "a next rotation may be"
    );
}
