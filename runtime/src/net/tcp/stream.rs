//! The connection: [`TcpStream`].

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};

use super::{split, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::io::evented::PollEvented;
use crate::io::{Interest, Ready};
use crate::net::drain::DrainHint;
use crate::net::{each_addr, resolve, ToSocketAddrs};
use crate::reactor::Direction;

/// The fewest slices any platform's std passes to one `writev`.
const MIN_IOV_MAX: usize = 16;

/// A TCP connection.
///
/// It implements [`AsyncRead`] and [`AsyncWrite`] (also through `&TcpStream`,
/// so one task may read while another writes); use
/// [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt) for `read`, `write_all` and
/// friends. [`split`](Self::split) and [`into_split`](Self::into_split)
/// give a read half and a write half. Dropping it deregisters the socket,
/// then closes it.
///
/// As with tokio and async-io, the `poll_*` methods (the `AsyncRead` and
/// `AsyncWrite` impls, [`poll_read_ready`](Self::poll_read_ready)) keep only
/// the waker of the most recent call per direction: two tasks reading the
/// same stream through `&TcpStream` at once would leave the first one
/// unwoken. Several tasks that wait on one direction use the futures
/// instead ([`readable`](Self::readable), [`ready`](Self::ready), then
/// [`try_read`](Self::try_read)): each keeps its own waker, and removes it
/// when dropped.
///
/// On Linux, the first read that fills its whole buffer switches the
/// socket's `TCP_INQ` option on, so that later reads learn whether they
/// emptied the socket and skip a system call that would only say
/// `WouldBlock`. Code that reads the raw descriptor itself with `recvmsg`
/// and a control buffer will then also receive `TCP_CM_INQ` messages.
///
/// ```no_run
/// use solo::net::TcpStream;
/// use solo::io::{AsyncReadExt, AsyncWriteExt};
///
/// solo::block_on(async {
///     let mut stream = TcpStream::connect("127.0.0.1:8080").await?;
///     stream.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
///     let mut response = Vec::new();
///     stream.read_to_end(&mut response).await?;
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
    drain: DrainHint,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn.
    ///
    /// The connect is non-blocking: the task waits for the socket to become
    /// writable, then checks the outcome (`take_error`, then `peer_addr`).
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        each_addr(resolve(addr).await?, Self::connect_addr).await
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(mio::net::TcpStream::connect(addr)?)?;
        // mio's recipe: wait for writable, check `take_error`, then
        // `peer_addr`; "not connected" means not yet, so wait again.
        loop {
            stream.io.ready_dir(Direction::Write).await?;
            let socket = stream.io.get_ref();
            if let Some(e) = socket.take_error()? {
                return Err(e);
            }
            match socket.peer_addr() {
                Ok(_) => return Ok(stream),
                // Hung up or failed without saying why: no event will come.
                Err(e) if stream.io.is_final(Direction::Write) => return Err(e),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    stream.io.clear_drained(Direction::Write);
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub(super) fn from_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(stream)?,
            drain: DrainHint::default(),
        })
    }

    /// Wraps a connected std stream (made non-blocking here).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// Turns this into a std stream: the socket is deregistered from the
    /// runtime and handed back open, still in non-blocking mode (as tokio
    /// does; call `set_nonblocking(false)` before blocking I/O on it).
    /// Socket options stay as they are, `TCP_INQ` included if a read
    /// switched it on (see the type's docs). A failed deregistration is
    /// logged, not returned: the `Result` is tokio's signature.
    ///
    /// ```
    /// use solo::net::{TcpListener, TcpStream};
    ///
    /// solo::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let std_stream = stream.into_std()?;
    ///     std_stream.set_nonblocking(false)?;
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Ok(self.io.into_inner().into())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `SO_LINGER` to zero: closing the socket (dropping the stream)
    /// discards unsent data and resets the connection, so the peer reads
    /// `ConnectionReset` instead of end-of-file, and the socket skips
    /// `TIME_WAIT`. The close does not block. tokio's name for the one
    /// safe use of [`set_linger`](Self::set_linger).
    pub fn set_zero_linger(&self) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(Some(Duration::ZERO))
    }

    /// Sets `SO_LINGER`: what closing the socket (dropping the stream) does
    /// with data not yet sent.
    ///
    /// `None` (the default): the close returns at once and the kernel keeps
    /// sending in the background. `Some(Duration::ZERO)`: as
    /// [`set_zero_linger`](Self::set_zero_linger). `Some(d)` with `d` above
    /// zero makes the close *block the runtime's thread* for up to `d`
    /// while the data drains, whatever the non-blocking mode: every task
    /// stalls. Deprecated for that reason, as in tokio; to be sure the peer
    /// got everything, shut down the write direction and read until
    /// end-of-file instead.
    #[deprecated = "a non-zero SO_LINGER blocks the runtime's thread on close; use set_zero_linger, or shut down and read to end-of-file"]
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(dur)
    }

    /// The `SO_LINGER` setting (see [`set_zero_linger`](Self::set_zero_linger)
    /// and [`set_linger`](Self::set_linger)).
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.io.get_ref()).linger()
    }

    /// Sets `IP_TTL`: the time-to-live of the packets this socket sends.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The `IP_TTL` setting (see [`set_ttl`](Self::set_ttl)).
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the read half, the write half, or both.
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
    /// `WouldBlock`, and then clears it. Use it with
    /// [`try_read`](Self::try_read) and [`try_write`](Self::try_write) to
    /// read and write from one task without splitting the stream. Any number
    /// of these futures may wait at once; each removes its waker when dropped.
    ///
    /// ```
    /// use solo::io::Interest;
    /// use solo::net::{TcpListener, TcpStream};
    ///
    /// solo::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let ready = stream.ready(Interest::READABLE | Interest::WRITABLE).await?;
    ///     assert!(ready.is_writable());
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Polls for read readiness. Only the waker of the most recent call is
    /// kept (see the type's docs).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Interest::READABLE, cx).map_ok(drop)
    }

    /// Polls for write readiness. Only the waker of the most recent call is
    /// kept (see the type's docs).
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
    /// [`writable`](Self::writable) waits for room).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |mut s| s.write(buf))
    }

    /// [`try_read`](Self::try_read) into several buffers, filled in order
    /// (`readv`): the total read, `Ok(0)` at end of stream (or if the
    /// buffers hold no room), `WouldBlock` if nothing is ready.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |mut s| s.read_vectored(bufs))
    }

    /// [`try_write`](Self::try_write) from several buffers, in order
    /// (`writev`): the total written, which may stop short anywhere,
    /// even inside a buffer; `WouldBlock` if the socket is not writable.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |mut s| s.write_vectored(bufs))
    }

    /// Splits the stream into a read half and a write half that borrow it,
    /// to read and write at the same time from one task (in
    /// `futures_lite::future::zip`, say). Nothing is counted or allocated;
    /// dropping the halves does nothing to the stream. To move the halves
    /// into separate tasks, use [`into_split`](Self::into_split).
    ///
    /// ```
    /// use solo::io::{AsyncReadExt, AsyncWriteExt};
    /// use solo::net::{TcpListener, TcpStream};
    ///
    /// solo::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut peer, _) = listener.accept().await?;
    ///     peer.write_all(b"ping").await?;
    ///
    ///     let (mut reader, mut writer) = stream.split();
    ///     let mut buf = [0u8; 4];
    ///     let (read, wrote) = futures_lite::future::zip(
    ///         reader.read_exact(&mut buf),
    ///         writer.write_all(b"pong"),
    ///     )
    ///     .await;
    ///     read?;
    ///     wrote?;
    ///     assert_eq!(&buf, b"ping");
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
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
    ///
    /// ```
    /// use solo::io::{AsyncReadExt, AsyncWriteExt};
    /// use solo::net::{TcpListener, TcpStream};
    ///
    /// solo::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut peer, _) = listener.accept().await?;
    ///
    ///     let (mut reader, mut writer) = stream.into_split();
    ///     let sender = solo::spawn(async move {
    ///         writer.write_all(b"hello").await
    ///         // `writer` drops here: the peer reads end-of-file.
    ///     });
    ///     let mut echoed = Vec::new();
    ///     peer.read_to_end(&mut echoed).await?;
    ///     sender.await.unwrap()?;
    ///     assert_eq!(echoed, b"hello");
    ///
    ///     peer.write_all(b"still open").await?;
    ///     let mut buf = [0u8; 10];
    ///     reader.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"still open");
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::split_owned(self)
    }

    /// Peeks at incoming data without consuming it.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.io(Direction::Read, |s| s.peek(buf)).await
    }

    pub(super) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let poll = self
            .io
            .poll_io(Direction::Read, cx, |s| self.drain.read(s, buf));
        // A read that drained the socket: the next one would only return
        // WouldBlock, so skip that system call. New data brings a new edge.
        poll.map_ok(|outcome| {
            if outcome.drained {
                self.io.clear_drained(Direction::Read);
            }
            outcome.len
        })
    }

    pub(super) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = self.io.poll_io(Direction::Write, cx, |mut s| s.write(buf));
        self.wrote(poll, buf.len())
    }

    pub(super) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = self
            .io
            .poll_io(Direction::Write, cx, |mut s| s.write_vectored(bufs));
        // std hands one `writev` at most IOV_MAX slices (1,024 on Linux and
        // macOS, 16 on some systems): a write of more is short with room to
        // spare, and no edge would follow. Judge only writes std sends whole.
        let len = match bufs.len() {
            0..=MIN_IOV_MAX => bufs.iter().map(|b| b.len()).sum(),
            _ => 0,
        };
        self.wrote(poll, len)
    }

    /// A short write (`len`: what was offered, 0 if unknown) filled the send buffer: the next one would only return
    /// WouldBlock, so forget the readiness. Buffer space brings a new edge.
    fn wrote(&self, poll: Poll<io::Result<usize>>, len: usize) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = poll {
            if n > 0 && n < len {
                self.io.clear_drained(Direction::Write);
            }
        }
        poll
    }

    pub(super) fn poll_close_priv(&self) -> Poll<io::Result<()>> {
        match self.io.get_ref().shutdown(Shutdown::Write) {
            // Already closed by the peer: nothing left to shut down.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            r => Poll::Ready(r),
        }
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncRead for &TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
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

impl AsyncWrite for &TcpStream {
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

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

/// Borrows the socket, for instance to set options through
/// `socket2::SockRef::from(&stream)`. Reading or writing the descriptor
/// directly bypasses the runtime's cached readiness: prefer the stream's
/// methods.
#[cfg(unix)]
impl std::os::fd::AsFd for TcpStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
