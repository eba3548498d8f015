//! rotctl's integration tests: one binary, one emulator, many worlds.

// A test binary has no users outside it: `pub` here only shares between its modules.
#![allow(unreachable_pub)]

mod audit;
mod cli;
mod day_two;
mod doctor;
mod enable;
mod harness;
mod history;
mod managed;
mod organization;
mod properties;
mod real_db;
mod reliability;
mod sarif;
mod schedule;
mod status;
mod why;
