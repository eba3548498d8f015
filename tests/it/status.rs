//! `rotctl status` against real states seeded in the emulator.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::harness::{Call, World, eventually, operations};

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// rotctl's VersionIdsToStages must be the emulator's, label for label.
fn stages_of(status: &Value) -> HashMap<String, Vec<String>> {
    serde_json::from_value(status["VersionIdsToStages"].clone()).expect("VersionIdsToStages")
}

fn same_labels(mut a: HashMap<String, Vec<String>>, mut b: HashMap<String, Vec<String>>) {
    for stages in a.values_mut().chain(b.values_mut()) {
        stages.sort();
    }
    assert_eq!(a, b);
}

/// Exactly one DescribeSecret and one ListSecretVersionIds per secret, nothing else.
fn read_one_secret(calls: &[Call]) {
    let mut ops = operations(calls);
    ops.sort_unstable();
    assert_eq!(ops, ["DescribeSecret", "ListSecretVersionIds"], "{calls:?}");
    assert!(calls.iter().all(|c| !c.is_mutating()));
}

#[tokio::test]
async fn a_rotated_secret_is_healthy_with_its_versions() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let version = world.rotate(&secret, &function, 30).await;

    let run = world.rotctl(&["status", &world.name("db"), "-o", "json"]).run().success();
    let json = run.json();
    let status = &json[0];
    assert_eq!(status["RotationState"], "healthy");
    assert_eq!(status["Name"], world.name("db"));
    assert_eq!(status["ARN"], secret);
    assert_eq!(status["RotationEnabled"], true);
    assert_eq!(status["RotationLambdaARN"], function);
    assert_eq!(status["RotationRules"]["AutomaticallyAfterDays"], 30);
    assert!(status["LastRotatedDate"].as_str().is_some_and(|d| d.ends_with('Z')), "{status}");
    assert!(status["NextRotationDate"].is_string());
    // The finished rotation's labels: AWSPENDING stays on the new AWSCURRENT version.
    let labels = stages_of(status);
    assert!(labels[&version].contains(&"AWSCURRENT".to_string()));
    same_labels(labels, world.stages(&secret).await);
    assert_eq!(status["Versions"].as_array().map(Vec::len), Some(2));
    read_one_secret(&world.calls());

    let table = world.rotctl(&["status", &secret]).run().success().stdout;
    assert!(table.contains("[healthy]"), "{table}");
    assert!(table.contains(&version), "the table shows full version ids:\n{table}");
    assert!(table.contains("AWSPREVIOUS") && table.contains("every 30 days"), "{table}");
}

#[tokio::test]
async fn a_secret_without_rotation_is_not_configured() {
    let world = World::new();
    let secret = world.secret("plain").await;
    let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json[0]["RotationState"], "not-configured");
    assert!(json[0].get("RotationEnabled").is_none(), "absent AWS fields are omitted: {json}");
    same_labels(stages_of(&json[0]), world.stages(&secret).await);
}

#[tokio::test]
async fn cancelled_rotation_is_disabled_though_its_rules_remain() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    world.rotate(&secret, &function, 7).await;
    world.secrets.cancel_rotate_secret().secret_id(&secret).send().await.expect("CancelRotateSecret");

    let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json[0]["RotationState"], "disabled");
    assert_eq!(json[0]["RotationEnabled"], false);
    assert_eq!(json[0]["RotationRules"]["AutomaticallyAfterDays"], 7, "AWS keeps the rules: {json}");
    let table = world.rotctl(&["status", &secret]).run().success().stdout;
    assert!(table.contains("[disabled]") && table.contains("rules remain"), "{table}");
}

#[tokio::test]
async fn a_failed_rotation_is_failed_at_once_with_the_functions_own_error() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("broken", &[("FAIL_AT_STEP", "setSecret")]).await;
    let pending = world.start_rotation(&secret, &function, 30).await;
    // The function's log has the error as soon as the invocation ends: no waiting for CloudTrail.
    let json = eventually("status to say failed", async || {
        let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
        if json[0]["RotationState"] == "failed" { Ok(json) } else { Err(json.to_string()) }
    })
    .await;
    let labels = world.stages(&secret).await;
    assert_eq!(labels[&pending], ["AWSPENDING"], "the failed rotation leaves AWSPENDING: {labels:?}");
    same_labels(stages_of(&json[0]), labels);
    let failure = &json[0]["Failure"];
    assert_eq!(failure["VersionId"], pending.as_str(), "{failure}");
    assert_eq!(failure["Step"], "setSecret", "{failure}");
    assert_eq!(failure["Source"], "function-log", "{failure}");
    let message = failure["Message"].as_str().unwrap_or_default();
    assert!(message.starts_with("RuntimeError: injected failure at setSecret for secret arn:"), "{failure}");

    // Sixteen minutes later it is still the same known failure, not merely stuck.
    world.set_dates(&secret, json!({"VersionCreatedDates": {&pending: now() - 16 * 60}}));
    let table = world.rotctl(&["status", &secret]).run().success().stdout;
    assert!(table.contains("[failed]") && table.contains("injected failure at setSecret"), "{table}");
    assert!(table.contains(&pending), "{table}");
}

#[tokio::test]
async fn a_rotation_that_outlives_fifteen_minutes_with_no_known_failure_is_stuck() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("hung", &[("STEP_DELAY", "25")]).await;
    let pending = world.start_rotation(&secret, &function, 30).await;
    // createSecret has put its value (setSecret is what hangs): then date the version back.
    world.wait_for_value(&secret, "AWSPENDING").await;
    world.set_dates(&secret, json!({"VersionCreatedDates": {&pending: now() - 16 * 60}}));
    let run = world.rotctl(&["status", &secret, "-o", "json"]).run().success();
    assert_eq!(run.json()[0]["RotationState"], "stuck", "{}", run.stdout);
    assert!(run.json()[0].get("Failure").is_none(), "{}", run.stdout);
    same_labels(stages_of(&run.json()[0]), world.stages(&secret).await);
    let table = world.rotctl(&["status", &secret]).run().success().stdout;
    assert!(table.contains("[stuck]") && table.contains(&pending) && table.contains("16m ago"), "{table}");
}

#[tokio::test]
async fn a_rotation_still_running_is_in_progress() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("slow", &[("STEP_DELAY", "20")]).await;
    let pending = world.start_rotation(&secret, &function, 30).await;

    let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json[0]["RotationState"], "in-progress", "{json}");
    assert_eq!(stages_of(&json[0])[&pending], ["AWSPENDING"]);
}

#[tokio::test]
async fn a_missed_rotation_date_is_overdue() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    world.rotate(&secret, &function, 30).await;
    world.set_dates(&secret, json!({"NextRotationDate": now() - 3600}));

    let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json[0]["RotationState"], "overdue");
}

#[tokio::test]
async fn several_secrets_in_the_order_given_and_check_exits_3() {
    let world = World::new();
    let healthy = world.secret("a").await;
    let plain = world.secret("b").await;
    let function = world.rotation_function("rotate", &[]).await;
    world.rotate(&healthy, &function, 30).await;

    let json = world.rotctl(&["status", &plain, &healthy, &plain, "-o", "json"]).run().success().json();
    let states: Vec<&str> =
        json.as_array().expect("an array").iter().filter_map(|s| s["RotationState"].as_str()).collect();
    assert_eq!(states, ["not-configured", "healthy"], "given order, duplicates once");

    world.rotctl(&["status", &healthy, "--check"]).run().success();
    let run = world.rotctl(&["status", &healthy, &plain, "--check", "-o", "json"]).run().code(3);
    assert_eq!(run.json().as_array().map(Vec::len), Some(2), "--check still prints the result");
}

#[tokio::test]
async fn all_secrets_of_a_region_from_list_pages() {
    let world = World::in_region("eu-north-1");
    let healthy = world.secret("healthy").await;
    let broken = world.secret("broken").await;
    world.secret("plain").await;
    let function = world.rotation_function("rotate", &[]).await;
    let failing = world.rotation_function("failing", &[("FAIL_AT_STEP", "testSecret")]).await;
    world.rotate(&healthy, &function, 30).await;
    world.start_rotation(&broken, &failing, 30).await;
    world.wait_for_event(&broken, "RotationFailed").await;

    let run = world.rotctl(&["status", "--all", "-o", "json"]).run().success();
    let json = run.json();
    let listed: Vec<(&str, &str)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| (s["Name"].as_str().unwrap_or_default(), s["RotationState"].as_str().unwrap_or_default()))
        .collect();
    let (b, h, p) = (world.name("broken"), world.name("healthy"), world.name("plain"));
    assert_eq!(listed, [(b.as_str(), "failed"), (h.as_str(), "healthy"), (p.as_str(), "not-configured")]);
    // One ListSecrets page; versions and the function's log read only for the
    // secret whose state depends on them (the log has the error: no CloudTrail).
    assert_eq!(operations(&world.calls()), ["ListSecrets", "ListSecretVersionIds", "FilterLogEvents"]);

    let table = world.rotctl(&["status", "--all", "--check"]).run().code(3).stdout;
    assert!(table.trim_end().ends_with("3 secrets: 1 not-configured, 1 failed, 1 healthy"), "{table}");
}

#[tokio::test]
async fn name_prefix_pages_through_every_match() {
    let world = World::new();
    for i in 0..150 {
        world.secret(&format!("fleet/{i:03}")).await;
    }
    world.secret("other").await;
    let prefix = world.name("fleet/");
    let json = world.rotctl(&["status", "--name-prefix", &prefix, "-o", "json"]).run().success().json();
    let names: Vec<&str> = json.as_array().expect("an array").iter().filter_map(|s| s["Name"].as_str()).collect();
    assert_eq!(names.len(), 150);
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted by name");
    assert!(names.iter().all(|n| n.starts_with(&prefix)));
    assert_eq!(operations(&world.calls()), ["ListSecrets", "ListSecrets"], "100 a page, nothing per secret");
}

#[tokio::test]
async fn a_secret_that_does_not_exist_is_named_and_exits_2() {
    let world = World::new();
    let run = world.rotctl(&["status", &world.name("missing")]).run();
    run.fails(2, &[&world.name("missing"), "not found", "us-east-1", "--region"]);
}

#[tokio::test]
async fn throttling_is_retried_and_the_answer_is_right() {
    let world = World::new();
    let secret = world.secret("db").await;
    world.fault(json!({"Operation": "DescribeSecret", "Count": 2, "Status": 400, "Code": "ThrottlingException"}));
    let json = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(json[0]["ARN"], secret);
    let describes: Vec<u64> =
        world.calls().iter().filter(|c| c.operation == "DescribeSecret").map(|c| c.status).collect();
    assert_eq!(describes, [400, 400, 200]);
}

#[tokio::test]
async fn throttling_past_the_retries_fails_with_what_to_do() {
    let world = World::new();
    let secret = world.secret("db").await;
    world.fault(json!({"Operation": "DescribeSecret", "Count": 10, "Status": 400, "Code": "ThrottlingException"}));
    world
        .rotctl(&["status", &secret])
        .run()
        .fails(1, &["secretsmanager:DescribeSecret", "throttled", "AWS_MAX_ATTEMPTS"]);
    let describes = world.calls().iter().filter(|c| c.operation == "DescribeSecret").count();
    assert_eq!(describes, 3, "the SDK's standard retry mode: three attempts");
}

#[tokio::test]
async fn access_denied_names_the_permission() {
    let world = World::new();
    let secret = world.secret("db").await;
    world.fault(json!({"Operation": "ListSecretVersionIds", "Status": 400, "Code": "AccessDeniedException",
        "Message": "User is not authorized to perform: secretsmanager:ListSecretVersionIds"}));
    world
        .rotctl(&["status", &secret])
        .run()
        .fails(1, &["secretsmanager:ListSecretVersionIds was denied", "IAM policy must allow"]);
}

#[tokio::test]
async fn verbose_logs_each_call_on_stderr_only() {
    let world = World::new();
    let secret = world.secret("db").await;
    let run = world.rotctl(&["status", &secret, "-v", "-o", "json"]).run().code(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{run}");
    for operation in ["DescribeSecret", "ListSecretVersionIds"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("rotctl: aws secretsmanager {operation} 200 ")) && l.ends_with(" ms")),
            "{run}"
        );
    }
    assert_eq!(run.json()[0]["ARN"], secret, "stdout is still only the result");
}

#[tokio::test]
async fn a_primary_shows_its_replicas_and_a_replica_its_primary() {
    let world = World::in_region("ap-south-1");
    let out = world
        .secrets
        .create_secret()
        .name(world.name("replicated"))
        .secret_string("{}")
        .add_replica_regions(aws_sdk_secretsmanager::types::ReplicaRegionType::builder().region("ap-south-2").build())
        .send()
        .await
        .expect("CreateSecret with a replica");
    let primary = out.arn().expect("an ARN").to_string();
    let json = world.rotctl(&["status", &primary, "-o", "json"]).run().success().json();
    let replicas = json[0]["ReplicationStatus"].as_array().expect("ReplicationStatus").clone();
    assert_eq!(replicas.len(), 1, "{json}");
    assert_eq!(replicas[0]["Region"], "ap-south-2");
    // What the emulator reports for it, field for field.
    let described = world.secrets.describe_secret().secret_id(&primary).send().await.expect("DescribeSecret");
    let status = described.replication_status()[0].status().map(|s| s.as_str().to_string());
    assert_eq!(replicas[0]["Status"].as_str().map(str::to_string), status);
    let table = world.rotctl(&["status", &primary]).run().success().stdout;
    assert!(table.contains("Replicas       ap-south-2 "), "{table}");

    // The replica, addressed by name in its own region.
    let name = world.name("replicated");
    let replica = world.rotctl(&["status", &name, "--region", "ap-south-2", "-o", "json"]).run().success().json();
    assert_eq!(replica[0]["PrimaryRegion"], "ap-south-1", "{replica}");
    let table = world.rotctl(&["status", &name, "--region", "ap-south-2"]).run().success().stdout;
    assert!(table.contains("Replica of     the secret in ap-south-1"), "{table}");
}
