//! pingpong-local: pingpong's two tasks and 1,000,000 hops, through two
//! bounded(1) channels of each runtime's own kind for tasks on one thread
//! ([`Rt::LocalChannel`]: solo's `sync::local`, tokio's `sync::mpsc`,
//! async-channel for smol, which has none). Reports ns per hop.

use std::io;

use super::{wrong, Params};
use crate::measure::Probe;
use crate::report::Report;
use crate::rt::{LocalChannel, Rt};

/// The workload's name.
pub const NAME: &str = "pingpong-local";
/// What it does.
pub const ABOUT: &str = "2 tasks, 1M hops through two bounded(1) of the runtime's own channel";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    type Chan<R> = <R as Rt>::LocalChannel;
    // A round trip is two hops.
    let round_trips = params.size(1_000_000, 100_000) / 2;
    R::block_on(async move {
        let (to_pong, mut from_ping) = Chan::<R>::bounded(1);
        let (to_ping, mut from_pong) = Chan::<R>::bounded(1);
        let probe = Probe::start();
        let pong = R::spawn(async move {
            while let Some(token) = Chan::<R>::recv(&mut from_ping).await {
                if !Chan::<R>::send(&to_ping, token + 1).await {
                    break;
                }
            }
        });
        let ping = R::spawn(async move {
            let mut token = 0;
            for _ in 0..round_trips {
                if !Chan::<R>::send(&to_pong, token).await {
                    return Err(wrong("pong hung up"));
                }
                token = Chan::<R>::recv(&mut from_pong)
                    .await
                    .ok_or_else(|| wrong("pong hung up"))?;
            }
            io::Result::Ok(token)
        });
        let token = ping.await?;
        pong.await;
        let (wall, _) = probe.stop();
        if token != round_trips {
            return Err(wrong(format!(
                "token {token} after {round_trips} round trips"
            )));
        }
        Ok(Report::new().lower("ns/hop", wall.as_nanos() as f64 / (2 * round_trips) as f64))
    })
}
