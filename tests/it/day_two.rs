//! `rotate-now`, `rollback` and `disable`: each leaves the secret no worse
//! than it found it, says what happened, and is checked in the emulator.

use std::collections::HashMap;

use serde_json::json;

use crate::harness::{World, holder, mutating};

/// A secret rotated once by a working function: (secret, function, first version, second version).
async fn rotated_once(world: &World) -> (String, String, String, String) {
    let secret = world.secret("db").await;
    let first = world.stages(&secret).await.into_keys().next().expect("the created version");
    let function = world.rotation_function("rotate", &[]).await;
    let second = world.rotate(&secret, &function, 30).await;
    (secret, function, first, second)
}

fn pending_anywhere(stages: &HashMap<String, Vec<String>>) -> bool {
    stages.values().any(|s| s.iter().any(|l| l == "AWSPENDING"))
}

#[tokio::test]
async fn rotate_now_waits_for_the_new_version_to_be_current() {
    let world = World::new();
    let (secret, _, _, second) = rotated_once(&world).await;
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().success();
    let json = run.json();
    assert_eq!(json["Outcome"], "succeeded");
    let version = json["VersionId"].as_str().expect("a version").to_string();
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(version.clone()));
    assert_eq!(holder(&stages, "AWSPREVIOUS"), Some(second));
    assert_eq!(json["Status"]["RotationState"], "healthy");
    assert_eq!(mutating(&world.calls()), ["RotateSecret"]);
}

#[tokio::test]
async fn rotate_now_without_waiting_reports_it_started() {
    let world = World::new();
    let (secret, _, _, _) = rotated_once(&world).await;
    let json = world.rotctl(&["rotate-now", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json["Outcome"], "started");
    let version = json["VersionId"].as_str().expect("a version").to_string();
    world.wait_for_current(&secret, &version).await;
}

#[tokio::test]
async fn a_rotation_failing_at_set_secret_is_reported_with_its_step() {
    let world = World::new();
    let (secret, function, _, second) = rotated_once(&world).await;
    world.set_function_env(&function, &[("FAIL_AT_STEP", "setSecret")]).await;
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(1);
    let json = run.json();
    assert_eq!(json["Outcome"], "failed");
    assert_eq!(json["Failure"]["Step"], "setSecret");
    assert!(run.stderr.contains("failed at setSecret") && run.stderr.contains("/aws/lambda/"), "{run}");
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(second), "AWSCURRENT did not move");
    assert_eq!(holder(&stages, "AWSPENDING").as_deref(), json["VersionId"].as_str());
}

#[tokio::test]
async fn a_rotation_failing_at_test_secret_is_reported_with_its_step() {
    let world = World::new();
    let (secret, function, _, second) = rotated_once(&world).await;
    world.set_function_env(&function, &[("FAIL_AT_STEP", "testSecret")]).await;
    let run = world.rotctl(&["rotate-now", &secret, "--wait"]).run().code(1);
    assert!(run.stdout.contains("failed at      testSecret"), "{run}");
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(second));
}

#[tokio::test]
async fn a_slow_rotation_times_out_with_exit_4() {
    let world = World::new();
    let (secret, function, _, _) = rotated_once(&world).await;
    world.set_function_env(&function, &[("STEP_DELAY", "20")]).await;
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "--timeout", "2s", "-o", "json"]).run().code(4);
    assert_eq!(run.json()["Outcome"], "timed-out");
    assert!(run.stderr.contains("may still finish"), "{run}");
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSPENDING").as_deref(), run.json()["VersionId"].as_str(), "still rotating in AWS");
    assert_ne!(holder(&stages, "AWSCURRENT").as_deref(), run.json()["VersionId"].as_str());
}

#[tokio::test]
async fn rotate_now_refuses_what_aws_would_refuse_and_changes_nothing() {
    let world = World::new();
    let plain = world.secret("plain").await;
    world.rotctl(&["rotate-now", &plain]).run().fails(2, &["not set up", "rotctl enable"]);

    let (secret, function, _, _) = rotated_once(&world).await;
    world.secrets.cancel_rotate_secret().secret_id(&secret).send().await.expect("CancelRotateSecret");
    world.rotctl(&["rotate-now", &secret]).run().fails(2, &["turned off", "rotctl enable"]);

    // A failed rotation: the remedy named is --retry, never a rollback.
    let failed = world.secret("failed").await;
    world.set_function_env(&function, &[("FAIL_AT_STEP", "setSecret")]).await;
    let pending = world.start_rotation(&failed, &function, 30).await;
    world.wait_for_event(&failed, "RotationFailed").await;
    let refused = world.rotctl(&["rotate-now", &failed]).run().fails(
        2,
        &[
            &pending,
            "injected failure at setSecret",
            &format!("rotctl rotate-now {} --retry --wait", world.name("failed")),
        ],
    );
    assert!(!refused.stderr.contains("rollback"), "{}", refused.stderr);

    // One still running: wait for it, and --retry needs --force to cut it short.
    let running = world.secret("running").await;
    let slow = world.rotation_function("slow", &[("STEP_DELAY", "25")]).await;
    world.start_rotation(&running, &slow, 30).await;
    world.rotctl(&["rotate-now", &running]).run().fails(2, &["wait for it"]);
    world.rotctl(&["rotate-now", &running, "--retry"]).run().fails(2, &["--force"]);
    world.rotctl(&["rotate-now", &running, "--force"]).run().fails(2, &["--retry"]);
    assert!(mutating(&world.calls()).is_empty(), "{:?}", mutating(&world.calls()));
}

#[tokio::test]
async fn retry_clears_only_the_failed_pending_label_and_rotates_again() {
    let world = World::new();
    let (secret, function, _, second) = rotated_once(&world).await;
    world.set_function_env(&function, &[("FAIL_AT_STEP", "setSecret")]).await;
    let failed = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(1);
    let json = failed.json();
    let pending = json["VersionId"].as_str().expect("the failed version").to_string();
    assert_eq!((json["Outcome"].as_str(), json["Status"]["RotationState"].as_str()), (Some("failed"), Some("failed")));
    assert!(failed.stderr.contains("injected failure at setSecret"), "{failed}");
    assert_eq!(world.stages(&secret).await[&pending], ["AWSPENDING"]);

    // The cause fixed, --retry removes AWSPENDING from the failed version only, then rotates.
    world.set_function_env(&function, &[]).await;
    let before = world.calls().len();
    let run = world.rotctl(&["rotate-now", &secret, "--retry", "--wait", "-o", "json"]).run().code(0);
    assert!(run.stderr.contains(&format!("removed AWSPENDING from version {pending}")), "{run}");
    let json = run.json();
    let version = json["VersionId"].as_str().expect("the new version").to_string();
    assert_eq!(json["Outcome"], "succeeded");
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(version));
    assert_eq!(holder(&stages, "AWSPREVIOUS"), Some(second), "AWSCURRENT had not moved before the retry");
    assert!(!stages.contains_key(&pending) || !stages[&pending].iter().any(|l| l == "AWSPENDING"), "{stages:?}");
    assert_eq!(mutating(&world.calls()[before..]), ["UpdateSecretVersionStage", "RotateSecret"]);
}

#[tokio::test]
async fn throttling_and_server_errors_while_rotating_leave_one_right_rotation() {
    let world = World::new();
    let (secret, _, _, second) = rotated_once(&world).await;
    world.fault(json!({"Operation": "RotateSecret", "Count": 2, "Status": 400, "Code": "ThrottlingException"}));
    world.fault(json!({"Operation": "DescribeSecret", "Count": 2, "Status": 500, "Code": "InternalServiceError"}));
    let json = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().success().json();
    assert_eq!(json["Outcome"], "succeeded");
    let stages = world.stages(&secret).await;
    assert_eq!(stages.len(), 2, "one new version, not one per retry: {stages:?}");
    assert_eq!(holder(&stages, "AWSPREVIOUS"), Some(second));
}

#[tokio::test]
async fn rollback_after_one_rotation_swaps_current_and_previous() {
    let world = World::new();
    let (secret, _, first, second) = rotated_once(&world).await;
    let run = world.rotctl(&["rollback", &secret, "--yes", "-o", "json"]).run().code(0);
    // The test function carries no application tag: an unknown strategy, said so.
    assert!(
        run.stderr.contains("rotctl cannot tell what the rotation did") && run.stderr.contains("stays changed"),
        "{run}"
    );
    let json = run.json();
    assert_eq!(
        (json["Strategy"].as_str(), json["From"].as_str(), json["To"].as_str()),
        (Some("unknown"), Some(second.as_str()), Some(first.as_str()))
    );
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(first.clone()));
    assert_eq!(holder(&stages, "AWSPREVIOUS"), Some(second));
    assert!(!pending_anywhere(&stages), "no AWSPENDING left to block the next rotation: {stages:?}");
    let value = world.secrets.get_secret_value().secret_id(&secret).send().await.expect("GetSecretValue");
    assert_eq!(value.version_id(), Some(first.as_str()), "reads follow AWSCURRENT");
}

#[tokio::test]
async fn rollback_with_expect_current_is_safe_to_run_again() {
    let world = World::new();
    let (secret, function, first, second) = rotated_once(&world).await;
    let args = ["rollback", &secret, "--yes", "--expect-current", &second, "-o", "json"];
    world.rotctl(&args).run().code(0);
    let before = world.calls().len();
    let json = world.rotctl(&args).run().success().json();
    assert_eq!(json["AlreadyDone"], true);
    assert_eq!((json["From"].as_str(), json["To"].as_str()), (Some(second.as_str()), Some(first.as_str())));
    assert!(mutating(&world.calls()[before..]).is_empty(), "the second run changed nothing");
    let stages = world.stages(&secret).await;
    assert_eq!((holder(&stages, "AWSCURRENT"), holder(&stages, "AWSPREVIOUS")), (Some(first), Some(second.clone())));

    // Once a rotation has moved AWSCURRENT on, the old command refuses.
    world.rotate(&secret, &function, 30).await;
    world.rotctl(&args).run().fails(2, &["--expect-current", "nothing was changed"]);
    assert_eq!(
        holder(&world.stages(&secret).await, "AWSPREVIOUS").as_deref(),
        holder(&stages, "AWSCURRENT").as_deref()
    );
}

#[tokio::test]
async fn rollback_after_two_rotations_and_to_a_chosen_version() {
    let world = World::new();
    let (secret, function, first, second) = rotated_once(&world).await;
    let third = world.rotate(&secret, &function, 30).await;
    world.rotctl(&["rollback", &secret, "--yes"]).run().code(0);
    let stages = world.stages(&secret).await;
    assert_eq!((holder(&stages, "AWSCURRENT"), holder(&stages, "AWSPREVIOUS")), (Some(second), Some(third)));

    world.rotctl(&["rollback", &secret, "--to-version", &first, "--yes"]).run().code(0);
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(first), "even a version no label was on");
}

#[tokio::test]
async fn rollback_refuses_and_changes_nothing() {
    let world = World::new();
    let plain = world.secret("plain").await;
    world.rotctl(&["rollback", &plain, "--yes"]).run().fails(2, &["no AWSPREVIOUS", "--to-version"]);
    let (secret, function, _, second) = rotated_once(&world).await;
    world.rotctl(&["rollback", &secret]).run().fails(2, &["--yes"]);
    world.rotctl(&["rollback", &secret, "--to-version", &second, "--yes"]).run().fails(2, &["already AWSCURRENT"]);
    let unknown = "0".repeat(36);
    world.rotctl(&["rollback", &secret, "--to-version", &unknown, "--yes"]).run().fails(2, &["not a version"]);
    world.rotctl(&["rollback", &secret, "--to-version", "v1", "--yes"]).run().fails(2, &["not a version id"]);
    let dry = world.rotctl(&["rollback", &secret, "--dry-run", "-o", "json"]).run().code(0);
    assert_eq!(dry.json()["DryRun"], true);

    world.set_function_env(&function, &[("STEP_DELAY", "20")]).await;
    world.start_rotation(&secret, &function, 30).await;
    world.rotctl(&["rollback", &secret, "--yes"]).run().fails(2, &["in progress", "--force"]);
    assert!(mutating(&world.calls()).is_empty(), "{:?}", mutating(&world.calls()));
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(second));
}

#[tokio::test]
async fn rollback_with_force_cancels_a_running_rotation_first() {
    let world = World::new();
    let (secret, function, first, _) = rotated_once(&world).await;
    world.set_function_env(&function, &[("STEP_DELAY", "20")]).await;
    world.start_rotation(&secret, &function, 30).await;
    let run = world.rotctl(&["rollback", &secret, "--force", "--yes"]).run().code(0);
    assert!(run.stderr.contains("rotation of") && run.stderr.contains("is now off"), "{run}");
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(first));
    assert!(!pending_anywhere(&stages), "{stages:?}");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false));
}

#[tokio::test]
async fn rollback_survives_throttled_label_moves() {
    let world = World::new();
    let (secret, _, first, _) = rotated_once(&world).await;
    world.fault(
        json!({"Operation": "UpdateSecretVersionStage", "Count": 2, "Status": 400, "Code": "ThrottlingException"}),
    );
    world.rotctl(&["rollback", &secret, "--yes"]).run().code(0);
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(first));
}

#[tokio::test]
async fn disable_turns_rotation_off_and_clears_a_stuck_rotation() {
    let world = World::new();
    let (secret, function, _, second) = rotated_once(&world).await;
    world.set_function_env(&function, &[("FAIL_AT_STEP", "setSecret")]).await;
    let pending = world.start_rotation(&secret, &function, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;

    world.rotctl(&["disable", &secret]).run().fails(2, &["--yes"]);
    let json = world.rotctl(&["disable", &secret, "--yes", "-o", "json"]).run().success().json();
    assert_eq!(
        (json["Cancelled"].as_bool(), json["ClearedPendingVersion"].as_str()),
        (Some(true), Some(pending.as_str()))
    );
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false));
    let stages = world.stages(&secret).await;
    assert!(!stages.contains_key(&pending), "{stages:?}");
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(second));

    let before = world.calls().len();
    let again = world.rotctl(&["disable", &secret, "--yes"]).run().success();
    assert!(again.stdout.contains("Nothing to do"), "{again}");
    assert!(mutating(&world.calls()[before..]).is_empty());
}

#[tokio::test]
async fn enable_waits_for_the_first_rotation_when_asked() {
    let world = World::new();
    let secret = world.secret("db").await;
    let broken = world.rotation_function("broken", &[("FAIL_AT_STEP", "finishSecret")]).await;
    let run = world.rotctl(&["enable", &secret, "--lambda-arn", &broken, "--wait", "-o", "json"]).run().code(1);
    assert_eq!(run.json()["Outcome"], "failed");
    assert!(run.stderr.contains("finishSecret"), "{run}");
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSPENDING").as_deref(), run.json()["VersionId"].as_str());
    assert_ne!(holder(&stages, "AWSCURRENT").as_deref(), run.json()["VersionId"].as_str(), "AWSCURRENT did not move");

    let other = world.secret("other").await;
    let good = world.rotation_function("good", &[]).await;
    let json = world.rotctl(&["enable", &other, "--lambda-arn", &good, "--wait", "-o", "json"]).run().success().json();
    assert_eq!(json["Outcome"], "succeeded");
    assert_eq!(holder(&world.stages(&other).await, "AWSCURRENT").as_deref(), json["VersionId"].as_str());
}

#[tokio::test]
async fn disable_then_enable_again_keeps_the_schedule_and_window() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    world
        .rotctl(&["enable", &secret, "--lambda-arn", &function, "--every-days", "7", "--window", "2h", "--wait"])
        .run()
        .success();
    world.rotctl(&["disable", &secret, "--yes"]).run().success();
    // No schedule given: the secret's own (AWS reports days beside the schedule) is sent back as AWS takes it.
    let json = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "-o", "json"]).run().success().json();
    assert_eq!(json["Plan"][3]["Action"], "update");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true));
    let rules = described.rotation_rules().expect("rules");
    assert_eq!((rules.schedule_expression(), rules.duration()), (Some("rate(7 days)"), Some("2h")));
}
