//! The workloads `compare` runs, each written once over [`Rt`].
//!
//! A workload is a module with `NAME`, `ABOUT` and
//! `fn run<R: Rt>(&Params) -> io::Result<Report>`, listed once in [`ALL`].
//! Adding one is one module and one line there.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::pin;

use crate::report::Report;
use crate::rt::{Rt, Runtime, Smol, Solo, Tokio};

pub mod echo_latency;
pub mod echo_throughput;
pub mod http_fanout;
pub mod http_keepalive;
pub mod hyper_hello;
pub mod idle;
pub mod memory;
pub mod pingpong;
pub mod pingpong_local;
pub mod spawn;
pub mod timer_accuracy;
pub mod timers;

pub mod echo;
pub mod echo_floor;
pub mod http;

/// How big a run is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Params {
    /// Smaller sizes, so the whole table takes seconds.
    pub quick: bool,
    /// Overrides the number of round trips (or iterations) of workloads that
    /// have one; used to count system calls under `strace`.
    pub rounds: Option<u64>,
}

impl Params {
    /// `full` normally, `quick` with [`Params::quick`], or the override.
    pub fn size(&self, full: u64, quick: u64) -> u64 {
        self.rounds.unwrap_or(if self.quick { quick } else { full })
    }
}

/// What `compare` counts under `strace -c -f` for a workload: each row is
/// the named system calls of a run of `rounds` rounds minus those of a run
/// of none (setup and teardown), per `per` rounds.
#[derive(Debug)]
pub struct Syscalls {
    /// Rounds of the counted run (see [`Params::rounds`]) at full size.
    pub rounds: u64,
    /// Rounds of the counted run with `--quick`.
    pub quick_rounds: u64,
    /// Rounds per figure: 1 (calls per round), or 1,000 where a round makes
    /// so few calls that two decimals would round them away.
    pub per: u64,
    /// The rows: each its metric label and the system calls it adds up
    /// (none named: every call).
    pub rows: &'static [(&'static str, &'static [&'static str])],
}

type RunFn = fn(&Params) -> io::Result<Report>;

/// One workload, runnable on every runtime.
#[derive(Debug)]
pub struct Workload {
    /// Its name on the command line and in the table.
    pub name: &'static str,
    /// One line on what it does and what it reports.
    pub about: &'static str,
    /// If set, `compare` also counts this workload's system calls per
    /// round under `strace`.
    pub syscalls: Option<&'static Syscalls>,
    /// Per runtime (in [`Runtime::ALL`] order): how it runs there, if it does.
    run: [Option<RunFn>; 3],
    /// The same workload on bare mio ([`Runtime::Floor`]), if it has one.
    floor: Option<RunFn>,
}

impl Workload {
    /// Runs the workload on `rt` in this process; an error if it does not
    /// run there (see [`runs_on`](Self::runs_on)).
    pub fn run(&self, rt: Runtime, params: &Params) -> io::Result<Report> {
        let run = match rt {
            Runtime::Solo | Runtime::Tokio | Runtime::Smol => self.run[rt.index()]
                .ok_or_else(|| wrong(format!("{} does not run on {}", self.name, rt.name())))?,
            Runtime::Floor => self
                .floor
                .ok_or_else(|| wrong(format!("{} has no mio floor", self.name)))?,
        };
        run(params)
    }

    /// Whether this workload runs on `rt`: most run on every runtime
    /// (hyper-hello not on smol); only some have a [`Runtime::Floor`].
    pub fn runs_on(&self, rt: Runtime) -> bool {
        match rt {
            Runtime::Floor => self.floor.is_some(),
            rt => self.run[rt.index()].is_some(),
        }
    }

    /// The workload called `name`, if any.
    pub fn find(name: &str) -> Option<&'static Workload> {
        ALL.iter().find(|w| w.name == name)
    }
}

macro_rules! workload {
    ($module:ident) => {
        workload!($module, None)
    };
    ($module:ident, $syscalls:expr) => {
        workload!($module, $syscalls, None)
    };
    ($module:ident, $syscalls:expr, floor) => {
        workload!($module, $syscalls, Some($module::floor as RunFn))
    };
    ($module:ident, $syscalls:expr, $floor:expr) => {
        Workload {
            name: $module::NAME,
            about: $module::ABOUT,
            syscalls: $syscalls,
            run: [
                Some($module::run::<Solo>),
                Some($module::run::<Tokio>),
                Some($module::run::<Smol>),
            ],
            floor: $floor,
        }
    };
}

/// Every workload, in table order.
pub static ALL: &[Workload] = &[
    workload!(spawn),
    workload!(pingpong),
    workload!(pingpong_local),
    workload!(timers, Some(&timers::SYSCALLS)),
    workload!(timer_accuracy, None, floor),
    workload!(echo_latency, Some(&echo_latency::SYSCALLS), floor),
    workload!(echo_throughput, None, floor),
    workload!(idle),
    workload!(memory),
    workload!(http_fanout),
    workload!(http_keepalive),
    // A hyper server on solo or tokio; hyper has no smol glue.
    Workload {
        name: hyper_hello::NAME,
        about: hyper_hello::ABOUT,
        syscalls: None,
        run: [
            Some(hyper_hello::run::<Solo>),
            Some(hyper_hello::run::<Tokio>),
            None,
        ],
        floor: None,
    },
];

thread_local! {
    static ARMED: Cell<u64> = const { Cell::new(0) };
}

/// Runs `future`, counting (for [`armed_count`]) when its first poll is done:
/// for a sleep, that is when its timer is registered.
pub async fn armed<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut first = true;
    poll_fn(|cx| {
        let poll = future.as_mut().poll(cx);
        if first {
            first = false;
            ARMED.with(|a| a.set(a.get() + 1));
        }
        poll
    })
    .await
}

/// How many [`armed`] futures have been polled once, on this thread.
pub fn armed_count() -> u64 {
    ARMED.with(Cell::get)
}

/// Yields until `target` [`armed`] futures have been polled once (counting
/// from `start`), at most `max_yields` times; an error if they never are.
pub async fn wait_armed<R: Rt>(start: u64, target: u64, max_yields: u64) -> io::Result<()> {
    for _ in 0..max_yields {
        if armed_count() - start >= target {
            return Ok(());
        }
        R::yield_now().await;
    }
    Err(io::Error::other(format!(
        "only {} of {target} tasks were polled after {max_yields} yields",
        armed_count() - start
    )))
}

/// An error for a workload whose result is wrong (not merely slow).
pub fn wrong(what: impl Into<String>) -> io::Error {
    io::Error::other(what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_has_a_unique_name() {
        let mut names: Vec<_> = ALL.iter().map(|w| w.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for w in ALL {
            assert_eq!(Workload::find(w.name).map(|f| f.name), Some(w.name));
        }
    }

    #[test]
    fn rounds_override_the_size() {
        let p = Params {
            quick: true,
            rounds: None,
        };
        assert_eq!(p.size(10, 2), 2);
        let p = Params {
            quick: false,
            rounds: Some(7),
        };
        assert_eq!(p.size(10, 2), 7);
    }
}
