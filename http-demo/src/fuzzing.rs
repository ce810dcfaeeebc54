//! Entry points for the fuzz targets in `http-demo/fuzz` and the corpus
//! replay test (`tests/fuzz_corpus.rs`). Not a stable API.
//!
//! Each runs the real client or server connection code (the same
//! `Conn::read_response` and `serve` the sockets use) over a [`Script`]: an
//! in-memory stream that hands out the input in reads of a chosen size, so
//! the incremental paths (partial heads, buffer growth and compaction, chunk
//! lines split across reads) are fuzzed too.
//!
//! Input format, for both targets: the first byte is the read size
//! (`0`: everything in one read), the rest is what the peer sends.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use solo::io::{AsyncRead, AsyncWrite};

use crate::client::conn::{parse_head, Conn, Framing};
use crate::client::{Error, Response};
use crate::server::conn::serve_stream;
use crate::server::{Config, StatsCells};

/// The client's body cap while fuzzing.
pub const MAX_BODY: usize = 64 * 1024;
/// The most responses read from one input (while the connection stays reusable).
pub const MAX_RESPONSES: usize = 4;
/// The server's `/bytes/<n>` cap while fuzzing (keeps each run small).
pub const MAX_BYTES: u64 = 4 * 1024;
/// Bytes the server may write before the script's writes fail.
pub const MAX_OUTPUT: usize = 1024 * 1024;

/// An in-memory peer: reads return `input` in pieces of `step` bytes (then
/// end of stream); writes are collected, up to [`MAX_OUTPUT`].
#[derive(Debug)]
pub struct Script<'a> {
    input: &'a [u8],
    step: usize,
    /// Everything written so far.
    pub written: Vec<u8>,
    /// Whether a write failed at [`MAX_OUTPUT`].
    pub hit_output_cap: bool,
}

impl<'a> Script<'a> {
    /// Splits a fuzz input into the read size (first byte, `0` for no
    /// limit) and the bytes the peer sends.
    pub fn new(data: &'a [u8]) -> Script<'a> {
        let (step, input) = match data.split_first() {
            None => (usize::MAX, &[][..]),
            Some((&0, rest)) => (usize::MAX, rest),
            Some((&n, rest)) => (usize::from(n), rest),
        };
        Script {
            input,
            step,
            written: Vec::new(),
            hit_output_cap: false,
        }
    }
}

impl AsyncRead for Script<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let n = buf.len().min(self.step).min(self.input.len());
        let (now, later) = self.input.split_at(n);
        buf[..n].copy_from_slice(now);
        self.input = later;
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for Script<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.written.len() + buf.len() > MAX_OUTPUT {
            self.hit_output_cap = true;
            return Poll::Ready(Err(io::Error::other("fuzz script output cap")));
        }
        self.written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Runs `future` on a fresh paused-clock runtime, so timers (the server's
/// `/delay/`, its idle timeout) fire at once. Not from inside another `solo`
/// runtime. A runtime per input, so no state (timers, clock) carries over
/// from one input to the next.
fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    solo::Builder::new()
        .start_paused(true)
        .build()
        .expect("a solo runtime for fuzzing")
        .block_on(future)
}

/// Reads responses from `data` (see the module docs for the format) with
/// the client's connection code, as many as [`MAX_RESPONSES`] while the
/// connection stays reusable. Returns each outcome in order; the last is
/// an error or a response after which the connection is not reusable.
pub fn client_responses(data: &[u8]) -> Vec<Result<Response, Error>> {
    let mut conn = Conn::from_stream(Script::new(data), "fuzz", 80);
    run(async {
        let mut outcomes = Vec::new();
        while outcomes.len() < MAX_RESPONSES {
            match conn.read_response(MAX_BODY).await {
                Ok((response, reusable)) => {
                    outcomes.push(Ok(response));
                    if !reusable {
                        break;
                    }
                }
                Err(e) => {
                    outcomes.push(Err(e));
                    break;
                }
            }
        }
        outcomes
    })
}

/// What the server wrote back on one fuzzed connection.
#[derive(Debug)]
pub struct Exchange {
    /// Every byte written.
    pub written: Vec<u8>,
    /// Whether writing stopped at [`MAX_OUTPUT`] (the last response may
    /// then be cut short).
    pub hit_output_cap: bool,
    /// Whether the client's bytes contain `HEAD` at all: only then may a
    /// response with a non-zero `Content-Length` come without its body.
    pub sent_head: bool,
}

/// Serves one connection whose client sends `data` (see the module docs
/// for the format) with the server's connection code, and returns what the
/// server wrote back.
pub fn server_exchange(data: &[u8]) -> Exchange {
    let config = Config {
        max_bytes: MAX_BYTES,
        ..Config::default()
    };
    let stats = StatsCells::default();
    let mut script = Script::new(data);
    run(serve_stream(&mut script, &config, &stats));
    Exchange {
        written: script.written,
        hit_output_cap: script.hit_output_cap,
        sent_head: data.windows(4).any(|w| w == b"HEAD"),
    }
}

/// Panics unless the server's output is a sequence of complete responses,
/// each with a head the client's parser accepts and a `Content-Length`
/// body (the last may be cut short only at the output cap). A `100
/// Continue` may come before a response. A response may lack its body only
/// if the client sent a `HEAD` and the bytes after the head are the next
/// response or the end: the check cannot tell which request each response
/// answers, so it cannot catch a GET answered without its body when the
/// same input also holds a HEAD (`tests/server_protocol.rs` does).
pub fn check_server_output(exchange: &Exchange) {
    const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";
    let mut rest = exchange.written.as_slice();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(CONTINUE) {
            rest = after;
            continue;
        }
        let head = match parse_head(rest, usize::MAX) {
            Ok(Some(head)) => head,
            Ok(None) if exchange.hit_output_cap => return,
            other => panic!(
                "the server wrote a head the client rejects ({other:?}): {:?}",
                String::from_utf8_lossy(&rest[..rest.len().min(200)])
            ),
        };
        let Framing::Length(len) = head.framing else {
            panic!("a server response without Content-Length: {head:?}");
        };
        assert!(
            head.response.header("date").is_some(),
            "a server response without Date: {head:?}"
        );
        let after_head = &rest[head.consumed..];
        if exchange.sent_head && (after_head.is_empty() || after_head.starts_with(b"HTTP/1.1 ")) {
            rest = after_head;
            continue;
        }
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| head.consumed.checked_add(len))
            .unwrap_or(usize::MAX);
        if end > rest.len() {
            assert!(
                exchange.hit_output_cap,
                "a server response shorter than its Content-Length: {head:?}"
            );
            return;
        }
        rest = &rest[end..];
    }
}
