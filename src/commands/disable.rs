//! `rotctl disable`: turn rotation off and clear what a rotation left pending.

use clap::Args;

use crate::arn::SecretId;
use crate::aws::{rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{AWSPENDING, DisableReport};
use crate::prompt;

#[derive(Debug, Args)]
pub struct DisableArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Show what would change; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub(crate) async fn run(env: &Env, args: &DisableArgs) -> Result<DisableReport> {
    let clients = env.clients().await?;
    let (ctx, region) = (&env.ctx, clients.region.as_str());
    let id = SecretId::parse(&args.secret, region).map_err(Error::input)?;
    let (clients, read) = crate::aws::read_for_change(clients, &env.progress, id.as_str()).await?;
    let (clients, region) = (&clients, clients.region.as_str());
    let before = follow::status(clients, read, ctx.now).await;
    let secret = &before.secret;
    let cancel = secret.rotation_enabled == Some(true);
    // A label left by an unfinished rotation blocks the next one; on the
    // current version it is a finished rotation's and harmless.
    let pending = secret.dangling_pending().map(str::to_string);
    let mut report = DisableReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        cancelled: cancel,
        cleared_pending_version: pending.clone(),
        dry_run: args.dry_run,
        status: before.clone(),
        notes: Vec::new(),
    };
    if let Some(service) = secret.owning_service.as_ref().filter(|_| cancel) {
        report.notes.push(format!(
            "{} is managed by {service}: with rotation off, {service} no longer rotates it (turn it back on: rotctl \
             schedule {} --every-days N)",
            secret.name, secret.name
        ));
    }
    if args.dry_run || report.nothing_to_do() {
        return Ok(report);
    }
    prompt::confirm(
        ctx,
        &format!(
            "Turn off rotation of {}{}: it will not rotate again until rotation is turned back on.",
            secret.name,
            pending.as_ref().map(|v| format!(" and remove AWSPENDING from version {v}")).unwrap_or_default()
        ),
        &format!("disable of {} turns rotation off", secret.name),
    )
    .await?;
    let applied = async {
        if cancel {
            secrets::cancel_rotation(&clients.secrets, &secret.arn).await?;
        }
        if let Some(version) = &pending {
            secrets::move_label(&clients.secrets, &secret.arn, AWSPENDING, Some(version), None).await?;
        }
        // Rotation is off and the label gone: no failure evidence applies (the owner of a managed one is read).
        let read = secrets::read(&clients.secrets, region, &secret.arn).await?;
        Ok::<_, Error>(crate::aws::rotation::status(clients, read, ctx.now).await)
    };
    report.status = applied.await.map_err(|error| {
        error.after_sent(
            format!("disable of {} stopped part-way", secret.name),
            Some(format!(
                "changes already sent may have applied: run rotctl disable {} --yes again, it is safe to repeat",
                secret.name
            )),
        )
    })?;
    Ok(report)
}

/// What Ctrl-C leaves behind when rotctl had sent a change.
pub(crate) fn interrupted_advice(args: &DisableArgs) -> String {
    format!("the change rotctl had sent may still apply; run rotctl disable {} --yes again to be sure", args.secret)
}
