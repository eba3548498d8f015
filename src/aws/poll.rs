//! Polling with backoff: start quick, slow down, stop at a deadline.

use std::time::{Duration, Instant};

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
