//! `rotctl rotate-now`: rotate at once with the stored configuration, and
//! optionally wait for the outcome.

use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::arn::SecretId;
use crate::aws::diagnose::{self, RotationFailure};
use crate::aws::poll::Patience;
use crate::aws::{Clients, secrets};
use crate::context::Context;
use crate::exit::{Exit, usage};
use crate::model::{AWSCURRENT, RotationState, Secret, SecretStatus};
use crate::output::Progress;
use crate::rotation;

#[derive(Debug, Args)]
pub struct RotateNowArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Wait for the outcome: exit 0 when the new version is AWSCURRENT, 1
    /// when the rotation failed, 4 when --timeout passes first
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits, e.g. 90s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_timeout)]
    pub timeout: SignedDuration,
}

/// `--timeout`: a positive duration such as 90s, 5m or 1h30m.
pub fn parse_timeout(text: &str) -> Result<SignedDuration, String> {
    let duration: SignedDuration =
        text.parse().map_err(|_| format!("{} is not a duration (use e.g. 90s, 5m, 1h)", crate::exit::shown(text)))?;
    if duration.is_positive() && duration <= SignedDuration::from_hours(24) {
        Ok(duration)
    } else {
        Err(format!("{} is out of range (more than 0s, at most 24h)", crate::exit::shown(text)))
    }
}

/// What happened to the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Started,
    Succeeded,
    Failed,
    TimedOut,
}

/// `{"Name", "ARN", "VersionId", "Outcome", "Status"}` (+ `Failure` when known).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotateReport {
    pub name: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    pub version_id: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureJson>,
    pub status: SecretStatus,
    #[serde(skip)]
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailureJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
}

impl RotateReport {
    pub fn exit(&self) -> Exit {
        match self.outcome {
            Outcome::Started | Outcome::Succeeded => Exit::Success,
            Outcome::Failed => Exit::Failure,
            Outcome::TimedOut => Exit::TimedOut,
        }
    }
}

pub async fn run(clients: &Clients, ctx: &Context, progress: &Progress, args: &RotateNowArgs) -> Result<RotateReport> {
    let region = clients.region.as_str();
    let id = SecretId::parse(&args.secret, region).map_err(usage)?;
    let secret = super::status::one(&clients.secrets, region, id.as_str(), ctx.now).await?.secret;
    refuse_unless_ready(&secret, ctx.now)?;

    let started = ctx.now;
    let version = secrets::rotate_stored(&clients.secrets, &secret.arn).await?;
    progress.say(&format!("rotating {}: new version {version}", secret.name));
    // From here on a rotation runs in AWS: an error must say so (and is never exit 2).
    let in_aws = |error: anyhow::Error, what: String| crate::exit::after_sent(error, what);
    let following = format!(
        "the rotation of {} (version {version}) started and goes on in AWS, but rotctl could not follow it \
         (check: rotctl status {})",
        secret.name, secret.name
    );
    if !args.wait {
        let status = read_status(clients, &secret.arn, ctx).await.map_err(|e| in_aws(e, following.clone()))?;
        return Ok(report(&secret, version, Outcome::Started, None, status));
    }
    let waited = wait(clients, progress, &secret, &version, started, args.timeout.unsigned_abs()).await;
    let (outcome, failure) = waited.map_err(|e| in_aws(e, following.clone()))?;
    let ended = match outcome {
        Outcome::Succeeded => format!("the rotation of {} succeeded (version {version} is AWSCURRENT)", secret.name),
        Outcome::Failed => format!("the rotation of {} failed", secret.name),
        Outcome::Started | Outcome::TimedOut => following.clone(),
    };
    let status = read_status(clients, &secret.arn, ctx)
        .await
        .map_err(|e| in_aws(e, format!("{ended}, but reading the secret afterwards failed")))?;
    Ok(report(&secret, version, outcome, failure, status))
}

fn report(
    secret: &Secret,
    version: String,
    outcome: Outcome,
    failure: Option<RotationFailure>,
    status: SecretStatus,
) -> RotateReport {
    let mut notes = Vec::new();
    match (&outcome, &failure) {
        (Outcome::Failed, Some(failure)) => notes.push(failure.sentence(&format!("the rotation of {}", secret.name))),
        (Outcome::TimedOut, _) => notes.push(format!(
            "the rotation of {} (version {version}) has not finished; it may still finish in AWS (check: rotctl status {}{})",
            secret.name,
            secret.name,
            secret.rotation_lambda_arn.as_deref().map(|f| format!("; log: {}", diagnose::log_group(f))).unwrap_or_default()
        )),
        _ => {}
    }
    RotateReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        version_id: version,
        outcome,
        failure: failure.map(|f| FailureJson { step: f.step, message: f.message, log_group: f.log_group }),
        status,
        notes,
    }
}

/// AWS refuses (or would silently mis-handle) a rotation in these states:
/// refuse first, changing nothing, and say what to do.
fn refuse_unless_ready(secret: &Secret, now: Timestamp) -> Result<()> {
    let (state, reason) = rotation::assess(secret, now);
    match state {
        RotationState::NotConfigured => Err(usage(format!(
            "rotation is not set up for {} (set it up first: rotctl enable {} --lambda-arn ARN, or --template NAME)",
            secret.name, secret.name
        ))),
        RotationState::Disabled => Err(usage(format!(
            "rotation of {} is turned off (turn it on with rotctl enable {} ...; rotate-now does not turn it on behind your back)",
            secret.name, secret.name
        ))),
        RotationState::InProgress => Err(usage(format!(
            "{}: {reason}; wait for it (rotctl status {}), AWS refuses a second one meanwhile",
            secret.name, secret.name
        ))),
        RotationState::Stuck => {
            let pending = secret.dangling_pending().unwrap_or_default();
            Err(usage(format!(
                "{}: {reason}. Read the function's log, fix the cause, then clear the label: \
                 aws secretsmanager update-secret-version-stage --secret-id {} --version-stage AWSPENDING \
                 --remove-from-version-id {pending} (or roll back: rotctl rollback {})",
                secret.name, secret.arn, secret.name
            )))
        }
        RotationState::Overdue | RotationState::Healthy => Ok(()),
    }
}

/// How often the secret is read while waiting: quick at first (a fast rotation
/// is seen in 250 ms), doubling to once a second (a finished one is seen within 1 s).
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(1);
/// When CloudTrail and the function's log are first read for a failure, and
/// how often after (CloudTrail allows 2 lookups a second per account; these
/// two reads are what waiting costs beyond one DescribeSecret a second).
const FIRST_DIAGNOSIS: Duration = Duration::from_secs(5);
const DIAGNOSE_EVERY: Duration = Duration::from_secs(15);

/// Polls until `version` holds AWSCURRENT (succeeded), the rotation visibly
/// failed, or `timeout` passes. Shared by `enable --wait`.
pub async fn wait(
    clients: &Clients,
    progress: &Progress,
    secret: &Secret,
    version: &str,
    started: Timestamp,
    timeout: Duration,
) -> Result<(Outcome, Option<RotationFailure>)> {
    let _running = progress.running_in_aws(format!(
        "the rotation of {} (version {version}) goes on in AWS (check: rotctl status {}; stop it: rotctl disable {})",
        secret.name, secret.name, secret.name
    ));
    let deadline = Instant::now() + timeout;
    let mut poll = FIRST_POLL;
    let mut last_diagnosis = Instant::now();
    let mut checked_once = false;
    // Nothing can have finished the instant RotateSecret answered.
    tokio::time::sleep(poll).await;
    poll = (poll * 2).min(MAX_POLL);
    let mut patience = Patience::default();
    loop {
        // A read that hangs (three 20 s attempts) must not carry the wait past --timeout.
        let remaining = deadline.saturating_duration_since(Instant::now()).max(MAX_POLL);
        let read = tokio::time::timeout(remaining, secrets::describe(&clients.secrets, &clients.region, &secret.arn));
        let Ok(read) = read.await else { return Ok((Outcome::TimedOut, None)) };
        let current = match read {
            Ok(current) => {
                patience.reset();
                current
            }
            Err(error) if patience.outlasts(&error) => {
                if Instant::now() >= deadline {
                    return Ok((Outcome::TimedOut, None));
                }
                progress.say(&format!("reading {} failed ({error:#}); trying again", secret.name));
                tokio::time::sleep(poll.min(deadline - Instant::now())).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        match current.version_ids_to_stages.get(version) {
            Some(stages) if stages.iter().any(|s| s == AWSCURRENT) => return Ok((Outcome::Succeeded, None)),
            None => {
                // The version lost every label: AWS abandoned or cancelled the rotation.
                let failure = RotationFailure {
                    step: None,
                    message: format!(
                        "version {version} lost its AWSPENDING label: the rotation was cancelled or abandoned"
                    ),
                    log_group: current.rotation_lambda_arn.as_deref().map(diagnose::log_group),
                };
                return Ok((Outcome::Failed, Some(failure)));
            }
            Some(_) => {}
        }
        let now = Instant::now();
        if (!checked_once && now.duration_since(last_diagnosis) >= FIRST_DIAGNOSIS)
            || now.duration_since(last_diagnosis) >= DIAGNOSE_EVERY
            || now >= deadline
        {
            checked_once = true;
            last_diagnosis = now;
            let function = current.rotation_lambda_arn.as_deref();
            if let Some(failure) = diagnose::rotation_failure(clients, &secret.arn, function, version, started).await {
                return Ok((Outcome::Failed, Some(failure)));
            }
        }
        if now >= deadline {
            return Ok((Outcome::TimedOut, None));
        }
        progress.say(&format!("waiting for {} to rotate (version {version})", secret.name));
        tokio::time::sleep(poll.min(deadline - now)).await;
        poll = (poll * 2).min(MAX_POLL);
    }
}

/// The secret's status after the rotation, read with the same patience.
async fn read_status(clients: &Clients, arn: &str, ctx: &Context) -> Result<SecretStatus> {
    let mut patience = Patience::default();
    loop {
        match super::status::one(&clients.secrets, &clients.region, arn, Timestamp::now().max(ctx.now)).await {
            Err(error) if patience.outlasts(&error) => tokio::time::sleep(MAX_POLL).await,
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("5m"), Ok(SignedDuration::from_mins(5)));
        assert_eq!(parse_timeout("90s"), Ok(SignedDuration::from_secs(90)));
        assert_eq!(parse_timeout("1h30m"), Ok(SignedDuration::from_mins(90)));
        for bad in ["0s", "-5m", "forever", "25h", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
