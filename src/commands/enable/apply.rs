//! `enable`'s changes: one function per step, each called only when the
//! plan says so, each safe to repeat after an interrupted run.

use super::plan::{self, STATEMENT_ID};
use super::request::Request;
use super::{Network, StackWork, read_function, stack_output, step};
use crate::aws::{Clients, cloudformation, ec2, lambda, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Message, Result};
use crate::model::{Action, EnableStep, Outcome, PlannedStep, Rotation, RotationRules, Secret};
use crate::naming;

/// The stack step: waits for a deployment someone else started and decides
/// again, then deploys through a change set when the plan says so. Returns
/// the step as planned and the function the stack outputs, once known.
pub(super) async fn stack(
    env: &Env,
    clients: &Clients,
    request: &Request,
    work: StackWork,
) -> Result<(PlannedStep, Option<lambda::Function>)> {
    let StackWork { name, body, parameters, capabilities, mut existing, mut decision } = work;
    let mut function = None;
    if existing.as_ref().is_some_and(cloudformation::Stack::in_progress) && !request.dry_run {
        // Another deployment is running: wait for it, then decide again.
        let settled = cloudformation::wait(&clients.cloudformation, &name, &env.progress).await?;
        let deployed = cloudformation::template(&clients.cloudformation, &name).await?;
        decision = plan::stack(&name, Some(&settled), Some(&deployed), &body, &parameters)
            .map_err(|why| Error::failed(format!("stack {name}"), why))?;
        if decision.action == Action::Ok {
            function = Some(read_function(clients, &stack_output(Some(&settled))?).await?);
        }
        existing = Some(settled);
    }
    let planned = step(EnableStep::Stack, &decision);
    if decision.action == Action::Ok || request.dry_run {
        return Ok((planned, function));
    }
    let deployment = cloudformation::Deployment {
        stack_name: &name,
        change_set_name: naming::change_set_name(&body, &parameters),
        create: existing.as_ref().is_none_or(|s| s.status == "REVIEW_IN_PROGRESS"),
        template_body: &body,
        parameters: &parameters,
        capabilities: &capabilities,
    };
    let deployed = cloudformation::deploy(&clients.cloudformation, &deployment, &env.progress).await?;
    let arn = stack_output(Some(&deployed))?;
    let function = lambda::function(&clients.lambda, &arn).await?.ok_or_else(|| {
        Error::failed(
            format!("deploying stack {name}"),
            format!("it outputs RotationLambdaARN {arn}, but there is no such function"),
        )
    })?;
    Ok((planned, Some(function)))
}

/// AddPermission for Secrets Manager, scoped to the secret's account.
pub(super) async fn invoke_permission(clients: &Clients, function_arn: &str, secret_arn: &str) -> Result<()> {
    let account = secret_arn.split(':').nth(4).unwrap_or_default();
    if lambda::allow_secretsmanager(&clients.lambda, function_arn, STATEMENT_ID, account).await?
        == lambda::Added::AlreadyThere
    {
        // An earlier, interrupted run added it, or the id is taken by something else: look again.
        let policy = lambda::policy(&clients.lambda, function_arn).await?;
        if plan::invoke_permission(policy.as_deref(), secret_arn).action != Action::Ok {
            return Err(Error::Failed(
                Message::new(
                    "letting Secrets Manager invoke the function",
                    format!(
                        "the function's policy has a statement {STATEMENT_ID} that does not let Secrets Manager \
                         invoke it for {account}"
                    ),
                )
                .fix(format!(
                    "remove it: aws lambda remove-permission --function-name {function_arn} --statement-id {STATEMENT_ID}"
                )),
            ));
        }
    }
    Ok(())
}

/// UpdateFunctionConfiguration with the subnets and security groups, and the wait for it.
pub(super) async fn vpc_config(
    env: &Env,
    clients: &Clients,
    request: &Request,
    function: &lambda::Function,
) -> Result<()> {
    env.progress.say(&format!("updating the VPC config of {}", function.name));
    let _running = env.progress.running_in_aws(format!(
        "if the VPC config update of {} reached Lambda, Lambda goes on applying it (the same rotctl enable run again \
         waits for it and finishes)",
        function.name
    ));
    lambda::set_vpc(&clients.lambda, &function.arn, &request.subnet_ids, &request.security_group_ids).await
}

/// CreateVpcEndpoint in the function's subnets (one per availability zone,
/// as AWS requires) with the function's security groups.
pub(super) async fn vpc_endpoint(
    env: &Env,
    clients: &Clients,
    request: &Request,
    function: &lambda::Function,
    network: &Network,
    vpc: &str,
) -> Result<()> {
    let (subnet_ids, groups) = match (&request.subnet_ids[..], &function.vpc) {
        ([], Some(current)) => (current.subnet_ids.clone(), current.security_group_ids.clone()),
        (ids, _) => (ids.to_vec(), request.security_group_ids.clone()),
    };
    let subnets = if network.subnets.is_empty() {
        ec2::subnets(&clients.ec2, &subnet_ids).await?
    } else {
        network.subnets.clone()
    };
    let mut zones = std::collections::BTreeSet::new();
    let one_per_zone: Vec<String> =
        subnets.into_iter().filter(|s| zones.insert(s.availability_zone.clone())).map(|s| s.id).collect();
    env.progress.say(&format!("creating a Secrets Manager endpoint in {vpc}"));
    ec2::create_secretsmanager_endpoint(&clients.ec2, &clients.region, vpc, &one_per_zone, &groups, &env.progress)
        .await?;
    Ok(())
}

/// RotateSecret with the function and rules; with --wait, the first rotation's outcome.
pub(super) async fn rotation(
    env: &Env,
    clients: &Clients,
    request: &Request,
    secret: &Secret,
    function_arn: &str,
    rules: &RotationRules,
    notes: &mut Vec<String>,
) -> Result<Option<Rotation>> {
    let started = jiff::Timestamp::now();
    let version =
        secrets::rotate(&clients.secrets, &secret.arn, Some(function_arn), rules, request.immediately).await?;
    let Some(timeout) = request.wait else { return Ok(None) };
    let (outcome, failure) = follow::wait(clients, &env.progress, secret, &version, started, timeout, false).await?;
    if let Some(failure) = &failure {
        notes.push(failure.sentence("the first rotation"));
    } else if outcome == Outcome::TimedOut {
        notes.push(format!("the first rotation (version {version}) has not finished; it may still finish in AWS"));
    }
    Ok(Some(Rotation { version_id: version, outcome, failure }))
}
