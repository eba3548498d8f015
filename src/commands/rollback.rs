//! `rotctl rollback`: move AWSCURRENT back to the AWSPREVIOUS version (or a
//! chosen one), clear what a failed rotation left, and check the result.

use clap::Args;
use jiff::Timestamp;

use crate::arn::SecretId;
use crate::aws::{Clients, lambda, rotation as follow, secrets};
use crate::env::Env;
use crate::error::{Error, Result, shown};
use crate::model::{
    AWSCURRENT, AWSPENDING, AWSPREVIOUS, Failure, RollbackReport, RotationState, Secret, SecretStatus, SecretVersion,
};
use crate::strategy::{self, FunctionTags, Judged, Strategy};
use crate::{prompt, rotation};

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The secret, by name or ARN
    #[arg(value_name = "SECRET")]
    pub secret: String,

    /// Make this version current instead of the AWSPREVIOUS one (see `rotctl status`)
    #[arg(long, value_name = "VERSION_ID")]
    pub to_version: Option<String>,

    /// Show what would change; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Cancel a rotation in progress first (this turns rotation off; turn it back on with `rotctl enable`)
    #[arg(long)]
    pub force: bool,

    /// Move the labels even after a single-user rotation, whose database no longer accepts the older
    /// password (for when you reset it there yourself)
    #[arg(long)]
    pub labels_only: bool,

    /// Roll back only while VERSION_ID is AWSCURRENT; when that rollback has already happened, do
    /// nothing and exit 0 (makes a rollback safe to re-run from a script)
    #[arg(long, value_name = "VERSION_ID")]
    pub expect_current: Option<String>,
}

/// The label moves a rollback makes, decided from what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub from: String,
    pub to: String,
    /// CancelRotateSecret first (a rotation in progress, with --force).
    pub cancel: bool,
    /// Versions AWSPENDING is removed from (a failed rotation's, or one left on the current version).
    pub clear_pending: Vec<String>,
    /// `--expect-current` found this rollback already made: nothing to do.
    pub already_done: bool,
}

/// Decides the rollback, or refuses with what to do. Pure.
pub(crate) fn plan(
    secret: &Secret,
    versions: &[SecretVersion],
    to: Option<&str>,
    expect_current: Option<&str>,
    force: bool,
    failure: Option<&Failure>,
    now: Timestamp,
) -> Result<Plan> {
    let what = format!("rollback of {}", secret.name);
    let see = format!("see rotctl status {}", secret.name);
    let from = secret
        .version_with(AWSCURRENT)
        .ok_or_else(|| Error::usage(&what, "there is no AWSCURRENT version to roll back from", &see))?
        .to_string();
    if let Some(expected) = expect_current.filter(|expected| *expected != from) {
        // The same rollback, already made (by a run that crashed or timed out): done.
        let created = |id: &str| versions.iter().find(|v| v.version_id == id).and_then(|v| v.created_date);
        // A rollback makes an older version current; a rotation makes a version
        // it has just created current, which AWS dates after the one it replaced.
        let rotated = matches!((created(&from), created(expected)), (Some(now), Some(was)) if now > was);
        let made = secret.version_with(AWSPREVIOUS) == Some(expected) && to.is_none_or(|to| to == from) && !rotated;
        if made {
            return Ok(Plan {
                from: expected.into(),
                to: from,
                cancel: false,
                clear_pending: Vec::new(),
                already_done: true,
            });
        }
        return Err(Error::usage(
            &what,
            format!(
                "AWSCURRENT is {from}, not {expected} (--expect-current): it changed since it was read; nothing was changed"
            ),
            see,
        ));
    }
    let to = match to {
        Some(id) if versions.iter().any(|v| v.version_id == id) => id.to_string(),
        Some(id) => {
            let known: Vec<&str> = versions.iter().map(|v| v.version_id.as_str()).collect();
            return Err(Error::not_found(
                format!("--to-version {id}"),
                format!("not a version of {}", secret.name),
                format!("its versions: {}", known.join(", ")),
            ));
        }
        None => secret.version_with(AWSPREVIOUS).map(str::to_string).ok_or_else(|| {
            Error::usage(
                &what,
                "there is no AWSPREVIOUS version to roll back to",
                format!("name one with --to-version; {see}"),
            )
        })?,
    };
    if to == from {
        return Err(Error::usage(&what, format!("version {to} is already AWSCURRENT"), see));
    }
    if secret.dangling_pending() == Some(to.as_str()) {
        // An unfinished rotation's version may hold no value, or one the database never accepted.
        return Err(Error::usage(
            &what,
            format!("version {to} is the AWSPENDING version of an unfinished rotation: it may hold no value"),
            format!("roll back to a version that was AWSCURRENT before; {see}"),
        ));
    }
    let mut with_dates = secret.clone();
    with_dates.versions = versions.to_vec();
    let (state, reason) = rotation::assess(&with_dates, failure, None, now);
    let running = state == RotationState::InProgress;
    if running && !force {
        return Err(Error::usage(
            &what,
            format!("{reason}; rolling back now would race it"),
            "wait for it, or pass --force to cancel it first (which turns rotation off)",
        ));
    }
    let clear_pending = secret
        .version_ids_to_stages
        .iter()
        .filter(|(_, stages)| stages.iter().any(|s| s == AWSPENDING))
        .map(|(id, _)| id.clone())
        .collect();
    Ok(Plan { from, to, cancel: running, clear_pending, already_done: false })
}

/// The secret with every version (deprecated ones too), or for a replica its
/// primary's, read in the primary's region with clients for it (AWS refuses
/// changes to a replica; a note says so). A replica's versions cannot be
/// listed outside its primary's region: its description decides.
async fn read_for_change(env: &Env, clients: &Clients, id: &str) -> Result<(Clients, Secret, Vec<SecretVersion>)> {
    let (secret, versions) = match secrets::describe_with_all_versions(&clients.secrets, &clients.region, id).await {
        Ok(read) => read,
        Err(error) => match secrets::describe(&clients.secrets, &clients.region, id).await {
            Ok(secret) if crate::aws::primary_of(clients, &secret).is_some() => (secret, Vec::new()),
            _ => return Err(error),
        },
    };
    let Some((primary, arn)) = crate::aws::primary_for_change(clients, &env.progress, &secret) else {
        return Ok((clients.clone(), secret, versions));
    };
    let (secret, versions) = secrets::describe_with_all_versions(&primary.secrets, &primary.region, &arn).await?;
    Ok((primary, secret, versions))
}

pub(crate) async fn run(env: &Env, args: &RollbackArgs) -> Result<RollbackReport> {
    let clients = env.clients().await?;
    let (ctx, region) = (&env.ctx, clients.region.as_str());
    let id = SecretId::parse(&args.secret, region).map_err(Error::input)?;
    for (option, version) in [("--to-version", &args.to_version), ("--expect-current", &args.expect_current)] {
        if let Some(version) = version {
            check_version_id(option, version)?;
        }
    }
    let (clients, secret, versions) = read_for_change(env, clients, id.as_str()).await?;
    let clients = &clients;
    let labelled: Vec<SecretVersion> = versions.iter().filter(|v| !v.version_stages.is_empty()).cloned().collect();
    let (before, judged) = tokio::join!(
        follow::status(clients, Secret { versions: labelled, ..secret.clone() }, ctx.now),
        judge(clients, &secret)
    );
    if judged.strategy == Strategy::Managed {
        // Whatever its versions: the owner holds the password.
        return Err(refuse_managed(&secret.name, &judged));
    }
    let plan = plan(
        &secret,
        &versions,
        args.to_version.as_deref(),
        args.expect_current.as_deref(),
        args.force,
        before.failure.as_ref(),
        ctx.now,
    )?;

    // A report of a rollback that changes nothing: AWS's state as read.
    let unchanged = |plan: Plan, dry_run: bool, notes: Vec<String>| RollbackReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        from: plan.from,
        to: plan.to,
        dry_run,
        already_done: plan.already_done,
        strategy: judged.strategy,
        strategy_source: judged.source.clone(),
        status: before.clone(),
        before: before.clone(),
        notes,
    };
    if plan.already_done {
        return Ok(unchanged(plan, args.dry_run, Vec::new()));
    }
    let mut notes = vec![strategy_note(&secret, &judged, &plan, args.labels_only)?];
    if args.dry_run {
        return Ok(unchanged(plan, true, notes));
    }
    prompt::confirm(
        ctx,
        &format!(
            "Make version {} AWSCURRENT for {} (now {}): applications reading the secret will get the older value{}. {}",
            plan.to,
            secret.name,
            plan.from,
            if plan.cancel { ", and the running rotation is cancelled, turning rotation off" } else { "" },
            notes[0]
        ),
        &format!("rollback of {} changes the value applications read", secret.name),
    )
    .await?;

    let status = apply(clients, ctx.now, &secret, &plan, &mut notes).await.map_err(|error| {
        error.after_sent(
            format!("rollback of {} stopped part-way", secret.name),
            Some(format!(
                "changes already sent may have applied: check with rotctl status {} before running rollback again; \
                 a second rollback moves AWSCURRENT back, unless it has --expect-current",
                secret.name
            )),
        )
    })?;
    Ok(RollbackReport {
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        from: plan.from,
        to: plan.to,
        dry_run: false,
        already_done: false,
        strategy: judged.strategy,
        strategy_source: judged.source,
        status,
        before,
        notes,
    })
}

/// What Ctrl-C leaves behind when rotctl had sent a change.
pub(crate) fn interrupted_advice(args: &RollbackArgs) -> String {
    format!(
        "a label move rotctl had sent may still apply; check with rotctl status {} before running rollback again \
         (without --expect-current a second rollback moves AWSCURRENT back)",
        args.secret
    )
}

/// The changes, in the order that keeps the secret readable throughout, and
/// the status AWS reports afterwards.
async fn apply(
    clients: &Clients,
    now: Timestamp,
    secret: &Secret,
    plan: &Plan,
    notes: &mut Vec<String>,
) -> Result<SecretStatus> {
    let region = clients.region.as_str();
    if plan.cancel {
        secrets::cancel_rotation(&clients.secrets, &secret.arn).await?;
        notes.push(format!(
            "cancelled the rotation in progress; rotation of {} is now off (turn it on again: rotctl enable)",
            secret.name
        ));
    }
    for version in &plan.clear_pending {
        secrets::move_label(&clients.secrets, &secret.arn, AWSPENDING, Some(version), None).await?;
    }
    // Moving AWSCURRENT moves AWSPREVIOUS to the version it leaves (roll-back-secret.html).
    secrets::move_label(&clients.secrets, &secret.arn, AWSCURRENT, Some(&plan.from), Some(&plan.to)).await?;

    // Read it back: report what AWS now holds, not what was asked for.
    let status = follow::status(clients, secrets::read(&clients.secrets, region, &secret.arn).await?, now).await;
    let stages = &status.secret.version_ids_to_stages;
    let holds = |version: &str, label: &str| stages.get(version).is_some_and(|s| s.iter().any(|l| l == label));
    if !holds(&plan.to, AWSCURRENT) || !holds(&plan.from, AWSPREVIOUS) {
        return Err(Error::Failed(
            crate::error::Message::new(
                format!("rollback of {}", secret.name),
                format!(
                    "it did not take: AWS reports {stages:?} (expected {} AWSCURRENT and {} AWSPREVIOUS)",
                    plan.to, plan.from
                ),
            )
            .fix(format!("check with rotctl status {}", secret.name)),
        ));
    }
    Ok(status)
}

/// Version ids are the ClientRequestTokens AWS takes: 32-64 characters.
pub(crate) fn check_version_id(option: &str, version: &str) -> Result<()> {
    let valid = (32..=64).contains(&version.len()) && version.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::usage(
            format!("{option} {}", shown(version)),
            "not a version id (32-64 letters, digits and -)",
            "copy one from rotctl status",
        ))
    }
}

/// The rotation's strategy, from the secret and its function's tags. Not
/// being allowed to read the function must not block a rollback during an
/// incident: that is an unknown strategy, said so.
async fn judge(clients: &Clients, secret: &Secret) -> Judged {
    let tags = match &secret.rotation_lambda_arn {
        Some(function) if secret.owning_service.is_none() => match lambda::tags(&clients.lambda, function).await {
            Ok(Some(tags)) => FunctionTags::Read(tags),
            Ok(None) => FunctionTags::Missing,
            Err(error) => FunctionTags::Unreadable(error.to_string()),
        },
        _ => FunctionTags::Read(std::collections::BTreeMap::new()),
    };
    strategy::judge(secret, &tags)
}

/// What moving the labels means for the target system, or the refusal where
/// it would hand out a password the database refuses. Pure.
fn refuse_managed(name: &str, judged: &Judged) -> Error {
    Error::usage(
        format!("rollback of {name}"),
        format!("{}: the owning service holds the password, and moving labels would desync it", judged.source),
        format!("rotate it through its owner instead: rotctl rotate-now {name} --wait"),
    )
}

pub(crate) fn strategy_note(secret: &Secret, judged: &Judged, plan: &Plan, labels_only: bool) -> Result<String> {
    let name = &secret.name;
    let what = format!("rollback of {name}");
    match judged.strategy {
        Strategy::Managed => Err(refuse_managed(name, judged)),
        Strategy::SingleUser if !labels_only => Err(Error::usage(
            what,
            format!(
                "a single-user rotation ({}) changed the database password in place: the database already holds \
                 version {}'s password, so making version {} current would hand out one it refuses; nothing was changed",
                judged.source, plan.from, plan.to
            ),
            format!(
                "to replace the current password, rotate again: rotctl rotate-now {name} --wait (after a failed \
                 rotation: rotctl rotate-now {name} --retry --wait); to move the labels anyway, after resetting the \
                 password in the database yourself: add --labels-only"
            ),
        )),
        Strategy::SingleUser => Ok(format!(
            "--labels-only: only the labels move; the database still holds version {}'s password until you set \
             version {}'s there ({})",
            plan.from, plan.to, judged.source
        )),
        Strategy::AlternatingUsers => Ok(format!(
            "alternating users ({}): version {}'s user keeps its password until the next rotation, so it logs in again",
            judged.source, plan.to
        )),
        Strategy::Unknown => Ok(format!(
            "rotctl cannot tell what the rotation did to the target system ({}): whatever its setSecret step \
             changed there stays changed; check that version {} still logs in",
            judged.source, plan.to
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const NOW: &str = "2026-11-22T12:00:00Z";

    fn secret(stages: &[(&str, &[&str])]) -> (Secret, Vec<SecretVersion>) {
        let map: BTreeMap<String, Vec<String>> = stages
            .iter()
            .map(|(id, labels)| (id.to_string(), labels.iter().map(std::string::ToString::to_string).collect()))
            .collect();
        let versions = map
            .iter()
            .map(|(id, labels)| SecretVersion {
                version_id: id.clone(),
                version_stages: labels.clone(),
                created_date: Some("2026-11-22T08:00:00Z".parse().expect("a date")),
                ..Default::default()
            })
            .collect();
        let secret = Secret {
            name: "app/db".into(),
            rotation_enabled: Some(true),
            rotation_lambda_arn: Some("fn".into()),
            version_ids_to_stages: map,
            ..Default::default()
        };
        (secret, versions)
    }

    fn now() -> Timestamp {
        NOW.parse().expect("a date")
    }

    /// Versions with their labels and creation hours (on NOW's day).
    fn dated(stages: &[(&str, &[&str], i8)]) -> (Secret, Vec<SecretVersion>) {
        let labels: Vec<(&str, &[&str])> = stages.iter().map(|(id, labels, _)| (*id, *labels)).collect();
        let (secret, mut versions) = secret(&labels);
        for version in &mut versions {
            let hour = stages.iter().find(|(id, _, _)| *id == version.version_id).map_or(0, |(_, _, h)| *h);
            version.created_date = Some(
                jiff::civil::date(2026, 11, 22)
                    .at(hour, 0, 0, 0)
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .expect("a date")
                    .timestamp(),
            );
        }
        (secret, versions)
    }

    #[test]
    fn expect_current_guards_a_second_run() {
        let (s, v) = dated(&[("v1", &["AWSPREVIOUS"], 8), ("v2", &["AWSCURRENT"], 9)]);
        let first = plan(&s, &v, None, Some("v2"), false, None, now()).expect("a plan");
        assert_eq!((first.from.as_str(), first.to.as_str(), first.already_done), ("v2", "v1", false));
        // After it: v1 current, v2 previous. The same command again is done, not a swap back.
        let (after, v) = dated(&[("v1", &["AWSCURRENT"], 8), ("v2", &["AWSPREVIOUS"], 9)]);
        let again = plan(&after, &v, None, Some("v2"), false, None, now()).expect("already done");
        assert_eq!((again.from.as_str(), again.to.as_str(), again.already_done), ("v2", "v1", true));
        assert!(again.clear_pending.is_empty() && !again.cancel);
        assert!(plan(&after, &v, Some("v1"), Some("v2"), false, None, now()).is_ok_and(|p| p.already_done));
        // A rotation, not a rollback, made v2 AWSPREVIOUS: a newer v3 is current. Refuse.
        let (rotated, v) = dated(&[("v2", &["AWSPREVIOUS"], 9), ("v3", &["AWSCURRENT"], 10)]);
        assert!(
            plan(&rotated, &v, None, Some("v2"), false, None, now()).is_err_and(|e| e.to_string().contains("not v2"))
        );
        // Something else moved AWSCURRENT: refuse.
        let (moved, v) = dated(&[("v1", &["AWSPREVIOUS"], 8), ("v2", &[], 9), ("v3", &["AWSCURRENT"], 10)]);
        assert!(
            plan(&moved, &v, None, Some("v2"), false, None, now()).is_err_and(|e| e.to_string().contains("not v2"))
        );
        assert!(plan(&after, &v, Some("v3"), Some("v2"), false, None, now()).is_err());
    }

    #[test]
    fn back_to_the_previous_version() {
        let (s, v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT", "AWSPENDING"])]);
        let plan = plan(&s, &v, None, None, false, None, now()).expect("a plan");
        assert_eq!((plan.from.as_str(), plan.to.as_str(), plan.cancel), ("v2", "v1", false));
        assert_eq!(plan.clear_pending, ["v2"], "AWSPENDING left on the current version must not dangle after the move");
    }

    #[test]
    fn to_a_chosen_version_even_an_unlabelled_one() {
        let (s, mut v) = secret(&[("v2", &["AWSPREVIOUS"]), ("v3", &["AWSCURRENT"])]);
        v.push(SecretVersion { version_id: "v1".into(), ..Default::default() });
        assert_eq!(plan(&s, &v, Some("v1"), None, false, None, now()).map(|p| p.to).ok(), Some("v1".into()));
    }

    #[test]
    fn refusals_say_what_to_do() {
        let (s, v) = secret(&[("v1", &["AWSCURRENT"])]);
        assert!(plan(&s, &v, None, None, false, None, now()).is_err_and(|e| e.to_string().contains("--to-version")));
        assert!(
            plan(&s, &v, Some("v1"), None, false, None, now())
                .is_err_and(|e| e.to_string().contains("already AWSCURRENT"))
        );
        assert!(
            plan(&s, &v, Some("v9"), None, false, None, now()).is_err_and(|e| e.to_string().contains("not a version"))
        );
    }

    #[test]
    fn a_running_rotation_needs_force_and_is_cancelled() {
        let (s, mut v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"]), ("v3", &["AWSPENDING"])]);
        v[2].created_date = Some("2026-11-22T11:58:00Z".parse().expect("a date"));
        assert!(plan(&s, &v, None, None, false, None, now()).is_err_and(|e| e.to_string().contains("--force")));
        let forced = plan(&s, &v, None, None, true, None, now()).expect("forced");
        assert!(forced.cancel);
        assert_eq!(forced.clear_pending, ["v3"]);
    }

    #[test]
    fn the_unfinished_rotation_s_version_is_not_a_target() {
        let (s, v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"]), ("v3", &["AWSPENDING"])]);
        assert!(
            plan(&s, &v, Some("v3"), None, true, None, now())
                .is_err_and(|e| e.to_string().contains("unfinished rotation"))
        );
    }

    /// AWS answers the label move with success, yet reading back shows the
    /// labels where they were (an eventually consistent read, or a change by
    /// someone else in between): the emulator always applies, so mocks.
    #[tokio::test]
    async fn a_move_that_did_not_take_is_a_failure_not_a_success() {
        use aws_sdk_lambda::operation::get_function::GetFunctionError;
        use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
        use aws_sdk_secretsmanager::operation::list_secret_version_ids::ListSecretVersionIdsOutput;
        use aws_sdk_secretsmanager::operation::update_secret_version_stage::UpdateSecretVersionStageOutput;
        use aws_sdk_secretsmanager::types::SecretVersionsListEntry;
        use aws_smithy_mocks::{RuleMode, mock, mock_client};

        const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
        let (v1, v2) = ("a".repeat(32), "b".repeat(32));
        let (d1, d2) = (v1.clone(), v2.clone());
        let describe = mock!(aws_sdk_secretsmanager::Client::describe_secret).then_output(move || {
            DescribeSecretOutput::builder()
                .name("app/db")
                .arn(ARN)
                .rotation_enabled(true)
                .rotation_lambda_arn("arn:aws:lambda:us-east-1:123456789012:function:rotate")
                .version_ids_to_stages(d1.clone(), vec!["AWSPREVIOUS".into()])
                .version_ids_to_stages(d2.clone(), vec!["AWSCURRENT".into()])
                .build()
        });
        let (l1, l2) = (v1.clone(), v2.clone());
        let versions = mock!(aws_sdk_secretsmanager::Client::list_secret_version_ids).then_output(move || {
            let entry =
                |id: &str, stage: &str| SecretVersionsListEntry::builder().version_id(id).version_stages(stage).build();
            ListSecretVersionIdsOutput::builder()
                .versions(entry(&l1, "AWSPREVIOUS"))
                .versions(entry(&l2, "AWSCURRENT"))
                .build()
        });
        let moved = mock!(aws_sdk_secretsmanager::Client::update_secret_version_stage)
            .then_output(|| UpdateSecretVersionStageOutput::builder().build());
        let tags = mock!(aws_sdk_lambda::Client::get_function).then_error(|| {
            GetFunctionError::ResourceNotFoundException(
                aws_sdk_lambda::types::error::ResourceNotFoundException::builder().build(),
            )
        });
        let mut env = Env::mocked(|aws| {
            aws.secrets = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&describe, &versions, &moved]);
            aws.lambda = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, [&tags]);
        });
        env.ctx.assume_yes = true;
        let args = RollbackArgs {
            secret: "app/db".into(),
            to_version: None,
            dry_run: false,
            force: false,
            labels_only: false,
            expect_current: None,
        };
        let error = run(&env, &args).await.expect_err("a rollback that did not take");
        assert_eq!(error.code(), crate::exit::Exit::Failure, "{error}");
        assert!(error.to_string().contains("did not take"), "{error}");
        assert!(error.to_string().contains("rotctl status app/db"), "{error}");
        assert_eq!(moved.num_calls(), 1, "the move was sent once");
        assert_eq!(env.changes_sent(), 1, "and counted as a change");
    }

    #[test]
    fn a_stuck_rotation_is_cleared_without_force() {
        let (s, v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"]), ("v3", &["AWSPENDING"])]);
        let plan = plan(&s, &v, None, None, false, None, now()).expect("a stuck pending does not block");
        assert_eq!((plan.cancel, plan.clear_pending), (false, vec!["v3".to_string()]));
    }

    #[test]
    fn a_young_failed_rotation_is_cleared_without_force() {
        let (s, mut v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"]), ("v3", &["AWSPENDING"])]);
        v[2].created_date = Some("2026-11-22T11:59:00Z".parse().expect("a date"));
        assert!(plan(&s, &v, None, None, false, None, now()).is_err_and(|e| e.to_string().contains("--force")));
        let failure = Failure {
            version_id: "v3".into(),
            step: Some("setSecret".into()),
            message: "setSecret: Unable to log into database".into(),
            source: crate::model::FailureSource::FunctionLog,
            log_group: None,
        };
        let plan = plan(&s, &v, None, None, false, Some(&failure), now()).expect("a failed pending does not block");
        assert_eq!((plan.cancel, plan.clear_pending), (false, vec!["v3".to_string()]));
    }

    #[test]
    fn the_strategy_decides_whether_labels_may_move() {
        let (s, v) = secret(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"])]);
        let plan = plan(&s, &v, None, None, false, None, now()).expect("a plan");
        let judged = |strategy| Judged { strategy, source: "the function's tag".into() };
        let refused = strategy_note(&s, &judged(Strategy::SingleUser), &plan, false).expect_err("single-user");
        assert_eq!(refused.code(), crate::exit::Exit::Usage);
        let text = refused.to_string();
        for needle in ["already holds version v2's password", "rotate-now app/db --retry --wait", "--labels-only"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        let moved = strategy_note(&s, &judged(Strategy::SingleUser), &plan, true).expect("labels only");
        assert!(moved.contains("only the labels move"), "{moved}");
        assert!(strategy_note(&s, &judged(Strategy::Managed), &plan, true).is_err());
        let alternating = strategy_note(&s, &judged(Strategy::AlternatingUsers), &plan, false).expect("proceeds");
        assert!(alternating.contains("keeps its password until the next rotation"), "{alternating}");
        let unknown = strategy_note(&s, &judged(Strategy::Unknown), &plan, false).expect("proceeds");
        assert!(unknown.contains("stays changed"), "{unknown}");
    }
}
