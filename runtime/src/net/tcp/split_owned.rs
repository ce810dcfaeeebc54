//! Owned halves of a stream: [`TcpStream::into_split`], and
//! [`OwnedReadHalf::reunite`] back.
//!
//! The halves share the stream through an `Rc`: they may move into
//! different tasks of the runtime that made the stream, not to other
//! threads (the stream itself is `!Send`). The socket closes when the last
//! half is dropped.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::TcpStream;
use crate::io::{Interest, Ready};

/// The read half of a [`TcpStream`], owned: made by
/// [`TcpStream::into_split`].
///
/// It implements [`AsyncRead`]. Dropping it closes nothing while the
/// [`OwnedWriteHalf`] lives; the socket closes when both are gone.
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Rc<TcpStream>,
}

/// The write half of a [`TcpStream`], owned: made by
/// [`TcpStream::into_split`].
///
/// It implements [`AsyncWrite`]. Dropping it shuts down the stream's write
/// direction, so the peer reads end-of-file, unless it was given up with
/// [`forget`](Self::forget) or already shut down by `close`. The read half
/// keeps working either way.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Rc<TcpStream>,
    /// Whether dropping it shuts down the write direction.
    shutdown_on_drop: bool,
}

/// The halves given to [`OwnedReadHalf::reunite`] came from different
/// streams. Both are handed back, unchanged: `.0` is the read half, `.1`
/// the write half.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl Error for ReuniteError {}

pub(super) fn split_owned(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Rc::new(stream);
    let read = OwnedReadHalf {
        inner: inner.clone(),
    };
    let write = OwnedWriteHalf {
        inner,
        shutdown_on_drop: true,
    };
    (read, write)
}

pub(super) fn reunite(
    read: OwnedReadHalf,
    mut write: OwnedWriteHalf,
) -> Result<TcpStream, ReuniteError> {
    if !Rc::ptr_eq(&read.inner, &write.inner) {
        return Err(ReuniteError(read, write));
    }
    write.shutdown_on_drop = false;
    drop(write);
    // The two halves held the only references (nothing else can clone
    // `inner`), and the write half is gone: this one is the last.
    Ok(Rc::into_inner(read.inner).expect("a reunited read half holds the last reference"))
}

impl OwnedReadHalf {
    /// Puts the stream back together with `other`, its write half; the
    /// write direction is not shut down. If `other` came from a different
    /// stream, both halves come back in the error.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        reunite(self, other)
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Waits until the stream is ready in `interest`; see
    /// [`TcpStream::ready`].
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until the stream is (or may be) readable; see
    /// [`TcpStream::readable`].
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Reads without waiting; see [`TcpStream::try_read`].
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read(buf)
    }

    /// Reads into several buffers without waiting; see
    /// [`TcpStream::try_read_vectored`].
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.try_read_vectored(bufs)
    }

    /// Waits for data and copies it into `buf` without consuming it; see
    /// [`TcpStream::peek`].
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together with `other`, its read half; see
    /// [`OwnedReadHalf::reunite`].
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        reunite(other, self)
    }

    /// Drops this half without shutting down the write direction: the
    /// peer reads no end-of-file until the read half is dropped too (which
    /// closes the socket).
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
        drop(self);
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Waits until the stream is ready in `interest`; see
    /// [`TcpStream::ready`].
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until the stream is (or may be) writable; see
    /// [`TcpStream::writable`].
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// Writes without waiting; see [`TcpStream::try_write`].
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write(buf)
    }

    /// Writes from several buffers without waiting; see
    /// [`TcpStream::try_write_vectored`].
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner.try_write_vectored(bufs)
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // Errors are ignored: destructors must not panic, and a peer
            // that already went away needs no end-of-file.
            let _ = self.inner.shutdown(Shutdown::Write);
        }
    }
}

impl AsyncRead for OwnedReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for OwnedWriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_vectored_priv(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // writes go straight to the socket
    }

    /// Shuts down the stream's write direction: the peer reads end-of-file,
    /// and the drop has nothing left to do.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = this.inner.poll_close_priv();
        if let Poll::Ready(Ok(())) = result {
            this.shutdown_on_drop = false;
        }
        result
    }
}

impl AsRef<TcpStream> for OwnedReadHalf {
    fn as_ref(&self) -> &TcpStream {
        &self.inner
    }
}

impl AsRef<TcpStream> for OwnedWriteHalf {
    fn as_ref(&self) -> &TcpStream {
        &self.inner
    }
}
