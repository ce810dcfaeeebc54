//! The baseline: a plain blocking `std::net` client, one request at a time.
//!
//! It is what a program without async I/O does (Python's `requests`, say):
//! connect, send, wait for the whole answer, and only then start the next.
//! It runs the async client's own connection code (`client::conn::Conn`)
//! over a blocking socket: every read and write blocks (bounded by the request's
//! deadline) and so is always ready, and a trivial executor
//! ([`futures_lite::future::block_on`]) drives the future to its end
//! without ever parking. The two clients differ in how they wait, not in
//! what they send or accept.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_lite::future;
use solo::io::{AsyncRead, AsyncWrite};

use crate::client::conn::Conn;
use crate::client::{Error, Response, USER_AGENT};
use crate::url::Url;

/// Fetches `url` on a new blocking connection (`Connection: close`).
///
/// `timeout` is one deadline for the whole request, as in the async
/// client: connecting, sending and receiving the complete response must all
/// be done within it, or the request fails with [`Error::TimedOut`]`(timeout)`.
/// Each connect, read and write waits at most for what is left of it, so a
/// server that sends a byte now and then cannot stretch the request past
/// it. The host-name lookup counts against the deadline, but the system
/// resolver cannot be interrupted, so a hanging lookup is not cut off (an
/// IP address needs no lookup). A timeout too large to add to the current
/// [`Instant`] means no deadline.
///
/// `max_body` caps the body, as [`client::Builder::max_body`] does; any
/// value is safe, `usize::MAX` included (no size the server sends can
/// overflow or panic).
///
/// The request and the response's parsing and framing are the async
/// client's own code, not a copy: the head capped at
/// [`MAX_HEAD`](crate::client::MAX_HEAD) bytes, interim `1xx` responses
/// skipped, the body delimited by `Content-Length`, by chunked encoding
/// (trailers read and discarded) or, when neither is given, by the close.
/// Nothing past the end of the response is waited for, so a server that
/// keeps the connection open after a complete response does not delay it.
/// Only the first address the host resolves to is tried.
///
/// [`client::Builder::max_body`]: crate::client::Builder::max_body
///
/// # Errors
///
/// See [`Error`]: the same variant the async client gives for the same
/// failure.
pub fn get(url: &Url, timeout: Duration, max_body: usize) -> Result<Response, Error> {
    let deadline = Deadline::start(timeout);
    let connect_error = |e| Error::connecting(url, e);
    let addr = (url.host(), url.port())
        .to_socket_addrs()
        .map_err(connect_error)?
        .next()
        .ok_or_else(|| Error::InvalidUrl(format!("{} resolves to nothing", url.host())))?;
    let connected = match deadline.left()? {
        Some(left) => TcpStream::connect_timeout(&addr, left),
        None => TcpStream::connect(addr),
    };
    let stream = connected.map_err(|e| match e.kind() {
        io::ErrorKind::TimedOut => Error::TimedOut(timeout),
        _ => connect_error(e),
    })?;
    stream.set_nodelay(true)?;
    let stream = BlockingStream { stream, deadline };
    let mut conn = Conn::from_stream(stream, url.host(), url.port());
    let exchange = async {
        conn.send_get(url, false, USER_AGENT).await?;
        conn.read_response(max_body).await
    };
    match future::block_on(exchange) {
        Ok((response, _reusable)) => Ok(response),
        Err(Error::Io(e)) if DeadlinePassed::caused(&e) => Err(Error::TimedOut(timeout)),
        Err(e) => Err(e),
    }
}

/// When a request must be done by.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    /// The caller's timeout, for [`Error::TimedOut`].
    timeout: Duration,
    /// `None` if `now + timeout` is past what [`Instant`] can hold.
    at: Option<Instant>,
}

impl Deadline {
    fn start(timeout: Duration) -> Deadline {
        Deadline {
            timeout,
            at: Instant::now().checked_add(timeout),
        }
    }

    /// The time left, never zero (std refuses a zero socket timeout):
    /// `Ok(None)` if there is no deadline, [`Error::TimedOut`] if no time
    /// is left.
    fn left(&self) -> Result<Option<Duration>, Error> {
        let Some(at) = self.at else {
            return Ok(None);
        };
        match at.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(Error::TimedOut(self.timeout)),
        }
    }

    /// The time left as a socket timeout, or the [`DeadlinePassed`] error.
    fn socket_timeout(&self) -> io::Result<Option<Duration>> {
        self.left().map_err(|_| DeadlinePassed::error())
    }
}

/// The payload of the `io::Error` a [`BlockingStream`] fails with once the
/// deadline has passed, so that [`get`] can tell it from the peer's errors
/// and report [`Error::TimedOut`].
#[derive(Debug)]
struct DeadlinePassed;

impl DeadlinePassed {
    fn error() -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed)
    }

    /// Whether `e` is the error [`error`](Self::error) made.
    fn caused(e: &io::Error) -> bool {
        e.get_ref()
            .is_some_and(|inner| inner.is::<DeadlinePassed>())
    }
}

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request's deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

/// A blocking socket seen as an async stream: every poll blocks until the
/// operation is done, so it is always `Ready` and never registers a waker
/// (any executor drives it; none need park).
///
/// Each read and write waits at most until the deadline (the socket's
/// timeout is set to what is left before each), and fails with
/// [`DeadlinePassed`] after it.
#[derive(Debug)]
struct BlockingStream {
    stream: TcpStream,
    deadline: Deadline,
}

impl BlockingStream {
    /// Runs `op` on the socket until it is not interrupted, with `set` (the
    /// read or the write timeout) set to the time left before each try. A
    /// socket timeout means the deadline passed.
    fn wait<T>(
        &mut self,
        set: fn(&TcpStream, Option<Duration>) -> io::Result<()>,
        mut op: impl FnMut(&mut TcpStream) -> io::Result<T>,
    ) -> io::Result<T> {
        loop {
            set(&self.stream, self.deadline.socket_timeout()?)?;
            match op(&mut self.stream) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(DeadlinePassed::error())
                }
                other => return other,
            }
        }
    }
}

impl AsyncRead for BlockingStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Poll::Ready(this.wait(TcpStream::set_read_timeout, |s| s.read(buf)))
    }
}

impl AsyncWrite for BlockingStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Poll::Ready(this.wait(TcpStream::set_write_timeout, |s| s.write(buf)))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().stream.shutdown(std::net::Shutdown::Write))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_time_left_is_a_timeout_not_a_zero_duration() {
        let deadline = Deadline::start(Duration::ZERO);
        assert!(matches!(
            deadline.left(),
            Err(Error::TimedOut(Duration::ZERO))
        ));
    }

    #[test]
    fn time_left_shrinks_and_is_never_zero() {
        let deadline = Deadline::start(Duration::from_secs(60));
        let left = deadline.left().unwrap().unwrap();
        assert!(
            !left.is_zero() && left <= Duration::from_secs(60),
            "{left:?}"
        );
    }

    #[test]
    fn a_timeout_past_what_instant_holds_is_no_deadline() {
        let deadline = Deadline::start(Duration::MAX);
        assert!(matches!(deadline.left(), Ok(None)));
    }

    /// A connected pair: the blocking stream (with `timeout`) and the peer.
    fn pair(timeout: Duration) -> (BlockingStream, TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (peer, _) = listener.accept().unwrap();
        let deadline = Deadline::start(timeout);
        (BlockingStream { stream, deadline }, peer)
    }

    #[test]
    fn a_read_with_no_time_left_fails_as_the_deadline_not_the_peer() {
        let (mut stream, _peer) = pair(Duration::ZERO);
        let read = future::block_on(solo::io::AsyncReadExt::read(&mut stream, &mut [0; 8]));
        let e = read.unwrap_err();
        assert!(DeadlinePassed::caused(&e), "{e:?}");
    }

    #[test]
    fn a_read_the_peer_does_not_answer_ends_at_the_deadline() {
        let timeout = Duration::from_millis(200);
        let (mut stream, _peer) = pair(timeout);
        let start = Instant::now();
        let read = future::block_on(solo::io::AsyncReadExt::read(&mut stream, &mut [0; 8]));
        let e = read.unwrap_err();
        assert!(DeadlinePassed::caused(&e), "{e:?}");
        assert!(start.elapsed() >= timeout, "{:?}", start.elapsed());
    }

    #[test]
    fn a_peers_reset_is_not_taken_for_the_deadline() {
        let (mut stream, peer) = pair(Duration::from_secs(5));
        // Unread data at close makes the peer send a reset.
        stream.stream.write_all(b"unread").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        drop(peer);
        let read = future::block_on(solo::io::AsyncReadExt::read(&mut stream, &mut [0; 8]));
        match read {
            Err(e) => assert!(!DeadlinePassed::caused(&e), "{e:?}"),
            Ok(n) => assert_eq!(n, 0),
        }
    }
}
