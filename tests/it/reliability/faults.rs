//! The fault matrix: each command under throttling, 5xx errors, dropped
//! connections and lost answers to applied changes, with each outcome
//! recorded for docs/reliability.md; and waits that outlast reads failing
//! past the SDK's retries.

use std::collections::HashMap;

use serde_json::json;

use super::checked_grants;
use crate::harness::{World, holder, mutating};

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
