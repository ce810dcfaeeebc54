//! `AsyncFd`: readiness for any non-blocking file descriptor.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{Context, Poll};

use mio::event::Source;
use mio::unix::SourceFd;
use mio::{Registry, Token};

use super::evented::PollEvented;
use super::{Interest, Ready};
use crate::reactor::Direction;

/// Registers a file descriptor (a pipe, a socketpair, a tty...) with the
/// runtime, to await its readiness. The same names and meaning as tokio's
/// `AsyncFd`.
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
    fn register(&mut self, r: &Registry, t: Token, i: mio::Interest) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).register(r, t, i)
    }
    fn reregister(&mut self, r: &Registry, t: Token, i: mio::Interest) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).reregister(r, t, i)
    }
    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        SourceFd(&self.0.as_raw_fd()).deregister(r)
    }
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `io`'s descriptor with the runtime running on this thread,
    /// for reading and writing.
    ///
    /// Fails outside a runtime, or if the descriptor cannot be polled (a
    /// regular file, for instance, on epoll).
    pub fn new(io: T) -> io::Result<Self> {
        Self::with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io`'s descriptor for the readiness `interest` names only
    /// (tokio's `with_interest`).
    ///
    /// Waits for readiness outside `interest` never end: a descriptor
    /// registered for [`Interest::READABLE`] is never reported writable.
    /// `Interest::PRIORITY` (Linux, Android) registers for `EPOLLPRI`;
    /// [`Interest::ERROR`] alone registers as readable with the poller
    /// (errors are reported whatever the interest), and a
    /// `ready(Interest::ERROR)` wait then ends only on an error.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use solo::io::{AsyncFd, Interest};
    ///
    /// solo::block_on(async {
    ///     let (a, _b) = UnixStream::pair()?;
    ///     a.set_nonblocking(true)?;
    ///     let a = AsyncFd::with_interest(a, Interest::WRITABLE)?;
    ///     let guard = a.ready(Interest::WRITABLE).await?;
    ///     assert!(guard.ready().is_writable());
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub fn with_interest(io: T, interest: Interest) -> io::Result<Self> {
        Ok(AsyncFd {
            inner: PollEvented::with_interest(Fd(io), interest)?,
        })
    }

    /// The wrapped value.
    pub fn get_ref(&self) -> &T {
        &self.inner.get_ref().0
    }

    /// The wrapped value, mutably. The registration is for the descriptor
    /// `T` had when registered: do not replace it through this reference.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner.get_mut().0
    }

    /// Deregisters the descriptor and returns the wrapped value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner().0
    }

    /// Waits until the descriptor is (or may be) ready in any of the
    /// directions `interest` names; the guard holds the readiness found
    /// ([`AsyncFdReadyGuard::ready`]).
    ///
    /// The readiness can be a false positive: do the operation with the
    /// guard's [`try_io`](AsyncFdReadyGuard::try_io), which clears it on
    /// `WouldBlock`, and wait again. Any number of these futures may wait
    /// at once; each removes its waker when dropped.
    ///
    /// An error on the descriptor ends a wait in any direction, so that the
    /// operation reports it: unlike tokio's, a `READABLE` or `WRITABLE`
    /// guard's [`ready`](AsyncFdReadyGuard::ready) may hold
    /// [`Ready::ERROR`].
    ///
    /// ```
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    /// use solo::io::{AsyncFd, Interest};
    ///
    /// solo::block_on(async {
    ///     let (a, mut b) = UnixStream::pair()?;
    ///     a.set_nonblocking(true)?;
    ///     let a = AsyncFd::new(a)?;
    ///     b.write_all(b"x")?;
    ///     let guard = a.ready(Interest::READABLE | Interest::WRITABLE).await?;
    ///     let ready = guard.ready();
    ///     assert!(ready.is_readable() || ready.is_writable());
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let ready = self.inner.ready(interest).await?;
        Ok(AsyncFdReadyGuard {
            fd: self,
            interest,
            ready,
        })
    }

    /// [`ready`](Self::ready), with a guard that gives `&mut` access to the
    /// `AsyncFd` and the wrapped value.
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let ready = self.inner.ready(interest).await?;
        Ok(AsyncFdReadyMutGuard {
            fd: self,
            interest,
            ready,
        })
    }

    /// Waits until the descriptor is (or may be) readable:
    /// `ready(Interest::READABLE)`.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until the descriptor is (or may be) readable, with `&mut`
    /// access: `ready_mut(Interest::READABLE)`.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits until the descriptor is (or may be) writable:
    /// `ready(Interest::WRITABLE)`.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until the descriptor is (or may be) writable, with `&mut`
    /// access: `ready_mut(Interest::WRITABLE)`.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Polls for read readiness. Only the waker of the most recent call is
    /// kept, as tokio does.
    pub fn poll_read_ready(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'_, T>>> {
        self.inner
            .poll_ready(Interest::READABLE, cx)
            .map_ok(|ready| AsyncFdReadyGuard {
                fd: self,
                interest: Interest::READABLE,
                ready,
            })
    }

    /// Polls for write readiness. Only the waker of the most recent call is
    /// kept, as tokio does.
    pub fn poll_write_ready(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'_, T>>> {
        self.inner
            .poll_ready(Interest::WRITABLE, cx)
            .map_ok(|ready| AsyncFdReadyGuard {
                fd: self,
                interest: Interest::WRITABLE,
                ready,
            })
    }

    /// Runs `f` on the wrapped value if the descriptor is ready in
    /// `interest`, without waiting (tokio's `AsyncFd::try_io`):
    /// `WouldBlock` if it is not (`f` is then not called), or if `f`
    /// returns it (the readiness in `interest` is then cleared, so the next
    /// wait blocks until a new event).
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.inner.try_io(interest, |fd| f(&fd.0))
    }

    /// [`try_io`](Self::try_io) with `&mut` access to the wrapped value.
    pub fn try_io_mut<R>(
        &mut self,
        interest: Interest,
        f: impl FnOnce(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        if self.inner.readiness(interest).is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = f(self.get_mut());
        if let Err(e) = &result {
            if e.kind() == io::ErrorKind::WouldBlock {
                self.inner.clear_interest(interest);
            }
        }
        result
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

    /// Reads with `op` once readable, retrying on `WouldBlock` (and
    /// `Interrupted`) after waiting again.
    pub async fn async_read<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.io(Direction::Read, op).await
    }

    /// Writes with `op` once writable, retrying on `WouldBlock` (and
    /// `Interrupted`) after waiting again.
    pub async fn async_write<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.io(Direction::Write, op).await
    }

    /// What a guard's `clear_ready_matching(ready)` forgets: `ready`
    /// without the closed states, which are final (as tokio).
    fn clear_matching(&self, ready: Ready) {
        self.inner
            .clear_readiness(ready - Ready::READ_CLOSED - Ready::WRITE_CLOSED);
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

/// The readiness an [`AsyncFd`] was found to have, from
/// [`ready`](AsyncFd::ready), [`readable`](AsyncFd::readable),
/// [`writable`](AsyncFd::writable) or a `poll_*_ready`.
///
/// Dropping the guard keeps the readiness (as
/// [`retain_ready`](Self::retain_ready)): the next wait ends at once.
/// After an operation returns `WouldBlock`, clear it with
/// [`clear_ready`](Self::clear_ready) or let [`try_io`](Self::try_io) do
/// it.
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    /// The interest the wait was for: what `clear_ready` forgets.
    interest: Interest,
    /// The readiness found, less what this guard cleared.
    ready: Ready,
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    /// The readiness the wait found (within its interest), less what this
    /// guard has cleared since: empty after [`clear_ready`](Self::clear_ready).
    pub fn ready(&self) -> Ready {
        self.ready
    }

    /// Forgets the readiness of every direction the wait's interest
    /// covers, closed and error states included: the next wait for them
    /// blocks until a new event. Call it after an operation returned
    /// `WouldBlock`, which shows those states stale.
    pub fn clear_ready(&mut self) {
        self.fd.inner.clear_interest(self.interest);
        self.ready = Ready::EMPTY;
    }

    /// Forgets only the readiness in `ready` (say, [`Ready::READABLE`]
    /// while keeping [`Ready::WRITABLE`]). The closed states
    /// ([`Ready::READ_CLOSED`], [`Ready::WRITE_CLOSED`]) are final and never
    /// cleared by this method, as in tokio.
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        self.fd.clear_matching(ready);
        self.ready = self.ready - ready;
    }

    /// Keeps the readiness (the default when the guard drops).
    pub fn retain_ready(&mut self) {}

    /// Runs `f`; if it returns `WouldBlock`, clears the readiness (as
    /// [`clear_ready`](Self::clear_ready)) and returns `Err(TryIoError)` so
    /// the caller waits again. Any other result is returned in `Ok`.
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
            .field("interest", &self.interest)
            .field("ready", &self.ready)
            .finish()
    }
}

/// [`AsyncFdReadyGuard`] with `&mut` access to the [`AsyncFd`] and the
/// wrapped value, from [`ready_mut`](AsyncFd::ready_mut),
/// [`readable_mut`](AsyncFd::readable_mut) or
/// [`writable_mut`](AsyncFd::writable_mut). The same contract: dropping it
/// keeps the readiness; clear it after `WouldBlock`.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use solo::io::{AsyncFd, Interest};
///
/// solo::block_on(async {
///     let (a, mut b) = UnixStream::pair()?;
///     a.set_nonblocking(true)?;
///     let mut a = AsyncFd::new(a)?;
///     b.write_all(b"hey")?;
///     let mut buf = [0; 3];
///     loop {
///         let mut guard = a.ready_mut(Interest::READABLE).await?;
///         if let Ok(n) = guard.try_io(|fd| fd.get_mut().read(&mut buf)) {
///             assert_eq!(n?, 3);
///             break;
///         }
///     }
///     assert_eq!(&buf, b"hey");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    fd: &'a mut AsyncFd<T>,
    /// The interest the wait was for: what `clear_ready` forgets.
    interest: Interest,
    /// The readiness found, less what this guard cleared.
    ready: Ready,
}

impl<T: AsRawFd> AsyncFdReadyMutGuard<'_, T> {
    /// The readiness the wait found (within its interest), less what this
    /// guard has cleared since: empty after [`clear_ready`](Self::clear_ready).
    pub fn ready(&self) -> Ready {
        self.ready
    }

    /// As [`AsyncFdReadyGuard::clear_ready`]: forgets the readiness of
    /// every direction the wait's interest covers.
    pub fn clear_ready(&mut self) {
        self.fd.inner.clear_interest(self.interest);
        self.ready = Ready::EMPTY;
    }

    /// As [`AsyncFdReadyGuard::clear_ready_matching`]: forgets only the
    /// readiness in `ready`, never the closed states.
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        self.fd.clear_matching(ready);
        self.ready = self.ready - ready;
    }

    /// Keeps the readiness (the default when the guard drops).
    pub fn retain_ready(&mut self) {}

    /// Runs `f` with `&mut` access to the `AsyncFd`; if it returns
    /// `WouldBlock`, clears the readiness (as
    /// [`clear_ready`](Self::clear_ready)) and returns `Err(TryIoError)` so
    /// the caller waits again. Any other result is returned in `Ok`.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
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
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.fd
    }

    /// The `AsyncFd` this guard belongs to, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.fd
    }

    /// The wrapped value.
    pub fn get_inner(&self) -> &T {
        self.fd.get_ref()
    }

    /// The wrapped value, mutably.
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.fd.get_mut()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("interest", &self.interest)
            .field("ready", &self.ready)
            .finish()
    }
}

/// The operation given to a guard's `try_io` would have blocked; the
/// guard's readiness was cleared.
#[derive(Debug)]
pub struct TryIoError(());
