//! timers: 100,000 tasks, task i sleeps 1 + (i * 7919 mod 100) ms. Reports
//! wall and CPU ms, and how late the sleeps ended (p50, p99, max)
//! (`compare` adds epoll waits and timerfd arms per 1,000 timers under strace).

use std::io;
use std::time::{Duration, Instant};

use super::{Params, Syscalls};
use crate::measure::{ms, percentile, Probe};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "timers";
/// What it does.
pub const ABOUT: &str = "100k tasks, task i sleeps 1 + (i*7919 mod 100) ms";

/// epoll waits and timerfd arms per 1,000 fired timers, over 20,000 timers
/// (the `--quick` size) at either size, so the figure does not depend on
/// `--quick`: strace slows the loop down.
pub const SYSCALLS: Syscalls = Syscalls {
    rounds: 20_000,
    quick_rounds: 20_000,
    per: 1_000,
    rows: &[
        (
            "epoll waits/1k timers (strace, 1 run of 20k)",
            &["epoll_wait", "epoll_pwait", "epoll_pwait2"],
        ),
        (
            "timer arms/1k timers (strace, 1 run of 20k)",
            &["timerfd_settime"],
        ),
    ],
};

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = params.size(100_000, 20_000);
    R::block_on(async move {
        let probe = Probe::start();
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let duration = Duration::from_millis(1 + (i * 7919) % 100);
                R::spawn(async move {
                    let start = Instant::now();
                    R::sleep(duration).await;
                    // An early wake would be a runtime bug; count it as on time
                    // here (the runtime's own tests pin that down).
                    start.elapsed().saturating_sub(duration)
                })
            })
            .collect();
        let mut late = Vec::with_capacity(n as usize);
        for handle in handles {
            late.push(ms(handle.await));
        }
        let (wall, cpu) = probe.stop();
        late.sort_by(f64::total_cmp);
        let p = |q| percentile(&late, q).unwrap_or(f64::NAN);
        Ok(Report::new()
            .lower("wall ms", ms(wall))
            .lower("CPU ms", ms(cpu))
            .lower("late p50 ms", p(50.0))
            .lower("late p99 ms", p(99.0))
            .lower("late max ms", p(100.0)))
    })
}
