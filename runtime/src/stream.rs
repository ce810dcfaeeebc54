//! Streams: [`Stream`] (from `futures-core`, the trait the ecosystem
//! shares) and [`StreamExt`] (from `futures-lite`: `next`, `map`,
//! `filter`, `take`, `collect`, ...), with a few constructors.
//!
//! solo's own streams: [`Interval`](crate::time::Interval) (its ticks),
//! [`TcpListener::incoming`](crate::net::TcpListener::incoming) and, on
//! Unix, `UnixListener::incoming` (accepted connections),
//! [`Signal`](crate::signal::unix::Signal) (deliveries), and the
//! [`sync::local::Receiver`](crate::sync::local::Receiver) (its values).
//!
//! ```
//! use std::time::Duration;
//! use solo::stream::StreamExt;
//!
//! solo::Builder::new().start_paused(true).build().unwrap().block_on(async {
//!     let ticks = solo::time::interval(Duration::from_secs(1));
//!     let three: Vec<_> = ticks.take(3).collect().await;
//!     assert_eq!(three.len(), 3);
//!     assert_eq!(three[2] - three[0], Duration::from_secs(2));
//! });
//! ```

pub use futures_core::Stream;
pub use futures_lite::stream::{empty, iter, once, pending, poll_fn, repeat, StreamExt};
