//! rotctl's integration tests: one binary, one emulator, many worlds.

mod audit;
mod cli;
mod day_two;
mod enable;
mod harness;
mod properties;
mod reliability;
mod sarif;
mod status;
