//! What `history` and `rotate-now --follow` read besides the secret: the
//! rotation function's log lines that name the secret (FilterLogEvents) and
//! CloudTrail's Secrets Manager events (LookupEvents).

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime;
use jiff::Timestamp;

use super::Clients;
use super::error::explain;
use crate::error::Result;
use crate::history::{LogLine, TrailEvent};

/// The most log pages read (each up to 10,000 lines or 1 MB).
const LOG_PAGES: usize = 10;
/// The most CloudTrail pages read for one event name (50 events each).
const TRAIL_PAGES: usize = 4;

/// The log lines of `group` since `since` that match `pattern` (a
/// CloudWatch Logs filter pattern), oldest first, and whether every page was read.
pub(crate) async fn log_lines(
    clients: &Clients,
    group: &str,
    pattern: &str,
    since: Timestamp,
) -> Result<(Vec<LogLine>, bool)> {
    let mut lines = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..LOG_PAGES {
        let output = clients
            .logs
            .filter_log_events()
            .log_group_name(group)
            .start_time(since.as_millisecond())
            .filter_pattern(pattern)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|error| explain(error, "logs:FilterLogEvents"))?;
        lines.extend(output.events().iter().filter_map(|e| {
            Some(LogLine {
                time: Timestamp::from_millisecond(e.timestamp()?).ok()?,
                message: e.message()?.to_string(),
                id: e.event_id().map(str::to_string),
            })
        }));
        next = output.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if next.is_none() {
            lines.sort_by_key(|l| l.time);
            return Ok((lines, true));
        }
    }
    lines.sort_by_key(|l| l.time);
    Ok((lines, false))
}

/// The events history reads, by name: one lookup each (LookupEvents takes
/// one attribute; by event source it would also return every read, which in an
/// account whose applications read secrets is most events).
pub(crate) const HISTORY_EVENTS: [&str; 5] =
    ["PutSecretValue", "UpdateSecretVersionStage", "UpdateSecret", "RotationFailed", "RotationAbandoned"];

/// CloudTrail's events named `names` since `since` (each newest first, as
/// CloudTrail gives them), and, when a name's pages ran out before `since`,
/// how far back its events reach.
pub(crate) async fn secret_events(
    clients: &Clients,
    names: &[&str],
    since: Timestamp,
) -> Result<(Vec<TrailEvent>, Option<Timestamp>)> {
    let mut events = Vec::new();
    let mut reached: Option<Timestamp> = None;
    // One after another: CloudTrail allows 2 lookups a second per account and region.
    for name in names {
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventName)
            .attribute_value(*name)
            .build()
            .map_err(|error| crate::error::Error::failed("reading CloudTrail", error.to_string()))?;
        let mut next: Option<String> = None;
        let mut these = Vec::new();
        let mut complete = false;
        for _ in 0..TRAIL_PAGES {
            let output = clients
                .cloudtrail
                .lookup_events()
                .lookup_attributes(attribute.clone())
                .start_time(DateTime::from_secs(since.as_second()))
                .max_results(50)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|error| explain(error, "cloudtrail:LookupEvents"))?;
            these.extend(output.events().iter().filter_map(|e| {
                let time = e.event_time().and_then(|t| Timestamp::from_millisecond(t.to_millis().ok()?).ok());
                TrailEvent::parse(e.cloud_trail_event()?, time)
            }));
            next = output.next_token().filter(|t| !t.is_empty()).map(str::to_string);
            if next.is_none() {
                complete = true;
                break;
            }
        }
        if !complete {
            let oldest = these.iter().filter_map(|e| e.time).min();
            reached = reached.max(oldest);
        }
        events.extend(these);
    }
    Ok((events, reached))
}
