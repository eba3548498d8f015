//! `rotctl rotate-now`: rotate at once with the stored configuration, and
//! optionally wait for the outcome.

use clap::Args;
use jiff::{SignedDuration, Timestamp};

use crate::arn::SecretId;
use crate::aws::{Clients, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{Failure, Outcome, RotateReport, RotationState, Secret, SecretStatus};
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
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::cli::parse_timeout)]
    pub timeout: SignedDuration,
}

pub(crate) async fn run(env: &Env, args: &RotateNowArgs) -> Result<RotateReport> {
    let clients = env.clients().await?;
    let now = env.ctx.now;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    let secret = secrets::read(&clients.secrets, &clients.region, id.as_str()).await?;
    refuse_unless_ready(&secret, now)?;

    let version = secrets::rotate_stored(&clients.secrets, &secret.arn).await?;
    env.progress.say(&format!("rotating {}: new version {version}", secret.name));
    // From here on a rotation runs in AWS: an error must say so (and is never exit 2).
    let following = format!(
        "the rotation of {} (version {version}) started and goes on in AWS, but rotctl could not follow it",
        secret.name
    );
    let check = Some(format!("check: rotctl status {}", secret.name));
    if !args.wait {
        let status =
            read_status(clients, &secret.arn, now).await.map_err(|e| e.after_sent(&following, check.clone()))?;
        return Ok(report(&secret, version, Outcome::Started, None, status));
    }
    let waited = follow::wait(clients, &env.progress, &secret, &version, now, args.timeout.unsigned_abs()).await;
    let (outcome, failure) = waited.map_err(|e| e.after_sent(&following, check.clone()))?;
    let ended = match outcome {
        Outcome::Succeeded => format!("the rotation of {} succeeded (version {version} is AWSCURRENT)", secret.name),
        Outcome::Failed => format!("the rotation of {} failed", secret.name),
        Outcome::Started | Outcome::TimedOut => following.clone(),
    };
    let status = read_status(clients, &secret.arn, now)
        .await
        .map_err(|e| e.after_sent(format!("{ended}, but reading the secret afterwards failed"), check))?;
    Ok(report(&secret, version, outcome, failure, status))
}

/// What Ctrl-C leaves behind when rotctl had sent the rotation but was not waiting on it.
pub(crate) fn interrupted_advice(args: &RotateNowArgs) -> String {
    format!("a rotation rotctl had asked for may have started; check with rotctl status {}", args.secret)
}

fn report(
    secret: &Secret,
    version: String,
    outcome: Outcome,
    failure: Option<Failure>,
    status: SecretStatus,
) -> RotateReport {
    let mut notes = Vec::new();
    match (&outcome, &failure) {
        (Outcome::Failed, Some(failure)) => notes.push(failure.sentence(&format!("the rotation of {}", secret.name))),
        (Outcome::TimedOut, _) => notes.push(format!(
            "the rotation of {} (version {version}) has not finished; it may still finish in AWS (check: rotctl status {}{})",
            secret.name,
            secret.name,
            secret.rotation_lambda_arn.as_deref().map(|f| format!("; log: {}", follow::log_group(f))).unwrap_or_default()
        )),
        _ => {}
    }
    RotateReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        version_id: version,
        outcome,
        failure,
        status,
        notes,
    }
}

/// AWS refuses (or would silently mis-handle) a rotation in these states:
/// refuse first, changing nothing, and say what to do.
fn refuse_unless_ready(secret: &Secret, now: Timestamp) -> Result<()> {
    let (state, reason) = rotation::assess(secret, now);
    let what = format!("rotating {}", secret.name);
    match state {
        RotationState::NotConfigured => Err(Error::usage(
            what,
            "rotation is not set up",
            format!("set it up first: rotctl enable {} --lambda-arn ARN, or --template NAME", secret.name),
        )),
        RotationState::Disabled => Err(Error::usage(
            what,
            "rotation is turned off; rotate-now does not turn it on behind your back",
            format!("turn it on with rotctl enable {} ...", secret.name),
        )),
        RotationState::InProgress => Err(Error::usage(
            what,
            format!("{reason}; AWS refuses a second one meanwhile"),
            format!("wait for it: rotctl status {}", secret.name),
        )),
        RotationState::Stuck => {
            let pending = secret.dangling_pending().unwrap_or_default();
            Err(Error::usage(
                what,
                reason,
                format!(
                    "read the function's log, fix the cause, then clear the label: aws secretsmanager \
                     update-secret-version-stage --secret-id {} --version-stage AWSPENDING --remove-from-version-id \
                     {pending}; or roll back: rotctl rollback {}",
                    secret.arn, secret.name
                ),
            ))
        }
        RotationState::Overdue | RotationState::Healthy => Ok(()),
    }
}

/// The secret's status after the rotation started: read with patience (a
/// rotation runs in AWS now: one failed read must not end the run), judged at
/// the time of reading.
async fn read_status(clients: &Clients, arn: &str, now: Timestamp) -> Result<SecretStatus> {
    let read = secrets::read_patiently(&clients.secrets, &clients.region, arn).await?;
    Ok(rotation::status(read, Timestamp::now().max(now)))
}
