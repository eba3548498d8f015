//! `rotctl history` (issue 15): a real sequence in the emulator (a rotation,
//! a failed one, its retry, a value put by hand, a rollback) read back as one
//! timeline, judged against the versions the emulator holds.

use crate::harness::{World, holder, mutating};

#[tokio::test]
async fn rotate_fail_retry_put_and_rollback_in_order_with_their_kinds() {
    let world = World::new();
    let secret = world.secret("db").await;
    let first = world.stages(&secret).await.into_keys().next().expect("the created version");
    let function = world.rotation_function("rotate", &[]).await;
    let rotated = world.rotate(&secret, &function, 30).await;

    world.set_function_env(&function, &[("FAIL_AT_STEP", "setSecret")]).await;
    let failed = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().code(1).json();
    let failed = failed["VersionId"].as_str().expect("the failed version").to_string();
    world.set_function_env(&function, &[]).await;
    let retried = world.rotctl(&["rotate-now", &secret, "--retry", "--wait", "-o", "json"]).run().code(0).json();
    let retried = retried["VersionId"].as_str().expect("the retried version").to_string();

    let put = world
        .secrets
        .put_secret_value()
        .secret_id(&secret)
        .secret_string(r#"{"username":"app","password":"ROTCTL-TEST-SECRET-VALUE-by-hand"}"#)
        .send()
        .await
        .expect("PutSecretValue");
    let manual = put.version_id().expect("a version").to_string();
    world.rotctl(&["rollback", &secret, "--yes"]).run().code(0);
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(retried.clone()), "the rollback moved AWSCURRENT back");
    assert_eq!(holder(&stages, "AWSPREVIOUS"), Some(manual.clone()));

    let before = world.calls().len();
    let run = world.rotctl(&["history", &secret, "-o", "json"]).run().code(0);
    let json = run.json();
    let events: Vec<(String, String)> = json["Events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (e["VersionId"].as_str().unwrap_or("-").to_string(), e["Kind"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let expected: Vec<(String, String)> = [
        (&first, "manual"),
        (&rotated, "rotation"),
        (&failed, "rotation-failed"),
        (&retried, "rotation"),
        (&manual, "manual"),
        (&retried, "labels"),
    ]
    .iter()
    .map(|(v, k)| ((*v).clone(), (*k).to_string()))
    .collect();
    assert_eq!(events, expected, "{json}");
    let detail = |i: usize| json["Events"][i]["Detail"].as_str().unwrap_or_default().to_string();
    assert!(detail(2).starts_with("function-error: RuntimeError: injected failure at setSecret"), "{}", detail(2));
    assert!(detail(4).contains("PutSecretValue by arn:aws:iam::"), "who put it, from CloudTrail: {}", detail(4));
    assert!(detail(5).contains(&format!("moved back from {manual}")), "{}", detail(5));
    assert_eq!(json["CurrentVersionId"], retried.as_str());
    assert_eq!(json["CurrentValueAgeDays"], 0);
    assert!(!run.stdout.contains("ROTCTL-TEST-SECRET-VALUE"), "no value in the history");

    // Reads only, three sources: the secret and its versions, the function's log, CloudTrail.
    let calls = world.calls();
    assert_eq!(mutating(&calls[before..]), Vec::<&str>::new());
    let mut operations: Vec<&str> = calls[before..].iter().map(|c| c.operation.as_str()).collect();
    operations.sort_unstable();
    // CloudTrail once for each event name history reads.
    assert_eq!(
        operations,
        [
            "DescribeSecret",
            "FilterLogEvents",
            "ListSecretVersionIds",
            "LookupEvents",
            "LookupEvents",
            "LookupEvents",
            "LookupEvents",
            "LookupEvents"
        ]
    );

    let table = world.rotctl(&["history", &secret]).run().code(0).stdout;
    assert!(table.contains("Current value: version") && table.contains("rotation-failed"), "{table}");

    // Bad input: exit 2, nothing read.
    world.rotctl(&["history", &secret, "--days", "0"]).run().fails(2, &["--days 0", "from 1 to 365"]);
}

#[tokio::test]
async fn follow_prints_the_functions_lines_in_order_and_ends_at_awscurrent_or_an_error() {
    let world = World::new();
    let function = world.rotation_function("slow", &[("STEP_DELAY", "1.5")]).await;
    let secret = world.rotated_secret("db", &function).await;

    let run = world.rotctl(&["rotate-now", &secret, "--wait", "--follow", "-o", "json"]).run().code(0);
    let version = run.json()["VersionId"].as_str().expect("the new version").to_string();
    let stages = world.stages(&secret).await;
    assert_eq!(holder(&stages, "AWSCURRENT"), Some(version.clone()), "the emulator's AWSCURRENT");
    let logged: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("rotctl: log ")).collect();
    let steps: Vec<&str> = ["createSecret", "setSecret", "testSecret", "finishSecret"]
        .into_iter()
        .filter(|step| logged.iter().any(|l| l.contains(&format!("{step}:"))))
        .collect();
    assert_eq!(steps, ["createSecret", "setSecret", "testSecret", "finishSecret"], "{run}");
    let order: Vec<usize> = ["createSecret", "setSecret", "testSecret", "finishSecret"]
        .iter()
        .map(|step| logged.iter().position(|l| l.contains(&format!("{step}:"))).expect("logged"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in the order logged: {logged:?}");
    assert!(
        logged.last().is_some_and(|l| l.contains(&format!("Successfully set AWSCURRENT stage to version {version}"))),
        "{run}"
    );
    assert_eq!(logged.iter().filter(|l| l.contains("createSecret:")).count(), 1, "each line once: {logged:?}");

    // A step that fails: the lines up to its error, then exit 1.
    world.set_function_env(&function, &[("FAIL_AT_STEP", "testSecret")]).await;
    let run = world.rotctl(&["rotate-now", &secret, "--wait", "--follow"]).run().code(1);
    let logged: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("rotctl: log ")).collect();
    assert!(
        logged.last().is_some_and(|l| l.contains("[ERROR]") && l.contains("injected failure at testSecret")),
        "{run}"
    );
    assert!(!logged.iter().any(|l| l.contains("finishSecret")), "{run}");
    assert!(!run.stderr.contains("ROTCTL-TEST-SECRET-VALUE"));
    world.rotctl(&["rotate-now", &secret, "--follow"]).run().code(2);
}
