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
/// The most CloudTrail pages read (50 events each; CloudTrail allows 2 lookups a second).
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
            Some(LogLine { time: Timestamp::from_millisecond(e.timestamp()?).ok()?, message: e.message()?.to_string() })
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

/// CloudTrail's Secrets Manager events since `since` (newest first, as
/// CloudTrail gives them), and how far back they reach when the pages ran out first.
pub(crate) async fn secret_events(clients: &Clients, since: Timestamp) -> Result<(Vec<TrailEvent>, Option<Timestamp>)> {
    let source = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventSource)
        .attribute_value("secretsmanager.amazonaws.com")
        .build()
        .map_err(|error| crate::error::Error::failed("reading CloudTrail", error.to_string()))?;
    let mut events = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..TRAIL_PAGES {
        let output = clients
            .cloudtrail
            .lookup_events()
            .lookup_attributes(source.clone())
            .start_time(DateTime::from_secs(since.as_second()))
            .max_results(50)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|error| explain(error, "cloudtrail:LookupEvents"))?;
        events.extend(output.events().iter().filter_map(|e| {
            let time = e.event_time().and_then(|t| Timestamp::from_millisecond(t.to_millis().ok()?).ok());
            TrailEvent::parse(e.cloud_trail_event()?, time)
        }));
        next = output.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if next.is_none() {
            return Ok((events, None));
        }
    }
    let oldest = events.iter().filter_map(|e| e.time).min();
    Ok((events, oldest))
}
