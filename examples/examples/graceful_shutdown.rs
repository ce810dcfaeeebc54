//! Idea: stopping a server without dropping its clients. On SIGTERM (or
//! Ctrl-C) the server stops accepting, lets the requests in flight finish
//! within a drain timeout, then exits 0.
//!
//! `cargo run -p examples --example graceful_shutdown -- --addr 127.0.0.1:8080`
//! then `printf 'world\n\n' | nc 127.0.0.1 8080`, and `kill PID`.

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: graceful_shutdown [--addr HOST:PORT] [--drain-ms MS]   \
                     (default 127.0.0.1:8080 and 5000)";

fn main() -> ExitCode {
    let (addr, drain) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = solo::block_on(async {
        // The handlers go in before the address is printed: whoever sends
        // the signal after reading it finds them there.
        let stop = stop_signal()?;
        let listener = solo::net::TcpListener::bind(addr.as_str()).await?;
        println!("listening on {}", listener.local_addr()?);
        examples::graceful_shutdown::serve_until(listener, stop, drain).await
    });
    match result {
        Ok(report) => {
            println!(
                "stopped: {} accepted, {} in flight at the stop, {} cut off by the drain timeout",
                report.accepted, report.in_flight, report.cut_off
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("graceful_shutdown: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A future that completes on the first SIGTERM or SIGINT.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use solo::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        futures_lite::future::or(term.recv(), int.recv()).await;
        println!("stopping: no new connections, draining");
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(std::future::pending())
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(String, Duration), String> {
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut drain = Duration::from_secs(5);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs a value")?,
            "--drain-ms" => {
                let v = args.next().ok_or("--drain-ms needs a value")?;
                let ms = v
                    .parse()
                    .map_err(|_| format!("--drain-ms: not a number: {v:?}"))?;
                drain = Duration::from_millis(ms);
            }
            "-h" | "--help" => {
                return Err("graceful_shutdown: a greeter that drains on SIGTERM".into())
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((addr, drain))
}
