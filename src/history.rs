//! Pure: what happened to a secret, as one timeline, from three sources that
//! each see part of it:
//! - its versions (ListSecretVersionIds with the deprecated ones): when each
//!   was made and the labels it holds now;
//! - its rotation function's log: AWS's functions name the secret's ARN and
//!   the version on each step (`createSecret: Successfully put secret for ARN
//!   … and version T`, `finishSecret: Successfully set AWSCURRENT stage to
//!   version T …`), and log their errors;
//! - CloudTrail: the rotation service events (RotationSucceeded,
//!   RotationFailed, RotationAbandoned) and the API calls that changed the
//!   secret (PutSecretValue, UpdateSecretVersionStage, …) with the caller.
//!   Its events arrive minutes late.
//!
//! A version is a rotation's when a source ties it to one (the function
//! logged it, or it was put with AWSPENDING, or it holds AWSPENDING now);
//! otherwise it was put by hand (or made with the secret). AWSCURRENT moved
//! back to an older version is a rollback.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::diagnosis::{self, Class};
use crate::model::{AWSCURRENT, AWSPENDING, AWSPREVIOUS, SecretVersion};

/// One line of the rotation function's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogLine {
    pub(crate) time: Timestamp,
    pub(crate) message: String,
    /// CloudWatch Logs' id of the event (None where not read from it).
    pub(crate) id: Option<String>,
}

impl LogLine {
    fn is_error(&self) -> bool {
        self.message.contains("[ERROR]")
            || self.message.contains("\"errorMessage\"")
            || self.message.contains(diagnosis::TIMED_OUT)
    }

    /// The version named after "version" (`… and version T`, `… to version T …`).
    fn version(&self, versions: &[SecretVersion]) -> Option<String> {
        versions.iter().find(|v| self.message.contains(&v.version_id)).map(|v| v.version_id.clone())
    }

    fn finished(&self) -> bool {
        self.message.contains("finishSecret") && self.message.contains("Successfully set AWSCURRENT")
    }
}

/// One CloudTrail event about the secret, the fields history reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TrailEvent {
    pub(crate) time: Option<Timestamp>,
    pub(crate) name: String,
    /// The secret: additionalEventData.SecretId, or requestParameters.secretId (a name or an ARN).
    pub(crate) secret: Option<String>,
    /// The version the call made or named (responseElements.versionId, requestParameters.clientRequestToken).
    pub(crate) version_id: Option<String>,
    /// PutSecretValue's versionStages.
    pub(crate) stages: Vec<String>,
    /// UpdateSecretVersionStage: the label, and where it moved from and to.
    pub(crate) stage: Option<String>,
    pub(crate) move_to: Option<String>,
    pub(crate) remove_from: Option<String>,
    pub(crate) error: Option<String>,
    /// Set when the call failed (AWS records refused calls too).
    pub(crate) error_code: Option<String>,
    pub(crate) who: Option<String>,
}

impl TrailEvent {
    /// From a CloudTrail record (LookupEvents' `CloudTrailEvent`, a JSON string).
    pub(crate) fn parse(text: &str, time: Option<Timestamp>) -> Option<TrailEvent> {
        let record: Value = serde_json::from_str(text).ok()?;
        let text = |v: &Value| v.as_str().map(str::to_string);
        let request = &record["requestParameters"];
        let response = &record["responseElements"];
        Some(TrailEvent {
            time,
            name: text(&record["eventName"])?,
            secret: text(&record["additionalEventData"]["SecretId"])
                .or_else(|| text(&request["secretId"]))
                .or_else(|| text(&request["name"])),
            version_id: text(&response["versionId"]).or_else(|| text(&request["clientRequestToken"])),
            stages: request["versionStages"].as_array().map_or_else(Vec::new, |a| a.iter().filter_map(text).collect()),
            stage: text(&request["versionStage"]),
            move_to: text(&request["moveToVersionId"]),
            remove_from: text(&request["removeFromVersionId"]),
            error: text(&record["errorMessage"]),
            error_code: text(&record["errorCode"]),
            who: text(&record["userIdentity"]["arn"]),
        })
    }

    /// Whether it is about the secret `arn` (named by ARN, partial ARN or name).
    pub(crate) fn about(&self, arn: &str, name: &str) -> bool {
        self.secret.as_deref().is_some_and(|id| {
            // A partial ARN lacks the `-` and six characters AWS appends.
            let partial = id.starts_with("arn:")
                && arn.len() == id.len() + 7
                && arn.starts_with(id)
                && arn[id.len()..].starts_with('-');
            id == arn || id == name || partial
        })
    }

    /// A call AWS refused or that failed: it changed nothing. (Rotation service
    /// events carry their failure in errorMessage, and are kept.)
    fn failed_call(&self) -> bool {
        self.error_code.is_some() && !self.name.contains("Rotation")
    }
}

/// What an event was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    /// A value put outside rotation (or made with the secret).
    Manual,
    /// A rotation made this version and it became AWSCURRENT (or its outcome is no longer visible).
    Rotation,
    /// A rotation that has not finished.
    RotationPending,
    /// A rotation that failed.
    RotationFailed,
    /// A label moved by hand: AWSCURRENT back to an older version (a rollback).
    Labels,
    /// No source says what made the version any more (the log's retention,
    /// CloudTrail's 90 days, or a source that could not be read).
    Unknown,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Manual => "manual",
            Kind::Rotation => "rotation",
            Kind::RotationPending => "rotation-pending",
            Kind::RotationFailed => "rotation-failed",
            Kind::Labels => "labels",
            Kind::Unknown => "unknown",
        }
    }
}

/// One line of the timeline: `{"Time", "VersionId", "Kind", "Detail"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Event {
    pub(crate) time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) version_id: Option<String>,
    pub(crate) kind: Kind,
    pub(crate) detail: String,
}

/// What history reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources<'a> {
    /// Every version, the deprecated ones too.
    pub(crate) versions: &'a [SecretVersion],
    pub(crate) log: &'a [LogLine],
    /// CloudTrail's events about this secret.
    pub(crate) trail: &'a [TrailEvent],
    pub(crate) secret_created: Option<Timestamp>,
    /// The secret's LastChangedDate (dates a rollback CloudTrail has not delivered yet).
    pub(crate) last_changed: Option<Timestamp>,
    pub(crate) since: Timestamp,
    /// A service owns the secret (RDS, ...): it makes the rotations' versions, with no function log.
    pub(crate) owned: bool,
}

/// A version made with the secret is dated within this of the secret.
const WITH_THE_SECRET: SignedDuration = SignedDuration::from_secs(5);
/// A failure is a rotation version's when it comes within this of the version.
const ROTATION_SPAN: SignedDuration = SignedDuration::from_hours(24);
/// Error lines this close together are one failure (a function logs, then raises).
const BURST: SignedDuration = SignedDuration::from_secs(60);
/// CloudTrail dates its events to the second: a version made in the same second may follow it.
const TRAIL_SLACK: SignedDuration = SignedDuration::from_secs(1);

/// The timeline since `since`, oldest first.
// One source after another, each adding what only it knows: clearer whole than split.
#[allow(clippy::too_many_lines)]
pub(crate) fn timeline(sources: &Sources<'_>) -> Vec<Event> {
    let Sources { versions, log, trail, secret_created, last_changed, since, owned } = *sources;
    let trail: Vec<&TrailEvent> = trail.iter().filter(|e| !e.failed_call()).collect();
    let mut ordered: Vec<&SecretVersion> = versions.iter().filter(|v| v.created_date.is_some()).collect();
    ordered.sort_by_key(|v| v.created_date);
    let created = |id: &str| versions.iter().find(|v| v.version_id == id).and_then(|v| v.created_date);
    let has = |v: &SecretVersion, label: &str| v.version_stages.iter().any(|s| s == label);

    // Which versions rotations made.
    let mut rotations: BTreeSet<&str> = BTreeSet::new();
    let first = ordered.first().map(|v| v.version_id.clone());
    for v in &ordered {
        let put_by_hand = trail.iter().any(|e| {
            matches!(e.name.as_str(), "PutSecretValue" | "UpdateSecret")
                && e.version_id.as_deref() == Some(&v.version_id)
                && !e.stages.iter().any(|s| s == AWSPENDING)
        });
        let by_owner = owned && first.as_deref() != Some(v.version_id.as_str()) && !put_by_hand;
        let logged = log.iter().any(|l| l.message.contains(&v.version_id));
        let put_pending = trail.iter().any(|e| {
            e.name == "PutSecretValue"
                && e.version_id.as_deref() == Some(&v.version_id)
                && e.stages.iter().any(|s| s == AWSPENDING)
        });
        if logged || put_pending || by_owner || (has(v, AWSPENDING) && !has(v, AWSCURRENT)) {
            rotations.insert(&v.version_id);
        }
    }
    // When each rotation version became AWSCURRENT, as far as a source says.
    let finished = |id: &str| -> Option<Timestamp> {
        let line = log.iter().find(|l| l.finished() && l.message.contains(id)).map(|l| l.time);
        line.or_else(|| {
            trail
                .iter()
                .find(|e| {
                    e.name == "UpdateSecretVersionStage"
                        && e.stage.as_deref() == Some(AWSCURRENT)
                        && e.move_to.as_deref() == Some(id)
                })
                .and_then(|e| e.time)
        })
    };
    // The rotation version a dated failure belongs to: the newest made before
    // it (within `slack`: CloudTrail dates to the second), within a day, and
    // not already finished by then. None: the failure came before any version.
    let rotation_at = |time: Timestamp, slack: SignedDuration| -> Option<&str> {
        ordered
            .iter()
            .rev()
            .filter(|v| rotations.contains(v.version_id.as_str()))
            .find(|v| v.created_date.is_some_and(|c| c <= time + slack && time.duration_since(c) <= ROTATION_SPAN))
            .filter(|v| finished(&v.version_id).is_none_or(|f| f >= time))
            .map(|v| v.version_id.as_str())
    };

    let mut events = Vec::new();
    let mut explained_failures: BTreeSet<String> = BTreeSet::new();
    for v in &ordered {
        let Some(made) = v.created_date else { continue };
        let id = v.version_id.as_str();
        let labels = if v.version_stages.is_empty() {
            "no labels now".to_string()
        } else {
            format!("now {}", v.version_stages.join(", "))
        };
        if !rotations.contains(id) {
            let with_the_secret = first.as_deref() == Some(id)
                && secret_created.is_none_or(|c| made.duration_since(c).abs() <= WITH_THE_SECRET);
            let put = trail.iter().find(|e| {
                matches!(e.name.as_str(), "PutSecretValue" | "UpdateSecret" | "CreateSecret")
                    && e.version_id.as_deref() == Some(id)
            });
            let (kind, how) = match (with_the_secret, put) {
                (true, _) => (Kind::Manual, "the first value, made with the secret".to_string()),
                (false, Some(e)) => {
                    let who = e.who.as_deref().map(|who| format!(" by {who}")).unwrap_or_default();
                    (Kind::Manual, format!("a value put outside rotation ({}{who})", e.name))
                }
                // Nothing says a rotation made it, and nothing says who put it.
                (false, None) => (
                    Kind::Unknown,
                    "no source says what made it: no line of the function's log names it, and CloudTrail has no \
                     call that made it (their retention, or a source not read)"
                        .to_string(),
                ),
            };
            if made >= since {
                events.push(Event {
                    time: made,
                    version_id: Some(id.to_string()),
                    kind,
                    detail: format!("{how}; {labels}"),
                });
            }
            continue;
        }
        // A rotation's version: did it finish, did it fail?
        let finished_at = finished(id);
        let was_current = has(v, AWSCURRENT) || has(v, AWSPREVIOUS);
        let error_line = log.iter().find(|l| {
            l.is_error()
                && (l.version(versions).as_deref() == Some(id)
                    || (l.version(versions).is_none() && rotation_at(l.time, SignedDuration::ZERO) == Some(id)))
        });
        let trail_failure = trail.iter().find(|e| {
            matches!(e.name.as_str(), "RotationFailed" | "RotationAbandoned")
                && e.time.is_some_and(|t| rotation_at(t, TRAIL_SLACK) == Some(id))
        });
        let failure = error_line
            .map(|l| (l.time, diagnosis::quoted(&diagnosis::error_line(&l.message))))
            .or_else(|| trail_failure.and_then(|e| e.time.map(|t| (t, failure_text(e)))));
        if trail_failure.is_some() || error_line.is_some() {
            explained_failures.insert(id.to_string());
        }
        let succeeded = finished_at.is_some() || was_current;
        let (kind, time, detail) = match (succeeded, &failure) {
            (true, None) => {
                let detail = match finished_at {
                    Some(when) => format!("rotated: AWSCURRENT from {}; {labels}", at(when)),
                    None if owned => format!("rotated by the owning service; {labels}"),
                    None => format!("rotated; {labels}"),
                };
                (Kind::Rotation, made, detail)
            }
            (true, Some((_, message))) => {
                (Kind::Rotation, made, format!("rotated after an error ({message}); {labels}"))
            }
            (false, Some((time, message))) => {
                let class = Class::of(message);
                let still =
                    if has(v, AWSPENDING) { "; still holds AWSPENDING, which blocks the next rotation" } else { "" };
                (Kind::RotationFailed, *time, format!("{}: {message}{still}", class.as_str()))
            }
            (false, None) if has(v, AWSPENDING) => {
                (Kind::RotationPending, made, "a rotation started and has not finished (AWSPENDING)".to_string())
            }
            (false, None) if owned => (
                Kind::Rotation,
                made,
                format!("rotated by the owning service (its outcome no longer visible); {labels}"),
            ),
            (false, None) => (
                Kind::RotationFailed,
                made,
                "a rotation made this version and it never became AWSCURRENT (its AWSPENDING was removed)".to_string(),
            ),
        };
        if time >= since {
            events.push(Event { time, version_id: Some(id.to_string()), kind, detail });
        }
    }

    // Failures no version accounts for (a rotation that failed before it made one).
    for e in trail.iter().filter(|e| matches!(e.name.as_str(), "RotationFailed" | "RotationAbandoned")) {
        let Some(time) = e.time else { continue };
        if time < since || rotation_at(time, TRAIL_SLACK).is_some_and(|id| explained_failures.contains(id)) {
            continue;
        }
        let message = failure_text(e);
        events.push(Event {
            time,
            version_id: None,
            kind: Kind::RotationFailed,
            detail: format!("{}: {message} (before any version was made)", Class::of(&message).as_str()),
        });
    }

    // Error lines no version accounts for (a createSecret that failed before it
    // put one), one event for each burst, unless CloudTrail already said it.
    let mut last: Option<Timestamp> = None;
    for l in log.iter().filter(|l| l.is_error() && l.time >= since && l.version(versions).is_none()) {
        if rotation_at(l.time, SignedDuration::ZERO).is_some()
            || last.is_some_and(|t| l.time.duration_since(t) <= BURST)
        {
            continue;
        }
        last = Some(l.time);
        let said = events.iter().any(|e| e.version_id.is_none() && e.time.duration_since(l.time).abs() <= BURST);
        if said {
            continue;
        }
        let message = diagnosis::quoted(&diagnosis::error_line(&l.message));
        events.push(Event {
            time: l.time,
            version_id: None,
            kind: Kind::RotationFailed,
            detail: format!("{}: {message} (before any version was made)", Class::of(&message).as_str()),
        });
    }

    // Labels moved by hand: AWSCURRENT to an older version than the one it left.
    let mut rolled_back = false;
    for e in trail.iter().filter(|e| e.name == "UpdateSecretVersionStage" && e.stage.as_deref() == Some(AWSCURRENT)) {
        let (Some(time), Some(to), Some(from)) = (e.time, e.move_to.as_deref(), e.remove_from.as_deref()) else {
            continue;
        };
        let back = matches!((created(to), created(from)), (Some(t), Some(f)) if t < f);
        if !back || time < since {
            continue;
        }
        rolled_back = true;
        let who = e.who.as_deref().map(|w| format!(" by {w}")).unwrap_or_default();
        events.push(Event {
            time,
            version_id: Some(to.to_string()),
            kind: Kind::Labels,
            detail: format!("AWSCURRENT moved back from {from} to this older version{who} (a rollback)"),
        });
    }
    // CloudTrail may not have it yet: the labels themselves show a rollback.
    let current = versions.iter().find(|v| has(v, AWSCURRENT));
    let previous = versions.iter().find(|v| has(v, AWSPREVIOUS));
    if let (false, Some(current), Some(previous), Some(changed)) = (rolled_back, current, previous, last_changed)
        && current.created_date < previous.created_date
        && changed >= since
    {
        events.push(Event {
            time: changed,
            version_id: Some(current.version_id.clone()),
            kind: Kind::Labels,
            detail: format!(
                "AWSCURRENT is back on this version, older than AWSPREVIOUS {} (a rollback; the time is the secret's last change, CloudTrail has no event yet)",
                previous.version_id
            ),
        });
    }
    events.sort_by(|a, b| a.time.cmp(&b.time).then(a.kind.cmp(&b.kind)));
    events
}

fn failure_text(e: &TrailEvent) -> String {
    e.error.as_deref().map_or_else(|| format!("CloudTrail recorded {}", e.name), diagnosis::quoted)
}

fn at(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";

    fn t(minute: i64) -> Timestamp {
        "2026-11-01T00:00:00Z".parse::<Timestamp>().expect("a date") + SignedDuration::from_mins(minute)
    }

    fn version(id: &str, minute: i64, labels: &[&str]) -> SecretVersion {
        SecretVersion {
            version_id: id.into(),
            version_stages: labels.iter().map(|l| (*l).to_string()).collect(),
            created_date: Some(t(minute)),
            last_accessed_date: None,
        }
    }

    fn line(minute: i64, message: &str) -> LogLine {
        LogLine { time: t(minute) + SignedDuration::from_secs(1), message: message.to_string(), id: None }
    }

    /// rotate (v2), a failed rotation (v3), its retry (v4), a manual put (v5), a rollback to v4.
    fn sequence() -> (Vec<SecretVersion>, Vec<LogLine>) {
        let versions = vec![
            version("v1", 0, &[]),
            version("v2", 10, &[]),
            version("v3", 20, &[]),
            version("v4", 30, &[AWSCURRENT]),
            version("v5", 40, &[AWSPREVIOUS]),
        ];
        let log = vec![
            line(10, &format!("[INFO]\tx\tr1\tcreateSecret: Successfully put secret for ARN {ARN} and version v2.")),
            line(
                10,
                &format!(
                    "[INFO]\tx\tr2\tfinishSecret: Successfully set AWSCURRENT stage to version v2 for secret {ARN}."
                ),
            ),
            line(20, &format!("[INFO]\tx\tr3\tcreateSecret: Successfully put secret for ARN {ARN} and version v3.")),
            line(
                21,
                &format!(
                    "[ERROR]\t2026-11-01T00:21:01.000Z\tr4\tsetSecret: Unable to log into database with previous, current, or pending secret of secret arn {ARN}"
                ),
            ),
            line(30, &format!("[INFO]\tx\tr5\tcreateSecret: Successfully put secret for ARN {ARN} and version v4.")),
            line(
                30,
                &format!(
                    "[INFO]\tx\tr6\tfinishSecret: Successfully set AWSCURRENT stage to version v4 for secret {ARN}."
                ),
            ),
        ];
        (versions, log)
    }

    /// The sources of a secret made at minute 0, read from an hour before.
    fn window<'a>(versions: &'a [SecretVersion], log: &'a [LogLine], trail: &'a [TrailEvent]) -> Sources<'a> {
        Sources { versions, log, trail, secret_created: Some(t(0)), last_changed: None, since: t(-60), owned: false }
    }

    fn kinds(events: &[Event]) -> Vec<(Option<&str>, &str)> {
        events.iter().map(|e| (e.version_id.as_deref(), e.kind.as_str())).collect()
    }

    #[test]
    fn rotate_fail_retry_put_and_rollback_from_the_versions_and_the_log() {
        // Without CloudTrail, the value put by hand (v5) is one nothing speaks for: unknown, not guessed.
        let (versions, log) = sequence();
        let sources = Sources {
            versions: &versions,
            log: &log,
            trail: &[],
            secret_created: Some(t(0)),
            last_changed: Some(t(50)),
            since: t(-60),
            owned: false,
        };
        let events = timeline(&sources);
        assert_eq!(
            kinds(&events),
            [
                (Some("v1"), "manual"),
                (Some("v2"), "rotation"),
                (Some("v3"), "rotation-failed"),
                (Some("v4"), "rotation"),
                (Some("v5"), "unknown"),
                (Some("v4"), "labels"),
            ]
        );
        assert!(events[0].detail.starts_with("the first value, made with the secret"), "{}", events[0].detail);
        assert_eq!(events[2].time, t(21) + SignedDuration::from_secs(1), "the failure is dated by its error line");
        assert!(
            events[2].detail.starts_with("database-login: setSecret: Unable to log into database"),
            "{}",
            events[2].detail
        );
        assert!(events[3].detail.contains("AWSCURRENT from 2026-11-01T00:30:01Z"), "{}", events[3].detail);
        assert!(events[5].detail.contains("back on this version, older than AWSPREVIOUS v5"), "{}", events[5].detail);
        assert_eq!(events[5].time, t(50));

        // The window leaves the older ones out.
        let recent = timeline(&Sources { since: t(25), ..sources });
        assert_eq!(kinds(&recent), [(Some("v4"), "rotation"), (Some("v5"), "unknown"), (Some("v4"), "labels")]);
    }

    #[test]
    fn cloudtrail_names_who_put_a_value_and_who_rolled_back() {
        let (versions, log) = sequence();
        let put = TrailEvent::parse(
            r#"{"eventName":"PutSecretValue","eventType":"AwsApiCall","userIdentity":{"arn":"arn:aws:iam::123456789012:user/ops"},
                "requestParameters":{"secretId":"app/db","clientRequestToken":"v5","secretString":"HIDDEN_DUE_TO_SECURITY_REASONS"},
                "responseElements":{"arn":"x","versionId":"v5"}}"#,
            Some(t(40)),
        )
        .expect("parses");
        let rollback = TrailEvent::parse(
            r#"{"eventName":"UpdateSecretVersionStage","userIdentity":{"arn":"arn:aws:iam::123456789012:user/ops"},
                "requestParameters":{"secretId":"app/db","versionStage":"AWSCURRENT","moveToVersionId":"v4","removeFromVersionId":"v5"}}"#,
            Some(t(45)),
        )
        .expect("parses");
        assert!(put.about(ARN, "app/db") && rollback.about(ARN, "app/db"));
        assert!(!put.about("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf", "other"));
        let trail = [put, rollback];
        let events = timeline(&Sources {
            versions: &versions,
            log: &log,
            trail: &trail,
            secret_created: Some(t(0)),
            last_changed: Some(t(50)),
            since: t(-60),
            owned: false,
        });
        let labels: Vec<&Event> = events.iter().filter(|e| e.kind == Kind::Labels).collect();
        assert_eq!(labels.len(), 1, "CloudTrail's move, not the guess from the labels: {events:?}");
        assert_eq!(labels[0].time, t(45));
        assert!(
            labels[0].detail.contains("moved back from v5 to this older version by arn:aws:iam::123456789012:user/ops")
        );
        let v5 = events.iter().find(|e| e.version_id.as_deref() == Some("v5")).expect("v5");
        assert_eq!(
            v5.detail,
            "a value put outside rotation (PutSecretValue by arn:aws:iam::123456789012:user/ops); now AWSPREVIOUS"
        );
    }

    #[test]
    fn pending_failed_before_a_version_and_without_a_log() {
        let versions = vec![version("v1", 0, &[AWSCURRENT]), version("v2", 10, &[AWSPENDING])];
        let failed = TrailEvent {
            time: Some(t(5)),
            name: "RotationFailed".into(),
            secret: Some(ARN.into()),
            error: Some("Secrets Manager cannot invoke the specified Lambda function".into()),
            ..TrailEvent::default()
        };
        let events = timeline(&window(&versions, &[], &[failed]));
        assert_eq!(
            kinds(&events),
            [(Some("v1"), "manual"), (None, "rotation-failed"), (Some("v2"), "rotation-pending")]
        );
        assert!(events[1].detail.ends_with("(before any version was made)"), "{}", events[1].detail);

        // A version that lost its labels without ever being current.
        let versions = vec![version("v1", 0, &[AWSCURRENT]), version("v2", 10, &[])];
        let log = [line(10, &format!("createSecret: Successfully put secret for ARN {ARN} and version v2."))];
        let events = timeline(&window(&versions, &log, &[]));
        assert_eq!(kinds(&events)[1], (Some("v2"), "rotation-failed"));

        // A failure after the last rotation finished, with no version of its own
        // (createSecret failed before it put one): its own event, not the finished rotation's.
        let versions = vec![version("v1", 0, &[AWSPREVIOUS]), version("v2", 10, &[AWSCURRENT])];
        let log = [
            line(10, &format!("createSecret: Successfully put secret for ARN {ARN} and version v2.")),
            line(10, &format!("finishSecret: Successfully set AWSCURRENT stage to version v2 for secret {ARN}.")),
            line(
                30,
                &format!("[ERROR]\t2026-11-01T00:30:01.000Z\tr9\tcreateSecret: Access to KMS is not allowed for {ARN}"),
            ),
            line(30, &format!("[ERROR] ClientError: Access to KMS is not allowed for {ARN}")),
        ];
        let denied_call = TrailEvent {
            time: Some(t(35)),
            name: "UpdateSecretVersionStage".into(),
            secret: Some(ARN.into()),
            stage: Some(AWSCURRENT.into()),
            move_to: Some("v1".into()),
            remove_from: Some("v2".into()),
            error_code: Some("AccessDeniedException".into()),
            ..TrailEvent::default()
        };
        let events = timeline(&window(&versions, &log, &[denied_call]));
        assert_eq!(
            kinds(&events),
            [(Some("v1"), "manual"), (Some("v2"), "rotation"), (None, "rotation-failed")],
            "one event for the burst; a refused UpdateSecretVersionStage is no rollback"
        );
        assert!(events[2].detail.starts_with("kms-denied:"), "{}", events[2].detail);
        let partial = TrailEvent { secret: Some(ARN.trim_end_matches("-AbCdEf").into()), ..TrailEvent::default() };
        assert!(partial.about(ARN, "app/db"));
        let longer =
            TrailEvent { secret: Some(format!("{}-x", ARN.trim_end_matches("-AbCdEf"))), ..TrailEvent::default() };
        assert!(!longer.about(ARN, "app/db"));

        // A managed secret: the owner's versions are rotations.
        let versions = vec![version("v1", 0, &[AWSPREVIOUS]), version("v2", 10, &[AWSCURRENT])];
        let events = timeline(&Sources { owned: true, ..window(&versions, &[], &[]) });
        assert_eq!(kinds(&events), [(Some("v1"), "manual"), (Some("v2"), "rotation")]);
        assert_eq!(events[1].detail, "rotated by the owning service; now AWSCURRENT");
    }
}
