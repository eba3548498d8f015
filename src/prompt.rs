//! Confirmations: asked on stderr when a person is there, answered by
//! `--yes` otherwise, and refused (exit 2, nothing changed) when neither.

use std::io::{BufRead, Write};

use anyhow::Result;

use crate::context::Context;
use crate::exit::usage;

/// Asks `question` (a sentence saying what will happen) and returns Ok on yes.
/// `unattended` is the refusal when nobody can answer: it must name `--yes`.
/// The answer is read off the runtime's thread so that Ctrl-C still ends
/// rotctl at the prompt.
pub async fn confirm(ctx: &Context, question: &str, unattended: &str) -> Result<()> {
    if ctx.assume_yes {
        return Ok(());
    }
    if !ctx.may_prompt {
        return Err(usage(unattended.to_string()));
    }
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question}\nContinue? [y/N] ")?;
    stderr.flush()?;
    drop(stderr);
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map(|_| answer)
    })
    .await??;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(usage("not confirmed; nothing was changed")),
    }
}
