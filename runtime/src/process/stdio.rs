//! The parent's ends of a child's piped stdin, stdout and stderr, as
//! non-blocking pipes registered with the runtime; each converts back to a
//! blocking [`Stdio`] for another child.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use mio::unix::pipe::{Receiver, Sender};

use crate::io::evented::PollEvented;
use crate::io::Interest;
use crate::reactor::Direction;

/// The writing end of a child's stdin, from
/// [`Stdio::piped`](std::process::Stdio::piped) (tokio's `ChildStdin`).
///
/// Dropping it (or [`close`](futures_lite::AsyncWriteExt::close)) closes
/// the pipe: the child reads end of file. Writes after the child closed its
/// end fail with [`BrokenPipe`](io::ErrorKind::BrokenPipe).
pub struct ChildStdin {
    /// `None` once `poll_close` closed it.
    pipe: Option<PollEvented<Sender>>,
}

/// The reading end of a child's stdout, from
/// [`Stdio::piped`](std::process::Stdio::piped) (tokio's `ChildStdout`).
/// A read returns 0 (end of file) once the child, and every process that
/// inherited the pipe, closed it.
pub struct ChildStdout {
    pipe: PollEvented<Receiver>,
}

/// The reading end of a child's stderr, as [`ChildStdout`] is of its
/// stdout (tokio's `ChildStderr`).
pub struct ChildStderr {
    pipe: PollEvented<Receiver>,
}

fn receiver(pipe: Receiver) -> io::Result<PollEvented<Receiver>> {
    pipe.set_nonblocking(true)?;
    PollEvented::with_interest(pipe, Interest::READABLE)
}

impl ChildStdin {
    pub(super) fn new(std: std::process::ChildStdin) -> io::Result<Self> {
        let pipe = Sender::from(std);
        pipe.set_nonblocking(true)?;
        Ok(ChildStdin {
            pipe: Some(PollEvented::with_interest(pipe, Interest::WRITABLE)?),
        })
    }
}

impl ChildStdout {
    pub(super) fn new(std: std::process::ChildStdout) -> io::Result<Self> {
        Ok(ChildStdout {
            pipe: receiver(Receiver::from(std))?,
        })
    }
}

impl ChildStderr {
    pub(super) fn new(std: std::process::ChildStderr) -> io::Result<Self> {
        Ok(ChildStderr {
            pipe: receiver(Receiver::from(std))?,
        })
    }
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &self.pipe {
            None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            Some(pipe) => pipe.poll_io(Direction::Write, cx, |mut pipe| pipe.write(buf)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // writes go straight to the pipe
    }

    /// Closes the pipe: the child reads end of file; writes fail from then
    /// on with `BrokenPipe`.
    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.pipe = None;
        Poll::Ready(Ok(()))
    }
}

macro_rules! impl_read {
    ($ty:ident) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.pipe
                    .poll_io(Direction::Read, cx, |mut pipe| pipe.read(buf))
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty)).finish_non_exhaustive()
            }
        }
    };
}

impl_read!(ChildStdout);
impl_read!(ChildStderr);

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin").finish_non_exhaustive()
    }
}

/// Gives the pipe back for another child's stdio: deregisters it from the
/// runtime, makes it blocking again (as a child expects) and wraps the
/// descriptor, so one child's output feeds another's input (tokio's
/// `TryInto<Stdio>`). Fails if the descriptor's flags cannot be changed.
/// [`Command::stdin`](super::Command::stdin) is generic, so name the
/// target: `Stdio::try_from(out)?`, or `let stdin: Stdio = out.try_into()?`.
///
/// ```
/// use solo::process::Command;
/// use std::process::Stdio;
///
/// solo::block_on(async {
///     let mut echo = Command::new("echo").arg("hello").stdout(Stdio::piped()).spawn()?;
///     let out = echo.stdout.take().expect("piped");
///     let mut tr = Command::new("tr");
///     tr.args(["a-z", "A-Z"]).stdin(Stdio::try_from(out)?);
///     let output = tr.output().await?;
///     assert_eq!(output.stdout, b"HELLO\n");
///     echo.wait().await?;
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
impl TryFrom<ChildStdout> for Stdio {
    type Error = io::Error;

    fn try_from(out: ChildStdout) -> io::Result<Stdio> {
        receiver_stdio(out.pipe)
    }
}

/// Gives the pipe back for another child's stdio, as
/// [`ChildStdout`]'s conversion does.
impl TryFrom<ChildStderr> for Stdio {
    type Error = io::Error;

    fn try_from(err: ChildStderr) -> io::Result<Stdio> {
        receiver_stdio(err.pipe)
    }
}

/// Gives the pipe back for another child's stdio, as
/// [`ChildStdout`]'s conversion does: that child writes what this one
/// reads. Fails with [`BrokenPipe`](io::ErrorKind::BrokenPipe) once the
/// pipe was closed.
impl TryFrom<ChildStdin> for Stdio {
    type Error = io::Error;

    fn try_from(stdin: ChildStdin) -> io::Result<Stdio> {
        match stdin.pipe {
            Some(pipe) => {
                let pipe = pipe.into_inner();
                pipe.set_nonblocking(false)?;
                Ok(Stdio::from(OwnedFd::from(pipe)))
            }
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was closed",
            )),
        }
    }
}

/// Deregisters `pipe`, makes it blocking and wraps its descriptor (closed
/// on error).
fn receiver_stdio(pipe: PollEvented<Receiver>) -> io::Result<Stdio> {
    let pipe = pipe.into_inner();
    pipe.set_nonblocking(false)?;
    Ok(Stdio::from(OwnedFd::from(pipe)))
}
