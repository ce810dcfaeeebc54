//! The datagram socket: [`UnixDatagram`].

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::task::{Context, Poll};

use super::SocketAddr;
use crate::io::evented::PollEvented;
use crate::io::{Interest, Ready};
use crate::reactor::Direction;

/// A Unix domain datagram socket.
///
/// The same names and meaning as tokio's `UnixDatagram`, with the `poll_*`
/// methods taking a plain `&mut [u8]` as solo's
/// [`UdpSocket`](crate::net::UdpSocket) does. Any number of tasks may
/// await the same socket at once; the `poll_*` methods keep only the most
/// recent caller's waker per direction. A socket made by
/// [`bind`](Self::bind) leaves its file when dropped (see
/// [`solo::net::unix`](crate::net::unix)).
///
/// ```
/// use solo::net::UnixDatagram;
///
/// solo::block_on(async {
///     let (a, b) = UnixDatagram::pair()?;
///     a.send(b"ping").await?;
///     let mut buf = [0; 16];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"ping");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket file at `path` and binds to it. Anything already
    /// at `path` makes this fail with `AddrInUse`; nothing is unlinked.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind(path)?)
    }

    /// Binds to `addr`: a path, or on Linux an abstract name (no file).
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind_addr(addr)?)
    }

    /// A socket bound to no address: it can send (with
    /// [`send_to`](Self::send_to), or [`send`](Self::send) after
    /// [`connect`](Self::connect)) but no one can address a reply to it.
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?)
    }

    /// Two unnamed sockets connected to each other (`socketpair`).
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_mio(a)?, UnixDatagram::from_mio(b)?))
    }

    fn from_mio(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a std socket (made non-blocking here).
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::from_mio(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters the socket from the runtime and returns it as a std
    /// socket, still in non-blocking mode (as tokio does).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner().into())
    }

    /// Sets the default peer for [`send`](Self::send), and filters
    /// [`recv`](Self::recv) to datagrams from it. Connecting does not wait:
    /// no socket bound at `path` is an error at once (`NotFound` or
    /// `ConnectionRefused`).
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// The local address (unnamed unless bound).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address; `NotConnected` if not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Takes the socket's pending error (`SO_ERROR`), and clears it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down the read half, the write half, or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the socket is ready in any of the directions `interest`
    /// names, and returns the readiness found (tokio's `ready`). The
    /// readiness can be a false positive: a `try_*` call may still return
    /// `WouldBlock`, and then clears it. Each waiting future removes its
    /// waker when dropped.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until the socket is (or may be) readable.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Read).await.map(drop)
    }

    /// Waits until the socket is (or may be) writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Write).await.map(drop)
    }

    /// Sends a datagram to the socket bound at `target`; returns the bytes
    /// sent. No socket there is an error (`NotFound` or
    /// `ConnectionRefused`), not a silent loss.
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .io(Direction::Write, |s| s.send_to(buf, target))
            .await
    }

    /// Sends a datagram to `target` if the socket is writable, without
    /// waiting; `WouldBlock` if it is not (the write readiness is then
    /// cleared, so [`writable`](Self::writable) waits for room).
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Polls to send a datagram to `target`: `Pending` until the socket is
    /// writable, then the bytes sent.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let target = target.as_ref();
        self.io
            .poll_io(Direction::Write, cx, |s| s.send_to(buf, target))
    }

    /// Sends a datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.io(Direction::Write, |s| s.send(buf)).await
    }

    /// Sends a datagram to the connected peer if the socket is writable,
    /// without waiting; `WouldBlock` if it is not (the write readiness is
    /// then cleared).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Polls to send a datagram to the connected peer: `Pending` until the
    /// socket is writable, then the bytes sent.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Write, cx, |s| s.send(buf))
    }

    /// Receives a datagram; returns its length and sender (unnamed if the
    /// sender did not bind). Bytes beyond `buf`'s length are discarded.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.io(Direction::Read, |s| s.recv_from(buf)).await
    }

    /// Receives a datagram if one is queued, without waiting;
    /// `WouldBlock` if none is (the read readiness is then cleared, so
    /// [`readable`](Self::readable) waits for the next datagram).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Polls to receive a datagram: `Pending` until one is queued, then
    /// its length and sender. tokio's fills a `ReadBuf`; solo's takes a
    /// plain slice and returns the length with the sender.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv_from(buf))
    }

    /// Receives a datagram; returns its length. Bytes beyond `buf`'s
    /// length are discarded.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.io(Direction::Read, |s| s.recv(buf)).await
    }

    /// Receives a datagram if one is queued, without waiting;
    /// `WouldBlock` if none is (the read readiness is then cleared, so
    /// [`readable`](Self::readable) waits for the next one).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Polls to receive a datagram: `Pending` until one is queued, then
    /// its length. tokio's fills a `ReadBuf`; solo's takes a plain slice.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv(buf))
    }

    /// Polls for read readiness. Only the waker of the most recent call is
    /// kept.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Interest::READABLE, cx).map_ok(drop)
    }

    /// Polls for write readiness. Only the waker of the most recent call is
    /// kept.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Interest::WRITABLE, cx).map_ok(drop)
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

/// Borrows the socket, for instance to set options through
/// `socket2::SockRef::from(&socket)`.
impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
