//! What the two HTTP workloads share: the http-demo server on a thread of
//! its own, and one small HTTP/1.1 client written once over [`Rt`].
//!
//! The client has the shape of `http_demo::client`: the request goes out in
//! one write, the head is read until `\r\n\r\n` and parsed with `httparse`,
//! then exactly `Content-Length` body bytes are read. Every response is
//! checked (status 200, the expected length); anything else is an error, so
//! a broken run fails instead of producing a fast wrong figure.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http_demo::server::{Config, ServerHandle};

use super::wrong;
use crate::rt::Rt;

/// The cap on a response head; the server's are under 100 bytes.
const MAX_HEAD: usize = 2 * 1024;
/// The read buffer (as `http_demo::client` starts with): a head and a
/// 1 KiB body fit. Small, since fanout opens 5,000 connections at once
/// and the buffer is zeroed: at 16 KiB, zeroing fresh pages was 9% of a
/// solo fanout child's samples (`perf record`).
const BUF: usize = 4 * 1024;
/// The most header lines a response may have.
const MAX_HEADERS: usize = 16;

/// Starts the http-demo server on 127.0.0.1 (ephemeral port) on its own OS
/// thread with its own solo runtime, so every client runtime talks to the
/// same server. Dropping the handle stops it and joins the thread.
pub fn start_server() -> io::Result<ServerHandle> {
    http_demo::server::spawn_thread("127.0.0.1:0", Config::default())
}

/// Checks, from the server's side, that it accepted `connections`
/// connections and parsed `requests` requests, none of them malformed.
pub fn check_served(server: &ServerHandle, connections: u64, requests: u64) -> io::Result<()> {
    let stats = server.stats();
    let seen = (
        stats.accepted as u64,
        stats.requests as u64,
        stats.bad_requests,
    );
    if seen != (connections, requests, 0) {
        return Err(wrong(format!(
            "the server saw {} connections, {} requests, {} malformed; \
             expected {connections}, {requests}, 0",
            seen.0, seen.1, seen.2
        )));
    }
    Ok(())
}

/// Raises the soft limit on open files (to the hard limit if needed) so
/// that `sockets` client sockets, and the server's end of each, fit.
pub fn ensure_sockets(sockets: u64) -> io::Result<()> {
    http_demo::demo::ensure_descriptors(2 * sockets + 64)
        .map(drop)
        .map_err(io::Error::other)
}

/// Runs `future`, or fails with `TimedOut` after `limit` (so a stuck run
/// ends with a message rather than at the child's overall timeout).
pub async fn within<R: Rt, T>(
    limit: Duration,
    what: &str,
    future: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    futures_lite::future::or(future, async {
        R::sleep(limit).await;
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{what}: not done after {limit:?}"),
        ))
    })
    .await
}

/// The keep-alive client of http-keepalive and hyper-hello: opens
/// `connections` connections to `addr` (at least one), then sends `total`
/// GETs of `path` over them, one in flight per connection (the remainder
/// goes to the first ones, one each), each response checked for status 200
/// and `body_len` bytes. Returns the responses read and the wall time from
/// the first request to the last response; fails after `limit`.
pub async fn keepalive_gets<R: Rt>(
    addr: SocketAddr,
    path: &str,
    body_len: usize,
    connections: u64,
    total: u64,
    limit: Duration,
) -> io::Result<(u64, Duration)> {
    let connections = connections.max(1);
    let request = request(addr, path, true);
    let mut conns = Vec::new();
    for _ in 0..connections {
        conns.push(Conn::<R>::connect(addr).await?);
    }
    let probe = crate::measure::Probe::start();
    let clients: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, mut conn)| {
            let share = total / connections + u64::from((i as u64) < total % connections);
            let request = request.clone();
            R::spawn(async move {
                for _ in 0..share {
                    conn.get(&request, body_len).await?;
                }
                // Dropping `conn` closes it: the server's task ends.
                io::Result::Ok(share)
            })
        })
        .collect();
    let what = format!("{total} GETs of {path} on {connections} connections");
    let responses = within::<R, _>(limit, &what, async {
        let mut responses = 0;
        for client in clients {
            responses += client.await?;
        }
        Ok(responses)
    })
    .await?;
    Ok((responses, probe.stop().0))
}

/// The request for `path` on `addr`: `keep_alive` false adds
/// `Connection: close` (HTTP/1.1 keeps connections alive by default).
pub fn request(addr: SocketAddr, path: &str, keep_alive: bool) -> Vec<u8> {
    let close = if keep_alive {
        ""
    } else {
        "Connection: close\r\n"
    };
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{close}\r\n").into_bytes()
}

/// One client connection with its read buffer (received bytes not yet
/// consumed are `buf[pos..end]`).
pub struct Conn<R: Rt> {
    stream: R::Stream,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
}

impl<R: Rt> Conn<R> {
    /// Connects to `addr` (with `TCP_NODELAY`).
    pub async fn connect(addr: SocketAddr) -> io::Result<Conn<R>> {
        Ok(Conn {
            stream: R::connect(addr).await?,
            buf: vec![0; BUF].into_boxed_slice(),
            pos: 0,
            end: 0,
        })
    }

    /// Sends `request` (in one write) and reads its response; an error
    /// unless the status is 200 and the body is `body_len` bytes.
    pub async fn get(&mut self, request: &[u8], body_len: usize) -> io::Result<()> {
        R::write_all(&mut self.stream, request).await?;
        self.read_response(body_len).await
    }

    async fn read_response(&mut self, body_len: usize) -> io::Result<()> {
        let head_len = loop {
            if let Some(at) = find_head_end(&self.buf[self.pos..self.end]) {
                break at;
            }
            if self.end - self.pos >= MAX_HEAD {
                return Err(wrong(format!(
                    "no end of the response head in {MAX_HEAD} bytes"
                )));
            }
            self.fill().await?;
        };
        let (status, len) = parse_head(&self.buf[self.pos..self.pos + head_len])?;
        self.pos += head_len;
        if status != 200 {
            return Err(wrong(format!("status {status}, expected 200")));
        }
        if len != body_len as u64 {
            return Err(wrong(format!("Content-Length {len}, expected {body_len}")));
        }
        let mut left = body_len;
        loop {
            let take = left.min(self.end - self.pos);
            self.pos += take;
            left -= take;
            if left == 0 {
                return Ok(());
            }
            self.fill().await?;
        }
    }

    /// Reads more bytes after `end`, first moving unconsumed ones to the
    /// front if the buffer is full; the peer closing is an error here
    /// (it only happens mid-response).
    async fn fill(&mut self) -> io::Result<()> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let n = R::read(&mut self.stream, &mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection mid-response",
            ));
        }
        self.end += n;
        Ok(())
    }
}

/// The length of the head (through `\r\n\r\n`) at the start of `bytes`, if
/// it is all there.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// The status and `Content-Length` of a complete response head; an error
/// if it does not parse, has no `Content-Length`, or has a bad one.
fn parse_head(head: &[u8]) -> io::Result<(u16, u64)> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(wrong("an incomplete response head")),
        Err(e) => return Err(wrong(format!("a malformed response head: {e}"))),
    }
    let status = response
        .code
        .ok_or_else(|| wrong("a response without a status"))?;
    let mut length = None;
    for h in response.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| wrong("an invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(wrong("conflicting Content-Length headers"));
            }
            length = Some(n);
        }
    }
    let length = length.ok_or_else(|| wrong("a response without Content-Length"))?;
    Ok((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_is_found_only_when_complete() {
        assert_eq!(find_head_end(b"HTTP/1.1 200 OK\r\n\r\nxx"), Some(19));
        assert_eq!(find_head_end(b"HTTP/1.1 200 OK\r\n\r"), None);
        assert_eq!(find_head_end(b""), None);
    }

    #[test]
    fn heads_parse_and_bad_ones_are_errors_not_panics() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 1024\r\n\r\n";
        assert_eq!(parse_head(ok).unwrap(), (200, 1024));
        let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n";
        assert_eq!(parse_head(not_found).unwrap(), (404, 10));
        for bad in [
            &b"HTTP/1.1 200 OK\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"garbage\r\n\r\n",
        ] {
            assert!(
                parse_head(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn requests_ask_to_close_only_when_told() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        assert_eq!(
            request(addr, "/bytes/1024", true),
            b"GET /bytes/1024 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
        );
        assert_eq!(
            request(addr, "/delay/50", false),
            b"GET /delay/50 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n"
        );
    }
}
