//! The `rotctl` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match rotctl::cli::Cli::try_parse_from(&args) {
        Ok(cli) => rotctl::run(&cli),
        Err(error) => rotctl::command_line_error(&error, &args),
    }
}
