//! The connection: [`UnixStream`].

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use super::SocketAddr;
use crate::io::evented::PollEvented;
use crate::io::{Interest, Ready};
use crate::reactor::Direction;

/// A Unix domain stream socket: a connection to a [`UnixListener`]
/// (through [`connect`](Self::connect)), or one end of a [`pair`](Self::pair).
///
/// It implements [`AsyncRead`] and [`AsyncWrite`] (also through
/// `&UnixStream`, so one task may read while another writes); use
/// [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt) for `read`, `write_all` and
/// friends. [`split`](Self::split) and [`into_split`](Self::into_split)
/// give a read half and a write half. Dropping it deregisters the socket,
/// then closes it: the peer reads end-of-file.
///
/// As with [`TcpStream`](crate::net::TcpStream), the `poll_*` methods keep
/// only the waker of the most recent call per direction; several tasks
/// that wait on one direction use the futures ([`readable`](Self::readable),
/// [`ready`](Self::ready)) with [`try_read`](Self::try_read).
///
/// [`UnixListener`]: crate::net::UnixListener
///
/// ```
/// use solo::net::UnixStream;
/// use solo::io::{AsyncReadExt, AsyncWriteExt};
///
/// solo::block_on(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0u8; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket bound at `path`.
    ///
    /// No listener at `path` is `ConnectionRefused` (a socket file whose
    /// listener is gone) or `NotFound` (no file). A listener whose backlog
    /// is full may give `WouldBlock`, as in tokio: retry later.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        UnixStream::finish_connect(mio::net::UnixStream::connect(path)?).await
    }

    /// Connects to `addr`: a path made with [`SocketAddr::from_pathname`],
    /// or on Linux an abstract name made with
    /// `std::os::linux::net::SocketAddrExt::from_abstract_name`. Fails as
    /// [`connect`](Self::connect) does.
    pub async fn connect_addr(addr: &SocketAddr) -> io::Result<UnixStream> {
        UnixStream::finish_connect(mio::net::UnixStream::connect_addr(addr)?).await
    }

    async fn finish_connect(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        let stream = UnixStream::from_mio(stream)?;
        // mio's recipe, as for TCP: wait for writable, check `take_error`,
        // then `peer_addr`; "not connected" means not yet.
        loop {
            stream.io.ready_dir(Direction::Write).await?;
            let socket = stream.io.get_ref();
            if let Some(e) = socket.take_error()? {
                return Err(e);
            }
            match socket.peer_addr() {
                Ok(_) => return Ok(stream),
                Err(e) if stream.io.is_final(Direction::Write) => return Err(e),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    stream.io.clear_drained(Direction::Write);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Two streams connected to each other (`socketpair`), both registered
    /// with this runtime: what one writes, the other reads.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    pub(super) fn from_mio(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Wraps a connected std stream (made non-blocking here).
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// Turns this into a std stream: the socket is deregistered from the
    /// runtime and handed back open, still in non-blocking mode (as tokio
    /// does; call `set_nonblocking(false)` before blocking I/O on it).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner().into())
    }

    /// The local address (unnamed unless the socket was bound).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address (unnamed for the ends of a [`pair`](Self::pair)
    /// and for accepted clients that did not bind).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The credentials of the peer process, as the kernel recorded them
    /// when the connection was made: see [`UCred`](super::UCred), which
    /// says how each system reports them. `Unsupported` on systems other
    /// than Linux, the Apple ones and the BSDs.
    pub fn peer_cred(&self) -> io::Result<super::UCred> {
        super::ucred::peer_cred(self.io.get_ref())
    }

    /// Takes the socket's pending error (`SO_ERROR`), and clears it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down the read half, the write half, or both. After
    /// `Shutdown::Write` the peer reads end-of-file.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream is (or may be) readable.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Read).await.map(drop)
    }

    /// Waits until the stream is (or may be) writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Write).await.map(drop)
    }

    /// Waits until the stream is ready in any of the directions `interest`
    /// names, and returns the readiness found (tokio's `ready`).
    ///
    /// The readiness can be a false positive: an operation may still return
    /// `WouldBlock`, and then clears it. Any number of these futures may
    /// wait at once; each removes its waker when dropped.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Polls for read readiness. Only the waker of the most recent call is
    /// kept.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Interest::READABLE, cx).map_ok(drop)
    }

    /// Polls for write readiness. Only the waker of the most recent call is
    /// kept.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Interest::WRITABLE, cx).map_ok(drop)
    }

    /// Reads into `buf` if data is ready, without waiting: `Ok(0)` at end
    /// of stream, `WouldBlock` if nothing is ready (the readiness is then
    /// cleared, so [`readable`](Self::readable) waits for new data).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |mut s| s.read(buf))
    }

    /// Writes from `buf` if the socket is writable, without waiting;
    /// `WouldBlock` if it is not (the readiness is then cleared, so
    /// [`writable`](Self::writable) waits for room). A peer that closed
    /// gives `BrokenPipe` (no `SIGPIPE`: Rust ignores it).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |mut s| s.write(buf))
    }

    /// [`try_read`](Self::try_read) into several buffers, filled in order.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |mut s| s.read_vectored(bufs))
    }

    /// [`try_write`](Self::try_write) from several buffers, in order; may
    /// stop short anywhere.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |mut s| s.write_vectored(bufs))
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// to read and write at the same time from one task. Dropping the
    /// halves does nothing to the stream. To move the halves into separate
    /// tasks, use [`into_split`](Self::into_split).
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves, which may move into different
    /// tasks of this runtime (not to other threads). The socket closes when
    /// both are dropped; [`OwnedReadHalf::reunite`] puts them back together.
    ///
    /// As in tokio, dropping the [`OwnedWriteHalf`] shuts down the write
    /// direction (the peer reads end-of-file) unless
    /// [`OwnedWriteHalf::forget`] gave it up.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::split_owned(self)
    }

    pub(super) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Read, cx, |mut s| s.read(buf))
    }

    pub(super) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Write, cx, |mut s| s.write(buf))
    }

    pub(super) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(Direction::Write, cx, |mut s| s.write_vectored(bufs))
    }

    pub(super) fn poll_close_priv(&self) -> Poll<io::Result<()>> {
        match self.io.get_ref().shutdown(Shutdown::Write) {
            // Already closed by the peer: nothing left to shut down.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            r => Poll::Ready(r),
        }
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncRead for &UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored_priv(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // writes go straight to the socket
    }

    /// Shuts down the write half: the peer reads end-of-file.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_close_priv()
    }
}

impl AsyncWrite for &UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored_priv(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_close_priv()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

/// Borrows the socket, for instance to set options through
/// `socket2::SockRef::from(&stream)`. Reading or writing the descriptor
/// directly bypasses the runtime's cached readiness: prefer the stream's
/// methods.
impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
