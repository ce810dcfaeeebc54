//! The parent's ends of a child's piped stdin, stdout and stderr, as
//! non-blocking pipes registered with the runtime.

use std::fmt;
use std::io::{self, Read, Write};
use std::pin::Pin;
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
