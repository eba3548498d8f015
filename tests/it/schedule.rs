//! `rotctl schedule`: new rules without a rotation, idempotent, refused where
//! AWS would refuse or where it would turn rotation back on; judged by the
//! emulator's state.

use crate::harness::{World, holder, mutating};

/// AutomaticallyAfterDays and ScheduleExpression as the emulator holds them.
async fn rules(world: &World, secret: &str) -> (Option<i64>, Option<String>, Option<String>) {
    let out = world.secrets.describe_secret().secret_id(secret).send().await.expect("DescribeSecret");
    let rules = out.rotation_rules().expect("rotation rules");
    (
        rules.automatically_after_days(),
        rules.schedule_expression().map(str::to_string),
        rules.duration().map(str::to_string),
    )
}

#[tokio::test]
async fn new_rules_without_a_rotation_and_a_second_run_changes_nothing() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    let current = holder(&world.stages(&secret).await, "AWSCURRENT");

    let dry = world.rotctl(&["schedule", &secret, "--every-days", "7", "--dry-run", "-o", "json"]).run().success();
    assert_eq!((dry.json()["Changed"].as_bool(), dry.json()["DryRun"].as_bool()), (Some(true), Some(true)));
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
    assert_eq!(rules(&world, &secret).await.0, Some(30));

    let run = world.rotctl(&["schedule", &secret, "--every-days", "7", "-o", "json"]).run().success();
    let json = run.json();
    assert_eq!(json["Changed"], true);
    assert_eq!(json["RotationRules"]["AutomaticallyAfterDays"], 7);
    assert_eq!(json["Status"]["RotationState"], "healthy");
    assert_eq!(rules(&world, &secret).await.0, Some(7));
    assert_eq!(mutating(&world.calls()), ["RotateSecret"]);
    // Not rotated: AWSCURRENT did not move, the function was kept.
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), current);
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_lambda_arn(), Some(function.as_str()));

    let before = world.calls().len();
    let again = world.rotctl(&["schedule", &secret, "--every-days", "7"]).run().success();
    assert!(again.stdout.starts_with("Nothing to do"), "{again}");
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());

    // A schedule expression with a window.
    let args = ["schedule", &secret, "--schedule", "cron(0 3 ? * SUN *)", "--window", "2h"];
    world.rotctl(&args).run().success();
    assert_eq!(rules(&world, &secret).await, (None, Some("cron(0 3 ? * SUN *)".into()), Some("2h".into())));
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), current);
}

#[tokio::test]
async fn schedule_refuses_what_would_turn_rotation_on_or_race_a_rotation() {
    let world = World::new();
    let plain = world.secret("plain").await;
    world.rotctl(&["schedule", &plain, "--every-days", "7"]).run().fails(2, &["not set up", "rotctl enable"]);

    let function = world.rotation_function("rotate", &[]).await;
    let off = world.rotated_secret("off", &function).await;
    world.secrets.cancel_rotate_secret().secret_id(&off).send().await.expect("CancelRotateSecret");
    world.rotctl(&["schedule", &off, "--every-days", "7"]).run().fails(2, &["turned off", "rotctl enable"]);

    let broken = world.rotation_function("broken", &[("FAIL_AT_STEP", "setSecret")]).await;
    let failed = world.secret("failed").await;
    world.start_rotation(&failed, &broken, 30).await;
    world.wait_for_event(&failed, "RotationFailed").await;
    world.rotctl(&["schedule", &failed, "--every-days", "7"]).run().fails(2, &["AWSPENDING", "--retry"]);

    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
    let described = world.secrets.describe_secret().secret_id(&off).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false), "rotation stayed off");
}

#[tokio::test]
async fn a_managed_secret_gets_the_same_call_with_no_function() {
    let world = World::new();
    let managed = world.managed_secret("rds", &format!("rds!db-{}", world.prefix));
    let run = world.rotctl(&["schedule", &managed, "--every-days", "14", "-o", "json"]).run().success();
    assert_eq!(run.json()["Changed"], true);
    assert_eq!(rules(&world, &managed).await.0, Some(14));
    let calls = world.calls();
    let rotate = calls.iter().find(|c| c.operation == "RotateSecret").expect("a RotateSecret call");
    assert!(rotate.is_mutating());
    let described = world.secrets.describe_secret().secret_id(&managed).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_lambda_arn(), None, "no function for a managed secret");

    // Turned off, the owner no longer rotates it (disable says so); schedule turns it back on.
    let off = world.rotctl(&["disable", &managed, "--yes"]).run().code(0);
    assert!(off.stderr.contains("is managed by rds") && off.stderr.contains("no longer rotates it"), "{off}");
    let described = world.secrets.describe_secret().secret_id(&managed).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(false));
    world.rotctl(&["schedule", &managed, "--every-days", "14"]).run().success();
    let described = world.secrets.describe_secret().secret_id(&managed).send().await.expect("DescribeSecret");
    assert_eq!((described.rotation_enabled(), rules(&world, &managed).await.0), (Some(true), Some(14)));

    // A rotation function on it would change the password behind the owner's back: refused.
    let function = world.rotation_function("rotate", &[]).await;
    let before = world.calls().len();
    world
        .rotctl(&["enable", &managed, "--lambda-arn", &function])
        .run()
        .fails(2, &["managed by rds", "rotctl schedule"]);
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());
}
