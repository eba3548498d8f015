//! What each command returns: the JSON contract of its result (AWS field
//! names), and what the table and the stderr notes need beside it.

use jiff::Timestamp;
use serde::Serialize;

use super::{PlannedStep, SecretStatus};
use crate::audit::{FailOn, Finding, Severity};
use crate::exit::Exit;
use crate::templates::RotationTemplate;

/// What a command produced.
// One value per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Report {
    Status(StatusReport),
    Enable(EnableReport),
    RotateNow(RotateReport),
    Rollback(RollbackReport),
    Disable(DisableReport),
    Schedule(ScheduleReport),
    Why(WhyReport),
    History(HistoryReport),
    Doctor(DoctorReport),
    Audit(AuditReport),
    Templates(TemplatesReport),
    /// Generated text printed as it is (completions, the man page).
    Text(String),
}

impl Report {
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Report::Status(report) => report.exit(),
            Report::Enable(report) => report.rotation.as_ref().map_or(Exit::Success, |r| r.outcome.exit()),
            Report::RotateNow(report) => report.outcome.exit(),
            Report::Audit(report) => report.exit(),
            Report::Doctor(report) => report.exit(),
            Report::Rollback(_)
            | Report::Disable(_)
            | Report::Schedule(_)
            | Report::Why(_)
            | Report::History(_)
            | Report::Templates(_)
            | Report::Text(_) => Exit::Success,
        }
    }

    /// Notes for the operator, printed on stderr.
    pub(crate) fn notes(&self) -> Vec<String> {
        match self {
            Report::Status(report) => report.notes.clone(),
            Report::Enable(report) => report.notes.clone(),
            Report::RotateNow(report) => report.notes.clone(),
            Report::Rollback(report) => report.notes.clone(),
            Report::Audit(report) => report.notes(),
            Report::Disable(report) => report.notes.clone(),
            Report::Why(report) => report.notes.clone(),
            Report::History(report) => report.notes.clone(),
            Report::Doctor(report) => report.notes.clone(),
            Report::Schedule(_) | Report::Templates(_) | Report::Text(_) => Vec::new(),
        }
    }
}

/// `status`: one JSON object per secret.
#[derive(Debug)]
pub(crate) struct StatusReport {
    pub(crate) secrets: Vec<SecretStatus>,
    pub(crate) check: bool,
    /// Things the operator should know that are not the result (stderr).
    pub(crate) notes: Vec<String>,
}

impl StatusReport {
    pub(crate) fn exit(&self) -> Exit {
        let unhealthy = self.secrets.iter().any(|s| s.rotation_state != super::RotationState::Healthy);
        if self.check && unhealthy { Exit::Findings } else { Exit::Success }
    }
}

/// What happened to a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    Started,
    Succeeded,
    Failed,
    TimedOut,
}

impl Outcome {
    pub(crate) fn exit(self) -> Exit {
        match self {
            Outcome::Started | Outcome::Succeeded => Exit::Success,
            Outcome::Failed => Exit::Failure,
            Outcome::TimedOut => Exit::TimedOut,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Started => "started",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::TimedOut => "timed out",
        }
    }
}

/// Why a rotation failed, as far as AWS lets rotctl learn it:
/// `{"VersionId", "Step", "Message", "Source", "LogGroup"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Failure {
    /// The version the failed rotation created (its ClientRequestToken).
    pub(crate) version_id: String,
    /// createSecret, setSecret, testSecret or finishSecret, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<String>,
    /// The function's own error line (secrets masked, cut to 300 characters),
    /// CloudTrail's error message, or what the labels show.
    pub(crate) message: String,
    pub(crate) source: FailureSource,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) log_group: Option<String>,
}

/// Where a failure was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FailureSource {
    /// An error the rotation function logged for this rotation.
    FunctionLog,
    /// CloudTrail's RotationFailed, TestRotationFailed or RotationAbandoned event.
    Cloudtrail,
    /// The version lost its AWSPENDING label before it became AWSCURRENT.
    SecretVersions,
    /// The service that owns a managed secret (RDS `SecretStatus` impaired).
    Owner,
}

impl Failure {
    /// "<what> failed at setSecret: <message> (the function's log: /aws/lambda/f)".
    pub(crate) fn sentence(&self, what: &str) -> String {
        format!(
            "{what} failed{}: {}{}",
            self.step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default(),
            self.message,
            self.log_group.as_ref().map(|g| format!(" (the function's log: {g})")).unwrap_or_default()
        )
    }
}

/// A rotation rotctl started and, with `--wait`, how it ended: in `enable`'s
/// JSON, `"VersionId"` and `"Outcome"` (the failure goes to stderr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Rotation {
    pub(crate) version_id: String,
    pub(crate) outcome: Outcome,
    #[serde(skip)]
    pub(crate) failure: Option<Failure>,
}

/// `rotate-now`: `{"Name", "ARN", "VersionId", "Outcome", "Status"}` (+ `Failure` when known).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RotateReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    /// The new version; null when the owner of a managed secret was asked to
    /// rotate it and rotctl did not wait to see the version it made.
    pub(crate) version_id: Option<String>,
    pub(crate) outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<Failure>,
    pub(crate) status: SecretStatus,
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

/// `enable`: `{"Plan": [...], "Status": {...}, "DryRun"}` (+ `VersionId`, `Outcome` with `--wait`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EnableReport {
    pub(crate) plan: Vec<PlannedStep>,
    pub(crate) status: SecretStatus,
    pub(crate) dry_run: bool,
    /// With --wait: the rotation started and how it ended.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(crate) rotation: Option<Rotation>,
    /// doctor's checks of the function (when it exists): `[{"Check", "Result", "Detail", "Fix"}]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) checks: Vec<crate::doctor::Check>,
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

impl EnableReport {
    pub(crate) fn new(
        plan: Vec<PlannedStep>,
        status: SecretStatus,
        dry_run: bool,
        rotation: Option<Rotation>,
        notes: Vec<String>,
    ) -> EnableReport {
        EnableReport { plan, status, dry_run, rotation, checks: Vec::new(), notes }
    }

    pub(crate) fn nothing_to_do(&self) -> bool {
        self.plan.iter().all(|step| step.action == super::Action::Ok)
    }
}

/// `rollback`: `{"Name", "ARN", "From", "To", "DryRun", "Status"}` (+ `"AlreadyDone": true`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RollbackReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) dry_run: bool,
    /// `--expect-current` found the rollback already made; nothing changed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) already_done: bool,
    /// What the rotation does to the target system, and where that was learned.
    pub(crate) strategy: crate::strategy::Strategy,
    pub(crate) strategy_source: String,
    pub(crate) status: SecretStatus,
    #[serde(skip)]
    pub(crate) before: SecretStatus,
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

/// `disable`: `{"Name", "ARN", "Cancelled", "ClearedPendingVersion", "DryRun", "Status"}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DisableReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    /// Whether CancelRotateSecret was (or, in a dry run, would be) called.
    pub(crate) cancelled: bool,
    /// The version AWSPENDING was removed from, if a rotation had left one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cleared_pending_version: Option<String>,
    pub(crate) dry_run: bool,
    pub(crate) status: SecretStatus,
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

impl DisableReport {
    pub(crate) fn nothing_to_do(&self) -> bool {
        !self.cancelled && self.cleared_pending_version.is_none()
    }
}

/// A secret the audit reported but did not judge (managed by a service, a replica, partner-rotated).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Skipped {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
    pub(crate) secret: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) region: String,
    pub(crate) reason: String,
}

/// A lookup that failed, so the rules that depend on it were not judged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Unchecked {
    pub(crate) region: String,
    pub(crate) resource: String,
    pub(crate) message: String,
}

/// A region that could not be audited.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FailedRegion {
    pub(crate) region: String,
    pub(crate) message: String,
}

/// Something an audit across accounts could not read: an account whose role
/// could not be assumed (no region), a region that could not be listed, a
/// lookup refused. `{"Account", "Region", "Stage", "Error"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccessError {
    pub(crate) account: String,
    pub(crate) region: Option<String>,
    /// assume-role, list-regions, list-secrets, or lookup.
    pub(crate) stage: &'static str,
    pub(crate) error: String,
}

/// A region left out of one account's audit: an opt-in region the account
/// has not enabled (AWS answers its calls with an invalid-token error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SkippedRegion {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) reason: String,
}

/// What an audit across accounts read: `Summary.Accounts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccountsSummary {
    /// Accounts listed (after --exclude-accounts).
    pub(crate) listed: usize,
    /// Accounts read (their role assumed, or the caller's own).
    pub(crate) read: usize,
    /// Accounts whose role could not be assumed.
    pub(crate) skipped: usize,
    /// Account-regions read, and left out.
    pub(crate) regions_read: usize,
    pub(crate) regions_skipped: Vec<SkippedRegion>,
}

/// `audit`.
#[derive(Debug)]
pub(crate) struct AuditReport {
    pub(crate) findings: Vec<Finding>,
    pub(crate) regions: Vec<String>,
    pub(crate) secrets_read: usize,
    pub(crate) skipped: Vec<Skipped>,
    /// Secrets their owners rotate, judged by the managed rules only.
    pub(crate) managed: Vec<ManagedSecret>,
    pub(crate) failed_regions: Vec<FailedRegion>,
    pub(crate) unchecked: Vec<Unchecked>,
    pub(crate) fail_on: FailOn,
    /// In an audit across accounts: what was read, and what could not be.
    pub(crate) accounts: Option<AccountsSummary>,
    pub(crate) access_errors: Vec<AccessError>,
    /// `--strict`: anything that could not be read makes the exit code 1, before findings.
    pub(crate) strict: bool,
}

/// A secret its owner rotates, as the audit saw it: `{"Secret", "ARN",
/// "Region", "Owner", "RotationEnabled", "RotationRules", "DefaultSchedule"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ManagedSecret {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
    pub(crate) secret: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) region: String,
    pub(crate) owner: super::Owner,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rotation_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rotation_rules: Option<super::RotationRules>,
    /// The owner's schedule until someone changes it ("every 7 days" for RDS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_schedule: Option<&'static str>,
}

impl AuditReport {
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// 3 when a finding reaches --fail-on; else 1 when something could not be
    /// read (a region, a function, a VPC): an incomplete audit must not pass; else 0.
    pub(crate) fn exit(&self) -> Exit {
        let incomplete =
            !self.failed_regions.is_empty() || !self.unchecked.is_empty() || !self.access_errors.is_empty();
        if self.strict && incomplete {
            Exit::Failure
        } else if self.findings.iter().any(|f| self.fail_on.fails(f.severity)) {
            Exit::Findings
        } else if incomplete {
            Exit::Failure
        } else {
            Exit::Success
        }
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        let regions = self.failed_regions.iter().map(|f| format!("{} was not audited: {}", f.region, f.message));
        let lookups = self.unchecked.iter().map(|u| {
            format!(
                "{} in {} could not be checked, so the rules about it were not judged: {}",
                u.resource, u.region, u.message
            )
        });
        let access = self.access_errors.iter().map(|e| match &e.region {
            Some(region) => format!("account {} in {region} ({}): {}", e.account, e.stage, e.error),
            None => format!("account {} was not audited ({}): {}", e.account, e.stage, e.error),
        });
        let skipped = self
            .accounts
            .iter()
            .flat_map(|a| &a.regions_skipped)
            .map(|s| format!("account {} left out {}: {}", s.account, s.region, s.reason));
        regions.chain(lookups).chain(access).chain(skipped).collect()
    }

    /// `{"Findings": [...], "Summary": {...}}`.
    pub(crate) fn json(&self) -> AuditJson<'_> {
        AuditJson {
            findings: &self.findings,
            managed: &self.managed,
            access_errors: self.accounts.as_ref().map(|_| self.access_errors.as_slice()),
            summary: AuditSummary {
                accounts: self.accounts.as_ref(),
                secrets: self.secrets_read,
                regions: &self.regions,
                high: self.count(Severity::High),
                medium: self.count(Severity::Medium),
                low: self.count(Severity::Low),
                fail_on: self.fail_on.as_str(),
                skipped: &self.skipped,
                failed_regions: &self.failed_regions,
                unchecked: &self.unchecked,
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AuditJson<'a> {
    findings: &'a [Finding],
    managed: &'a [ManagedSecret],
    /// Only in an audit across accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    access_errors: Option<&'a [AccessError]>,
    summary: AuditSummary<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AuditSummary<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts: Option<&'a AccountsSummary>,
    secrets: usize,
    regions: &'a [String],
    high: usize,
    medium: usize,
    low: usize,
    fail_on: &'static str,
    skipped: &'a [Skipped],
    failed_regions: &'a [FailedRegion],
    unchecked: &'a [Unchecked],
}

/// `templates`: the catalogue with each application's ARN in the partition.
#[derive(Debug)]
pub(crate) struct TemplatesReport {
    pub(crate) partition: &'static str,
    pub(crate) templates: Vec<(&'static RotationTemplate, String)>,
}

/// One element of `templates -o json`: the template and `ApplicationId`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TemplateJson<'a> {
    #[serde(flatten)]
    pub(crate) template: &'a RotationTemplate,
    pub(crate) application_id: &'a str,
}

/// `schedule`: `{"Name", "ARN", "Changed", "RotationRules", "DryRun", "Status"}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ScheduleReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    /// Whether the rules changed (or, in a dry run, would).
    pub(crate) changed: bool,
    /// The rules asked for.
    pub(crate) rotation_rules: super::RotationRules,
    pub(crate) dry_run: bool,
    pub(crate) status: SecretStatus,
}

/// `why`: `{"Name", "ARN", "VersionId", "Step", "Class", "Message", "Evidence": [...], "Fix"}`;
/// `Class`, `Message` and `Fix` are null while no source says anything yet.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WhyReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) version_id: String,
    pub(crate) step: Option<String>,
    pub(crate) class: Option<crate::diagnosis::Class>,
    pub(crate) message: Option<String>,
    /// Each source that said something: the function's log, CloudTrail.
    pub(crate) evidence: Vec<Failure>,
    pub(crate) fix: Option<String>,
    /// What each source had (or not yet), in words; stderr.
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

/// `history`: `{"Name", "ARN", "Days", "CurrentVersionId",
/// "CurrentVersionCreatedDate", "CurrentValueAgeDays", "LastRotatedDate", "Events": [...]}`.
/// The current value's age is its version's CreatedDate: LastRotatedDate
/// changes on other edits and not on a value put outside rotation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HistoryReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) days: i64,
    pub(crate) current_version_id: Option<String>,
    pub(crate) current_version_created_date: Option<Timestamp>,
    pub(crate) current_value_age_days: Option<i64>,
    pub(crate) last_rotated_date: Option<Timestamp>,
    pub(crate) events: Vec<crate::history::Event>,
    /// What each source had, in words; stderr.
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

/// `doctor`: `{"Name", "ARN", "Checks": [{"Check", "Result", "Detail", "Fix"}]}`; exit 3 when a check fails.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DoctorReport {
    pub(crate) name: String,
    #[serde(rename = "ARN")]
    pub(crate) arn: String,
    pub(crate) checks: Vec<crate::doctor::Check>,
    /// What was not checked, and why; stderr.
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

impl DoctorReport {
    pub(crate) fn exit(&self) -> Exit {
        if self.checks.iter().any(|c| c.result == crate::doctor::Judgement::Fail) {
            Exit::Findings
        } else {
            Exit::Success
        }
    }
}
