//! idle: 10,000 tasks sleeping 2 s. Reports the CPU ms the process used from
//! the moment every timer is armed until all have fired; for solo also the
//! poller calls (thread wake-ups) and timers fired in that span.

use std::io;
use std::time::Duration;

use super::{armed, armed_count, wait_armed, Params};
use crate::measure::{ms, Probe};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "idle";
/// What it does.
pub const ABOUT: &str = "10k tasks sleeping 2 s; CPU once all timers are armed";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = params.size(10_000, 2_000);
    let sleep = Duration::from_millis(if params.quick { 500 } else { 2_000 });
    R::block_on(async move {
        let start = armed_count();
        let handles: Vec<_> = (0..n).map(|_| R::spawn(armed(R::sleep(sleep)))).collect();
        wait_armed::<R>(start, n, 100 * n + 1_000).await?;
        let before = R::counters();
        let probe = Probe::start();
        for handle in handles {
            handle.await;
        }
        let (_, cpu) = probe.stop();
        let mut report = Report::new().lower("CPU ms", ms(cpu));
        if let (Some(before), Some(after)) = (before, R::counters()) {
            report = report
                .lower("parks", (after.parks - before.parks) as f64)
                .lower(
                    "timers fired",
                    (after.timers_fired - before.timers_fired) as f64,
                );
        }
        Ok(report)
    })
}
