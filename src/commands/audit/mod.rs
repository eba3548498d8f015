//! `rotctl audit`: every secret of the region(s) against the rotation rules
//! auditors use, and the ones only an operator tool can check.
//!
//! Cost: one ListSecrets call per 100 secrets; ListSecretVersionIds only for
//! a secret with AWSPENDING on a version that is not current (its age decides
//! stuck or running); one GetFunctionConfiguration + GetPolicy per distinct
//! rotation function; one DescribeVpcEndpoints per distinct VPC; for the
//! secrets RDS owns, one DescribeDBInstances and one DescribeDBClusters per
//! 100 owners (only when there are such secrets).

use std::collections::{BTreeMap, BTreeSet};

use clap::Args;
use futures_util::{StreamExt, stream};
use jiff::Timestamp;

use crate::audit::{self, Evidence, FailOn, Finding, FunctionFacts, Options};
use crate::aws::{self, Clients, ec2, lambda, rds, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result, shown};
use crate::model::{AccessError, AuditReport, FailedRegion, Failure, ManagedSecret, Owner, Secret, Skipped, Unchecked};
use crate::owner;

mod accounts;
use crate::policy;
use crate::progress::Progress;

/// Lookups in flight at once, per region: well under Lambda's and EC2's read quotas.
const CONCURRENT_LOOKUPS: usize = 8;
/// Regions audited at once.
const CONCURRENT_REGIONS: usize = 4;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Regions to audit: a comma-separated list, or `all` for every region
    /// enabled for the account [default: the configured region]
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Flag schedules that rotate less often than every N days (1-1000)
    #[arg(long, value_name = "N")]
    pub max_interval_days: Option<i64>,

    /// Flag secrets whose last rotation is older than N days
    #[arg(long, value_name = "N", default_value_t = 90)]
    pub max_days_since_rotation: i64,

    /// Flag secrets nobody has read for N days (never read: since creation)
    #[arg(long, value_name = "N", default_value_t = 90)]
    pub unused_days: i64,

    /// Flag secrets lacking any of these tag keys (comma-separated)
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    pub required_tags: Vec<String>,

    /// Flag secrets encrypted with the AWS managed key instead of a customer managed one
    #[arg(long)]
    pub require_cmk: bool,

    /// Exit 3 when a finding of this severity or higher exists
    #[arg(long, value_name = "SEVERITY", value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,

    /// Exit 1 when anything could not be read (an account, a region, a
    /// lookup), even when findings would make it 3
    #[arg(long)]
    pub strict: bool,

    /// Audit these accounts (comma-separated ids, or @FILE: ids separated by
    /// lines, spaces or commas, # comments) through --role-name
    #[arg(long, value_name = "IDS", value_delimiter = ',', conflicts_with = "org", help_heading = "Across accounts")]
    pub accounts: Vec<String>,

    /// Audit every ACTIVE account of the organization (run it where the
    /// accounts can be listed: the management account or a delegated administrator)
    #[arg(long, help_heading = "Across accounts")]
    pub org: bool,

    /// With --org: only the accounts under this organizational unit (ou-... or
    /// the root r-...), nested units included
    #[arg(long, value_name = "OU_ID", requires = "org", help_heading = "Across accounts")]
    pub ou: Option<String>,

    /// Leave these accounts out (comma-separated ids, or @FILE)
    #[arg(long, value_name = "IDS", value_delimiter = ',', help_heading = "Across accounts")]
    pub exclude_accounts: Vec<String>,

    /// The role assumed in each account (the caller's own account is read
    /// with the caller's credentials)
    #[arg(long, value_name = "NAME", help_heading = "Across accounts")]
    pub role_name: Option<String>,

    /// The external id the role's trust policy requires
    #[arg(long, value_name = "ID", requires = "role_name", help_heading = "Across accounts")]
    pub external_id: Option<String>,

    /// How many accounts are read at once (1-100)
    #[arg(long, value_name = "N", default_value_t = accounts::DEFAULT_MAX_ACCOUNTS, help_heading = "Across accounts")]
    pub max_accounts: usize,
}

fn options(args: &AuditArgs) -> Result<Options> {
    if let Some(days) = args.max_interval_days.filter(|d| !(1..=1000).contains(d)) {
        return Err(Error::usage(
            format!("--max-interval-days {days}"),
            "out of range",
            "use 1 to 1000 (AWS's own range)",
        ));
    }
    for (value, option) in
        [(args.max_days_since_rotation, "--max-days-since-rotation"), (args.unused_days, "--unused-days")]
    {
        if !(1..=36_500).contains(&value) {
            return Err(Error::usage(format!("{option} {value}"), "out of range", "use a number of days from 1"));
        }
    }
    if let Some(key) = args.required_tags.iter().find(|k| k.is_empty() || k.len() > 128) {
        return Err(Error::usage(
            format!("--required-tags {}", shown(key)),
            "not a tag key",
            "use 1-128 characters each, comma-separated",
        ));
    }
    Ok(Options {
        max_interval_days: args.max_interval_days,
        max_days_since_rotation: args.max_days_since_rotation,
        unused_days: args.unused_days,
        required_tags: args.required_tags.clone(),
        require_cmk: args.require_cmk,
    })
}

/// The regions an audit reads in each account, as given.
#[derive(Debug, Clone)]
pub(crate) enum Regions {
    /// The configured region.
    Configured,
    /// Every region enabled for the account (EC2 DescribeRegions, per account).
    All,
    List(Vec<String>),
}

fn regions(args: &AuditArgs) -> Result<Regions> {
    Ok(match &args.regions[..] {
        [] => Regions::Configured,
        [all] if all == "all" => Regions::All,
        list => {
            for region in list {
                aws::check_region(region)?;
            }
            Regions::List(list.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect())
        }
    })
}

pub(crate) async fn run(env: &Env, args: &AuditArgs) -> Result<AuditReport> {
    let options = options(args)?;
    let regions = regions(args)?;
    let scope = accounts::scope(args)?;
    let clients = env.clients().await?;
    let mut report = AuditReport {
        findings: Vec::new(),
        regions: Vec::new(),
        secrets_read: 0,
        skipped: Vec::new(),
        managed: Vec::new(),
        failed_regions: Vec::new(),
        unchecked: Vec::new(),
        fail_on: args.fail_on,
        accounts: None,
        access_errors: Vec::new(),
        strict: args.strict,
    };
    if let Some(scope) = scope {
        accounts::run(env, clients, &scope, &regions, &options, &mut report).await?;
    } else {
        let audit = audit_account(clients, &regions, &options, env.ctx.now, &env.progress).await?;
        let single = audit.regions.len() == 1;
        if let Some((region, error)) = merge(&mut report, None, audit)
            && single
        {
            // One region asked for and it could not be read: that is the run's failure, as it is.
            return Err(error.in_context(&format!("auditing {region}")));
        }
    }
    sort(&mut report);
    Ok(report)
}

/// One account's audit: each chosen region's result.
pub(crate) struct AccountAudit {
    pub(crate) regions: Vec<String>,
    pub(crate) results: Vec<(String, Result<RegionAudit>)>,
}

/// Every chosen region of one account, CONCURRENT_REGIONS at a time. Fails
/// only when the account's regions cannot be listed (`--regions all`).
pub(crate) async fn audit_account(
    clients: &Clients,
    regions: &Regions,
    options: &Options,
    now: Timestamp,
    progress: &Progress,
) -> Result<AccountAudit> {
    let regions = match regions {
        Regions::Configured => vec![clients.region.clone()],
        Regions::All => ec2::enabled_regions(&clients.ec2).await?,
        Regions::List(list) => list.clone(),
    };
    let results = stream::iter(regions.clone())
        .map(|region| async move {
            let regional = clients.for_region(&region);
            let result = audit_region(&regional, options, now, progress).await;
            (region, result)
        })
        .buffer_unordered(CONCURRENT_REGIONS)
        .collect()
        .await;
    Ok(AccountAudit { regions, results })
}

/// Adds one account's audit to the report (`account` in an audit across
/// accounts, where what could not be read becomes an access error). Returns
/// the first region that failed, with its error.
pub(crate) fn merge(
    report: &mut AuditReport,
    account: Option<&str>,
    audit: AccountAudit,
) -> Option<(String, crate::error::Error)> {
    let mut first_error = None;
    for region in audit.regions {
        if !report.regions.contains(&region) {
            report.regions.push(region);
        }
    }
    let stamp = || account.map(str::to_string);
    for (region, result) in audit.results {
        match result {
            Ok(audit) => {
                report.secrets_read += audit.secrets_read;
                report.findings.extend(audit.findings.into_iter().map(|f| Finding { account: stamp(), ..f }));
                report.skipped.extend(audit.skipped.into_iter().map(|s| Skipped { account: stamp(), ..s }));
                report.managed.extend(audit.managed.into_iter().map(|m| ManagedSecret { account: stamp(), ..m }));
                match account {
                    Some(account) => report.access_errors.extend(audit.unchecked.into_iter().map(|u| AccessError {
                        account: account.to_string(),
                        region: Some(u.region),
                        stage: "lookup",
                        error: format!("{}: {}", u.resource, u.message),
                    })),
                    None => report.unchecked.extend(audit.unchecked),
                }
                if let Some(summary) = report.accounts.as_mut() {
                    summary.regions_read += 1;
                }
            }
            // One region failing (no access, an opt-in region) does not stop the others.
            Err(error) => {
                match account {
                    Some(account) => accounts::region_failed(report, account, &region, &error),
                    None => {
                        report.failed_regions.push(FailedRegion { region: region.clone(), message: error.to_string() });
                    }
                }
                first_error.get_or_insert((region, error));
            }
        }
    }
    first_error
}

fn sort(report: &mut AuditReport) {
    report.regions.sort();
    report.findings.sort_by(|a, b| {
        (&a.account, std::cmp::Reverse(a.severity), &a.secret, &a.region, a.rule).cmp(&(
            &b.account,
            std::cmp::Reverse(b.severity),
            &b.secret,
            &b.region,
            b.rule,
        ))
    });
    report.skipped.sort_by(|a, b| (&a.account, &a.region, &a.secret).cmp(&(&b.account, &b.region, &b.secret)));
    report.managed.sort_by(|a, b| (&a.account, &a.region, &a.secret).cmp(&(&b.account, &b.region, &b.secret)));
    report.failed_regions.sort_by(|a, b| a.region.cmp(&b.region));
    report.access_errors.sort_by(|a, b| (&a.account, &a.region, a.stage).cmp(&(&b.account, &b.region, b.stage)));
}

pub(crate) struct RegionAudit {
    secrets_read: usize,
    findings: Vec<Finding>,
    skipped: Vec<Skipped>,
    managed: Vec<ManagedSecret>,
    unchecked: Vec<Unchecked>,
}

async fn audit_region(
    clients: &Clients,
    options: &Options,
    now: Timestamp,
    progress: &Progress,
) -> Result<RegionAudit> {
    let region = clients.region.as_str();
    let listed = secrets::list(&clients.secrets, None).await?;
    progress.say(&format!("{region}: {} secrets listed", listed.len()));

    let mut skipped = Vec::new();
    let mut judged = Vec::new();
    let mut by_owner = Vec::new();
    for secret in &listed {
        match (audit::classify(secret, region), owner::of(secret)) {
            (Some(skip), _) => skipped.push(Skipped {
                account: None,
                secret: secret.name.clone(),
                arn: secret.arn.clone(),
                region: region.to_string(),
                reason: skip.reason(),
            }),
            (None, Some(owner)) => by_owner.push((secret, owner)),
            (None, None) => judged.push(secret.clone()),
        }
    }
    let mut unchecked = Vec::new();
    let (managed, mut findings) = managed_secrets(clients, by_owner, &mut unchecked).await;

    let judged: Vec<(Secret, Option<Failure>)> = stream::iter(judged)
        .map(|secret| pending_evidence(clients, secret, now))
        .buffered(CONCURRENT_LOOKUPS)
        .collect::<Vec<Result<_>>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;

    // Each rotation function once, and each VPC once.
    let functions: BTreeSet<String> = judged
        .iter()
        .map(|(secret, _)| secret)
        .filter(|s| s.rotation_enabled == Some(true))
        .filter_map(|s| s.rotation_lambda_arn.clone())
        .collect();
    let facts: BTreeMap<String, FunctionFacts> = stream::iter(functions)
        .map(|arn| async move {
            let facts = function_facts(clients, &arn).await;
            (arn, facts)
        })
        .buffer_unordered(CONCURRENT_LOOKUPS)
        .collect()
        .await;
    let vpcs: BTreeSet<String> = facts
        .values()
        .filter_map(|f| match f {
            FunctionFacts::Present { vpc_id: Some(vpc), .. } => Some(vpc.clone()),
            _ => None,
        })
        .collect();
    let endpoints: BTreeMap<String, Option<bool>> = stream::iter(vpcs)
        .map(|vpc| async move {
            let found = ec2::secretsmanager_endpoints(&clients.ec2, &vpc, region).await.ok().map(|e| !e.is_empty());
            (vpc, found)
        })
        .buffer_unordered(CONCURRENT_LOOKUPS)
        .collect()
        .await;

    unchecked.extend(facts.iter().filter_map(|(arn, facts)| match facts {
        FunctionFacts::Unknown(message) => {
            Some(Unchecked { region: region.to_string(), resource: arn.clone(), message: message.clone() })
        }
        _ => None,
    }));
    unchecked.extend(endpoints.iter().filter(|(_, found)| found.is_none()).map(|(vpc, _)| Unchecked {
        region: region.to_string(),
        resource: vpc.clone(),
        message: "its VPC endpoints could not be read (ec2:DescribeVpcEndpoints)".to_string(),
    }));

    let mut intervals = BTreeMap::new();
    for (secret, failure) in &judged {
        let function = secret.rotation_lambda_arn.as_ref().and_then(|arn| facts.get(arn));
        let endpoint = match function {
            Some(FunctionFacts::Present { vpc_id: Some(vpc), .. }) => endpoints.get(vpc).copied().flatten(),
            _ => None,
        };
        let evidence = Evidence { failure: failure.as_ref(), function, endpoint_in_vpc: endpoint };
        findings.extend(audit::evaluate(secret, region, &evidence, options, now, &mut intervals));
    }
    Ok(RegionAudit { secrets_read: listed.len(), findings, skipped, managed, unchecked })
}

/// The secrets their owners rotate, with what the owners say (one batched
/// RDS read per region and kind), and the managed rules' findings. An owner
/// that cannot be read leaves its status unknown and is reported unchecked.
async fn managed_secrets(
    clients: &Clients,
    owned: Vec<(&Secret, Owner)>,
    unchecked: &mut Vec<Unchecked>,
) -> (Vec<ManagedSecret>, Vec<Finding>) {
    let region = clients.region.as_str();
    match rds::master_secrets(clients, owned.iter().map(|(_, owner)| owner)).await {
        Ok(found) => {
            let mut owned = owned;
            for (secret, owner) in &mut owned {
                rds::fill(owner, &secret.arn, &found);
            }
            finish_managed(region, owned)
        }
        Err(error) => {
            let owners = owned.iter().filter(|(_, o)| owner::rds_resource(o).is_some()).count();
            unchecked.push(Unchecked {
                region: region.to_string(),
                resource: format!("the RDS owners of {owners} managed secret(s)"),
                message: error.to_string(),
            });
            finish_managed(region, owned)
        }
    }
}

fn finish_managed(region: &str, owned: Vec<(&Secret, Owner)>) -> (Vec<ManagedSecret>, Vec<Finding>) {
    let mut findings = Vec::new();
    let managed = owned
        .into_iter()
        .map(|(secret, owner)| {
            findings.extend(audit::evaluate_managed(secret, region, &owner));
            ManagedSecret {
                account: None,
                secret: secret.name.clone(),
                arn: secret.arn.clone(),
                region: region.to_string(),
                default_schedule: owner::default_schedule(&owner.service),
                owner,
                rotation_enabled: secret.rotation_enabled,
                rotation_rules: secret.rotation_rules.clone(),
            }
        })
        .collect();
    (managed, findings)
}

/// Only a dangling AWSPENDING needs its version's age, and the evidence of its
/// failure (while rotation is on): reads those, for that secret only.
async fn pending_evidence(clients: &Clients, mut secret: Secret, now: Timestamp) -> Result<(Secret, Option<Failure>)> {
    if secret.dangling_pending().is_none() {
        return Ok((secret, None));
    }
    match secrets::versions(&clients.secrets, &clients.region, &secret.arn).await {
        Ok(versions) => secret.versions = versions,
        Err(error) if error.is_not_found() => {}
        Err(error) => return Err(error),
    }
    let failure = follow::pending_failure(clients, &secret, now).await;
    Ok((secret, failure))
}

async fn function_facts(clients: &Clients, arn: &str) -> FunctionFacts {
    let function = match lambda::function(&clients.lambda, arn).await {
        Ok(Some(function)) => function,
        Ok(None) => return FunctionFacts::Missing,
        Err(error) => return FunctionFacts::Unknown(error.to_string()),
    };
    let grants = match lambda::policy(&clients.lambda, arn).await {
        Ok(policy) => policy.as_deref().map(policy::grants).unwrap_or_default(),
        Err(error) => return FunctionFacts::Unknown(error.to_string()),
    };
    FunctionFacts::Present {
        // A statement scoped by aws:SourceArn alone is scoped to that ARN's account.
        grants: grants.iter().map(|g| g.scoped_account().map(str::to_string)).collect(),
        vpc_id: function.vpc.map(|v| v.vpc_id),
        runtime: function.runtime,
    }
}
