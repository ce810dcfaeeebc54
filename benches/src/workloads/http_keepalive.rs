//! http-keepalive: `/bytes/1024` over 64 keep-alive connections, 200,000
//! requests in all (`--quick`: 20,000), one request in flight per
//! connection, against the http-demo server on its own thread. Reports
//! requests per second. `compare` adds `wrk -t1 -c64` against the same
//! server, when wrk is installed, as the ceiling of one client core.

use std::io;
use std::time::Duration;

use super::{http, Params};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "http-keepalive";
/// What it does.
pub const ABOUT: &str = "GET /bytes/1024 on 64 keep-alive connections, 200k requests; req/s";
/// Keep-alive connections (also wrk's `-c`).
pub const CONNECTIONS: u64 = 64;
/// The path every request asks for.
pub const PATH: &str = "/bytes/1024";
/// The body length of [`PATH`].
pub const BODY_LEN: usize = 1024;
/// A run that takes longer than this fails.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let total = params.size(200_000, 20_000).max(1);
    let connections = CONNECTIONS.min(total);
    http::ensure_sockets(connections)?;
    let server = http::start_server()?;
    let addr = server.local_addr();
    let report = R::block_on(async move {
        let (_, wall) =
            http::keepalive_gets::<R>(addr, PATH, BODY_LEN, connections, total, LIMIT).await?;
        io::Result::Ok(Report::new().higher("req/s", total as f64 / wall.as_secs_f64()))
    })?;
    http::check_served(&server, connections, total)?;
    server.shutdown();
    Ok(report)
}
