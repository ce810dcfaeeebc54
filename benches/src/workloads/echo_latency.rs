//! echo-latency: an echo server task and a client task in one runtime over
//! 127.0.0.1, one connection, 100,000 round trips of 64 bytes. Reports µs
//! per round trip (`compare` adds system calls per round trip under strace).
//! [`floor`] runs the same on bare mio ([`echo_floor`](super::echo_floor)).

use std::io;

use std::time::Duration;

use super::echo_floor::Echo;
use super::{echo, Params, Syscalls};
use crate::measure::Probe;
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "echo-latency";
/// What it does.
pub const ABOUT: &str =
    "echo server + client in one runtime, 1 connection, 100k round trips of 64 B";
/// Every system call per round trip, over 5,000 round trips (1,000 with
/// `--quick`): strace slows every call down.
pub const SYSCALLS: Syscalls = Syscalls {
    rounds: 5_000,
    quick_rounds: 1_000,
    per: 1,
    rows: &[("syscalls/round trip (strace, 1 run)", &[])],
};

/// Round trips: 100,000, or 10,000 with `--quick`.
fn rounds(params: &Params) -> u64 {
    params.size(100_000, 10_000)
}

/// The figures, from the wall time of `rounds` round trips.
fn report(wall: Duration, rounds: u64) -> Report {
    Report::new().lower(
        "µs/round trip",
        wall.as_nanos() as f64 / 1e3 / rounds.max(1) as f64,
    )
}

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let rounds = rounds(params);
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
        Ok(report(wall, rounds))
    })
}

/// Runs it on the mio floor: the same connection, sizes and checks, timed
/// the same way (from connected to the last echo checked), no runtime.
pub fn floor(params: &Params) -> io::Result<Report> {
    let rounds = rounds(params);
    let mut echo = Echo::listen(rounds)?;
    echo.connect(1, false)?;
    echo.established()?;
    let probe = Probe::start();
    echo.run()?;
    let (wall, _) = probe.stop();
    echo.finish()?.check(1, rounds)?;
    Ok(report(wall, rounds))
}
