//! Why a rotation failed, from where AWS says so: CloudTrail's
//! `RotationFailed` service event (names the step; can take minutes to
//! appear) and the rotation function's log group (immediate).
//! Sources: https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html,
//! https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use jiff::Timestamp;
use serde_json::Value;

use super::Clients;

/// A failed rotation, as far as AWS lets rotctl learn it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationFailure {
    /// createSecret, setSecret, testSecret or finishSecret, when known.
    pub step: Option<String>,
    pub message: String,
    /// Where to read more.
    pub log_group: Option<String>,
}

impl RotationFailure {
    /// "<what> failed at setSecret: <message> (the function's log: /aws/lambda/f)".
    pub fn sentence(&self, what: &str) -> String {
        format!(
            "{what} failed{}: {}{}",
            self.step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default(),
            self.message,
            self.log_group.as_ref().map(|g| format!(" (the function's log: {g})")).unwrap_or_default()
        )
    }
}

const STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/// The first sign since `since` that the rotation of `secret_arn` (version
/// `token`) failed, or None. Lookups AWS refuses (no permission, no log
/// group) count as "no sign": the caller keeps waiting and says where to look.
pub async fn rotation_failure(
    clients: &Clients,
    secret_arn: &str,
    function_arn: Option<&str>,
    token: &str,
    since: Timestamp,
) -> Option<RotationFailure> {
    let log_group = function_arn.map(log_group);
    if let Some(failure) = cloudtrail(clients, secret_arn, since).await {
        return Some(RotationFailure { log_group, ..failure });
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
    Some(RotationFailure {
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

/// `/aws/lambda/<function name>`, where Lambda writes a function's output.
pub fn log_group(function_arn: &str) -> String {
    let name = function_arn.split(':').nth(6).unwrap_or(function_arn);
    format!("/aws/lambda/{name}")
}

async fn cloudtrail(clients: &Clients, secret_arn: &str, since: Timestamp) -> Option<RotationFailure> {
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
        Some(RotationFailure { step: step_in(&message), message, log_group: None })
    })
}

fn step_in(text: &str) -> Option<String> {
    STEPS.iter().find(|step| text.contains(*step)).map(|step| step.to_string())
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
