//! Lambda: the rotation function's configuration and resource policy.

use std::time::Duration;

use aws_sdk_lambda::Client;
use aws_sdk_lambda::client::Waiters as _;
use aws_sdk_lambda::types::VpcConfig;
use aws_smithy_runtime_api::client::waiters::error::WaiterError;

use super::error::explain;
use crate::error::{Error, Result};

/// What rotctl needs to know about a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Function {
    pub(crate) arn: String,
    pub(crate) name: String,
    /// Subnets, security groups and VPC, when the function runs in a VPC.
    pub(crate) vpc: Option<FunctionVpc>,
    /// Its Lambda runtime (None for a container image).
    pub(crate) runtime: Option<String>,
    /// Its timeout, in seconds.
    pub(crate) timeout: Option<i32>,
    /// Its execution role.
    pub(crate) role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionVpc {
    pub(crate) vpc_id: String,
    pub(crate) subnet_ids: Vec<String>,
    pub(crate) security_group_ids: Vec<String>,
}

/// GetFunctionConfiguration; None when there is no such function.
pub(crate) async fn function(client: &Client, arn: &str) -> Result<Option<Function>> {
    let output = match client.get_function_configuration().function_name(arn).send().await {
        Ok(output) => output,
        Err(error) if error.as_service_error().is_some_and(aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError::is_resource_not_found_exception) => return Ok(None),
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
        vpc,
        runtime: output.runtime().map(|r| r.as_str().to_string()),
        timeout: output.timeout(),
        role: output.role().map(str::to_string),
    }))
}

/// The function's resource policy document (JSON); None when it has none.
pub(crate) async fn policy(client: &Client, arn: &str) -> Result<Option<String>> {
    match client.get_policy().function_name(arn).send().await {
        Ok(output) => Ok(output.policy().map(str::to_string)),
        // "ResourceNotFoundException" is also the answer for a function without a policy.
        Err(error)
            if error.as_service_error().is_some_and(
                aws_sdk_lambda::operation::get_policy::GetPolicyError::is_resource_not_found_exception,
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(explain(error, "lambda:GetPolicy")),
    }
}

/// What AddPermission did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    Added,
    /// A statement with this id was already there (a retried or interrupted run).
    AlreadyThere,
}

/// AddPermission: secretsmanager.amazonaws.com may invoke the function, for
/// calls on behalf of `account` only (aws:SourceAccount: no confused deputy).
/// No SourceArn: that would tie the function to one secret.
pub(crate) async fn allow_secretsmanager(
    client: &Client,
    arn: &str,
    statement_id: &str,
    account: &str,
) -> Result<Added> {
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
        Err(error)
            if error.as_service_error().is_some_and(
                aws_sdk_lambda::operation::add_permission::AddPermissionError::is_resource_conflict_exception,
            ) =>
        {
            Ok(Added::AlreadyThere)
        }
        Err(error) => Err(explain(error, "lambda:AddPermission")),
    }
}

/// UpdateFunctionConfiguration with the VPC config, then waits until Lambda
/// reports the update done (LastUpdateStatus Successful).
pub(crate) async fn set_vpc(
    client: &Client,
    arn: &str,
    subnet_ids: &[String],
    security_group_ids: &[String],
) -> Result<()> {
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

/// How long a function update may take before rotctl stops waiting (exit 4).
const UPDATE_TIMEOUT: Duration = Duration::from_mins(15);

/// Waits for LastUpdateStatus to leave InProgress, with the SDK's
/// FunctionUpdated waiter (GetFunctionConfiguration every 5 s at first)
/// (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
async fn wait_updated(client: &Client, arn: &str) -> Result<()> {
    match client.wait_until_function_updated().function_name(arn).wait(UPDATE_TIMEOUT).await {
        Ok(_) => Ok(()),
        Err(WaiterError::FailureState(failed)) => {
            let output = failed.final_poll().as_result().ok();
            Err(Error::failed(
                format!("updating {arn}"),
                format!(
                    "Lambda reports the update failed: {} ({})",
                    output.and_then(|o| o.last_update_status_reason()).unwrap_or("no reason given"),
                    output.and_then(|o| o.last_update_status_reason_code()).map_or("no code", |c| c.as_str())
                ),
            ))
        }
        Err(WaiterError::ExceededMaxWait(_)) => Err(Error::timed_out(
            format!("updating {arn}"),
            "the function is still updating after 15 minutes",
            "it may still finish; re-run enable then",
        )),
        Err(WaiterError::OperationFailed(failed)) => {
            Err(explain(failed.into_error(), "lambda:GetFunctionConfiguration"))
        }
        Err(other) => Err(Error::failed(format!("waiting for {arn} to update"), other.to_string())),
    }
}

/// The function's tags (GetFunction); None when there is no such function.
/// Functions from a Serverless Application Repository application carry
/// `serverlessrepo:applicationId`, which names the rotation template.
pub(crate) async fn tags(client: &Client, arn: &str) -> Result<Option<std::collections::BTreeMap<String, String>>> {
    match client.get_function().function_name(arn).send().await {
        Ok(output) => Ok(Some(output.tags().map(|t| t.clone().into_iter().collect()).unwrap_or_default())),
        Err(error)
            if error.as_service_error().is_some_and(
                aws_sdk_lambda::operation::get_function::GetFunctionError::is_resource_not_found_exception,
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(explain(error, "lambda:GetFunction")),
    }
}
