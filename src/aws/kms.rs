//! KMS: a secret's key, its policy and its grants, read (never used): doctor
//! judges them for the rotation role (`crate::doctor::key_says`).

use aws_sdk_kms::Client;

use super::error::explain;
use crate::error::Result;

/// What doctor needs of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) arn: String,
    /// Enabled, Disabled, PendingDeletion, ...
    pub(crate) state: String,
    /// AWS (an AWS managed key such as aws/secretsmanager) or CUSTOMER.
    pub(crate) aws_managed: bool,
}

/// DescribeKey (by id, ARN or alias); None when there is no such key.
pub(crate) async fn describe(client: &Client, key_id: &str) -> Result<Option<Key>> {
    let output = match client.describe_key().key_id(key_id).send().await {
        Ok(output) => output,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(aws_sdk_kms::operation::describe_key::DescribeKeyError::is_not_found_exception) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(explain(error, "kms:DescribeKey")),
    };
    Ok(output.key_metadata().map(|m| Key {
        arn: m.arn().unwrap_or(key_id).to_string(),
        state: m.key_state().map(|s| s.as_str().to_string()).unwrap_or_default(),
        aws_managed: m.key_manager().is_some_and(|k| k.as_str() == "AWS"),
    }))
}

/// GetKeyPolicy (the key's one policy, "default") as JSON text.
pub(crate) async fn policy(client: &Client, key_arn: &str) -> Result<String> {
    let output = client
        .get_key_policy()
        .key_id(key_arn)
        .policy_name("default")
        .send()
        .await
        .map_err(|error| explain(error, "kms:GetKeyPolicy"))?;
    Ok(output.policy().unwrap_or_default().to_string())
}

/// ListGrants: each grant's grantee and operations (e.g. "Decrypt").
pub(crate) async fn grants(client: &Client, key_arn: &str) -> Result<Vec<(String, Vec<String>)>> {
    let mut pages = client.list_grants().key_id(key_arn).into_paginator().send();
    let mut grants = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| explain(error, "kms:ListGrants"))?;
        grants.extend(page.grants().iter().map(|g| {
            (
                g.grantee_principal().unwrap_or_default().to_string(),
                g.operations().iter().map(|o| o.as_str().to_string()).collect(),
            )
        }));
    }
    Ok(grants)
}
