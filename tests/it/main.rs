//! rotctl's integration tests: one binary, one emulator, many worlds.

mod cli;
mod enable;
mod harness;
mod status;
