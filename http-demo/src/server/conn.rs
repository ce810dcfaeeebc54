//! One server connection: read a request, discard its body, answer,
//! repeat. Parsing lives in [`super::request`] and [`super::chunked`],
//! routing in [`super::route`], response heads in [`super::response`]; this
//! file holds the I/O and the timeouts.

use std::io;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use solo::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use solo::net::TcpStream;

use super::chunked::Chunked;
use super::request::{self, Body, Refusal, Request, MAX_BODY};
use super::response::{self, Head, CONTINUE};
use super::route::{AnswerBody, Route};
use super::{Config, StatsCells};
use crate::buf::{self, ReadBuf};
use crate::head::{self, HeadRead};

/// Bytes served from this buffer; `/bytes/<n>` writes it repeatedly.
static FILLER: [u8; 64 * 1024] = [b'x'; 64 * 1024];
/// At most this much of a body is copied after the head, so that a small
/// response goes out in one write; the rest is written straight from
/// [`FILLER`]. It also bounds the write buffer a kept-alive connection
/// holds between requests, whatever the size of the bodies it sent.
const COALESCE: usize = 4 * 1024;
/// After a refusal, at most this much of what the client still sends is
/// read (and dropped), for at most [`DRAIN_TIME`], so that the answer is not
/// lost to a reset.
const DRAIN_BYTES: usize = 256 * 1024;
const DRAIN_TIME: Duration = Duration::from_millis(500);

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
/// 4xx or 5xx, then closed). I/O errors just end the connection.
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
            let mut request = match head {
                Err(_) => return Ok(()), // idle (or too slow a head): close
                Ok(Ok(None)) => return Ok(()),
                Ok(Ok(Some(Ok(request)))) => request,
                Ok(Ok(Some(Err(refusal)))) => return self.refuse(config, stats, refusal).await,
                Ok(Err(e)) => return Err(e),
            };
            let _in_flight = InFlight::enter(stats);
            stats.requests.fetch_add(1, Ordering::Relaxed);
            if request.expect_continue && request.route.refuses() {
                // RFC 9110, 10.1.1: answer at once rather than ask for a
                // body only to drop it; the body may or may not follow,
                // so the connection cannot carry another request.
                request.keep_alive = false;
            } else if request.body != Body::None {
                if request.expect_continue {
                    self.write_bounded(CONTINUE, config.idle_timeout).await?;
                }
                let discarded =
                    solo::time::timeout(config.idle_timeout, self.discard_body(request.body))
                        .await?;
                if let Err(mut refusal) = discarded? {
                    refusal.head = request.head;
                    return self.refuse(config, stats, refusal).await;
                }
            }
            self.respond(&request, config.idle_timeout).await?;
            if !request.keep_alive {
                let body_unread = request.body != Body::None && request.expect_continue;
                return self.close(body_unread).await;
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
            request::parse(data, config)
        })
        .await?;
        Ok(match read {
            HeadRead::Parsed(request) => Some(Ok(request)),
            HeadRead::Invalid(refusal) => Some(Err(refusal)),
            HeadRead::TooLarge => Some(Err(Refusal::new(
                "431 Request Header Fields Too Large",
                format!("request head larger than {} bytes", config.max_head),
            ))),
            HeadRead::Ended { received: 0 } => None,
            HeadRead::Ended { .. } => Some(Err(Refusal::bad(
                "connection closed inside the request head",
            ))),
        })
    }

    /// Reads and drops a request body; a chunked one that breaks its
    /// framing or grows past [`MAX_BODY`] is refused. The end of the
    /// stream inside a body is an error (nobody is left to answer).
    async fn discard_body(&mut self, body: Body) -> io::Result<Result<(), Refusal>> {
        match body {
            Body::None => {}
            Body::Length(mut len) => loop {
                let n = self
                    .rbuf
                    .len()
                    .min(usize::try_from(len).unwrap_or(usize::MAX));
                self.rbuf.consume(n);
                len -= n as u64;
                if len == 0 {
                    break;
                }
                self.fill_body().await?;
            },
            Body::Chunked => {
                let mut chunked = Chunked::new(MAX_BODY);
                loop {
                    match chunked.feed(self.rbuf.data()) {
                        Ok(used) => self.rbuf.consume(used),
                        Err(refusal) => return Ok(Err(refusal)),
                    }
                    if chunked.is_done() {
                        log::trace!("discarded a {}-byte chunked body", chunked.decoded());
                        break;
                    }
                    self.fill_body().await?;
                }
            }
        }
        Ok(Ok(()))
    }

    /// One read of body bytes. The buffer never grows for a body: a chunk
    /// line or trailer that [`Chunked`] still waits on is far smaller.
    async fn fill_body(&mut self) -> io::Result<()> {
        if self.rbuf.fill(&mut self.stream, buf::INITIAL).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// Writes `bytes`; a client that does not read them within `limit` is
    /// dropped.
    async fn write_bounded(&mut self, bytes: &[u8], limit: Duration) -> io::Result<()> {
        solo::time::timeout(limit, self.stream.write_all(bytes)).await?
    }

    /// Waits out a delay, then writes the response (its head alone for a
    /// HEAD); a client that does not read it within `write_limit` is
    /// dropped (no slot held forever).
    async fn respond(&mut self, request: &Request, write_limit: Duration) -> io::Result<()> {
        if let Route::Delay(d) = request.route {
            solo::time::sleep(d).await;
        }
        let answer = request.route.answer();
        let out = &mut self.out;
        out.clear();
        let head = Head {
            status: answer.status,
            content_length: answer.body.len(),
            allow: answer.allow,
            keep_alive: request.keep_alive,
            minor: request.minor,
        };
        response::write_head(out, &head);
        // Header and body in one write when the body is small.
        let mut left = 0;
        if !request.head {
            match answer.body {
                AnswerBody::Text(text) => out.extend_from_slice(text),
                AnswerBody::Filler(len) => {
                    let first = len.min(COALESCE.saturating_sub(out.len()) as u64) as usize;
                    out.extend_from_slice(&FILLER[..first]);
                    left = len - first as u64;
                }
            }
        }
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

    /// Answers a request to refuse, then closes. Writing the answer is
    /// bounded by the idle timeout like any response: a client that stopped
    /// reading (say, with a large pipelined response still unread) must not
    /// hold the connection open forever.
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
        let head = Head {
            status: refusal.status,
            content_length: refusal.why.len() as u64 + 1,
            allow: false,
            keep_alive: false,
            minor: 1,
        };
        response::write_head(out, &head);
        if !refusal.head {
            out.extend_from_slice(refusal.why.as_bytes());
            out.push(b'\n');
        }
        let write = async {
            self.stream.write_all(&self.out).await?;
            self.stream.flush().await
        };
        let written = solo::time::timeout(config.idle_timeout, write).await;
        // Keep no big buffer: `out` may have grown for a long `why`.
        self.out.clear();
        self.out.shrink_to(COALESCE);
        written??;
        self.close(true).await
    }

    /// Closes the connection. With `drain`, the client may still be sending
    /// (a body not read, a request after a refusal): what it sends is read
    /// and dropped, within [`DRAIN_BYTES`] and [`DRAIN_TIME`], so that
    /// closing with unread bytes does not reset the connection and lose the
    /// answer on its way.
    async fn close(&mut self, drain: bool) -> io::Result<()> {
        // A close that fails or stalls changes nothing: the socket is
        // dropped just after.
        let _ = solo::time::timeout(DRAIN_TIME, self.stream.close()).await;
        if !drain {
            return Ok(());
        }
        // Drain through the connection's own buffer: a scratch array here
        // would live inside every connection's future.
        let drain = async {
            let mut total = 0;
            while total < DRAIN_BYTES {
                self.rbuf.consume(self.rbuf.len());
                match self.rbuf.fill(&mut self.stream, buf::INITIAL).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => total += n,
                }
            }
        };
        let _ = solo::time::timeout(DRAIN_TIME, drain).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    head: false,
                    minor: 1,
                    keep_alive,
                    body: Body::None,
                    expect_continue: false,
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
            (&b"GET /bytes/x HTTP/1.1\r\nHost: x\r\n\r\n"[..], 1),
            (b"GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n", 0),
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
