//! A small HTTP/1.1 server on `solo` with two routes, for the demo and the
//! benchmarks.
//!
//! * `GET /delay/<ms>`: 200 with a 1,024-byte body after a non-blocking sleep
//!   of `ms` milliseconds (at most [`Config::max_delay`]), standing in for a
//!   remote API's latency;
//! * `GET /bytes/<n>`: 200 with `n` bytes (at most [`Config::max_bytes`]);
//! * any other path: 404; any method but GET and HEAD: 405 with
//!   `Allow: GET, HEAD`; an out-of-range or non-numeric number: 400 (checked
//!   before the method, so `POST /bytes/abc` is a 400 and `POST /bytes/1` a
//!   405).
//!
//! `HEAD` gets the head `GET` would get, `Content-Length` included, and no
//! body. Every response carries a `Date`. Targets may be in origin form
//! (`/bytes/3`) or absolute form (`http://host/bytes/3`).
//!
//! Connections are kept alive (HTTP/1.1 default, or HTTP/1.0 with
//! `Connection: keep-alive`, which the response then repeats) and pipelined
//! requests are answered in order. Request bodies, by `Content-Length` or
//! chunked, are read and discarded, up to 64 KiB; a HTTP/1.1 client that
//! sends `Expect: 100-continue` gets `100 Continue` first, or the final
//! answer at once (and a close) if the route refuses anyway. A malformed
//! request is refused and its connection closed: 400 (bad syntax, a missing
//! or repeated `Host`, an invalid or conflicting `Content-Length`, bad chunk
//! framing, `Transfer-Encoding` with `Content-Length` or on HTTP/1.0, a bad
//! number in the path), 413 (a request body over 64 KiB), 417 (an
//! expectation other than `100-continue`), 431 (a head over
//! [`Config::max_head`], too many header lines, or trailers over 2 KiB) or
//! 501 (a transfer coding other than chunked). Everyone else is served as
//! before.
//!
//! Inside: `request` (heads) and `chunked` (bodies) parse without I/O, pure
//! functions over bytes; `route` decides each answer; `response` writes
//! every response head, with the `Date` that `date` keeps (its ticker runs
//! beside the accept loop); `conn` runs a connection: the I/O and the
//! timeouts.

mod chunked;
pub(crate) mod conn;
mod date;
mod request;
mod response;
mod route;
mod shutdown;

use std::cell::Cell;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use solo::net::TcpListener;

pub use route::DELAY_BODY_LEN;
use shutdown::Signal;

/// Server limits. Start from `Config::default()` and change fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Connections served at once (default 16,384). At the cap the server
    /// stops accepting until one closes; new clients wait in the backlog.
    pub max_connections: usize,
    /// The cap on a request's line plus headers (default 16 KiB); above it
    /// the answer is 431 and the connection closes.
    pub max_head: usize,
    /// How long a connection may sit without sending a complete request
    /// head (default 30 s): idle keep-alive connections and slow clients are
    /// closed after it. It also bounds discarding a request's body, writing
    /// each response and writing a refusal: a client that sends or reads
    /// too slowly is dropped after it.
    pub idle_timeout: Duration,
    /// The longest `/delay/<ms>` accepted (default 60 s).
    pub max_delay: Duration,
    /// The largest `/bytes/<n>` accepted (default 64 MiB).
    pub max_bytes: u64,
    /// The listen backlog (default 4,096; the kernel may cap it, on Linux at
    /// `net.core.somaxconn`).
    pub backlog: i32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connections: 16 * 1024,
            max_head: 16 * 1024,
            idle_timeout: Duration::from_secs(30),
            max_delay: Duration::from_secs(60),
            max_bytes: 64 * 1024 * 1024,
            backlog: 4096,
        }
    }
}

/// Counters of a running server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Connections accepted so far.
    pub accepted: usize,
    /// Connections open now.
    pub open: usize,
    /// Requests parsed so far (including those still being answered).
    pub requests: usize,
    /// Requests being answered now.
    pub in_flight: usize,
    /// The most requests ever answered at once.
    pub max_in_flight: usize,
    /// Malformed requests refused (with 400, 413, 417, 431 or 501).
    pub bad_requests: usize,
    /// `accept` failures (such as running out of file descriptors).
    pub accept_errors: usize,
}

/// The live counters behind [`Stats`], shared with the thread that reads them.
#[derive(Debug, Default)]
pub(crate) struct StatsCells {
    accepted: AtomicUsize,
    open: AtomicUsize,
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    bad_requests: AtomicUsize,
    accept_errors: AtomicUsize,
}

impl StatsCells {
    fn snapshot(&self) -> Stats {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        Stats {
            accepted: get(&self.accepted),
            open: get(&self.open),
            requests: get(&self.requests),
            in_flight: get(&self.in_flight),
            max_in_flight: get(&self.max_in_flight),
            bad_requests: get(&self.bad_requests),
            accept_errors: get(&self.accept_errors),
        }
    }
}

/// A bound server; [`run`](Server::run) serves on the current runtime.
///
/// ```
/// use http_demo::server::{Config, Server};
///
/// solo::block_on(async {
///     let server = Server::bind("127.0.0.1:0", Config::default()).unwrap();
///     let url = format!("http://{}/bytes/3", server.local_addr().unwrap());
///     solo::spawn(server.run());
///     let response = http_demo::client::get(&url).await.unwrap();
///     assert_eq!(response.body, b"xxx");
/// });
/// ```
pub struct Server {
    listener: TcpListener,
    config: Rc<Config>,
    stats: Arc<StatsCells>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("config", &self.config)
            .finish()
    }
}

impl Server {
    /// Binds to the first address `addr` resolves to (`SO_REUSEADDR` set,
    /// backlog from `config`). Must be called inside a `solo` runtime.
    ///
    /// # Errors
    ///
    /// If the address does not resolve or cannot be bound.
    pub fn bind(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
        let addr = first_addr(addr)?;
        Server::bind_addr(addr, config, Arc::default())
    }

    fn bind_addr(addr: SocketAddr, config: Config, stats: Arc<StatsCells>) -> io::Result<Server> {
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(config.backlog)?;
        let listener = TcpListener::from_std(socket.into())?;
        Ok(Server {
            listener,
            config: Rc::new(config),
            stats,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The server's counters now.
    pub fn stats(&self) -> Stats {
        self.stats.snapshot()
    }

    /// Serves forever (until the task is dropped).
    pub async fn run(self) {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `shutdown` completes, then stops accepting and returns.
    /// Connections already open keep being served by their own tasks until
    /// they close or the runtime is dropped.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let serve = futures_lite::future::or(self.accept_loop(), date::tick());
        futures_lite::future::or(serve, shutdown).await
    }

    async fn accept_loop(self) {
        let slots = Rc::new(Slots::default());
        loop {
            slots.wait_below(self.config.max_connections).await;
            match self.listener.accept().await {
                Ok((stream, _peer)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        log::debug!("set_nodelay failed: {e}");
                    }
                    self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                    let guard = Slot::take(&slots, &self.stats);
                    let (config, stats) = (self.config.clone(), self.stats.clone());
                    solo::spawn(async move {
                        conn::serve(stream, config, stats).await;
                        drop(guard);
                    });
                }
                Err(e) => {
                    self.stats.accept_errors.fetch_add(1, Ordering::Relaxed);
                    if let Some(pause) = accept_backoff(&e) {
                        log::warn!("accept failed: {e}; retrying in {pause:?}");
                        solo::time::sleep(pause).await;
                    }
                }
            }
        }
    }
}

/// How long to wait after a failed `accept`: out of file descriptors or
/// memory means nothing will change at once, so back off instead of
/// spinning; a connection aborted before it was accepted needs no pause.
fn accept_backoff(e: &io::Error) -> Option<Duration> {
    #[cfg(unix)]
    const EXHAUSTED: [i32; 4] = [
        libc_errno::EMFILE,
        libc_errno::ENFILE,
        libc_errno::ENOBUFS,
        libc_errno::ENOMEM,
    ];
    #[cfg(unix)]
    if e.raw_os_error()
        .is_some_and(|code| EXHAUSTED.contains(&code))
    {
        return Some(Duration::from_millis(50));
    }
    match e.kind() {
        io::ErrorKind::ConnectionAborted
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::Interrupted => None,
        _ => Some(Duration::from_millis(10)),
    }
}

/// The errno values `accept_backoff` looks for (the same on Linux, macOS
/// and the BSDs), named here rather than pulling in `libc` for four numbers.
#[cfg(unix)]
mod libc_errno {
    pub(super) const ENOMEM: i32 = 12;
    pub(super) const ENFILE: i32 = 23;
    pub(super) const EMFILE: i32 = 24;
    #[cfg(target_os = "linux")]
    pub(super) const ENOBUFS: i32 = 105;
    #[cfg(not(target_os = "linux"))]
    pub(super) const ENOBUFS: i32 = 55;
}

/// Counts open connections; the accept loop waits here at the cap.
#[derive(Default)]
struct Slots {
    open: Cell<usize>,
    waiter: Cell<Option<Waker>>,
}

impl Slots {
    async fn wait_below(&self, cap: usize) {
        poll_fn(|cx| {
            if self.open.get() < cap.max(1) {
                Poll::Ready(())
            } else {
                self.waiter.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        })
        .await
    }
}

/// One open connection; dropping it frees the slot and wakes the accept loop.
struct Slot {
    slots: Rc<Slots>,
    stats: Arc<StatsCells>,
}

impl Slot {
    fn take(slots: &Rc<Slots>, stats: &Arc<StatsCells>) -> Slot {
        slots.open.set(slots.open.get() + 1);
        stats.open.fetch_add(1, Ordering::Relaxed);
        Slot {
            slots: slots.clone(),
            stats: stats.clone(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.open.set(self.slots.open.get() - 1);
        self.stats.open.fetch_sub(1, Ordering::Relaxed);
        if let Some(waker) = self.slots.waiter.take() {
            waker.wake();
        }
    }
}

fn first_addr(addr: impl ToSocketAddrs) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "address resolved to nothing"))
}

/// Starts a server on a new OS thread with its own `solo` runtime, so it
/// does not share an event loop (or a core) with the caller's client.
///
/// Returns once the server is listening. Dropping the handle (or calling
/// [`ServerHandle::shutdown`]) stops it and joins the thread.
///
/// # Errors
///
/// If the address does not resolve or cannot be bound, or the thread or
/// runtime cannot be created.
pub fn spawn_thread(addr: impl ToSocketAddrs, config: Config) -> io::Result<ServerHandle> {
    let addr = first_addr(addr)?;
    let signal = Arc::new(Signal::default());
    let stats = Arc::new(StatsCells::default());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread = {
        let (signal, stats) = (signal.clone(), stats.clone());
        thread::Builder::new()
            .name("http-demo-server".into())
            .spawn(move || {
                let rt = match solo::Runtime::new() {
                    Ok(rt) => rt,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                rt.block_on(async move {
                    match Server::bind_addr(addr, config, stats) {
                        Ok(server) => {
                            let _ = ready_tx.send(server.local_addr());
                            server.run_until(signal.wait()).await;
                        }
                        Err(e) => drop(ready_tx.send(Err(e))),
                    }
                });
            })?
    };
    let local_addr = ready_rx
        .recv()
        .map_err(|_| io::Error::other("the server thread ended before listening"))??;
    Ok(ServerHandle {
        addr: local_addr,
        signal,
        stats,
        thread: Some(thread),
    })
}

/// A server running on its own thread; see [`spawn_thread`].
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    signal: Arc<Signal>,
    stats: Arc<StatsCells>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's counters now.
    pub fn stats(&self) -> Stats {
        self.stats.snapshot()
    }

    /// Stops the server: it stops accepting, its runtime drops every open
    /// connection, and its thread is joined.
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Blocks until the server thread ends (which it does only after a
    /// shutdown from elsewhere, so in practice: serves forever).
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    fn stop(&mut self) {
        self.signal.trigger();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                log::error!("the server thread panicked");
            }
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
