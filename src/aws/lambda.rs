//! Lambda: the rotation function's configuration and resource policy.

use std::time::Duration;

use anyhow::Result;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::{LastUpdateStatus, VpcConfig};

use super::error::explain;
use super::poll::Backoff;
use crate::exit;

/// What rotctl needs to know about a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub arn: String,
    pub name: String,
    pub runtime: Option<String>,
    /// Subnets, security groups and VPC, when the function runs in a VPC.
    pub vpc: Option<FunctionVpc>,
    pub last_update_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionVpc {
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
}

/// GetFunctionConfiguration; None when there is no such function.
pub async fn function(client: &Client, arn: &str) -> Result<Option<Function>> {
    let output = match client.get_function_configuration().function_name(arn).send().await {
        Ok(output) => output,
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => return Ok(None),
        Err(error) => return Err(explain(error, "lambda:GetFunctionConfiguration")),
    };
    let vpc = output.vpc_config().filter(|vpc| !vpc.subnet_ids().is_empty()).map(|vpc| FunctionVpc {
        vpc_id: vpc.vpc_id().unwrap_or_default().to_string(),
        subnet_ids: vpc.subnet_ids().to_vec(),
        security_group_ids: vpc.security_group_ids().to_vec(),
    });
    Ok(Some(Function {
        arn: output.function_arn().unwrap_or(arn).to_string(),
        name: output.function_name().unwrap_or_default().to_string(),
        runtime: output.runtime().map(|r| r.as_str().to_string()),
        vpc,
        last_update_status: output.last_update_status().map(|s| s.as_str().to_string()),
    }))
}

/// The function's resource policy document (JSON); None when it has none.
pub async fn policy(client: &Client, arn: &str) -> Result<Option<String>> {
    match client.get_policy().function_name(arn).send().await {
        Ok(output) => Ok(output.policy().map(str::to_string)),
        // "ResourceNotFoundException" is also the answer for a function without a policy.
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(None),
        Err(error) => Err(explain(error, "lambda:GetPolicy")),
    }
}

/// What AddPermission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added,
    /// A statement with this id was already there (a retried or interrupted run).
    AlreadyThere,
}

/// AddPermission: secretsmanager.amazonaws.com may invoke the function, for
/// calls on behalf of `account` only (aws:SourceAccount: no confused deputy).
/// No SourceArn: that would tie the function to one secret.
pub async fn allow_secretsmanager(client: &Client, arn: &str, statement_id: &str, account: &str) -> Result<Added> {
    let result = client
        .add_permission()
        .function_name(arn)
        .statement_id(statement_id)
        .action("lambda:InvokeFunction")
        .principal("secretsmanager.amazonaws.com")
        .source_account(account)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Added::Added),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_conflict_exception()) => {
            Ok(Added::AlreadyThere)
        }
        Err(error) => Err(explain(error, "lambda:AddPermission")),
    }
}

/// UpdateFunctionConfiguration with the VPC config, then waits until Lambda
/// reports the update done (LastUpdateStatus Successful).
pub async fn set_vpc(client: &Client, arn: &str, subnet_ids: &[String], security_group_ids: &[String]) -> Result<()> {
    let vpc = VpcConfig::builder()
        .set_subnet_ids(Some(subnet_ids.to_vec()))
        .set_security_group_ids(Some(security_group_ids.to_vec()))
        .build();
    client
        .update_function_configuration()
        .function_name(arn)
        .vpc_config(vpc)
        .send()
        .await
        .map_err(|error| explain(error, "lambda:UpdateFunctionConfiguration"))?;
    wait_updated(client, arn).await
}

/// Waits for LastUpdateStatus to leave InProgress
/// (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
async fn wait_updated(client: &Client, arn: &str) -> Result<()> {
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(5), Duration::from_secs(15 * 60));
    loop {
        let output = client
            .get_function_configuration()
            .function_name(arn)
            .send()
            .await
            .map_err(|error| explain(error, "lambda:GetFunctionConfiguration"))?;
        match output.last_update_status() {
            Some(LastUpdateStatus::InProgress) => {}
            Some(LastUpdateStatus::Failed) => {
                return Err(anyhow::anyhow!(
                    "updating {arn} failed: {} ({})",
                    output.last_update_status_reason().unwrap_or("no reason given"),
                    output.last_update_status_reason_code().map(|c| c.as_str()).unwrap_or("no code")
                ));
            }
            _ => return Ok(()),
        }
        if !backoff.wait().await {
            return Err(exit::timed_out(format!(
                "{arn} is still updating after 15 minutes (it may still finish; re-run enable then)"
            )));
        }
    }
}

/// The function's tags (GetFunction); None when there is no such function.
/// Functions from a Serverless Application Repository application carry
/// `serverlessrepo:applicationId`, which names the rotation template.
pub async fn tags(client: &Client, arn: &str) -> Result<Option<std::collections::BTreeMap<String, String>>> {
    match client.get_function().function_name(arn).send().await {
        Ok(output) => Ok(Some(output.tags().map(|t| t.clone().into_iter().collect()).unwrap_or_default())),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(None),
        Err(error) => Err(explain(error, "lambda:GetFunction")),
    }
}
