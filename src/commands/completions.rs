//! `rotctl completions SHELL`: the shell completion script.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::env::Env;
use crate::error::Result;
use crate::model::Report;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The script, as `completions/` holds it.
#[allow(clippy::unused_async)] // one signature for every command
pub(crate) async fn run(_env: &Env, args: &CompletionsArgs) -> Result<Report> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "rotctl", &mut script);
    Ok(Report::Text(String::from_utf8_lossy(&script).into_owned()))
}
