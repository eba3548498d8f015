//! The emulator (tests/emulator/server.py, moto corrected to behave like
//! AWS): one process per test run, started on first use, and what a World
//! asks of it through its control endpoints: the calls its rotctl made,
//! faults to inject into them, and the rotation events it recorded.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

use super::{World, control, eventually, root};

pub(super) struct Emulator {
    pub(super) endpoint: String,
    // Held open for the life of the test process: the emulator exits when it closes.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

static EMULATOR: OnceLock<Emulator> = OnceLock::new();

pub(super) fn emulator() -> &'static Emulator {
    EMULATOR.get_or_init(|| {
        let python = std::env::var_os("ROTCTL_EMULATOR_PYTHON").map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
        assert!(
            python.exists(),
            "the emulator is not installed ({}): run scripts/test, which creates .venv from tests/emulator/requirements.txt",
            python.display()
        );
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator.log");
        let mut child = Command::new(&python)
            .arg(root().join("tests/emulator/server.py"))
            .arg("--log")
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the emulator");
        let stdout = child.stdout.take().expect("the emulator's stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reading the emulator's READY line");
        let port = line.strip_prefix("READY ").map_or_else(|| {
            panic!("the emulator did not start (said {line:?}); its log is {}", log.display())
        }, str::trim);
        let stdin = child.stdin.take().expect("the emulator's stdin");
        Emulator { endpoint: format!("http://127.0.0.1:{port}"), _stdin: Mutex::new(stdin), _child: Mutex::new(child) }
    })
}

impl World {
    /// Makes rotctl's calls of `operation` fail; see `Fault` in tests/emulator/rotctl_emulator/harness.py.
    pub fn fault(&self, spec: Value) {
        let mut body = spec;
        body["Key"] = json!(self.rotctl_key);
        control::post(&self.endpoint, "/_harness/faults", &body);
    }

    /// Removes every fault this world's rotctl would meet.
    pub fn clear_faults(&self) {
        control::delete(&self.endpoint, &format!("/_harness/faults?key={}", self.rotctl_key));
    }

    /// The calls rotctl made in this world, in order.
    pub fn calls(&self) -> Vec<Call> {
        let answer = control::get(&self.endpoint, &format!("/_harness/calls?key={}", self.rotctl_key));
        answer["Calls"]
            .as_array()
            .expect("a call list")
            .iter()
            .map(|call| Call {
                service: call["Service"].as_str().unwrap_or_default().to_string(),
                operation: call["Operation"].as_str().unwrap_or_default().to_string(),
                status: call["Status"].as_u64().unwrap_or_default(),
                injected: call["Fault"].as_str().is_some_and(|f| f != "held"),
                account: call["Account"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    }

    /// Waits until rotctl's call of `operation` is being held by a Hold fault.
    pub async fn wait_for_held(&self, operation: &str) {
        eventually(format!("rotctl to reach {operation}"), async || {
            let answer = control::get(&self.endpoint, &format!("/_harness/calls?key={}", self.rotctl_key));
            let calls = answer["Calls"].as_array().cloned().unwrap_or_default();
            if calls.iter().any(|c| c["Operation"] == operation && c["Fault"] == "held") {
                return Ok(());
            }
            let made: Vec<_> = calls.iter().map(|c| c["Operation"].as_str().unwrap_or_default().to_string()).collect();
            Err(format!("rotctl made {made:?}, none held"))
        })
        .await;
    }

    /// The rotation service events (CloudTrail eventName) of a secret, oldest first.
    pub fn rotation_events(&self, secret: &str) -> Vec<String> {
        let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
        let names = events["Events"].as_array().expect("an event list").iter();
        names.map(|e| e["eventName"].as_str().unwrap_or_default().to_string()).collect()
    }

    /// How many `event_name` rotation events the emulator recorded for `secret`.
    pub(super) fn events(&self, secret: &str, event_name: &str) -> usize {
        let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
        events["Events"].as_array().map_or(0, |e| e.iter().filter(|e| e["eventName"] == event_name).count())
    }

    /// Waits (up to 20 s) until the emulator's rotation events for `secret`
    /// include `event_name` (RotationSucceeded, RotationFailed, ...).
    pub async fn wait_for_event(&self, secret: &str, event_name: &str) {
        eventually(format!("{event_name} for {secret}"), async || {
            let events = control::get(&self.endpoint, &format!("/_harness/rotation-events?secret={secret}"));
            if events["Events"].as_array().is_some_and(|e| e.iter().any(|e| e["eventName"] == event_name)) {
                return Ok(());
            }
            Err(events.to_string())
        })
        .await;
    }
}

/// One call the emulator saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub service: String,
    pub operation: String,
    pub status: u64,
    /// The harness failed or dropped this call (a fault the test asked for).
    pub injected: bool,
    /// The account the call acted in (its credentials').
    pub account: String,
}

impl Call {
    /// Whether the operation can change anything in AWS.
    pub fn is_mutating(&self) -> bool {
        !reads(&self.operation)
    }
}

/// Whether an AWS operation (or IAM action name) only reads.
pub fn reads(operation: &str) -> bool {
    // AssumeRole changes nothing in AWS: it hands out credentials. IAM's Simulate* only evaluate.
    ["Describe", "List", "Get", "Lookup", "Filter", "Simulate"].iter().any(|read| operation.starts_with(read))
        || operation == "AssumeRole"
}

/// The mutating calls among `calls`.
pub fn mutating(calls: &[Call]) -> Vec<&str> {
    calls.iter().filter(|c| c.is_mutating()).map(|c| c.operation.as_str()).collect()
}

pub fn operations(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.operation.as_str()).collect()
}
