//! `rotctl enable` end to end on the emulator: each step only when needed,
//! nothing on a re-run, nothing at all on bad input, and convergence after
//! an interrupted run.

use serde_json::{Value, json};

use crate::harness::{ACCOUNT, World, arn_tag, mutating, operations};

fn plan(json: &Value) -> Vec<(String, String)> {
    json["Plan"]
        .as_array()
        .expect("a plan")
        .iter()
        .map(|s| {
            (s["Step"].as_str().unwrap_or_default().to_string(), s["Action"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn steps(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(s, a)| (s.to_string(), a.to_string())).collect()
}

/// rotctl's invoke statements in the function's policy, and each one's SourceAccount.
async fn rotctl_grants(world: &World, function: &str) -> Vec<Value> {
    world
        .policy_statements(function)
        .await
        .into_iter()
        .filter(|s| s["Principal"]["Service"] == "secretsmanager.amazonaws.com")
        .map(|s| s["Condition"]["StringEquals"]["AWS:SourceAccount"].clone())
        .collect()
}

#[tokio::test]
async fn an_existing_function_first_run_then_nothing_to_do() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.bare_function("rotate", &[]).await;

    // The plan changes nothing.
    let dry = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--dry-run", "-o", "json"]).run().success();
    assert_eq!(
        plan(&dry.json()),
        steps(&[("invoke-permission", "create"), ("vpc-config", "ok"), ("vpc-endpoint", "ok"), ("rotation", "create")])
    );
    assert_eq!(dry.json()["DryRun"], true);
    assert!(mutating(&world.calls()).is_empty(), "{:?}", world.calls());
    assert!(world.policy_statements(&function).await.is_empty());

    let run = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "-o", "json"]).run().success();
    assert_eq!(plan(&run.json())[0], ("invoke-permission".to_string(), "create".to_string()));
    assert_eq!(mutating(&world.calls()), ["AddPermission", "RotateSecret"]);
    // The emulator's state: one scoped statement, rotation on, every 30 days, rotated by the function.
    assert_eq!(rotctl_grants(&world, &function).await, [json!(ACCOUNT)]);
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(described.rotation_lambda_arn(), Some(function.as_str()));
    assert_eq!(
        described.rotation_rules().and_then(aws_sdk_secretsmanager::types::RotationRulesType::automatically_after_days),
        Some(30)
    );
    world.wait_for_event(&secret, "RotationSucceeded").await;

    let before = world.calls().len();
    let again = world.rotctl(&["enable", &secret, "--lambda-arn", &function]).run().success();
    assert!(again.stdout.contains("Nothing to do"), "{again}");
    let rerun = &world.calls()[before..];
    assert!(mutating(rerun).is_empty(), "a re-run changes nothing: {rerun:?}");
    assert!(rerun.len() <= 8, "a re-run reads at most 8 times: {:?}", operations(rerun));
    assert_eq!(rotctl_grants(&world, &function).await.len(), 1);
}

#[tokio::test]
async fn schedules_and_windows_are_set_and_changing_them_is_an_update() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let args = ["enable", &secret, "--lambda-arn", &function, "--schedule", "cron(0 3 ? * SUN *)", "--window", "2h"];
    world.rotctl(&args).run().success();
    let rules = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    let rules = rules.rotation_rules().expect("rules");
    assert_eq!((rules.schedule_expression(), rules.duration()), (Some("cron(0 3 ? * SUN *)"), Some("2h")));
    world.wait_for_event(&secret, "RotationSucceeded").await;

    let json = world
        .rotctl(&["enable", &secret, "--lambda-arn", &function, "--every-days", "7", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(plan(&json)[3], ("rotation".to_string(), "update".to_string()));
    assert!(
        json["Plan"][3]["Detail"].as_str().is_some_and(|d| d.contains("schedule was cron(0 3 ? * SUN *)")),
        "{json}"
    );
    let rules = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(
        rules.rotation_rules().and_then(aws_sdk_secretsmanager::types::RotationRulesType::automatically_after_days),
        Some(7)
    );
}

#[tokio::test]
async fn without_rotating_immediately_only_the_configuration_changes() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let before = world.stages(&secret).await;
    world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--no-rotate-immediately"]).run().success();
    world.wait_for_event(&secret, "TestRotationSucceeded").await;
    assert_eq!(world.stages(&secret).await, before, "no new version, and AWS removes its test version");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true));
}

#[tokio::test]
async fn a_template_file_is_deployed_once_through_a_change_set() {
    let world = World::new();
    let secret = world.secret("db").await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path");

    let json = world.rotctl(&["enable", &secret, "--template-file", template, "-o", "json"]).run().success().json();
    assert_eq!(
        plan(&json),
        steps(&[
            ("stack", "create"),
            ("invoke-permission", "ok"),
            ("vpc-config", "ok"),
            ("vpc-endpoint", "ok"),
            ("rotation", "create")
        ]),
        "the template grants the invoke itself"
    );
    assert_eq!(mutating(&world.calls()), ["CreateChangeSet", "ExecuteChangeSet", "RotateSecret"]);
    let stack_name = format!("rotctl-{}-db-{}", world.prefix, arn_tag(&secret));
    let stacks = world.cloudformation.describe_stacks().stack_name(&stack_name).send().await.expect("DescribeStacks");
    let stack = &stacks.stacks()[0];
    assert_eq!(stack.stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str), Some("CREATE_COMPLETE"));
    let function =
        stack.outputs().iter().find(|o| o.output_key() == Some("RotationLambdaARN")).and_then(|o| o.output_value());
    let function = function.expect("the stack's output").to_string();
    assert!(function.ends_with(&format!(":function:{}-db-{}-rotation", world.prefix, arn_tag(&secret))), "{function}");
    world.wait_for_event(&secret, "RotationSucceeded").await;
    assert_eq!(json["Status"]["RotationLambdaARN"], function.as_str());

    let before = world.calls().len();
    let again = world.rotctl(&["enable", &secret, "--template-file", template]).run().success();
    assert!(again.stdout.contains("Nothing to do"), "{again}");
    let rerun = &world.calls()[before..];
    assert!(mutating(rerun).is_empty(), "{rerun:?}");
    assert!(rerun.len() <= 8, "{:?}", operations(rerun));
}

#[tokio::test]
async fn a_template_without_the_permission_gets_one_added() {
    let world = World::new();
    let secret = world.secret("db").await;
    let template = world.template_file("bare", false);
    let json = world
        .rotctl(&["enable", &secret, "--template-file", template.to_str().expect("UTF-8"), "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(plan(&json)[1], ("invoke-permission".to_string(), "create".to_string()));
    let function = json["Status"]["RotationLambdaARN"].as_str().expect("a function").to_string();
    assert_eq!(rotctl_grants(&world, &function).await, [json!(ACCOUNT)]);
}

#[tokio::test]
async fn a_function_is_put_in_the_vpc_which_gets_an_endpoint() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let vpc = world.vpc().await;
    let subnets = vpc.subnets.join(",");
    let args = [
        "enable",
        &secret,
        "--lambda-arn",
        &function,
        "--subnet-ids",
        &subnets,
        "--security-group-ids",
        &vpc.security_group,
    ];

    let json = world.rotctl(&[&args[..], &["-o", "json"]].concat()).run().success().json();
    assert_eq!(
        plan(&json),
        steps(&[
            ("invoke-permission", "ok"),
            ("vpc-config", "update"),
            ("vpc-endpoint", "create"),
            ("rotation", "create")
        ])
    );
    let config = world
        .lambda
        .get_function_configuration()
        .function_name(&function)
        .send()
        .await
        .expect("GetFunctionConfiguration");
    let vpc_config = config.vpc_config().expect("a VPC config");
    assert_eq!(vpc_config.vpc_id(), Some(vpc.id.as_str()));
    assert_eq!(vpc_config.subnet_ids(), vpc.subnets.as_slice());
    let endpoints = world.secretsmanager_endpoints(&vpc.id).await;
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    assert!(endpoints[0].1, "private DNS is on");

    let before = world.calls().len();
    world.rotctl(&args).run().success();
    assert!(mutating(&world.calls()[before..]).is_empty(), "{:?}", &world.calls()[before..]);
    assert_eq!(world.secretsmanager_endpoints(&vpc.id).await.len(), 1);
}

#[tokio::test]
async fn an_endpoint_already_in_the_vpc_is_used() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let vpc = world.vpc().await;
    world.create_secretsmanager_endpoint(&vpc).await;
    let subnets = vpc.subnets.join(",");
    world
        .rotctl(&[
            "enable",
            &secret,
            "--lambda-arn",
            &function,
            "--subnet-ids",
            &subnets,
            "--security-group-ids",
            &vpc.security_group,
        ])
        .run()
        .success();
    assert!(!mutating(&world.calls()).contains(&"CreateVpcEndpoint"));
    assert_eq!(world.secretsmanager_endpoints(&vpc.id).await.len(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_before_any_change() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.bare_function("rotate", &[]).await;
    let master = world.secret("admin").await;
    let no_output = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-no-output.yaml", world.prefix));
    std::fs::write(&no_output, "Resources:\n  F: {Type: AWS::Lambda::Function}\n").expect("writing a template");
    let no_output = no_output.to_str().expect("UTF-8").to_string();
    let other_region = function.replace("us-east-1", "eu-west-1");
    let missing_function = format!("{function}-missing");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--lambda-arn", &function, "--every-days", "0"], "1 to 1000"),
        (vec!["--lambda-arn", &function, "--every-days", "5", "--schedule", "rate(5 days)"], "cannot be used together"),
        (vec!["--lambda-arn", &function, "--schedule", "cron(15 * * * ? *)"], "minutes 0"),
        (vec!["--lambda-arn", &function, "--schedule", "rate(2 hours)"], "every 4 hours"),
        (vec!["--lambda-arn", &function, "--schedule", "rate(1 day)", "--window", "30h"], "1h to 24h"),
        (vec!["--lambda-arn", &function, "--window", "2h"], "--window needs a schedule"),
        (vec!["--template", "cassandra-single"], "rotctl templates"),
        (vec!["--template", "postgres-multi"], "--master-secret"),
        (vec!["--template", "postgres-single", "--master-secret", &master], "single-user"),
        (vec!["--template", "postgres-single", "--template-version", "latest"], "like 1.1.671"),
        (vec!["--lambda-arn", "not-an-arn"], "not an ARN"),
        (vec!["--lambda-arn", &other_region], "Secrets Manager invokes functions in its own region"),
        (vec!["--lambda-arn", &missing_function], "does not exist"),
        (vec!["--lambda-arn", &function, "--subnet-ids", "vpc-123", "--security-group-ids", "sg-1"], "subnet-"),
        (vec!["--lambda-arn", &function, "--subnet-ids", "subnet-0123", "--security-group-ids", "sg-0123"], "subnet"),
        (vec!["--lambda-arn", &function, "--vpc-endpoint", "create"], "needs the function in a VPC"),
        (vec!["--template-file", "/nonexistent/template.yaml"], "cannot read"),
        (vec!["--template-file", &no_output], "does not output RotationLambdaARN"),
        (vec!["--template", "postgres-single", "--stack-name", "1-starts-with-a-digit"], "--stack-name"),
        (
            vec!["--template", "postgres-single", "--kms-key-arn", "arn:aws:kms:us-east-1:123456789012:alias/x"],
            "KMS key ARN",
        ),
    ];
    for (args, says) in cases {
        let mut full = vec!["enable", secret.as_str()];
        full.extend(args);
        world.rotctl(&full).run().fails(2, &[says]);
    }
    // Usage errors clap catches: no source, or two; a subnet without a group.
    world.rotctl(&["enable", &secret]).run().code(2);
    world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--template", "postgres-single"]).run().code(2);
    world.rotctl(&["enable", &secret, "--lambda-arn", &function, "--subnet-ids", "subnet-0123"]).run().code(2);
    world.rotctl(&["enable", &world.name("missing"), "--lambda-arn", &function]).run().fails(2, &["not found"]);
    assert!(mutating(&world.calls()).is_empty(), "bad input changed something: {:?}", mutating(&world.calls()));
    assert!(world.policy_statements(&function).await.is_empty());
}

#[tokio::test]
async fn a_template_s_keys_are_checked_without_printing_the_value() {
    let world = World::new();
    let secret = world.secret("db").await;
    // The fixture secret has engine, host, username, password: Oracle also needs dbname.
    world
        .rotctl(&["enable", &secret, "--template", "oracle-single", "--check-value"])
        .run()
        .fails(2, &["lacks the key(s) dbname", "oracle-single", "--no-preflight-value"]);
    assert_eq!(mutating(&world.calls()), Vec::<&str>::new());
    assert!(operations(&world.calls()).contains(&"GetSecretValue"), "the check reads the value once");
}

#[tokio::test]
async fn yes_does_not_consent_to_reading_the_value() {
    let world = World::new();
    let secret = world.secret("db").await;
    // --yes answers confirmations, not this: without --check-value and a terminal, no value is read.
    // (CreateChangeSet is refused: this test is about the value, not the deployment.)
    world.fault(json!({"Operation": "CreateChangeSet", "Code": "ValidationError", "Status": 400}));
    let run = world.rotctl(&["enable", &secret, "--template", "oracle-single", "--yes"]).run().code(1);
    assert!(run.stderr.contains("were not checked") && run.stderr.contains("--check-value"), "{run}");
    assert!(!operations(&world.calls()).contains(&"GetSecretValue"), "the value was read: {:?}", world.calls());
}

#[tokio::test]
async fn a_stuck_rotation_is_refused_with_what_to_do() {
    let world = World::new();
    let secret = world.secret("db").await;
    let broken = world.rotation_function("broken", &[("FAIL_AT_STEP", "setSecret")]).await;
    let pending = world.start_rotation(&secret, &broken, 30).await;
    world.wait_for_event(&secret, "RotationFailed").await;
    world.set_dates(&secret, json!({"VersionCreatedDates": {&pending: jiff::Timestamp::now().as_second() - 3600}}));
    let function = world.rotation_function("fixed", &[]).await;
    world
        .rotctl(&["enable", &secret, "--lambda-arn", &function])
        .run()
        .fails(2, &["did not finish", &pending, "update-secret-version-stage"]);
    assert!(mutating(&world.calls()).is_empty());
}

#[tokio::test]
async fn a_retried_add_permission_leaves_one_statement() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.bare_function("rotate", &[]).await;
    // The first AddPermission is applied, but its answer is lost: the SDK retries.
    world.fault(json!({"Operation": "AddPermission", "After": true, "Status": 500, "Code": "ServiceException"}));
    world.rotctl(&["enable", &secret, "--lambda-arn", &function]).run().success();
    assert_eq!(rotctl_grants(&world, &function).await, [json!(ACCOUNT)]);
}

#[tokio::test]
async fn a_run_killed_before_rotating_converges_on_the_next() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.bare_function("rotate", &[]).await;
    world.fault(json!({"Operation": "RotateSecret", "Hold": 30}));
    let child = world.rotctl(&["enable", &secret, "--lambda-arn", &function]).spawn();
    world.wait_for_held("RotateSecret").await;
    child.kill();
    // Killed after the permission step: the permission is there, rotation is not.
    assert_eq!(rotctl_grants(&world, &function).await.len(), 1);
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), None);

    let json = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "-o", "json"]).run().success().json();
    assert_eq!(plan(&json)[0], ("invoke-permission".to_string(), "ok".to_string()));
    assert_eq!(plan(&json)[3], ("rotation".to_string(), "create".to_string()));
    assert_eq!(rotctl_grants(&world, &function).await.len(), 1, "still one statement");
    world.wait_for_event(&secret, "RotationSucceeded").await;
}

#[tokio::test]
async fn a_run_killed_between_change_set_and_execution_converges() {
    let world = World::new();
    let secret = world.secret("db").await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("UTF-8");
    world.fault(json!({"Operation": "ExecuteChangeSet", "Hold": 30}));
    let child = world.rotctl(&["enable", &secret, "--template-file", template]).spawn();
    world.wait_for_held("ExecuteChangeSet").await;
    child.kill();
    let stack_name = format!("rotctl-{}-db-{}", world.prefix, arn_tag(&secret));
    let stacks = world.cloudformation.describe_stacks().stack_name(&stack_name).send().await.expect("DescribeStacks");
    assert_eq!(
        stacks.stacks()[0].stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str),
        Some("REVIEW_IN_PROGRESS")
    );

    world.rotctl(&["enable", &secret, "--template-file", template]).run().success();
    let all = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let named: Vec<_> = all.stacks().iter().filter(|s| s.stack_name() == Some(stack_name.as_str())).collect();
    assert_eq!(named.len(), 1, "one stack");
    assert_eq!(
        named[0].stack_status().map(aws_sdk_cloudformation::types::StackStatus::as_str),
        Some("CREATE_COMPLETE")
    );
    let creates = world.calls().iter().filter(|c| c.operation == "CreateChangeSet" && c.status == 200).count();
    assert_eq!(creates, 1, "the second run re-used the first run's change set");
    world.wait_for_event(&secret, "RotationSucceeded").await;
}

#[tokio::test]
async fn vpc_endpoint_create_uses_the_vpc_the_function_is_already_in() {
    let world = World::new();
    let secret = world.secret("db").await;
    let function = world.rotation_function("rotate", &[]).await;
    let vpc = world.vpc().await;
    world.put_in_vpc(&function, &vpc).await;
    let json = world
        .rotctl(&["enable", &secret, "--lambda-arn", &function, "--vpc-endpoint", "create", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["Plan"][2]["Action"], "create");
    assert_eq!(world.secretsmanager_endpoints(&vpc.id).await.len(), 1);
}

#[tokio::test]
async fn vpc_endpoint_create_for_a_template_outside_any_vpc_is_refused() {
    let world = World::new();
    let secret = world.secret("db").await;
    // An AWS template's function is in a VPC only through --subnet-ids: refused before anything.
    world
        .rotctl(&["enable", &secret, "--template", "postgres-single", "--vpc-endpoint", "create", "--yes"])
        .run()
        .fails(2, &["--vpc-endpoint create needs the function in a VPC"]);
    assert!(mutating(&world.calls()).is_empty());
    // A template file's function is known only once deployed: the refusal comes after the stack, so it is exit 1.
    let template = world.template_file("stack", true);
    let run = world
        .rotctl(&["enable", &secret, "--template-file", template.to_str().expect("UTF-8"), "--vpc-endpoint", "create"])
        .run()
        .fails(1, &["needs the function in a VPC", "re-run the same enable"]);
    assert!(mutating(&world.calls()).contains(&"ExecuteChangeSet"), "{run}");
}

#[tokio::test]
async fn a_template_dry_run_names_the_application_its_version_and_parameters() {
    let world = World::new();
    let secret = world.secret("db").await;
    let json = world
        .rotctl(&[
            "enable",
            &secret,
            "--template",
            "postgres-single",
            "--exclude-characters",
            "/@",
            "--dry-run",
            "-o",
            "json",
        ])
        .run()
        .success()
        .json();
    let stack = &json["Plan"][0];
    assert_eq!((stack["Step"].as_str(), stack["Action"].as_str()), (Some("stack"), Some("create")), "{json}");
    let detail = stack["Detail"].as_str().unwrap_or_default();
    let expected = [
        "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser 1.1.",
        "endpoint=https://secretsmanager.us-east-1.amazonaws.com",
        "excludeCharacters=/@",
        &format!("functionName={}-db-{}-rotation", world.prefix, arn_tag(&secret)),
    ];
    for part in expected {
        assert!(detail.contains(part), "{part:?} not in {detail}");
    }
    assert!(mutating(&world.calls()).is_empty(), "a dry run changed something: {:?}", world.calls());
    assert!(!operations(&world.calls()).contains(&"GetSecretValue"), "a dry run reads no value");
}
