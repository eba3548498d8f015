//! rotctl's main job on real parts: AWS's rotation applications deployed
//! through the emulated Serverless Application Repository, rotating the
//! passwords of a real PostgreSQL (the project's own four-step functions,
//! pg8000), each result checked with a real login; and the day-two advice
//! (failed, --retry, rollback's strategy) judged by what the database accepts.

use serde_json::{Value, json};

use crate::harness::{World, holder, mutating};

/// The function `enable` deployed, from the status JSON.
fn function_of(json: &Value) -> String {
    json["Status"]["RotationLambdaARN"].as_str().expect("a rotation function").to_string()
}

/// Tags of a function, as Lambda reports them.
async fn tags(world: &World, function: &str) -> std::collections::HashMap<String, String> {
    let out = world.lambda.get_function().function_name(function).send().await.expect("GetFunction");
    out.tags().cloned().unwrap_or_default()
}

/// The statements of the function's policy that let Secrets Manager invoke it.
async fn invoke_statements(world: &World, function: &str) -> Vec<Value> {
    let policy = world.lambda.get_policy().function_name(function).send().await.expect("GetPolicy");
    let policy: Value = serde_json::from_str(policy.policy().unwrap_or("{}")).expect("a policy document");
    policy["Statement"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s["Principal"]["Service"] == "secretsmanager.amazonaws.com")
        .collect()
}

#[tokio::test]
async fn single_user_template_rotates_the_real_password_and_refuses_to_roll_it_back() {
    let world = World::new();
    let cluster = world.postgres("shared");
    let secret = world.db_secret("single", &cluster, None, false).await;
    assert!(world.login(&secret, "AWSCURRENT").logged_in, "the first password logs in");

    let args = ["enable", &secret, "--template", "postgres-single", "--check-value", "--yes", "--wait", "-o", "json"];
    let run = world.rotctl(&args).run().code(0);
    let json = run.json();
    assert_eq!(
        (json["Outcome"].as_str(), json["Status"]["RotationState"].as_str()),
        (Some("succeeded"), Some("healthy"))
    );

    // The emulator's state: the application's nested stack, complete; its function, tagged
    // by the repository; one scoped invoke statement besides the application's own.
    let function = function_of(&json);
    let tags = tags(&world, &function).await;
    assert!(
        tags["serverlessrepo:applicationId"].ends_with("/SecretsManagerRDSPostgreSQLRotationSingleUser"),
        "{tags:?}"
    );
    assert_eq!(tags["serverlessrepo:semanticVersion"], "1.1.671");
    let stack = tags["aws:cloudformation:stack-name"].clone();
    let stacks = world.cloudformation.describe_stacks().stack_name(&stack).send().await.expect("DescribeStacks");
    let nested = &stacks.stacks()[0];
    assert_eq!(nested.stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str), Some("CREATE_COMPLETE"));
    let parent = nested.parent_id().expect("a nested stack of rotctl's stack");
    let parent = world.cloudformation.describe_stacks().stack_name(parent).send().await.expect("DescribeStacks");
    let parent = &parent.stacks()[0];
    assert_eq!(parent.stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str), Some("CREATE_COMPLETE"));
    let output = parent.outputs().iter().find(|o| o.output_key() == Some("RotationLambdaARN"));
    assert_eq!(output.and_then(|o| o.output_value()), Some(function.as_str()));
    // One invoke statement: the application's own. It has no aws:SourceAccount, and rotctl says so.
    assert_eq!(invoke_statements(&world, &function).await.len(), 1);
    assert!(run.stderr.contains("without an aws:SourceAccount condition"), "{run}");

    // The database took the new password; the first one no longer logs in.
    let current = world.login(&secret, "AWSCURRENT");
    assert!(current.logged_in, "{current:?}");
    let previous = world.login(&secret, "AWSPREVIOUS");
    assert!(!previous.logged_in && previous.error.contains("password authentication failed"), "{previous:?}");

    // Again: nothing to do.
    let before = world.calls().len();
    world.rotctl(&["enable", &secret, "--template", "postgres-single", "--yes"]).run().code(0);
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());

    // rotate-now changes it again, for real.
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().success();
    assert_eq!(run.json()["Outcome"], "succeeded");
    assert!(world.login(&secret, "AWSCURRENT").logged_in);
    assert!(!world.login(&secret, "AWSPREVIOUS").logged_in);

    // A single-user rollback would hand out a password the database refuses: refused.
    let stages = world.stages(&secret).await;
    let before = world.calls().len();
    let refused = world.rotctl(&["rollback", &secret, "--yes"]).run().fails(
        2,
        &["single-user", "already holds version", "rotate-now", "--retry", "--labels-only", "nothing was changed"],
    );
    assert!(refused.stderr.contains("SecretsManagerRDSPostgreSQLRotationSingleUser"), "{refused}");
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());
    assert_eq!(world.stages(&secret).await, stages);
    assert!(world.login(&secret, "AWSCURRENT").logged_in);

    // --labels-only moves them anyway, and the database proves why it was refused.
    let moved = world.rotctl(&["rollback", &secret, "--yes", "--labels-only", "-o", "json"]).run().code(0);
    assert_eq!(moved.json()["Strategy"], "single-user");
    assert!(moved.stderr.contains("only the labels move"), "{moved}");
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), holder(&stages, "AWSPREVIOUS"));
    let rolled_back = world.login(&secret, "AWSCURRENT");
    assert!(!rolled_back.logged_in, "the database no longer accepts the rolled-back password: {rolled_back:?}");
}

#[tokio::test]
async fn alternating_users_template_keeps_the_previous_user_working() {
    let world = World::new();
    let cluster = world.postgres("shared");
    let master = world.db_secret("master", &cluster, None, true).await;
    let secret = world.db_secret("app", &cluster, Some(&master), false).await;
    let args = [
        "enable",
        &secret,
        "--template",
        "postgres-multi",
        "--master-secret",
        &master,
        "--check-value",
        "--yes",
        "--wait",
        "-o",
        "json",
    ];
    let json = world.rotctl(&args).run().code(0).json();
    assert_eq!(json["Outcome"], "succeeded", "{json}");
    let tags = tags(&world, &function_of(&json)).await;
    assert!(
        tags["serverlessrepo:applicationId"].ends_with("/SecretsManagerRDSPostgreSQLRotationMultiUser"),
        "{tags:?}"
    );

    // The clone took the new password; the original user still logs in with the old one.
    let (current, previous) = (world.login(&secret, "AWSCURRENT"), world.login(&secret, "AWSPREVIOUS"));
    assert!(current.logged_in && previous.logged_in, "{current:?} {previous:?}");
    assert_eq!(current.user, format!("{}_clone", previous.user));

    // The next rotation goes back to the original user.
    world.rotctl(&["rotate-now", &secret, "--wait"]).run().success();
    let (current, previous) = (world.login(&secret, "AWSCURRENT"), world.login(&secret, "AWSPREVIOUS"));
    assert!(current.logged_in && previous.logged_in, "{current:?} {previous:?}");
    assert_eq!(previous.user, format!("{}_clone", current.user));

    // A rollback proceeds, says why it is safe, and the rolled-back version logs in.
    let run = world.rotctl(&["rollback", &secret, "--yes", "-o", "json"]).run().code(0);
    assert_eq!(run.json()["Strategy"], "alternating-users");
    assert!(run.stderr.contains("keeps its password until the next rotation"), "{run}");
    let rolled_back = world.login(&secret, "AWSCURRENT");
    assert!(rolled_back.logged_in && rolled_back.user.ends_with("_clone"), "{rolled_back:?}");
}

#[tokio::test]
async fn a_rotation_failing_on_a_database_that_is_down_is_failed_then_retried() {
    let world = World::new();
    let cluster = world.postgres("down");
    let secret = world.db_secret("db", &cluster, None, false).await;
    // AWS's kind of single-user function, deployed directly (no repository tags).
    let function = world.postgres_function("pg-single", "single").await;
    world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--wait"]).run().code(0);
    let first = world.stages(&secret).await;
    assert!(world.login(&secret, "AWSCURRENT").logged_in);

    // The database is down: setSecret cannot log in, and says so in its own words.
    world.stop_postgres(&cluster);
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(1);
    let json = run.json();
    let pending = json["VersionId"].as_str().expect("the failed version").to_string();
    assert_eq!(json["Failure"]["Step"], "setSecret", "{json}");
    let error = "setSecret: Unable to log into database with previous, current, or pending secret of secret arn";
    assert!(json["Failure"]["Message"].as_str().is_some_and(|m| m.starts_with(error)), "{json}");
    assert!(run.stderr.contains(error), "{run}");
    assert_eq!(world.stages(&secret).await[&pending], ["AWSPENDING"]);
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), holder(&first, "AWSCURRENT"), "AWSCURRENT stayed");

    // status says failed, with the error, at once.
    let status = world.rotctl(&["status", &secret, "-o", "json"]).run().success().json();
    assert_eq!(status[0]["RotationState"], "failed");
    assert_eq!(status[0]["Failure"]["VersionId"], pending.as_str());
    assert_eq!(status[0]["Failure"]["Source"], "function-log");

    // why names the cause and the fix from the function's own words, and reads only.
    let before = world.calls().len();
    let why = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (why["VersionId"].as_str(), why["Class"].as_str()),
        (Some(pending.as_str()), Some("database-login")),
        "{why}"
    );
    assert_eq!(why["Step"], "setSecret");
    assert!(why["Fix"].as_str().is_some_and(|f| f.contains("--retry")), "{why}");
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());

    // The next rotate-now names --retry, never a rollback, and changes nothing.
    let before = world.calls().len();
    let refused = world.rotctl(&["rotate-now", &secret]).run().fails(2, &["--retry", error]);
    assert!(!refused.stderr.contains("rollback"), "{refused}");
    assert_eq!(mutating(&world.calls()[before..]), Vec::<&str>::new());

    // The database is back: --retry clears only the failed AWSPENDING and rotates.
    world.start_postgres(&cluster);
    let run = world.rotctl(&["rotate-now", &secret, "--retry", "--wait", "-o", "json"]).run().code(0);
    assert_eq!(run.json()["Outcome"], "succeeded");
    let stages = world.stages(&secret).await;
    assert!(!stages.get(&pending).is_some_and(|s| s.iter().any(|l| l == "AWSPENDING")), "{stages:?}");
    assert_eq!(holder(&stages, "AWSPREVIOUS"), holder(&first, "AWSCURRENT"));
    assert!(world.login(&secret, "AWSCURRENT").logged_in);
    assert!(!world.login(&secret, "AWSPREVIOUS").logged_in);
    assert!(
        !world.login_version(&secret, &pending).logged_in,
        "the failed rotation's password never reached the database"
    );

    // Without tags rotctl cannot know the strategy: it proceeds, warning what stays changed,
    // and the database shows the warning was due.
    let run = world.rotctl(&["rollback", &secret, "--yes", "-o", "json"]).run().code(0);
    assert_eq!(run.json()["Strategy"], "unknown");
    assert!(run.stderr.contains("stays changed") && run.stderr.contains("serverlessrepo:applicationId"), "{run}");
    assert!(!world.login(&secret, "AWSCURRENT").logged_in, "the older password no longer logs in");
}

#[tokio::test]
async fn a_template_stack_that_fails_is_explained_from_its_events() {
    let world = World::new();
    let cluster = world.postgres("shared");
    let secret = world.db_secret("clash", &cluster, None, false).await;
    // A function of that name already exists: the application's nested stack cannot create it.
    let taken = world.bare_function("taken", &[]).await;
    let name = taken.rsplit(':').next().expect("a function name").to_string();
    let args = ["enable", &secret, "--template", "postgres-single", "--function-name", &name, "--check-value", "--yes"];
    let run = world.rotctl(&args).run().code(1);
    // The cause is in the nested stack's events: rotctl follows them there.
    let cause = "RotationApplication > SecretsManagerRDSPostgreSQLRotationSingleUser (AWS::Lambda::Function)";
    assert!(run.stderr.contains(cause) && run.stderr.contains(&format!("already exist: {name}")), "{run}");
    let stacks = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let failed: Vec<_> = stacks
        .stacks()
        .iter()
        .filter(|s| s.parent_id().is_none() && s.stack_status().is_some_and(|st| st.as_str() == "ROLLBACK_COMPLETE"))
        .filter(|s| run.stderr.contains(s.stack_name().unwrap_or("-")))
        .collect();
    assert_eq!(failed.len(), 1, "{run}");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_ne!(described.rotation_enabled(), Some(true), "rotation was not turned on");
}

#[tokio::test]
async fn a_password_changed_outside_rotation_and_a_master_secret_gone_are_named_by_why() {
    let world = World::new();
    let cluster = world.postgres("why");

    // Single user: someone changes the user's password in the database, outside
    // rotation; setSecret cannot log in with any version, and says so.
    let secret = world.db_secret("wrong", &cluster, None, false).await;
    let function = world.postgres_function("pg-single", "single").await;
    world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--wait"]).run().code(0);
    let current = world.secrets.get_secret_value().secret_id(&secret).send().await.expect("read");
    let mut value: Value = serde_json::from_str(current.secret_string().expect("a string")).expect("JSON");
    value["password"] = json!("ROTCTL-TEST-SECRET-VALUE-set-by-hand-in-the-database");
    let by_hand = world.secrets.create_secret().name(world.name("by-hand")).secret_string(value.to_string());
    let by_hand = by_hand.send().await.expect("CreateSecret").arn().expect("an ARN").to_string();
    let role = json!({"Cluster": cluster.name, "SecretId": by_hand, "Region": world.region});
    crate::harness::control::post(&world.endpoint, "/_harness/postgres/role", &role);
    assert!(!world.login(&secret, "AWSCURRENT").logged_in, "the database no longer takes AWSCURRENT's password");
    let failed = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(1).json();
    let pending = failed["VersionId"].as_str().expect("the failed version").to_string();
    let why = world.rotctl(&["why", &secret, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (why["VersionId"].as_str(), why["Class"].as_str()),
        (Some(pending.as_str()), Some("database-login")),
        "{why}"
    );
    assert!(why["Fix"].as_str().is_some_and(|f| f.contains("changed the password outside rotation")), "{why}");
    let run = world.rotctl(&["why", &secret]).run().code(0);
    assert!(!run.stdout.contains("ROTCTL-TEST-SECRET-VALUE") && !run.stderr.contains("ROTCTL-TEST-SECRET-VALUE"));

    // Alternating users: the master secret is deleted; setSecret cannot fetch it.
    let master = world.db_secret("master", &cluster, None, true).await;
    let app = world.db_secret("app", &cluster, Some(&master), false).await;
    let multi = world.postgres_function("pg-multi", "multi").await;
    world.rotctl(&["enable", &app, "--lambda-arn", &multi, "--wait"]).run().code(0);
    world.secrets.delete_secret().secret_id(&master).force_delete_without_recovery(true).send().await.expect("delete");
    let failed = world.rotctl(&["rotate-now", &app, "--wait", "-o", "json"]).run().code(1).json();
    let pending = failed["VersionId"].as_str().expect("the failed version").to_string();
    let why = world.rotctl(&["why", &app, "-o", "json"]).run().code(0).json();
    assert_eq!(
        (why["VersionId"].as_str(), why["Class"].as_str()),
        (Some(pending.as_str()), Some("master-secret")),
        "{why}"
    );
    assert_eq!(why["Step"], "setSecret", "{why}");
    // doctor reads the value's masterarn and says the same before the next attempt.
    let doctor = world.rotctl(&["doctor", &app, "-o", "json"]).run().code(3).json();
    let master_check =
        doctor["Checks"].as_array().and_then(|c| c.iter().find(|c| c["Check"] == "master-secret")).cloned();
    assert_eq!(master_check.map(|c| c["Result"].clone()), Some(json!("fail")), "{doctor}");
    assert_eq!(world.stages(&app).await[&pending], ["AWSPENDING"], "the emulator holds the failed version");
}
