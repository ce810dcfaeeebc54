//! A line echo server and its client over a Unix domain socket.
//!
//! The server owns its socket file: [`Server::bind`] creates it, and the
//! file is removed when the [`Server`] is dropped, which
//! [`Server::serve_until`] does when its stop future completes. Each client
//! is a task; a line is at most [`MAX_LINE`] bytes, so a client cannot make
//! the server buffer without bound.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};

use solo::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use solo::net::{UnixListener, UnixStream};

/// The longest line echoed, its `\n` included. A longer one is answered
/// with [`TOO_LONG`] and the connection is closed.
pub const MAX_LINE: usize = 8 * 1024;

/// The answer to a line over [`MAX_LINE`] bytes.
pub const TOO_LONG: &str = "error: line too long\n";

/// A listening echo server and the socket file it created.
///
/// Dropping it stops accepting and removes the socket file (connections
/// already accepted are served on by their tasks until their clients
/// close).
#[derive(Debug)]
pub struct Server {
    listener: UnixListener,
    path: PathBuf,
}

impl Server {
    /// Creates the socket file at `path` and listens on it. Fails with
    /// `AddrInUse` if anything exists at `path`, which is then left alone.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Server> {
        let path = path.as_ref().to_path_buf();
        let listener = UnixListener::bind(&path)?;
        Ok(Server { listener, path })
    }

    /// The socket file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serves clients until `stop` completes or accepting fails, then
    /// drops the server (its socket file is removed either way).
    pub async fn serve_until(self, stop: impl Future<Output = ()>) -> io::Result<()> {
        let serve = async {
            loop {
                let (stream, _) = self.listener.accept().await?;
                solo::spawn(async move {
                    if let Err(e) = echo_lines(stream).await {
                        log::debug!("unix_echo client: {e}");
                    }
                });
            }
        };
        let stopped = async {
            stop.await;
            Ok(())
        };
        futures_lite::future::or(serve, stopped).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only the file this server created: `bind` failed on any other.
        if let Err(e) = std::fs::remove_file(&self.path) {
            log::warn!("unix_echo: removing {}: {e}", self.path.display());
        }
    }
}

/// Echoes each line the client sends until it closes (a last line without
/// `\n` is echoed as it is); a line over [`MAX_LINE`] bytes gets
/// [`TOO_LONG`] and ends the connection with an `InvalidData` error.
pub async fn echo_lines(stream: UnixStream) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        // One byte over the limit tells an overlong line from a full one.
        let n = (&mut read)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            write.write_all(TOO_LONG.as_bytes()).await?;
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        write.write_all(&line).await?;
    }
}

/// A client: connects to `path`, sends each of `lines` (a `\n` is added)
/// and reads its echo before sending the next. Returns how many lines
/// came back; an echo that differs from its line is an `InvalidData`
/// error, a server that closes early an `UnexpectedEof` one.
pub async fn client(path: impl AsRef<Path>, lines: &[String]) -> io::Result<usize> {
    let stream = UnixStream::connect(path).await?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut echo = String::new();
    for line in lines {
        let sent = format!("{line}\n");
        write.write_all(sent.as_bytes()).await?;
        echo.clear();
        // The echo of a line we sent is no longer than it.
        (&mut read)
            .take(sent.len() as u64)
            .read_line(&mut echo)
            .await?;
        if echo.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed before echoing every line",
            ));
        }
        if echo != sent {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("sent {sent:?}, got back {echo:?}"),
            ));
        }
    }
    Ok(lines.len())
}
