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

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
    use aws_sdk_cloudtrail::types::Event;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    fn event(name: &str, secs: i64) -> Event {
        let record = format!(r#"{{"eventName": "{name}", "requestParameters": {{"secretId": "app/db"}}}}"#);
        Event::builder().event_name(name).event_time(DateTime::from_secs(secs)).cloud_trail_event(record).build()
    }

    // CloudTrail pages its answers (the emulator never does): each event name is
    // followed page by page, and a name whose pages run out before the window's
    // start says how far back it reached.
    #[tokio::test]
    async fn each_name_is_read_page_by_page_and_a_cut_short_name_says_how_far_back() {
        let name_of = |r: &aws_sdk_cloudtrail::operation::lookup_events::LookupEventsInput| {
            r.lookup_attributes().first().map(|a| a.attribute_value().to_string()).unwrap_or_default()
        };
        let put_first = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(move |r| name_of(r) == "PutSecretValue" && r.next_token().is_none())
            .then_output(|| {
                LookupEventsOutput::builder().events(event("PutSecretValue", 2_000)).next_token("p2").build()
            });
        let put_last = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(move |r| name_of(r) == "PutSecretValue" && r.next_token() == Some("p2"))
            .then_output(|| LookupEventsOutput::builder().events(event("PutSecretValue", 1_000)).build());
        // More pages than rotctl reads: always another token.
        let busy = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .match_requests(move |r| name_of(r) == "RotationFailed")
            .then_output(|| {
                LookupEventsOutput::builder().events(event("RotationFailed", 1_500)).next_token("more").build()
            });
        let mut clients = Clients::mocked();
        clients.cloudtrail = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&put_first, &put_last, &busy]);
        let since = Timestamp::from_second(0).expect("a time");
        let (events, reached) =
            secret_events(&clients, &["PutSecretValue", "RotationFailed"], since).await.expect("read");
        assert_eq!((put_first.num_calls(), put_last.num_calls(), busy.num_calls()), (1, 1, TRAIL_PAGES));
        assert_eq!(events.iter().filter(|e| e.name == "PutSecretValue").count(), 2);
        assert_eq!(events.iter().filter(|e| e.name == "RotationFailed").count(), TRAIL_PAGES);
        assert_eq!(reached, Some(Timestamp::from_second(1_500).expect("a time")), "RotationFailed was cut short");
    }
}
