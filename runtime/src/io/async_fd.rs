//! `AsyncFd`: readiness for any non-blocking file descriptor.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{Context, Poll};

use mio::event::Source;
use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};

use super::evented::PollEvented;
use crate::reactor::Direction;

/// Registers a file descriptor (a pipe, a socketpair, a tty...) with the
/// runtime, to await its readiness. The same names as tokio's `AsyncFd`.
///
/// The descriptor must be in non-blocking mode: the reactor reports
/// readiness edge by edge, and the caller reads or writes until the
/// operation returns `WouldBlock`, then calls
/// [`clear_ready`](AsyncFdReadyGuard::clear_ready) (or lets
/// [`try_io`](AsyncFdReadyGuard::try_io) do it) and waits again.
///
/// Dropping the `AsyncFd` deregisters the descriptor, then drops `T`
/// (which closes it if `T` owns it).
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use solo::io::AsyncFd;
///
/// solo::block_on(async {
///     let (a, mut b) = UnixStream::pair().unwrap();
///     a.set_nonblocking(true).unwrap();
///     let a = AsyncFd::new(a).unwrap();
///     b.write_all(b"ping").unwrap();
///     let mut buf = [0; 4];
///     loop {
///         let mut guard = a.readable().await.unwrap();
///         match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///             Ok(n) => { assert_eq!(n.unwrap(), 4); break; }
///             Err(_would_block) => continue,
///         }
///     }
///     assert_eq!(&buf, b"ping");
/// });
/// ```
pub struct AsyncFd<T: AsRawFd> {
    inner: PollEvented<Fd<T>>,
}

/// Lets mio register a `T: AsRawFd` it does not own.
struct Fd<T>(T);

impl<T: AsRawFd> Source for Fd<T> {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).register(r, t, i)
    }
    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).reregister(r, t, i)
    }
    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).deregister(r)
    }
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `io`'s descriptor with the runtime running on this thread.
    ///
    /// Fails outside a runtime, or if the descriptor cannot be polled (a
    /// regular file, for instance, on epoll).
    pub fn new(io: T) -> io::Result<Self> {
        Ok(AsyncFd {
            inner: PollEvented::new(Fd(io))?,
        })
    }

    /// The wrapped value.
    pub fn get_ref(&self) -> &T {
        &self.inner.get_ref().0
    }

    /// Deregisters the descriptor and returns the wrapped value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner().0
    }

    /// Waits until the descriptor is (or may be) readable.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.inner.ready_dir(Direction::Read).await?;
        Ok(self.guard(Direction::Read))
    }

    /// Waits until the descriptor is (or may be) writable.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.inner.ready_dir(Direction::Write).await?;
        Ok(self.guard(Direction::Write))
    }

    /// Polls for read readiness.
    pub fn poll_read_ready(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'_, T>>> {
        self.inner
            .poll_ready(crate::io::Interest::READABLE, cx)
            .map_ok(|_| self.guard(Direction::Read))
    }

    /// Polls for write readiness.
    pub fn poll_write_ready(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'_, T>>> {
        self.inner
            .poll_ready(crate::io::Interest::WRITABLE, cx)
            .map_ok(|_| self.guard(Direction::Write))
    }

    /// Waits for readiness in `dir`, then runs `op` until it stops returning
    /// `WouldBlock`.
    async fn io<R>(
        &self,
        dir: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.inner.io(dir, |fd| op(&fd.0)).await
    }

    /// Reads with `op` once readable, retrying on `WouldBlock`.
    pub async fn async_read<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.io(Direction::Read, op).await
    }

    /// Writes with `op` once writable, retrying on `WouldBlock`.
    pub async fn async_write<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.io(Direction::Write, op).await
    }

    fn guard(&self, dir: Direction) -> AsyncFdReadyGuard<'_, T> {
        AsyncFdReadyGuard { fd: self, dir }
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", self.get_ref())
            .finish()
    }
}

/// Readiness of an [`AsyncFd`] in one direction, as returned by
/// [`readable`](AsyncFd::readable) and [`writable`](AsyncFd::writable).
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    dir: Direction,
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    /// Forgets the readiness: the next wait blocks until a new event. Call it
    /// after an operation returned `WouldBlock`.
    pub fn clear_ready(&mut self) {
        self.fd.inner.clear_ready(self.dir);
    }

    /// Forgets only the readiness in `ready` (say, [`Ready::READABLE`](crate::io::Ready::READABLE)
    /// while keeping [`Ready::READ_CLOSED`](crate::io::Ready::READ_CLOSED)).
    pub fn clear_ready_matching(&mut self, ready: crate::io::Ready) {
        self.fd.inner.clear_readiness(ready);
    }

    /// Keeps the readiness (the default when the guard drops).
    pub fn retain_ready(&mut self) {}

    /// Runs `f`; if it returns `WouldBlock`, clears the readiness and returns
    /// `Err(TryIoError)` so the caller waits again.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// The `AsyncFd` this guard belongs to.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.fd
    }

    /// The wrapped value.
    pub fn get_inner(&self) -> &'a T {
        self.fd.get_ref()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("dir", &self.dir)
            .finish()
    }
}

/// The operation given to [`AsyncFdReadyGuard::try_io`] would have blocked.
#[derive(Debug)]
pub struct TryIoError(());
