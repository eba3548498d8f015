//! `rotctl why`: why the newest pending rotation of a secret (or the rotation
//! that made `--version`) failed: the step, the function's own error line,
//! CloudTrail's event, the class of cause (`diagnosis`) and its fix, and which
//! sources had nothing yet.

use clap::Args;

use crate::arn::SecretId;
use crate::aws::{rotation as follow, secrets};
use crate::commands::rollback::check_version_id;
use crate::diagnosis::Class;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{FailureSource, WhyReport};

#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// The version whose rotation to explain [default: the pending one]
    #[arg(long, value_name = "ID")]
    pub version: Option<String>,
}

pub(crate) async fn run(env: &Env, args: &WhyArgs) -> Result<WhyReport> {
    let clients = env.clients().await?;
    let id = SecretId::parse(&args.secret, &clients.region).map_err(Error::input)?;
    if let Some(version) = &args.version {
        check_version_id("--version", version)?;
    }
    // Every version, the unlabelled too: a retried rotation's failed version has lost its label.
    let (secret, versions) =
        secrets::describe_with_all_versions(&clients.secrets, &clients.region, id.as_str()).await?;
    let what = format!("why of {}", secret.name);
    let version = match (&args.version, secret.dangling_pending()) {
        (Some(version), _) => {
            if !versions.iter().any(|v| v.version_id == *version) {
                return Err(Error::usage(
                    what,
                    format!("the secret has no version {version}"),
                    format!("copy one from rotctl status {}", secret.name),
                ));
            }
            version.clone()
        }
        (None, Some(pending)) => pending.to_string(),
        (None, None) => {
            return Err(Error::usage(
                what,
                "no rotation is pending: AWSPENDING is on no version but the current one",
                format!(
                    "to explain an earlier rotation, pass --version ID (rotctl status {} lists the versions)",
                    secret.name
                ),
            ));
        }
    };
    let created = versions.iter().find(|v| v.version_id == version).and_then(|v| v.created_date);
    let evidence = follow::evidence(clients, &secret, &version, follow::evidence_since(created, env.ctx.now)).await;

    let mut notes = Vec::new();
    let log_group = secret.rotation_lambda_arn.as_deref().map(follow::log_group);
    match (&log_group, evidence.iter().any(|e| e.source == FailureSource::FunctionLog)) {
        (Some(group), false) => {
            notes.push(format!("the function's log {group} has no error line for version {version}"));
        }
        (None, _) => notes.push("the secret has no rotation function: only CloudTrail can say why".to_string()),
        _ => {}
    }
    if !evidence.iter().any(|e| e.source == FailureSource::Cloudtrail) {
        notes.push(
            "CloudTrail has no RotationFailed or RotationAbandoned event for the secret since this version was made \
             (CloudTrail delivers events within about 5 minutes, not guaranteed)"
                .to_string(),
        );
    }
    let first = evidence.first();
    let class = first.map(|f| Class::of(&f.message));
    if first.is_none() {
        notes.push(match secret.dangling_pending() {
            Some(pending) if pending == version => {
                format!(
                    "no source says version {version} failed yet: the rotation may still be running (rotctl status {})",
                    secret.name
                )
            }
            _ => format!("no source says why the rotation that made version {version} failed"),
        });
    }
    Ok(WhyReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        version_id: version,
        step: evidence.iter().find_map(|e| e.step.clone()),
        class,
        message: first.map(|f| f.message.clone()),
        fix: class.map(|c| c.fix().replace("SECRET", &secret.name)),
        evidence,
        notes,
    })
}
