//! Following a rotation to its end (the wait `rotate-now --wait` and
//! `enable --wait` share), and why it failed, from where AWS says so: CloudTrail's
//! `RotationFailed` service event (names the step; can take minutes to
//! appear) and the rotation function's log group (immediate).
//! Sources: https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html,
//! https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html

use std::cell::Cell;
use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use jiff::Timestamp;
use serde_json::Value;

use super::wait::{self, Poll, Schedule};
use super::{Clients, secrets};
use crate::error::Result;
use crate::model::{AWSCURRENT, Failure, Outcome, Secret};
pub(crate) use crate::naming::log_group;
use crate::progress::Progress;

/// How often the secret is read while waiting: quick at first (a fast rotation
/// is seen in 250 ms), then about once a second.
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(1);
/// When CloudTrail and the function's log are first read for a failure, and
/// how often after (CloudTrail allows 2 lookups a second per account; these
/// two reads are what waiting costs beyond one DescribeSecret a second).
const FIRST_DIAGNOSIS: Duration = Duration::from_secs(5);
const DIAGNOSE_EVERY: Duration = Duration::from_secs(15);

/// Polls until `version` holds AWSCURRENT (succeeded), the rotation visibly
/// failed, or `timeout` passes (timed out).
pub(crate) async fn wait(
    clients: &Clients,
    progress: &Progress,
    secret: &Secret,
    version: &str,
    started: Timestamp,
    timeout: Duration,
) -> Result<(Outcome, Option<Failure>)> {
    let _running = progress.running_in_aws(format!(
        "the rotation of {} (version {version}) goes on in AWS (check: rotctl status {}; stop it: rotctl disable {})",
        secret.name, secret.name, secret.name
    ));
    let deadline = Instant::now() + timeout;
    // When the failure was last looked for, and whether it has been at all:
    // decided after a read succeeds, so a failed read does not use up a look.
    let last_diagnosis = Cell::new(Instant::now());
    let checked_once = Cell::new(false);
    // Nothing can have finished the instant RotateSecret answered.
    tokio::time::sleep(FIRST_POLL).await;
    let schedule = Schedule { first: FIRST_POLL * 2, max: MAX_POLL, limit: timeout.saturating_sub(FIRST_POLL) };
    let what = format!("waiting for {} to rotate (version {version})", secret.name);
    let ended = wait::until(progress, what, schedule, || {
        let (last_diagnosis, checked_once) = (&last_diagnosis, &checked_once);
        async move {
            let current = secrets::describe(&clients.secrets, &clients.region, &secret.arn).await?;
            match current.version_ids_to_stages.get(version) {
                Some(stages) if stages.iter().any(|s| s == AWSCURRENT) => {
                    return Ok(Poll::Done((Outcome::Succeeded, None)));
                }
                None => {
                    // The version lost every label: AWS abandoned or cancelled the rotation.
                    let failure = Failure {
                        step: None,
                        message: format!(
                            "version {version} lost its AWSPENDING label: the rotation was cancelled or abandoned"
                        ),
                        log_group: current.rotation_lambda_arn.as_deref().map(log_group),
                    };
                    return Ok(Poll::Done((Outcome::Failed, Some(failure))));
                }
                Some(_) => {}
            }
            let now = Instant::now();
            let since = now.duration_since(last_diagnosis.get());
            let diagnose = (!checked_once.get() && since >= FIRST_DIAGNOSIS)
                || since >= DIAGNOSE_EVERY
                || now + MAX_POLL >= deadline;
            if diagnose {
                checked_once.set(true);
                last_diagnosis.set(now);
                let function = current.rotation_lambda_arn.as_deref();
                if let Some(failure) = failure(clients, &secret.arn, function, version, started).await {
                    return Ok(Poll::Done((Outcome::Failed, Some(failure))));
                }
            }
            Ok(Poll::Pending(None))
        }
    })
    .await?;
    Ok(ended.unwrap_or((Outcome::TimedOut, None)))
}

const STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/// The first sign since `since` that the rotation of `secret_arn` (version
/// `token`) failed, or None. Lookups AWS refuses (no permission, no log
/// group) count as "no sign": the caller keeps waiting and says where to look.
pub(crate) async fn failure(
    clients: &Clients,
    secret_arn: &str,
    function_arn: Option<&str>,
    token: &str,
    since: Timestamp,
) -> Option<Failure> {
    let log_group = function_arn.map(log_group);
    if let Some(failure) = cloudtrail(clients, secret_arn, since).await {
        return Some(Failure { log_group, ..failure });
    }
    let group = log_group.as_deref()?;
    let output =
        clients.logs.filter_log_events().log_group_name(group).start_time(since.as_millisecond()).send().await.ok()?;
    // The function's own words are not repeated: a function may log a connection
    // string or a password. Only the error's type and the step are kept.
    let line = output.events().iter().filter_map(|e| e.message()).find(|m| {
        let error = m.contains("[ERROR]") || m.contains("\"errorMessage\"");
        error && (m.contains(secret_arn) || m.contains(token))
    })?;
    Some(Failure {
        step: step_in(line),
        message: format!("the rotation function logged {}", error_type(line)),
        log_group: Some(group.to_string()),
    })
}

/// `[ERROR] ValueError: ...` → "a ValueError"; the message after the type is dropped.
fn error_type(line: &str) -> String {
    let kind = line
        .split("[ERROR]")
        .nth(1)
        .and_then(|rest| rest.trim().split(':').next())
        .map(str::trim)
        .filter(|kind| !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'));
    kind.map_or_else(|| "an error".to_string(), |kind| format!("a {kind}"))
}

async fn cloudtrail(clients: &Clients, secret_arn: &str, since: Timestamp) -> Option<Failure> {
    let output = clients
        .cloudtrail
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("RotationFailed")
                .build()
                .ok()?,
        )
        .start_time(DateTime::from_secs(since.as_second()))
        .send()
        .await
        .ok()?;
    output.events().iter().filter_map(|e| e.cloud_trail_event()).find_map(|text| {
        let record: Value = serde_json::from_str(text).ok()?;
        if record["additionalEventData"]["SecretId"] != secret_arn {
            return None;
        }
        let message = record["errorMessage"].as_str().unwrap_or("RotationFailed").to_string();
        Some(Failure { step: step_in(&message), message, log_group: None })
    })
}

fn step_in(text: &str) -> Option<String> {
    STEPS.iter().find(|step| text.contains(*step)).map(std::string::ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_log_groups() {
        assert_eq!(step_in("Error when executing lambda arn:x during setSecret step"), Some("setSecret".into()));
        assert_eq!(step_in("timeout"), None);
        assert_eq!(log_group("arn:aws:lambda:us-east-1:123456789012:function:rotate-db"), "/aws/lambda/rotate-db");
        assert_eq!(error_type("[ERROR] ValueError: password=hunter2 rejected"), "a ValueError");
        assert_eq!(error_type("[ERROR] psycopg2.OperationalError: FATAL for user"), "a psycopg2.OperationalError");
        assert_eq!(error_type("{\"errorMessage\": \"secret value x\"}"), "an error");
    }
}
