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
        Command::Templates => Ok(Outcome::Templates(commands::templates::run(cli.global.region.as_deref()))),
        command => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")
            .and_then(|runtime| runtime.block_on(aws_command(&ctx, &cli.global, command))),
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

async fn aws_command(ctx: &Context, global: &cli::GlobalArgs, command: Command) -> Result<Outcome> {
    let clients = aws::Clients::connect(global, ctx).await?;
    match command {
        Command::Status(args) => {
            commands::status::run(&clients.secrets, &clients.region, ctx.now, &args).await.map(Outcome::Status)
        }
        Command::Enable(args) => {
            commands::enable::run(&clients, ctx, &output::Progress::new(ctx), &args).await.map(Outcome::Enable)
        }
        Command::RotateNow(args) => {
            commands::rotate_now::run(&clients, ctx, &output::Progress::new(ctx), &args).await.map(Outcome::RotateNow)
        }
        Command::Rollback(args) => commands::rollback::run(&clients, ctx, &args).await.map(Outcome::Rollback),
        Command::Disable(args) => commands::disable::run(&clients, ctx, &args).await.map(Outcome::Disable),
        Command::Audit(args) => {
            commands::audit::run(&clients, ctx.now, &output::Progress::new(ctx), &args).await.map(Outcome::Audit)
        }
        Command::Completions(_) | Command::Man | Command::Templates => {
            Err(anyhow::anyhow!("internal error: a command that needs no AWS reached the AWS dispatch"))
        }
    }
}
