//! timer-accuracy: 1,000 sequential `sleep(1 ms)`. Reports the mean and p99
//! of how long each actually took.

use std::io;
use std::time::{Duration, Instant};

use super::Params;
use crate::measure::{ms, percentile};
use crate::report::Report;
use crate::rt::Rt;

/// The workload's name.
pub const NAME: &str = "timer-accuracy";
/// What it does.
pub const ABOUT: &str = "1,000 sequential sleep(1 ms)";

/// Runs it on `R`.
pub fn run<R: Rt>(params: &Params) -> io::Result<Report> {
    let n = params.size(1_000, 200);
    R::block_on(async move {
        let mut took = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let start = Instant::now();
            R::sleep(Duration::from_millis(1)).await;
            took.push(ms(start.elapsed()));
        }
        let mean = took.iter().sum::<f64>() / took.len().max(1) as f64;
        took.sort_by(f64::total_cmp);
        Ok(Report::new()
            .lower("mean ms", mean)
            .lower("p99 ms", percentile(&took, 99.0).unwrap_or(f64::NAN)))
    })
}
