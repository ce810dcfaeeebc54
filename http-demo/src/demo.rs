//! The measured runs behind the `http-demo` binary: N GETs at once on
//! `solo`, then the same N one after another with [`blocking`]
//! (the plain `std::net` client).
//!
//! ```
//! use std::time::Duration;
//! use http_demo::{demo, server};
//!
//! let server = server::spawn_thread("127.0.0.1:0", server::Config::default()).unwrap();
//! let url = format!("http://{}/delay/20", server.local_addr());
//! let run = demo::run_concurrent(&url, &demo::Options::new(10)).unwrap();
//! assert_eq!(run.ok, 10);
//! assert!(run.elapsed < Duration::from_millis(20 * 10));
//! ```

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::blocking;
use crate::client::{Client, Error};
use crate::url::Url;

/// Kept here too for the callers that found it here first.
pub use crate::open_files::ensure_descriptors;

/// The most requests one run takes: a run keeps a result per request, and
/// a count beyond this is more likely a mistake than a benchmark.
pub const MAX_REQUESTS: usize = 1_000_000;

/// How to run the requests.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// How many GETs, at most [`MAX_REQUESTS`].
    pub requests: usize,
    /// At most this many in flight at once (`None`: all of them).
    pub concurrency_limit: Option<usize>,
    /// Reuse connections (a pool) instead of one new connection per request.
    pub keep_alive: bool,
    /// The deadline of each request.
    pub timeout: Duration,
    /// If set, incremented as each request completes (for a progress bar
    /// on another thread).
    pub completed: Option<Arc<AtomicUsize>>,
}

impl Options {
    /// `requests` GETs, all at once, each on its own connection, 30 s timeout.
    pub fn new(requests: usize) -> Options {
        Options {
            requests,
            concurrency_limit: None,
            keep_alive: false,
            timeout: Duration::from_secs(30),
            completed: None,
        }
    }

    /// The most requests in flight at once.
    pub fn in_flight(&self) -> usize {
        self.concurrency_limit
            .unwrap_or(self.requests)
            .clamp(1, self.requests.max(1))
    }
}

/// The outcome of one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Requests made.
    pub requests: usize,
    /// Requests answered with status 200.
    pub ok: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Each request's time, sorted (failed requests included).
    pub latencies: Vec<Duration>,
    /// How many requests failed (the reasons are in `failure_examples`).
    pub failures: usize,
    /// Up to five distinct failure messages.
    pub failure_examples: Vec<String>,
}

impl Report {
    fn new(elapsed: Duration, results: Vec<(Duration, Result<u16, Error>)>) -> Report {
        let mut report = Report {
            requests: results.len(),
            ok: 0,
            elapsed,
            latencies: Vec::with_capacity(results.len()),
            failures: 0,
            failure_examples: Vec::new(),
        };
        for (latency, result) in results {
            report.latencies.push(latency);
            let failure = match result {
                Ok(200) => {
                    report.ok += 1;
                    continue;
                }
                Ok(status) => format!("status {status}"),
                Err(e) => e.to_string(),
            };
            report.failures += 1;
            if report.failure_examples.len() < 5 && !report.failure_examples.contains(&failure) {
                report.failure_examples.push(failure);
            }
        }
        report.latencies.sort_unstable();
        report
    }

    /// Whether every request got a 200.
    pub fn all_ok(&self) -> bool {
        self.ok == self.requests
    }

    /// The `p`-th percentile latency (nearest rank, `p` in 0..=100).
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        percentile(&self.latencies, p)
    }
}

/// The nearest-rank `p`-th percentile of sorted `values`.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Runs `options.requests` GETs of `url` concurrently on a new `solo`
/// runtime on this thread, at most [`Options::in_flight`] at a time.
///
/// Each request is timed from its start to its complete response; the run
/// from the first spawn to the last response. Failures are counted in the
/// report, not returned.
///
/// # Errors
///
/// If `url` is invalid, `options.requests` is over [`MAX_REQUESTS`], or the
/// runtime cannot be created.
///
/// # Panics
///
/// If called inside a `solo` runtime.
pub fn run_concurrent(url: &str, options: &Options) -> Result<Report, Error> {
    let url = Url::parse(url)?;
    check_count(options)?;
    let rt = solo::Runtime::new()?;
    let client = Client::builder()
        .keep_alive(options.keep_alive)
        .timeout(options.timeout)
        .build();
    let total = options.requests;
    rt.block_on(async move {
        let next = Rc::new(Cell::new(0));
        let start = Instant::now();
        let workers: Vec<_> = (0..options.in_flight().min(total))
            .map(|_| {
                let progress = options.completed.clone();
                solo::spawn(worker(
                    client.clone(),
                    url.clone(),
                    next.clone(),
                    total,
                    progress,
                ))
            })
            .collect();
        let mut results = Vec::with_capacity(total);
        for worker in workers {
            results.extend(worker.await.map_err(|e| io::Error::other(e.to_string()))?);
        }
        Ok(Report::new(start.elapsed(), results))
    })
}

/// Takes request numbers from `next` until `total` are taken, one at a time.
async fn worker(
    client: Client,
    url: Url,
    next: Rc<Cell<usize>>,
    total: usize,
    completed: Option<Arc<AtomicUsize>>,
) -> Vec<(Duration, Result<u16, Error>)> {
    let mut results = Vec::new();
    while next.get() < total {
        next.set(next.get() + 1);
        let start = Instant::now();
        let result = client.get_url(&url).await.map(|r| r.status);
        results.push((start.elapsed(), result));
        if let Some(c) = &completed {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
    results
}

/// Runs `options.requests` GETs of `url` one after another with the
/// blocking `std::net` client, each on a new connection (the concurrency
/// limit and keep-alive settings do not apply).
///
/// # Errors
///
/// If `url` is invalid or `options.requests` is over [`MAX_REQUESTS`].
pub fn run_sequential(url: &str, options: &Options) -> Result<Report, Error> {
    let url = Url::parse(url)?;
    check_count(options)?;
    let start = Instant::now();
    let results = (0..options.requests)
        .map(|_| {
            let t = Instant::now();
            let result = blocking::get(&url, options.timeout, 64 * 1024 * 1024).map(|r| r.status);
            if let Some(c) = &options.completed {
                c.fetch_add(1, Ordering::Relaxed);
            }
            (t.elapsed(), result)
        })
        .collect();
    Ok(Report::new(start.elapsed(), results))
}

/// Refuses a request count over [`MAX_REQUESTS`] before anything is
/// allocated for it (a result slot per request).
fn check_count(options: &Options) -> Result<(), Error> {
    if options.requests > MAX_REQUESTS {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} requests in one run; at most {MAX_REQUESTS}",
                options.requests
            ),
        )));
    }
    Ok(())
}

/// Descriptors kept free for everything but the client's sockets: the
/// standard streams, the runtimes' pollers, the server's listener, ...
const DESCRIPTOR_SLACK: u64 = 64;

/// File descriptors a concurrent run needs: a socket per connection in
/// flight ([`Options::in_flight`]), twice when the server runs in this
/// process, plus some slack for the rest.
pub fn descriptors_needed(options: &Options, local_server: bool) -> u64 {
    sockets_and_slack(options.in_flight() as u64, local_server)
}

/// File descriptors a sequential run ([`run_sequential`]) needs: it holds
/// one connection at a time, whatever the number of requests.
pub fn sequential_descriptors_needed(local_server: bool) -> u64 {
    sockets_and_slack(1, local_server)
}

/// File descriptors a server needs to hold `connections` at once.
pub fn server_descriptors_needed(connections: usize) -> u64 {
    sockets_and_slack(connections as u64, false)
}

fn sockets_and_slack(sockets: u64, local_server: bool) -> u64 {
    sockets.saturating_mul(if local_server { 2 } else { 1 }) + DESCRIPTOR_SLACK
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_count_over_the_cap_is_an_error_before_anything_runs() {
        // Nobody listens on port 1: a run that started would report 2M
        // failed requests (and first reserve room for all their results).
        let options = Options::new(2 * MAX_REQUESTS);
        for run in [run_concurrent, run_sequential] {
            match run("http://127.0.0.1:1/", &options) {
                Err(Error::Io(e)) => {
                    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
                    assert!(e.to_string().contains("at most 1000000"), "{e}");
                }
                other => panic!("{:?}", other.map(|r| r.requests)),
            }
        }
    }
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values = ms(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&values, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&values, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&values, 100.0), Some(Duration::from_millis(100)));
        assert_eq!(percentile(&ms(&[7]), 99.0), Some(Duration::from_millis(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn failures_are_counted_with_distinct_examples() {
        let results = vec![
            (Duration::ZERO, Ok(200)),
            (Duration::ZERO, Ok(404)),
            (Duration::ZERO, Ok(404)),
            (Duration::ZERO, Err(Error::ClosedBeforeResponse)),
        ];
        let report = Report::new(Duration::ZERO, results);
        assert_eq!((report.ok, report.failures), (1, 3));
        assert_eq!(report.failure_examples.len(), 2);
        assert!(!report.all_ok());
    }

    #[test]
    fn in_flight_is_bounded_by_the_limit_and_the_count() {
        let mut options = Options::new(10);
        assert_eq!(options.in_flight(), 10);
        options.concurrency_limit = Some(3);
        assert_eq!(options.in_flight(), 3);
        options.concurrency_limit = Some(0);
        assert_eq!(options.in_flight(), 1);
    }

    #[test]
    fn a_sequential_run_needs_one_connection_whatever_the_count() {
        let many = Options::new(30_000);
        assert_eq!(descriptors_needed(&many, true), 60_064);
        assert_eq!(sequential_descriptors_needed(true), 66);
        assert_eq!(sequential_descriptors_needed(false), 65);
    }
}
