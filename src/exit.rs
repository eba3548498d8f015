//! Exit statuses from the command-line contract, and the errors that carry them.

use std::fmt;
use std::process::ExitCode;

/// The exit codes users and scripts rely on (`docs/exit-codes.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success; for checks, nothing at or above the threshold.
    Success,
    /// 1: an operation failed (AWS error, rotation failed, stack failed).
    Failure,
    /// 2: invalid usage or input, or a refused confirmation; nothing was changed.
    Usage,
    /// 3: findings: `status --check` found a secret that is not healthy.
    Findings,
    /// 4: timed out waiting; the operation may still finish in AWS.
    TimedOut,
    /// 130 (128 + SIGINT, as the AWS CLI and shells report it): stopped by Ctrl-C.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Findings => 3,
            Exit::TimedOut => 4,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// Bad input or usage found before anything changed: exit 2. The message names the fix.
#[derive(Debug)]
pub struct UsageError {
    message: String,
    /// The input named something AWS does not have (a secret, a version).
    pub not_found: bool,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for an exit-2 error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError { message: message.into(), not_found: false })
}

/// Exit 2 for input that names something that does not exist.
pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError { message: message.into(), not_found: true })
}

/// Whether an error says the named thing does not exist.
pub fn is_not_found(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.downcast_ref::<UsageError>().is_some_and(|u| u.not_found))
}

/// Waiting ran out of time: exit 4. The operation may still finish in AWS.
#[derive(Debug)]
pub struct TimedOut(pub String);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimedOut {}

pub fn timed_out(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(TimedOut(message.into()))
}

/// Ctrl-C stopped rotctl: exit 130. The message says what keeps running in AWS.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// The exit status for an error: 2 for a usage error, 4 for a timeout, 130
/// for Ctrl-C, else 1.
pub fn for_error(error: &anyhow::Error) -> Exit {
    if error.chain().any(|cause| cause.is::<Interrupted>()) {
        Exit::Interrupted
    } else if error.chain().any(|cause| cause.is::<UsageError>()) {
        Exit::Usage
    } else if error.chain().any(|cause| cause.is::<TimedOut>()) {
        Exit::TimedOut
    } else {
        Exit::Failure
    }
}

/// An error after some changes were sent: never exit 2 ("nothing changed"),
/// and the message says what to do about the part that applied. A timeout
/// or an interruption keeps its exit code and its own message.
pub fn after_changes(error: anyhow::Error, hint: &str) -> anyhow::Error {
    if error.chain().any(|cause| cause.is::<TimedOut>() || cause.is::<Interrupted>()) {
        error
    } else {
        anyhow::anyhow!("{error:#} ({hint})")
    }
}

/// An error after a change was sent, saying first what happened (`what`):
/// never exit 2 ("nothing changed"); a timeout or an interruption keeps its
/// exit code.
pub fn after_sent(error: anyhow::Error, what: String) -> anyhow::Error {
    if error.chain().any(|cause| cause.is::<TimedOut>() || cause.is::<Interrupted>()) {
        error.context(what)
    } else {
        anyhow::anyhow!("{what}: {error:#}")
    }
}

/// User input quoted in an error message, cut to 80 characters so hostile
/// or mistaken input (a 100 kB argument) cannot flood the terminal.
pub fn shown(text: &str) -> String {
    // Cut after escaping: one control character can escape to ten.
    let head: String = text.chars().take(81).collect();
    let quoted = format!("{head:?}");
    match quoted.char_indices().nth(80) {
        Some((end, _)) => format!("{}…\" ({} characters)", &quoted[..end], text.chars().count()),
        None => quoted,
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn quoted_input_stays_short_whatever_it_holds() {
        assert_eq!(shown("prod/db"), "\"prod/db\"");
        for hostile in ["a".repeat(100_000), "\u{1b}[31m".repeat(1_000), "\u{e0142}".repeat(500)] {
            let quoted = shown(&hostile);
            assert!(quoted.len() < 200, "{} bytes", quoted.len());
            assert!(!quoted.contains('\u{1b}'), "escapes are escaped");
        }
    }
}
