//! One client connection: writes a request, reads and frames a response.
//!
//! Memory stays bounded whatever the server sends: the head is capped
//! (`MAX_HEAD`), the body by the caller's limit, and a body is allocated as
//! it arrives, never up front from what `Content-Length` announces.

use std::io;

use httparse::Status;
use solo::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use solo::net::TcpStream;

use super::{Error, Response};
use crate::buf::{self, ReadBuf};
use crate::head::{self, BadNumber, HeadRead, Persistence};
use crate::url::Url;

/// The cap on a response's status line plus headers.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most header lines a response may have.
pub const MAX_HEADERS: usize = 100;
/// The most interim (1xx) responses skipped before the final one.
pub(crate) const MAX_INTERIM: usize = 16;
/// A chunk-size line (with extensions) longer than this is rejected.
const MAX_CHUNK_LINE: usize = 4096;
/// Body capacity reserved up front at most, whatever `Content-Length` says.
pub(crate) const MAX_PREALLOC: usize = 256 * 1024;

/// How a response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Empty,
    Length(u64),
    Chunked,
    Close,
}

/// A connected socket with its reused read and write buffers.
///
/// Generic over the byte stream so that the blocking client
/// ([`crate::blocking`], over a blocking socket) and the fuzz entry points
/// ([`crate::fuzzing`], over bytes in memory) run this very code.
#[derive(Debug)]
pub(crate) struct Conn<S = TcpStream> {
    stream: S,
    /// Received bytes not yet consumed (grows up to `MAX_HEAD` for big heads).
    rbuf: ReadBuf,
    wbuf: Vec<u8>,
    /// The host and port it was opened for (the pool's key).
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Responses completed on this connection.
    pub(crate) served: u64,
    /// Whether any byte came back since the last request was sent (body
    /// bytes read straight past `rbuf` count too).
    received: bool,
}

impl Conn {
    /// Connects to the URL's host and port, with `TCP_NODELAY`.
    pub(crate) async fn connect(url: &Url) -> Result<Conn, Error> {
        let stream = TcpStream::connect((url.host(), url.port()))
            .await
            .map_err(|e| Error::connecting(url, e))?;
        stream.set_nodelay(true)?;
        Ok(Conn::from_stream(stream, url.host(), url.port()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Wraps an open byte stream to `host:port` (the pool's key).
    pub(crate) fn from_stream(stream: S, host: &str, port: u16) -> Conn<S> {
        Conn {
            stream,
            rbuf: ReadBuf::new(),
            wbuf: Vec::with_capacity(256),
            host: host.to_string(),
            port,
            served: 0,
            received: false,
        }
    }

    /// Writes a `GET` for `url` in one write.
    pub(crate) async fn send_get(
        &mut self,
        url: &Url,
        keep_alive: bool,
        user_agent: &str,
    ) -> io::Result<()> {
        self.received = false;
        self.wbuf.clear();
        write_get(&mut self.wbuf, url, keep_alive, user_agent);
        self.stream.write_all(&self.wbuf).await
    }

    /// Whether any byte of a response is buffered.
    pub(crate) fn has_buffered(&self) -> bool {
        !self.rbuf.is_empty()
    }

    /// Whether any byte came back since the last [`send_get`](Self::send_get)
    /// (or ever, before the first), whether still buffered or already
    /// consumed: a reused connection that fails with nothing received may be
    /// retried on a fresh one, one that failed mid-response may not.
    pub(crate) fn received_any(&self) -> bool {
        self.received || self.has_buffered()
    }

    /// Reads one final response (skipping 1xx ones). Returns it and whether
    /// the connection may carry another request.
    pub(crate) async fn read_response(
        &mut self,
        max_body: usize,
    ) -> Result<(Response, bool), Error> {
        let mut interim = 0;
        loop {
            let (mut response, framing, mut reusable) = self.read_head(max_body).await?;
            if (100..200).contains(&response.status) && response.status != 101 {
                interim += 1;
                if interim > MAX_INTERIM {
                    return Err(Error::TooManyInterimResponses);
                }
                continue;
            }
            response.body = match framing {
                Framing::Empty => Vec::new(),
                Framing::Length(n) => self.read_sized(n).await?,
                Framing::Chunked => self.read_chunked(max_body).await?,
                Framing::Close => {
                    reusable = false;
                    self.read_to_close(max_body).await?
                }
            };
            // Bytes after the response were never asked for: do not reuse.
            reusable &= !self.has_buffered() && response.status != 101;
            self.served += 1;
            return Ok((response, reusable));
        }
    }

    /// Reads and parses a status line and headers, consuming them.
    async fn read_head(&mut self, max_body: usize) -> Result<(Response, Framing, bool), Error> {
        let read = head::read_head(&mut self.rbuf, &mut self.stream, MAX_HEAD, |data| {
            Ok(parse_head(data, max_body)?.map(|head| (head.consumed, head)))
        })
        .await;
        // Whatever ended the read, bytes of a response arrived if a head
        // parsed or some are still buffered (the buffer was empty before).
        self.received |= matches!(read, Ok(HeadRead::Parsed(_))) || self.has_buffered();
        match read? {
            HeadRead::Parsed(head) => Ok((head.response, head.framing, head.reusable)),
            HeadRead::Invalid(e) => Err(e),
            HeadRead::TooLarge => Err(Error::HeaderTooLarge { limit: MAX_HEAD }),
            HeadRead::Ended { received: 0 } => Err(Error::ClosedBeforeResponse),
            HeadRead::Ended { received } => Err(Error::IncompleteHead { received }),
        }
    }

    /// Reads more of the response into the buffer (up to `cap` buffered).
    async fn fill(&mut self, cap: usize) -> io::Result<usize> {
        let n = self.rbuf.fill(&mut self.stream, cap).await?;
        self.received |= n > 0;
        Ok(n)
    }

    /// Appends exactly `n` bytes of body to `out`: buffered ones first, then
    /// straight from the socket. Returns how many arrived before end of stream.
    ///
    /// Room is zeroed at most `MAX_PREALLOC` at a time and kept across reads,
    /// so each body byte is zeroed once however small the server's writes.
    async fn read_exact_into(&mut self, out: &mut Vec<u8>, n: usize) -> io::Result<usize> {
        let mut got = self.rbuf.take_into(out, n);
        // `out[..filled]` holds the body so far; `out[filled..]` is room.
        let mut filled = out.len();
        while got < n {
            if filled == out.len() {
                out.resize(filled + (n - got).min(MAX_PREALLOC), 0);
            }
            let read = match self.stream.read(&mut out[filled..]).await {
                Ok(read) => read,
                Err(e) => {
                    out.truncate(filled);
                    return Err(e);
                }
            };
            if read == 0 {
                break;
            }
            self.received = true;
            filled += read;
            got += read;
        }
        out.truncate(filled);
        Ok(got)
    }

    async fn read_sized(&mut self, n: u64) -> Result<Vec<u8>, Error> {
        // `parse_head` checked `n` against the body cap, so it fits a usize.
        let len = usize::try_from(n).map_err(|_| Error::InvalidContentLength(n.to_string()))?;
        let mut body = Vec::with_capacity(len.min(MAX_PREALLOC));
        let got = self.read_exact_into(&mut body, len).await?;
        if got < len {
            return Err(Error::BodyTooShort {
                expected: n,
                received: got as u64,
            });
        }
        Ok(body)
    }

    async fn read_to_close(&mut self, max_body: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        loop {
            self.rbuf.take_into(&mut body, usize::MAX);
            if body.len() > max_body {
                return Err(Error::BodyTooLarge { limit: max_body });
            }
            if self.fill(buf::INITIAL).await? == 0 {
                return Ok(body);
            }
        }
    }

    async fn read_chunked(&mut self, max_body: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        loop {
            let size = self.read_chunk_size().await?;
            if size == 0 {
                self.read_trailers().await?;
                return Ok(body);
            }
            let size =
                usize::try_from(size).map_err(|_| Error::BodyTooLarge { limit: max_body })?;
            if size > max_body.saturating_sub(body.len()) {
                return Err(Error::BodyTooLarge { limit: max_body });
            }
            if self.read_exact_into(&mut body, size).await? < size {
                return Err(Error::BadChunk("the body ended inside a chunk"));
            }
            self.fill_at_least(2, "the body ended after a chunk")
                .await?;
            if &self.rbuf.data()[..2] != b"\r\n" {
                return Err(Error::BadChunk("no CRLF after a chunk's data"));
            }
            self.rbuf.consume(2);
        }
    }

    async fn read_chunk_size(&mut self) -> Result<u64, Error> {
        loop {
            if let Some((consumed, size)) = parse_chunk_size(self.rbuf.data())? {
                self.rbuf.consume(consumed);
                return Ok(size);
            }
            if self.fill(MAX_HEAD).await? == 0 {
                return Err(Error::BadChunk("the body ended before its last chunk"));
            }
        }
    }

    /// Skips the trailer section after the last chunk (up to `MAX_HEAD`).
    async fn read_trailers(&mut self) -> Result<(), Error> {
        // Bytes already searched for the blank line: a server dribbling
        // trailers costs O(n) scanning, not a rescan per read.
        let mut scanned: usize = 0;
        loop {
            let data = self.rbuf.data();
            if let Some(end) = trailers_end(data, scanned) {
                self.rbuf.consume(end);
                return Ok(());
            }
            scanned = data.len();
            if data.len() >= MAX_HEAD {
                return Err(Error::BadChunk("trailers larger than the head cap"));
            }
            if self.fill(MAX_HEAD).await? == 0 {
                return Err(Error::BadChunk("the body ended inside its trailers"));
            }
        }
    }

    async fn fill_at_least(&mut self, n: usize, eof: &'static str) -> Result<(), Error> {
        while self.rbuf.len() < n {
            if self.fill(MAX_HEAD).await? == 0 {
                return Err(Error::BadChunk(eof));
            }
        }
        Ok(())
    }
}

/// A parsed response head.
#[derive(Debug)]
pub(crate) struct Head {
    /// Bytes of the input the head took.
    pub(crate) consumed: usize,
    /// The response, body still empty.
    pub(crate) response: Response,
    pub(crate) framing: Framing,
    /// Whether the connection may carry another request after this response.
    pub(crate) reusable: bool,
}

/// Appends a `GET` request for `url` to `w`; both clients send this.
pub(crate) fn write_get(w: &mut Vec<u8>, url: &Url, keep_alive: bool, user_agent: &str) {
    w.extend_from_slice(b"GET ");
    w.extend_from_slice(url.target().as_bytes());
    w.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    url.write_host_header(w);
    w.extend_from_slice(b"\r\nUser-Agent: ");
    w.extend_from_slice(user_agent.as_bytes());
    w.extend_from_slice(if keep_alive {
        b"\r\nConnection: keep-alive\r\n\r\n".as_slice()
    } else {
        b"\r\nConnection: close\r\n\r\n".as_slice()
    });
}

/// Parses the chunk-size line (with any extensions) at the start of
/// `data`: `Some((consumed, size))` once it is whole, `None` if more bytes
/// are needed. A size that is not hexadecimal or does not fit a `u64`, or a
/// line longer than `MAX_CHUNK_LINE`, is [`Error::BadChunkSize`].
pub(crate) fn parse_chunk_size(data: &[u8]) -> Result<Option<(usize, u64)>, Error> {
    match httparse::parse_chunk_size(data) {
        Ok(Status::Complete(line)) => Ok(Some(line)),
        Ok(Status::Partial) if data.len() > MAX_CHUNK_LINE => Err(Error::BadChunkSize),
        Ok(Status::Partial) => Ok(None),
        Err(httparse::InvalidChunkSize) => Err(Error::BadChunkSize),
    }
}

/// Where the trailer section at the start of `data` (all of it, up to and
/// including its blank line) ends, if it is complete. The first `scanned`
/// bytes were searched before (when fewer had arrived) and are not searched
/// again, so a peer dribbling trailers costs linear work.
pub(crate) fn trailers_end(data: &[u8], scanned: usize) -> Option<usize> {
    if data.starts_with(b"\r\n") {
        return Some(2);
    }
    let from = scanned.saturating_sub(3).min(data.len());
    data[from..]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| from + i + 4)
}

/// Parses a complete head in `data`: `None` if more bytes are needed.
pub(crate) fn parse_head(data: &[u8], max_body: usize) -> Result<Option<Head>, Error> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let consumed = match parsed.parse(data) {
        Ok(Status::Complete(n)) => n,
        Ok(Status::Partial) => return Ok(None),
        Err(e) => return Err(head_error(e, data)),
    };
    let (Some(version), Some(status)) = (parsed.version, parsed.code) else {
        return Err(Error::MalformedStatusLine(first_line(data)));
    };
    let mut response = Response {
        status,
        reason: parsed.reason.unwrap_or_default().to_string(),
        headers: Vec::with_capacity(parsed.headers.len()),
        body: Vec::new(),
    };
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut persistence = Persistence::default();
    for h in parsed.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = parse_content_length(&value)?;
            if length.is_some_and(|l| l != n) {
                return Err(Error::InvalidContentLength(format!("{length:?} and {n}")));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(',').next().unwrap_or_default().trim();
            if !last.eq_ignore_ascii_case("chunked") {
                return Err(Error::UnsupportedTransferEncoding(value.into_owned()));
            }
            chunked = true;
        } else if h.name.eq_ignore_ascii_case("connection") {
            persistence.add(h.value);
        }
        response
            .headers
            .push((h.name.to_string(), value.into_owned()));
    }
    let framing = if status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        if n > max_body as u64 {
            return Err(Error::BodyTooLarge { limit: max_body });
        }
        Framing::Length(n)
    } else {
        Framing::Close
    };
    Ok(Some(Head {
        consumed,
        response,
        framing,
        reusable: persistence.persists(version),
    }))
}

fn parse_content_length(value: &str) -> Result<u64, Error> {
    let v = value.trim();
    head::decimal(v.as_bytes()).map_err(|_: BadNumber| Error::InvalidContentLength(v.to_string()))
}

fn head_error(e: httparse::Error, data: &[u8]) -> Error {
    match e {
        httparse::Error::Status | httparse::Error::Version => {
            Error::MalformedStatusLine(first_line(data))
        }
        httparse::Error::TooManyHeaders => Error::TooManyHeaders { limit: MAX_HEADERS },
        other => Error::MalformedHeader(other.to_string()),
    }
}

/// The first line of `data`, lossy and cut to 80 bytes, for error messages.
fn first_line(data: &[u8]) -> String {
    let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = &line[..line.len().min(80)];
    String::from_utf8_lossy(line).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<Head>, Error> {
        parse_head(text.as_bytes(), 1 << 20)
    }

    #[test]
    fn framing_follows_the_headers() {
        let framing = |t: &str| head(t).unwrap().unwrap().framing;
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
            Framing::Length(5)
        );
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
            Framing::Chunked
        );
        assert_eq!(framing("HTTP/1.1 200 OK\r\n\r\n"), Framing::Close);
        assert_eq!(framing("HTTP/1.1 204 No Content\r\n\r\n"), Framing::Empty);
    }

    #[test]
    fn connection_close_and_http10_are_not_reusable() {
        let reusable = |t: &str| head(t).unwrap().unwrap().reusable;
        assert!(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assert!(!reusable(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        ));
        assert!(!reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assert!(reusable(
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
        ));
    }

    #[test]
    fn bad_content_lengths_are_rejected() {
        for v in ["-1", "+5", "abc", "", "1 2", "99999999999999999999999"] {
            let text = format!("HTTP/1.1 200 OK\r\nContent-Length: {v}\r\n\r\n");
            assert!(
                matches!(head(&text), Err(Error::InvalidContentLength(_))),
                "{v:?}"
            );
        }
        let two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
        assert!(matches!(head(two), Err(Error::InvalidContentLength(_))));
    }

    #[test]
    fn huge_content_length_is_too_large_without_allocating() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n";
        assert!(matches!(head(text), Err(Error::BodyTooLarge { .. })));
    }

    #[test]
    fn garbage_is_a_malformed_status_line() {
        let err = head("SSH-2.0-OpenSSH\r\n\r\n").unwrap_err();
        assert!(matches!(err, Error::MalformedStatusLine(ref l) if l == "SSH-2.0-OpenSSH"));
        assert!(matches!(
            head("HTTP/1.1 2000 OK\r\n\r\n"),
            Err(Error::MalformedStatusLine(_))
        ));
    }

    #[test]
    fn partial_heads_ask_for_more() {
        assert!(head("HTTP/1.1 200 OK\r\nContent-Le").unwrap().is_none());
    }
}
