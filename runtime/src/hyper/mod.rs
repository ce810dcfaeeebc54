//! Run [hyper](https://docs.rs/hyper) 1.x, and what is built on it (axum,
//! tower services), on solo: the `hyper` feature.
//!
//! hyper does no I/O and keeps no clock of its own; it asks its runtime for
//! four things through the traits of [`hyper::rt`], and this module gives
//! them, with no adapter type around the sockets:
//!
//! * [`Read`](hyper::rt::Read) and [`Write`](hyper::rt::Write) on
//!   [`TcpStream`](crate::net::TcpStream) and, on Unix,
//!   [`UnixStream`](crate::net::UnixStream) themselves: pass the stream to
//!   `serve_connection` or `handshake` as it is. Writes are vectored
//!   (`writev`), as hyper prefers.
//! * [`SoloExecutor`]: hyper's [`Executor`](hyper::rt::Executor), which
//!   [`spawn`](crate::spawn)s on the current runtime. Futures need not be
//!   `Send`, so HTTP/2 serves `!Send` services (an `Rc<RefCell<_>>` state).
//! * [`SoloTimer`]: hyper's [`Timer`](hyper::rt::Timer), on the runtime's
//!   clock (a [paused](crate::time::pause) clock included): header-read
//!   timeouts, HTTP/2 keep-alive pings. Its sleeps are [`SoloSleep`]s, which
//!   hyper requires to be `Send + Sync`; [`SoloSleep`] says how that holds
//!   while solo's own [`Sleep`](crate::time::Sleep) stays `!Send`.
//!
//! Everything must run inside a solo runtime, on its thread: the executor
//! panics outside one, as [`spawn`](crate::spawn) does, and a sleep panics
//! if polled on another thread.
//!
//! This crate does not depend on hyper-util; to serve a tower service (an
//! axum `Router`), wrap it in hyper-util's `TowerToHyperService`. The
//! `examples` crate (feature `hyper`) has a server, a client, an axum
//! application and an HTTP/2 pair. A server's connection loop is:
//!
//! ```ignore
//! let listener = solo::net::TcpListener::bind("127.0.0.1:8080").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     solo::spawn(async move {
//!         hyper::server::conn::http1::Builder::new()
//!             .timer(solo::hyper::SoloTimer)
//!             .header_read_timeout(Duration::from_secs(5))
//!             .serve_connection(stream, service_fn(hello))
//!             .await
//!     });
//! }
//! ```
//!
//! What the three pieces do, with hyper's traits alone:
//!
//! ```
//! use std::rc::Rc;
//! use std::time::Duration;
//! use hyper::rt::{Executor, Timer};
//! use solo::hyper::{SoloExecutor, SoloTimer};
//!
//! solo::block_on(async {
//!     // The timer's sleeps follow the runtime's clock.
//!     let start = solo::time::Instant::now();
//!     SoloTimer.sleep(Duration::from_millis(10)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(10));
//!
//!     // The executor runs futures that are not Send.
//!     let shared = Rc::new(42);
//!     let (tx, rx) = solo::sync::local::oneshot::channel();
//!     SoloExecutor.execute(async move {
//!         let _ = tx.send(*shared);
//!     });
//!     assert_eq!(rx.await.unwrap(), 42);
//! });
//! ```

mod executor;
mod io;
mod timer;

pub use executor::SoloExecutor;
pub use timer::{SoloSleep, SoloTimer};
