use std::fmt;
use std::io;
use std::time::Duration;

use crate::url::ParseError;

/// Everything a request can fail with. `Display` says what went wrong in
/// words a user can act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The URL could not be parsed.
    InvalidUrl(String),
    /// The URL's scheme is not `http` (`https` needs TLS, which this client
    /// does not have).
    UnsupportedScheme(String),
    /// Nobody listens at the address (`ECONNREFUSED`).
    ConnectRefused {
        /// `host:port` as given.
        addr: String,
    },
    /// Connecting failed for another reason (name lookup, unreachable, out
    /// of file descriptors, ...).
    Connect {
        /// `host:port` as given.
        addr: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The whole request (connect, send, receive) took longer than the timeout.
    TimedOut(Duration),
    /// Reading or writing the connection failed (reset by the peer, ...).
    Io(io::Error),
    /// The connection closed before a single byte of the response arrived.
    ClosedBeforeResponse,
    /// The connection closed in the middle of the status line or headers.
    IncompleteHead {
        /// Bytes of head received before the close.
        received: usize,
    },
    /// The first line is not `HTTP/1.x <3-digit status> <reason>`.
    MalformedStatusLine(String),
    /// A header line could not be parsed.
    MalformedHeader(String),
    /// The response has more header lines than the client accepts.
    TooManyHeaders {
        /// The largest number of headers accepted.
        limit: usize,
    },
    /// The status line and headers together exceed the cap.
    HeaderTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// `Content-Length` is not a decimal number, or several disagree.
    InvalidContentLength(String),
    /// The server sent a `Transfer-Encoding` other than `chunked`.
    UnsupportedTransferEncoding(String),
    /// The connection closed before `Content-Length` bytes of body arrived.
    BodyTooShort {
        /// The announced length.
        expected: u64,
        /// The bytes that arrived.
        received: u64,
    },
    /// A chunk-size line of a chunked body is not a hexadecimal number
    /// (negative, non-hex, longer than 16 digits, or an endless line).
    BadChunkSize,
    /// A chunked body is malformed elsewhere (no CRLF after a chunk, endless
    /// trailers) or ends before its last chunk.
    BadChunk(&'static str),
    /// The body is (or announces to be) larger than the configured cap.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The server sent more interim (1xx) responses than the client accepts.
    TooManyInterimResponses,
}

impl Error {
    /// The error for a failed connect to `url`'s host and port.
    pub(crate) fn connecting(url: &crate::url::Url, source: io::Error) -> Error {
        let addr = format!("{}:{}", url.host(), url.port());
        match source.kind() {
            io::ErrorKind::ConnectionRefused => Error::ConnectRefused { addr },
            _ => Error::Connect { addr, source },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl(why) => ParseError::write_invalid(f, why),
            Error::UnsupportedScheme(s) => ParseError::write_unsupported(f, s),
            Error::ConnectRefused { addr } => {
                write!(f, "connection refused by {addr} (is a server listening?)")
            }
            Error::Connect { addr, source } => write!(f, "cannot connect to {addr}: {source}"),
            Error::TimedOut(d) => write!(f, "request timed out after {d:?}"),
            Error::Io(e) => write!(f, "connection error: {e}"),
            Error::ClosedBeforeResponse => {
                f.write_str("the server closed the connection without a response")
            }
            Error::IncompleteHead { received } => write!(
                f,
                "the server closed the connection in the middle of the response head \
                 (after {received} bytes)"
            ),
            Error::MalformedStatusLine(line) => write!(f, "malformed status line {line:?}"),
            Error::MalformedHeader(why) => write!(f, "malformed response header: {why}"),
            Error::TooManyHeaders { limit } => {
                write!(f, "the response has more than {limit} headers")
            }
            Error::HeaderTooLarge { limit } => {
                write!(f, "the response head is larger than {limit} bytes")
            }
            Error::InvalidContentLength(v) => write!(f, "invalid Content-Length {v:?}"),
            Error::UnsupportedTransferEncoding(v) => {
                write!(f, "unsupported Transfer-Encoding {v:?}")
            }
            Error::BodyTooShort { expected, received } => write!(
                f,
                "the body ended after {received} of the {expected} bytes its Content-Length announced"
            ),
            Error::BadChunkSize => f.write_str("bad chunk size in a chunked body"),
            Error::BadChunk(why) => write!(f, "malformed chunked body: {why}"),
            Error::BodyTooLarge { limit } => {
                write!(f, "the response body is larger than the {limit}-byte cap")
            }
            Error::TooManyInterimResponses => {
                f.write_str("the server sent too many interim (1xx) responses")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect { source, .. } | Error::Io(source) => Some(source),
            _ => None,
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Error {
        match e {
            ParseError::Invalid(why) => Error::InvalidUrl(why),
            ParseError::UnsupportedScheme(s) => Error::UnsupportedScheme(s),
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}
