//! hyper's HTTP/1.1 server on solo: a `!Send` service whose per-server
//! state is an `Rc<RefCell<_>>`, connections kept alive between requests,
//! and a header-read timeout on solo's clock ([`solo::hyper::SoloTimer`]).
//!
//! Routes: `GET /` answers `Hello, world!`; `GET /stats` the requests and
//! connections served so far; `GET /slow` the same greeting after
//! [`SLOW`], to have a request in flight; anything else is a 404.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures_lite::future;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use solo::hyper::SoloTimer;
use solo::net::{TcpListener, TcpStream};

/// The greeting of `GET /`.
pub const HELLO: &str = "Hello, world!\n";
/// How long `GET /slow` takes.
pub const SLOW: Duration = Duration::from_millis(200);
/// How long a client has to send a request's headers, by default.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// What one server has counted. Shared by its connections as an
/// `Rc<RefCell<Stats>>`: the service is `!Send`, which solo allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted.
    pub connections: u64,
    /// Requests answered.
    pub requests: u64,
}

/// Serves HTTP/1.1 on `listener` until accepting fails, each connection on
/// its own task; headers must arrive within `header_timeout`.
pub async fn serve(
    listener: TcpListener,
    stats: Rc<RefCell<Stats>>,
    header_timeout: Duration,
) -> io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let stats = stats.clone();
        solo::spawn(async move {
            let never = future::pending::<()>();
            if let Err(e) = serve_connection(stream, stats, header_timeout, never).await {
                log::debug!("{peer}: {e}");
            }
        });
    }
}

/// Serves one connection until the client is done, or until `stop`
/// completes: then the connection shuts down gracefully, finishing the
/// request in flight (answered with `Connection: close`) before closing.
pub async fn serve_connection(
    stream: TcpStream,
    stats: Rc<RefCell<Stats>>,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> hyper::Result<()> {
    stats.borrow_mut().connections += 1;
    let service = service_fn(move |req| respond(req, stats.clone()));
    let mut conn = pin!(http1::Builder::new()
        .timer(SoloTimer)
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(stream, service));
    let mut stop = pin!(stop);
    let stopped = future::or(async { Some(conn.as_mut().await) }, async {
        stop.as_mut().await;
        None
    })
    .await;
    match stopped {
        Some(result) => result,
        None => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    }
}

async fn respond(
    req: Request<Incoming>,
    stats: Rc<RefCell<Stats>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    stats.borrow_mut().requests += 1;
    let (status, body) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => (StatusCode::OK, HELLO.to_owned()),
        (&Method::GET, "/slow") => {
            solo::time::sleep(SLOW).await;
            (StatusCode::OK, HELLO.to_owned())
        }
        (&Method::GET, "/stats") => {
            let s = *stats.borrow();
            let body = format!("connections {} requests {}\n", s.connections, s.requests);
            (StatusCode::OK, body)
        }
        _ => (StatusCode::NOT_FOUND, "not found\n".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    Ok(response)
}
