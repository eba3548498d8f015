//! Failures, typed. Each kind carries its exit status (`Error::code`), so
//! nothing decides an exit code by reading message text, and every message
//! has the contract's shape: `<what failed>: <why> (<what to do>)`.

use std::fmt;

use crate::exit::Exit;

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in the contract's three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    /// What failed: the step, the AWS action or the input (`reading secret "x"`, `--every-days 0`).
    pub(crate) what: String,
    /// Why it failed.
    pub(crate) why: String,
    /// What to do about it, when there is something to do.
    pub(crate) fix: Option<String>,
}

impl Message {
    pub(crate) fn new(what: impl Into<String>, why: impl Into<String>) -> Message {
        Message { what: what.into(), why: why.into(), fix: None }
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Message {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.what.is_empty() {
            f.write_str(&self.why)?;
        } else {
            write!(f, "{}: {}", self.what, self.why)?;
        }
        match &self.fix {
            Some(fix) => write!(f, " ({fix})"),
            None => Ok(()),
        }
    }
}

/// A failure, by what it means for the caller.
#[derive(Debug)]
pub(crate) enum Error {
    /// Bad input, a refusal or a confirmation not given, found before anything changed: exit 2.
    Usage(Message),
    /// The input names something AWS does not have (a secret, a version, a function): exit 2.
    NotFound(Message),
    /// An AWS call or an operation failed (a rotation, a stack): exit 1.
    Failed(Message),
    /// Waiting ran out of time; the work may still finish in AWS: exit 4.
    TimedOut(Message),
    /// Ctrl-C stopped rotctl; the message says what goes on in AWS: exit 130.
    Interrupted(Message),
    /// A failure after changes were sent: never exit 2 ("nothing changed").
    /// `what` says what had happened, `advice` what to do about the part that applied.
    PartlyApplied { what: String, cause: Box<Error>, advice: Option<String> },
}

impl Error {
    pub(crate) fn usage(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Usage(Message::new(what, why).fix(fix))
    }

    /// Input a pure validator refused; its text already names the input and the fix
    /// (`--window 25h is not a window (use whole hours, 1h to 24h, e.g. 4h)`).
    pub(crate) fn input(text: String) -> Error {
        Error::Usage(Message { what: String::new(), why: text, fix: None })
    }

    pub(crate) fn not_found(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::NotFound(Message::new(what, why).fix(fix))
    }

    pub(crate) fn failed(what: impl Into<String>, why: impl Into<String>) -> Error {
        Error::Failed(Message::new(what, why))
    }

    pub(crate) fn timed_out(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::TimedOut(Message::new(what, why).fix(fix))
    }

    /// The exit status this failure means.
    pub(crate) fn code(&self) -> Exit {
        match self {
            Error::Usage(_) | Error::NotFound(_) => Exit::Usage,
            Error::Failed(_) => Exit::Failure,
            Error::TimedOut(_) => Exit::TimedOut,
            Error::Interrupted(_) => Exit::Interrupted,
            // A timeout or Ctrl-C after a change keeps its meaning; anything else is a failure, never "nothing changed".
            Error::PartlyApplied { cause, .. } => match cause.code() {
                code @ (Exit::TimedOut | Exit::Interrupted) => code,
                _ => Exit::Failure,
            },
        }
    }

    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_))
    }

    /// This failure came after a change was sent: say first what had happened
    /// (`what`), then the failure, then what to do about the part that applied.
    pub(crate) fn after_sent(self, what: impl Into<String>, advice: Option<String>) -> Error {
        Error::PartlyApplied { what: what.into(), cause: Box::new(self), advice }
    }

    /// Names what was being done when this failed (`auditing us-east-1: ...`); the kind stays.
    pub(crate) fn in_context(mut self, context: &str) -> Error {
        match &mut self {
            Error::Usage(m) | Error::NotFound(m) | Error::Failed(m) | Error::TimedOut(m) | Error::Interrupted(m) => {
                m.what = if m.what.is_empty() { context.to_string() } else { format!("{context}: {}", m.what) };
            }
            Error::PartlyApplied { what, .. } => *what = format!("{context}: {what}"),
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::NotFound(m) | Error::Failed(m) | Error::TimedOut(m) | Error::Interrupted(m) => {
                m.fmt(f)
            }
            Error::PartlyApplied { what, cause, advice } => {
                write!(f, "{what}: {cause}")?;
                match advice {
                    Some(advice) => write!(f, " ({advice})"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for Error {}

/// User input quoted in an error message, cut to 80 characters so hostile
/// or mistaken input (a 100 kB argument) cannot flood the terminal.
pub(crate) fn shown(text: &str) -> String {
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
    use super::*;

    #[test]
    fn quoted_input_stays_short_whatever_it_holds() {
        assert_eq!(shown("prod/db"), "\"prod/db\"");
        for hostile in ["a".repeat(100_000), "\u{1b}[31m".repeat(1_000), "\u{e0142}".repeat(500)] {
            let quoted = shown(&hostile);
            assert!(quoted.len() < 200, "{} bytes", quoted.len());
            assert!(!quoted.contains('\u{1b}'), "escapes are escaped");
        }
    }

    #[test]
    fn messages_have_the_contract_s_shape_and_kinds_their_codes() {
        let missing = Error::not_found("reading secret \"x\"", "it was not found in us-east-1", "check the name");
        assert_eq!(missing.to_string(), "reading secret \"x\": it was not found in us-east-1 (check the name)");
        assert_eq!(missing.code(), Exit::Usage);
        let failed = Error::failed("secretsmanager:RotateSecret", "InternalFailure: boom");
        assert_eq!(failed.code(), Exit::Failure);
        let partly = Error::usage("--x", "bad", "fix it").after_sent("rollback of x stopped part-way", None);
        assert_eq!(partly.code(), Exit::Failure, "after a change, never exit 2");
        assert_eq!(partly.to_string(), "rollback of x stopped part-way: --x: bad (fix it)");
        let waited = Error::timed_out("waiting for stack s", "still running", "re-run").after_sent("enable", None);
        assert_eq!(waited.code(), Exit::TimedOut);
        let stopped = Error::Interrupted(Message::new("interrupted (Ctrl-C)", "nothing was changed"));
        assert_eq!(stopped.after_sent("enable", Some("re-run".into())).code(), Exit::Interrupted);
    }
}
