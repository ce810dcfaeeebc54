//! # solo: one event loop, one thread
//!
//! `solo` is a small single-threaded async runtime built on `mio` (epoll on
//! Linux, kqueue on macOS and the BSDs). It runs [`Future`]s on the thread that
//! calls [`block_on`], wakes them when their sockets or timers are ready, and
//! lets thousands of I/O waits overlap without a thread each.
//!
//! * [`block_on`] and [`Runtime`] run the loop; [`spawn`] starts a task from
//!   anywhere inside it. Tasks need not be `Send`: `Rc` and `RefCell` just work.
//! * [`time`] has [`sleep`](time::sleep), [`timeout`](time::timeout) and
//!   [`interval`](time::interval).
//! * [`net`] has TCP and UDP sockets; [`io`] the `futures-io` traits, their
//!   extension traits, and [`AsyncFd`](io::AsyncFd) for any file descriptor.
//! * [`sync`] has channels, a oneshot, `Mutex`, `Semaphore` and `Notify`,
//!   usable across threads, and in [`sync::local`] the same for tasks of
//!   one runtime, without atomics; [`task::spawn_blocking`] runs blocking
//!   work on a small thread pool.
//! * [`fs`] has tokio's file system functions, run on that pool.
//! * [`process`] (Unix) starts child processes and awaits their exit.
//! * [`signal::ctrl_c`] (Unix) waits for Ctrl-C, for servers that stop cleanly;
//!   [`signal::unix::signal`] streams the deliveries of any catchable signal.
//! * `hyper` (the `hyper` feature) runs hyper 1.x and axum on solo: hyper's
//!   I/O traits on the sockets, an executor and a timer.
//!
//! ```
//! use std::time::Duration;
//!
//! let total = solo::block_on(async {
//!     let a = solo::spawn(async {
//!         solo::time::sleep(Duration::from_millis(20)).await;
//!         1
//!     });
//!     let b = solo::spawn(async {
//!         solo::time::sleep(Duration::from_millis(20)).await;
//!         2
//!     });
//!     a.await.unwrap() + b.await.unwrap()
//! });
//! assert_eq!(total, 3);
//! ```
//!
//! [`Future`]: std::future::Future
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![deny(unused_must_use)]

mod context;
pub mod fs;
#[cfg(feature = "hyper")]
pub mod hyper;
mod inject;
pub mod io;
#[doc(hidden)]
pub mod macros;
pub mod net;
#[cfg(unix)]
pub mod process;
mod reactor;
mod rng;
pub mod runtime;
mod scheduler;
#[cfg(unix)]
pub mod signal;
pub mod stream;
pub mod sync;
pub mod task;
pub mod test;
pub mod time;

pub use runtime::{block_on, Builder, Metrics, Runtime};
pub use task::{spawn, JoinError, JoinHandle};

/// Runs an `async fn main` on a new runtime: the attribute turns it into a
/// plain `fn` that builds a runtime with [`Builder`] and runs the body on it
/// with [`Runtime::block_on`].
///
/// ```no_run
/// use std::time::Duration;
///
/// #[solo::main]
/// async fn main() {
///     solo::time::sleep(Duration::from_millis(10)).await;
///     println!("slept on a solo runtime");
/// }
/// ```
///
/// expands to about
///
/// ```no_run
/// # use std::time::Duration;
/// fn main() {
///     let body = async move {
///         solo::time::sleep(Duration::from_millis(10)).await;
///         println!("slept on a solo runtime");
///     };
///     solo::Builder::new()
///         .build()
///         .unwrap_or_else(|e| panic!("#[solo::main]: cannot build the runtime: {e}"))
///         .block_on(body)
/// }
/// ```
///
/// The function keeps its name, visibility, attributes and return type; it
/// must be `async` and take no parameters. Any function may carry it, not
/// only `main`. A panic in the body propagates with its own payload, and a
/// `Result` returned by `main` is the process's outcome, as without the
/// attribute:
///
/// ```no_run
/// #[solo::main]
/// async fn main() -> std::io::Result<()> {
///     let listener = solo::net::TcpListener::bind("127.0.0.1:0").await?;
///     println!("listening on {}", listener.local_addr()?);
///     Ok(())
/// }
/// ```
///
/// # Options
///
/// Each option is written `name = value`, and sets the [`Builder`] method of
/// the same name; an option left out keeps the builder's default.
///
/// * `start_paused = true | false`: [`Builder::start_paused`], the clock
///   starts paused (see [`time::pause`]).
/// * `budget = N`: [`Builder::budget`], tasks run between two polls of the
///   reactor (at least 1).
/// * `events_capacity = N`: [`Builder::events_capacity`], I/O events taken
///   per poll (at least 1).
/// * `seed = N`: [`Builder::seed`], ready tasks run in an order drawn from
///   the seed `N` (a `u64`) rather than FIFO.
/// * `crate = "path"`: where to find this crate, `::solo` by default: for a
///   crate that renamed its dependency on solo (`crate = "::my_solo"`).
///
/// ```no_run
/// #[solo::main(budget = 16, events_capacity = 256)]
/// async fn main() {
///     // Runs with a budget of 16 polls per turn and 256 events per poll.
/// }
/// ```
///
/// A misuse is a compile error at the offending tokens: an unknown or
/// repeated option, a value of the wrong type, a function that is not
/// `async`, has parameters or generics, or an item that is not a function.
///
/// # Panics
///
/// The function panics if the runtime cannot be built (the operating system
/// refuses a poller), and wherever [`Runtime::block_on`] does.
#[cfg(feature = "macros")]
#[doc(inline)]
pub use solo_macros::main;

/// Runs an `async fn` test on a new runtime of its own: the attribute adds
/// `#[test]` and turns the function into a plain `fn` that runs the body
/// with [`Runtime::block_on`], as [`main`] does, with the same options.
///
/// ```
/// use std::time::Duration;
/// use solo::time::Instant;
///
/// #[solo::test(start_paused = true)]
/// async fn an_hour_passes_at_once_on_the_paused_clock() {
///     let start = Instant::now();
///     solo::time::sleep(Duration::from_secs(3600)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// }
/// ```
///
/// The test may return `()` or a `Result<(), E>` with `E: Debug`, which
/// fails the test when it is `Err`, as for any `#[test]`. Other attributes
/// keep their meaning: `#[should_panic(expected = "...")]` sees the panic of
/// the body with its own message, and `#[ignore]` ignores the test. Do not
/// add `#[test]` too: that is a compile error.
///
/// ```
/// #[solo::test]
/// #[should_panic(expected = "the answer is not 41")]
/// async fn a_panic_reaches_the_harness_unchanged() {
///     let answer = solo::spawn(async { 42 }).await.unwrap();
///     assert!(answer == 41, "the answer is not 41");
/// }
///
/// #[solo::test]
/// async fn a_test_may_return_a_result() -> Result<(), std::num::ParseIntError> {
///     let n: u32 = "42".parse()?;
///     assert_eq!(n, 42);
///     Ok(())
/// }
/// ```
///
/// With `seeds = N` (tests only) the test runs under `N` seeded schedules,
/// each on a fresh runtime with a paused clock, through
/// [`test::explore_with`]: the first failure names the seed that replays it
/// (`failed with seed 8123; replay with SOLO_SEED=8123`), and with
/// `SOLO_SEED` set only that seed runs.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// #[solo::test(seeds = 1000)]
/// async fn two_tasks_add_without_losing_an_update() {
///     let total = Rc::new(Cell::new(0));
///     let add = |n| {
///         let total = total.clone();
///         solo::spawn(async move {
///             let seen = total.get();
///             total.set(seen + n); // no `.await` between read and write
///         })
///     };
///     let (a, b) = (add(1), add(2));
///     a.await.unwrap();
///     b.await.unwrap();
///     assert_eq!(total.get(), 3);
/// }
/// ```
///
/// Each test builds its own runtime, so tests stay independent when the
/// harness runs them on parallel threads. (Outside `cargo test` a test
/// function is compiled out, so the examples here show the syntax only;
/// `solo-macros`' own tests run them.)
///
/// # Panics
///
/// As [`main`].
#[cfg(feature = "macros")]
#[doc(inline)]
pub use solo_macros::test;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
