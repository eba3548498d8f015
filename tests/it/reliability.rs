//! Interruption, faults, hostile input and least privilege: rotctl keeps
//! its promises when things go wrong (docs/reliability.md, docs/iam.md).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rotctl::commands::enable::plan::derived_name_for;
use serde_json::json;

use crate::harness::{ACCOUNT, Spawned, World, holder, mutating, reads};

/// Waits until rotctl has made `operation` (answered) `times` times.
async fn wait_for_calls(world: &World, operation: &str, times: usize) {
    let started = Instant::now();
    while world.calls().iter().filter(|c| c.operation == operation && c.status == 200).count() < times {
        assert!(started.elapsed() < Duration::from_secs(20), "rotctl never made {operation} {times} times");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Ctrl-C, then how long rotctl took to end and what it printed.
fn interrupt(child: Spawned) -> (Duration, crate::harness::Run) {
    let sent = Instant::now();
    child.interrupt();
    let run = child.finish();
    eprintln!("CTRL-C\t{} ms", sent.elapsed().as_millis());
    (sent.elapsed(), run)
}

#[tokio::test]
async fn ctrl_c_while_waiting_for_a_rotation_stops_and_says_it_goes_on() {
    let world = World::in_region("eu-central-2");
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    world.set_function_env(&function, &[("STEP_DELAY", "1")]).await;

    let child = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).spawn();
    wait_for_calls(&world, "RotateSecret", 1).await;
    wait_for_calls(&world, "DescribeSecret", 2).await; // rotctl is polling
    let (took, run) = interrupt(child);
    let run = run.fails(130, &["interrupted (Ctrl-C)", "goes on in AWS", "rotctl status", &world.name("db")]);
    assert!(took < Duration::from_secs(3), "Ctrl-C took {took:?} to stop rotctl:\n{run}");

    // rotctl only stopped watching: the rotation it started finishes in AWS.
    let pending = holder(&world.stages(&secret).await, "AWSPENDING").expect("the rotation still running");
    assert!(run.stderr.contains(&pending), "the message names the version:\n{run}");
    world.wait_for_event(&secret, "RotationSucceeded").await;
    let started = Instant::now();
    while holder(&world.stages(&secret).await, "AWSCURRENT").as_deref() != Some(pending.as_str()) {
        assert!(started.elapsed() < Duration::from_secs(20), "the interrupted rotation never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mutating(&world.calls()), ["RotateSecret"], "Ctrl-C sent nothing else");
}

#[tokio::test]
async fn ctrl_c_at_a_confirmation_prompt_changes_nothing() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    let before = world.stages(&secret).await;
    let mut terminal = world.rotctl(&["rollback", &secret]).spawn_in_terminal();
    terminal.wait_for("Continue? [y/N]");
    terminal.type_keys(b"\x03"); // Ctrl-C, as the terminal turns it into SIGINT
    let run = terminal.finish();
    assert_eq!(run.code, 130, "{run}");
    assert!(run.stdout.contains("interrupted (Ctrl-C) before any change was sent; nothing was changed"), "{run}");
    assert_eq!(world.stages(&secret).await, before);
    assert!(mutating(&world.calls()).is_empty(), "{:?}", world.calls());
}

#[tokio::test]
async fn ctrl_c_in_a_stack_wait_stops_and_a_re_run_finishes() {
    let world = World::in_region("eu-central-2");
    let secret = world.secret("db").await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path");
    // The first DescribeStacks is the plan's; hold the stack wait's.
    world.fault(json!({"Operation": "DescribeStacks", "Skip": 1, "Hold": 30}));
    let child = world.rotctl(&["enable", &secret, "--template-file", template]).spawn();
    world.wait_for_held("DescribeStacks").await;
    assert!(world.calls().iter().any(|c| c.operation == "ExecuteChangeSet" && c.status == 200), "in the stack wait");
    let (took, run) = interrupt(child);
    let run =
        run.fails(130, &["interrupted (Ctrl-C)", "CloudFormation goes on deploying stack", "run again waits for it"]);
    assert!(took < Duration::from_secs(3), "Ctrl-C took {took:?} to stop rotctl:\n{run}");
    assert!(!world.calls().iter().any(|c| c.operation == "RotateSecret"), "rotation was not reached");

    let json = world.rotctl(&["enable", &secret, "--template-file", template, "-o", "json"]).run().success().json();
    let actions: Vec<_> = json["Plan"].as_array().expect("a plan").iter().map(|s| s["Action"].clone()).collect();
    assert_eq!(actions[0], "ok", "the stack the first run deployed is used: {json}");
    let stacks = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let name = format!("rotctl-{}", derived_name_for(&world.name("db"), &secret, "", 121));
    let ours: Vec<_> = stacks.stacks().iter().filter(|s| s.stack_name() == Some(name.as_str())).collect();
    assert_eq!(ours.len(), 1, "one stack");
    world.wait_for_event(&secret, "RotationSucceeded").await;
}

/// One fault condition of the matrix: faults the emulator injects into every
/// call rotctl makes (any service, any operation unless named).
struct Case {
    label: String,
    faults: Vec<serde_json::Value>,
    /// The SDK's retries (3 attempts) absorb these: the run must complete.
    must_complete: bool,
}

/// The faults each command meets (docs/reliability.md): a few in a row of
/// each kind, each mutating call applied and then answered with a 500, and a
/// random ~25% mix at three fixed seeds.
fn cases(mutating_operations: &[&str]) -> Vec<Case> {
    let in_a_row = |label: &str, fault: serde_json::Value, must_complete: bool| Case {
        label: label.to_string(),
        faults: vec![fault],
        must_complete,
    };
    let error = |code: &str, status: u16, count: u32| json!({"Code": code, "Status": status, "Count": count});
    let mut cases = vec![
        in_a_row("ThrottlingException ×2", error("ThrottlingException", 400, 2), true),
        in_a_row("ThrottlingException ×4", error("ThrottlingException", 400, 4), false),
        in_a_row("TooManyRequestsException (429) ×2", error("TooManyRequestsException", 429, 2), true),
        in_a_row("500 InternalFailure ×2", error("InternalFailure", 500, 2), true),
        in_a_row("503 ServiceUnavailable ×3", error("ServiceUnavailable", 503, 3), false),
        in_a_row("connection dropped ×2", json!({"Drop": true, "Count": 2}), true),
    ];
    if !mutating_operations.is_empty() {
        // Every change applied and its answer lost: the retry must find it done.
        // Per operation, its first call and (Skip 1 passes that call's retry) its next one.
        cases.push(Case {
            label: "each change applied, then 500".to_string(),
            faults: mutating_operations
                .iter()
                .flat_map(|op| {
                    (0..2).map(move |skip| {
                        json!({"Operation": op, "After": true, "Skip": skip, "Code": "InternalFailure", "Status": 500, "Count": 1})
                    })
                })
                .collect(),
            must_complete: true,
        });
    }
    for seed in 1..=3 {
        cases.push(Case {
            label: format!("~25% throttling/500/drop, seed {seed}"),
            faults: vec![
                json!({"Rate": 0.10, "Seed": seed, "Code": "ThrottlingException", "Status": 400}),
                json!({"Rate": 0.10, "Seed": seed + 100, "Code": "InternalFailure", "Status": 500}),
                json!({"Rate": 0.06, "Seed": seed + 200, "Drop": true}),
            ],
            must_complete: false,
        });
    }
    cases
}

/// How one run under faults ended. Anything else fails the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Exit 0 and the right state in the emulator.
    Completed,
    /// Exit 1, one clear message, nothing changed in the emulator.
    FailedUnchanged,
    /// Exit 1, a change had applied and the message said so; following its
    /// advice (a re-run, or checking status) reached the right state.
    FailedReported,
}

impl Outcome {
    fn text(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::FailedUnchanged => "exit 1, unchanged",
            Outcome::FailedReported => "exit 1, reported; converged",
        }
    }
}

/// Runs `attempt` once per case with the case's faults in place, records
/// each outcome for docs/reliability.md, and checks the run never changed
/// anything on its own read-only path.
async fn matrix(
    command: &str,
    world: &World,
    mutating_operations: &[&str],
    mut attempt: impl AsyncFnMut(usize) -> Outcome,
) {
    let mut rows = Vec::new();
    for (i, case) in cases(mutating_operations).iter().enumerate() {
        world.clear_faults();
        for fault in &case.faults {
            world.fault(fault.clone());
        }
        let before = world.calls().len();
        let outcome = attempt(i).await;
        world.clear_faults();
        assert!(
            !case.must_complete || outcome == Outcome::Completed,
            "{command} under {}: the SDK's retries should have absorbed it, but {outcome:?}",
            case.label
        );
        let calls = world.calls();
        for call in &calls[before..] {
            assert!(
                !call.is_mutating() || mutating_operations.contains(&call.operation.as_str()),
                "{command} under {}: unexpected {}",
                case.label,
                call.operation
            );
        }
        let faults = calls[before..].iter().filter(|c| c.injected).count();
        rows.push(format!("{command}\t{}\t{}\t{}\t{faults}", case.label, outcome.text(), calls.len() - before));
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-matrix");
    std::fs::create_dir_all(&dir).expect("the fault-matrix directory");
    std::fs::write(dir.join(format!("{command}.tsv")), rows.join("\n") + "\n").expect("writing the fault matrix");
}

/// rotctl's invoke statements on a function: each must carry SourceAccount
/// and name one function (never `*`). Returns how many there are.
async fn checked_grants(world: &World, function: &str) -> usize {
    let grants: Vec<_> = world
        .policy_statements(function)
        .await
        .into_iter()
        .filter(|s| s["Principal"]["Service"] == "secretsmanager.amazonaws.com")
        .collect();
    for grant in &grants {
        assert_eq!(grant["Condition"]["StringEquals"]["AWS:SourceAccount"], ACCOUNT, "{grant}");
        assert_eq!(grant["Resource"].as_str(), Some(function), "{grant}");
        assert_eq!(grant["Action"], "lambda:InvokeFunction", "{grant}");
    }
    assert!(grants.len() <= 1, "one statement at most: {grants:?}");
    grants.len()
}

#[tokio::test]
async fn faults_status() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    let stages = world.stages(&secret).await;
    matrix("status", &world, &[], async |_| {
        let run = world.rotctl(&["status", &secret, "-o", "json"]).run();
        if run.code == 1 {
            run.fails(1, &[]);
            return Outcome::FailedUnchanged;
        }
        let json = run.code(0).json();
        assert_eq!(json[0]["RotationState"], "healthy");
        let reported: HashMap<String, Vec<String>> =
            serde_json::from_value(json[0]["VersionIdsToStages"].clone()).expect("stages");
        assert_eq!(reported, stages);
        Outcome::Completed
    })
    .await;
}

#[tokio::test]
async fn faults_enable() {
    let world = World::new();
    matrix("enable", &world, &["AddPermission", "RotateSecret"], async |i| {
        let secret = world.secret(&format!("db{i}")).await;
        let function = world.bare_function(&format!("rotate{i}"), &[]).await;
        let run = world.rotctl(&["enable", &secret, "--lambda-arn", &function, "-o", "json"]).run();
        let enabled = async || {
            let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
            described.rotation_enabled() == Some(true) && described.rotation_lambda_arn() == Some(function.as_str())
        };
        let outcome = if run.code == 0 {
            Outcome::Completed
        } else {
            let run = run.fails(1, &[]);
            if checked_grants(&world, &function).await == 0 && !enabled().await {
                Outcome::FailedUnchanged
            } else {
                assert!(run.stderr.contains("re-run the same enable"), "a partial change not reported:\n{run}");
                world.rotctl(&["enable", &secret, "--lambda-arn", &function]).run().code(0);
                Outcome::FailedReported
            }
        };
        if outcome != Outcome::FailedUnchanged {
            assert_eq!(checked_grants(&world, &function).await, 1);
            assert!(enabled().await, "rotation is configured");
            world.wait_for_event(&secret, "RotationSucceeded").await;
            let started = world.rotation_events(&secret).iter().filter(|e| *e == "RotationStarted").count();
            assert_eq!(started, 1, "one rotation");
        }
        outcome
    })
    .await;
}

#[tokio::test]
async fn faults_rotate_now() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    matrix("rotate-now --wait", &world, &["RotateSecret"], async |i| {
        let secret = world.rotated_secret(&format!("db{i}"), &function).await;
        let started_before = world.rotation_events(&secret).iter().filter(|e| *e == "RotationStarted").count();
        let versions_before = world.stages(&secret).await;
        let run = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run();
        let started = || world.rotation_events(&secret).iter().filter(|e| *e == "RotationStarted").count();
        if run.code == 0 {
            let version = run.json()["VersionId"].as_str().expect("a version").to_string();
            assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(version));
            assert_eq!(started(), started_before + 1, "exactly one rotation");
            return Outcome::Completed;
        }
        let run = run.fails(1, &[]);
        // RotateSecret creates the new (AWSPENDING) version before it answers.
        let versions_now = world.stages(&secret).await;
        if versions_now.keys().all(|id| versions_before.contains_key(id)) {
            return Outcome::FailedUnchanged;
        }
        assert!(
            run.stderr.contains("goes on in AWS") || run.stderr.contains("may have reached AWS"),
            "a started rotation not reported:\n{run}"
        );
        world.wait_for_event(&secret, "RotationSucceeded").await;
        assert_eq!(started(), started_before + 1, "exactly one rotation");
        Outcome::FailedReported
    })
    .await;
}

#[tokio::test]
async fn faults_rollback() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    matrix("rollback --yes", &world, &["UpdateSecretVersionStage"], async |i| {
        let secret = world.secret(&format!("db{i}")).await;
        let first = world.stages(&secret).await.into_keys().next().expect("the first version");
        let second = world.rotate(&secret, &function, 30).await;
        let before = world.stages(&secret).await;
        let run = world.rotctl(&["rollback", &secret, "--yes", "-o", "json"]).run();
        let after = world.stages(&secret).await;
        let rolled_back = holder(&after, "AWSCURRENT") == Some(first.clone())
            && holder(&after, "AWSPREVIOUS") == Some(second.clone())
            && holder(&after, "AWSPENDING").is_none();
        if run.code == 0 {
            assert!(rolled_back, "{after:?}");
            return Outcome::Completed;
        }
        let run = run.fails(1, &[]);
        if after == before {
            return Outcome::FailedUnchanged;
        }
        // Never half a rollback: AWS moved AWSCURRENT, and rotctl said to check.
        assert!(rolled_back, "a half-done rollback: {after:?} (first {first}, second {second}):\n{run}");
        assert!(run.stderr.contains("part-way") && run.stderr.contains("rotctl status"), "not reported:\n{run}");
        Outcome::FailedReported
    })
    .await;
}

#[tokio::test]
async fn faults_disable() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    matrix("disable --yes", &world, &["CancelRotateSecret", "UpdateSecretVersionStage"], async |i| {
        let secret = world.rotated_secret(&format!("db{i}"), &function).await;
        let run = world.rotctl(&["disable", &secret, "--yes", "-o", "json"]).run();
        let enabled = async || {
            let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
            described.rotation_enabled() == Some(true)
        };
        if run.code == 0 {
            assert!(!enabled().await, "rotation is off");
            return Outcome::Completed;
        }
        let run = run.fails(1, &[]);
        if enabled().await {
            return Outcome::FailedUnchanged;
        }
        assert!(run.stderr.contains("part-way") && run.stderr.contains("again"), "not reported:\n{run}");
        world.rotctl(&["disable", &secret, "--yes"]).run().code(0);
        assert!(!enabled().await, "rotation is off");
        Outcome::FailedReported
    })
    .await;
}

#[tokio::test]
async fn faults_audit() {
    let world = World::in_region("me-central-1");
    let function = world.rotation_function("rotate", &[]).await;
    world.rotated_secret("rotated", &function).await;
    world.secret("never-rotated").await;
    let findings = |run: &crate::harness::Run| {
        let json = run.json();
        let list = json["Findings"].as_array().expect("findings").iter();
        list.map(|f| (f["ARN"].to_string(), f["Rule"].to_string())).collect::<std::collections::BTreeSet<_>>()
    };
    let baseline = world.rotctl(&["audit", "-o", "json"]).run().code(3);
    let expected = findings(&baseline);
    matrix("audit", &world, &[], async |_| {
        let run = world.rotctl(&["audit", "-o", "json"]).run();
        match run.code {
            3 if run.stderr.is_empty() => {
                assert_eq!(findings(&run), expected);
                Outcome::Completed
            }
            // A part that could not be read is reported, never silently passed.
            1 | 3 => {
                assert!(run.stderr.starts_with("rotctl: "), "{run}");
                if !run.stdout.is_empty() {
                    assert!(findings(&run).is_subset(&expected), "{run}");
                    assert!(run.stderr.contains("could not"), "what was not checked is named:\n{run}");
                }
                Outcome::FailedUnchanged
            }
            _ => panic!("unexpected exit:\n{run}"),
        }
    })
    .await;
}

/// Every command and option with malformed, out-of-range, contradictory and
/// hostile values: exit 2, one `rotctl: ` line that says what to do, short
/// (hostile input is not echoed in full), and no change in AWS.
#[tokio::test]
async fn bad_input_catalogue() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    let huge = "a".repeat(100_000);
    let dir = env!("CARGO_TARGET_TMPDIR");
    let hostile_secrets: Vec<String> = vec![
        String::new(),
        huge.clone(),
        "a;rm -rf /".into(),
        "$(touch /tmp/rotctl-pwned)".into(),
        "`id`".into(),
        "x|y".into(),
        "name with space".into(),
        "line\nbreak".into(),
        "arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf".into(),
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf".into(),
        "arn:aws:lambda:us-east-1:123456789012:function:x".into(),
        "arn:aws:secretsmanager:us-east-1:12345:secret:x-AbCdEf".into(),
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:".into(),
        "arn:".into(),
    ];
    let mut cases: Vec<Vec<String>> = Vec::new();
    for bad in &hostile_secrets {
        for command in [&["status"][..], &["rotate-now"], &["rollback", "--yes"], &["disable", "--yes"]] {
            let mut args: Vec<String> = command.iter().map(|a| a.to_string()).collect();
            args.insert(1, bad.clone());
            cases.push(args);
        }
        cases.push(vec!["enable".into(), bad.clone(), "--lambda-arn".into(), function.clone()]);
    }
    let with =
        |base: &[&str], extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|a| a.to_string()).collect() };
    let enable: &[&str] = &["enable", &secret, "--lambda-arn", &function];
    let option_cases: Vec<Vec<String>> = vec![
        with(&["status", "--name-prefix", ""], &[]),
        with(&["status", &secret, "--all"], &[]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &["0s"]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &["25h"]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &["-5m"]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &["forever"]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &[""]),
        with(&["rotate-now", &secret, "--wait", "--timeout"], &[&huge]),
        with(&["audit", "--fail-on"], &[&huge]),
        with(&["rollback", &secret, "--yes", "--to-version"], &["short"]),
        with(&["rollback", &secret, "--yes", "--to-version"], &[&huge]),
        with(&["rollback", &secret, "--yes", "--to-version"], &["$(id)-0000000000000000000000000000000000"]),
        with(&["rollback", &secret, "--yes", "--to-version"], &["00000000-0000-0000-0000-000000000000"]),
        with(&["rollback", &secret, "--yes", "--expect-current"], &["short"]),
        with(&["rollback", &secret, "--yes", "--expect-current"], &["00000000-0000-0000-0000-000000000000"]),
        with(enable, &["--every-days", "0"]),
        with(enable, &["--every-days", "1001"]),
        with(enable, &["--every-days", "-1"]),
        with(enable, &["--every-days", "99999999999999999999"]),
        with(enable, &["--every-days", "ten"]),
        with(enable, &["--schedule", "rate(0 days)"]),
        with(enable, &["--schedule", "rate(5 days); rm -rf /"]),
        with(enable, &["--schedule", "cron("]),
        with(enable, &["--schedule", "cron(0 0 32 * ? *)"]),
        with(enable, &["--schedule", ""]),
        with(enable, &["--schedule", &huge]),
        with(enable, &["--schedule", "rate(1 day)", "--window", "0h"]),
        with(enable, &["--schedule", "rate(1 day)", "--window", "25h"]),
        with(enable, &["--schedule", "rate(1 day)", "--window", "two hours"]),
        with(&["enable", &secret, "--template", ""], &[]),
        with(&["enable", &secret, "--template", "$(id)"], &[]),
        with(&["enable", &secret, "--template-file", ""], &[]),
        with(&["enable", &secret, "--template-file", dir], &[]),
        with(&["enable", &secret, "--lambda-arn", "arn:aws-cn:lambda:us-east-1:123456789012:function:f"], &[]),
        with(&["enable", &secret, "--lambda-arn", ""], &[]),
        with(&["enable", &secret, "--lambda-arn", &huge], &[]),
        with(enable, &["--subnet-ids", "", "--security-group-ids", "sg-0123456789abcdef0"]),
        with(enable, &["--subnet-ids", "subnet-;rm", "--security-group-ids", "sg-0123456789abcdef0"]),
        with(enable, &["--subnet-ids", "subnet-0123456789abcdef0", "--security-group-ids", "$(id)"]),
        with(enable, &["--security-group-ids", "sg-0123456789abcdef0"]),
        with(enable, &["--vpc-endpoint", "sometimes"]),
        with(&["enable", &secret, "--template", "postgres-single", "--stack-name", &huge], &[]),
        with(&["enable", &secret, "--template", "postgres-single", "--function-name", "bad name"], &[]),
        with(&["enable", &secret, "--template", "postgres-single", "--kms-key-arn", "key"], &[]),
        with(&["enable", &secret, "--template", "postgres-multi", "--master-secret", "$(id)"], &[]),
        with(&["audit", "--regions", ""], &[]),
        with(&["audit", "--regions", "mars-1"], &[]),
        with(&["audit", "--regions", "us-east-1,,eu-west-1"], &[]),
        with(&["audit", "--regions", "all,us-east-1"], &[]),
        with(&["audit", "--max-interval-days", "0"], &[]),
        with(&["audit", "--max-interval-days", "x"], &[]),
        with(&["audit", "--max-days-since-rotation", "-1"], &[]),
        with(&["audit", "--unused-days", "99999999999999999999"], &[]),
        with(&["audit", "--required-tags", ",,"], &[]),
        with(&["audit", "--required-tags", &huge], &[]),
        with(&["audit", "--fail-on", "critical"], &[]),
        with(&["-o", "yaml", "status", &secret], &[]),
        with(&["-o", "sarif", "status", &secret], &[]),
        with(&["--region", "", "status", &secret], &[]),
        with(&["--region", "us-east-1;id", "status", &secret], &[]),
        with(&["--endpoint-url", "ftp://127.0.0.1:1", "status", &secret], &[]),
        with(&["--endpoint-url", "", "status", &secret], &[]),
        with(&["templates", "--region", "mars-1"], &[]),
        with(&["completions", "tcsh"], &[]),
        with(&["nonsense"], &[]),
    ];
    cases.extend(option_cases);
    let tried = cases.len();
    let mut wrong = Vec::new();
    for case in cases {
        let run = world.rotctl(&case.iter().map(String::as_str).collect::<Vec<_>>()).run();
        if let Err(why) = usage_message(&run) {
            wrong.push(format!("{why}:\n{run}"));
        }
    }
    // Arguments that are not UTF-8 at all, in each place an argument goes.
    let bytes = std::os::unix::ffi::OsStrExt::from_bytes(b"db\xff\xfe");
    let bytes: &std::ffi::OsStr = bytes;
    for command in [&["status"][..], &["rotate-now"], &["rollback"], &["disable"], &["audit", "--regions"]] {
        let run = world.rotctl(command).arg(bytes).run();
        if let Err(why) = usage_message(&run) {
            wrong.push(format!("{why}:\n{run}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} bad inputs were not refused well:\n{}",
        wrong.len(),
        tried + 5,
        wrong.join("\n")
    );
    assert!(mutating(&world.calls()).is_empty(), "bad input changed something: {:?}", mutating(&world.calls()));
    assert!(!std::path::Path::new("/tmp/rotctl-pwned").exists(), "a shell ran hostile input");
    eprintln!("BAD-INPUT\t{}", tried + 5);
}

/// Exit 2, nothing on stdout, one short `rotctl: ` line that names a fix.
fn usage_message(run: &crate::harness::Run) -> Result<(), &'static str> {
    let names_a_fix = ["(", "use ", "pass ", "see ", "set "].iter().any(|hint| run.stderr.contains(hint));
    match () {
        () if run.code != 2 => Err("not exit 2"),
        () if !run.stdout.is_empty() => Err("a usage error printed a result"),
        () if !run.stderr.starts_with("rotctl: ") => Err("not `rotctl: ...`"),
        () if run.stderr.trim_end().lines().count() != 1 => Err("not one line"),
        () if run.stderr.len() > 600 => Err("hostile input echoed in full"),
        () if !names_a_fix => Err("the message names no fix"),
        () => Ok(()),
    }
}

/// docs/iam.md's policies: key (`### Policy: KEY`) → the actions it allows.
fn iam_policies() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let doc = std::fs::read_to_string(crate::harness::root().join("docs/iam.md")).expect("docs/iam.md");
    let mut policies = std::collections::BTreeMap::new();
    for section in doc.split("### Policy: ").skip(1) {
        let key = section.lines().next().expect("a policy key").trim().to_string();
        let start = section.find("```json").expect("a JSON policy") + "```json".len();
        let end = start + section[start..].find("```").expect("the end of the JSON policy");
        let policy: serde_json::Value = serde_json::from_str(&section[start..end]).expect("a valid policy document");
        let mut actions = std::collections::BTreeSet::new();
        for statement in policy["Statement"].as_array().expect("statements") {
            assert_eq!(statement["Effect"], "Allow", "{key}: {statement}");
            let listed = match &statement["Action"] {
                serde_json::Value::String(one) => vec![one.clone()],
                many => {
                    many.as_array().expect("actions").iter().map(|a| a.as_str().expect("an action").into()).collect()
                }
            };
            for action in listed {
                assert!(!action.contains('*'), "{key}: a wildcard action {action}");
                actions.insert(action);
            }
        }
        policies.insert(key, actions);
    }
    policies
}

/// Every AWS operation the code calls, as IAM actions, found by reading
/// src/: each SDK call is `client.operation()` (the service is the file's
/// client) or `clients.<service>.operation()`.
fn operations_in_code() -> std::collections::BTreeSet<String> {
    let prefix_of = |client: &str| match client {
        "secrets" | "secrets.rs" => Some("secretsmanager"),
        "lambda" | "lambda.rs" => Some("lambda"),
        "cloudformation" | "cloudformation.rs" => Some("cloudformation"),
        "ec2" | "ec2.rs" => Some("ec2"),
        "cloudtrail" => Some("cloudtrail"),
        "logs" => Some("logs"),
        _ => None,
    };
    let pascal = |snake: &str| -> String { snake.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect() };
    let mut operations = std::collections::BTreeSet::new();
    let (mut sites, mut sends) = (0, 0);
    let mut files = vec![crate::harness::root().join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).expect("src/").map(|e| e.expect("an entry").path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a source file");
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        // `client\n    .operation()` → `client.operation()`; words stay apart.
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ").replace(" .", ".").replace(". ", ".");
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        for (at, _) in code.match_indices("()") {
            let before = &code[..at];
            let Some(dot) = before.rfind('.') else { continue };
            let method = &before[dot + 1..];
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                continue;
            }
            let receiver = before[..dot].rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).next();
            let service = match receiver.unwrap_or_default().rsplit('.').collect::<Vec<_>>()[..] {
                ["client", ..] => prefix_of(file),
                [name, "clients", ..] => prefix_of(name),
                _ => None,
            };
            if let Some(service) = service {
                operations.insert(format!("{service}:{}", pascal(method)));
                sites += 1;
            }
        }
        sends += code.matches(".send()").count();
    }
    // Every request sent is one of the calls found: none was missed.
    assert_eq!(sites, sends, "SDK calls found {sites}, requests sent {sends}: {operations:?}");
    operations
}

#[test]
fn docs_iam_names_every_operation_the_code_calls() {
    let in_code = operations_in_code();
    // The reader itself is checked: it finds the calls of every service.
    for expected in [
        "secretsmanager:RotateSecret",
        "lambda:AddPermission",
        "cloudformation:ExecuteChangeSet",
        "ec2:CreateVpcEndpoint",
        "cloudtrail:LookupEvents",
        "logs:FilterLogEvents",
    ] {
        assert!(in_code.contains(expected), "{expected} not found in {in_code:?}");
    }
    let policies = iam_policies();
    let documented: std::collections::BTreeSet<String> = policies.values().flatten().cloned().collect();
    let missing: Vec<_> = in_code.difference(&documented).collect();
    assert!(missing.is_empty(), "docs/iam.md does not allow {missing:?}");
    for read_only in ["status", "audit"] {
        let writes: Vec<_> =
            policies[read_only].iter().filter(|action| !reads(action.split(':').nth(1).unwrap_or_default())).collect();
        assert!(writes.is_empty(), "{read_only} is read-only, but its policy allows {writes:?}");
    }
    eprintln!("IAM\t{} operations in code, all in docs/iam.md: {in_code:?}", in_code.len());
}

/// AccessDenied as each service words it.
fn denied(service: &str, operation: &str) -> serde_json::Value {
    let (code, status) = match service {
        "cloudformation" => ("AccessDenied", 403),
        "ec2" => ("UnauthorizedOperation", 403),
        "lambda" => ("AccessDeniedException", 403),
        _ => ("AccessDeniedException", 400),
    };
    let message =
        format!("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: {service}:{operation}");
    json!({"Service": service, "Operation": operation, "Code": code, "Status": status, "Count": 100, "Message": message})
}

/// Runs a command once to learn its calls, checks docs/iam.md's policy for
/// it allows each, then denies each call in turn on a fresh setup: rotctl
/// stops with exit 1 naming the IAM action, or (for an optional lookup)
/// finishes, and never makes a change after a denied call.
async fn each_call_denied(
    world: &World,
    policy: &str,
    optional: &[&str],
    mut setup: impl AsyncFnMut(usize) -> Vec<String>,
) {
    // `a+b`: the union of two policies (enable's VPC policy adds to a function source's).
    let policies = iam_policies();
    let allowed: std::collections::BTreeSet<String> = policy.split('+').flat_map(|key| policies[key].clone()).collect();
    let args = setup(0).await;
    let before = world.calls().len();
    let run = world.rotctl(&args.iter().map(String::as_str).collect::<Vec<_>>()).run();
    assert!(run.code == 0 || run.code == 3, "the baseline run failed:\n{run}");
    let mut seen: Vec<(String, String)> = Vec::new();
    for call in &world.calls()[before..] {
        let prefix = if call.service == "secretsmanager" { "secretsmanager" } else { call.service.as_str() };
        let action = (prefix.to_string(), call.operation.clone());
        if !seen.contains(&action) {
            seen.push(action);
        }
    }
    for (service, operation) in &seen {
        let action = format!("{service}:{operation}");
        assert!(allowed.contains(&action), "docs/iam.md policy {policy} does not allow {action}, which it calls");
    }
    for (i, (service, operation)) in seen.iter().enumerate() {
        let args = setup(i + 1).await;
        world.fault(denied(service, operation));
        let before = world.calls().len();
        let run = world.rotctl(&args.iter().map(String::as_str).collect::<Vec<_>>()).run();
        world.clear_faults();
        let calls = world.calls()[before..].to_vec();
        let first_denied = calls.iter().position(|c| c.injected).expect("the denied call was made");
        let after: Vec<_> = calls[first_denied + 1..].iter().filter(|c| c.is_mutating()).collect();
        let optional_lookup = optional.contains(&operation.as_str());
        assert!(
            optional_lookup || after.is_empty(),
            "{policy}: changes after {operation} was denied: {after:?}\n{run}"
        );
        if run.code == 0 {
            assert!(optional_lookup, "{policy}: {operation} denied, yet exit 0:\n{run}");
        } else {
            // audit's exit 3 (findings) outranks 1; what it could not read is named either way.
            let run = if policy == "audit" && run.code == 3 { run } else { run.code(1) };
            let named =
                run.stderr.contains(&format!("{service}:{operation}")) || run.stderr.contains("could not be checked");
            assert!(named, "{policy}: the denied action is not named:\n{run}");
        }
    }
    eprintln!("DENIED\t{policy}\t{}", seen.len());
}

#[tokio::test]
async fn access_denied_on_each_call() {
    let world = World::in_region("il-central-1");
    let function = world.rotation_function("rotate", &[]).await;
    let rotated = async |n: String| world.rotated_secret(&n, &function).await;
    each_call_denied(&world, "status", &[], async |i| vec!["status".into(), rotated(format!("s{i}")).await]).await;
    let optional_diagnosis = ["LookupEvents", "FilterLogEvents"];
    each_call_denied(&world, "rotate-now", &optional_diagnosis, async |i| {
        vec!["rotate-now".into(), rotated(format!("r{i}")).await, "--wait".into()]
    })
    .await;
    each_call_denied(&world, "rollback", &["GetFunction"], async |i| {
        vec!["rollback".into(), rotated(format!("b{i}")).await, "--yes".into()]
    })
    .await;
    each_call_denied(&world, "disable", &[], async |i| {
        vec!["disable".into(), rotated(format!("d{i}")).await, "--yes".into()]
    })
    .await;
    each_call_denied(&world, "enable-lambda-arn", &[], async |i| {
        let secret = world.secret(&format!("e{i}")).await;
        let function = world.bare_function(&format!("e{i}"), &[]).await;
        vec!["enable".into(), secret, "--lambda-arn".into(), function]
    })
    .await;
    each_call_denied(&world, "enable-lambda-arn+enable-vpc", &[], async |i| {
        let secret = world.secret(&format!("v{i}")).await;
        let function = world.bare_function(&format!("v{i}"), &[]).await;
        let vpc = world.vpc().await;
        let network =
            ["--subnet-ids".to_string(), vpc.subnets.join(","), "--security-group-ids".into(), vpc.security_group];
        [vec!["enable".into(), secret, "--lambda-arn".into(), function], network.to_vec()].concat()
    })
    .await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path").to_string();
    each_call_denied(&world, "enable-template-file", &[], async |i| {
        vec!["enable".into(), world.secret(&format!("t{i}")).await, "--template-file".into(), template.clone()]
    })
    .await;
    // audit reads the whole region: the secrets above, their functions and policies.
    each_call_denied(&world, "audit", &[], async |_| vec!["audit".into()]).await;
}

/// The mutating calls of a full `enable` (stack, permission, VPC config,
/// endpoint, rotation), in order: the points a kill can fall between.
const ENABLE_CHANGES: [&str; 6] = [
    "CreateChangeSet",
    "ExecuteChangeSet",
    "AddPermission",
    "UpdateFunctionConfiguration",
    "CreateVpcEndpoint",
    "RotateSecret",
];

/// `enable` with every step to do is killed at `operation` (before AWS got
/// it: `Hold`; after AWS applied it: `HoldAnswer`), then run again: the end
/// state is that of one uninterrupted run.
async fn killed_at(world: &World, i: usize, hold: &str, operation: &str) {
    let name = format!("k{i}");
    let secret = world.secret(&name).await;
    let vpc = world.vpc().await;
    let template = world.template_file(&name, false);
    let subnets = vpc.subnets.join(",");
    let template = template.to_str().expect("a UTF-8 path");
    let args = [
        "enable",
        &secret,
        "--template-file",
        template,
        "--subnet-ids",
        &subnets,
        "--security-group-ids",
        &vpc.security_group,
    ];
    world.fault(json!({"Operation": operation, hold: 30}));
    let first_call = world.calls().len();
    let child = world.rotctl(&args).spawn();
    world.wait_for_held(operation).await;
    child.kill();
    world.clear_faults();
    // Hold: AWS never got the call; HoldAnswer: AWS applied it (200), rotctl never heard.
    let calls = world.calls()[first_call..].to_vec();
    let applied = calls.iter().any(|c| c.operation == operation && c.status == 200);
    assert_eq!(applied, hold == "HoldAnswer", "{hold} {operation}: {calls:?}");
    if hold == "HoldAnswer" && operation == "RotateSecret" {
        // The rotation started; an operator re-runs once it has ended.
        world.wait_for_event(&secret, "RotationSucceeded").await;
    }
    world.rotctl(&args).run().code(0);

    let stack_name = format!("rotctl-{}", derived_name_for(&world.name(&name), &secret, "", 121));
    let stacks = world.cloudformation.describe_stacks().send().await.expect("DescribeStacks");
    let ours: Vec<_> = stacks.stacks().iter().filter(|s| s.stack_name() == Some(stack_name.as_str())).collect();
    assert_eq!(ours.len(), 1, "{hold} {operation}: one stack");
    assert_eq!(ours[0].stack_status().map(|s| s.as_str()), Some("CREATE_COMPLETE"), "{hold} {operation}");
    let function = ours[0].outputs().iter().find(|o| o.output_key() == Some("RotationLambdaARN"));
    let function = function.and_then(|o| o.output_value()).expect("the function").to_string();
    assert_eq!(checked_grants(world, &function).await, 1, "{hold} {operation}: one invoke statement");
    let config = world.lambda.get_function_configuration().function_name(&function).send().await.expect("config");
    assert_eq!(config.vpc_config().and_then(|v| v.vpc_id()), Some(vpc.id.as_str()), "{hold} {operation}: in the VPC");
    assert_eq!(world.secretsmanager_endpoints(&vpc.id).await.len(), 1, "{hold} {operation}: one endpoint");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true), "{hold} {operation}");
    assert_eq!(described.rotation_lambda_arn(), Some(function.as_str()), "{hold} {operation}");
    world.wait_for_event(&secret, "RotationSucceeded").await;
    let started = world.rotation_events(&secret).iter().filter(|e| *e == "RotationStarted").count();
    assert_eq!(started, 1, "{hold} {operation}: rotation configured and started once");
    // And a third run has nothing left to do.
    let before = world.calls().len();
    world.rotctl(&args).run().code(0);
    assert!(mutating(&world.calls()[before..]).is_empty(), "{hold} {operation}: {:?}", &world.calls()[before..]);
}

/// Kills `enable` at each of its changes in turn (`Hold` or `HoldAnswer`).
async fn killed_at_each_change(hold: &str) {
    let world = World::new();
    for (i, operation) in ENABLE_CHANGES.iter().enumerate() {
        killed_at(&world, i, hold, operation).await;
    }
    eprintln!("KILLED\t{hold}\t{}", ENABLE_CHANGES.len());
}

#[tokio::test]
async fn enable_killed_before_each_change_converges() {
    killed_at_each_change("Hold").await;
}

#[tokio::test]
async fn enable_killed_after_each_change_converges() {
    killed_at_each_change("HoldAnswer").await;
}

#[tokio::test]
async fn a_wait_outlasts_reads_that_fail_past_the_sdk_retries() {
    let world = World::new();
    let function = world.rotation_function("rotate", &[]).await;
    let secret = world.rotated_secret("db", &function).await;
    // The first DescribeSecret is rotate-now's own check; then the wait's
    // first poll fails all three of the SDK's attempts, and so does the
    // final status read's ListSecretVersionIds.
    world
        .fault(json!({"Operation": "DescribeSecret", "Skip": 1, "Count": 3, "Code": "InternalFailure", "Status": 500}));
    world.fault(
        json!({"Operation": "ListSecretVersionIds", "Skip": 1, "Count": 3, "Code": "InternalFailure", "Status": 500}),
    );
    let json = world.rotctl(&["rotate-now", &secret, "--wait", "-o", "json"]).run().success().json();
    assert_eq!(json["Outcome"], "succeeded");
    let version = json["VersionId"].as_str().expect("a version").to_string();
    assert_eq!(holder(&world.stages(&secret).await, "AWSCURRENT"), Some(version));
    assert_eq!(mutating(&world.calls()), ["RotateSecret"]);
    assert_eq!(world.calls().iter().filter(|c| c.injected).count(), 6, "every injected failure was met");
}

#[tokio::test]
async fn a_stack_wait_outlasts_reads_that_fail_past_the_sdk_retries() {
    let world = World::new();
    let secret = world.secret("db").await;
    let template = world.template_file("stack", true);
    let template = template.to_str().expect("a UTF-8 path");
    // The first DescribeStacks is the plan's; the stack wait's first read
    // then fails all three of the SDK's attempts.
    world
        .fault(json!({"Operation": "DescribeStacks", "Skip": 1, "Count": 3, "Code": "InternalFailure", "Status": 500}));
    world.rotctl(&["enable", &secret, "--template-file", template]).run().success();
    assert_eq!(world.calls().iter().filter(|c| c.injected).count(), 3, "every injected failure was met");
    let described = world.secrets.describe_secret().secret_id(&secret).send().await.expect("DescribeSecret");
    assert_eq!(described.rotation_enabled(), Some(true));
    world.wait_for_event(&secret, "RotationSucceeded").await;
}
