//! One way to wait for AWS work that has no SDK waiter (a VPC endpoint
//! coming up, a rotation finishing, a stack operation rotctl did not start):
//! poll quickly at first, then slower, until a deadline, and outlast reads
//! that fail for a while. Where the SDK has a waiter, rotctl uses it.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::progress::Progress;

/// How one wait polls: the first and longest pause, and how long it may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    pub(crate) first: Duration,
    pub(crate) max: Duration,
    pub(crate) limit: Duration,
}

/// What one poll found.
#[derive(Debug)]
pub(crate) enum Poll<T> {
    /// The wait is over (either way): this is what it ended with.
    Done(T),
    /// Not yet; `Some` gives new words for the spinner.
    Pending(Option<String>),
}

/// Polls `read` until it says `Done`, or `schedule.limit` passes (`Ok(None)`).
/// A poll that fails even after the SDK's retries is tried again at the next
/// poll, up to `Patience::LIMIT` failures in a row; bad input is not retried.
/// While it waits, `what` turns on a spinner (a terminal) or is said once (-v).
pub(crate) async fn until<T, F, Fut>(
    progress: &Progress,
    what: String,
    schedule: Schedule,
    mut read: F,
) -> Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
{
    let waiting = progress.waiting(what);
    let deadline = Instant::now() + schedule.limit;
    let mut pause = schedule.first;
    let mut patience = Patience::default();
    let mut last_words = None;
    loop {
        // A read that hangs (three 20 s attempts) must not carry the wait past the deadline.
        let remaining = deadline.saturating_duration_since(Instant::now()).max(schedule.max);
        let Ok(polled) = tokio::time::timeout(remaining, read()).await else { return Ok(None) };
        match polled {
            Ok(Poll::Done(value)) => return Ok(Some(value)),
            Ok(Poll::Pending(words)) => {
                patience.reset();
                // New words only when they change (a stack's next status), not every poll.
                if let Some(words) = words.filter(|words| last_words.as_ref() != Some(words)) {
                    waiting.set(words.clone());
                    last_words = Some(words);
                }
            }
            Err(error) if patience.outlasts(&error) => {
                progress.say(&format!("a read failed ({error}); trying again"));
            }
            Err(error) => return Err(error),
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 3 / 2).min(schedule.max);
    }
}

/// A wait of minutes should outlive a short outage: a read that failed even
/// after the SDK's retries is tried again, up to `Patience::LIMIT` failures
/// in a row. Bad input and refused credentials (exit 2) are not retried.
#[derive(Debug, Default)]
pub(crate) struct Patience {
    failed: u32,
}

impl Patience {
    pub(crate) const LIMIT: u32 = 3;

    /// A read worked: the count starts again.
    pub(crate) fn reset(&mut self) {
        self.failed = 0;
    }

    /// Whether to try the failed read again (counting this failure).
    pub(crate) fn outlasts(&mut self, error: &Error) -> bool {
        self.failed += 1;
        self.failed < Self::LIMIT && error.code() != Exit::Usage
    }
}

/// Reads with patience: `read` again after a pause while it fails and
/// `Patience` outlasts it (a read after a change, which must not give up at
/// the first outage).
pub(crate) async fn patiently<T, F, Fut>(pause: Duration, mut read: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut patience = Patience::default();
    loop {
        match read().await {
            Err(error) if patience.outlasts(&error) => tokio::time::sleep(pause).await,
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_gives_up_after_three_in_a_row_and_never_on_bad_input() {
        let mut patience = Patience::default();
        let outage = Error::failed("secretsmanager:DescribeSecret", "InternalFailure");
        assert!(patience.outlasts(&outage));
        assert!(patience.outlasts(&outage));
        assert!(!patience.outlasts(&outage));
        patience.reset();
        assert!(patience.outlasts(&outage));
        assert!(!Patience::default().outlasts(&Error::usage("--x", "bad input", "fix it")));
    }

    #[tokio::test(start_paused = true)]
    async fn until_outlasts_failing_reads_and_stops_at_the_deadline() {
        let schedule =
            Schedule { first: Duration::from_millis(100), max: Duration::from_secs(1), limit: Duration::from_secs(5) };
        let mut polls = 0;
        let done = until(&Progress::quiet(), "waiting".into(), schedule, || {
            polls += 1;
            let poll = polls;
            async move {
                match poll {
                    1 | 2 => Err(Error::failed("ec2:DescribeVpcEndpoints", "InternalFailure")),
                    3 => Ok(Poll::Pending(None)),
                    _ => Ok(Poll::Done(poll)),
                }
            }
        })
        .await;
        assert_eq!(done.ok().flatten(), Some(4), "two failures in a row are outlasted");
        let quiet = Progress::quiet();
        let never = until(&quiet, "waiting".into(), schedule, || async { Ok(Poll::<()>::Pending(None)) }).await;
        assert!(matches!(never, Ok(None)), "the deadline ends the wait");
    }
}
