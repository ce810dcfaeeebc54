//! A TCP server on one thread: each client sends text ending in a blank
//! line (`"\n\n"`), and the server answers `Hello ` followed by that text,
//! then closes. Every client is a task, so many are served at once.
//!
//! A client may not hold the server hostage: a request is at most
//! [`MAX_REQUEST`] bytes and must arrive within [`REQUEST_TIMEOUT`], and at
//! most [`MAX_CLIENTS`] are served at once (further clients wait in the
//! listen backlog until a slot frees).

use std::io;
use std::sync::Arc;
use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream, ToSocketAddrs};
use solo::sync::Semaphore;
use solo::time::{sleep, timeout};

/// The largest request accepted, terminator included.
pub const MAX_REQUEST: usize = 8 * 1024;
/// How long a client has to send its whole request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Clients served at once.
pub const MAX_CLIENTS: usize = 1024;

/// What ends a request.
pub const TERMINATOR: &[u8] = b"\n\n";

/// Serves clients on `listener` until accepting fails for good (it never
/// returns on transient errors such as running out of file descriptors:
/// it logs, waits a little and goes on).
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    loop {
        let permit = slots.acquire_arc().await;
        match listener.accept().await {
            Ok((stream, peer)) => {
                solo::spawn(async move {
                    if let Err(e) = handle(stream).await {
                        log::debug!("client {peer}: {e}");
                    }
                    drop(permit);
                });
            }
            Err(e) if is_transient(&e) => {
                log::warn!("accept: {e}; retrying shortly");
                sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether an `accept` error may pass (out of descriptors, a connection
/// reset before it was accepted...), so that accepting should go on.
pub fn is_transient(e: &io::Error) -> bool {
    !matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::PermissionDenied | io::ErrorKind::Unsupported
    )
}

/// Serves one client: reads its request, answers, closes.
///
/// A request over [`MAX_REQUEST`] bytes gets `error: request too large`, one
/// not finished within [`REQUEST_TIMEOUT`] gets `error: request timed out`,
/// and one cut short by the client's end of stream is an error answered
/// with nothing.
pub async fn handle(mut stream: TcpStream) -> io::Result<()> {
    let request = match timeout(REQUEST_TIMEOUT, read_request(&mut stream)).await {
        Ok(Ok(Some(request))) => request,
        Ok(Ok(None)) => {
            stream.write_all(b"error: request too large\n").await?;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request too large",
            ));
        }
        Ok(Err(e)) => return Err(e),
        Err(_elapsed) => {
            stream.write_all(b"error: request timed out\n").await?;
            return Err(io::Error::new(io::ErrorKind::TimedOut, "request timed out"));
        }
    };
    let mut reply = Vec::with_capacity(6 + request.len());
    reply.extend_from_slice(b"Hello ");
    reply.extend_from_slice(&request);
    stream.write_all(&reply).await?;
    stream.close().await
}

/// Reads up to and including the first `"\n\n"`. `None` if the request
/// grows past [`MAX_REQUEST`] first; an `UnexpectedEof` error if the client
/// ends its stream first. Bytes after the terminator are ignored.
async fn read_request(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "client closed before the blank line",
            ));
        }
        // Search only where a new terminator could start.
        let from = buf.len().saturating_sub(TERMINATOR.len() - 1);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf[from..]
            .windows(TERMINATOR.len())
            .position(|w| w == TERMINATOR)
        {
            buf.truncate(from + pos + TERMINATOR.len());
            return Ok((buf.len() <= MAX_REQUEST).then_some(buf));
        }
        if buf.len() > MAX_REQUEST {
            return Ok(None);
        }
    }
}

/// A client: sends `text` (which should end in `"\n\n"`), returns the
/// whole answer.
pub async fn hello(addr: impl ToSocketAddrs, text: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(text.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    Ok(answer)
}
