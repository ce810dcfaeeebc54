//! Test helpers: [`explore`] runs a test under many seeded schedules.
//!
//! A bug that depends on the order in which ready tasks run (a check and
//! an update of shared state with an `.await` between them, a message sent
//! before its subscriber is ready) may never show under solo's FIFO order.
//! With a seed ([`Builder::seed`]) the runtime draws that order instead;
//! `explore` tries one seed after another, on a fresh runtime with a paused
//! clock each time, and on the first failure names the seed that replays
//! it.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};

use crate::Builder;

/// Runs `test` once per seed in `0..seeds`, each time on a fresh runtime
/// with a paused clock and that seed, and stops at the first failure: a
/// panic, or an `Err` returned. The failure then names its seed:
/// `failed with seed 8123; replay with SOLO_SEED=8123`. The panic keeps
/// its own message after that prefix (so `#[should_panic(expected = ...)]`
/// still matches); an `Err` is returned as it is, after the seed line is
/// printed to stderr.
///
/// With `SOLO_SEED` set, only that seed runs: the replay. Same program,
/// same seed, no outside input (real sockets, threads, the real clock):
/// the same schedule, step for step, so the replay fails the same way.
///
/// Each run costs a runtime (a poller and its waker: a few system calls),
/// so a thousand seeds of a small test take well under a second.
///
/// `seeds` of 0 runs seed 0 once, as 1 does: `explore` returns the test's
/// output, so the test runs at least once. (`#[solo::test(seeds = 0)]` is
/// a compile error instead.)
///
/// # Panics
///
/// With the test's own panic, prefixed with its seed; or if a runtime
/// cannot be built (out of file descriptors, or `SOLO_SEED` is not a
/// number).
///
/// # Examples
///
/// A check-then-update across an `.await`: FIFO never overdraws, but some
/// interleavings do, and `explore` finds one.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// let found = std::panic::catch_unwind(|| {
///     solo::test::explore(1000, || async {
///         let balance = Rc::new(Cell::new(100));
///         let withdraw = |amount| {
///             let balance = balance.clone();
///             solo::spawn(async move {
///                 if balance.get() >= amount {
///                     solo::task::yield_now().await; // the bug: a gap
///                     balance.set(balance.get() - amount);
///                 }
///             })
///         };
///         let (a, b) = (withdraw(80), withdraw(70));
///         a.await.unwrap();
///         b.await.unwrap();
///         assert!(balance.get() >= 0, "overdrawn: {}", balance.get());
///     })
/// });
/// let message = *found.unwrap_err().downcast::<String>().unwrap();
/// assert!(message.contains("replay with SOLO_SEED="), "{message}");
/// assert!(message.contains("overdrawn: -50"), "{message}");
/// ```
///
/// [`Builder::seed`]: crate::Builder::seed
#[track_caller]
pub fn explore<F, Fut>(seeds: u64, test: F) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    let mut builder = Builder::new();
    builder.start_paused(true);
    explore_with(&builder, seeds, test)
}

/// [`explore`], on runtimes configured like `builder` (each run still
/// gets a paused clock and its own seed).
#[track_caller]
pub fn explore_with<F, Fut>(builder: &Builder, seeds: u64, mut test: F) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    let replay = replay_seed();
    let seeds: Box<dyn Iterator<Item = u64>> = match replay {
        Some(seed) => Box::new(std::iter::once(seed)),
        None => Box::new(0..seeds.max(1)),
    };
    let mut last = None;
    for seed in seeds {
        let rt = builder
            .clone()
            .start_paused(true)
            .seed(seed)
            .build()
            .unwrap_or_else(|e| panic!("solo::test::explore: cannot build a runtime: {e}"));
        let run = panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(test())));
        drop(rt);
        match run {
            Err(payload) => fail_with_seed(seed, payload),
            Ok(output) if output.is_failure() => {
                eprintln!("{}", seed_line(seed));
                return output;
            }
            Ok(output) => last = Some(output),
        }
    }
    // `seeds.max(1)`: at least one run, so there is an output.
    last.unwrap_or_else(|| unreachable!("explore ran no seed"))
}

/// `SOLO_SEED`, if set (a bad value fails the runtime's build, which says
/// so).
fn replay_seed() -> Option<u64> {
    std::env::var("SOLO_SEED").ok()?.trim().parse().ok()
}

fn seed_line(seed: u64) -> String {
    format!("failed with seed {seed}; replay with SOLO_SEED={seed}")
}

/// Panics again with the seed line in front of the message (through the
/// panic hook, so that the test harness shows it); a payload that is not a
/// message goes on as it is, after the line is printed.
#[track_caller]
fn fail_with_seed(seed: u64, payload: Box<dyn Any + Send>) -> ! {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    match message {
        Some(message) => panic::panic_any(format!("{}: {message}", seed_line(seed))),
        None => {
            eprintln!("{}", seed_line(seed));
            panic::resume_unwind(payload)
        }
    }
}

/// What a test returns: `()`, or a `Result` whose `Err` is a failure.
pub trait Outcome {
    /// Whether this output fails the test.
    fn is_failure(&self) -> bool;
}

impl Outcome for () {
    fn is_failure(&self) -> bool {
        false
    }
}

impl<T, E: Debug> Outcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}
