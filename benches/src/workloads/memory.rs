//! memory: 1,000,000 tasks each waiting on a 1-hour sleep. Reports the RSS
//! growth per pending task in bytes (from `/proc/self/statm` on Linux),
//! measured once every task has been polled and registered its timer.

use std::io;
use std::time::Duration;

use super::{armed, armed_count, wait_armed, Params};
use crate::measure::{current_rss, rusage};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "memory";
/// What it does.
pub const ABOUT: &str = "1M tasks each pending on a 1-hour sleep: RSS growth per task";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = params.size(1_000_000, 100_000);
    R::block_on(async move {
        // Let the runtime set itself up (timer wheel, reactor) before the baseline.
        R::sleep(Duration::from_millis(1)).await;
        let before = current_rss();
        let start = armed_count();
        for _ in 0..n {
            R::spawn_detached(armed(R::sleep(Duration::from_secs(3600))));
        }
        wait_armed::<R>(start, n, 100 * n + 1_000).await?;
        let after = current_rss();
        Ok(Report::new()
            .lower("bytes/task", after.saturating_sub(before) as f64 / n as f64)
            .lower("peak RSS MiB", rusage().1 as f64 / (1 << 20) as f64))
    })
}
