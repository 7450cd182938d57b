//! Subcommands of the `arcemu` binary that grew past a few lines.

pub mod check;
pub mod exit;
pub mod snapshot;
