//! Hostile and malformed input: refused with exit 2 and one short line that
//! names a fix, before anything is sent to AWS.

use crate::harness::{World, mutating};

/// Every command and option with malformed, out-of-range, contradictory and
/// hostile values: exit 2, one `rotctl: ` line that says what to do, short
/// (hostile input is not echoed in full), and no change in AWS.
// The catalogue is a list of cases: it reads best whole.
#[allow(clippy::too_many_lines)]
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
        let commands = [
            &["status"][..],
            &["rotate-now"],
            &["rollback", "--yes"],
            &["disable", "--yes"],
            &["schedule", "--every-days", "7"],
        ];
        for command in commands {
            let mut args: Vec<String> = command.iter().map(std::string::ToString::to_string).collect();
            args.insert(1, bad.clone());
            cases.push(args);
        }
        cases.push(vec!["enable".into(), bad.clone(), "--lambda-arn".into(), function.clone()]);
    }
    let with = |base: &[&str], extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(std::string::ToString::to_string).collect()
    };
    let enable: &[&str] = &["enable", &secret, "--lambda-arn", &function];
    let option_cases: Vec<Vec<String>> = vec![
        with(&["status", "--name-prefix", ""], &[]),
        with(&["status", &secret, "--all"], &[]),
        with(&["schedule", &secret], &[]),
        with(&["schedule", &secret, "--every-days"], &["0"]),
        with(&["schedule", &secret, "--every-days"], &["1001"]),
        with(&["schedule", &secret, "--every-days", "7", "--schedule"], &["rate(7 days)"]),
        with(&["schedule", &secret, "--schedule"], &["rate(1 hours)"]),
        with(&["schedule", &secret, "--window"], &["2h"]),
        with(&["rotate-now", &secret, "--force"], &[]),
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
    for command in
        [&["status"][..], &["rotate-now"], &["rollback"], &["disable"], &["schedule"], &["audit", "--regions"]]
    {
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
