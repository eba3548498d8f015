//! `rotctl man`: the man page, as `docs/man/rotctl.1` holds it.

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::Cli;

pub fn render() -> Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page).context("rendering the man page")?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
