//! `rotctl audit` on a labelled fleet: each rule fires exactly where it
//! should, the traps other auditors fall into do not fire, and the audit
//! costs what AWS's APIs make necessary.

use std::collections::BTreeSet;

use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::harness::{World, operations};

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn pairs(json: &Value, world: &World) -> BTreeSet<(String, String)> {
    json["Findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let name = f["Secret"].as_str().unwrap_or_default();
            (
                name.strip_prefix(&format!("{}/", world.prefix)).unwrap_or(name).to_string(),
                f["Rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn expected(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(s, r)| (s.to_string(), r.to_string())).collect()
}

fn schedule(expression: &str) -> aws_sdk_secretsmanager::types::RotationRulesType {
    aws_sdk_secretsmanager::types::RotationRulesType::builder().schedule_expression(expression).build()
}

/// Every rule once, and the traps. Region eu-west-2 is this test's alone.
// One world seeded with a secret per rule, then one audit: a table of cases reads best whole.
#[allow(clippy::too_many_lines)]
#[tokio::test]
async fn a_labelled_fleet_gets_exactly_its_findings() {
    let world = World::in_region("eu-west-2");
    let good = world.rotation_function("good", &[]).await;

    // Healthy, and the traps that must not fire.
    let healthy = world.secret("healthy").await;
    world.rotate(&healthy, &good, 30).await; // AWSPENDING stays on the new AWSCURRENT: a finished rotation
    let short = world.secret("short-interval").await;
    world.rotate_with(&short, &good, schedule("rate(12 hours)")).await;
    let weekly = world.secret("weekly").await;
    world.rotate_with(&weekly, &good, schedule("cron(0 4 ? * SUN *)")).await;

    // rotation-disabled: never set up, and set up then turned off (its rules remain).
    world.secret("never").await;
    let off = world.secret("turned-off").await;
    world.rotate(&off, &good, 30).await;
    world.secrets.cancel_rotate_secret().secret_id(&off).send().await.expect("CancelRotateSecret");

    // rotation-failed (the function logged an error for it, at any age),
    // rotation-stuck (an hour old, no failure known), and a rotation still
    // running (no finding).
    let flaky = world.rotation_function("flaky", &[]).await;
    let slow = world.rotation_function("slow", &[("STEP_DELAY", "25")]).await;
    let failed = world.secret("failed").await;
    let stuck = world.secret("stuck").await;
    let running = world.secret("running").await;
    for secret in [&failed, &stuck, &running] {
        world.rotate(secret, &good, 30).await;
    }
    world.set_function_env(&flaky, &[("FAIL_AT_STEP", "setSecret")]).await;
    let failed_pending = world.start_rotation(&failed, &flaky, 30).await;
    world.wait_for_event(&failed, "RotationFailed").await;
    let pending = world.start_rotation(&stuck, &slow, 30).await;
    world.start_rotation(&running, &slow, 30).await;
    // createSecret has put its value (setSecret is what hangs): then date the version back.
    world.wait_for_value(&stuck, "AWSPENDING").await;
    world.set_dates(&stuck, json!({"VersionCreatedDates": {&pending: now() - 3600}}));

    // rotation-overdue.
    let overdue = world.secret("overdue").await;
    world.rotate(&overdue, &good, 30).await;
    world.set_dates(&overdue, json!({"NextRotationDate": now() - 86_400}));

    // rotation-lambda-missing, -not-invokable, -no-source-account.
    let doomed = world.rotation_function("doomed", &[]).await;
    let missing = world.secret("missing-function").await;
    world.rotate(&missing, &doomed, 30).await;
    world.lambda.delete_function().function_name(&doomed).send().await.expect("DeleteFunction");
    let revoked = world.rotation_function("revoked", &[]).await;
    let uninvokable = world.secret("not-invokable").await;
    world.rotate(&uninvokable, &revoked, 30).await;
    world
        .lambda
        .remove_permission()
        .function_name(&revoked)
        .statement_id("SecretsManagerAccess")
        .send()
        .await
        .expect("RemovePermission");
    let open = world.bare_function("open", &[]).await;
    world
        .lambda
        .add_permission()
        .function_name(&open)
        .statement_id("SecretsManagerAccess")
        .action("lambda:InvokeFunction")
        .principal("secretsmanager.amazonaws.com")
        .send()
        .await
        .expect("AddPermission");
    let unscoped = world.secret("unscoped").await;
    world.rotate(&unscoped, &open, 30).await;

    // rotation-interval-too-long (with --max-interval-days 90), not-rotated-recently.
    let long = world.secret("long-interval").await;
    world.rotate(&long, &good, 180).await;
    let stale = world.secret("stale").await;
    world.rotate(&stale, &good, 30).await;
    world.set_dates(&stale, json!({"LastRotatedDate": now() - 200 * 86_400}));

    // vpc-endpoint-missing; and a function whose VPC has one (no finding).
    let dark = world.vpc().await;
    let lit = world.vpc().await;
    world.create_secretsmanager_endpoint(&lit).await;
    for (suffix, vpc) in [("in-dark-vpc", &dark), ("in-lit-vpc", &lit)] {
        let function = world.rotation_function(suffix, &[]).await;
        let secret = world.secret(suffix).await;
        world.rotate(&secret, &function, 30).await;
        world.put_in_vpc(&function, vpc).await;
    }

    // unused: read long ago, and never read since an old creation.
    let idle = world.secret("unused").await;
    world.rotate(&idle, &good, 30).await;
    world.set_dates(&idle, json!({"LastAccessedDate": now() - 200 * 86_400}));
    let forgotten = world.secret("never-read").await;
    world.set_dates(&forgotten, json!({"CreatedDate": now() - 200 * 86_400}));

    // Judged by the managed rules only: a secret a service owns, whose rotation
    // is off. Not judged: a replica (in eu-west-3).
    world.managed_secret("rds", &world.name("rds-managed"));
    world
        .secrets
        .create_secret()
        .name(world.name("replicated"))
        .secret_string("{}")
        .add_replica_regions(aws_sdk_secretsmanager::types::ReplicaRegionType::builder().region("eu-west-3").build())
        .send()
        .await
        .expect("CreateSecret with a replica");

    let run = world
        .rotctl(&["audit", "--regions", "eu-west-2,eu-west-3", "--max-interval-days", "90", "-o", "json"])
        .run()
        .code(3);
    let json = run.json();
    assert_eq!(
        pairs(&json, &world),
        expected(&[
            ("never", "rotation-disabled"),
            ("turned-off", "rotation-disabled"),
            ("failed", "rotation-failed"),
            ("stuck", "rotation-stuck"),
            ("overdue", "rotation-overdue"),
            ("missing-function", "rotation-lambda-missing"),
            ("not-invokable", "rotation-lambda-not-invokable"),
            ("unscoped", "rotation-lambda-no-source-account"),
            ("long-interval", "rotation-interval-too-long"),
            ("stale", "not-rotated-recently"),
            ("in-dark-vpc", "vpc-endpoint-missing"),
            ("unused", "unused"),
            ("never-read", "rotation-disabled"),
            ("never-read", "unused"),
            ("replicated", "rotation-disabled"),
            ("rds-managed", "managed-rotation-disabled"),
        ]),
        "{json:#}"
    );
    let skipped: BTreeSet<(String, String)> = json["Summary"]["Skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (s["Region"].as_str().unwrap_or_default().to_string(), s["Reason"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(skipped, BTreeSet::from([("eu-west-3".to_string(), "replica of the secret in eu-west-2".to_string())]));
    let managed: Vec<&str> =
        json["Managed"].as_array().expect("managed").iter().filter_map(|m| m["Secret"].as_str()).collect();
    assert_eq!(managed, [world.name("rds-managed").as_str()]);
    let finding =
        json["Findings"].as_array().expect("findings").iter().find(|f| f["Rule"] == "rotation-stuck").expect("stuck");
    assert_eq!(finding["Severity"], "high");
    assert_eq!(finding["Region"], "eu-west-2");
    assert!(finding["Message"].as_str().is_some_and(|m| m.contains(&pending) && m.contains("fix:")), "{finding}");
    let finding =
        json["Findings"].as_array().expect("findings").iter().find(|f| f["Rule"] == "rotation-failed").expect("failed");
    let message = finding["Message"].as_str().unwrap_or_default();
    for needle in [failed_pending.as_str(), "failed at setSecret", "injected failure at setSecret", "--retry --wait"] {
        assert!(message.contains(needle), "{needle}: {finding}");
    }
    assert_eq!(json["Summary"]["Regions"], json!(["eu-west-2", "eu-west-3"]));

    // What it cost: one page per region, versions and one log lookup only for
    // the three pending secrets (CloudTrail only where the log has no error),
    // one lookup per function (GetPolicy only where it exists) and VPC.
    let calls = world.calls();
    let count = |op: &str| calls.iter().filter(|c| c.operation == op).count();
    assert_eq!(count("ListSecrets"), 2, "{:?}", operations(&calls));
    assert_eq!(count("ListSecretVersionIds"), 3);
    assert_eq!(count("FilterLogEvents"), 3);
    assert_eq!(count("LookupEvents"), 4, "RotationFailed and RotationAbandoned, for the two without a logged error");
    assert_eq!(count("GetFunctionConfiguration"), 8, "good, flaky, slow, doomed, revoked, open, and two VPC functions");
    assert_eq!(count("GetPolicy"), 7, "not for the missing function");
    assert_eq!(count("DescribeVpcEndpoints"), 2);
    assert!(calls.iter().all(|c| !c.is_mutating()), "an audit changes nothing");

    // The optional rules, and the table.
    let tags = world
        .rotctl(&["audit", "--required-tags", "owner", "--require-cmk", "--fail-on", "never", "-o", "json"])
        .run()
        .success()
        .json();
    let optional: BTreeSet<String> = tags["Findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| matches!(f["Rule"].as_str(), Some("missing-tags" | "default-kms-key")))
        .map(|f| format!("{}:{}", f["Rule"].as_str().unwrap_or_default(), f["Secret"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        optional.len(),
        2 * 19,
        "each of the 19 judged secrets in eu-west-2 lacks the tag and a CMK: {optional:?}"
    );
    let table = world.rotctl(&["audit", "--max-interval-days", "90"]).run().code(3).stdout;
    assert!(table.starts_with("HIGH (9)"), "{table}");
    assert!(table.contains("MEDIUM (5)") && table.contains("LOW (2)") && !table.contains("NOT JUDGED"), "{table}");
    assert!(table.contains("MANAGED (1"), "{table}");
    assert!(table.trim_end().ends_with("20 secrets in 1 region (eu-west-2): 9 high, 5 medium, 2 low"), "{table}");
}

#[tokio::test]
async fn fail_on_decides_the_exit_code() {
    let world = World::in_region("ca-central-1");
    let good = world.rotation_function("good", &[]).await;
    let unused = world.secret("idle").await;
    world.rotate(&unused, &good, 30).await;
    world.set_dates(&unused, json!({"LastAccessedDate": now() - 100 * 86_400}));
    let stale = world.secret("stale").await;
    world.rotate(&stale, &good, 30).await;
    world.set_dates(&stale, json!({"LastRotatedDate": now() - 100 * 86_400}));
    // One low and one medium finding.
    for (fail_on, code) in [("high", 0), ("medium", 3), ("low", 3), ("never", 0)] {
        world.rotctl(&["audit", "--fail-on", fail_on]).run().code(code);
    }
    let healthy = World::in_region("sa-east-1");
    let secret = healthy.secret("fine").await;
    let function = healthy.rotation_function("rotate", &[]).await;
    healthy.rotate(&secret, &function, 30).await;
    healthy.rotctl(&["audit", "--fail-on", "low"]).run().success();
}

#[tokio::test]
async fn sarif_has_every_rule_and_one_result_per_finding() {
    let world = World::in_region("eu-south-1");
    world.secret("never").await;
    let sarif = world.rotctl(&["audit", "-o", "sarif", "--fail-on", "never"]).run().success().json();
    let json = world.rotctl(&["audit", "-o", "json", "--fail-on", "never"]).run().success().json();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "rotctl");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 16);
    for rule in rules {
        for field in ["id", "name"] {
            assert!(rule[field].as_str().is_some_and(|v| !v.is_empty()), "{rule}");
        }
        for field in ["shortDescription", "fullDescription", "help"] {
            assert!(rule[field]["text"].as_str().is_some_and(|v| !v.is_empty()), "{rule}");
        }
        assert!(matches!(rule["defaultConfiguration"]["level"].as_str(), Some("error" | "warning" | "note")), "{rule}");
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), json["Findings"].as_array().map(Vec::len).unwrap_or_default());
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the rule");
        assert!(matches!(result["level"].as_str(), Some("error" | "warning" | "note")));
        assert!(result["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let location = &result["locations"][0];
        assert!(
            location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws/secretsmanager/eu-south-1/"))
        );
        assert!(
            location["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .is_some_and(|a| a.starts_with("arn:aws:secretsmanager:"))
        );
    }
    world.rotctl(&["status", "x", "-o", "sarif"]).run().fails(2, &["audit only"]);
}

#[tokio::test]
async fn a_region_that_fails_is_reported_and_the_others_finish() {
    let world = World::in_region("ap-south-1");
    world.secret("never").await;
    world.fault(json!({"Operation": "ListSecrets", "Region": "ap-south-2", "Count": 10, "Status": 400,
        "Code": "UnrecognizedClientException", "Message": "The security token included in the request is invalid."}));
    let run = world.rotctl(&["audit", "--regions", "ap-south-1,ap-south-2", "-o", "json"]).run().code(3);
    let json = run.json();
    assert_eq!(json["Summary"]["FailedRegions"][0]["Region"], "ap-south-2");
    assert_eq!(pairs(&json, &world), expected(&[("never", "rotation-disabled")]), "ap-south-1 still audited");
    assert!(run.stderr.contains("ap-south-2 was not audited"), "{run}");
}

#[tokio::test]
async fn throttled_listing_is_absorbed_by_retries() {
    let world = World::in_region("ap-southeast-1");
    world.secret("never").await;
    world.fault(json!({"Operation": "ListSecrets", "Count": 2, "Status": 400, "Code": "ThrottlingException"}));
    let json = world.rotctl(&["audit", "-o", "json", "--fail-on", "never"]).run().success().json();
    assert_eq!(pairs(&json, &world), expected(&[("never", "rotation-disabled")]));
}

/// A thousand secrets: ten ListSecrets pages, one lookup per function, nothing per secret.
#[tokio::test]
async fn a_thousand_secrets_cost_ten_pages_and_one_lookup_per_function() {
    let world = World::in_region("ap-northeast-1");
    let functions = [world.rotation_function("a", &[]).await, world.rotation_function("b", &[]).await];
    let names: Vec<String> = (0..1000).map(|i| format!("fleet/{i:04}")).collect();
    let arns: Vec<String> =
        stream::iter(&names).map(|name| async { world.secret(name).await }).buffered(32).collect().await;
    for (i, arn) in arns.iter().take(20).enumerate() {
        world.start_rotation(arn, &functions[i % 2], 30).await;
    }
    for arn in arns.iter().take(20) {
        world.wait_for_event(arn, "RotationSucceeded").await;
    }
    let json = world.rotctl(&["audit", "-o", "json", "--fail-on", "never"]).run().success().json();
    assert_eq!(json["Summary"]["Secrets"], 1000);
    assert_eq!(json["Findings"].as_array().map(Vec::len), Some(980), "the 980 without rotation");
    let calls = world.calls();
    let count = |op: &str| calls.iter().filter(|c| c.operation == op).count();
    assert_eq!(
        (
            count("ListSecrets"),
            count("GetFunctionConfiguration"),
            count("GetPolicy"),
            count("ListSecretVersionIds"),
            calls.len()
        ),
        (10, 2, 2, 0, 14),
        "{:?}",
        operations(&calls)
    );
}

#[tokio::test]
async fn a_function_that_cannot_be_read_fails_the_gate_with_a_note() {
    let world = World::in_region("us-west-1");
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    world.rotate(&secret, &function, 30).await;
    world.fault(
        json!({"Operation": "GetFunctionConfiguration", "Count": 10, "Status": 403, "Code": "AccessDeniedException",
        "Message": "User is not authorized to perform: lambda:GetFunctionConfiguration"}),
    );
    let run = world.rotctl(&["audit", "-o", "json"]).run().code(1);
    assert_eq!(run.json()["Summary"]["Unchecked"][0]["Resource"], function.as_str());
    assert!(run.stderr.contains("could not be checked"), "{run}");
}

/// A function on a runtime Lambda has deprecated (python3.9, as the pinned
/// rotation applications deploy): the finding, and none for python3.13
/// (supported until 2029-06-30).
/// Region ca-west-1 is this test's alone.
#[tokio::test]
async fn a_rotation_function_on_a_deprecated_runtime_is_reported() {
    let world = World::in_region("ca-west-1");
    let old = world.rotation_function("old", &[]).await;
    let runtime = aws_sdk_lambda::types::Runtime::Python39;
    world.lambda.update_function_configuration().function_name(&old).runtime(runtime).send().await.expect("Runtime");
    world.rotated_secret("old", &old).await;
    let current = world.rotation_function("current", &[]).await;
    let runtime = aws_sdk_lambda::types::Runtime::Python313;
    world
        .lambda
        .update_function_configuration()
        .function_name(&current)
        .runtime(runtime)
        .send()
        .await
        .expect("Runtime");
    world.rotated_secret("current", &current).await;
    let stored = world.lambda.get_function_configuration().function_name(&old).send().await.expect("read");
    assert_eq!(
        stored.runtime().map(aws_sdk_lambda::types::Runtime::as_str),
        Some("python3.9"),
        "the emulator's function"
    );

    let json = world.rotctl(&["audit", "-o", "json", "--fail-on", "never"]).run().success().json();
    assert_eq!(pairs(&json, &world), expected(&[("old", "rotation-function-runtime-deprecated")]), "{json}");
    let finding = &json["Findings"][0];
    assert_eq!(finding["Severity"], "medium");
    assert!(
        finding["Message"].as_str().is_some_and(|m| m.contains("python3.9 was deprecated by Lambda on 2025-12-15")),
        "{json}"
    );
}
