//! The only code that writes stdout: each command's result as JSON (AWS
//! field names) or as a table for people.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{Table, presets};
use jiff::Timestamp;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::commands::audit::AuditReport;
use crate::commands::disable::DisableReport;
use crate::commands::enable::EnableReport;
use crate::commands::rollback::RollbackReport;
use crate::commands::rotate_now::{self, RotateReport};
use crate::commands::status::StatusReport;
use crate::commands::templates::TemplatesReport;
use crate::context::Context;
use crate::exit::Exit;
use crate::model::{RotationState, SecretStatus};
use crate::rotation::{age, describe_rules};

/// What a command produced.
// One value per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Outcome {
    Status(StatusReport),
    Enable(EnableReport),
    RotateNow(RotateReport),
    Rollback(RollbackReport),
    Disable(DisableReport),
    Audit(AuditReport),
    Templates(TemplatesReport),
    /// Generated text printed as it is (completions, the man page).
    Text(String),
}

impl Outcome {
    pub fn exit(&self) -> Exit {
        match self {
            Outcome::Status(report) => report.exit(),
            Outcome::Enable(report) => report.exit(),
            Outcome::RotateNow(report) => report.exit(),
            Outcome::Audit(report) => report.exit(),
            Outcome::Rollback(_) | Outcome::Disable(_) | Outcome::Templates(_) | Outcome::Text(_) => Exit::Success,
        }
    }

    /// Notes for the operator, printed on stderr.
    pub fn notes(&self) -> Vec<String> {
        match self {
            Outcome::Status(report) => report.notes.clone(),
            Outcome::Enable(report) => report.notes.clone(),
            Outcome::RotateNow(report) => report.notes.clone(),
            Outcome::Rollback(report) => report.notes.clone(),
            Outcome::Audit(report) => report.notes(),
            Outcome::Disable(_) | Outcome::Templates(_) | Outcome::Text(_) => Vec::new(),
        }
    }
}

/// Progress for people: stderr lines while a long step runs, only when
/// stderr is a terminal (or with -v); silent for scripts. It also knows what
/// keeps running in AWS while rotctl waits, for the message on Ctrl-C.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    running_in_aws: RefCell<Vec<String>>,
}

impl Progress {
    pub fn new(ctx: &Context) -> Progress {
        Progress { enabled: ctx.progress || ctx.verbosity > 0, running_in_aws: RefCell::default() }
    }

    /// No progress at all (tests, library callers).
    pub fn quiet() -> Progress {
        Progress { enabled: false, running_in_aws: RefCell::default() }
    }

    /// Records, until the guard drops, that `what` (a sentence naming the
    /// work and how to check on it) goes on in AWS if rotctl stops waiting.
    pub fn running_in_aws(&self, what: String) -> RunningInAws<'_> {
        self.running_in_aws.borrow_mut().push(what);
        RunningInAws { progress: self }
    }

    /// What goes on in AWS right now, innermost last.
    pub fn still_running(&self) -> Vec<String> {
        self.running_in_aws.borrow().clone()
    }

    pub fn say(&self, message: &str) {
        if self.enabled {
            eprintln!("rotctl: {message}");
        }
    }
}

/// Forgets one `Progress::running_in_aws` entry when the wait it covers ends.
#[derive(Debug)]
pub struct RunningInAws<'a> {
    progress: &'a Progress,
}

impl Drop for RunningInAws<'_> {
    fn drop(&mut self) {
        self.progress.running_in_aws.borrow_mut().pop();
    }
}

/// Writes the outcome to stdout. A closed pipe (`rotctl … | head`) is not an error.
pub fn emit(ctx: &Context, outcome: &Outcome) -> io::Result<()> {
    let text = match outcome {
        Outcome::Text(text) => text.clone(),
        Outcome::Status(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(&report.secrets)?,
            OutputFormat::Table => status_table(ctx, &report.secrets),
        },
        Outcome::Enable(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(&EnableJson {
                plan: &report.plan,
                status: &report.status,
                dry_run: report.dry_run,
                version_id: report.rotation.as_ref().map(|(v, _, _)| v.as_str()),
                outcome: report.rotation.as_ref().map(|(_, o, _)| *o),
            })?,
            OutputFormat::Table => enable_table(ctx, report),
        },
        Outcome::RotateNow(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => rotate_table(ctx, report),
        },
        Outcome::Rollback(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => rollback_table(ctx, report),
        },
        Outcome::Disable(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => disable_table(ctx, report),
        },
        Outcome::Audit(report) => match ctx.output {
            OutputFormat::Json => json(&audit_json(report))?,
            OutputFormat::Sarif => json(&crate::sarif::render(report))?,
            OutputFormat::Table => audit_table(ctx, report),
        },
        Outcome::Templates(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(&templates_json(report))?,
            OutputFormat::Table => templates_table(report),
        },
    };
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `{"Findings": [...], "Summary": {...}}`.
fn audit_json(report: &AuditReport) -> serde_json::Value {
    serde_json::json!({
        "Findings": report.findings,
        "Summary": {
            "Secrets": report.secrets_read,
            "Regions": report.regions,
            "High": report.count(crate::audit::Severity::High),
            "Medium": report.count(crate::audit::Severity::Medium),
            "Low": report.count(crate::audit::Severity::Low),
            "FailOn": format!("{:?}", report.fail_on).to_lowercase(),
            "Skipped": report.skipped,
            "FailedRegions": report.failed_regions,
            "Unchecked": report.unchecked,
        },
    })
}

fn audit_table(ctx: &Context, report: &AuditReport) -> String {
    use crate::audit::Severity;
    let mut out = String::new();
    for severity in [Severity::High, Severity::Medium, Severity::Low] {
        let findings: Vec<_> = report.findings.iter().filter(|f| f.severity == severity).collect();
        if findings.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), findings.len());
        let heading = if ctx.color_stdout {
            let code = match severity {
                Severity::High => "1;31",
                Severity::Medium => "33",
                Severity::Low => "2",
            };
            format!("\x1b[{code}m{heading}\x1b[0m")
        } else {
            heading
        };
        let _ = writeln!(out, "{heading}");
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        table.set_header(["SECRET", "REGION", "RULE", "FINDING"]);
        for finding in findings {
            table.add_row([
                finding.secret.as_str(),
                finding.region.as_str(),
                finding.rule.id(),
                finding.message.as_str(),
            ]);
        }
        if let Some(first) = table.column_mut(0) {
            first.set_padding((2, 1));
        }
        for line in table.to_string().lines() {
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push('\n');
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(out, "NOT JUDGED ({})", report.skipped.len());
        for skipped in &report.skipped {
            let _ = writeln!(out, "  {} ({}): {}", skipped.secret, skipped.region, skipped.reason);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} secret{} in {} ({}): {} high, {} medium, {} low{}",
        report.secrets_read,
        if report.secrets_read == 1 { "" } else { "s" },
        if report.regions.len() == 1 { "1 region".to_string() } else { format!("{} regions", report.regions.len()) },
        report.regions.join(", "),
        report.count(Severity::High),
        report.count(Severity::Medium),
        report.count(Severity::Low),
        if report.failed_regions.is_empty() {
            String::new()
        } else {
            format!("; {} region(s) not audited", report.failed_regions.len())
        }
    );
    out
}

fn json<T: serde::Serialize>(value: &T) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// `enable -o json`: `{"Plan": [...], "Status": {...}, "DryRun": false}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EnableJson<'a> {
    plan: &'a [crate::model::PlannedStep],
    status: &'a SecretStatus,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<rotate_now::Outcome>,
}

fn outcome_word(outcome: rotate_now::Outcome) -> &'static str {
    match outcome {
        rotate_now::Outcome::Started => "started",
        rotate_now::Outcome::Succeeded => "succeeded",
        rotate_now::Outcome::Failed => "failed",
        rotate_now::Outcome::TimedOut => "timed out",
    }
}

fn rotate_table(ctx: &Context, report: &RotateReport) -> String {
    let mut out =
        format!("Rotation of {}: {} (version {})\n", report.name, outcome_word(report.outcome), report.version_id);
    if let Some(failure) = &report.failure {
        let _ = writeln!(out, "  failed at      {}", failure.step.as_deref().unwrap_or("an unknown step"));
        let _ = writeln!(out, "  error          {}", failure.message);
        if let Some(group) = &failure.log_group {
            let _ = writeln!(out, "  function log   {group}");
        }
    }
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
}

fn rollback_table(ctx: &Context, report: &RollbackReport) -> String {
    let mut out = if report.already_done {
        format!(
            "Nothing to do: AWSCURRENT of {} already moved from {} to {} (--expect-current)\n",
            report.name, report.from, report.to
        )
    } else {
        let verb = if report.dry_run { "Would move" } else { "Moved" };
        let tail = if report.dry_run { " (dry run: nothing was changed)" } else { "" };
        format!("{verb} AWSCURRENT of {} from {} to {}{tail}\n", report.name, report.from, report.to)
    };
    let _ = writeln!(out, "\nBefore:");
    for (id, stages) in &report.before.secret.version_ids_to_stages {
        let _ = writeln!(out, "  {id}  {}", stages.join(", "));
    }
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
}

fn disable_table(ctx: &Context, report: &DisableReport) -> String {
    let mut out = if report.nothing_to_do() {
        format!("Nothing to do: rotation of {} is already off and nothing is pending.\n", report.name)
    } else {
        let mut done = Vec::new();
        if report.cancelled {
            done.push("turn rotation off".to_string());
        }
        if let Some(version) = &report.cleared_pending_version {
            done.push(format!("remove AWSPENDING from version {version}"));
        }
        let lead = if report.dry_run { "Would" } else { "Did" };
        let tail = if report.dry_run { " (dry run: nothing was changed)" } else { "" };
        format!("{lead} {} for {}{tail}\n", done.join(" and "), report.name)
    };
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
}

fn enable_table(ctx: &Context, report: &EnableReport) -> String {
    let name = &report.status.secret.name;
    let mut out = String::new();
    let heading = if report.dry_run {
        format!("Plan for {name} (dry run: nothing was changed)")
    } else {
        format!("Enable rotation of {name}")
    };
    let _ = writeln!(out, "{heading}");
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table.set_header(["STEP", "ACTION", "DETAIL"]);
    for step in &report.plan {
        table.add_row([step.step.as_str(), step.action.as_str(), step.detail.as_str()]);
    }
    if let Some(first) = table.column_mut(0) {
        first.set_padding((2, 1));
    }
    for line in table.to_string().lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if report.nothing_to_do() {
        let _ = writeln!(out, "\nNothing to do: rotation of {name} is already set up this way.");
    }
    if let Some((version, outcome, _)) = &report.rotation {
        let _ = writeln!(out, "\nFirst rotation: {} (version {version})", outcome_word(*outcome));
    }
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TemplateJson<'a> {
    #[serde(flatten)]
    template: &'a crate::templates::RotationTemplate,
    application_id: &'a str,
}

fn templates_json(report: &TemplatesReport) -> Vec<TemplateJson<'_>> {
    report.templates.iter().map(|(template, arn)| TemplateJson { template, application_id: arn }).collect()
}

fn templates_table(report: &TemplatesReport) -> String {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table.set_header(["TEMPLATE", "ENGINE", "STRATEGY", "VERSION", "SECRET KEYS", "APPLICATION"]);
    for (template, _) in &report.templates {
        table.add_row([
            template.short_name,
            template.engine,
            match template.strategy {
                crate::templates::Strategy::SingleUser => "single user",
                crate::templates::Strategy::AlternatingUsers => "alternating users",
                crate::templates::Strategy::Custom => "your own code",
            },
            template.semantic_version.unwrap_or("(pass --template-version)"),
            &template.required_keys.join(","),
            template.name,
        ]);
    }
    let mut out: String = table.to_string().lines().map(|l| format!("{}\n", l.trim_end())).collect();
    let _ = writeln!(
        out,
        "\nApplications are published in the {} partition as {}",
        report.partition,
        report.templates.first().map(|(_, arn)| arn.rsplit_once('/').map_or("", |(base, _)| base)).unwrap_or_default()
    );
    out
}

fn status_table(ctx: &Context, secrets: &[SecretStatus]) -> String {
    if secrets.is_empty() {
        return "No secrets.\n".to_string();
    }
    let blocks: Vec<String> = secrets.iter().map(|status| secret_block(ctx, status)).collect();
    let mut out = blocks.join("\n");
    if secrets.len() > 1 {
        let _ = writeln!(out, "\n{}", summary(secrets));
    }
    out
}

/// "5 secrets: 1 healthy, 1 stuck, ..." in the order states are decided.
fn summary(secrets: &[SecretStatus]) -> String {
    let mut counts: Vec<(RotationState, usize)> = Vec::new();
    for status in secrets {
        match counts.iter_mut().find(|(state, _)| *state == status.rotation_state) {
            Some((_, count)) => *count += 1,
            None => counts.push((status.rotation_state, 1)),
        }
    }
    counts.sort();
    let parts: Vec<String> = counts.iter().map(|(state, n)| format!("{n} {}", state.as_str())).collect();
    format!("{} secrets: {}", secrets.len(), parts.join(", "))
}

fn secret_block(ctx: &Context, status: &SecretStatus) -> String {
    let secret = &status.secret;
    let state = paint(ctx, status.rotation_state);
    let mut out = String::new();
    let _ = writeln!(out, "{}  {state}", secret.name);
    let mut field = |label: &str, value: String| {
        let _ = writeln!(out, "  {label:<15}{value}");
    };
    field("ARN", secret.arn.clone());
    field("State", format!("{}: {}", status.rotation_state.as_str(), status.reason));
    field(
        "Rotation",
        match secret.rotation_enabled {
            Some(true) => "enabled".into(),
            Some(false) => "disabled".into(),
            None => "never configured".into(),
        },
    );
    if let Some(function) = &secret.rotation_lambda_arn {
        field("Function", function.clone());
    } else if let Some(service) = &secret.owning_service {
        field("Managed by", service.clone());
    }
    if let Some(rules) = &secret.rotation_rules {
        field("Schedule", describe_rules(rules));
    }
    field("Last rotated", when(ctx.now, secret.last_rotated_date, "never"));
    if secret.rotation_enabled == Some(true) {
        field("Next rotation", when(ctx.now, secret.next_rotation_date, "not scheduled"));
    }
    field("Last accessed", day(ctx.now, secret.last_accessed_date));
    out.push('\n');

    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    // Listings read version dates only where the state needs them.
    let dated = !secret.versions.is_empty();
    table.set_header(if dated { vec!["VERSION ID", "STAGES", "CREATED"] } else { vec!["VERSION ID", "STAGES"] });
    for (id, stages) in &secret.version_ids_to_stages {
        let mut row = vec![id.clone(), stages.join(", ")];
        if dated {
            row.push(secret.version_created(id).map_or_else(|| "-".to_string(), |t| t.to_string()));
        }
        table.add_row(row);
    }
    if secret.version_ids_to_stages.is_empty() {
        table.add_row(["(no labelled versions)", "", ""]);
    }
    if let Some(first) = table.column_mut(0) {
        first.set_padding((2, 1));
    }
    for line in table.to_string().lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

fn when(now: Timestamp, date: Option<Timestamp>, absent: &str) -> String {
    match date {
        None => absent.to_string(),
        Some(date) if date <= now => format!("{date} ({} ago)", age(now.duration_since(date))),
        Some(date) => format!("{date} (in {})", age(date.duration_since(now))),
    }
}

/// LastAccessedDate is kept to the day: show the day, not a midnight time.
fn day(now: Timestamp, date: Option<Timestamp>) -> String {
    let Some(date) = date else { return "never".to_string() };
    let days = now.duration_since(date).as_secs().div_euclid(86_400);
    let ago = match days {
        ..=0 => "today".to_string(),
        1 => "yesterday".to_string(),
        n => format!("{n} days ago"),
    };
    format!("{} ({ago})", date.strftime("%Y-%m-%d"))
}

fn paint(ctx: &Context, state: RotationState) -> String {
    let label = format!("[{}]", state.as_str());
    if !ctx.color_stdout {
        return label;
    }
    let code = match state {
        RotationState::Healthy => "32",
        RotationState::InProgress => "36",
        RotationState::Overdue | RotationState::Disabled => "33",
        RotationState::Stuck => "1;31",
        RotationState::NotConfigured => "2",
    };
    format!("\x1b[{code}m{label}\x1b[0m")
}
