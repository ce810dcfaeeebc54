//! The baseline: a plain blocking `std::net` client, one request at a time.
//!
//! It is what a program without async I/O does (Python's `requests`, say):
//! connect, send, wait for the whole answer, and only then start the next.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::client::conn::{parse_head, write_get, Framing};
use crate::client::{Error, Response, MAX_HEAD, USER_AGENT};
use crate::url::Url;

/// Fetches `url` on a new blocking connection (`Connection: close`).
///
/// `timeout` bounds the connect and each read and write (not the sum);
/// `max_body` caps the body. It sends the async client's request, reads to
/// the close (at most [`MAX_HEAD`] plus `max_body` bytes), and parses the
/// head with the async client's parser, so most malformed responses give
/// the same errors. It is simpler than the async client in what follows
/// the head: a `1xx` response is returned as it is (not skipped), and
/// chunked trailers are not checked.
///
/// # Errors
///
/// See [`Error`].
pub fn get(url: &Url, timeout: Duration, max_body: usize) -> Result<Response, Error> {
    let connect_error = |e| Error::connecting(url, e);
    let addr = (url.host(), url.port())
        .to_socket_addrs()
        .map_err(connect_error)?
        .next()
        .ok_or_else(|| Error::InvalidUrl(format!("{} resolves to nothing", url.host())))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(connect_error)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;

    let mut request = Vec::with_capacity(128);
    write_get(&mut request, url, false, USER_AGENT);
    stream.write_all(&request).map_err(timeout_error(timeout))?;

    // The server closes after the response: read it all, within the caps.
    let cap = MAX_HEAD.saturating_add(max_body).saturating_add(1);
    let mut data = Vec::with_capacity(4096);
    stream
        .take(cap as u64)
        .read_to_end(&mut data)
        .map_err(timeout_error(timeout))?;
    let head = match parse_head(&data, max_body)? {
        Some(head) => head,
        None if data.is_empty() => return Err(Error::ClosedBeforeResponse),
        None if data.len() >= MAX_HEAD => return Err(Error::HeaderTooLarge { limit: MAX_HEAD }),
        None => {
            return Err(Error::IncompleteHead {
                received: data.len(),
            })
        }
    };
    let rest = &data[head.consumed..];
    let mut response = head.response;
    response.body = match head.framing {
        Framing::Empty => Vec::new(),
        Framing::Length(n) if (rest.len() as u64) < n => {
            return Err(Error::BodyTooShort {
                expected: n,
                received: rest.len() as u64,
            })
        }
        Framing::Length(n) => rest[..n as usize].to_vec(),
        Framing::Close if rest.len() > max_body => {
            return Err(Error::BodyTooLarge { limit: max_body })
        }
        Framing::Close => rest.to_vec(),
        Framing::Chunked => dechunk(rest, max_body)?,
    };
    Ok(response)
}

fn timeout_error(timeout: Duration) -> impl Fn(std::io::Error) -> Error {
    move |e| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => Error::TimedOut(timeout),
        _ => Error::Io(e),
    }
}

/// Decodes a complete chunked body held in memory.
fn dechunk(mut data: &[u8], max_body: usize) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    loop {
        let (consumed, size) = match httparse::parse_chunk_size(data) {
            Ok(httparse::Status::Complete(c)) => c,
            Ok(httparse::Status::Partial) => {
                return Err(Error::BadChunk("the body ended before its last chunk"))
            }
            Err(_) => return Err(Error::BadChunkSize),
        };
        data = &data[consumed..];
        if size == 0 {
            return Ok(body);
        }
        let size = usize::try_from(size).map_err(|_| Error::BodyTooLarge { limit: max_body })?;
        if size > max_body.saturating_sub(body.len()) {
            return Err(Error::BodyTooLarge { limit: max_body });
        }
        if data.len() < size + 2 {
            return Err(Error::BadChunk("the body ended inside a chunk"));
        }
        body.extend_from_slice(&data[..size]);
        if &data[size..size + 2] != b"\r\n" {
            return Err(Error::BadChunk("no CRLF after a chunk's data"));
        }
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunks_and_rejects_bad_sizes() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", 100).unwrap(),
            b"abcd"
        );
        assert!(matches!(dechunk(b"zz\r\n", 100), Err(Error::BadChunkSize)));
        assert!(matches!(
            dechunk(b"10\r\n0123456789abcdef\r\n0\r\n\r\n", 8),
            Err(Error::BodyTooLarge { limit: 8 })
        ));
    }
}
