//! Confirmations: asked on stderr when a person is there, answered by
//! `--yes` otherwise, and refused (exit 2, nothing changed) when neither.

use std::io::{BufRead, Write};

use crate::context::Context;
use crate::error::{Error, Result};

/// Asks `question` (a sentence saying what will happen) and returns Ok on yes.
/// `--yes` answers it. Nobody to ask: exit 2 for `what`, naming `--yes`.
pub(crate) async fn confirm(ctx: &Context, question: &str, what: &str) -> Result<()> {
    if ctx.assume_yes {
        return Ok(());
    }
    if !ctx.may_prompt {
        return Err(Error::usage(
            what,
            "it needs a confirmation and no terminal can give one",
            "pass --yes to confirm it",
        ));
    }
    if ask(question).await? {
        Ok(())
    } else {
        Err(Error::usage(what, "not confirmed; nothing was changed", "run it again and answer y, or pass --yes"))
    }
}

/// Asks a person, and only a person: `--yes` does not answer this (reading a
/// secret's value needs its own consent). None when no terminal can answer.
pub(crate) async fn ask_person(ctx: &Context, question: &str) -> Result<Option<bool>> {
    if !ctx.may_prompt {
        return Ok(None);
    }
    ask(question).await.map(Some)
}

/// The answer is read off the runtime's thread so that Ctrl-C still ends
/// rotctl at the prompt.
async fn ask(question: &str) -> Result<bool> {
    let failed = |error: std::io::Error| Error::failed("asking for confirmation", error.to_string());
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question}\nContinue? [y/N] ").and_then(|()| stderr.flush()).map_err(failed)?;
    drop(stderr);
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map(|_| answer)
    })
    .await
    .map_err(|error| Error::failed("asking for confirmation", error.to_string()))?
    .map_err(failed)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}
