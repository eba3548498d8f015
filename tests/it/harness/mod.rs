//! The test harness: one emulator per test run (tests/emulator/server.py,
//! moto corrected to behave like AWS), and a `World` per test.
//!
//! Each World has its own access keys: one for seeding state, one for the
//! rotctl run under test. The emulator logs calls per access key, so a test
//! sees exactly the calls rotctl made, and faults it injects hit only its own
//! rotctl calls, while tests run in parallel on the shared emulator.
//!
//! - `emulator`: the emulator process, its calls log, faults and events;
//! - `world`: `World`, and what it seeds (secrets, functions, VPCs, dates);
//! - `rotctl`: the `Rotctl` builder, `Spawned` and `Terminal`;
//! - `run`: `Run`, its checks, and the archive of every run's output;
//! - `control`: the emulator's control endpoints (a minimal HTTP client);
//! - `postgres`: real PostgreSQL clusters, database users from secrets, real logins.

pub mod control;
mod emulator;
mod postgres;
mod rotctl;
mod run;
mod world;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use self::emulator::{Call, mutating, operations, reads};
pub use self::rotctl::{Rotctl, Spawned};
pub use self::run::Run;
pub use self::world::{World, arn_tag, holder};
// Named by no test yet; re-exported so every type stays `crate::harness::X`.
#[allow(unused_imports)]
pub use self::{rotctl::Terminal, world::Vpc};

/// Every secret value the tests write contains this; no rotctl output may.
pub const SECRET_MARKER: &str = "ROTCTL-TEST-SECRET-VALUE";
pub const ACCOUNT: &str = "123456789012";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Polls `check` every 50 ms until it returns `Ok`, and returns its value.
/// After 20 s it panics, saying it waited for `what` and what the last check
/// saw (its `Err`). The 20 s stops a hung test; it is not a timing check.
pub async fn eventually<T>(what: impl std::fmt::Display, mut check: impl AsyncFnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => panic!("waited 20 s for {what}; last seen: {seen}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
