//! `rotctl why` (issue 15): the cause of a failed rotation, from the
//! function's own error line and CloudTrail's event, with its class and fix;
//! judged against what the emulator holds (the failed version, its labels,
//! the events it recorded). A real database down is in real_db.rs.

use serde_json::json;

use crate::harness::{World, holder, mutating};

#[tokio::test]
async fn a_function_error_is_named_with_its_step_its_sources_and_the_fix() {
    let world = World::new();
    let broken = world.rotation_function("broken", &[("FAIL_AT_STEP", "setSecret")]).await;
    let secret = world.secret("db").await;
    let pending = world.start_rotation(&secret, &broken, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;
    assert_eq!(world.stages(&secret).await[&pending], ["AWSPENDING"], "the emulator holds the failed version");

    let run = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0);
    let json = run.json();
    assert_eq!(json["VersionId"], pending.as_str());
    assert_eq!(json["Class"], "function-error");
    assert_eq!(json["Step"], "setSecret");
    assert!(json["Message"].as_str().is_some_and(|m| m.contains("injected failure at setSecret")), "{json}");
    let sources: Vec<&str> =
        json["Evidence"].as_array().expect("evidence").iter().filter_map(|e| e["Source"].as_str()).collect();
    assert_eq!(sources, ["function-log", "cloudtrail"], "{json}");
    assert!(
        json["Fix"].as_str().is_some_and(|f| f.contains(&format!("rotctl rotate-now {} --retry", world.name("db")))),
        "{json}"
    );
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new(), "why only reads");

    let table = world.rotctl(&["why", &secret]).run().code(0).stdout;
    assert!(table.contains("Class    function-error") && table.contains("Step     setSecret"), "{table}");

    // After a retry, the failed version has no label left: --version still explains it.
    world.set_function_env(&broken, &[]).await;
    world.rotctl(&["rotate-now", &secret, "--retry", "--wait"]).run().code(0);
    let stages = world.stages(&secret).await;
    assert!(!stages.contains_key(&pending), "the failed version lost its labels: {stages:?}");
    let again = world.rotctl(&["why", &secret, "--version", &pending, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (again["VersionId"].as_str(), again["Class"].as_str()),
        (Some(pending.as_str()), Some("function-error"))
    );
    assert!(holder(&stages, "AWSCURRENT").is_some());
}

#[tokio::test]
async fn why_refuses_what_it_cannot_explain_and_changes_nothing() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("fine", &function).await;
    world.rotctl(&["why", &secret]).run().fails(2, &["no rotation is pending", "--version"]);
    let unknown = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    world.rotctl(&["why", &secret, "--version", unknown]).run().fails(2, &["has no version", "rotctl status"]);
    world.rotctl(&["why", &secret, "--version", "x"]).run().fails(2, &["not a version id"]);
    world.rotctl(&["why", &world.name("missing")]).run().code(2);
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
}

#[tokio::test]
async fn a_timeout_and_a_function_cut_off_from_secrets_manager_are_named_with_their_fix() {
    let world = World::new();
    // A step slower than the function's timeout: Lambda stops it, and says so in a line naming nothing.
    let slow = world.rotation_function("slow", &[("STEP_DELAY", "4")]).await;
    world.lambda.update_function_configuration().function_name(&slow).timeout(2).send().await.expect("Timeout");
    let secret = world.secret("slow").await;
    let pending = world.start_rotation(&secret, &slow, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;
    let json = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (json["VersionId"].as_str(), json["Class"].as_str()),
        (Some(pending.as_str()), Some("function-timeout")),
        "{json}"
    );
    assert!(json["Message"].as_str().is_some_and(|m| m.contains("Task timed out after 2")), "{json}");
    assert!(json["Fix"].as_str().is_some_and(|f| f.contains("--timeout")), "{json}");
    assert_eq!(world.stages(&secret).await[&pending], ["AWSPENDING"], "the emulator holds the failed version");

    // In a VPC with no Secrets Manager endpoint and no route out: its calls cannot connect.
    let cut_off = world.rotation_function("cutoff", &[]).await;
    let vpc = world.vpc().await;
    world.put_in_vpc(&cut_off, &vpc).await;
    let secret = world.secret("cutoff").await;
    let pending = world.start_rotation(&secret, &cut_off, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;
    let json = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (json["VersionId"].as_str(), json["Class"].as_str()),
        (Some(pending.as_str()), Some("network")),
        "{json}"
    );
    assert!(json["Fix"].as_str().is_some_and(|f| f.contains("interface endpoint")), "{json}");
    // doctor says the same before the next attempt; with the endpoint it passes, and the retry rotates.
    let doctor = world.rotctl(&["doctor", &secret, "--no-value", "-o", "json"]).run().code(3).json();
    let network = doctor["Checks"].as_array().and_then(|c| c.iter().find(|c| c["Check"] == "network")).cloned();
    assert_eq!(network.map(|c| c["Result"].clone()), Some("fail".into()), "{doctor}");
    world.create_secretsmanager_endpoint(&vpc).await;
    world.rotctl(&["rotate-now", &secret, "--retry", "--wait"]).run().code(0);
    assert!(holder(&world.stages(&secret).await, "AWSCURRENT").is_some_and(|v| v != pending));
    assert_eq!(
        mutating(&world.calls())
            .iter()
            .filter(|op| **op != "UpdateSecretVersionStage" && **op != "RotateSecret")
            .count(),
        0
    );
}

#[tokio::test]
async fn a_key_whose_policy_leaves_out_the_functions_role_is_kms_denied_until_the_policy_names_it() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let admin = format!("arn:aws:iam::{}:role/admin", world.account);
    let key =
        world.key(json!([{"Effect": "Allow", "Principal": {"AWS": admin}, "Action": "kms:*", "Resource": "*"}])).await;
    let value = json!({"username": "app", "password": "ROTCTL-TEST-SECRET-VALUE-kms"});
    let secret = world.secret_with_key("kms", &value, Some(&key)).await;
    let pending = world.start_rotation(&secret, &function, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;

    let run = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0);
    let json = run.json();
    assert_eq!(
        (json["VersionId"].as_str(), json["Class"].as_str()),
        (Some(pending.as_str()), Some("kms-denied")),
        "{json}"
    );
    assert!(json["Message"].as_str().is_some_and(|m| m.contains("Access to KMS is not allowed")), "{json}");
    assert!(json["Fix"].as_str().is_some_and(|f| f.contains("key policy")), "{json}");
    assert!(!run.stdout.contains("ROTCTL-TEST-SECRET-VALUE"));

    // The key policy names the function's role: the retry rotates.
    let role = world.role().await;
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": admin}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]});
    let put = world.kms.put_key_policy().key_id(&key).policy_name("default").policy(policy.to_string());
    put.send().await.expect("PutKeyPolicy");
    world.rotctl(&["rotate-now", &secret, "--retry", "--wait"]).run().code(0);
    assert!(holder(&world.stages(&secret).await, "AWSCURRENT").is_some_and(|v| v != pending));
}
