//! The only code that writes stdout: each command's result as JSON (AWS
//! field names) or as a table for people.

use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{Table, presets};
use jiff::Timestamp;

use crate::audit::{Finding, Severity};
use crate::cli::OutputFormat;
use crate::context::Context;
use crate::model::{
    AuditReport, DisableReport, DoctorReport, EnableReport, HistoryReport, Report, RollbackReport, RotateReport,
    RotationState, ScheduleReport, SecretStatus, TemplateJson, TemplatesReport, WhyReport,
};
use crate::rotation::{age, describe_rules};

/// Writes the report to stdout. A closed pipe (`rotctl … | head`) is not an error.
pub(crate) fn emit(ctx: &Context, report: &Report) -> io::Result<()> {
    let text = render(ctx, report)?;
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The report as the text stdout gets: JSON (SARIF for the audit) or a table.
pub(crate) fn render(ctx: &Context, outcome: &Report) -> io::Result<String> {
    Ok(match outcome {
        Report::Text(text) => text.clone(),
        Report::Status(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(&report.secrets)?,
            OutputFormat::Table => status_table(ctx, &report.secrets),
        },
        Report::Enable(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => enable_table(ctx, report),
        },
        Report::RotateNow(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => rotate_table(ctx, report),
        },
        Report::Rollback(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => rollback_table(ctx, report),
        },
        Report::Disable(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => disable_table(ctx, report),
        },
        Report::Schedule(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => schedule_table(ctx, report),
        },
        Report::Why(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => why_table(report),
        },
        Report::History(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => history_table(ctx, report),
        },
        Report::Doctor(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(report)?,
            OutputFormat::Table => doctor_table(report),
        },
        Report::Audit(report) => match ctx.output {
            OutputFormat::Json => json(&report.json())?,
            OutputFormat::Sarif => json(&crate::sarif::render(report))?,
            OutputFormat::Table => audit_table(ctx, report),
        },
        Report::Templates(report) => match ctx.output {
            OutputFormat::Json | OutputFormat::Sarif => json(&templates_json(report))?,
            OutputFormat::Table => templates_table(report),
        },
    })
}

fn audit_table(ctx: &Context, report: &AuditReport) -> String {
    let mut out = String::new();
    if report.accounts.is_some() {
        // Across accounts: each account's findings under its own heading.
        let mut accounts: Vec<&str> = report.findings.iter().filter_map(|f| f.account.as_deref()).collect();
        accounts.dedup();
        for account in accounts {
            let findings: Vec<&Finding> =
                report.findings.iter().filter(|f| f.account.as_deref() == Some(account)).collect();
            let _ = writeln!(
                out,
                "ACCOUNT {account} ({} finding{})",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            );
            severity_tables(ctx, &findings, &mut out);
        }
    } else {
        severity_tables(ctx, &report.findings.iter().collect::<Vec<_>>(), &mut out);
    }
    managed_table(report, &mut out);
    if !report.skipped.is_empty() {
        let _ = writeln!(out, "NOT JUDGED ({})", report.skipped.len());
        for skipped in &report.skipped {
            let account = skipped.account.as_deref().map(|a| format!("{a} ")).unwrap_or_default();
            let _ = writeln!(out, "  {} ({account}{}): {}", skipped.secret, skipped.region, skipped.reason);
        }
        out.push('\n');
    }
    if !report.access_errors.is_empty() {
        let _ = writeln!(out, "NOT READ ({}: access errors, not findings)", report.access_errors.len());
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        table.set_header(["ACCOUNT", "REGION", "STAGE", "ERROR"]);
        for error in &report.access_errors {
            table.add_row([
                error.account.as_str(),
                error.region.as_deref().unwrap_or("-"),
                error.stage,
                error.error.as_str(),
            ]);
        }
        push_indented(&mut out, &mut table);
        out.push('\n');
    }
    if let Some(accounts) = &report.accounts {
        let _ = write!(
            out,
            "{} of {} account{} read ({} skipped), {} account-region{} read ({} left out): ",
            accounts.read,
            accounts.listed,
            if accounts.listed == 1 { "" } else { "s" },
            accounts.skipped,
            accounts.regions_read,
            if accounts.regions_read == 1 { "" } else { "s" },
            accounts.regions_skipped.len(),
        );
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

/// The MANAGED section: secrets their owners rotate, with what the owners say.
fn managed_table(report: &AuditReport, out: &mut String) {
    if report.managed.is_empty() {
        return;
    }
    let _ = writeln!(out, "MANAGED ({}: rotated by their owners, judged by the managed rules)", report.managed.len());
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table.set_header(["SECRET", "REGION", "OWNER", "OWNER SAYS", "ROTATION", "SCHEDULE"]);
    for managed in &report.managed {
        // `arn:aws:rds:<region>:<account>:db:orders` → `rds db:orders`
        let owner = match managed.owner.resource.as_deref().and_then(|r| r.splitn(6, ':').nth(5)) {
            Some(resource) => format!("{} {resource}", managed.owner.service),
            None => managed.owner.service.clone(),
        };
        let schedule = match (&managed.rotation_rules, managed.default_schedule) {
            (Some(rules), Some(default)) => format!("{} (default {default})", describe_rules(rules)),
            (Some(rules), None) => describe_rules(rules),
            (None, Some(default)) => format!("(default {default})"),
            (None, None) => "-".to_string(),
        };
        table.add_row([
            managed.secret.clone(),
            match &managed.account {
                Some(account) => format!("{account} {}", managed.region),
                None => managed.region.clone(),
            },
            owner,
            managed.owner.secret_status.clone().unwrap_or_else(|| "-".to_string()),
            if managed.rotation_enabled == Some(true) { "on" } else { "off" }.to_string(),
            schedule,
        ]);
    }
    push_indented(out, &mut table);
    out.push('\n');
}

/// Findings by severity, highest first, one table each.
fn severity_tables(ctx: &Context, findings: &[&Finding], out: &mut String) {
    for severity in [Severity::High, Severity::Medium, Severity::Low] {
        let findings: Vec<_> = findings.iter().filter(|f| f.severity == severity).collect();
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
        push_indented(out, &mut table);
        out.push('\n');
    }
}

/// A table under a heading: indented by two, no trailing spaces.
fn push_indented(out: &mut String, table: &mut Table) {
    if let Some(first) = table.column_mut(0) {
        first.set_padding((2, 1));
    }
    for line in table.to_string().lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn json<T: serde::Serialize>(value: &T) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn rotate_table(ctx: &Context, report: &RotateReport) -> String {
    let version = report.version_id.as_deref().map(|v| format!(" (version {v})")).unwrap_or_default();
    let mut out = format!("Rotation of {}: {}{version}\n", report.name, report.outcome.as_str());
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
    let _ = writeln!(out, "Strategy: {} ({})", report.strategy.as_str(), report.strategy_source);
    let _ = writeln!(out, "\nBefore:");
    for (id, stages) in &report.before.secret.version_ids_to_stages {
        let _ = writeln!(out, "  {id}  {}", stages.join(", "));
    }
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
}

fn why_table(report: &WhyReport) -> String {
    let mut out = format!("Why the rotation of {} (version {}) failed\n", report.name, report.version_id);
    let mut field = |label: &str, value: &str| {
        let _ = writeln!(out, "  {label:<9}{value}");
    };
    match report.class {
        Some(class) => field("Class", &format!("{}: {}", class.as_str(), class.meaning())),
        None => field("Class", "unknown: no source says anything yet"),
    }
    if let Some(step) = &report.step {
        field("Step", step);
    }
    if let Some(message) = &report.message {
        field("Error", message);
    }
    if let Some(fix) = &report.fix {
        field("Fix", fix);
    }
    for evidence in &report.evidence {
        let source = match evidence.source {
            crate::model::FailureSource::FunctionLog => {
                format!("the function's log {}", evidence.log_group.as_deref().unwrap_or_default())
            }
            crate::model::FailureSource::Cloudtrail => "CloudTrail".to_string(),
            crate::model::FailureSource::SecretVersions => "the version's labels".to_string(),
            crate::model::FailureSource::Owner => "the owning service".to_string(),
        };
        field("Source", &source);
    }
    out
}

fn history_table(ctx: &Context, report: &HistoryReport) -> String {
    let mut out = format!("History of {} (the last {} days)\n", report.name, report.days);
    match (&report.current_version_id, report.current_version_created_date) {
        (Some(id), Some(created)) => {
            let _ = writeln!(out, "  Current value: version {id}, made {}", when(ctx.now, Some(created), "never"));
        }
        (Some(id), None) => {
            let _ = writeln!(out, "  Current value: version {id}");
        }
        _ => out.push_str("  Current value: none (no version holds AWSCURRENT)\n"),
    }
    let _ = writeln!(out, "  Last rotated:  {}", when_past(ctx.now, report.last_rotated_date, "never"));
    if report.events.is_empty() {
        let _ = writeln!(out, "\nNothing happened in the last {} days.", report.days);
        return out;
    }
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table.set_header(["TIME", "KIND", "VERSION", "DETAIL"]);
    for event in &report.events {
        table.add_row([
            event.time.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            event.kind.as_str().to_string(),
            event.version_id.clone().unwrap_or_else(|| "-".to_string()),
            event.detail.clone(),
        ]);
    }
    out.push('\n');
    push_indented(&mut out, &mut table);
    out
}

fn doctor_table(report: &DoctorReport) -> String {
    let failed = report.checks.iter().filter(|c| c.result == crate::doctor::Judgement::Fail).count();
    let warned = report.checks.iter().filter(|c| c.result == crate::doctor::Judgement::Warn).count();
    let mut out = format!("Doctor for {}: ", report.name);
    let _ = match (failed, warned) {
        (0, 0) => writeln!(out, "everything a rotation needs is in place"),
        (0, w) => writeln!(out, "a rotation should work; {w} warning(s)"),
        (f, _) => writeln!(out, "{f} check(s) failed: the next rotation will fail"),
    };
    push_checks(&mut out, &report.checks);
    out
}

/// doctor's checks, one line each, the fix under a check that is not ok.
fn push_checks(out: &mut String, checks: &[crate::doctor::Check]) {
    for check in checks {
        let _ = writeln!(out, "  {:<5}{:<19}{}", check.result.as_str(), check.name, check.detail);
        if let Some(fix) = check.fix.as_deref().filter(|_| check.result != crate::doctor::Judgement::Ok) {
            let _ = writeln!(out, "  {:<24}fix: {fix}", "");
        }
    }
}

fn schedule_table(ctx: &Context, report: &ScheduleReport) -> String {
    let rules = describe_rules(&report.rotation_rules);
    let lead = match (report.changed, report.dry_run) {
        (false, _) => format!("Nothing to do: {} already rotates {rules}.", report.name),
        (true, true) => format!("Would set the schedule of {} to {rules} (dry run: nothing was changed).", report.name),
        (true, false) => format!("Set the schedule of {} to {rules}, without rotating now.", report.name),
    };
    format!("{lead}\n\n{}", secret_block(ctx, &report.status))
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
    if !report.checks.is_empty() {
        let _ = writeln!(out, "\nChecks (rotctl doctor's, of the function)");
        push_checks(&mut out, &report.checks);
    }
    if report.nothing_to_do() {
        let _ = writeln!(out, "\nNothing to do: rotation of {name} is already set up this way.");
    }
    if let Some(crate::model::Rotation { version_id: version, outcome, .. }) = &report.rotation {
        let _ = writeln!(out, "\nFirst rotation: {} (version {version})", outcome.as_str());
    }
    let _ = write!(out, "\n{}", secret_block(ctx, &report.status));
    out
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
    let mut out = String::new();
    for line in table.to_string().lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
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
    }
    if let Some(owner) = &status.owner {
        let mut managed = crate::owner::display(&owner.service);
        if let Some(resource) = &owner.resource {
            let _ = write!(managed, " ({resource})");
        }
        if let Some(secret_status) = &owner.secret_status {
            let _ = write!(managed, ", SecretStatus {secret_status}");
        }
        field("Managed by", managed);
    }
    if let Some(rules) = &secret.rotation_rules {
        let mut schedule = describe_rules(rules);
        if let Some(default) = status.owner.as_ref().and_then(|o| crate::owner::default_schedule(&o.service)) {
            let _ = write!(schedule, " (the owner's default: {default})");
        }
        field("Schedule", schedule);
    }
    if let Some(primary) = &secret.primary_region {
        field("Replica of", format!("the secret in {primary} (changes are made there)"));
    }
    if !secret.replication_status.is_empty() {
        let replicas: Vec<String> = secret
            .replication_status
            .iter()
            .map(|r| {
                let status = r.status.as_deref().unwrap_or("unknown");
                match &r.status_message {
                    Some(message) if status != "InSync" => format!("{} {status} ({message})", r.region),
                    _ => format!("{} {status}", r.region),
                }
            })
            .collect();
        field("Replicas", replicas.join(", "));
    }
    field("Last rotated", when_past(ctx.now, secret.last_rotated_date, "never"));
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

/// A date that is in the past by nature (a rotation that happened): when the
/// service's clock runs a little ahead of this machine's, it is "just now",
/// never "in 1s".
fn when_past(now: Timestamp, date: Option<Timestamp>, absent: &str) -> String {
    match date {
        Some(date) if date > now => format!("{date} (just now)"),
        date => when(now, date, absent),
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
        RotationState::Stuck | RotationState::Failed | RotationState::Impaired => "1;31",
        RotationState::NotConfigured => "2",
    };
    format!("\x1b[{code}m{label}\x1b[0m")
}

#[cfg(test)]
mod tests;
