//! `rotctl doctor` (issue 15): each precondition of a rotation, healthy and
//! broken, against what the emulator holds (the function, its policy and
//! network, the role's policies through IAM's simulation, the KMS key's
//! policy, the secret's value), with zero mutating calls.

use serde_json::{Value, json};

use crate::harness::{World, mutating};

fn results(json: &Value) -> Vec<(String, String)> {
    json["Checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (c["Check"].as_str().unwrap_or_default().to_string(), c["Result"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn check<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["Checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["Check"] == name)
        .unwrap_or_else(|| panic!("no {name}: {json}"))
}

#[tokio::test]
async fn a_healthy_secret_passes_every_check_and_doctor_only_reads() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;

    let before = world.calls().len();
    let run = world.rotctl(&["doctor", &secret, "-o", "json"]).run().code(0);
    let json = run.json();
    let expected: Vec<(String, String)> = [
        "rotation",
        "function",
        "invoke-permission",
        "runtime",
        "timeout",
        "network",
        "role-permissions",
        "kms-key",
        "secret-keys",
        "host",
    ]
    .iter()
    .map(|c| ((*c).to_string(), "ok".to_string()))
    .collect();
    assert_eq!(results(&json), expected, "{json}");
    assert!(
        check(&json, "secret-keys")["Detail"].as_str().is_some_and(|d| d.contains("engine, host, password, username"))
    );
    assert!(!run.stdout.contains("ROTCTL-TEST-SECRET-VALUE") && !run.stderr.contains("ROTCTL-TEST-SECRET-VALUE"));

    let calls = &world.calls()[before..];
    assert_eq!(mutating(calls), Vec::<&str>::new(), "doctor only reads");
    let mut operations: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    operations.sort_unstable();
    assert_eq!(
        operations,
        [
            "DescribeSecret",
            "GetFunction",
            "GetFunctionConfiguration",
            "GetPolicy",
            "GetSecretValue",
            "SimulatePrincipalPolicy"
        ],
        "one call each"
    );

    // --no-value reads no value, and says what it left out.
    let before = world.calls().len();
    let run = world.rotctl(&["doctor", &secret, "--no-value"]).run().code(0);
    assert!(
        run.stdout.starts_with(&format!("Doctor for {}: everything a rotation needs is in place", world.name("db"))),
        "{run}"
    );
    assert!(run.stderr.contains("--no-value: the secret's keys"), "{run}");
    assert!(!world.calls()[before..].iter().any(|c| c.operation == "GetSecretValue"));
}

#[tokio::test]
async fn each_broken_precondition_fails_with_its_fix_and_nothing_changes() {
    let world = World::new();
    let before = world.calls().len();

    // A role that may only list secrets, and the invoke permission removed after rotation was set up.
    world.grant_role(json!([{"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}])).await;
    let bare = world.rotation_function("bare", &[]).await;
    let secret = world.secret("bare").await;
    world
        .secrets
        .rotate_secret()
        .secret_id(&secret)
        .rotation_lambda_arn(&bare)
        .rotate_immediately(false)
        .send()
        .await
        .expect("RotateSecret");
    world.wait_for_event(&secret, "TestRotationSucceeded").await;
    world
        .lambda
        .remove_permission()
        .function_name(&bare)
        .statement_id("SecretsManagerAccess")
        .send()
        .await
        .expect("RemovePermission");
    let json = world.rotctl(&["doctor", &secret, "--no-value", "-o", "json"]).run().code(3).json();
    assert_eq!(check(&json, "invoke-permission")["Result"], "fail", "{json}");
    assert_eq!(check(&json, "role-permissions")["Result"], "fail", "{json}");
    assert!(
        check(&json, "role-permissions")["Detail"]
            .as_str()
            .is_some_and(|d| d.contains("secretsmanager:PutSecretValue on the secret"))
    );

    // Permissions in place from here on (those AWS's templates give, conditioned
    // on the function: doctor gives IAM's simulation the rotation's context).
    world.grant_role(world.rotation_permissions()).await;
    let function = world.rotation_function("rotate", &[]).await;
    // Deployed as AWS's PostgreSQL single-user application (its tag): its needs are known.
    let application =
        "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser";
    let tagged = world.lambda.tag_resource().resource(&function).tags("serverlessrepo:applicationId", application);
    tagged.send().await.expect("TagResource");

    // A customer managed key whose policy allows the account's admin role only.
    let key = world
        .key(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:role/admin", world.account)}, "Action": "kms:*", "Resource": "*"}]))
        .await;
    let value = json!({"engine": "postgres", "host": "db.cluster-ro-abc.us-east-1.rds.amazonaws.com", "username": "app",
        "password": "ROTCTL-TEST-SECRET-VALUE-doctor", "masterarn": format!("arn:aws:secretsmanager:us-east-1:{}:secret:gone-AbCdEf", world.account)});
    let broken = world.secret_with_key("broken", &value, Some(&key)).await;
    world
        .secrets
        .rotate_secret()
        .secret_id(&broken)
        .rotation_lambda_arn(&function)
        .rotate_immediately(false)
        .send()
        .await
        .expect("RotateSecret");
    // The rotation's test (testSecret) reads the value: the key refuses the function's role.
    world.wait_for_event(&broken, "TestRotationFailed").await;

    // In a VPC with neither an endpoint nor a NAT route.
    let vpc = world.vpc().await;
    world.put_in_vpc(&function, &vpc).await;

    let run = world.rotctl(&["doctor", &broken, "-o", "json"]).run().code(3);
    let json = run.json();
    let failed: Vec<String> = results(&json).into_iter().filter(|(_, r)| r == "fail").map(|(c, _)| c).collect();
    assert_eq!(failed, ["network", "kms-key", "host", "master-secret"], "{json}");
    let kms = check(&json, "kms-key")["Detail"].as_str().unwrap_or_default().to_string();
    assert!(kms.contains(&key) && kms.contains("kms:Decrypt, kms:GenerateDataKey"), "{kms}");
    assert!(check(&json, "network")["Fix"].as_str().is_some_and(|f| f.contains("--subnet-ids")));
    assert!(check(&json, "host")["Detail"].as_str().is_some_and(|d| d.contains("Aurora reader endpoint")));
    assert!(!run.stdout.contains("ROTCTL-TEST-SECRET-VALUE") && !run.stderr.contains("ROTCTL-TEST-SECRET-VALUE"));

    // Each fixed in turn: a NAT route, then a key policy naming the role, then a writer host.
    world.nat_route(&vpc).await;
    let json = world.rotctl(&["doctor", &broken, "-o", "json"]).run().code(3).json();
    assert_eq!(check(&json, "network")["Result"], "ok", "{json}");
    let role = world.role().await;
    let allowed = world
        .key(json!([{"Effect": "Allow", "Principal": {"AWS": role}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]))
        .await;
    let writer = json!({"engine": "postgres", "host": "db.cluster-abc.us-east-1.rds.amazonaws.com", "username": "app", "password": "ROTCTL-TEST-SECRET-VALUE-doctor"});
    let fixed = world.secret_with_key("fixed", &writer, Some(&allowed)).await;
    world
        .secrets
        .rotate_secret()
        .secret_id(&fixed)
        .rotation_lambda_arn(&function)
        .rotate_immediately(false)
        .send()
        .await
        .expect("RotateSecret");
    world.wait_for_event(&fixed, "TestRotationSucceeded").await;
    let json = world.rotctl(&["doctor", &fixed, "-o", "json"]).run().code(0).json();
    assert!(results(&json).iter().all(|(_, r)| r == "ok"), "{json}");

    // A pending rotation blocks the next one.
    let failing = world.rotation_function("failing", &[("FAIL_AT_STEP", "setSecret")]).await;
    let stuck = world.secret("stuck").await;
    world.start_rotation(&stuck, &failing, 30).await;
    world.wait_for_event(&stuck, "RotationFailed").await;
    let json = world.rotctl(&["doctor", &stuck, "--no-value", "-o", "json"]).run().code(3).json();
    assert_eq!(results(&json)[0], ("pending-rotation".to_string(), "fail".to_string()), "{json}");

    // Not set up at all.
    let plain = world.secret("plain").await;
    let run = world.rotctl(&["doctor", &plain]).run().code(3);
    assert!(run.stdout.contains("fail rotation") && run.stdout.contains("rotctl enable"), "{run}");

    // rotctl's own calls (the test made its changes as another identity).
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new(), "doctor changed nothing");
}

#[tokio::test]
async fn a_managed_secret_is_judged_by_its_owner() {
    let world = World::new();
    let (_, secret) = world.managed_database("orders", false).await;
    let json = world.rotctl(&["doctor", &secret, "-o", "json"]).run().code(0).json();
    assert_eq!(results(&json), [("owner".to_string(), "ok".to_string())], "{json}");
    world.set_owner_status(&secret, "impaired");
    let run = world.rotctl(&["doctor", &secret]).run().code(3);
    assert!(run.stdout.contains("fail ") && run.stdout.contains("impaired"), "{run}");
}

#[tokio::test]
async fn enable_shows_the_checks_in_its_plan_and_refuses_a_rotation_that_would_fail() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    // A customer managed key whose policy names another role only.
    let key = world
        .key(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:role/admin", world.account)}, "Action": "kms:*", "Resource": "*"}]))
        .await;
    let value = json!({"username": "app", "password": "ROTCTL-TEST-SECRET-VALUE-enable"});
    let secret = world.secret_with_key("db", &value, Some(&key)).await;

    let before = world.calls().len();
    let json =
        world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--dry-run", "-o", "json"]).run().code(0).json();
    assert_eq!(check(&json, "kms-key")["Result"], "fail", "{json}");
    assert_eq!(check(&json, "role-permissions")["Result"], "ok", "{json}");
    let table = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--dry-run"]).run().code(0).stdout;
    assert!(table.contains("Checks (rotctl doctor's, of the function)") && table.contains("fail kms-key"), "{table}");

    let run = world.rotctl(&["enable", &secret, "--lambda-arn", &function]).run();
    let run = run.fails(2, &["the rotation would fail: kms-key", &key, "--no-preflight-checks"]);
    assert!(!run.stderr.contains("ROTCTL-TEST-SECRET-VALUE"));
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new(), "refused before any change");
    let stored = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(stored.rotation_enabled(), None, "rotation not set up in the emulator");

    // The operator knows better (say, a grant rotctl cannot see): --no-preflight-checks goes on.
    let json = world
        .rotctl(&["enable", &secret, "--lambda-arn", &function, "--no-preflight-checks", "-o", "json"])
        .run()
        .code(0)
        .json();
    assert_eq!(check(&json, "kms-key")["Result"], "fail");
    let stored = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!((stored.rotation_enabled(), stored.rotation_lambda_arn()), (Some(true), Some(function.as_str())));
}

#[tokio::test]
async fn a_replica_is_checked_and_told_through_its_primary() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("replicated", &function).await;
    let replica = aws_sdk_secretsmanager::types::ReplicaRegionType::builder().region("us-west-2").build();
    world
        .secrets
        .replicate_secret_to_regions()
        .secret_id(&secret)
        .add_replica_regions(replica)
        .send()
        .await
        .expect("replicate");
    let replica_arn = secret.replace(":us-east-1:", ":us-west-2:");

    let before = world.calls().len();
    let run = world.rotctl(&["doctor", &replica_arn, "--region", "us-west-2", "-o", "json"]).run().code(0);
    assert!(run.stderr.contains("is a replica: checked its primary in us-east-1"), "{run}");
    assert_eq!(run.json()["ARN"], secret.as_str(), "the primary's checks");
    assert!(results(&run.json()).iter().all(|(_, r)| r == "ok"), "{}", run.json());
    let run = world.rotctl(&["history", &replica_arn, "--region", "us-west-2", "-o", "json"]).run().code(0);
    assert!(run.stderr.contains("its history is its primary's, in us-east-1"), "{run}");
    let json = run.json();
    let kinds: Vec<&str> =
        json["Events"].as_array().expect("events").iter().filter_map(|e| e["Kind"].as_str()).collect();
    assert_eq!(kinds, ["manual", "rotation"], "{json}");
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());
}
