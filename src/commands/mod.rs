//! One module per subcommand: its arguments and its `run`, which fetches,
//! calls the pure logic, applies, and returns data (it never prints).

pub mod audit;
pub mod completions;
pub mod disable;
pub mod doctor;
pub mod enable;
pub mod history;
pub mod man;
pub mod rollback;
pub mod rotate_now;
pub mod schedule;
pub mod status;
pub mod templates;
pub mod why;
