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
mod inject;
pub mod io;
#[doc(hidden)]
pub mod macros;
pub mod net;
#[cfg(unix)]
pub mod process;
mod reactor;
pub mod runtime;
mod scheduler;
#[cfg(unix)]
pub mod signal;
pub mod stream;
pub mod sync;
pub mod task;
pub mod time;

pub use runtime::{block_on, Builder, Metrics, Runtime};
pub use task::{spawn, JoinError, JoinHandle};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
