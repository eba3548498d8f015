//! rotctl: configure and audit AWS Secrets Manager secret rotation.
//!
//! `run` resolves the context once, builds the AWS clients once, dispatches
//! to the command, renders its result, and prints any error once.

pub mod arn;
pub mod audit;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod context;
pub mod exit;
pub mod model;
pub mod output;
pub mod prompt;
pub mod rotation;
pub mod sarif;
pub mod schedule;
pub mod templates;

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::exit::Exit;
use crate::output::Outcome;

/// Runs one command line and returns the process's exit status.
pub fn run(cli: Cli) -> ExitCode {
    let ctx = Context::resolve(&cli.global);
    if ctx.output == cli::OutputFormat::Sarif && !matches!(cli.command, Command::Audit(_)) {
        eprintln!("rotctl: -o sarif is for audit only (use -o json or -o table)");
        return Exit::Usage.into();
    }
    let outcome = match cli.command {
        Command::Completions(args) => Ok(Outcome::Text(commands::completions::render(args.shell))),
        Command::Man => commands::man::render().map(Outcome::Text),
        Command::Templates => cli
            .global
            .region
            .as_deref()
            .map(aws::valid_region)
            .transpose()
            .map(|_| Outcome::Templates(commands::templates::run(cli.global.region.as_deref()))),
        command => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")
            .and_then(|runtime| {
                let result = runtime.block_on(interruptible(&ctx, &cli.global, command));
                // A prompt may still be blocked reading stdin: do not wait for it.
                runtime.shutdown_background();
                result
            }),
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("rotctl: {error:#}");
            return exit::for_error(&error).into();
        }
    };
    for note in outcome.notes() {
        eprintln!("rotctl: note: {note}");
    }
    if let Err(error) = output::emit(&ctx, &outcome) {
        eprintln!("rotctl: writing the result to stdout: {error}");
        return Exit::Failure.into();
    }
    outcome.exit().into()
}

/// Runs an AWS command until it ends or Ctrl-C. On Ctrl-C rotctl stops at
/// once (exit 130) and says what goes on in AWS without it: a rotation or a
/// stack deployment it was watching, or a change it may have sent.
async fn interruptible(ctx: &Context, global: &cli::GlobalArgs, command: Command) -> Result<Outcome> {
    let progress = output::Progress::new(ctx);
    let sent = aws::ChangesSent::default();
    let after_interrupt = interrupted_advice(&command);
    let work = aws_command(ctx, global, command, &progress, sent.clone());
    tokio::pin!(work);
    tokio::select! {
        outcome = &mut work => return outcome,
        // An Err (no signal handling here) disables this branch.
        Ok(()) = tokio::signal::ctrl_c() => {}
    }
    // Read while the interrupted work (and what it registered) still exists.
    let running = progress.still_running();
    let message = if running.is_empty() && sent.count() == 0 {
        "interrupted (Ctrl-C) before any change was sent; nothing was changed".to_string()
    } else if running.is_empty() {
        format!("interrupted (Ctrl-C); {after_interrupt}")
    } else {
        format!("interrupted (Ctrl-C); rotctl stopped waiting, but {}", running.join("; and "))
    };
    Err(anyhow::Error::new(exit::Interrupted(message)))
}

/// What Ctrl-C leaves behind when rotctl had sent a change but was not
/// waiting on AWS work.
fn interrupted_advice(command: &Command) -> String {
    match command {
        Command::Enable(args) => format!(
            "a step rotctl had sent may still apply; run the same enable again: it reads what is there and finishes (check first with --dry-run: rotctl enable {} ... --dry-run)",
            args.secret
        ),
        Command::Rollback(args) => format!(
            "a label move rotctl had sent may still apply; check with rotctl status {} before running rollback again (without --expect-current a second rollback moves AWSCURRENT back)",
            args.secret
        ),
        Command::RotateNow(args) => {
            format!("a rotation rotctl had asked for may have started; check with rotctl status {}", args.secret)
        }
        Command::Disable(args) => {
            format!(
                "the change rotctl had sent may still apply; run rotctl disable {} --yes again to be sure",
                args.secret
            )
        }
        // These only read: no change is ever sent.
        Command::Status(_) | Command::Audit(_) | Command::Completions(_) | Command::Man | Command::Templates => {
            "nothing was changed".to_string()
        }
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

async fn aws_command(
    ctx: &Context,
    global: &cli::GlobalArgs,
    command: Command,
    progress: &output::Progress,
    sent: aws::ChangesSent,
) -> Result<Outcome> {
    let clients = aws::Clients::connect(global, ctx, sent).await?;
    match command {
        Command::Status(args) => {
            commands::status::run(&clients.secrets, &clients.region, ctx.now, &args).await.map(Outcome::Status)
        }
        Command::Enable(args) => commands::enable::run(&clients, ctx, progress, &args).await.map(Outcome::Enable),
        Command::RotateNow(args) => {
            commands::rotate_now::run(&clients, ctx, progress, &args).await.map(Outcome::RotateNow)
        }
        Command::Rollback(args) => commands::rollback::run(&clients, ctx, &args).await.map(Outcome::Rollback),
        Command::Disable(args) => commands::disable::run(&clients, ctx, &args).await.map(Outcome::Disable),
        Command::Audit(args) => commands::audit::run(&clients, ctx.now, progress, &args).await.map(Outcome::Audit),
        Command::Completions(_) | Command::Man | Command::Templates => {
            Err(anyhow::anyhow!("internal error: a command that needs no AWS reached the AWS dispatch"))
        }
    }
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
