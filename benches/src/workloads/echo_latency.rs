//! echo-latency: an echo server task and a client task in one runtime over
//! 127.0.0.1, one connection, 100,000 round trips of 64 bytes. Reports µs
//! per round trip (`compare` adds system calls per round trip under strace).

use std::io;

use super::{echo, Params};
use crate::measure::Probe;
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "echo-latency";
/// What it does.
pub const ABOUT: &str =
    "echo server + client in one runtime, 1 connection, 100k round trips of 64 B";
/// Round trips for counting system calls (strace slows every call down).
pub const SYSCALL_ROUNDS: u64 = 5_000;

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let rounds = params.size(100_000, 10_000);
    R::block_on(async move {
        let (listener, addr) = echo::listen::<R>().await?;
        let server = R::spawn(async move {
            let stream = R::accept(&listener).await?;
            echo::serve::<R>(stream).await
        });
        let mut stream = R::connect(addr).await?;
        let probe = Probe::start();
        echo::client::<R>(&mut stream, rounds).await?;
        let (wall, _) = probe.stop();
        drop(stream);
        server.await?;
        Ok(Report::new().lower(
            "µs/round trip",
            wall.as_nanos() as f64 / 1e3 / rounds.max(1) as f64,
        ))
    })
}
