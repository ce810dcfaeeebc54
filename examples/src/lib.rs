//! The cores of solo's examples, as functions that tests can call.
//!
//! Each `examples/NAME.rs` binary runs one of these modules and prints what
//! it returns; `cargo run -p examples --example NAME` runs it. The modules
//! follow a series of articles that walk from generators to coroutines to
//! an event loop, one idea each: see `examples/README.md`.
#![warn(missing_docs)]

pub mod averager;
#[cfg(feature = "hyper")]
pub mod axum_app;
pub mod deadlock;
pub mod graceful_shutdown;
#[cfg(feature = "hyper")]
pub mod h2c;
pub mod hello_server;
#[cfg(feature = "hyper")]
pub mod hyper_client;
#[cfg(feature = "hyper")]
pub mod hyper_server;
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

/// The `--addr HOST:PORT` argument of the server examples (also
/// `--addr=HOST:PORT`), or `default` without one.
pub fn parse_addr(mut args: impl Iterator<Item = String>, default: &str) -> Result<String, String> {
    let mut addr = default.to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs a value")?,
            other => match other.strip_prefix("--addr=") {
                Some(a) => addr = a.to_owned(),
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    Ok(addr)
}

/// Completes on Ctrl-C (on Unix; elsewhere never): how the servers stop.
pub async fn ctrl_c() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        solo::signal::ctrl_c().await?;
        println!("stopping");
        Ok(())
    }
    #[cfg(not(unix))]
    std::future::pending().await
}
