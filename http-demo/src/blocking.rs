//! The baseline: a plain blocking `std::net` client, one request at a time.
//!
//! It is what a program without async I/O does (Python's `requests`, say):
//! connect, send, wait for the whole answer, and only then start the next.
//! It sends the async client's request and reads the response with the
//! async client's parsers, so the two differ in how they wait, not in what
//! they accept.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::client::conn::{
    parse_chunk_size, parse_head, trailers_end, write_get, Framing, Head, MAX_INTERIM, MAX_PREALLOC,
};
use crate::client::{Error, Response, MAX_HEAD, USER_AGENT};
use crate::head::HeadScan;
use crate::url::Url;

/// The most bytes asked of the socket in one read into the buffer.
const READ_SIZE: usize = 8 * 1024;

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
/// The response is parsed and framed as the async client does: the head
/// with its parser (at most [`MAX_HEAD`] bytes), interim `1xx` responses
/// skipped (up to the same limit), the body delimited by `Content-Length`,
/// by chunked encoding (trailers read and discarded) or, when neither is
/// given, by the close. Nothing past the end of the response is waited
/// for, so a server that keeps the connection open after a complete
/// response does not delay it. Only the first address the host resolves
/// to is tried.
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
    let mut conn = Conn {
        stream,
        deadline,
        buf: Vec::with_capacity(READ_SIZE),
        pos: 0,
    };

    let mut request = Vec::with_capacity(128);
    write_get(&mut request, url, false, USER_AGENT);
    conn.write_all(&request)?;
    conn.read_response(max_body)
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

    /// The error for a failed read or write: a socket timeout (set to the
    /// time left) means the deadline passed.
    fn io_error(&self, e: io::Error) -> Error {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::TimedOut(self.timeout),
            _ => Error::Io(e),
        }
    }
}

/// A connection for one request: the socket, the deadline every wait on it
/// is bounded by, and the bytes received and not yet consumed.
#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    deadline: Deadline,
    /// Received bytes not yet consumed are `buf[pos..]`.
    buf: Vec<u8>,
    pos: usize,
}

impl Conn {
    /// The bytes received and not yet consumed.
    fn data(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Marks the first `n` buffered bytes (at most all of them) consumed.
    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.buf.len());
    }

    /// Writes all of `data` before the deadline.
    fn write_all(&mut self, mut data: &[u8]) -> Result<(), Error> {
        while !data.is_empty() {
            self.stream.set_write_timeout(self.deadline.left()?)?;
            match self.stream.write(data) {
                Ok(0) => return Err(Error::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => data = data.get(n..).unwrap_or_default(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.deadline.io_error(e)),
            }
        }
        Ok(())
    }

    /// Reads once into the buffer, at most `max` (at least one) bytes.
    /// Returns the bytes read; 0 means end of stream.
    fn fill(&mut self, max: usize) -> Result<usize, Error> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + max.clamp(1, READ_SIZE), 0);
        let read = read_before(&mut self.stream, self.deadline, &mut self.buf[old..]);
        self.buf.truncate(old + read.as_ref().map_or(0, |&n| n));
        read
    }

    /// Reads until at least `n` bytes are buffered; the end of the stream
    /// first is [`Error::BadChunk`]`(eof)`.
    fn fill_at_least(&mut self, n: usize, eof: &'static str) -> Result<(), Error> {
        while self.data().len() < n {
            if self.fill(READ_SIZE)? == 0 {
                return Err(Error::BadChunk(eof));
            }
        }
        Ok(())
    }

    /// Reads one final response, skipping interim (1xx) ones.
    fn read_response(&mut self, max_body: usize) -> Result<Response, Error> {
        let mut interim = 0;
        loop {
            let head = self.read_head(max_body)?;
            let mut response = head.response;
            if (100..200).contains(&response.status) && response.status != 101 {
                interim += 1;
                if interim > MAX_INTERIM {
                    return Err(Error::TooManyInterimResponses);
                }
                continue;
            }
            response.body = match head.framing {
                Framing::Empty => Vec::new(),
                Framing::Length(n) => self.read_sized(n)?,
                Framing::Chunked => self.read_chunked(max_body)?,
                Framing::Close => self.read_to_close(max_body)?,
            };
            return Ok(response);
        }
    }

    /// Reads and parses a status line and headers, consuming them.
    fn read_head(&mut self, max_body: usize) -> Result<Head, Error> {
        let mut scan = HeadScan::default();
        loop {
            let data = self.data();
            if scan.should_parse(data) {
                if let Some(head) = parse_head(data, max_body)? {
                    self.consume(head.consumed);
                    return Ok(head);
                }
            }
            let received = data.len();
            // A head that will grow no further gets one more parse, as in
            // `head::read_head`, so a malformed line is reported whatever
            // the read sizes.
            if received >= MAX_HEAD {
                parse_head(data, max_body)?;
                return Err(Error::HeaderTooLarge { limit: MAX_HEAD });
            }
            if self.fill(MAX_HEAD - received)? == 0 {
                let data = self.data();
                if !data.is_empty() {
                    parse_head(data, max_body)?;
                }
                return Err(match data.len() {
                    0 => Error::ClosedBeforeResponse,
                    received => Error::IncompleteHead { received },
                });
            }
        }
    }

    /// Appends up to `n` bytes of body to `out`: buffered ones first, then
    /// straight from the socket. Returns how many arrived before the end of
    /// the stream. Room is reserved at most `MAX_PREALLOC` bytes at a time,
    /// whatever `n` is.
    fn read_exact_into(&mut self, out: &mut Vec<u8>, n: usize) -> Result<usize, Error> {
        let buffered = n.min(self.data().len());
        out.extend_from_slice(&self.data()[..buffered]);
        self.consume(buffered);
        let mut got = buffered;
        // `out[..filled]` holds the body so far; `out[filled..]` is room.
        let mut filled = out.len();
        while got < n {
            if filled == out.len() {
                out.resize(filled.saturating_add((n - got).min(MAX_PREALLOC)), 0);
            }
            let read = match read_before(&mut self.stream, self.deadline, &mut out[filled..]) {
                Ok(read) => read,
                Err(e) => {
                    out.truncate(filled);
                    return Err(e);
                }
            };
            if read == 0 {
                break;
            }
            filled += read;
            got += read;
        }
        out.truncate(filled);
        Ok(got)
    }

    fn read_sized(&mut self, n: u64) -> Result<Vec<u8>, Error> {
        // `parse_head` checked `n` against the body cap, so it fits a usize.
        let len = usize::try_from(n).map_err(|_| Error::InvalidContentLength(n.to_string()))?;
        let mut body = Vec::with_capacity(len.min(MAX_PREALLOC));
        let got = self.read_exact_into(&mut body, len)?;
        if got < len {
            return Err(Error::BodyTooShort {
                expected: n,
                received: got as u64,
            });
        }
        Ok(body)
    }

    fn read_to_close(&mut self, max_body: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        loop {
            body.extend_from_slice(self.data());
            self.consume(usize::MAX);
            if body.len() > max_body {
                return Err(Error::BodyTooLarge { limit: max_body });
            }
            // One byte over the cap is enough to know it is too large.
            let wanted = (max_body - body.len()).saturating_add(1);
            if self.fill(wanted)? == 0 {
                return Ok(body);
            }
        }
    }

    fn read_chunked(&mut self, max_body: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        loop {
            let size = self.read_chunk_size()?;
            if size == 0 {
                self.read_trailers()?;
                return Ok(body);
            }
            let size =
                usize::try_from(size).map_err(|_| Error::BodyTooLarge { limit: max_body })?;
            if size > max_body.saturating_sub(body.len()) {
                return Err(Error::BodyTooLarge { limit: max_body });
            }
            if self.read_exact_into(&mut body, size)? < size {
                return Err(Error::BadChunk("the body ended inside a chunk"));
            }
            self.fill_at_least(2, "the body ended after a chunk")?;
            if !self.data().starts_with(b"\r\n") {
                return Err(Error::BadChunk("no CRLF after a chunk's data"));
            }
            self.consume(2);
        }
    }

    fn read_chunk_size(&mut self) -> Result<u64, Error> {
        loop {
            if let Some((consumed, size)) = parse_chunk_size(self.data())? {
                self.consume(consumed);
                return Ok(size);
            }
            if self.fill(READ_SIZE)? == 0 {
                return Err(Error::BadChunk("the body ended before its last chunk"));
            }
        }
    }

    /// Skips the trailer section after the last chunk (up to `MAX_HEAD`).
    fn read_trailers(&mut self) -> Result<(), Error> {
        let mut scanned = 0;
        loop {
            let data = self.data();
            if let Some(end) = trailers_end(data, scanned) {
                self.consume(end);
                return Ok(());
            }
            scanned = data.len();
            if scanned >= MAX_HEAD {
                return Err(Error::BadChunk("trailers larger than the head cap"));
            }
            if self.fill(MAX_HEAD - scanned)? == 0 {
                return Err(Error::BadChunk("the body ended inside its trailers"));
            }
        }
    }
}

/// Reads once from `stream` into `out` (not empty), waiting at most until
/// `deadline`. Returns the bytes read; 0 means end of stream.
fn read_before(stream: &mut TcpStream, deadline: Deadline, out: &mut [u8]) -> Result<usize, Error> {
    loop {
        stream.set_read_timeout(deadline.left()?)?;
        match stream.read(out) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(deadline.io_error(e)),
        }
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
}
