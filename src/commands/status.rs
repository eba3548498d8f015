//! `rotctl status`: rotation configuration, versions and the derived state.

use clap::Args;
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::arn::SecretId;
use crate::aws::{rds, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::{Owner, Secret, StatusReport};
use crate::owner;

/// How many secrets are read at once (each is two concurrent calls; far
/// below DescribeSecret's 10,000/s quota, and kind to a CI runner).
const CONCURRENT_SECRETS: usize = 16;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Secrets to show, by name or ARN
    #[arg(value_name = "SECRET", conflicts_with_all = ["all", "name_prefix"])]
    pub secrets: Vec<String>,

    /// Every secret in the region
    #[arg(long)]
    pub all: bool,

    /// Every secret whose name starts with PREFIX (implies --all)
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,

    /// Exit 3 unless every secret shown is healthy
    #[arg(long)]
    pub check: bool,
}

pub(crate) async fn run(env: &Env, args: &StatusArgs) -> Result<StatusReport> {
    let clients = env.clients().await?;
    let (client, region) = (&clients.secrets, clients.region.as_str());
    let mut notes = Vec::new();
    let secrets = if args.all || args.name_prefix.is_some() {
        listed(client, region, args.name_prefix.as_deref(), &mut notes).await?
    } else {
        named(client, region, &args.secrets).await?
    };
    // The owners of managed secrets, in one batch (aws::rds); an owner that
    // cannot be read leaves its status unknown, with a note.
    let mut owners: Vec<Option<Owner>> = secrets.iter().map(owner::of).collect();
    match rds::master_secrets(clients, owners.iter().flatten()).await {
        Ok(found) => {
            for (owner, secret) in owners.iter_mut().zip(&secrets) {
                if let Some(owner) = owner {
                    rds::fill(owner, &secret.arn, &found);
                }
            }
        }
        Err(error) => notes.push(format!("the owners of managed secrets could not be read: {error}")),
    }
    // Failure evidence is looked up only for a dangling AWSPENDING (aws::rotation::status).
    let secrets = stream::iter(secrets.into_iter().zip(owners))
        .map(|(secret, owner)| follow::status_with(clients, secret, owner, env.ctx.now))
        .buffered(CONCURRENT_SECRETS)
        .collect()
        .await;
    Ok(StatusReport { secrets, check: args.check, notes })
}

/// The secrets named on the command line: DescribeSecret and
/// ListSecretVersionIds for each, concurrently, in the order given.
async fn named(client: &aws_sdk_secretsmanager::Client, region: &str, names: &[String]) -> Result<Vec<Secret>> {
    if names.is_empty() {
        return Err(Error::usage(
            "status",
            "no secret was named",
            "name at least one secret, or pass --all or --name-prefix PREFIX",
        ));
    }
    let mut ids: Vec<SecretId> = Vec::new();
    for name in names {
        let id = SecretId::parse(name, region).map_err(Error::input)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    stream::iter(ids)
        .map(|id| async move { secrets::read(client, region, id.as_str()).await })
        .buffered(CONCURRENT_SECRETS)
        .try_collect()
        .await
}

/// Every secret (or those with the prefix), from ListSecrets pages. Versions
/// are read only where the state depends on their age: a dangling AWSPENDING.
async fn listed(
    client: &aws_sdk_secretsmanager::Client,
    region: &str,
    prefix: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Vec<Secret>> {
    if prefix == Some("") {
        return Err(Error::usage("--name-prefix \"\"", "the prefix is empty", "use --all for every secret"));
    }
    let mut listed = secrets::list(client, prefix).await?;
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    let results: Vec<(Secret, Result<_>)> = stream::iter(listed)
        .map(|secret| async move {
            if secret.dangling_pending().is_none() {
                return (secret, Ok(Vec::new()));
            }
            let versions = secrets::versions(client, region, &secret.arn).await;
            (secret, versions)
        })
        .buffered(CONCURRENT_SECRETS)
        .collect()
        .await;
    let mut secrets = Vec::with_capacity(results.len());
    for (mut secret, versions) in results {
        match versions {
            Ok(versions) => {
                secret.versions = versions;
                secrets.push(secret);
            }
            // Listed, then deleted before its versions were read: ListSecrets lags.
            Err(error) if error.is_not_found() => {
                notes.push(format!("{} was deleted while being read; left out", secret.name));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use aws_sdk_secretsmanager::operation::list_secret_version_ids::ListSecretVersionIdsError;
    use aws_sdk_secretsmanager::operation::list_secrets::ListSecretsOutput;
    use aws_sdk_secretsmanager::types::SecretListEntry;
    use aws_sdk_secretsmanager::types::error::ResourceNotFoundException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    fn entry(name: &str, stages: &[(&str, &str)]) -> SecretListEntry {
        let mut builder = SecretListEntry::builder()
            .name(name)
            .arn(format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"))
            .rotation_enabled(true)
            .rotation_lambda_arn("arn:aws:lambda:us-east-1:123456789012:function:rotate");
        for (version, stage) in stages {
            builder = builder.secret_versions_to_stages(*version, vec![stage.to_string()]);
        }
        builder.build()
    }

    // A secret deleted between the ListSecrets page and the read of its
    // versions: a race the emulator cannot be made to lose on cue.
    #[tokio::test]
    async fn a_secret_deleted_while_listing_is_left_out_with_a_note() {
        let list = mock!(aws_sdk_secretsmanager::Client::list_secrets).then_output(|| {
            ListSecretsOutput::builder()
                .secret_list(entry("app/a", &[("v1", "AWSCURRENT")]))
                .secret_list(entry("app/b", &[("v1", "AWSCURRENT"), ("v2", "AWSPENDING")]))
                .build()
        });
        let versions = mock!(aws_sdk_secretsmanager::Client::list_secret_version_ids).then_error(|| {
            ListSecretVersionIdsError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("Secrets Manager can't find the specified secret.")
                    .build(),
            )
        });
        let env = Env::mocked(|aws| {
            aws.secrets = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&list, &versions]);
        });
        let args = StatusArgs { secrets: vec![], all: true, name_prefix: None, check: false };
        let report = run(&env, &args).await.expect("status succeeds");
        let names: Vec<&str> = report.secrets.iter().map(|s| s.secret.name.as_str()).collect();
        assert_eq!(names, ["app/a"]);
        assert_eq!(report.notes, ["app/b was deleted while being read; left out"]);
        assert_eq!(versions.num_calls(), 1, "versions are read only for the secret whose state needs them");
    }
}
