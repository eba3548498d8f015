//! `rotctl disable`: turn rotation off and clear what a rotation left pending.

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::arn::SecretId;
use crate::aws::{Clients, secrets};
use crate::context::Context;
use crate::exit::usage;
use crate::model::{AWSPENDING, SecretStatus};
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

/// `{"Name", "ARN", "Cancelled", "ClearedPendingVersion", "Status"}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisableReport {
    pub name: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    /// Whether CancelRotateSecret was (or, in a dry run, would be) called.
    pub cancelled: bool,
    /// The version AWSPENDING was removed from, if a rotation had left one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleared_pending_version: Option<String>,
    pub dry_run: bool,
    pub status: SecretStatus,
}

impl DisableReport {
    pub fn nothing_to_do(&self) -> bool {
        !self.cancelled && self.cleared_pending_version.is_none()
    }
}

pub async fn run(clients: &Clients, ctx: &Context, args: &DisableArgs) -> Result<DisableReport> {
    let region = clients.region.as_str();
    let id = SecretId::parse(&args.secret, region).map_err(usage)?;
    let before = super::status::one(&clients.secrets, region, id.as_str(), ctx.now).await?;
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
    };
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
        "disable turns rotation off: pass --yes to confirm it",
    )
    .await?;
    let applied = async {
        if cancel {
            secrets::cancel_rotation(&clients.secrets, &secret.arn).await?;
        }
        if let Some(version) = &pending {
            secrets::move_label(&clients.secrets, &secret.arn, AWSPENDING, Some(version), None).await?;
        }
        super::status::one(&clients.secrets, region, &secret.arn, ctx.now).await
    };
    report.status = applied.await.map_err(|error| {
        crate::exit::after_sent(
            error,
            format!(
            "disable of {} stopped part-way: changes already sent may have applied (run rotctl disable {} --yes again: \
             it is safe to repeat)",
            secret.name, secret.name
        ))
    })?;
    Ok(report)
}
