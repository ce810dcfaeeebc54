//! pingpong: two tasks pass a token back and forth 1,000,000 times (hops)
//! through two `async-channel` bounded(1) channels. Reports ns per hop.

use std::io;

use super::{wrong, Params};
use crate::measure::Probe;
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "pingpong";
/// What it does.
pub const ABOUT: &str = "2 tasks, 1M hops through two async-channel bounded(1)";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    // A round trip is two hops.
    let round_trips = params.size(1_000_000, 100_000) / 2;
    R::block_on(async move {
        let (to_pong, from_ping) = async_channel::bounded::<u64>(1);
        let (to_ping, from_pong) = async_channel::bounded::<u64>(1);
        let probe = Probe::start();
        let pong = R::spawn(async move {
            while let Ok(token) = from_ping.recv().await {
                if to_ping.send(token + 1).await.is_err() {
                    break;
                }
            }
        });
        let ping = R::spawn(async move {
            let mut token = 0;
            for _ in 0..round_trips {
                to_pong
                    .send(token)
                    .await
                    .map_err(|_| wrong("pong hung up"))?;
                token = from_pong.recv().await.map_err(|_| wrong("pong hung up"))?;
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
