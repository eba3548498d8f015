//! Polling with backoff: start quick, slow down, stop at a deadline; and
//! patience with reads that fail while waiting.

use std::time::{Duration, Instant};

use crate::exit::{self, Exit};

#[derive(Debug)]
pub struct Backoff {
    next: Duration,
    max: Duration,
    deadline: Instant,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration, limit: Duration) -> Backoff {
        Backoff { next: first, max, deadline: Instant::now() + limit }
    }

    /// Sleeps before the next poll; false once the deadline has passed.
    pub async fn wait(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.next.min(self.deadline - now)).await;
        self.next = (self.next * 3 / 2).min(self.max);
        true
    }
}

/// A wait of minutes should outlive a short outage: a read that failed even
/// after the SDK's retries is tried again at the next poll, up to
/// `Patience::LIMIT` failures in a row. Bad input and refused credentials
/// (exit 2) are not retried.
#[derive(Debug, Default)]
pub struct Patience {
    failed: u32,
}

impl Patience {
    pub const LIMIT: u32 = 3;

    /// A read worked: the count starts again.
    pub fn reset(&mut self) {
        self.failed = 0;
    }

    /// Whether to try the failed read again (counting this failure).
    pub fn outlasts(&mut self, error: &anyhow::Error) -> bool {
        self.failed += 1;
        self.failed < Self::LIMIT && exit::for_error(error) != Exit::Usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_gives_up_after_three_in_a_row_and_never_on_bad_input() {
        let mut patience = Patience::default();
        let outage = anyhow::anyhow!("secretsmanager:DescribeSecret failed: InternalFailure");
        assert!(patience.outlasts(&outage));
        assert!(patience.outlasts(&outage));
        assert!(!patience.outlasts(&outage));
        patience.reset();
        assert!(patience.outlasts(&outage));
        assert!(!Patience::default().outlasts(&exit::usage("bad input")));
    }
}
