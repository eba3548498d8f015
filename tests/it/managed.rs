//! Managed secrets (issue 13): secrets RDS creates for a DB instance or
//! cluster with ManageMasterUserPassword, seen, rotated through their owner,
//! refused where a change would desync the database, and audited by the
//! managed rules; judged by the emulator's state (RDS's and Secrets Manager's).

use serde_json::Value;

use crate::harness::{World, holder, mutating, operations};

#[tokio::test]
async fn status_shows_the_owner_and_its_status_and_impaired_when_the_owner_says_so() {
    let world = World::new();
    let (db, secret) = world.managed_database("orders", false).await;

    let run = world.rotctl(&["status", &secret, "-o", "json"]).run().success();
    let json = &run.json()[0];
    assert_eq!(json["OwningService"], "rds");
    assert_eq!(json["Owner"]["Service"], "rds");
    assert_eq!(json["Owner"]["Resource"], db.as_str());
    assert_eq!(json["Owner"]["SecretStatus"], "active");
    assert_eq!(json["RotationRules"]["AutomaticallyAfterDays"], 7, "RDS's default schedule");
    assert_eq!(json["RotationState"], "healthy");
    // One read of the secret and its versions (concurrent: either first), then one of its owner.
    let calls = world.calls();
    let mut reads = operations(&calls);
    assert_eq!(reads.pop(), Some("DescribeDBInstances"));
    reads.sort_unstable();
    assert_eq!(reads, ["DescribeSecret", "ListSecretVersionIds"]);

    let table = world.rotctl(&["status", &secret]).run().success();
    assert!(
        table.stdout.contains("Managed by     Amazon RDS (") && table.stdout.contains("SecretStatus active"),
        "{table}"
    );
    assert!(table.stdout.contains("every 7 days (the owner's default: every 7 days)"), "{table}");

    world.set_owner_status(&secret, "impaired");
    assert_eq!(world.owner_status(&db).await, "impaired");
    let run = world.rotctl(&["status", &secret, "--check", "-o", "json"]).run().code(3);
    let json = &run.json()[0];
    assert_eq!(
        (json["RotationState"].as_str(), json["Owner"]["SecretStatus"].as_str()),
        (Some("impaired"), Some("impaired"))
    );
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
}

#[tokio::test]
async fn rotate_now_goes_through_the_owner_and_waits_for_its_new_current_version() {
    let world = World::new();
    for cluster in [false, true] {
        let (db, secret) = world.managed_database(if cluster { "aurora" } else { "pg" }, cluster).await;
        let before = holder(&world.stages(&secret).await, "AWSCURRENT").expect("a current version");
        let calls = world.calls().len();

        let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(0);
        let json = run.json();
        assert_eq!(json["Outcome"], "succeeded", "{run}");
        let stages = world.stages(&secret).await;
        let after = holder(&stages, "AWSCURRENT").expect("a current version");
        assert_ne!(after, before, "the owner made a new AWSCURRENT");
        assert_eq!(json["VersionId"], after.as_str());
        assert_eq!(holder(&stages, "AWSPREVIOUS").as_deref(), Some(before.as_str()));
        assert_eq!(world.owner_status(&db).await, "active");
        assert_eq!(json["Status"]["Owner"]["SecretStatus"], "active");
        // Through RDS, with ApplyImmediately; never RotateSecret.
        let expected = if cluster { "ModifyDBCluster" } else { "ModifyDBInstance" };
        assert_eq!(mutating(&world.calls()[calls..]), [expected]);
    }
}

#[tokio::test]
async fn what_would_desync_the_database_is_refused_and_changes_nothing() {
    let world = World::new();
    let (_, secret) = world.managed_database("refused", false).await;
    let current = holder(&world.stages(&secret).await, "AWSCURRENT");
    let function = world.rotation_function("rotate", &[]).await;

    world
        .rotctl(&["enable", &secret, "--lambda-arn", &function])
        .run()
        .fails(2, &["managed by rds", "rotctl schedule"]);
    world.rotctl(&["rollback", &secret, "--yes"]).run().fails(2, &["owning service", "rotate-now"]);
    world.rotctl(&["rotate-now", &secret, "--retry"]).run().fails(2, &["no rotation function to retry"]);

    world.set_owner_status(&secret, "impaired");
    world.rotctl(&["rotate-now", &secret]).run().fails(2, &["impaired", "KMS key"]);
    world.set_owner_status(&secret, "active");

    // Turned off: rotate-now does not turn the owner's rotation back on.
    world.secrets.cancel_rotate_secret().secret_id(&secret).send().await.expect("CancelRotateSecret");
    world.rotctl(&["rotate-now", &secret]).run().fails(2, &["turned off", "rotctl schedule", "--every-days 7"]);

    // An owner rotctl cannot ask to rotate now is named, with its own way.
    let redshift = world.managed_secret("redshift", &format!("redshift!{}-admin", world.prefix));
    world.rotctl(&["schedule", &redshift, "--every-days", "30"]).run().success();
    let calls = world.calls().len();
    world.rotctl(&["rotate-now", &redshift]).run().fails(2, &["Amazon Redshift", "rotctl schedule"]);

    assert_eq!(mutating(&world.calls()[calls..]), Vec::<&str>::new());
    assert_eq!(mutating(&world.calls()), ["RotateSecret"], "only the schedule of the Redshift secret changed");
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), current);
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!((described.rotation_enabled(), described.rotation_lambda_arn()), (Some(false), None));
}

#[tokio::test]
async fn schedule_and_disable_of_an_rds_secret_act_on_secrets_manager_and_keep_the_owner() {
    let world = World::new();
    let (db, secret) = world.managed_database("sched", false).await;
    let run = world.rotctl(&["schedule", &secret, "--every-days", "14", "-o", "json"]).run().success();
    assert_eq!(run.json()["Changed"], true);
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(
        described.rotation_rules().and_then(aws_sdk_secretsmanager::types::RotationRulesType::automatically_after_days),
        Some(14)
    );
    let calls = world.calls().len();
    world.rotctl(&["schedule", &secret, "--every-days", "14"]).run().success();
    assert_eq!(mutating(&world.calls()[calls..]), Vec::<&str>::new(), "a second run changes nothing");

    let off = world.rotctl(&["disable", &secret, "--yes", "-o", "json"]).run().code(0);
    assert!(off.stderr.contains("no longer rotates it"), "{off}");
    assert_eq!(off.json()["Status"]["RotationState"], "disabled");
    assert_eq!(off.json()["Status"]["Owner"]["Resource"], db.as_str());
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false));
    assert_eq!(world.owner_status(&db).await, "active", "RDS still owns its secret");
}

#[tokio::test]
async fn audit_judges_managed_secrets_by_the_managed_rules_in_their_own_section() {
    let world = World::in_region("af-south-1");
    let (_, healthy) = world.managed_database("healthy", false).await;
    let (_, impaired) = world.managed_database("impaired", true).await;
    let (_, off) = world.managed_database("off", false).await;
    world.set_owner_status(&impaired, "impaired");
    world.secrets.cancel_rotate_secret().secret_id(&off).send().await.expect("CancelRotateSecret");

    let run = world.rotctl(&["audit", "-o", "json"]).run().code(3);
    let json = run.json();
    let name = |arn: &str| arn.rsplit(':').next().map(|n| n[..n.len() - 7].to_string()).expect("a name");
    let findings: Vec<(String, String)> = json["Findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (f["Secret"].as_str().unwrap_or_default().to_string(), f["Rule"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(
        findings,
        [
            (name(&impaired), "managed-secret-impaired".to_string()),
            (name(&off), "managed-rotation-disabled".to_string())
        ],
        "{json:#}"
    );
    let managed = json["Managed"].as_array().expect("a managed section");
    assert_eq!(managed.len(), 3);
    let of = |arn: &str| managed.iter().find(|m| m["ARN"] == arn).cloned().unwrap_or(Value::Null);
    assert_eq!(of(&healthy)["Owner"]["SecretStatus"], "active");
    assert_eq!(of(&impaired)["Owner"]["SecretStatus"], "impaired");
    assert_eq!(of(&off)["RotationEnabled"], false);
    assert_eq!(of(&healthy)["DefaultSchedule"], "every 7 days");
    // One batched read per kind of owner, not one per secret.
    let calls = world.calls();
    let reads: Vec<&str> = operations(&calls).into_iter().filter(|op| op.starts_with("DescribeDB")).collect();
    assert_eq!(reads, ["DescribeDBInstances", "DescribeDBClusters"]);

    let table = world.rotctl(&["audit"]).run().code(3);
    assert!(table.stdout.contains("MANAGED (3"), "{table}");
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
}

#[tokio::test]
async fn a_replica_addressed_in_its_own_region_is_changed_through_its_primary() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("replicated", &function).await;
    world
        .secrets
        .replicate_secret_to_regions()
        .secret_id(&secret)
        .add_replica_regions(aws_sdk_secretsmanager::types::ReplicaRegionType::builder().region("us-west-2").build())
        .send()
        .await
        .expect("ReplicateSecretToRegions");
    let name = world.name("replicated");
    let replica_arn = secret.replace(":us-east-1:", ":us-west-2:");
    let says = "is a replica: acting on its primary in us-east-1";

    let run =
        world.rotctl(&["schedule", &name, "--region", "us-west-2", "--every-days", "7", "-o", "json"]).run().code(0);
    assert!(run.stderr.contains(says), "{run}");
    assert_eq!(run.json()["ARN"], secret.as_str(), "the primary's ARN");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(
        described.rotation_rules().and_then(aws_sdk_secretsmanager::types::RotationRulesType::automatically_after_days),
        Some(7)
    );

    let before = holder(&world.stages(&secret).await, "AWSCURRENT").expect("a current version");
    let run =
        world.rotctl(&["rotate-now", &replica_arn, "--region", "us-west-2", "--wait", "-o", "json"]).run().code(0);
    assert!(run.stderr.contains(says), "{run}");
    assert_eq!(run.json()["Outcome"], "succeeded", "{run}");
    let after = holder(&world.stages(&secret).await, "AWSCURRENT").expect("a current version");
    assert_ne!(after, before, "the primary rotated");

    let run = world.rotctl(&["rollback", &name, "--region", "us-west-2", "--yes"]).run().code(0);
    assert!(run.stderr.contains(says), "{run}");
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(before), "the primary rolled back");

    let run = world.rotctl(&["disable", &name, "--region", "us-west-2", "--yes"]).run().code(0);
    assert!(run.stderr.contains(says), "{run}");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false));
    // Every change was accepted where AWS accepts it: in the primary's region.
    assert!(world.calls().iter().filter(|c| c.is_mutating()).all(|c| c.status == 200), "{:?}", world.calls());
}
