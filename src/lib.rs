//! rotctl: configure and audit AWS Secrets Manager secret rotation.
//!
//! `run` resolves the context once, builds the AWS clients once, dispatches
//! to the command, renders its result, and prints any error once.

pub mod arn;
pub mod audit;
mod aws;
pub mod cli;
pub mod commands;
mod context;
mod diagnosis;
mod doctor;
mod env;
mod error;
mod exit;
mod history;
mod model;
mod naming;
mod output;
mod owner;
mod policy;
mod progress;
mod prompt;
mod rotation;
mod runtimes;
mod sarif;
pub mod schedule;
mod strategy;
mod templates;

use std::process::ExitCode;

use crate::aws::Connection;
use crate::cli::{Cli, Command, OutputFormat};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Message, Result};
use crate::exit::Exit;
use crate::model::Report;

/// Runs one command line and returns the process's exit status.
pub fn run(cli: &Cli) -> ExitCode {
    let ctx = Context::resolve(&cli.global);
    if ctx.output == OutputFormat::Sarif && !matches!(cli.command, Command::Audit(_)) {
        let refused = Error::usage("-o sarif", "SARIF is for audit only", "use -o json or -o table");
        eprintln!("rotctl: {refused}");
        return refused.code().into();
    }
    let connection = Connection {
        region: cli.global.region.clone(),
        profile: cli.global.profile.clone(),
        endpoint_url: cli.global.endpoint_url.clone(),
        log_calls: ctx.verbosity > 0,
        color: ctx.color_stderr,
    };
    let env = Env::new(ctx, connection);
    let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => {
            let result = runtime.block_on(interruptible(&env, &cli.command));
            // A prompt may still be blocked reading stdin: do not wait for it.
            runtime.shutdown_background();
            result
        }
        Err(error) => Err(Error::failed("starting the async runtime", error.to_string())),
    };
    env.progress.clear();
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("rotctl: {error}");
            return error.code().into();
        }
    };
    for note in report.notes() {
        eprintln!("rotctl: note: {note}");
    }
    if let Err(error) = output::emit(&env.ctx, &report) {
        eprintln!("rotctl: writing the result to stdout: {error}");
        return Exit::Failure.into();
    }
    report.exit().into()
}

/// One command, one signature: `run(&Env, &Args) -> Result<_>`.
async fn dispatch(env: &Env, command: &Command) -> Result<Report> {
    use crate::commands::{
        audit, completions, disable, doctor, enable, history, man, rollback, rotate_now, schedule, status, templates,
        why,
    };
    match command {
        Command::Status(args) => status::run(env, args).await.map(Report::Status),
        Command::Enable(args) => enable::run(env, args).await.map(Report::Enable),
        Command::RotateNow(args) => rotate_now::run(env, args).await.map(Report::RotateNow),
        Command::Rollback(args) => rollback::run(env, args).await.map(Report::Rollback),
        Command::Disable(args) => disable::run(env, args).await.map(Report::Disable),
        Command::Schedule(args) => schedule::run(env, args).await.map(Report::Schedule),
        Command::Why(args) => why::run(env, args).await.map(Report::Why),
        Command::History(args) => history::run(env, args).await.map(Report::History),
        Command::Doctor(args) => doctor::run(env, args).await.map(Report::Doctor),
        Command::Audit(args) => audit::run(env, args).await.map(Report::Audit),
        Command::Templates => templates::run(env, &()).await.map(Report::Templates),
        Command::Completions(args) => completions::run(env, args).await,
        Command::Man => man::run(env, &()).await,
    }
}

/// Runs a command until it ends or Ctrl-C. On Ctrl-C rotctl stops at once
/// (exit 130) and says what goes on in AWS without it: a rotation or a stack
/// deployment it was watching, or a change it may have sent.
async fn interruptible(env: &Env, command: &Command) -> Result<Report> {
    let work = dispatch(env, command);
    tokio::pin!(work);
    tokio::select! {
        report = &mut work => return report,
        // An Err (no signal handling here) disables this branch.
        Ok(()) = tokio::signal::ctrl_c() => {}
    }
    // Read while the interrupted work (and what it registered) still exists.
    let running = env.progress.still_running();
    let why = if running.is_empty() && env.changes_sent() == 0 {
        "no change had been sent; nothing was changed".to_string()
    } else if running.is_empty() {
        interrupted_advice(command)
    } else {
        format!("rotctl stopped waiting, but {}", running.join("; and "))
    };
    Err(Error::Interrupted(Message::new("interrupted (Ctrl-C)", why)))
}

/// What Ctrl-C leaves behind when rotctl had sent a change but was not
/// waiting on AWS work: each command says it for itself.
fn interrupted_advice(command: &Command) -> String {
    use crate::commands::{disable, enable, rollback, rotate_now, schedule};
    match command {
        Command::Enable(args) => enable::interrupted_advice(args),
        Command::Rollback(args) => rollback::interrupted_advice(args),
        Command::RotateNow(args) => rotate_now::interrupted_advice(args),
        Command::Disable(args) => disable::interrupted_advice(args),
        Command::Schedule(args) => schedule::interrupted_advice(args),
        // These only read: no change is ever sent.
        Command::Status(_)
        | Command::Why(_)
        | Command::History(_)
        | Command::Doctor(_)
        | Command::Audit(_)
        | Command::Completions(_)
        | Command::Man
        | Command::Templates => "nothing was changed".to_string(),
    }
}

/// A command line clap refused (or `--help`/`--version`): help goes to
/// stdout as clap writes it; an error is one `rotctl: ...` line on stderr,
/// exit 2, naming the help to read.
pub fn command_line_error(error: &clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        // `rotctl` alone: the help, on stderr, as a usage error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return Exit::Usage.into();
        }
        _ => {}
    }
    let subcommands = <Cli as clap::CommandFactory>::command();
    let subcommand = args.iter().skip(1).find_map(|arg| {
        subcommands.get_subcommands().map(clap::Command::get_name).find(|name| arg.to_str() == Some(name))
    });
    eprintln!("rotctl: {}", one_line(&error.render().to_string(), subcommand));
    Exit::Usage.into()
}

/// clap's several-line error as one line: what is wrong, clap's tip, and
/// which `--help` to read (from its usage line).
fn one_line(rendered: &str, subcommand: Option<&str>) -> String {
    let mut parts = Vec::new();
    let mut help = subcommand.map_or("rotctl --help".to_string(), |name| format!("rotctl {name} --help"));
    for line in rendered.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            let words: Vec<&str> = usage.split_whitespace().take_while(|w| !w.starts_with(['[', '<', '-'])).collect();
            help = format!("{} --help", words.join(" "));
        } else if !line.starts_with("For more information") {
            // clap quotes the value it refused in full: keep a line short.
            let line = line.strip_prefix("error: ").unwrap_or(line);
            parts.push(match line.char_indices().nth(300) {
                Some((end, _)) => format!("{}…", &line[..end]),
                None => line.to_string(),
            });
        }
    }
    format!("{} (see {help})", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line_naming_the_help() {
        let rendered = "error: invalid value 'bogus' for '--fail-on <SEVERITY>'\n  [possible values: low, medium, high, never]\n\n\
                        Usage: rotctl audit [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered, None),
            "invalid value 'bogus' for '--fail-on <SEVERITY>'; [possible values: low, medium, high, never] (see rotctl audit --help)"
        );
        assert_eq!(
            one_line("error: unrecognized subcommand 'x'\n", None),
            "unrecognized subcommand 'x' (see rotctl --help)"
        );
        assert_eq!(
            one_line("error: invalid value '0s'\n", Some("rotate-now")),
            "invalid value '0s' (see rotctl rotate-now --help)"
        );
    }
}
