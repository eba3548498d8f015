//! Pure rotation logic: deriving a secret's rotation state, and describing a
//! schedule in words. Plain data in, plain data out; no AWS.

use jiff::{SignedDuration, Timestamp};

use crate::model::{Failure, Owner, RotationRules, RotationState, Secret, SecretStatus};

/// An AWSPENDING older than this is a rotation that failed, not one running.
/// (Rotation functions have at most 15 minutes: the Lambda timeout ceiling.)
pub(crate) const STUCK_AFTER: SignedDuration = SignedDuration::from_mins(15);

/// Whether rotation was ever set up: AWS keeps the function and rules after
/// rotation is turned off, and reports none of them before the first setup.
pub(crate) fn is_configured(secret: &Secret) -> bool {
    secret.rotation_enabled == Some(true)
        || secret.rotation_lambda_arn.is_some()
        || secret.rotation_rules.as_ref().is_some_and(|r| *r != RotationRules::default())
}

/// A secret's status from what was read: its metadata, the known failure of
/// its pending rotation (if any was looked for and found), its owner (for a
/// managed secret, with what the owner says) and its derived state.
pub(crate) fn status(secret: Secret, failure: Option<Failure>, owner: Option<Owner>, now: Timestamp) -> SecretStatus {
    // Evidence about another version (an older rotation) says nothing about this one.
    let failure = failure.filter(|f| secret.dangling_pending() == Some(f.version_id.as_str()));
    let (rotation_state, reason) = assess(&secret, failure.as_ref(), owner.as_ref(), now);
    let failure = failure.filter(|_| rotation_state == RotationState::Failed);
    SecretStatus { secret, rotation_state, owner, failure, reason }
}

/// The derived state and the reason for it, in words.
///
/// When several states apply, the first in this order wins: not-configured,
/// disabled, impaired, failed, stuck, in-progress, overdue, healthy. `failure`
/// is what is known of the pending rotation's failure; `owner` is a managed
/// secret's owner, with its `SecretStatus` when it was read.
pub(crate) fn assess(
    secret: &Secret,
    failure: Option<&Failure>,
    owner: Option<&Owner>,
    now: Timestamp,
) -> (RotationState, String) {
    if !is_configured(secret) {
        return (RotationState::NotConfigured, "rotation was never set up for this secret".into());
    }
    if secret.rotation_enabled != Some(true) {
        let mut reason = "rotation is turned off".to_string();
        if secret.rotation_rules.is_some() {
            reason.push_str(" (its rules remain but do not apply)");
        }
        if let Some(pending) = secret.dangling_pending() {
            reason = format!("{reason}; AWSPENDING is still on version {pending}");
        }
        return (RotationState::Disabled, reason);
    }
    if let Some(owner) = owner.filter(|o| o.secret_status.as_deref() == Some(crate::owner::IMPAIRED)) {
        let resource = owner.resource.as_deref().unwrap_or("its resource");
        return (
            RotationState::Impaired,
            format!(
                "{} reports the secret impaired ({resource}): it can still be read but the owner cannot rotate it, \
                 usually because the owner lost access to the secret or its KMS key",
                crate::owner::display(&owner.service)
            ),
        );
    }
    if let Some(failure) = failure.filter(|f| secret.dangling_pending() == Some(f.version_id.as_str())) {
        return (RotationState::Failed, failure.sentence(&format!("the rotation to version {}", failure.version_id)));
    }
    if let Some(reason) = stuck(secret, now) {
        return (RotationState::Stuck, reason);
    }
    if let Some(pending) = secret.dangling_pending() {
        return match secret.version_created(pending) {
            Some(created) => (
                RotationState::InProgress,
                format!(
                    "a rotation is in progress: version {pending} has been AWSPENDING for {}",
                    age(now.duration_since(created))
                ),
            ),
            None => {
                (RotationState::InProgress, format!("AWSPENDING is on version {pending}, created at an unknown time"))
            }
        };
    }
    if let Some(next) = secret.next_rotation_date.filter(|next| *next < now) {
        return (
            RotationState::Overdue,
            format!("the next rotation was due {next} ({} ago) and has not happened", age(now.duration_since(next))),
        );
    }
    (RotationState::Healthy, "rotation is enabled and on schedule".into())
}

/// The reason, when a rotation left AWSPENDING on another version more than
/// 15 minutes ago (whether or not rotation is still on).
pub(crate) fn stuck(secret: &Secret, now: Timestamp) -> Option<String> {
    let pending = secret.dangling_pending()?;
    let created = secret.version_created(pending)?;
    (now.duration_since(created) > STUCK_AFTER).then(|| {
        format!(
            "AWSPENDING has been on version {pending} since {created} ({} ago): the rotation failed and blocks the next one",
            age(now.duration_since(created))
        )
    })
}

/// A schedule in words: "every 30 days", "rate(12 hours), window 2h".
pub(crate) fn describe_rules(rules: &RotationRules) -> String {
    let mut text = match (&rules.schedule_expression, rules.automatically_after_days) {
        (Some(expression), _) => expression.clone(),
        (None, Some(1)) => "every day".to_string(),
        (None, Some(days)) => format!("every {days} days"),
        (None, None) => "no schedule".to_string(),
    };
    if let Some(duration) = &rules.duration {
        text = format!("{text}, window {duration}");
    }
    text
}

/// A duration as people read it: "45s", "12m", "3h 10m", "2d 4h", "40d".
pub(crate) fn age(duration: SignedDuration) -> String {
    let secs = duration.as_secs().unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) | (d @ 10.., _, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::SecretVersion;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a valid timestamp in a test")
    }

    const NOW: &str = "2026-11-22T12:00:00Z";

    fn secret(stages: &[(&str, &[&str])]) -> Secret {
        Secret {
            name: "app/db".into(),
            arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf".into(),
            rotation_enabled: Some(true),
            rotation_lambda_arn: Some("arn:aws:lambda:us-east-1:123456789012:function:rotate".into()),
            rotation_rules: Some(RotationRules { automatically_after_days: Some(30), ..Default::default() }),
            next_rotation_date: Some(at("2026-12-01T00:00:00Z")),
            version_ids_to_stages: stages
                .iter()
                .map(|(id, labels)| (id.to_string(), labels.iter().map(std::string::ToString::to_string).collect()))
                .collect::<BTreeMap<_, _>>(),
            ..Default::default()
        }
    }

    fn created(mut secret: Secret, version: &str, when: &str) -> Secret {
        secret.versions.push(SecretVersion {
            version_id: version.into(),
            created_date: Some(at(when)),
            ..Default::default()
        });
        secret
    }

    fn state(secret: &Secret) -> RotationState {
        assess(secret, None, None, at(NOW)).0
    }

    #[test]
    fn never_configured() {
        let mut s = secret(&[("v1", &["AWSCURRENT"])]);
        s.rotation_enabled = None;
        s.rotation_lambda_arn = None;
        s.rotation_rules = None;
        assert_eq!(state(&s), RotationState::NotConfigured);
        // ListSecrets may say `false` rather than nothing: still never configured.
        s.rotation_enabled = Some(false);
        assert_eq!(state(&s), RotationState::NotConfigured);
    }

    #[test]
    fn disabled_with_rules_left_behind_is_disabled() {
        let mut s = secret(&[("v1", &["AWSCURRENT"])]);
        s.rotation_enabled = Some(false);
        let (state, reason) = assess(&s, None, None, at(NOW));
        assert_eq!(state, RotationState::Disabled);
        assert!(reason.contains("rules remain"), "{reason}");
    }

    #[test]
    fn disabled_wins_over_a_dangling_pending() {
        let mut s = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-01T00:00:00Z");
        s.rotation_enabled = Some(false);
        let (state, reason) = assess(&s, None, None, at(NOW));
        assert_eq!(state, RotationState::Disabled);
        assert!(reason.contains("AWSPENDING is still on version v2"), "{reason}");
    }

    #[test]
    fn pending_on_the_current_version_is_a_finished_rotation() {
        let s = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT", "AWSPENDING"])]);
        assert_eq!(state(&s), RotationState::Healthy);
    }

    #[test]
    fn young_pending_elsewhere_is_in_progress() {
        let s = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-22T11:50:00Z");
        assert_eq!(state(&s), RotationState::InProgress);
    }

    #[test]
    fn pending_exactly_fifteen_minutes_old_is_still_in_progress() {
        let s = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-22T11:45:00Z");
        assert_eq!(state(&s), RotationState::InProgress);
    }

    #[test]
    fn old_pending_elsewhere_is_stuck() {
        let s = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-22T11:44:59Z");
        let (state, reason) = assess(&s, None, None, at(NOW));
        assert_eq!(state, RotationState::Stuck);
        assert!(reason.contains("v2") && reason.contains("15m"), "{reason}");
    }

    #[test]
    fn pending_of_unknown_age_is_in_progress_not_stuck() {
        let s = secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]);
        assert_eq!(state(&s), RotationState::InProgress);
    }

    #[test]
    fn stuck_wins_over_overdue() {
        let mut s = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-20T00:00:00Z");
        s.next_rotation_date = Some(at("2026-11-21T00:00:00Z"));
        assert_eq!(state(&s), RotationState::Stuck);
    }

    fn failure(version: &str) -> Failure {
        Failure {
            version_id: version.into(),
            step: Some("setSecret".into()),
            message: "setSecret: Unable to log into database".into(),
            source: crate::model::FailureSource::FunctionLog,
            log_group: Some("/aws/lambda/rotate".into()),
        }
    }

    #[test]
    fn a_known_failure_is_failed_at_any_age_and_only_for_its_version() {
        let young = created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-22T11:59:00Z");
        let status = status(young.clone(), Some(failure("v2")), None, at(NOW));
        assert_eq!(status.rotation_state, RotationState::Failed);
        assert!(status.reason.contains("failed at setSecret: setSecret: Unable"), "{}", status.reason);
        assert_eq!(status.failure.as_ref().map(|f| f.version_id.as_str()), Some("v2"));
        // Failed wins over stuck.
        let old = created(young.clone(), "v2", "2026-11-01T00:00:00Z");
        assert_eq!(assess(&old, Some(&failure("v2")), None, at(NOW)).0, RotationState::Failed);
        // Evidence about another version is not this rotation's failure.
        let other = super::status(young.clone(), Some(failure("v1")), None, at(NOW));
        assert_eq!((other.rotation_state, other.failure), (RotationState::InProgress, None));
        // Disabled still wins, and a finished rotation has no failure to show.
        let mut off = young;
        off.rotation_enabled = Some(false);
        let off = super::status(off, Some(failure("v2")), None, at(NOW));
        assert_eq!((off.rotation_state, off.failure), (RotationState::Disabled, None));
    }

    #[test]
    fn an_owner_that_says_impaired_makes_the_secret_impaired_after_disabled_and_before_failed() {
        let owner = |status: &str| Owner {
            service: "rds".into(),
            resource: Some("arn:aws:rds:us-east-1:123456789012:db:orders".into()),
            secret_status: Some(status.into()),
            kms_key_id: None,
        };
        let pending =
            created(secret(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]), "v2", "2026-11-01T00:00:00Z");
        let (state, reason) = assess(&pending, Some(&failure("v2")), Some(&owner("impaired")), at(NOW));
        assert_eq!(state, RotationState::Impaired, "impaired wins over failed and stuck");
        assert!(reason.contains("Amazon RDS reports the secret impaired") && reason.contains("db:orders"), "{reason}");
        let fine = secret(&[("v1", &["AWSCURRENT"])]);
        for status in ["active", "rotating", "creating"] {
            assert_eq!(assess(&fine, None, Some(&owner(status)), at(NOW)).0, RotationState::Healthy, "{status}");
        }
        let mut off = fine;
        off.rotation_enabled = Some(false);
        assert_eq!(assess(&off, None, Some(&owner("impaired")), at(NOW)).0, RotationState::Disabled);
    }

    #[test]
    fn next_rotation_in_the_past_is_overdue() {
        let mut s = secret(&[("v1", &["AWSCURRENT"])]);
        s.next_rotation_date = Some(at("2026-11-22T11:59:59Z"));
        assert_eq!(state(&s), RotationState::Overdue);
    }

    #[test]
    fn enabled_and_on_time_is_healthy() {
        assert_eq!(state(&secret(&[("v1", &["AWSCURRENT"])])), RotationState::Healthy);
        let mut no_next_date = secret(&[("v1", &["AWSCURRENT"])]);
        no_next_date.next_rotation_date = None;
        assert_eq!(state(&no_next_date), RotationState::Healthy);
    }

    #[test]
    fn managed_rotation_without_a_function_is_configured() {
        let mut s = secret(&[("v1", &["AWSCURRENT"])]);
        s.rotation_lambda_arn = None;
        assert_eq!(state(&s), RotationState::Healthy);
    }

    #[test]
    fn rules_in_words() {
        let days = RotationRules { automatically_after_days: Some(30), ..Default::default() };
        assert_eq!(describe_rules(&days), "every 30 days");
        let schedule = RotationRules {
            automatically_after_days: Some(30),
            schedule_expression: Some("rate(30 days)".into()),
            duration: Some("2h".into()),
        };
        assert_eq!(describe_rules(&schedule), "rate(30 days), window 2h");
    }

    #[test]
    fn ages_in_words() {
        assert_eq!(age(SignedDuration::from_secs(45)), "45s");
        assert_eq!(age(SignedDuration::from_mins(12)), "12m");
        assert_eq!(age(SignedDuration::from_mins(190)), "3h 10m");
        assert_eq!(age(SignedDuration::from_hours(52)), "2d 4h");
        assert_eq!(age(SignedDuration::from_hours(24 * 40 + 5)), "40d");
        assert_eq!(age(SignedDuration::from_hours(-2)), "2h");
    }
}
