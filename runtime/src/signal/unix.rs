//! Unix signals as streams: [`signal`] returns a [`Signal`] that yields once
//! per delivery of one [`SignalKind`] (tokio's `tokio::signal::unix`).
//!
//! Each [`Signal`] owns a self-pipe (a Unix socket pair): a signal-hook
//! action writes one byte to it from the signal handler, and the stream
//! reads it through [`AsyncFd`]. That costs two file descriptors and one
//! registered action per listener, which suits the few listeners a program
//! has; both are released when the `Signal` is dropped.

use std::fmt;
use std::io::{self, Read};
use std::os::raw::c_int;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use signal_hook::consts::signal as sig;
use signal_hook::low_level::{pipe, unregister};
use signal_hook::SigId;

use crate::io::AsyncFd;

/// A kind of Unix signal: a signal number, with constructors for the
/// common ones (tokio's `SignalKind`).
///
/// Any number can be named with [`from_raw`](Self::from_raw); whether it can
/// be listened for is decided by [`signal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

impl SignalKind {
    /// The signal numbered `signum`, valid or not: [`signal`] rejects the
    /// ones that cannot be listened for.
    pub const fn from_raw(signum: c_int) -> Self {
        SignalKind(signum)
    }

    /// The signal's number.
    pub const fn as_raw_value(&self) -> c_int {
        self.0
    }

    /// SIGALRM: a real-time timer (`alarm`, `setitimer`) expired.
    pub const fn alarm() -> Self {
        SignalKind(sig::SIGALRM)
    }

    /// SIGCHLD: a child process stopped or exited.
    pub const fn child() -> Self {
        SignalKind(sig::SIGCHLD)
    }

    /// SIGHUP: the controlling terminal hung up; daemons often take it to
    /// mean "reload the configuration".
    pub const fn hangup() -> Self {
        SignalKind(sig::SIGHUP)
    }

    /// SIGINT: an interrupt from the terminal (Ctrl-C).
    pub const fn interrupt() -> Self {
        SignalKind(sig::SIGINT)
    }

    /// SIGIO: I/O is possible on a descriptor set up for it (`O_ASYNC`).
    pub const fn io() -> Self {
        SignalKind(sig::SIGIO)
    }

    /// SIGPIPE: a write to a pipe or socket nobody reads any more.
    pub const fn pipe() -> Self {
        SignalKind(sig::SIGPIPE)
    }

    /// SIGQUIT: a quit from the terminal (Ctrl-\\).
    pub const fn quit() -> Self {
        SignalKind(sig::SIGQUIT)
    }

    /// SIGTERM: a polite request to terminate (what `kill` sends by
    /// default).
    pub const fn terminate() -> Self {
        SignalKind(sig::SIGTERM)
    }

    /// SIGUSR1: user-defined signal 1.
    pub const fn user_defined1() -> Self {
        SignalKind(sig::SIGUSR1)
    }

    /// SIGUSR2: user-defined signal 2.
    pub const fn user_defined2() -> Self {
        SignalKind(sig::SIGUSR2)
    }

    /// SIGWINCH: the terminal window changed size.
    pub const fn window_change() -> Self {
        SignalKind(sig::SIGWINCH)
    }
}

impl From<c_int> for SignalKind {
    fn from(signum: c_int) -> Self {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for c_int {
    fn from(kind: SignalKind) -> Self {
        kind.as_raw_value()
    }
}

/// Signals that [`signal`] refuses: they cannot be caught (SIGKILL,
/// SIGSTOP), or report a fault the thread cannot resume from once a
/// handler returns (signal-hook's `FORBIDDEN` list, and SIGBUS).
fn is_forbidden(signum: c_int) -> bool {
    signum == sig::SIGBUS || signal_hook::consts::FORBIDDEN.contains(&signum)
}

/// Starts listening for `kind`: from the moment this returns, every
/// delivery of that signal to the process is recorded for the returned
/// [`Signal`], which yields it on its next [`recv`](Signal::recv), even
/// if it came before the first `recv`.
///
/// As with tokio, the signal's default action (often: terminate the
/// process) is replaced, for the rest of the process's life, by a handler
/// that notifies listeners: dropping every `Signal` does not restore it;
/// a delivery with no listener is then ignored.
///
/// Each `Signal` holds its own pair of file descriptors (see the module
/// docs); any number of them may listen for one kind, and each gets every
/// delivery.
///
/// # Errors
///
/// * [`InvalidInput`](io::ErrorKind::InvalidInput) for a signal that
///   cannot or must not be caught (SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,
///   SIGFPE, SIGILL) and for a number that is no signal.
/// * Outside a runtime, or if the socket pair cannot be created.
///
/// ```no_run
/// use solo::signal::unix::{signal, SignalKind};
///
/// solo::block_on(async {
///     let mut hangups = signal(SignalKind::hangup())?;
///     while hangups.recv().await.is_some() {
///         println!("SIGHUP: reloading the configuration");
///     }
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.as_raw_value();
    if signum <= 0 || is_forbidden(signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to listen for signal {signum}: it cannot or must not be caught"),
        ));
    }
    let (reader, writer) = UnixStream::pair()?;
    reader.set_nonblocking(true)?;
    writer.set_nonblocking(true)?;
    let reader = AsyncFd::new(reader)?;
    // From here on a delivery writes a byte to `writer`, which the action
    // owns: `unregister` in `Drop` closes it. On error the action (and
    // `writer`) is dropped here.
    let id = pipe::register(signum, writer)?;
    Ok(Signal {
        pipe: reader,
        id,
        kind,
        done: false,
    })
}

/// A stream of the deliveries of one signal, from [`signal`] (tokio's
/// `Signal`).
///
/// Deliveries not yet received are coalesced: however many arrive between
/// two [`recv`](Self::recv) calls, the next `recv` completes once, and the
/// one after waits for a new delivery.
///
/// Dropping a `Signal` unregisters its action and closes its descriptors;
/// the process-wide handler stays installed (see [`signal`]).
pub struct Signal {
    /// Read end of the self-pipe; the handler writes to the other end.
    pipe: AsyncFd<UnixStream>,
    id: SigId,
    kind: SignalKind,
    /// The pipe failed: the stream can never yield again.
    done: bool,
}

impl Signal {
    /// Waits for the next delivery of the signal; `Some(())` then.
    ///
    /// `None` means the stream can never yield again: its pipe failed, or
    /// it was polled outside the runtime it was created on. Cancel-safe:
    /// dropping the future loses no delivery.
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery, as [`recv`](Self::recv) waits for it.
    /// Only the waker of the most recent call is kept.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            let mut guard = match ready!(self.pipe.poll_read_ready(cx)) {
                Ok(guard) => guard,
                Err(_) => {
                    self.done = true;
                    continue;
                }
            };
            match drain(guard.get_inner()) {
                Drained::Some => {
                    // The pipe is empty: the next poll waits for a new byte.
                    guard.clear_ready();
                    return Poll::Ready(Some(()));
                }
                Drained::SomeThenClosed => {
                    self.done = true;
                    return Poll::Ready(Some(()));
                }
                Drained::Nothing => guard.clear_ready(),
                Drained::Closed => self.done = true,
            }
        }
    }
}

/// What one [`drain`] of the pipe found.
enum Drained {
    /// At least one byte (one or more deliveries); the pipe is now empty.
    Some,
    /// At least one byte, then end of file or an error.
    SomeThenClosed,
    /// No byte: the readiness was stale.
    Nothing,
    /// End of file or an error, with no byte: the pipe is unusable.
    Closed,
}

/// Reads the pipe until it would block.
fn drain(mut pipe: &UnixStream) -> Drained {
    let mut buf = [0u8; 64];
    let mut got = false;
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => got = true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return if got { Drained::Some } else { Drained::Nothing };
            }
            Err(_) => break,
        }
    }
    if got {
        Drained::SomeThenClosed
    } else {
        Drained::Closed
    }
}

impl futures_core::Stream for Signal {
    type Item = ();

    /// [`Signal::poll_recv`]: one item per (coalesced) delivery.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("kind", &self.kind).finish()
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        // Removes the action and closes the write end; `pipe` (the read
        // end) is deregistered and closed when the field drops next.
        unregister(self.id);
    }
}
