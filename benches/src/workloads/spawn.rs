//! spawn: 1,000,000 tasks that each return a u64, then await every handle in
//! order. Reports ns per task and the peak RSS.

use std::io;

use super::{wrong, Params};
use crate::measure::{rusage, Probe};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "spawn";
/// What it does.
pub const ABOUT: &str = "spawn 1M tasks returning a u64, await each handle in order";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = params.size(1_000_000, 100_000);
    R::block_on(async move {
        let probe = Probe::start();
        let mut handles = Vec::with_capacity(n as usize);
        for i in 0..n {
            handles.push(R::spawn(async move { i }));
        }
        let mut sum = 0u64;
        for handle in handles {
            sum += handle.await;
        }
        let (wall, _) = probe.stop();
        if sum != n * (n - 1) / 2 {
            return Err(wrong(format!(
                "sum of outputs {sum}, expected {}",
                n * (n - 1) / 2
            )));
        }
        Ok(Report::new()
            .lower("ns/task", wall.as_nanos() as f64 / n as f64)
            .lower("peak RSS MiB", rusage().1 as f64 / (1 << 20) as f64))
    })
}
