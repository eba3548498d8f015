//! `rotctl audit` across accounts: the accounts from `--accounts` (or a file)
//! or from AWS Organizations (`--org`, `--ou`), one AssumeRole of
//! `--role-name` each (the caller's own account read with its own
//! credentials), `--max-accounts` accounts at a time, each read as a
//! single-account audit is. What cannot be read (a role, a region, a lookup)
//! is an access error, never a finding, and never stops the other accounts.

use futures_util::{StreamExt, stream};

use super::{AuditArgs, Regions, audit_account, merge};
use crate::audit::Options;
use crate::aws::Clients;
use crate::aws::accounts::{self as aws_accounts, Role};
use crate::env::Env;
use crate::error::{Error, Result, shown};
use crate::model::{AccessError, AccountsSummary, AuditReport, SkippedRegion};

/// Accounts read at once unless `--max-accounts` says otherwise (see
/// docs/performance.md for the measurements behind it).
pub(crate) const DEFAULT_MAX_ACCOUNTS: usize = 20;

/// Where the accounts come from, and how to read them. Validated.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    source: Source,
    exclude: Vec<String>,
    role_name: String,
    external_id: Option<String>,
    max_accounts: usize,
}

#[derive(Debug, Clone)]
enum Source {
    Listed(Vec<String>),
    Organization { unit: Option<String> },
}

/// The scope of an audit across accounts, or None for one account. Every
/// option is checked here, before any call (exit 2 names the fix).
pub(crate) fn scope(args: &AuditArgs) -> Result<Option<Scope>> {
    let across = args.org || !args.accounts.is_empty();
    if !across {
        for (given, option) in [
            (args.role_name.is_some(), "--role-name"),
            (!args.exclude_accounts.is_empty(), "--exclude-accounts"),
            (args.max_accounts != DEFAULT_MAX_ACCOUNTS, "--max-accounts"),
        ] {
            if given {
                return Err(Error::usage(
                    option,
                    "it applies to an audit across accounts",
                    "add --accounts ID,... or --org, or leave it out",
                ));
            }
        }
        return Ok(None);
    }
    let source = if args.org {
        if let Some(unit) = &args.ou {
            check_unit(unit)?;
        }
        Source::Organization { unit: args.ou.clone() }
    } else {
        let listed = account_ids("--accounts", &args.accounts)?;
        if listed.is_empty() {
            return Err(Error::usage("--accounts", "no account id was given", "list 12-digit ids, or @FILE"));
        }
        Source::Listed(listed)
    };
    let role_name = args.role_name.clone().ok_or_else(|| {
        Error::usage(
            if args.org { "--org" } else { "--accounts" },
            "no role to assume in the other accounts",
            "add --role-name NAME (a role each account lets the caller assume, e.g. OrganizationAccountAccessRole)",
        )
    })?;
    let role_chars = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if role_name.is_empty() || role_name.len() > 64 || !role_name.chars().all(role_chars) {
        return Err(Error::usage(
            format!("--role-name {}", shown(&role_name)),
            "not an IAM role name",
            "use 1-64 letters, digits and +=,.@_-",
        ));
    }
    if let Some(id) = &args.external_id {
        let id_chars = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
        if id.len() < 2 || id.len() > 1224 || !id.chars().all(id_chars) {
            return Err(Error::usage(
                format!("--external-id {}", shown(id)),
                "not an external id",
                "use 2-1224 letters, digits and +=,.@:/_-",
            ));
        }
    }
    if !(1..=100).contains(&args.max_accounts) {
        return Err(Error::usage(format!("--max-accounts {}", args.max_accounts), "out of range", "use 1 to 100"));
    }
    Ok(Some(Scope {
        source,
        exclude: account_ids("--exclude-accounts", &args.exclude_accounts)?,
        role_name,
        external_id: args.external_id.clone(),
        max_accounts: args.max_accounts,
    }))
}

/// Account ids from the command line: each a 12-digit id, or @FILE holding
/// ids separated by lines, spaces or commas (`#` starts a comment).
fn account_ids(option: &str, given: &[String]) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for item in given {
        let item = item.trim();
        if let Some(path) = item.strip_prefix('@') {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(
                    format!("{option} @{path}"),
                    format!("the file cannot be read ({e})"),
                    "name a readable file",
                )
            })?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or_default();
                for id in line.split(|c: char| c == ',' || c.is_whitespace()).filter(|id| !id.is_empty()) {
                    ids.push(check_account(option, id)?);
                }
            }
        } else if !item.is_empty() {
            ids.push(check_account(option, item)?);
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn check_account(option: &str, id: &str) -> Result<String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(Error::usage(format!("{option} {}", shown(id)), "not an AWS account id", "use 12-digit account ids"))
    }
}

fn check_unit(unit: &str) -> Result<()> {
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let valid = match unit.split('-').collect::<Vec<_>>()[..] {
        ["r", root] => lower(root),
        ["ou", root, unit] => lower(root) && lower(unit),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(Error::usage(
            format!("--ou {}", shown(unit)),
            "not an organizational unit id",
            "use the unit's id (ou-xxxx-yyyyyyyy) or the root's (r-xxxx)",
        ))
    }
}

/// Audits every account of the scope into `report`.
pub(crate) async fn run(
    env: &Env,
    clients: &Clients,
    scope: &Scope,
    regions: &Regions,
    options: &Options,
    report: &mut AuditReport,
) -> Result<()> {
    let (now, progress) = (env.ctx.now, &env.progress);
    let (caller, partition) = aws_accounts::caller(clients).await?;
    let mut listed = match &scope.source {
        Source::Listed(ids) => ids.clone(),
        Source::Organization { unit } => {
            aws_accounts::organization(clients, unit.as_deref()).await?.into_iter().map(|a| a.id).collect()
        }
    };
    listed.retain(|id| !scope.exclude.contains(id));
    listed.sort();
    listed.dedup();
    if listed.is_empty() {
        // An audit of nothing must not pass as a clean one.
        return Err(Error::usage(
            match &scope.source {
                Source::Listed(_) => "--accounts".to_string(),
                Source::Organization { unit: Some(unit) } => format!("--ou {unit}"),
                Source::Organization { unit: None } => "--org".to_string(),
            },
            "no account is left to audit",
            "check the unit and --exclude-accounts",
        ));
    }
    let role = Role {
        name: scope.role_name.clone(),
        partition,
        external_id: scope.external_id.clone(),
        session: format!("rotctl-audit-{}", now.as_second()),
    };
    let total = listed.len();
    report.accounts = Some(AccountsSummary { listed: total, ..AccountsSummary::default() });
    progress.say(&format!("auditing {total} accounts, {} at a time", scope.max_accounts));
    let waiting = progress.waiting(format!("accounts audited: 0 of {total}"));
    let mut done = 0;
    let mut audits = stream::iter(listed)
        .map(|account| {
            let (role, caller) = (&role, &caller);
            async move {
                // The caller's own account is read with the caller's own credentials.
                let assumed = if account == *caller {
                    Ok(clients.clone())
                } else {
                    aws_accounts::assume(clients, &account, role).await
                };
                let audit = match assumed {
                    Ok(clients) => {
                        audit_account(&clients, regions, options, now, progress).await.map_err(|e| ("list-regions", e))
                    }
                    Err(error) => Err(("assume-role", error)),
                };
                (account, audit)
            }
        })
        .buffer_unordered(scope.max_accounts);
    while let Some((account, audit)) = audits.next().await {
        done += 1;
        waiting.set(format!("accounts audited: {done} of {total}"));
        let summary = report.accounts.as_mut().expect("set above");
        match audit {
            Ok(audit) => {
                summary.read += 1;
                merge(report, Some(&account), audit);
            }
            Err((stage, error)) => {
                summary.skipped += 1;
                report.access_errors.push(AccessError { account, region: None, stage, error: error.to_string() });
            }
        }
    }
    Ok(())
}

/// The regions an account must enable before use (AWS's opt-in regions, from
/// the Regions page of the AWS Account Management guide); every other region
/// is enabled for every account.
const OPT_IN_REGIONS: [&str; 17] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// A region of one account that could not be listed: an opt-in region the
/// account has not enabled is left out (AWS answers with an invalid-token
/// error there), anything else is an access error.
pub(crate) fn region_failed(report: &mut AuditReport, account: &str, region: &str, error: &Error) {
    let text = error.to_string();
    // Only an opt-in region can be off for an account: elsewhere the same
    // error is refused credentials, an access error like any other.
    let not_enabled = OPT_IN_REGIONS.contains(&region)
        && ["UnrecognizedClientException", "InvalidClientTokenId"].iter().any(|code| text.contains(code));
    if not_enabled && let Some(summary) = report.accounts.as_mut() {
        summary.regions_skipped.push(SkippedRegion {
            account: account.to_string(),
            region: region.to_string(),
            reason: "the region is not enabled in this account (an opt-in region)".to_string(),
        });
        return;
    }
    report.access_errors.push(AccessError {
        account: account.to_string(),
        region: Some(region.to_string()),
        stage: "list-secrets",
        error: text,
    });
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn args(line: &[&str]) -> AuditArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            audit: AuditArgs,
        }
        Cli::try_parse_from(std::iter::once("audit").chain(line.iter().copied())).expect("parses").audit
    }

    #[test]
    fn the_scope_is_checked_before_any_call() {
        assert!(scope(&args(&[])).expect("one account").is_none());
        let listed = scope(&args(&["--accounts", "222222222222,111111111111,111111111111", "--role-name", "Audit"]))
            .expect("valid")
            .expect("across accounts");
        assert!(matches!(&listed.source, Source::Listed(ids) if ids == &["111111111111", "222222222222"]));
        assert_eq!(listed.max_accounts, DEFAULT_MAX_ACCOUNTS);
        let refusals = [
            (vec!["--accounts", "12345"], "not an AWS account id"),
            (vec!["--accounts", "111111111111"], "--role-name NAME"),
            (vec!["--org", "--role-name", "bad role"], "not an IAM role name"),
            (vec!["--org", "--role-name", "A", "--max-accounts", "0"], "use 1 to 100"),
            (vec!["--org", "--role-name", "A", "--ou", "ou-x"], "not an organizational unit id"),
            (vec!["--org", "--role-name", "A", "--external-id", "x"], "not an external id"),
            (vec!["--role-name", "A"], "add --accounts ID,... or --org"),
            (vec!["--accounts", "@/nonexistent/accounts.txt", "--role-name", "A"], "cannot be read"),
        ];
        for (line, says) in refusals {
            let error = scope(&args(&line)).expect_err("refused");
            assert_eq!(error.code(), crate::exit::Exit::Usage, "{line:?}");
            assert!(error.to_string().contains(says), "{line:?}: {error}");
        }
        let unit =
            scope(&args(&["--org", "--ou", "ou-ab12-cd34ef56", "--role-name", "A"])).expect("valid").expect("org");
        assert!(matches!(unit.source, Source::Organization { unit: Some(ref u) } if u == "ou-ab12-cd34ef56"));
    }

    #[test]
    fn accounts_come_from_a_file_too() {
        let path = std::env::temp_dir().join(format!("rotctl-accounts-{}.txt", std::process::id()));
        std::fs::write(&path, "# production\n111111111111, 222222222222\n333333333333 # legacy\n\n").expect("writes");
        let at = format!("@{}", path.display());
        let ids = account_ids("--accounts", &[at, "444444444444".into()]).expect("valid");
        assert_eq!(ids, ["111111111111", "222222222222", "333333333333", "444444444444"]);
        std::fs::remove_file(path).ok();
    }
}
