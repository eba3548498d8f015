//! `rotctl man`: the man page, as `docs/man/rotctl.1` holds it.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::Report;

#[allow(clippy::unused_async)] // one signature for every command
pub(crate) async fn run(_env: &Env, _args: &()) -> Result<Report> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|error| Error::failed("rendering the man page", error.to_string()))?;
    Ok(Report::Text(String::from_utf8_lossy(&page).into_owned()))
}
