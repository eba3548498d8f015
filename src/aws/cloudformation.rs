//! CloudFormation: deploying the rotation function's stack through a change set.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, TemplateStage};

use super::error::explain;
use super::wait::{self, Poll, Schedule};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// What rotctl needs to know about a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stack {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) outputs: BTreeMap<String, String>,
    pub(crate) parameters: BTreeMap<String, String>,
}

impl Stack {
    /// A stack whose last operation is still running.
    pub(crate) fn in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS") && self.status != "REVIEW_IN_PROGRESS"
    }
}

/// DescribeStacks; None when there is no such stack (or only a deleted one).
pub(crate) async fn stack(client: &Client, name: &str) -> Result<Option<Stack>> {
    let output = match client.describe_stacks().stack_name(name).send().await {
        Ok(output) => output,
        // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
        Err(error)
            if error
                .as_service_error()
                .and_then(|e| e.meta().message())
                .is_some_and(|m| m.contains("does not exist")) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(explain(error, "cloudformation:DescribeStacks")),
    };
    let Some(stack) = output.stacks().first() else { return Ok(None) };
    let status = stack.stack_status().map(|s| s.as_str().to_string()).unwrap_or_default();
    if status == "DELETE_COMPLETE" {
        return Ok(None);
    }
    Ok(Some(Stack {
        id: stack.stack_id().unwrap_or_default().to_string(),
        name: stack.stack_name().unwrap_or(name).to_string(),
        status,
        outputs: stack
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
            .collect(),
        parameters: stack
            .parameters()
            .iter()
            .filter_map(|p| Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or_default().to_string())))
            .collect(),
    }))
}

/// The template the stack was last deployed from, as submitted.
pub(crate) async fn template(client: &Client, name: &str) -> Result<String> {
    let output = client
        .get_template()
        .stack_name(name)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|error| explain(error, "cloudformation:GetTemplate"))?;
    Ok(output.template_body().unwrap_or_default().to_string())
}

/// One stack deployment: what to create or update, and with what.
#[derive(Debug, Clone)]
pub(crate) struct Deployment<'a> {
    pub(crate) stack_name: &'a str,
    /// Named after the content, so an interrupted run finds its own change set again.
    pub(crate) change_set_name: String,
    pub(crate) create: bool,
    pub(crate) template_body: &'a str,
    pub(crate) parameters: &'a BTreeMap<String, String>,
    pub(crate) capabilities: &'a [&'a str],
}

/// How long a stack may take before rotctl stops waiting (exit 4).
const STACK_TIMEOUT: Duration = Duration::from_mins(30);

/// CreateChangeSet (or finds the one an interrupted run made), waits for it,
/// shows its changes, executes it and waits for the stack. On failure, the
/// error carries the stack events that explain it.
pub(crate) async fn deploy(client: &Client, deployment: &Deployment<'_>, progress: &Progress) -> Result<Stack> {
    let parameters: Vec<Parameter> = deployment
        .parameters
        .iter()
        .map(|(key, value)| Parameter::builder().parameter_key(key).parameter_value(value).build())
        .collect();
    let created = client
        .create_change_set()
        .stack_name(deployment.stack_name)
        .change_set_name(&deployment.change_set_name)
        .change_set_type(if deployment.create { ChangeSetType::Create } else { ChangeSetType::Update })
        .template_body(deployment.template_body)
        .set_parameters(Some(parameters))
        .set_capabilities(Some(deployment.capabilities.iter().map(|c| Capability::from(*c)).collect()))
        .description("Secrets Manager rotation function, deployed by rotctl")
        .send()
        .await;
    match created {
        Ok(_) => {
            progress
                .say(&format!("stack {}: change set {} created", deployment.stack_name, deployment.change_set_name));
        }
        Err(error)
            if error.as_service_error().is_some_and(
                aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetError::is_already_exists_exception,
            ) =>
        {
            progress
                .say(&format!("stack {}: re-using change set {}", deployment.stack_name, deployment.change_set_name));
        }
        Err(error) => return Err(explain(error, "cloudformation:CreateChangeSet")),
    }

    change_set_created(client, deployment, progress).await?;
    client
        .execute_change_set()
        .stack_name(deployment.stack_name)
        .change_set_name(&deployment.change_set_name)
        .send()
        .await
        .map_err(|error| explain(error, "cloudformation:ExecuteChangeSet"))?;
    progress.say(&format!("stack {}: deploying", deployment.stack_name));
    wait(client, deployment.stack_name, progress).await
}

/// Waits for the change set to be made, then says what it will change.
async fn change_set_created(client: &Client, deployment: &Deployment<'_>, progress: &Progress) -> Result<()> {
    let stack = deployment.stack_name;
    let what = format!("making a change set for stack {stack}");
    let schedule = Schedule { first: Duration::from_millis(500), max: Duration::from_secs(5), limit: STACK_TIMEOUT };
    let made = wait::until(progress, format!("waiting for the change set of stack {stack}"), schedule, || async {
        let change_set = client
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(&deployment.change_set_name)
            .send()
            .await
            .map_err(|error| explain(error, "cloudformation:DescribeChangeSet"))?;
        Ok(match change_set.status() {
            Some(ChangeSetStatus::CreateComplete) => Poll::Done(Ok(change_set)),
            Some(ChangeSetStatus::Failed) => Poll::Done(Err(Error::failed(
                &what,
                change_set.status_reason().unwrap_or("no reason given").to_string(),
            ))),
            _ => Poll::Pending(None),
        })
    })
    .await?;
    let change_set = made.ok_or_else(|| {
        Error::timed_out(
            &what,
            "it is still being made after 30 minutes",
            "re-run enable later: it finds the change set again",
        )
    })??;
    for change in change_set.changes() {
        if let Some(resource) = change.resource_change() {
            progress.say(&format!(
                "stack {stack}: will {} {} ({})",
                resource.action().map(|a| a.as_str().to_lowercase()).unwrap_or_default(),
                resource.logical_resource_id().unwrap_or_default(),
                resource.resource_type().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// Waits for the stack's current operation to end, whatever it is (rotctl's
/// own deployment, or one it found running); a failed one is an error naming
/// the resources that failed and why (from the stack events).
///
/// CloudFormation's SDK waiters (StackCreateComplete, StackUpdateComplete,
/// ChangeSetCreateComplete) poll every 30 to 120 s, a cadence the SDK does not
/// let a caller change: a change set ready in 5 s would be seen after 30, a
/// stack after up to two minutes more. The shared poll helper sees both
/// within seconds (0.5 s, growing to 10 s).
pub(crate) async fn wait(client: &Client, name: &str, progress: &Progress) -> Result<Stack> {
    let _running = progress.running_in_aws(format!(
        "CloudFormation goes on deploying stack {name} (check: aws cloudformation describe-stacks --stack-name {name}; \
         the same rotctl enable run again waits for it and finishes)"
    ));
    let schedule = Schedule { first: Duration::from_millis(500), max: Duration::from_secs(10), limit: STACK_TIMEOUT };
    let ended = wait::until(progress, format!("waiting for stack {name}"), schedule, || async {
        let current = stack(client, name)
            .await?
            .ok_or_else(|| Error::failed(format!("deploying stack {name}"), "the stack disappeared"))?;
        Ok(if current.in_progress() {
            Poll::Pending(Some(format!("waiting for stack {name}: {}", current.status)))
        } else {
            Poll::Done(current)
        })
    })
    .await?;
    let stack = ended.ok_or_else(|| {
        Error::timed_out(
            format!("waiting for stack {name}"),
            "it is still deploying after 30 minutes",
            "it may still finish; re-run enable then",
        )
    })?;
    if stack.status.ends_with("_COMPLETE") && !stack.status.contains("ROLLBACK") {
        Ok(stack)
    } else {
        Err(failure(client, &stack).await)
    }
}

async fn failure(client: &Client, stack: &Stack) -> Error {
    let mut reasons = Vec::new();
    for (resource, kind, reason, nested) in failed_resources(client, &stack.id).await {
        // A nested stack (a rotation application) names only "was not successfully
        // created": the cause is in its own events.
        let inner = match nested {
            Some(nested) => failed_resources(client, &nested).await,
            None => Vec::new(),
        };
        if inner.is_empty() {
            reasons.push(format!("{resource} ({kind}): {reason}"));
        }
        reasons.extend(inner.into_iter().map(|(r, k, why, _)| format!("{resource} > {r} ({k}): {why}")));
    }
    reasons.truncate(3);
    let why = if reasons.is_empty() { "no failed resource was reported".to_string() } else { reasons.join("; ") };
    let fix = if stack.status == "ROLLBACK_COMPLETE" {
        format!(
            "fix the cause, delete the stack (aws cloudformation delete-stack --stack-name {}), and re-run",
            stack.name
        )
    } else {
        "fix the cause and re-run".to_string()
    };
    Error::Failed(crate::error::Message::new(format!("stack {} ended {}", stack.name, stack.status), why).fix(fix))
}

/// The resources of a stack that failed, oldest first: (logical id, type,
/// reason, the nested stack's id when the resource is a stack). A stack whose
/// events cannot be read has none.
async fn failed_resources(client: &Client, stack: &str) -> Vec<(String, String, String, Option<String>)> {
    let Ok(output) = client.describe_stack_events().stack_name(stack).send().await else { return Vec::new() };
    let mut failed: Vec<_> = output
        .stack_events()
        .iter()
        .filter(|e| e.resource_status().is_some_and(|s| s.as_str().ends_with("_FAILED")))
        .filter_map(|e| {
            let kind = e.resource_type().unwrap_or("?").to_string();
            let nested = (kind == "AWS::CloudFormation::Stack" && e.physical_resource_id() != Some(stack))
                .then(|| e.physical_resource_id().map(str::to_string))
                .flatten()
                .filter(|id| id.starts_with("arn:"));
            Some((
                e.logical_resource_id().unwrap_or("?").to_string(),
                kind,
                e.resource_status_reason()?.to_string(),
                nested,
            ))
        })
        .collect();
    // DescribeStackEvents answers newest first; the first failure is the cause.
    failed.reverse();
    failed.truncate(3);
    failed
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
    use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
    use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
    use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
    use aws_sdk_cloudformation::types::{
        Change, ChangeAction, ChangeSetStatus, Output, ResourceChange, ResourceStatus, StackEvent, StackStatus,
    };
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;
    use crate::templates;

    fn stack(status: StackStatus, outputs: &[(&str, &str)]) -> DescribeStacksOutput {
        let mut stack = aws_sdk_cloudformation::types::Stack::builder()
            .stack_name("rotctl-prod-db")
            .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/rotctl-prod-db/1")
            .stack_status(status)
            .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0));
        for (key, value) in outputs {
            stack = stack.outputs(Output::builder().output_key(*key).output_value(*value).build());
        }
        DescribeStacksOutput::builder().stacks(stack.build()).build()
    }

    fn ready_change_set() -> DescribeChangeSetOutput {
        let change = ResourceChange::builder()
            .action(ChangeAction::Add)
            .logical_resource_id(templates::APPLICATION_RESOURCE)
            .resource_type("AWS::Serverless::Application")
            .build();
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .changes(Change::builder().resource_change(change).build())
            .build()
    }

    /// The SAR path: the emulator has no Serverless Application Repository,
    /// so the change-set flow is checked against canned CloudFormation answers.
    /// (The clock is paused: the stack waiter's 30 s pause passes at once.)
    #[tokio::test(start_paused = true)]
    async fn a_sar_template_is_deployed_through_a_change_set() {
        let template = templates::find("postgres-single").expect("in the catalogue");
        let body =
            templates::stack_template(template, "1.1.671", "us-east-1", &templates::TemplateParameters::default());
        let create = mock!(Client::create_change_set)
            .match_requests(|r| {
                r.change_set_type() == Some(&ChangeSetType::Create)
                    && r.capabilities() == [Capability::CapabilityIam, Capability::CapabilityAutoExpand]
                    && r.template_body().is_some_and(|b| b.contains("AWS::Serverless::Application"))
            })
            .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
        let describe = mock!(Client::describe_change_set).then_output(ready_change_set);
        let execute = mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
        let stacks = mock!(Client::describe_stacks)
            .sequence()
            .output(|| stack(StackStatus::CreateInProgress, &[]))
            .output(|| {
                stack(
                    StackStatus::CreateComplete,
                    &[("RotationLambdaARN", "arn:aws:lambda:us-east-1:123456789012:function:f")],
                )
            })
            .build();
        let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&create, &describe, &execute, &stacks]);
        let parameters = BTreeMap::new();
        let deployment = Deployment {
            stack_name: "rotctl-prod-db",
            change_set_name: "rotctl-0".into(),
            create: true,
            template_body: &body,
            parameters: &parameters,
            capabilities: templates::SAR_CAPABILITIES,
        };
        let deployed = deploy(&client, &deployment, &Progress::quiet()).await.expect("deployed");
        assert_eq!(deployed.outputs["RotationLambdaARN"], "arn:aws:lambda:us-east-1:123456789012:function:f");
        assert_eq!((create.num_calls(), execute.num_calls(), stacks.num_calls()), (1, 1, 2));
    }

    #[tokio::test]
    async fn a_failed_stack_is_explained_by_its_events() {
        let stacks = mock!(Client::describe_stacks).then_output(|| stack(StackStatus::RollbackComplete, &[]));
        let events = mock!(Client::describe_stack_events).then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(
                    StackEvent::builder()
                        .stack_id("s")
                        .event_id("1")
                        .stack_name("rotctl-prod-db")
                        .timestamp(aws_sdk_cloudformation::primitives::DateTime::from_secs(1))
                        .logical_resource_id(templates::APPLICATION_RESOURCE)
                        .resource_type("AWS::Serverless::Application")
                        .resource_status(ResourceStatus::CreateFailed)
                        .resource_status_reason("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
                        .build(),
                )
                .build()
        });
        let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&stacks, &events]);
        let error = wait(&client, "rotctl-prod-db", &Progress::quiet()).await.expect_err("a failed stack");
        let message = format!("{error:#}");
        assert!(message.contains("ROLLBACK_COMPLETE"), "{message}");
        assert!(
            message.contains("RotationApplication (AWS::Serverless::Application): Requires capabilities"),
            "{message}"
        );
        assert!(message.contains("delete-stack --stack-name rotctl-prod-db"), "{message}");
    }
}
