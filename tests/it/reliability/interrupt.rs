//! Ctrl-C: while rotctl waits on AWS it stops at once (exit 130) and says
//! what goes on without it; at a confirmation prompt it changes nothing.

use std::time::Instant;

use serde_json::json;

use crate::harness::{Spawned, World, arn_tag, eventually, holder, mutating};

/// Waits until rotctl has made `operation` (answered) `times` times.
async fn wait_for_calls(world: &World, operation: &str, times: usize) {
    eventually(format!("rotctl to make {operation} {times} times"), async || {
        match world.calls().iter().filter(|c| c.operation == operation && c.status == 200).count() {
            made if made >= times => Ok(()),
            made => Err(format!("{made} so far")),
        }
    })
    .await;
}

/// Ctrl-C, then what rotctl printed. How long it took to end is printed for
/// scripts/reliability, not checked: timings belong in scripts/bench.
fn interrupt(child: Spawned) -> crate::harness::Run {
    let sent = Instant::now();
    child.interrupt();
    let run = child.finish();
    eprintln!("CTRL-C\t{} ms", sent.elapsed().as_millis());
    run
}

#[tokio::test]
async fn ctrl_c_while_waiting_for_a_rotation_stops_and_says_it_goes_on() {
    let world = World::in_region("eu-central-2");
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    world.set_function_env(&function, &[("STEP_DELAY", "1")]).await;

    let child = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).spawn();
    wait_for_calls(&world, "RotateSecret", 1).await;
    wait_for_calls(&world, "DescribeSecret", 2).await; // rotctl is polling
    let run =
        interrupt(child).fails(130, &["interrupted (Ctrl-C)", "goes on in AWS", "rotctl status", &world.name("db")]);

    // rotctl only stopped watching: the rotation it started finishes in AWS.
    let pending = holder(&world.stages(&secret).await, "AWSPENDING").expect("the rotation still running");
    assert!(run.stderr.contains(&pending), "the message names the version:\n{run}");
    world.wait_for_event(&secret, "RotationSucceeded").await;
    world.wait_for_current(&secret, &pending).await;
    assert_eq!(mutating(&world.calls()), ["RotateSecret"], "Ctrl-C sent nothing else");
}

#[tokio::test]
async fn ctrl_c_at_a_confirmation_prompt_changes_nothing() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    let before = world.stages(&secret).await;
    let mut terminal = world.rotctl(&["rollback", &secret]).spawn_in_terminal();
    terminal.wait_for("Continue? [y/N]").await;
    terminal.type_keys(b"\x03"); // Ctrl-C, as the terminal turns it into SIGINT
    let run = terminal.finish();
    assert_eq!(run.code, 130, "{run}");
    assert!(run.stdout.contains("interrupted (Ctrl-C): no change had been sent; nothing was changed"), "{run}");
    assert_eq!(world.stages(&secret).await, before);
    assert!(mutating(&world.calls()).is_empty(), "{:?}", world.calls());
}

#[tokio::test]
async fn ctrl_c_in_a_stack_wait_stops_and_a_re_run_finishes() {
    let world = World::in_region("eu-central-2");
    let secret = world.secret("db").await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path");
    // The first DescribeStacks is the plan's; hold the stack wait's.
    world.fault(json!({"Operation": "DescribeStacks", "Skip": 1, "Hold": 30}));
    let child = world.rotctl(&["enable", &secret, "--template-file", template]).spawn();
    world.wait_for_held("DescribeStacks").await;
    assert!(world.calls().iter().any(|c| c.operation == "ExecuteChangeSet" && c.status == 200), "in the stack wait");
    interrupt(child)
        .fails(130, &["interrupted (Ctrl-C)", "CloudFormation goes on deploying stack", "run again waits for it"]);
    assert!(!world.calls().iter().any(|c| c.operation == "RotateSecret"), "rotation was not reached");

    let json = world.rotctl(&["enable", &secret, "--template-file", template, "-o", "json"]).run().success().json();
    let actions: Vec<_> = json["Plan"].as_array().expect("a plan").iter().map(|s| s["Action"].clone()).collect();
    assert_eq!(actions[0], "ok", "the stack the first run deployed is used: {json}");
    let stacks = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let name = format!("rotctl-{}-db-{}", world.prefix, arn_tag(&secret));
    let ours: Vec<_> = stacks.stacks().iter().filter(|s| s.stack_name() == Some(name.as_str())).collect();
    assert_eq!(ours.len(), 1, "one stack");
    world.wait_for_event(&secret, "RotationSucceeded").await;
}
