//! A small HTTP/1.1 client on `solo`: [`get`] for one request, [`Client`]
//! to reuse connections.
//!
//! Only `GET` over plain `http://`. Responses are framed by
//! `Content-Length`, `Transfer-Encoding: chunked`, or the connection's close;
//! interim `1xx` responses are skipped. Whatever the server sends, a request
//! ends in bounded time (the timeout) and bounded memory (a 64 KiB cap on the
//! head, a configurable cap on the body), with an [`Error`] that says why.

pub(crate) mod conn;
mod error;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

pub use conn::{MAX_HEAD, MAX_HEADERS};
pub use error::Error;

use crate::url::Url;
use conn::Conn;

/// The `User-Agent` sent unless configured otherwise.
pub const USER_AGENT: &str = concat!("http-demo/", env!("CARGO_PKG_VERSION"));

/// A complete response: status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code, such as 200.
    pub status: u16,
    /// The reason phrase, such as `OK` (may be empty).
    pub reason: String,
    /// The header lines in the order received (values decoded lossily as UTF-8).
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Fetches `url` on a new connection (sent with `Connection: close`), with
/// the default timeout of 30 s and body cap of 64 MiB.
///
/// Must run inside a `solo` runtime.
///
/// ```
/// use http_demo::{client, server};
///
/// let server = server::spawn_thread("127.0.0.1:0", server::Config::default()).unwrap();
/// let url = format!("http://{}/bytes/5", server.local_addr());
/// let response = solo::block_on(client::get(&url)).unwrap();
/// assert_eq!(response.status, 200);
/// assert_eq!(response.body.len(), 5);
///
/// let refused = solo::block_on(client::get("https://example.com/"));
/// assert!(matches!(refused, Err(client::Error::UnsupportedScheme(_))));
/// ```
///
/// # Errors
///
/// See [`Error`]: a bad URL, a failed connect, the timeout, or a response
/// that breaks HTTP/1.1 or the caps.
pub async fn get(url: &str) -> Result<Response, Error> {
    Client::builder().keep_alive(false).build().get(url).await
}

/// Settings for a [`Client`].
#[derive(Debug, Clone)]
pub struct Builder {
    timeout: Duration,
    keep_alive: bool,
    max_body: usize,
    max_idle: usize,
    user_agent: String,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            timeout: Duration::from_secs(30),
            keep_alive: true,
            max_body: 64 * 1024 * 1024,
            max_idle: 1024,
            user_agent: USER_AGENT.to_string(),
        }
    }
}

impl Builder {
    /// The deadline for a whole request: connect, send, and the complete
    /// response (default 30 s). Past it the request fails with
    /// [`Error::TimedOut`] and its connection is closed.
    pub fn timeout(mut self, timeout: Duration) -> Builder {
        self.timeout = timeout;
        self
    }

    /// Whether to keep connections open and reuse them (default true). If
    /// false, every request goes on a new connection with `Connection: close`.
    pub fn keep_alive(mut self, keep_alive: bool) -> Builder {
        self.keep_alive = keep_alive;
        self
    }

    /// The largest body accepted (default 64 MiB); a larger one fails with
    /// [`Error::BodyTooLarge`], as soon as it announces or exceeds it.
    pub fn max_body(mut self, bytes: usize) -> Builder {
        self.max_body = bytes;
        self
    }

    /// How many idle connections the pool keeps at most (default 1024);
    /// beyond that, a finished connection is closed.
    pub fn max_idle(mut self, connections: usize) -> Builder {
        self.max_idle = connections;
        self
    }

    /// The `User-Agent` header (default `http-demo/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Builder {
        let mut ua: String = user_agent.into();
        // A user agent must not smuggle in header lines.
        ua.retain(|c| c != '\r' && c != '\n');
        self.user_agent = ua;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        Client {
            inner: Rc::new(Inner {
                config: self,
                idle: RefCell::new(Vec::new()),
            }),
        }
    }
}

/// An HTTP/1.1 client with a pool of keep-alive connections.
///
/// Cloning is cheap and shares the pool, so many tasks of one runtime can
/// use one client; a request takes an idle connection to the same host and
/// port if there is one, else opens a new one, and gives it back when the
/// response was complete and the server allows reuse. A pooled connection
/// the server has closed meanwhile is detected and the request retried once
/// on a new connection (safe: the client only sends `GET`).
///
/// ```
/// use http_demo::{client::Client, server};
///
/// let server = server::spawn_thread("127.0.0.1:0", server::Config::default()).unwrap();
/// let url = format!("http://{}/delay/1", server.local_addr());
/// solo::block_on(async {
///     let client = Client::new();
///     for _ in 0..3 {
///         assert_eq!(client.get(&url).await.unwrap().status, 200);
///     }
///     assert_eq!(client.idle_connections(), 1);
/// });
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

struct Inner {
    config: Builder,
    /// Idle connections, most recently used last.
    idle: RefCell<Vec<Conn>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("idle", &self.idle_connections())
            .finish()
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client with the default settings (keep-alive on).
    pub fn new() -> Client {
        Builder::default().build()
    }

    /// Settings for a new client.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// How many idle connections the pool holds.
    pub fn idle_connections(&self) -> usize {
        self.inner.idle.borrow().len()
    }

    /// Fetches `url`, within the configured timeout.
    ///
    /// A host name is resolved with the system resolver on one of `solo`'s
    /// blocking threads (`spawn_blocking`), so other tasks keep running
    /// meanwhile; the lookup counts against the timeout. An IP address
    /// needs no lookup.
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn get(&self, url: &str) -> Result<Response, Error> {
        let url = Url::parse(url)?;
        self.get_url(&url).await
    }

    /// Fetches an already parsed URL, within the configured timeout.
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn get_url(&self, url: &Url) -> Result<Response, Error> {
        let limit = self.inner.config.timeout;
        match solo::time::timeout(limit, self.request(url)).await {
            Ok(result) => result,
            Err(_) => Err(Error::TimedOut(limit)),
        }
    }

    async fn request(&self, url: &Url) -> Result<Response, Error> {
        if let Some(conn) = self.take_idle(url) {
            match self.exchange(conn, url).await {
                Err((e, true)) => log::debug!("pooled connection was stale ({e}); reconnecting"),
                done => return done.map_err(|(e, _)| e),
            }
        }
        let conn = Conn::connect(url).await?;
        self.exchange(conn, url).await.map_err(|(e, _)| e)
    }

    /// Sends one request on `conn` and reads the response. On error, also
    /// says whether a retry on a new connection is safe: the connection had
    /// served before and failed before any byte of a response came back.
    async fn exchange(&self, mut conn: Conn, url: &Url) -> Result<Response, (Error, bool)> {
        let config = &self.inner.config;
        let reused = conn.served > 0;
        if let Err(e) = conn
            .send_get(url, config.keep_alive, &config.user_agent)
            .await
        {
            return Err((e.into(), reused));
        }
        match conn.read_response(config.max_body).await {
            Ok((response, reusable)) => {
                if reusable && config.keep_alive {
                    self.put_idle(conn);
                }
                Ok(response)
            }
            Err(e) => {
                // Body bytes move out of the read buffer as they arrive, so
                // an empty buffer does not mean nothing came back.
                let stale = reused
                    && !conn.received_any()
                    && matches!(e, Error::ClosedBeforeResponse | Error::Io(_));
                Err((e, stale))
            }
        }
    }

    fn take_idle(&self, url: &Url) -> Option<Conn> {
        let mut idle = self.inner.idle.borrow_mut();
        let i = idle
            .iter()
            .rposition(|c| c.port == url.port() && c.host == url.host())?;
        Some(idle.swap_remove(i))
    }

    fn put_idle(&self, conn: Conn) {
        let mut idle = self.inner.idle.borrow_mut();
        if idle.len() < self.inner.config.max_idle {
            idle.push(conn);
        }
    }
}
