//! The listening socket: [`UnixListener`].

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{SocketAddr, UnixStream};
use crate::io::evented::PollEvented;
use crate::reactor::Direction;

/// A Unix domain socket server, listening for connections.
///
/// [`bind`](Self::bind) creates a socket file at its path. The file stays
/// when the listener is dropped (as with std and tokio): remove it when
/// done, since binding an existing path fails with `AddrInUse`.
///
/// ```
/// use solo::net::{UnixListener, UnixStream};
/// use solo::io::{AsyncReadExt, AsyncWriteExt};
///
/// let dir = std::env::temp_dir().join(format!("solo-doc-unix-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir); // a crashed run's leftovers
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("sock");
/// solo::block_on(async {
///     let listener = UnixListener::bind(&path)?;
///     solo::spawn(async move {
///         let (mut peer, _) = listener.accept().await.unwrap();
///         peer.write_all(b"hello").await.unwrap();
///     });
///     let mut stream = UnixStream::connect(&path).await?;
///     let mut text = String::new();
///     stream.read_to_string(&mut text).await?;
///     assert_eq!(text, "hello");
///     std::io::Result::Ok(())
/// })?;
/// std::fs::remove_dir_all(&dir)?;
/// # std::io::Result::Ok(())
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates a socket file at `path`, binds to it and listens.
    ///
    /// If anything exists at `path` (a file, or the socket file a dropped
    /// listener left), this fails with `AddrInUse` and leaves it alone:
    /// nothing is ever unlinked. A missing directory on the way is
    /// `NotFound`.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_mio(mio::net::UnixListener::bind(path)?)
    }

    /// Binds to `addr` and listens: a path made with
    /// [`SocketAddr::from_pathname`], or on Linux an abstract name made
    /// with `std::os::linux::net::SocketAddrExt::from_abstract_name`,
    /// which creates no file. Fails as [`bind`](Self::bind) does.
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixListener> {
        UnixListener::from_mio(mio::net::UnixListener::bind_addr(addr)?)
    }

    fn from_mio(listener: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::new(listener)?,
        })
    }

    /// Wraps a bound, listening std listener (made non-blocking here).
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::from_mio(mio::net::UnixListener::from_std(listener))
    }

    /// Turns this into a std listener: the socket is deregistered from the
    /// runtime and handed back, still listening and in non-blocking mode
    /// (as tokio does). Connections already queued stay queued.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner().into())
    }

    /// Waits for a connection; returns it with the peer's address (for a
    /// client that did not bind, an unnamed address). Errors such as "too
    /// many open files" are returned as they come: a server should back
    /// off before retrying.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.io(Direction::Read, |l| l.accept()).await?;
        Ok((UnixStream::from_mio(stream)?, addr))
    }

    /// Polls for a connection. Only the waker of the most recent call is
    /// kept.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        match self.io.poll_io(Direction::Read, cx, |l| l.accept()) {
            Poll::Ready(Ok((stream, addr))) => {
                Poll::Ready(UnixStream::from_mio(stream).map(|s| (s, addr)))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The accepted connections as a [`Stream`](futures_core::Stream);
    /// see [`Incoming`]. Like [`poll_accept`](Self::poll_accept), only the
    /// task that polled it last is woken, so poll it from one task.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Takes the socket's pending error (`SO_ERROR`), and clears it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

/// Borrows the socket, for instance to read options through
/// `socket2::SockRef::from(&listener)`.
impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

/// The stream [`UnixListener::incoming`] returns: every accepted connection, or
/// the error of an accept that failed. It never ends; an error does not end
/// it either (a server should back off before polling again, as after
/// [`accept`](UnixListener::accept)).
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a UnixListener,
}

impl futures_core::Stream for Incoming<'_> {
    type Item = io::Result<UnixStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .poll_accept(cx)
            .map(|accepted| Some(accepted.map(|(stream, _)| stream)))
    }
}
