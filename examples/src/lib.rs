//! The cores of solo's examples, as functions that tests can call.
//!
//! Each `examples/NAME.rs` binary runs one of these modules and prints what
//! it returns; `cargo run -p examples --example NAME` runs it. The modules
//! follow a series of articles that walk from generators to coroutines to
//! an event loop, one idea each: see `examples/README.md`.
#![warn(missing_docs)]

pub mod averager;
pub mod graceful_shutdown;
pub mod hello_server;
pub mod interleave;
pub mod ip_stats;
pub mod mock_io;
pub mod nested;
pub mod sleepers;
#[cfg(unix)]
pub mod subprocess;
pub mod task_os;
#[cfg(unix)]
pub mod unix_echo;

use std::time::Duration;

/// Seconds with two decimals, as the examples print durations.
pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
