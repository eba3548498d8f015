//! What is resolved once, at start-up, and passed down: commands never read
//! the environment or ask whether a stream is a terminal.

use std::io::IsTerminal;

use jiff::Timestamp;

use crate::cli::{GlobalArgs, OutputFormat};

#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) output: OutputFormat,
    /// Colour on stdout (a terminal, and neither --no-color nor NO_COLOR).
    pub(crate) color_stdout: bool,
    /// Colour on stderr, by the same rules.
    pub(crate) color_stderr: bool,
    /// Progress may animate: stderr is a terminal.
    pub(crate) progress: bool,
    /// A confirmation may be asked: stdin and stderr are terminals.
    pub(crate) may_prompt: bool,
    /// `-y/--yes`: confirmations are answered yes.
    pub(crate) assume_yes: bool,
    /// `-v` count: 1 logs each AWS call on stderr.
    pub(crate) verbosity: u8,
    /// The one "now" every date in this run is compared with.
    pub(crate) now: Timestamp,
}

impl Context {
    pub(crate) fn resolve(global: &GlobalArgs) -> Context {
        // https://no-color.org: set and not empty disables colour.
        let no_color = global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stderr_tty = std::io::stderr().is_terminal();
        Context {
            output: global.output,
            color_stdout: !no_color && std::io::stdout().is_terminal(),
            color_stderr: !no_color && stderr_tty,
            progress: stderr_tty,
            may_prompt: stderr_tty && std::io::stdin().is_terminal(),
            assume_yes: global.yes,
            verbosity: global.verbose,
            now: Timestamp::now(),
        }
    }

    /// A run from a script: table output, no terminal, nothing pre-answered.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Context {
        Context {
            output: OutputFormat::Table,
            color_stdout: false,
            color_stderr: false,
            progress: false,
            may_prompt: false,
            assume_yes: false,
            verbosity: 0,
            now: Timestamp::now(),
        }
    }
}
