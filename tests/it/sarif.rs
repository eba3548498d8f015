//! `rotctl audit -o sarif` as Microsoft's SARIF validator judges it (npm
//! `@microsoft/sarif-multitool`, pinned in tests/sarif-validator), with the
//! rules GitHub code scanning needs switched on: no error and no warning.
//!
//! `scripts/test` installs the validator into .tools/ where npm is, and sets
//! `ROTCTL_SARIF_MULTITOOL` to its binary. Without that variable this test says
//! so on stderr and passes; with it, anything that keeps the validator from
//! judging the file fails the test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::harness::{World, root};

/// The validator reports each rule that tests/sarif-validator/policy.xml switches off.
const RULE_SWITCHED_OFF: &str = "WRN999.RuleExplicitlyDisabled";

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The validator's binary, or None (said on stderr) when it is not installed.
fn validator() -> Option<PathBuf> {
    let path = std::env::var_os("ROTCTL_SARIF_MULTITOOL").filter(|path| !path.is_empty());
    if path.is_none() {
        // Straight to stderr: the test harness would capture eprintln! of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED audit_sarif_passes_microsofts_validator: the SARIF validator is not installed \
             (ROTCTL_SARIF_MULTITOOL is not set); scripts/test installs it and sets the variable where npm is"
        );
    }
    path.map(PathBuf::from)
}

/// Validates `sarif` (a file) and returns the validator's own SARIF log.
fn validate(tool: &Path, sarif: &Path) -> Value {
    let log = sarif.with_extension("validation.sarif");
    let _ = std::fs::remove_file(&log);
    // The binary itself, not npm's bin wrapper: that one runs its arguments through a shell.
    let output = Command::new(tool)
        .arg("validate")
        .arg(sarif)
        .arg("--config")
        .arg(root().join("tests/sarif-validator/policy.xml"))
        .args(["--rule-kind", "Sarif", "Ghas"])
        .arg("--output")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap_or_else(|e| panic!("running the SARIF validator {} (ROTCTL_SARIF_MULTITOOL): {e}", tool.display()));
    let said = format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // It exits 0 whatever it finds (the findings are in its log), non-zero when it could not validate.
    assert!(output.status.success(), "the SARIF validator failed ({}):\n{said}", output.status);
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("the SARIF validator wrote no log at {} ({e}):\n{said}", log.display()));
    let log: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("the validator's log is not JSON ({e})"));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], json!(true), "the validator did not finish: {invocation:#}");
    let notes: Vec<&Value> = ["toolConfigurationNotifications", "toolExecutionNotifications"]
        .iter()
        .flat_map(|key| invocation[*key].as_array().into_iter().flatten())
        .filter(|note| note["descriptor"]["id"] != RULE_SWITCHED_OFF)
        .collect();
    assert!(notes.is_empty(), "the validator said more than which rules are off: {notes:#?}");
    log
}

/// Each result in the validator's log: "RULE (level): JSON-PATH: message".
fn complaints(log: &Value) -> Vec<String> {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().map(Vec::as_slice).unwrap_or_default();
    let results = run["results"].as_array().map(Vec::as_slice).unwrap_or_default();
    results
        .iter()
        .map(|result| {
            let message = &result["message"];
            // The log holds message ids and arguments; the rule's messageStrings hold the text.
            let id = message["id"].as_str().unwrap_or_default();
            let rule = result["ruleIndex"].as_u64().and_then(|i| rules.get(i as usize));
            let template = rule.and_then(|rule| rule["messageStrings"][id]["text"].as_str());
            let mut text = message["text"].as_str().or(template).unwrap_or_default().to_string();
            let arguments = message["arguments"].as_array().map(Vec::as_slice).unwrap_or_default();
            for (i, argument) in arguments.iter().enumerate() {
                text = text.replace(&format!("{{{i}}}"), argument.as_str().unwrap_or_default());
            }
            // A result without a level is a warning (SARIF 3.27.10).
            let level = result["level"].as_str().unwrap_or("warning");
            format!("{} ({level}): {text}", result["ruleId"].as_str().unwrap_or("?"))
        })
        .collect()
}

/// Findings of each severity, and a region that cannot be audited (the run's
/// notifications): the validator finds nothing to say, and the SARIF has one
/// result per finding of `-o json`.
#[tokio::test]
async fn audit_sarif_passes_microsofts_validator() {
    let Some(tool) = validator() else { return };
    let world = World::in_region("ap-southeast-2");
    // High: rotation-disabled. Medium: not-rotated-recently. Low: unused, and
    // missing-tags (--required-tags) on all three.
    world.secret("never").await;
    let function = world.rotation_function("rotate", &[]).await;
    let stale = world.secret("stale").await;
    world.rotate(&stale, &function, 30).await;
    world.set_dates(&stale, json!({"LastRotatedDate": now() - 100 * 86_400}));
    let idle = world.secret("idle").await;
    world.rotate(&idle, &function, 30).await;
    world.set_dates(&idle, json!({"LastAccessedDate": now() - 100 * 86_400}));
    world.fault(json!({"Operation": "ListSecrets", "Region": "ap-southeast-3", "Rate": 1.0, "Status": 400,
        "Code": "UnrecognizedClientException", "Message": "The security token included in the request is invalid."}));
    // Exit 1: nothing reaches --fail-on never, but a region was not audited.
    let audit = |output: &str| {
        let regions = "ap-southeast-2,ap-southeast-3";
        world
            .rotctl(&["audit", "--regions", regions, "--required-tags", "owner", "--fail-on", "never", "-o", output])
            .run()
            .code(1)
    };
    let run = audit("sarif");
    let sarif = run.json();
    let findings = audit("json").json()["Findings"].as_array().map(Vec::len).expect("Findings");

    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings, "one SARIF result per finding of -o json");
    let mut levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
    levels.sort_unstable();
    levels.dedup();
    assert_eq!(levels, ["error", "note", "warning"], "a finding of each severity");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], json!(false), "{invocation}");
    assert!(invocation["toolExecutionNotifications"].to_string().contains("ap-southeast-3 was not audited"));

    // What rotctl printed, byte for byte.
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-audit.sarif", world.prefix));
    std::fs::write(&file, &run.stdout).expect("writing the SARIF");
    let said = complaints(&validate(&tool, &file));
    assert!(said.is_empty(), "the SARIF validator on {}:\n{}", file.display(), said.join("\n"));

    // And it would say so: without the tool's URI and a result's region, the
    // validator warns (SARIF2005, SARIF2017) and GitHub's rule errs (GH1003).
    let mut flawed = sarif;
    flawed["runs"][0]["tool"]["driver"].as_object_mut().expect("driver").remove("informationUri");
    flawed["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        .as_object_mut()
        .expect("physicalLocation")
        .remove("region");
    let file = file.with_extension("flawed.sarif");
    std::fs::write(&file, flawed.to_string()).expect("writing the flawed SARIF");
    let said = complaints(&validate(&tool, &file));
    for expected in ["SARIF2005 (warning)", "SARIF2017 (warning)", "GH1003 (error)"] {
        assert!(said.iter().any(|c| c.starts_with(expected)), "no {expected}: {said:#?}");
    }
}

/// Across accounts: each result located under its account and carrying it as
/// a property, an account that could not be read among the run's
/// notifications; the validator finds nothing to say.
#[tokio::test]
async fn audit_sarif_across_accounts_passes_microsofts_validator() {
    let Some(tool) = validator() else { return };
    let world = World::in_own_account("us-east-1");
    let members = world.organization(2).await;
    world.trusted_role(&members[0], "RotctlAudit", None);
    world.secret_in(&members[0], "us-east-1", &format!("{}/never", world.prefix)).await;
    let accounts = members.join(",");
    let args = ["audit", "--accounts", &accounts, "--role-name", "RotctlAudit", "--fail-on", "never", "-o", "sarif"];
    // Exit 1: the second account has no such role.
    let run = world.rotctl(&args).run().code(1);
    let sarif = run.json();
    let result = &sarif["runs"][0]["results"][0];
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or_default();
    assert_eq!(uri, format!("aws/{}/secretsmanager/us-east-1/{}/never", members[0], world.prefix));
    assert_eq!(result["properties"]["account"], members[0].as_str());
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(notes.contains(&format!("account {} was not audited (assume-role)", members[1])), "{notes}");

    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-accounts.sarif", world.prefix));
    std::fs::write(&file, &run.stdout).expect("writing the SARIF");
    let said = complaints(&validate(&tool, &file));
    assert!(said.is_empty(), "the SARIF validator on {}:\n{}", file.display(), said.join("\n"));
}
