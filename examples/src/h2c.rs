//! HTTP/2 with prior knowledge (h2c) on solo, both ends: hyper's HTTP/2
//! server serving a `!Send` service, and its client multiplexing many
//! requests as concurrent streams of one connection. Both hand their
//! background tasks to [`SoloExecutor`].
//!
//! Routes: `GET /` answers `Hello over h2c`; `GET /together/{n}` holds the
//! request until `n` requests are held at once (or [`HOLD_LIMIT`] passes),
//! then answers the most it saw at once: only streams that are truly
//! concurrent can answer `n`.

use std::cell::Cell;
use std::convert::Infallible;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http2 as client;
use hyper::server::conn::http2 as server;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use solo::hyper::{SoloExecutor, SoloTimer};
use solo::net::{TcpListener, TcpStream, ToSocketAddrs};
use solo::sync::local::Notify;

use crate::hyper_client::BoxError;

/// The greeting of `GET /`.
pub const HELLO: &str = "Hello over h2c\n";
/// The longest `GET /together/{n}` holds a request.
pub const HOLD_LIMIT: Duration = Duration::from_secs(10);

/// One server's state, shared by its connections' streams as an
/// `Rc<Held>` (`!Send`: `Cell`s and solo's local `Notify`).
#[derive(Debug, Default)]
pub struct Held {
    connections: Cell<u64>,
    now: Cell<u64>,
    peak: Cell<u64>,
    arrived: Notify,
}

impl Held {
    /// Connections accepted.
    pub fn connections(&self) -> u64 {
        self.connections.get()
    }

    /// The most requests `/together/{n}` held at once.
    pub fn peak(&self) -> u64 {
        self.peak.get()
    }
}

/// Serves HTTP/2 (prior knowledge) on `listener` until accepting fails.
pub async fn serve(listener: TcpListener, held: Rc<Held>) -> io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        held.connections.set(held.connections.get() + 1);
        let held = held.clone();
        solo::spawn(async move {
            let service = service_fn(move |req| respond(req, held.clone()));
            let conn = server::Builder::new(SoloExecutor)
                .timer(SoloTimer)
                .max_concurrent_streams(256)
                .serve_connection(stream, service);
            if let Err(e) = conn.await {
                log::debug!("{peer}: {e}");
            }
        });
    }
}

async fn respond(
    req: Request<Incoming>,
    held: Rc<Held>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    let (status, body) = match path.strip_prefix("/together/").map(str::parse::<u64>) {
        Some(Ok(n)) => (StatusCode::OK, hold_until(n, &held).await.to_string()),
        Some(Err(_)) => (StatusCode::BAD_REQUEST, "n must be a number\n".to_owned()),
        None if path == "/" => (StatusCode::OK, HELLO.to_owned()),
        None => (StatusCode::NOT_FOUND, "not found\n".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    Ok(response)
}

/// Holds this request until `n` are held at once, or [`HOLD_LIMIT`];
/// returns the peak.
async fn hold_until(n: u64, held: &Held) -> u64 {
    held.now.set(held.now.get() + 1);
    held.peak.set(held.peak.get().max(held.now.get()));
    held.arrived.notify_waiters();
    let enough = async {
        // The check and the first poll of `notified` run without a yield
        // between them (one thread): no arrival is missed.
        while held.peak.get() < n {
            held.arrived.notified().await;
        }
    };
    let _ = solo::time::timeout(HOLD_LIMIT, enough).await;
    held.now.set(held.now.get() - 1);
    held.peak.get()
}

/// An HTTP/2 connection (prior knowledge) to a server; cloning it opens no
/// new connection, each clone's requests are new streams on the same one.
#[derive(Clone, Debug)]
pub struct Client {
    sender: client::SendRequest<Empty<Bytes>>,
}

impl Client {
    /// Connects and does the HTTP/2 handshake; the connection runs on its
    /// own solo task.
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Client, BoxError> {
        let stream = TcpStream::connect(addr).await?;
        let (sender, conn) = client::Builder::new(SoloExecutor)
            .timer(SoloTimer)
            .handshake(stream)
            .await?;
        solo::spawn(async move {
            if let Err(e) = conn.await {
                log::debug!("h2 connection: {e}");
            }
        });
        Ok(Client { sender })
    }

    /// `GET path` as a new stream: the status and the body as text.
    pub async fn get(&mut self, path: &str) -> Result<(StatusCode, String), BoxError> {
        self.sender.ready().await?;
        let uri = format!("http://localhost{path}");
        let req = Request::get(uri).body(Empty::new())?;
        let response = self.sender.send_request(req).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8(body.to_vec())?))
    }
}
