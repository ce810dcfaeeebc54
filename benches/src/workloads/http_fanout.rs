//! http-fanout: the http-demo workload. N GETs of `/delay/50` at once, each
//! on a new connection, against the http-demo server on its own thread;
//! N = 100, 1,000 and 5,000 (`--quick`: 100 and 1,000). Reports the wall
//! time of each N, from the first connect to the last body read; the
//! server's 50 ms delay is the floor.

use std::io;
use std::time::Duration;

use super::{http, Params};
use crate::measure::{ms, Probe};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "http-fanout";
/// What it does.
pub const ABOUT: &str =
    "N GETs of /delay/50 at once, each on a new connection, N = 100, 1k, 5k; wall ms (floor 50)";
/// The server-side delay of every request.
const DELAY_MS: u64 = 50;
/// One N that takes longer than this fails the run.
const LIMIT: Duration = Duration::from_secs(30);

/// The request counts: `--rounds` gives one, else the full or quick list.
fn sizes(params: &Params) -> Vec<u64> {
    match params.rounds {
        Some(n) => vec![n],
        None if params.quick => vec![100, 1_000],
        None => vec![100, 1_000, 5_000],
    }
}

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let sizes = sizes(params);
    let total: u64 = sizes.iter().sum();
    http::ensure_sockets(sizes.iter().copied().max().unwrap_or(0))?;
    let server = http::start_server()?;
    let addr = server.local_addr();
    let path = format!("/delay/{DELAY_MS}");
    let request = http::request(addr, &path, false);
    let body_len = http_demo::server::DELAY_BODY_LEN;
    let report = R::block_on(async move {
        let mut report = Report::new();
        for n in sizes {
            let probe = Probe::start();
            let gets: Vec<_> = (0..n)
                .map(|_| {
                    let request = request.clone();
                    R::spawn(async move {
                        let mut conn = http::Conn::<R>::connect(addr).await?;
                        conn.get(&request, body_len).await
                    })
                })
                .collect();
            http::within::<R, _>(LIMIT, &format!("{n} GETs of {path}"), async {
                for get in gets {
                    get.await?;
                }
                Ok(())
            })
            .await?;
            let (wall, _) = probe.stop();
            report = report.lower(format!("N={n} wall ms"), ms(wall));
        }
        io::Result::Ok(report)
    })?;
    http::check_served(&server, total, total)?;
    server.shutdown();
    Ok(report)
}
