//! Exit statuses from the command-line contract (README, "Exit codes").

use std::process::ExitCode;

/// The exit codes users and scripts rely on (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
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
    pub(crate) fn code(self) -> u8 {
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
