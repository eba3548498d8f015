//! Secrets Manager reads: metadata and versions, never values.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::primitives::DateTime;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, RotationRulesType};
use jiff::Timestamp;

use super::error::{explain, may_have_applied};
use crate::error::{Error, Result};
use crate::model::{AWSCURRENT, ReplicaStatus, RotationRules, Secret, SecretVersion, Tag};
use aws_sdk_secretsmanager::types::RotationRulesType as Rules;

/// DescribeSecret's output and a ListSecrets entry have the same accessors
/// but for the name of the version map.
macro_rules! secret_from {
    ($source:expr, $stages:ident) => {{
        let source = &$source;
        Secret {
            name: source.name().unwrap_or_default().to_string(),
            arn: source.arn().unwrap_or_default().to_string(),
            rotation_enabled: source.rotation_enabled(),
            rotation_lambda_arn: source.rotation_lambda_arn().filter(|arn| !arn.is_empty()).map(str::to_string),
            rotation_rules: source.rotation_rules().map(rules),
            last_rotated_date: source.last_rotated_date().and_then(timestamp),
            next_rotation_date: source.next_rotation_date().and_then(timestamp),
            last_accessed_date: source.last_accessed_date().and_then(timestamp),
            last_changed_date: source.last_changed_date().and_then(timestamp),
            created_date: source.created_date().and_then(timestamp),
            kms_key_id: source.kms_key_id().map(str::to_string),
            owning_service: source.owning_service().map(str::to_string),
            primary_region: source.primary_region().map(str::to_string),
            external_secret_rotation_role_arn: source.external_secret_rotation_role_arn().map(str::to_string),
            tags: source
                .tags()
                .iter()
                .map(|t| Tag {
                    key: t.key().unwrap_or_default().to_string(),
                    value: t.value().unwrap_or_default().to_string(),
                })
                .collect(),
            version_ids_to_stages: source
                .$stages()
                .map(|map| {
                    map.iter()
                        .filter(|(_, stages)| !stages.is_empty())
                        .map(|(id, stages)| (id.clone(), stages.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            versions: Vec::new(),
            replication_status: Vec::new(),
        }
    }};
}

/// ListSecrets and ListSecretVersionIds page size: AWS's maximum.
const PAGE_SIZE: i32 = 100;

/// DescribeSecret for one secret, by name or ARN.
pub(crate) async fn describe(client: &Client, region: &str, secret_id: &str) -> Result<Secret> {
    let output = client.describe_secret().secret_id(secret_id).send().await.map_err(|error| {
        if error.as_service_error().is_some_and(
            aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretError::is_resource_not_found_exception,
        ) {
            not_found(secret_id, region)
        } else {
            explain(error, "secretsmanager:DescribeSecret")
        }
    })?;
    let mut secret = secret_from!(output, version_ids_to_stages);
    secret.replication_status = output
        .replication_status()
        .iter()
        .map(|replica| ReplicaStatus {
            region: replica.region().unwrap_or_default().to_string(),
            kms_key_id: replica.kms_key_id().map(str::to_string),
            status: replica.status().map(|s| s.as_str().to_string()),
            status_message: replica.status_message().map(str::to_string),
            last_accessed_date: replica.last_accessed_date().and_then(timestamp),
        })
        .collect();
    Ok(secret)
}

/// One secret with its labelled versions and their dates: DescribeSecret and
/// ListSecretVersionIds, concurrently (what most commands start from).
pub(crate) async fn read(client: &Client, region: &str, secret_id: &str) -> Result<Secret> {
    let (secret, versions) = tokio::join!(describe(client, region, secret_id), versions(client, region, secret_id));
    let mut secret = secret?;
    match versions {
        Ok(versions) => secret.versions = versions,
        // A replica's versions are read in its primary's region (the emulator
        // refuses them here; the version dates are only needed for a pending
        // rotation, which runs on the primary). The labels come with DescribeSecret.
        Err(_) if secret.primary_region.as_deref().is_some_and(|primary| primary != region) => {}
        Err(error) => return Err(error),
    }
    Ok(secret)
}

/// `read`, after a change: a read that fails for a while (an outage past the
/// SDK's retries) is tried again, since the change already runs in AWS.
pub(crate) async fn read_patiently(client: &Client, region: &str, secret_id: &str) -> Result<Secret> {
    super::wait::patiently(std::time::Duration::from_secs(1), || read(client, region, secret_id)).await
}

/// ListSecretVersionIds: the labelled versions with their dates.
pub(crate) async fn versions(client: &Client, region: &str, secret_id: &str) -> Result<Vec<SecretVersion>> {
    list_versions(client, region, secret_id, false).await
}

/// DescribeSecret and every version (deprecated ones too), concurrently.
pub(crate) async fn describe_with_all_versions(
    client: &Client,
    region: &str,
    secret_id: &str,
) -> Result<(Secret, Vec<SecretVersion>)> {
    tokio::try_join!(describe(client, region, secret_id), all_versions(client, region, secret_id))
}

/// ListSecretVersionIds with the versions no label is on (deprecated ones, which AWS
/// keeps up to 100 of, and deletes only when older than 24 hours).
pub(crate) async fn all_versions(client: &Client, region: &str, secret_id: &str) -> Result<Vec<SecretVersion>> {
    list_versions(client, region, secret_id, true).await
}

async fn list_versions(client: &Client, region: &str, secret_id: &str, deprecated: bool) -> Result<Vec<SecretVersion>> {
    let mut pages = client
        .list_secret_version_ids()
        .secret_id(secret_id)
        .max_results(PAGE_SIZE)
        .include_deprecated(deprecated)
        .into_paginator()
        .send();
    let mut versions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| {
            if error.as_service_error().is_some_and(aws_sdk_secretsmanager::operation::list_secret_version_ids::ListSecretVersionIdsError::is_resource_not_found_exception) {
                not_found(secret_id, region)
            } else {
                explain(error, "secretsmanager:ListSecretVersionIds")
            }
        })?;
        versions.extend(page.versions().iter().map(|v| SecretVersion {
            version_id: v.version_id().unwrap_or_default().to_string(),
            version_stages: v.version_stages().to_vec(),
            created_date: v.created_date().and_then(timestamp),
            last_accessed_date: v.last_accessed_date().and_then(timestamp),
        }));
    }
    Ok(versions)
}

/// ListSecrets, every page, optionally only names starting with `name_prefix`.
/// (ListSecrets "might not reflect changes from the last five minutes".)
pub(crate) async fn list(client: &Client, name_prefix: Option<&str>) -> Result<Vec<Secret>> {
    let mut request = client.list_secrets().max_results(PAGE_SIZE);
    if let Some(prefix) = name_prefix {
        // The `name` filter matches prefixes of words, so results are checked again below.
        request = request.filters(Filter::builder().key(FilterNameStringType::Name).values(prefix).build());
    }
    let mut pages = request.into_paginator().send();
    let mut secrets = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| explain(error, "secretsmanager:ListSecrets"))?;
        secrets.extend(
            page.secret_list()
                .iter()
                .map(|entry| secret_from!(entry, secret_versions_to_stages))
                .filter(|secret| name_prefix.is_none_or(|prefix| secret.name.starts_with(prefix))),
        );
    }
    Ok(secrets)
}

fn not_found(secret_id: &str, region: &str) -> Error {
    Error::not_found(
        format!("reading secret {}", crate::error::shown(secret_id)),
        format!("it was not found in {region}"),
        "check the name or ARN, and --region",
    )
}

fn rules(rules: &RotationRulesType) -> RotationRules {
    RotationRules {
        automatically_after_days: rules.automatically_after_days(),
        schedule_expression: rules.schedule_expression().map(str::to_string),
        duration: rules.duration().map(str::to_string),
    }
}

/// AWS's dates come as epoch seconds with a fraction (`1764635879.86`), which
/// the SDK reads through a float: rounded to the millisecond AWS means, not
/// `…79.859999895`.
fn timestamp(date: &DateTime) -> Option<Timestamp> {
    let millis = (f64::from(date.subsec_nanos()) / 1_000_000.0).round() as i64;
    Timestamp::from_millisecond(date.secs().checked_mul(1000)?.checked_add(millis)?).ok()
}

/// RotateSecret with a function and rules; returns the new version's id.
/// The SDK gives the call a ClientRequestToken, so its retries are one rotation.
pub(crate) async fn rotate(
    client: &Client,
    secret_id: &str,
    function_arn: Option<&str>,
    rules: &RotationRules,
    immediately: bool,
) -> Result<String> {
    let rules = Rules::builder()
        .set_automatically_after_days(rules.automatically_after_days)
        .set_schedule_expression(rules.schedule_expression.clone())
        .set_duration(rules.duration.clone())
        .build();
    let output = client
        .rotate_secret()
        .secret_id(secret_id)
        .set_rotation_lambda_arn(function_arn.map(str::to_string))
        .rotation_rules(rules)
        .rotate_immediately(immediately)
        .send()
        .await
        .map_err(|error| explain(error, "secretsmanager:RotateSecret"))?;
    Ok(output.version_id().unwrap_or_default().to_string())
}

/// The secret's AWSCURRENT value parsed as JSON, for checking which keys it
/// has. The caller keeps only key names; the value is never printed or
/// logged. Inner error: the value is not JSON (said without quoting it).
pub(crate) async fn value_json(client: &Client, secret_id: &str) -> Result<Result<serde_json::Value, String>> {
    let output = client
        .get_secret_value()
        .secret_id(secret_id)
        .version_stage(AWSCURRENT)
        .send()
        .await
        .map_err(|error| explain(error, "secretsmanager:GetSecretValue"))?;
    Ok(match output.secret_string() {
        Some(text) => {
            serde_json::from_str(text).map_err(|_| "its value is not JSON, which rotation templates read".to_string())
        }
        None => Err("its value is binary, not the JSON rotation templates read".to_string()),
    })
}

/// RotateSecret with the configuration stored on the secret; returns the new version.
pub(crate) async fn rotate_stored(client: &Client, secret_id: &str) -> Result<String> {
    let output = client.rotate_secret().secret_id(secret_id).send().await.map_err(|error| {
        let uncertain = may_have_applied(&error);
        let explained = explain(error, "secretsmanager:RotateSecret");
        if uncertain {
            explained.after_sent(
                "asking for a rotation",
                Some("the request may have reached AWS and started a rotation: check with rotctl status before trying again".into()),
            )
        } else {
            explained
        }
    })?;
    Ok(output.version_id().unwrap_or_default().to_string())
}

/// UpdateSecretVersionStage: moves `label` to `to` (None: only removes it)
/// from `from` (required by AWS whenever the label is on another version).
pub(crate) async fn move_label(
    client: &Client,
    secret_id: &str,
    label: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    let moved = client
        .update_secret_version_stage()
        .secret_id(secret_id)
        .version_stage(label)
        .set_remove_from_version_id(from.map(str::to_string))
        .set_move_to_version_id(to.map(str::to_string))
        .send()
        .await;
    match moved {
        Ok(_) => Ok(()),
        // A retried call whose first answer was lost finds its work done:
        // the label already gone (a removal) or already on `to` (a move; AWS
        // then says it is not attached to `from`). Read back to be sure.
        Err(error)
            if error.as_service_error().is_some_and(|e| {
                e.is_invalid_parameter_exception()
                    && aws_sdk_secretsmanager::error::ProvideErrorMetadata::message(e)
                        .is_some_and(|m| m.contains("is not attached"))
            }) =>
        {
            let Some(to) = to else { return Ok(()) };
            let now = client
                .describe_secret()
                .secret_id(secret_id)
                .send()
                .await
                .map_err(|error| explain(error, "secretsmanager:DescribeSecret"))?;
            let holds = now
                .version_ids_to_stages()
                .and_then(|stages| stages.get(to))
                .is_some_and(|stages| stages.iter().any(|s| s == label));
            if holds { Ok(()) } else { Err(explain(error, "secretsmanager:UpdateSecretVersionStage")) }
        }
        Err(error) => Err(explain(error, "secretsmanager:UpdateSecretVersionStage")),
    }
}

/// CancelRotateSecret: turns rotation off and stops a rotation in progress.
pub(crate) async fn cancel_rotation(client: &Client, secret_id: &str) -> Result<()> {
    client
        .cancel_rotate_secret()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|error| explain(error, "secretsmanager:CancelRotateSecret"))?;
    Ok(())
}
