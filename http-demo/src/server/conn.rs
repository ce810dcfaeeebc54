//! One server connection: parse requests, route them, answer, repeat.

use std::io;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use httparse::Status;
use solo::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use solo::net::TcpStream;

use super::{Config, StatsCells};
use crate::buf::{self, ReadBuf};
use crate::head::{self, BadNumber, HeadRead, Persistence};

/// The body of `/delay/<ms>`.
pub const DELAY_BODY_LEN: usize = 1024;
/// The most header lines a request may have.
const MAX_REQUEST_HEADERS: usize = 32;
/// Request bodies up to this size are read and discarded; larger get 413.
const MAX_DISCARDED_BODY: u64 = 64 * 1024;
/// The body of a 404.
const NOT_FOUND_BODY: &[u8] = b"not found\n";
/// The body of a 405.
const METHOD_NOT_ALLOWED_BODY: &[u8] = b"use GET.\n";
/// Bytes served from this buffer; `/bytes/<n>` writes it repeatedly.
static FILLER: [u8; 64 * 1024] = [b'x'; 64 * 1024];
/// At most this much of a body is copied after the head, so that a small
/// response goes out in one write; the rest is written straight from
/// [`FILLER`]. It also bounds the write buffer a kept-alive connection
/// holds between requests, whatever the size of the bodies it sent.
const COALESCE: usize = 4 * 1024;

/// What a parsed request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Delay(Duration),
    Bytes(u64),
    NotFound,
    MethodNotAllowed,
}

/// A request head, parsed and checked.
#[derive(Debug)]
struct Request {
    route: Route,
    keep_alive: bool,
    body_len: u64,
}

/// Why a request is refused; the connection closes after the answer.
#[derive(Debug)]
struct Refusal {
    status: &'static str,
    why: String,
}

fn bad(why: impl Into<String>) -> Refusal {
    Refusal {
        status: "400 Bad Request",
        why: why.into(),
    }
}

/// Decrements the in-flight gauge when a request ends, even if cancelled.
struct InFlight<'a>(&'a StatsCells);

impl<'a> InFlight<'a> {
    fn enter(stats: &'a StatsCells) -> InFlight<'a> {
        let now = stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight(stats)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves requests on `stream` until the client closes, asks to close,
/// idles past the timeout, or sends something malformed (answered with a
/// 4xx, then closed). I/O errors just end the connection.
pub(crate) async fn serve(stream: TcpStream, config: Rc<Config>, stats: Arc<StatsCells>) {
    serve_stream(stream, &config, &stats).await
}

/// [`serve`] over any byte stream: the fuzz entry points
/// ([`crate::fuzzing`]) run this very code over bytes in memory.
pub(crate) async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    config: &Config,
    stats: &StatsCells,
) {
    let mut conn = ServerConn {
        stream,
        rbuf: ReadBuf::new(),
        out: Vec::with_capacity(2048),
    };
    if let Err(e) = conn.run(config, stats).await {
        log::debug!("connection ended: {e}");
    }
}

struct ServerConn<S> {
    stream: S,
    /// Received, unconsumed bytes (pipelined requests).
    rbuf: ReadBuf,
    out: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> ServerConn<S> {
    async fn run(&mut self, config: &Config, stats: &StatsCells) -> io::Result<()> {
        loop {
            let head = solo::time::timeout(config.idle_timeout, self.read_request(config)).await;
            let request = match head {
                Err(_) => return Ok(()), // idle (or too slow a head): close
                Ok(Ok(None)) => return Ok(()),
                Ok(Ok(Some(Ok(request)))) => request,
                Ok(Ok(Some(Err(refusal)))) => return self.refuse(config, stats, refusal).await,
                Ok(Err(e)) => return Err(e),
            };
            let _in_flight = InFlight::enter(stats);
            stats.requests.fetch_add(1, Ordering::Relaxed);
            if request.body_len > 0 {
                self.discard_body(request.body_len, config.idle_timeout)
                    .await?;
            }
            self.respond(&request, config.idle_timeout).await?;
            if !request.keep_alive {
                self.stream.close().await.ok();
                return Ok(());
            }
        }
    }

    /// Reads until a request head is complete. `None` at a clean end of
    /// stream; `Some(Err)` for a request to refuse.
    async fn read_request(
        &mut self,
        config: &Config,
    ) -> io::Result<Option<Result<Request, Refusal>>> {
        let read = head::read_head(&mut self.rbuf, &mut self.stream, config.max_head, |data| {
            parse_request(data, config)
        })
        .await?;
        Ok(match read {
            HeadRead::Parsed(request) => Some(Ok(request)),
            HeadRead::Invalid(refusal) => Some(Err(refusal)),
            HeadRead::TooLarge => Some(Err(Refusal {
                status: "431 Request Header Fields Too Large",
                why: format!("request head larger than {} bytes", config.max_head),
            })),
            HeadRead::Ended { received: 0 } => None,
            HeadRead::Ended { .. } => Some(Err(bad("connection closed inside the request head"))),
        })
    }

    async fn fill(&mut self, cap: usize) -> io::Result<usize> {
        self.rbuf.fill(&mut self.stream, cap).await
    }

    async fn discard_body(&mut self, mut len: u64, limit: Duration) -> io::Result<()> {
        let discard = async {
            loop {
                let n = self
                    .rbuf
                    .len()
                    .min(usize::try_from(len).unwrap_or(usize::MAX));
                self.rbuf.consume(n);
                len -= n as u64;
                if len == 0 {
                    return Ok(());
                }
                if self.fill(buf::INITIAL).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
        };
        solo::time::timeout(limit, discard).await?
    }

    /// Waits out a delay, then writes the response; a client that does not
    /// read it within `write_limit` is dropped (no slot held forever).
    async fn respond(&mut self, request: &Request, write_limit: Duration) -> io::Result<()> {
        let (status, len) = match request.route {
            Route::Delay(d) => {
                solo::time::sleep(d).await;
                ("200 OK", DELAY_BODY_LEN as u64)
            }
            Route::Bytes(n) => ("200 OK", n),
            Route::NotFound => ("404 Not Found", NOT_FOUND_BODY.len() as u64),
            Route::MethodNotAllowed => (
                "405 Method Not Allowed",
                METHOD_NOT_ALLOWED_BODY.len() as u64,
            ),
        };
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(status.as_bytes());
        out.extend_from_slice(b"\r\nContent-Length: ");
        out.extend_from_slice(len.to_string().as_bytes());
        if matches!(request.route, Route::MethodNotAllowed) {
            out.extend_from_slice(b"\r\nAllow: GET");
        }
        if !request.keep_alive {
            out.extend_from_slice(b"\r\nConnection: close");
        }
        out.extend_from_slice(b"\r\n\r\n");
        match request.route {
            Route::NotFound => out.extend_from_slice(NOT_FOUND_BODY),
            Route::MethodNotAllowed => out.extend_from_slice(METHOD_NOT_ALLOWED_BODY),
            _ => {}
        }
        // Header and body in one write when the body is small.
        let mut left = if matches!(request.route, Route::Delay(_) | Route::Bytes(_)) {
            let first = len.min(COALESCE.saturating_sub(out.len()) as u64) as usize;
            out.extend_from_slice(&FILLER[..first]);
            len - first as u64
        } else {
            0
        };
        let write = async {
            self.stream.write_all(&self.out).await?;
            while left > 0 {
                let step = left.min(FILLER.len() as u64) as usize;
                self.stream.write_all(&FILLER[..step]).await?;
                left -= step as u64;
            }
            Ok(())
        };
        solo::time::timeout(write_limit, write).await?
    }

    /// Answers a malformed request and closes, reading (a bounded amount of)
    /// what the client still sends so the answer is not lost to a reset.
    /// Writing the answer is bounded by the idle timeout like any response:
    /// a client that stopped reading (say, with a large pipelined response
    /// still unread) must not hold the connection open forever.
    async fn refuse(
        &mut self,
        config: &Config,
        stats: &StatsCells,
        refusal: Refusal,
    ) -> io::Result<()> {
        stats.bad_requests.fetch_add(1, Ordering::Relaxed);
        log::debug!("refusing a request: {} ({})", refusal.status, refusal.why);
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(refusal.status.as_bytes());
        out.extend_from_slice(b"\r\nContent-Length: ");
        out.extend_from_slice((refusal.why.len() + 1).to_string().as_bytes());
        out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
        out.extend_from_slice(refusal.why.as_bytes());
        out.push(b'\n');
        let write = async {
            self.stream.write_all(&self.out).await?;
            self.stream.close().await
        };
        let written = solo::time::timeout(config.idle_timeout, write).await;
        // Keep no big buffer: `out` may have grown for a long `why`.
        self.out.clear();
        self.out.shrink_to(COALESCE);
        written??;
        // Drain through the connection's own buffer: a scratch array here
        // would live inside every connection's future.
        let drain = async {
            let mut total = 0;
            while total < 256 * 1024 {
                self.rbuf.consume(self.rbuf.len());
                match self.rbuf.fill(&mut self.stream, buf::INITIAL).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => total += n,
                }
            }
        };
        let _ = solo::time::timeout(Duration::from_millis(500), drain).await;
        Ok(())
    }
}

/// Parses a complete request head in `data`: `None` if more is needed.
fn parse_request(data: &[u8], config: &Config) -> Result<Option<(usize, Request)>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_REQUEST_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let consumed = match parsed.parse(data) {
        Ok(Status::Complete(n)) => n,
        Ok(Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal {
                status: "431 Request Header Fields Too Large",
                why: format!("more than {MAX_REQUEST_HEADERS} header lines"),
            })
        }
        Err(e) => return Err(bad(format!("malformed request: {e}"))),
    };
    let (Some(method), Some(path), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(bad("incomplete request line"));
    };
    let mut persistence = Persistence::default();
    let mut body_len = None;
    for h in parsed.headers.iter() {
        if h.name.eq_ignore_ascii_case("connection") {
            persistence.add(h.value);
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let n =
                head::decimal(h.value.trim_ascii()).map_err(|_| bad("invalid Content-Length"))?;
            if body_len.is_some_and(|l| l != n) {
                return Err(bad("conflicting Content-Length headers"));
            }
            body_len = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Refusal {
                status: "501 Not Implemented",
                why: "request bodies with Transfer-Encoding are not supported".into(),
            });
        }
    }
    let body_len = body_len.unwrap_or(0);
    if body_len > MAX_DISCARDED_BODY {
        return Err(Refusal {
            status: "413 Content Too Large",
            why: format!("request bodies are limited to {MAX_DISCARDED_BODY} bytes"),
        });
    }
    let route = route(method, path, config)?;
    Ok(Some((
        consumed,
        Request {
            route,
            keep_alive: persistence.persists(version),
            body_len,
        },
    )))
}

/// Maps method and path to a route; a number out of range is a 400.
fn route(method: &str, path: &str, config: &Config) -> Result<Route, Refusal> {
    let path = path.split('?').next().unwrap_or_default();
    let number = |s: &str, what: &str| -> Result<u64, Refusal> {
        head::decimal(s.as_bytes()).map_err(|e| match e {
            BadNumber::NotDecimal => {
                bad(format!("{what} must be a decimal number, got {}", quote(s)))
            }
            BadNumber::TooLarge => bad(format!("{what} is too large")),
        })
    };
    let route = if let Some(ms) = path.strip_prefix("/delay/") {
        let ms = number(ms, "the delay")?;
        if u128::from(ms) > config.max_delay.as_millis() {
            return Err(bad(format!(
                "the delay is capped at {} ms",
                config.max_delay.as_millis()
            )));
        }
        Route::Delay(Duration::from_millis(ms))
    } else if let Some(n) = path.strip_prefix("/bytes/") {
        let n = number(n, "the byte count")?;
        if n > config.max_bytes {
            return Err(bad(format!("/bytes/ is capped at {}", config.max_bytes)));
        }
        Route::Bytes(n)
    } else {
        Route::NotFound
    };
    if method != "GET" {
        return Ok(Route::MethodNotAllowed);
    }
    Ok(route)
}

/// At most this many characters of what a client sent are quoted back in a
/// refusal: the answer stays small however long the bad input is.
const MAX_QUOTED: usize = 32;

/// `s` in quotes, cut to [`MAX_QUOTED`] characters (and then followed by its
/// length), so a refusal never echoes a megabyte path back.
fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &s[..cut], s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<(usize, Request)>, Refusal> {
        parse_request(text.as_bytes(), &Config::default())
    }

    fn route_of(text: &str) -> Route {
        parse(text).unwrap().unwrap().1.route
    }

    #[test]
    fn routes_delay_bytes_and_everything_else() {
        assert_eq!(
            route_of("GET /delay/50 HTTP/1.1\r\n\r\n"),
            Route::Delay(Duration::from_millis(50))
        );
        assert_eq!(route_of("GET /bytes/7?x HTTP/1.1\r\n\r\n"), Route::Bytes(7));
        assert_eq!(route_of("GET / HTTP/1.1\r\n\r\n"), Route::NotFound);
        assert_eq!(
            route_of("POST /bytes/1 HTTP/1.1\r\n\r\n"),
            Route::MethodNotAllowed
        );
    }

    #[test]
    fn out_of_range_numbers_are_bad_requests() {
        for path in [
            "/delay/600001",
            "/delay/-1",
            "/delay/",
            "/bytes/99999999999999999999",
        ] {
            let err = parse(&format!("GET {path} HTTP/1.1\r\n\r\n")).unwrap_err();
            assert_eq!(err.status, "400 Bad Request", "{path}");
        }
    }

    #[test]
    fn keep_alive_follows_version_and_connection_header() {
        let ka = |t: &str| parse(t).unwrap().unwrap().1.keep_alive;
        assert!(ka("GET / HTTP/1.1\r\n\r\n"));
        assert!(!ka("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
        assert!(!ka("GET / HTTP/1.0\r\n\r\n"));
        assert!(ka("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assert!(!ka(
            "GET / HTTP/1.1\r\nConnection: close, keep-alive\r\n\r\n"
        ));
    }

    #[test]
    fn a_connection_task_keeps_its_buffers_on_the_heap() {
        // Every open connection holds one such future: a buffer inside it
        // (as the 4 KiB drain array once was) multiplies by the connection
        // count. Its buffers belong in `ReadBuf` and `out`, allocated once.
        solo::block_on(async {
            let listener = solo::net::TcpListener::bind("127.0.0.1:0").await?;
            let stream = TcpStream::connect(listener.local_addr()?).await?;
            let serve = serve(stream, Rc::new(Config::default()), Arc::default());
            let size = std::mem::size_of_val(&serve);
            assert!(size < 1024, "a connection's future is {size} bytes");
            io::Result::Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_large_body_is_sent_whole_and_leaves_no_large_buffer_behind() {
        solo::block_on(async {
            let mut conn = ServerConn {
                stream: futures_lite::io::Cursor::new(Vec::new()),
                rbuf: ReadBuf::new(),
                out: Vec::with_capacity(2048),
            };
            for (len, keep_alive) in [(1 << 20, true), (1024, true), (0, false)] {
                let request = Request {
                    route: Route::Bytes(len),
                    keep_alive,
                    body_len: 0,
                };
                conn.stream.get_mut().clear();
                conn.stream.set_position(0);
                conn.respond(&request, Duration::from_secs(5)).await?;
                let sent = conn.stream.get_ref();
                let head_len = sent.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let head = std::str::from_utf8(&sent[..head_len]).unwrap();
                assert!(
                    head.contains(&format!("Content-Length: {len}\r\n")),
                    "{head}"
                );
                assert_eq!(sent.len() - head_len, len as usize);
                assert!(sent[head_len..].iter().all(|&b| b == b'x'));
                assert!(
                    conn.out.capacity() <= 2 * COALESCE,
                    "a {len}-byte body left a {}-byte write buffer",
                    conn.out.capacity()
                );
            }
            io::Result::Ok(())
        })
        .unwrap();
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            parse("\x16\x03\x01garbage\r\n\r\n").unwrap_err().status,
            "400 Bad Request"
        );
        assert!(parse("GET / HTTP/1.1\r\nHost: x\r\n").unwrap().is_none());
    }

    #[test]
    fn a_refusal_quotes_at_most_a_few_bytes_of_the_bad_input() {
        let path = format!("/bytes/{}", "a".repeat(1 << 20));
        let err = parse(&format!("GET {path} HTTP/1.1\r\n\r\n")).unwrap_err();
        assert_eq!(err.status, "400 Bad Request");
        assert!(err.why.len() < 128, "a {}-byte refusal", err.why.len());
        assert!(err.why.contains("(1048576 bytes)"), "{}", err.why);
        // Short input is quoted whole; a cut never splits a character.
        assert_eq!(quote("12x"), "\"12x\"");
        assert!(quote(&"é".repeat(40)).starts_with(&format!("{:?}", "é".repeat(32))));
    }

    /// A client that sends `input`, then neither sends nor reads anything:
    /// reads after `input` and every write stay pending.
    struct Stalled(&'static [u8]);

    impl AsyncRead for Stalled {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<io::Result<usize>> {
            if self.0.is_empty() {
                return std::task::Poll::Pending;
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            std::task::Poll::Ready(Ok(n))
        }
    }

    impl AsyncWrite for Stalled {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            _: &[u8],
        ) -> std::task::Poll<io::Result<usize>> {
            std::task::Poll::Pending
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Pending
        }

        fn poll_close(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Pending
        }
    }

    #[test]
    fn an_answer_the_client_never_reads_ends_the_connection_after_the_idle_timeout() {
        // The refusal's write once had no timeout: a client that stopped
        // reading (its buffers full of an earlier response) held the
        // connection, and its slot, forever. The paused clock makes this
        // exact and instant.
        let runtime = solo::Builder::new().start_paused(true).build().unwrap();
        for (request, refused) in [
            (&b"GET /bytes/x HTTP/1.1\r\n\r\n"[..], 1),
            (b"GET /bytes/10 HTTP/1.1\r\n\r\n", 0),
        ] {
            runtime.block_on(async {
                let config = Config {
                    idle_timeout: Duration::from_millis(300),
                    ..Config::default()
                };
                let stats = StatsCells::default();
                let start = solo::time::Instant::now();
                let served = solo::time::timeout(
                    Duration::from_secs(3600),
                    serve_stream(Stalled(request), &config, &stats),
                )
                .await;
                assert!(
                    served.is_ok(),
                    "still writing to a stalled client after an hour"
                );
                assert_eq!(start.elapsed(), config.idle_timeout);
                assert_eq!(stats.bad_requests.load(Ordering::Relaxed), refused);
            });
        }
    }
}
