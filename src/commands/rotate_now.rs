//! `rotctl rotate-now`: rotate at once with the stored configuration, and
//! optionally wait for the outcome.

use clap::Args;
use jiff::{SignedDuration, Timestamp};

use crate::arn::SecretId;
use crate::aws::{Clients, rds, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{AWSPENDING, Failure, Outcome, Owner, RotateReport, RotationState, Secret, SecretStatus};
use crate::owner::{self, RdsResource};

#[derive(Debug, Args)]
pub struct RotateNowArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Wait for the outcome: exit 0 when the new version is AWSCURRENT, 1
    /// when the rotation failed, 4 when --timeout passes first
    #[arg(long)]
    pub wait: bool,

    /// With --wait: print the rotation function's log lines for this rotation
    /// as they arrive (on stderr; read every second), ending at AWSCURRENT or an error line
    #[arg(long, requires = "wait")]
    pub follow: bool,

    /// How long --wait waits, e.g. 90s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::cli::parse_timeout)]
    pub timeout: SignedDuration,

    /// After a failed or stuck rotation: remove AWSPENDING from its version
    /// (AWSCURRENT and the configuration stay as they are), then rotate again
    #[arg(long)]
    pub retry: bool,

    /// With --retry: also cut short a rotation still in progress (younger than
    /// 15 minutes, no failure known)
    #[arg(long, requires = "retry")]
    pub force: bool,
}

pub(crate) async fn run(env: &Env, args: &RotateNowArgs) -> Result<RotateReport> {
    let clients = env.clients().await?;
    let now = env.ctx.now;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    let (clients, read) = crate::aws::read_for_change(clients, &env.progress, id.as_str()).await?;
    let clients = &clients;
    let before = follow::status(clients, read, now).await;
    if let Some(owner) = before.owner.clone() {
        return through_owner(env, clients, args, before, &owner).await;
    }
    let clear = decide(&before, args.retry, args.force)?;
    let secret = before.secret;

    let mut notes = Vec::new();
    if let Some(pending) = &clear {
        secrets::move_label(&clients.secrets, &secret.arn, AWSPENDING, Some(pending), None).await?;
        notes.push(format!("removed AWSPENDING from version {pending} (the rotation that did not finish)"));
    }
    let version = secrets::rotate_stored(&clients.secrets, &secret.arn).await.map_err(|error| match &clear {
        Some(pending) => error.after_sent(
            format!("AWSPENDING was removed from version {pending}, but starting the new rotation failed"),
            Some(format!("AWSCURRENT is unchanged; run rotctl rotate-now {} again", secret.name)),
        ),
        None => error,
    })?;
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
        return Ok(report(&secret, Some(version), Outcome::Started, None, status, notes));
    }
    let waited =
        follow::wait(clients, &env.progress, &secret, &version, now, args.timeout.unsigned_abs(), args.follow).await;
    let (outcome, failure) = waited.map_err(|e| e.after_sent(&following, check.clone()))?;
    let ended = match outcome {
        Outcome::Succeeded => format!("the rotation of {} succeeded (version {version} is AWSCURRENT)", secret.name),
        Outcome::Failed => format!("the rotation of {} failed", secret.name),
        Outcome::Started | Outcome::TimedOut => following.clone(),
    };
    let status = read_status(clients, &secret.arn, now)
        .await
        .map_err(|e| e.after_sent(format!("{ended}, but reading the secret afterwards failed"), check))?;
    Ok(report(&secret, Some(version), outcome, failure, status, notes))
}

/// A managed secret is rotated by its owner: RDS (and DocumentDB) through
/// `RotateMasterUserPassword` with `ApplyImmediately`, never RotateSecret;
/// `--wait` follows the owner's status back to active and a new AWSCURRENT.
async fn through_owner(
    env: &Env,
    clients: &Clients,
    args: &RotateNowArgs,
    before: SecretStatus,
    owner: &Owner,
) -> Result<RotateReport> {
    let resource = decide_managed(&before, owner, args.retry)?;
    let secret = before.secret;
    let who = owner::display(&owner.service);
    let now = env.ctx.now;
    rds::rotate_master_password(clients, &resource).await?;
    env.progress.say(&format!(
        "asked {who} to rotate {} now (RotateMasterUserPassword on {} {})",
        secret.name,
        resource.kind.as_str(),
        resource.id
    ));
    let following =
        format!("{who} was asked to rotate {} and goes on in AWS, but rotctl could not follow it", secret.name);
    let check = Some(format!("check: rotctl status {}", secret.name));
    if !args.wait {
        let status =
            read_status(clients, &secret.arn, now).await.map_err(|e| e.after_sent(&following, check.clone()))?;
        let version = status.secret.dangling_pending().map(str::to_string);
        return Ok(report(&secret, version, Outcome::Started, None, status, Vec::new()));
    }
    let waited = follow::wait_for_owner(clients, &env.progress, &secret, owner, now, args.timeout.unsigned_abs()).await;
    let (outcome, version, failure) = waited.map_err(|e| e.after_sent(&following, check.clone()))?;
    let status = read_status(clients, &secret.arn, now).await.map_err(|e| {
        e.after_sent(format!("{who}'s rotation of {} ended, but reading it afterwards failed", secret.name), check)
    })?;
    let notes = if args.follow {
        vec![format!(
            "--follow: {who} rotates its secret with no function and no log to follow; rotctl followed its status"
        )]
    } else {
        Vec::new()
    };
    Ok(report(&secret, version, outcome, failure, status, notes))
}

/// Whether the owner may be asked to rotate a managed secret now, and which
/// resource to ask; refused (changing nothing) where the owner would refuse,
/// fail, or where rotctl has no way to ask it. Pure.
pub(crate) fn decide_managed(status: &SecretStatus, owner: &Owner, retry: bool) -> Result<RdsResource> {
    let secret = &status.secret;
    let what = format!("rotating {}", secret.name);
    let who = owner::display(&owner.service);
    if retry {
        return Err(Error::usage(
            what,
            format!("{who} owns this secret and rotates it itself: there is no rotation function to retry"),
            format!("rotate it through its owner: rotctl rotate-now {}", secret.name),
        ));
    }
    match status.rotation_state {
        RotationState::NotConfigured | RotationState::Disabled => {
            return Err(Error::usage(
                what,
                format!("rotation is turned off, so {who} does not rotate this secret"),
                format!(
                    "turn it back on with its schedule: rotctl schedule {} --every-days {}",
                    secret.name,
                    if owner.service == "redshift" { 30 } else { 7 }
                ),
            ));
        }
        RotationState::Impaired => {
            return Err(Error::usage(
                what,
                status.reason.clone(),
                format!(
                    "give {who} back its access to the secret and its KMS key (or turn management of the master \
                     password off and on again), then rotate: rotctl rotate-now {}",
                    secret.name
                ),
            ));
        }
        RotationState::InProgress => {
            return Err(Error::usage(
                what,
                format!("{}; {who} is still rotating it", status.reason),
                format!("wait for it: rotctl status {}", secret.name),
            ));
        }
        RotationState::Stuck | RotationState::Failed => {
            return Err(Error::usage(
                what,
                format!(
                    "{}; {who}'s last rotation did not finish, and AWS refuses another until it is cleared",
                    status.reason
                ),
                format!(
                    "read why in the owner's events (aws rds describe-events --source-type db-instance or db-cluster), \
                     then clear it and turn rotation back on: rotctl disable {name} --yes, then rotctl schedule {name} \
                     --every-days N",
                    name = secret.name
                ),
            ));
        }
        RotationState::Overdue | RotationState::Healthy => {}
    }
    if owner.secret_status.as_deref() == Some("rotating") {
        return Err(Error::usage(
            what,
            format!("{who} reports that it is rotating this secret now"),
            format!("wait for it: rotctl status {}", secret.name),
        ));
    }
    owner::rotate_route(owner).map_err(|(why, fix)| Error::usage(what, why, fix))
}

/// What Ctrl-C leaves behind when rotctl had sent the rotation but was not waiting on it.
pub(crate) fn interrupted_advice(args: &RotateNowArgs) -> String {
    format!("a rotation rotctl had asked for may have started; check with rotctl status {}", args.secret)
}

fn report(
    secret: &Secret,
    version: Option<String>,
    outcome: Outcome,
    failure: Option<Failure>,
    status: SecretStatus,
    mut notes: Vec<String>,
) -> RotateReport {
    match (&outcome, &failure) {
        (Outcome::Failed, Some(failure)) => notes.push(failure.sentence(&format!("the rotation of {}", secret.name))),
        (Outcome::TimedOut, _) => notes.push(format!(
            "the rotation of {}{} has not finished; it may still finish in AWS (check: rotctl status {}{})",
            secret.name,
            version.as_deref().map(|v| format!(" (version {v})")).unwrap_or_default(),
            secret.name,
            secret
                .rotation_lambda_arn
                .as_deref()
                .map(|f| format!("; log: {}", follow::log_group(f)))
                .unwrap_or_default()
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

/// Whether to rotate, and which version's AWSPENDING `--retry` removes
/// first. AWS refuses (or would silently mis-handle) a rotation in the other
/// states: refuse first, changing nothing, and say what to do. Pure.
pub(crate) fn decide(status: &SecretStatus, retry: bool, force: bool) -> Result<Option<String>> {
    let (secret, reason) = (&status.secret, &status.reason);
    let what = format!("rotating {}", secret.name);
    let pending = secret.dangling_pending().map(str::to_string);
    match status.rotation_state {
        RotationState::NotConfigured => Err(Error::usage(
            what,
            "rotation is not set up",
            format!("set it up first: rotctl enable {} --lambda-arn ARN, or --template NAME", secret.name),
        )),
        // Only a managed secret (through_owner) has an owner to say so.
        RotationState::Impaired => {
            Err(Error::usage(what, reason.clone(), format!("see rotctl status {}", secret.name)))
        }
        RotationState::Disabled => Err(Error::usage(
            what,
            "rotation is turned off; rotate-now does not turn it on behind your back",
            format!("turn it on with rotctl enable {} ...", secret.name),
        )),
        RotationState::InProgress if retry && force => Ok(pending),
        RotationState::InProgress if retry => Err(Error::usage(
            what,
            format!("{reason}; no failure is known, and --retry would cut it short"),
            format!("wait for it (rotctl status {}), or add --force to retry anyway", secret.name),
        )),
        RotationState::InProgress => Err(Error::usage(
            what,
            format!("{reason}; AWS refuses a second one meanwhile"),
            format!("wait for it: rotctl status {}", secret.name),
        )),
        RotationState::Failed | RotationState::Stuck if retry => Ok(pending),
        RotationState::Failed | RotationState::Stuck => Err(Error::usage(
            what,
            format!("{reason}; AWS refuses another rotation until its AWSPENDING label is removed"),
            format!(
                "fix the cause{}, then retry: rotctl rotate-now {} --retry --wait (this removes AWSPENDING from \
                 version {} only; AWSCURRENT stays)",
                secret
                    .rotation_lambda_arn
                    .as_deref()
                    .map(|f| format!(" (the function's log: {})", follow::log_group(f)))
                    .unwrap_or_default(),
                secret.name,
                pending.unwrap_or_default()
            ),
        )),
        RotationState::Overdue | RotationState::Healthy => Ok(None),
    }
}

/// The secret's status after the rotation started: read with patience (a
/// rotation runs in AWS now: one failed read must not end the run), judged at
/// the time of reading.
async fn read_status(clients: &Clients, arn: &str, now: Timestamp) -> Result<SecretStatus> {
    let read = secrets::read_patiently(&clients.secrets, &clients.region, arn).await?;
    Ok(follow::status(clients, read, Timestamp::now().max(now)).await)
}
