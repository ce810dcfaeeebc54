//! hyper-hello: one hyper 1.x HTTP/1.1 hello-world service, served on solo
//! (through `solo::hyper`) and on tokio's current-thread runtime (through
//! hyper-util's `TokioIo` and `TokioTimer`), on a server thread of its own;
//! smol has no column (hyper has no smol glue of its own).
//!
//! Only the server's runtime differs: the client is the http-keepalive
//! client ([`http::Conn`]) on solo, on the child's main thread, for both
//! columns: 64 keep-alive connections, one request in flight on each,
//! 200,000 requests in all (`--quick`: 20,000). Every response is checked
//! (status 200, the greeting's length), and the server's own counts must be
//! exactly the connections and requests sent. Reports requests per second
//! and the server thread's CPU time per request (`getrusage(RUSAGE_THREAD)`,
//! user + system, from its first accept to its last connection's end).

use std::cell::Cell;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};

use super::{http, wrong, Params};
use crate::measure::thread_cpu;
use crate::report::Report;
use crate::rt::{Rt, Solo, Tokio};

/// The workload's name.
pub const NAME: &str = "hyper-hello";
/// What it does.
pub const ABOUT: &str =
    "a hyper hello-world server on solo or tokio, 64 keep-alive connections, 200k requests; req/s, server CPU/req";
/// Keep-alive connections (as http-keepalive's).
pub const CONNECTIONS: u64 = 64;
/// What `GET /` answers.
pub const HELLO: &str = "Hello, world!\n";
/// How long a client has to send a request's headers (hyper's
/// `header_read_timeout`, so each request arms a timer, as a real server's
/// would).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// A run that takes longer than this fails.
const LIMIT: Duration = Duration::from_secs(60);

/// A runtime that can serve hyper: the IO type hyper reads and writes, and
/// hyper's timer on the runtime's clock.
pub trait HyperRt: Rt {
    /// An accepted stream as hyper's `Read + Write`.
    type Io: hyper::rt::Read + hyper::rt::Write + Unpin + 'static;
    /// hyper's timer on this runtime.
    type Timer: hyper::rt::Timer + Clone + Send + Sync + 'static;

    /// Wraps an accepted stream for hyper.
    fn io(stream: Self::Stream) -> Self::Io;

    /// The timer.
    fn timer() -> Self::Timer;
}

/// solo's stream is hyper's IO as it is (`solo::hyper`).
impl HyperRt for Solo {
    type Io = solo::net::TcpStream;
    type Timer = solo::hyper::SoloTimer;

    fn io(stream: solo::net::TcpStream) -> solo::net::TcpStream {
        stream
    }

    fn timer() -> solo::hyper::SoloTimer {
        solo::hyper::SoloTimer
    }
}

/// tokio through hyper-util's glue.
impl HyperRt for Tokio {
    type Io = hyper_util::rt::TokioIo<tokio::net::TcpStream>;
    type Timer = hyper_util::rt::TokioTimer;

    fn io(stream: tokio::net::TcpStream) -> Self::Io {
        hyper_util::rt::TokioIo::new(stream)
    }

    fn timer() -> hyper_util::rt::TokioTimer {
        hyper_util::rt::TokioTimer::new()
    }
}

/// What a server thread did, counted by the server itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// Connections accepted.
    pub connections: u64,
    /// Requests answered (any path).
    pub requests: u64,
    /// The server thread's CPU time (user + system) from just before its
    /// first accept to the end of its last connection.
    pub cpu: Duration,
}

/// The greeting for `GET /`, a 404 for anything else; counts every request.
async fn hello(
    req: Request<Incoming>,
    requests: Rc<Cell<u64>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    requests.set(requests.get() + 1);
    let mut response = Response::new(Full::new(Bytes::from_static(HELLO.as_bytes())));
    if (req.method(), req.uri().path()) != (&Method::GET, "/") {
        *response.body_mut() = Full::new(Bytes::from_static(b"not found\n"));
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(response)
}

/// Serves `hello` over HTTP/1.1 with keep-alive on `addr`, on a runtime
/// `R` of the calling thread, each connection on a task of its own; calls
/// `ready` with the bound address once it listens. With `connections`, it
/// accepts that many, waits until every one has ended (the client closed
/// it) and returns what it served; without, it serves until accepting
/// fails. The first connection error, if any, is the result.
pub fn serve<R: HyperRt>(
    addr: SocketAddr,
    connections: Option<u64>,
    ready: impl FnOnce(SocketAddr),
) -> io::Result<Served> {
    R::block_on(async move {
        let listener = R::bind(addr).await?;
        ready(R::local_addr(&listener)?);
        let start = thread_cpu();
        let requests = Rc::new(Cell::new(0));
        let mut conns = Vec::new();
        while connections.is_none_or(|n| (conns.len() as u64) < n) {
            let stream = R::accept(&listener).await?;
            let requests = requests.clone();
            let conn = http1::Builder::new()
                .timer(R::timer())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(true)
                .serve_connection(
                    R::io(stream),
                    service_fn(move |req| hello(req, requests.clone())),
                );
            conns.push(R::spawn(conn));
        }
        let accepted = conns.len() as u64;
        for conn in conns {
            conn.await
                .map_err(|e| wrong(format!("a hyper connection failed: {e}")))?;
        }
        Ok(Served {
            connections: accepted,
            requests: requests.get(),
            cpu: thread_cpu().saturating_sub(start),
        })
    })
}

/// Starts [`serve`] on `R` on 127.0.0.1 (ephemeral port) on a thread of its
/// own, for `connections` connections; its address, and the thread, whose
/// result is what it served.
pub fn spawn_server<R: HyperRt>(
    connections: u64,
) -> io::Result<(SocketAddr, JoinHandle<io::Result<Served>>)> {
    let (tx, rx) = mpsc::channel();
    let thread = thread::Builder::new()
        .name(format!("hyper-{}", R::NAME))
        .spawn(move || {
            let any = SocketAddr::from(([127, 0, 0, 1], 0));
            serve::<R>(any, Some(connections), |addr| {
                let _ = tx.send(addr);
            })
        })?;
    match rx.recv() {
        Ok(addr) => Ok((addr, thread)),
        // The thread ended before listening: its error says why.
        Err(_) => Err(match thread.join() {
            Ok(Err(e)) => e,
            _ => wrong(format!("the hyper server on {} never listened", R::NAME)),
        }),
    }
}

/// What one [`exchange`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// Responses the client received and checked (status 200, the
    /// greeting's length).
    pub responses: u64,
    /// What the server counted.
    pub served: Served,
    /// From the first request sent to the last response read.
    pub wall: Duration,
}

/// Serves `hello` on `R` (its own thread) and sends it `total` requests
/// of `GET /` over `connections` keep-alive connections from the
/// http-keepalive client on solo; an error if any response is wrong, the
/// run takes over a minute, or the server fails.
pub fn exchange<R: HyperRt>(connections: u64, total: u64) -> io::Result<Exchange> {
    let connections = connections.min(total).max(1);
    http::ensure_sockets(connections)?;
    let (addr, server) = spawn_server::<R>(connections)?;
    let (responses, wall) = Solo::block_on(http::keepalive_gets::<Solo>(
        addr,
        "/",
        HELLO.len(),
        connections,
        total,
        LIMIT,
    ))?;
    let served = server
        .join()
        .map_err(|_| wrong(format!("the hyper server on {} panicked", R::NAME)))??;
    Ok(Exchange {
        responses,
        served,
        wall,
    })
}

/// Runs it with the server on `R`.
pub fn run<R: HyperRt>(params: &Params) -> io::Result<Report> {
    let total = params.size(200_000, 20_000).max(1);
    let connections = CONNECTIONS.min(total);
    let done = exchange::<R>(connections, total)?;
    let served = (done.served.connections, done.served.requests);
    if done.responses != total || served != (connections, total) {
        return Err(wrong(format!(
            "{} responses; the server saw {} connections, {} requests; expected {total}, \
             {connections}, {total}",
            done.responses, served.0, served.1
        )));
    }
    Ok(Report::new()
        .higher("req/s", total as f64 / done.wall.as_secs_f64())
        .lower(
            "server CPU µs/req",
            done.served.cpu.as_secs_f64() * 1e6 / total as f64,
        ))
}
