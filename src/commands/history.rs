//! `rotctl history`: what happened to a secret in the last N days, as one
//! timeline (`crate::history`) from its versions, its rotation function's log
//! and CloudTrail, and the age of its current value.

use clap::Args;
use jiff::SignedDuration;

use crate::arn::SecretId;
use crate::aws::{Clients, rotation as follow, secrets, trail};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::history::{self, Sources};
use crate::model::{AWSCURRENT, HistoryReport};

/// CloudTrail's event history keeps 90 days; versions and logs may reach further.
const MAX_DAYS: i64 = 365;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// How many days back to go (1 to 365; CloudTrail keeps 90)
    #[arg(long, value_name = "N", default_value_t = 90)]
    pub days: i64,
}

pub(crate) async fn run(env: &Env, args: &HistoryArgs) -> Result<HistoryReport> {
    if !(1..=MAX_DAYS).contains(&args.days) {
        return Err(Error::usage(
            format!("--days {}", args.days),
            "out of range",
            format!("use a number of days from 1 to {MAX_DAYS}"),
        ));
    }
    let clients = env.clients().await?;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    let now = env.ctx.now;
    let since = now - SignedDuration::from_hours(24 * args.days);
    let mut notes = Vec::new();
    let (secret, versions) = tokio::join!(
        secrets::describe(&clients.secrets, &clients.region, id.as_str()),
        secrets::all_versions(&clients.secrets, &clients.region, id.as_str()),
    );
    let secret = secret?;
    // A replica's versions are its primary's (a replica may refuse to list
    // them); its rotations, log and CloudTrail events are in the primary's region.
    let (clients, secret, versions) = match crate::aws::primary_of(clients, &secret) {
        Some((primary, arn)) => {
            let (read, versions) = secrets::describe_with_all_versions(&primary.secrets, &primary.region, &arn).await?;
            notes.push(format!("{} is a replica: its history is its primary's, in {}", secret.name, primary.region));
            (primary, read, versions)
        }
        None => (Clients::clone(clients), secret, versions?),
    };
    let clients = &clients;

    let group = secret.rotation_lambda_arn.as_deref().map(follow::log_group);
    // Every line AWS's rotation functions write for a secret names its ARN.
    // (And Lambda's timeout line, which names nothing: it is placed by its time.)
    let pattern = format!("?\"{}\" ?\"{}\"", secret.arn, follow::TIMED_OUT);
    let log = async {
        match &group {
            Some(group) => Some(trail::log_lines(clients, group, &pattern, since).await),
            None => None,
        }
    };
    let (log, events) = tokio::join!(log, trail::secret_events(clients, &trail::HISTORY_EVENTS, since));

    let log_lines = match (log, &group) {
        (Some(Ok((lines, complete))), Some(group)) => {
            if !complete {
                notes.push(format!(
                    "the function's log {group} has more lines than rotctl reads: the newest are left out (narrow --days)"
                ));
            }
            lines
        }
        (Some(Err(error)), Some(group)) => {
            notes.push(format!(
                "the function's log {group} could not be read ({error}): rotations are told from their labels and CloudTrail"
            ));
            Vec::new()
        }
        _ => Vec::new(),
    };
    let trail_events = match events {
        Ok((events, reached)) => {
            if let Some(oldest) = reached {
                notes.push(format!(
                    "CloudTrail has more of these events in the account than rotctl reads: they are read back to {oldest} only"
                ));
            }
            events.into_iter().filter(|e| e.about(&secret.arn, &secret.name)).collect()
        }
        Err(error) => {
            notes.push(format!(
                "CloudTrail could not be read ({error}): who put a value is unknown, and a rollback is told from the labels"
            ));
            Vec::new()
        }
    };
    notes.push(
        "CloudTrail delivers events within about 5 minutes (not guaranteed): the last minutes may lack them"
            .to_string(),
    );
    let events = history::timeline(&Sources {
        versions: &versions,
        log: &log_lines,
        trail: &trail_events,
        secret_created: secret.created_date,
        last_changed: secret.last_changed_date,
        since,
        owned: crate::owner::of(&secret).is_some(),
    });
    let current = versions.iter().find(|v| v.version_stages.iter().any(|s| s == AWSCURRENT));
    let created = current.and_then(|v| v.created_date);
    Ok(HistoryReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        days: args.days,
        current_version_id: current.map(|v| v.version_id.clone()),
        current_version_created_date: created,
        current_value_age_days: created.map(|c| now.duration_since(c).as_secs() / 86_400),
        last_rotated_date: secret.last_rotated_date,
        events,
        notes,
    })
}
