//! Following a rotation to its end (the wait `rotate-now --wait` and
//! `enable --wait` share), and why it failed, from where AWS says so: CloudTrail's
//! `RotationFailed` service event (names the step; can take minutes to
//! appear) and the rotation function's log group (immediate).
//! Sources: https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html,
//! https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use jiff::Timestamp;
use serde_json::Value;

use super::wait::{self, Poll, Schedule};
use super::{Clients, secrets};
use crate::diagnosis;
use crate::error::Result;
use crate::model::{AWSCURRENT, Failure, FailureSource, Outcome, Secret};
pub(crate) use crate::naming::log_group;
use crate::progress::Progress;

/// How often the secret is read while waiting: quick at first (a fast rotation
/// is seen in 250 ms), then about once a second.
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(1);
/// How often CloudTrail is read for a failure while waiting (its events come
/// minutes late; it allows 2 lookups a second per account). The function's
/// log is read a second in, then every LOG_EVERY: a failed step shows there at
/// once. Waiting costs at most 1.5 calls a second in all.
const CLOUDTRAIL_EVERY: Duration = Duration::from_secs(15);
const LOG_EVERY: Duration = Duration::from_secs(4);
const FIRST_LOG: Duration = Duration::from_secs(1);
/// --follow reads the log from this long before the rotation started (clock skew).
const FOLLOW_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);
/// --follow, after AWSCURRENT moved: how many reads (half a second apart) wait for finishSecret's line.
const FINISH_READS: usize = 6;

/// Polls until `version` holds AWSCURRENT (succeeded), the rotation visibly
/// failed, or `timeout` passes (timed out).
pub(crate) async fn wait(
    clients: &Clients,
    progress: &Progress,
    secret: &Secret,
    version: &str,
    started: Timestamp,
    timeout: Duration,
    follow: bool,
) -> Result<(Outcome, Option<Failure>)> {
    let _running = progress.running_in_aws(format!(
        "the rotation of {} (version {version}) goes on in AWS (check: rotctl status {}; stop it: rotctl disable {})",
        secret.name, secret.name, secret.name
    ));
    let deadline = Instant::now() + timeout;
    // When CloudTrail was last read: decided after a read of the secret
    // succeeds, so a failed read does not use up a look.
    let last_cloudtrail = Cell::new(Instant::now());
    // The first log read comes a second in (LOG_EVERY after a second ago).
    let last_log =
        Cell::new(Instant::now().checked_sub(LOG_EVERY.saturating_sub(FIRST_LOG)).unwrap_or_else(Instant::now));
    // --follow: the log events already printed (by id: a line ingested late
    // from another log stream sorts among those already shown).
    let printed: RefCell<BTreeSet<String>> = RefCell::default();
    let saw_finish = Cell::new(false);
    let group = secret.rotation_lambda_arn.as_deref().map(log_group);
    // A little before the start: the clocks of this machine and AWS's may differ.
    let from = started - FOLLOW_SKEW;
    let show_new_lines = async |printed: &RefCell<BTreeSet<String>>| -> Option<Failure> {
        let group = group.as_deref()?;
        let (lines, _) =
            super::trail::log_lines(clients, group, &log_pattern(&secret.arn, version), from).await.ok()?;
        // This rotation's lines: from its start, or from its first line naming the
        // version when the clocks put that earlier (a previous rotation's lines
        // may stand just before).
        let anchor = lines.iter().find(|l| l.message.contains(version)).map(|l| l.time);
        let begin = anchor.map_or(started, |a| a.min(started));
        let lines: Vec<_> = lines.into_iter().filter(|l| l.time >= begin).collect();
        for line in &lines {
            let key = line.id.clone().unwrap_or_else(|| format!("{}{}", line.time, line.message));
            if printed.borrow_mut().insert(key) {
                saw_finish.set(saw_finish.get() || line.message.contains("finishSecret"));
                progress
                    .log_line(&line.time.strftime("%H:%M:%S%.3f").to_string(), &diagnosis::log_message(&line.message));
            }
        }
        failure_in(&lines, group, &secret.arn, version)
    };
    // Nothing can have finished the instant RotateSecret answered.
    tokio::time::sleep(FIRST_POLL).await;
    let schedule = Schedule { first: FIRST_POLL * 2, max: MAX_POLL, limit: timeout.saturating_sub(FIRST_POLL) };
    let what = format!("waiting for {} to rotate (version {version})", secret.name);
    let ended = wait::until(progress, what, schedule, || {
        let (last_cloudtrail, last_log, printed, show_new_lines) =
            (&last_cloudtrail, &last_log, &printed, &show_new_lines);
        let saw_finish = &saw_finish;
        async move {
            // --follow reads the log on every poll, and stops at an error line.
            if follow && let Some(failure) = show_new_lines(printed).await {
                return Ok(Poll::Done((Outcome::Failed, Some(failure))));
            }
            let current = secrets::describe(&clients.secrets, &clients.region, &secret.arn).await?;
            match current.version_ids_to_stages.get(version) {
                Some(stages) if stages.iter().any(|s| s == AWSCURRENT) => {
                    if follow {
                        // finishSecret logs after it moved the label, and CloudWatch Logs
                        // takes a moment to show a line: read until it shows, briefly.
                        for _ in 0..FINISH_READS {
                            show_new_lines(printed).await;
                            if saw_finish.get() {
                                break;
                            }
                            tokio::time::sleep(MAX_POLL / 2).await;
                        }
                    }
                    return Ok(Poll::Done((Outcome::Succeeded, None)));
                }
                None => {
                    // The version lost every label: AWS abandoned or cancelled the rotation.
                    let failure = Failure {
                        version_id: version.to_string(),
                        step: None,
                        message: format!(
                            "version {version} lost its AWSPENDING label: the rotation was cancelled or abandoned"
                        ),
                        source: FailureSource::SecretVersions,
                        log_group: current.rotation_lambda_arn.as_deref().map(log_group),
                    };
                    return Ok(Poll::Done((Outcome::Failed, Some(failure))));
                }
                Some(_) => {}
            }
            // The function's log every few seconds (an error shows there at once),
            // CloudTrail now and then (minutes late).
            let now = Instant::now();
            let function = current.rotation_lambda_arn.as_deref();
            if !follow
                && now.duration_since(last_log.get()) >= LOG_EVERY
                && let Some(group) = function.map(log_group)
            {
                last_log.set(now);
                if let Some(failure) = function_log(clients, &group, &secret.arn, version, started).await {
                    return Ok(Poll::Done((Outcome::Failed, Some(failure))));
                }
            }
            if now.duration_since(last_cloudtrail.get()) >= CLOUDTRAIL_EVERY || now + MAX_POLL >= deadline {
                last_cloudtrail.set(now);
                // RotationAbandoned needs no lookup here: the version losing its label shows it.
                if let Some(message) = cloudtrail(clients, "RotationFailed", &secret.arn, started).await {
                    let log_group = function.map(log_group);
                    return Ok(Poll::Done((Outcome::Failed, Some(cloudtrail_failure(version, &message, log_group)))));
                }
            }
            Ok(Poll::Pending(None))
        }
    })
    .await?;
    Ok(ended.unwrap_or((Outcome::TimedOut, None)))
}

/// How often the secret and its owner are read while the owner rotates a
/// managed secret (two calls a read; RDS allows far more).
const OWNER_MAX_POLL: Duration = Duration::from_secs(2);

/// Polls a managed secret after its owner was asked to rotate it, until a new
/// version holds AWSCURRENT and the owner says `active` again (succeeded, with
/// that version), the owner says `impaired` or its rotation ended without a
/// new AWSCURRENT (failed), or `timeout` passes (timed out).
pub(crate) async fn wait_for_owner(
    clients: &Clients,
    progress: &Progress,
    secret: &Secret,
    owner: &crate::model::Owner,
    started: Timestamp,
    timeout: Duration,
) -> Result<(Outcome, Option<String>, Option<Failure>)> {
    let who = crate::owner::display(&owner.service);
    let _running = progress.running_in_aws(format!(
        "{who} goes on rotating {} in AWS (check: rotctl status {})",
        secret.name, secret.name
    ));
    let before = secret.version_with(AWSCURRENT).map(str::to_string);
    // The version the owner's rotation made, once seen.
    let seen = std::cell::RefCell::new(None::<String>);
    let schedule = Schedule { first: FIRST_POLL, max: OWNER_MAX_POLL, limit: timeout };
    let what = format!("waiting for {who} to rotate {}", secret.name);
    let ended = wait::until(progress, what, schedule, || {
        let (before, seen, who) = (&before, &seen, &who);
        async move {
            let current = secrets::describe(&clients.secrets, &clients.region, &secret.arn).await?;
            // An owner that cannot be read (no rds:DescribeDB*) is an unknown
            // status: a new AWSCURRENT alone then says the rotation finished.
            let found = super::rds::master_secrets(clients, [owner]).await.unwrap_or_default();
            let status = owner.resource.as_ref().and_then(|r| found.get(r)).and_then(|m| m.status.clone());
            let now_current = current.version_with(AWSCURRENT).map(str::to_string);
            if let Some(pending) = current.dangling_pending() {
                seen.borrow_mut().get_or_insert_with(|| pending.to_string());
            }
            let version = seen.borrow().clone().or_else(|| now_current.clone()).unwrap_or_default();
            match status.as_deref() {
                Some(crate::owner::IMPAIRED) => {
                    let failure = Failure {
                        version_id: version,
                        step: None,
                        message: format!(
                            "{who} reports the secret impaired: it cannot rotate it (it lost access to the secret or \
                             its KMS key)"
                        ),
                        source: FailureSource::Owner,
                        log_group: None,
                    };
                    return Ok(Poll::Done((Outcome::Failed, None, Some(failure))));
                }
                Some("rotating" | "creating") => return Ok(Poll::Pending(Some(format!("{who}: rotating")))),
                _ => {}
            }
            if now_current.is_some() && now_current != *before {
                return Ok(Poll::Done((Outcome::Succeeded, now_current, None)));
            }
            let pending_gone = current.dangling_pending().is_none();
            let ended_without_current = seen.borrow().clone().filter(|_| pending_gone);
            if let Some(version) = ended_without_current {
                // The owner's rotation ended and AWSCURRENT did not move.
                let message = cloudtrail(clients, "RotationFailed", &secret.arn, started).await;
                let failure = match message {
                    Some(message) => cloudtrail_failure(&version, &message, None),
                    None => Failure {
                        version_id: version.clone(),
                        step: None,
                        message: format!("{who}'s rotation ended and version {version} did not become AWSCURRENT"),
                        source: FailureSource::SecretVersions,
                        log_group: None,
                    },
                };
                return Ok(Poll::Done((Outcome::Failed, Some(version), Some(failure))));
            }
            Ok(Poll::Pending(None))
        }
    })
    .await?;
    Ok(ended.unwrap_or((Outcome::TimedOut, seen.into_inner(), None)))
}

const STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];
/// How far before a version's creation its rotation's error lines may be
/// dated (Secrets Manager's and Lambda's clocks). Small: a retry follows a
/// failure within seconds, and the failure's lines must not count twice.
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_secs(1);

/// The secret's status, with what is known of its pending rotation's failure
/// (evidence is looked up only for a dangling AWSPENDING while rotation is
/// on) and, for a managed secret, what its owner says (one RDS call).
pub(crate) async fn status(clients: &Clients, secret: Secret, now: Timestamp) -> crate::model::SecretStatus {
    let (owner, _unread) = super::rds::owner(clients, &secret).await;
    status_with(clients, secret, owner, now).await
}

/// The same, with the owner already read (for many secrets, in one batch).
pub(crate) async fn status_with(
    clients: &Clients,
    secret: Secret,
    owner: Option<crate::model::Owner>,
    now: Timestamp,
) -> crate::model::SecretStatus {
    let failure = pending_failure(clients, &secret, now).await;
    crate::rotation::status(secret, failure, owner, now)
}

/// What is known of the failure of the secret's pending rotation: looked up
/// only for a dangling AWSPENDING while rotation is on, since that version
/// was created (the last day when its date was not read).
pub(crate) async fn pending_failure(clients: &Clients, secret: &Secret, now: Timestamp) -> Option<Failure> {
    let pending = secret.dangling_pending().filter(|_| secret.rotation_enabled == Some(true))?;
    let since = evidence_since(secret.version_created(pending), now);
    failure(clients, &secret.arn, secret.rotation_lambda_arn.as_deref(), pending, since).await
}

/// Since when a rotation's evidence is read: its version's creation (less
/// the clocks' skew), or the last day when that date is unknown.
pub(crate) fn evidence_since(created: Option<Timestamp>, now: Timestamp) -> Timestamp {
    created.map_or(now - jiff::SignedDuration::from_hours(24), |c| c - CLOCK_SKEW)
}

/// The first sign since `since` that the rotation of `secret_arn` that made
/// version `token` failed, or None: the function's own error line for it
/// (immediate), else CloudTrail's RotationFailed or RotationAbandoned event
/// (minutes late). Lookups AWS refuses (no permission, no log group) count as
/// "no sign": the caller keeps waiting or says where to look.
pub(crate) async fn failure(
    clients: &Clients,
    secret_arn: &str,
    function_arn: Option<&str>,
    token: &str,
    since: Timestamp,
) -> Option<Failure> {
    let log_group = function_arn.map(log_group);
    if let Some(group) = log_group.as_deref()
        && let Some(failure) = function_log(clients, group, secret_arn, token, since).await
    {
        return Some(failure);
    }
    trail_failure(clients, secret_arn, token, since, log_group).await
}

/// Every source that says why the rotation that made `token` failed, each
/// read once, in this order: the function's own error line for it (one
/// filtered query of its log group since `since`) and CloudTrail's
/// RotationFailed (else RotationAbandoned) event for the secret. Sources with
/// nothing (or that cannot be read) are left out.
pub(crate) async fn evidence(clients: &Clients, secret: &Secret, token: &str, since: Timestamp) -> Vec<Failure> {
    let mut found = Vec::new();
    let log_group = secret.rotation_lambda_arn.as_deref().map(log_group);
    if let Some(group) = log_group.as_deref()
        && let Some(failure) = function_log(clients, group, &secret.arn, token, since).await
    {
        found.push(failure);
    }
    found.extend(trail_failure(clients, &secret.arn, token, since, log_group).await);
    found
}

/// CloudTrail's RotationFailed (else RotationAbandoned) event for the secret since `since`.
async fn trail_failure(
    clients: &Clients,
    secret_arn: &str,
    token: &str,
    since: Timestamp,
    log_group: Option<String>,
) -> Option<Failure> {
    for event in ["RotationFailed", "RotationAbandoned"] {
        if let Some(message) = cloudtrail(clients, event, secret_arn, since).await {
            return Some(cloudtrail_failure(token, &message, log_group));
        }
    }
    None
}

fn cloudtrail_failure(token: &str, message: &str, log_group: Option<String>) -> Failure {
    Failure {
        version_id: token.to_string(),
        step: step_in(message),
        message: diagnosis::quoted(message),
        source: FailureSource::Cloudtrail,
        log_group,
    }
}

/// The function's first error line since `since` that names the secret or the
/// version (AWS's rotation functions name the secret's ARN in their errors).
async fn function_log(
    clients: &Clients,
    group: &str,
    secret_arn: &str,
    token: &str,
    since: Timestamp,
) -> Option<Failure> {
    let (lines, _) = super::trail::log_lines(clients, group, &log_pattern(secret_arn, token), since).await.ok()?;
    failure_in(&lines, group, secret_arn, token)
}

/// The filter pattern of the lines about one rotation: its version or the
/// secret's ARN, and the errors that name neither (Lambda's timeout line, an
/// uncaught exception such as a connection error), read since it began.
fn log_pattern(secret_arn: &str, token: &str) -> String {
    format!("?\"{token}\" ?\"{secret_arn}\" ?\"{TIMED_OUT}\" ?\"[ERROR]\"")
}

pub(crate) use crate::diagnosis::TIMED_OUT;

/// The first error line among `lines` that names the secret or the version,
/// else the first that names neither (Lambda's timeout line, an uncaught
/// exception: the lines were read since the rotation began; a function that
/// serves other secrets may have failed for one of them, which the quoted
/// message does not hide).
fn failure_in(lines: &[crate::history::LogLine], group: &str, secret_arn: &str, token: &str) -> Option<Failure> {
    let named = lines.iter().map(|l| l.message.as_str()).find(|m| {
        let error = m.contains("[ERROR]") || m.contains("\"errorMessage\"");
        error && (m.contains(secret_arn) || m.contains(token))
    });
    let unnamed = || lines.iter().map(|l| l.message.as_str()).find(|m| m.contains(TIMED_OUT) || m.contains("[ERROR]"));
    let line = named.or_else(unnamed)?;
    let message = diagnosis::error_line(line);
    Some(Failure {
        version_id: token.to_string(),
        step: step_in(&message),
        message: diagnosis::quoted(&message),
        source: FailureSource::FunctionLog,
        log_group: Some(group.to_string()),
    })
}

/// CloudTrail's `event` for the secret since `since`: its error message.
async fn cloudtrail(clients: &Clients, event: &str, secret_arn: &str, since: Timestamp) -> Option<String> {
    let output = clients
        .cloudtrail
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value(event)
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
        Some(record["errorMessage"].as_str().map_or_else(|| format!("CloudTrail recorded {event}"), str::to_string))
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
    }
}
