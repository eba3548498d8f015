//! `rotctl schedule`: change a secret's rotation rules without rotating now.
//!
//! RotateSecret with `RotateImmediately=false` is the one call AWS offers for
//! it: the stored function is kept (AWS runs only its testSecret step, on a
//! copy it then removes); a managed secret gets the same call with no
//! function. A second run with the same rules changes nothing.

use std::time::Duration;

use clap::Args;

use crate::arn::SecretId;
use crate::aws::wait::{self, Poll, Schedule};
use crate::aws::{Clients, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Message, Result};
use crate::model::{RotationRules, RotationState, ScheduleReport, SecretStatus};
use crate::rotation::describe_rules;
use crate::schedule::{rules_from_args, same_schedule};

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Rotate every N days (1-1000)
    #[arg(long, value_name = "N")]
    pub every_days: Option<i64>,

    /// Rotate on a schedule (UTC): rate(N hours), rate(N days) or cron(0 H DOM MON DOW *)
    #[arg(long, value_name = "EXPR")]
    pub schedule: Option<String>,

    /// How long each rotation window lasts, e.g. 4h
    #[arg(long, value_name = "HOURS")]
    pub window: Option<String>,

    /// Show what would change; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub(crate) async fn run(env: &Env, args: &ScheduleArgs) -> Result<ScheduleReport> {
    let clients = env.clients().await?;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    let rules = rules_from_args(args.every_days, args.schedule.as_deref(), args.window.as_deref())
        .map_err(Error::input)?
        .ok_or_else(|| {
            Error::usage("schedule", "no schedule was given", "pass --every-days N or --schedule EXPR (and --window)")
        })?;
    let (clients, before) = crate::aws::read_for_change(clients, &env.progress, id.as_str()).await?;
    let clients = &clients;
    let before = follow::status(clients, before, env.ctx.now).await;
    let changed = decide(&before, &rules)?;
    let secret = &before.secret;
    let report = |changed: bool, status: SecretStatus, dry_run: bool| ScheduleReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        changed,
        rotation_rules: rules.clone(),
        dry_run,
        status,
    };
    if !changed || args.dry_run {
        return Ok(report(changed, before.clone(), args.dry_run));
    }
    // A managed secret's owner rotates it: the same call, with no function.
    let function = secret.owning_service.is_none().then_some(secret.rotation_lambda_arn.as_deref()).flatten();
    let applied = async {
        secrets::rotate(&clients.secrets, &secret.arn, function, &rules, false).await?;
        let after = settled(env, clients, &secret.arn).await?;
        let took = after.secret.rotation_rules.as_ref().is_some_and(|r| same_schedule(r, &rules));
        if !took {
            return Err(Error::Failed(
                Message::new(
                    format!("schedule of {}", secret.name),
                    format!(
                        "it did not take: AWS reports {} (asked for {})",
                        after.secret.rotation_rules.as_ref().map_or("no rules".into(), describe_rules),
                        describe_rules(&rules)
                    ),
                )
                .fix(format!("check with rotctl status {}", secret.name)),
            ));
        }
        Ok(after)
    };
    let after = applied.await.map_err(|error| {
        error.after_sent(
            format!("the schedule change of {} was sent", secret.name),
            Some(format!("check with rotctl status {}; running schedule again is safe", secret.name)),
        )
    })?;
    Ok(report(true, after, false))
}

/// The status once AWS has removed the test version RotateImmediately=false
/// makes (AWS runs testSecret on an AWSPENDING copy, then removes it): read
/// a few times, for at most SETTLE.
async fn settled(env: &Env, clients: &Clients, arn: &str) -> Result<SecretStatus> {
    let what = "waiting for AWS to remove the schedule's test version".to_string();
    let schedule = Schedule { first: Duration::from_millis(250), max: Duration::from_secs(1), limit: SETTLE };
    let ended = wait::until(&env.progress, what, schedule, || async {
        let read = secrets::read_patiently(&clients.secrets, &clients.region, arn).await?;
        Ok(if read.dangling_pending().is_none() { Poll::Done(read) } else { Poll::Pending(None) })
    })
    .await?;
    let read = match ended {
        Some(read) => read,
        // Still testing: report what AWS holds now (status says in-progress).
        None => secrets::read_patiently(&clients.secrets, &clients.region, arn).await?,
    };
    Ok(follow::status(clients, read, jiff::Timestamp::now().max(env.ctx.now)).await)
}

/// How long `schedule` waits for AWS's test of the new configuration.
const SETTLE: Duration = Duration::from_secs(10);

/// What Ctrl-C leaves behind when rotctl had sent the change.
pub(crate) fn interrupted_advice(args: &ScheduleArgs) -> String {
    format!(
        "the schedule change rotctl had sent may have applied; check with rotctl status {} (running schedule again \
         is safe)",
        args.secret
    )
}

/// Whether the rules change, or the refusal: AWS would refuse (or wrongly
/// accept) the call in the other states. Pure.
pub(crate) fn decide(status: &SecretStatus, rules: &RotationRules) -> Result<bool> {
    let secret = &status.secret;
    let what = format!("schedule of {}", secret.name);
    match status.rotation_state {
        RotationState::NotConfigured if secret.owning_service.is_none() => Err(Error::usage(
            what,
            "rotation is not set up, so there is no function to keep",
            format!("set it up with its schedule: rotctl enable {} --lambda-arn ARN (or --template NAME)", secret.name),
        )),
        // The owner rotates a managed secret: this call is how it is turned back on.
        RotationState::Disabled if secret.owning_service.is_some() => Ok(true),
        RotationState::Disabled => Err(Error::usage(
            what,
            "rotation is turned off, and a new schedule would turn it back on",
            format!("turn it on with its schedule: rotctl enable {} ... --every-days N", secret.name),
        )),
        RotationState::Failed | RotationState::Stuck | RotationState::InProgress => Err(Error::usage(
            what,
            format!("{}; AWS refuses a schedule change while AWSPENDING is on another version", status.reason),
            format!(
                "let it finish (rotctl status {name}), or after a failure: rotctl rotate-now {name} --retry --wait",
                name = secret.name
            ),
        )),
        _ => Ok(!secret.rotation_rules.as_ref().is_some_and(|current| same_schedule(current, rules))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    fn status(enabled: Option<bool>, days: Option<i64>, owner: Option<&str>) -> SecretStatus {
        let secret = Secret {
            name: "app/db".into(),
            rotation_enabled: enabled,
            rotation_lambda_arn: owner.is_none().then(|| "arn:aws:lambda:us-east-1:123456789012:function:f".into()),
            rotation_rules: days.map(|d| RotationRules { automatically_after_days: Some(d), ..Default::default() }),
            owning_service: owner.map(str::to_string),
            version_ids_to_stages: [("v1".to_string(), vec!["AWSCURRENT".to_string()])].into(),
            ..Default::default()
        };
        crate::rotation::status(secret, None, None, "2026-11-22T12:00:00Z".parse().expect("a time"))
    }

    #[test]
    fn changes_only_what_differs_and_refuses_what_aws_would() {
        let week = RotationRules { automatically_after_days: Some(7), ..Default::default() };
        assert!(decide(&status(Some(true), Some(30), None), &week).expect("a change"));
        assert!(!decide(&status(Some(true), Some(7), None), &week).expect("nothing to do"));
        // A managed secret never set up by rotctl still takes a schedule.
        assert!(decide(&status(None, None, Some("rds")), &week).expect("managed"));
        // A managed secret whose rotation was turned off: this is how it is turned back on.
        assert!(decide(&status(Some(false), Some(7), Some("rds")), &week).expect("back on"));
        let mut never = status(None, None, None).secret;
        never.rotation_lambda_arn = None;
        let never = crate::rotation::status(never, None, None, "2026-11-22T12:00:00Z".parse().expect("a time"));
        for (refused, needle) in [
            (never, "rotctl enable app/db --lambda-arn"),
            (status(Some(false), Some(30), None), "would turn it back on"),
        ] {
            let error = decide(&refused, &week).expect_err("refused");
            assert_eq!(error.code(), crate::exit::Exit::Usage);
            assert!(error.to_string().contains(needle), "{error}");
        }
    }
}
