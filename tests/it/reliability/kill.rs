//! SIGKILL: `enable` killed before or after each of its changes converges
//! on a re-run to the state of one uninterrupted run.

use serde_json::json;

use super::checked_grants;
use crate::harness::{World, arn_tag, mutating};

/// The mutating calls of a full `enable` (stack, permission, VPC config,
/// endpoint, rotation), in order: the points a kill can fall between.
const ENABLE_CHANGES: [&str; 6] = [
    "CreateChangeSet",
    "ExecuteChangeSet",
    "AddPermission",
    "UpdateFunctionConfiguration",
    "CreateVpcEndpoint",
    "RotateSecret",
];

/// `enable` with every step to do is killed at `operation` (before AWS got
/// it: `Hold`; after AWS applied it: `HoldAnswer`), then run again: the end
/// state is that of one uninterrupted run.
async fn killed_at(world: &World, i: usize, hold: &str, operation: &str) {
    let name = format!("k{i}");
    let secret = world.secret(&name).await;
    let vpc = world.vpc().await;
    let template = world.template_file(&name, false);
    let subnets = vpc.subnets.join(",");
    let template = template.to_str().expect("a UTF-8 path");
    let args = [
        "enable",
        &secret,
        "--template-file",
        template,
        "--subnet-ids",
        &subnets,
        "--security-group-ids",
        &vpc.security_group,
    ];
    world.fault(json!({"Operation": operation, hold: 30}));
    let first_call = world.calls().len();
    let child = world.rotctl(&args).spawn();
    world.wait_for_held(operation).await;
    child.kill();
    world.clear_faults();
    // Hold: AWS never got the call; HoldAnswer: AWS applied it (200), rotctl never heard.
    let calls = world.calls()[first_call..].to_vec();
    let applied = calls.iter().any(|c| c.operation == operation && c.status == 200);
    assert_eq!(applied, hold == "HoldAnswer", "{hold} {operation}: {calls:?}");
    if hold == "HoldAnswer" && operation == "RotateSecret" {
        // The rotation started; an operator re-runs once it has ended.
        world.wait_for_event(&secret, "RotationSucceeded").await;
    }
    world.rotctl(&args).run().code(0);

    let stack_name = format!("rotctl-{}-k{i}-{}", world.prefix, arn_tag(&secret));
    let stacks = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let ours: Vec<_> = stacks.stacks().iter().filter(|s| s.stack_name() == Some(stack_name.as_str())).collect();
    assert_eq!(ours.len(), 1, "{hold} {operation}: one stack");
    assert_eq!(
        ours[0].stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str),
        Some("CREATE_COMPLETE"),
        "{hold} {operation}"
    );
    let function = ours[0].outputs().iter().find(|o| o.output_key() == Some("RotationLambdaARN"));
    let function = function.and_then(|o| o.output_value()).expect("the function").to_string();
    assert_eq!(checked_grants(world, &function).await, 1, "{hold} {operation}: one invoke statement");
    let config = world.lambda.get_function_configuration().function_name(&function).send().await.expect("config");
    assert_eq!(config.vpc_config().and_then(|v| v.vpc_id()), Some(vpc.id.as_str()), "{hold} {operation}: in the VPC");
    assert_eq!(world.secretsmanager_endpoints(&vpc.id).await.len(), 1, "{hold} {operation}: one endpoint");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true), "{hold} {operation}");
    assert_eq!(described.rotation_lambda_arn(), Some(function.as_str()), "{hold} {operation}");
    world.wait_for_event(&secret, "RotationSucceeded").await;
    let started = world.rotation_events(&secret).iter().filter(|e| *e == "RotationStarted").count();
    assert_eq!(started, 1, "{hold} {operation}: rotation configured and started once");
    // And a third run has nothing left to do.
    let before = world.calls().len();
    world.rotctl(&args).run().code(0);
    assert!(mutating(&world.calls()[before..]).is_empty(), "{hold} {operation}: {:?}", &world.calls()[before..]);
}

/// Kills `enable` at each of its changes in turn (`Hold` or `HoldAnswer`).
async fn killed_at_each_change(hold: &str) {
    let world = World::new();
    for (i, operation) in ENABLE_CHANGES.iter().enumerate() {
        killed_at(&world, i, hold, operation).await;
    }
    eprintln!("KILLED\t{hold}\t{}", ENABLE_CHANGES.len());
}

#[tokio::test]
async fn enable_killed_before_each_change_converges() {
    killed_at_each_change("Hold").await;
}

#[tokio::test]
async fn enable_killed_after_each_change_converges() {
    killed_at_each_change("HoldAnswer").await;
}
