//! I/O: the `futures-io` traits, their extension methods, and [`AsyncFd`].
//!
//! solo's sockets implement [`AsyncRead`] and [`AsyncWrite`] from
//! `futures-io`, the traits that smol, async-std and the `futures` crate
//! share, so their adapters and codecs work on solo unchanged.
//! [`AsyncReadExt`] and [`AsyncWriteExt`] (from `futures-lite`) add
//! `read`, `read_exact`, `read_to_end`, `write_all`, `flush`, `close` and more.

#[cfg(unix)]
mod async_fd;
pub(crate) mod evented;
mod interest;
pub(crate) mod ready;

#[cfg(unix)]
pub use async_fd::{AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_lite::io::{
    split, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter,
    ReadHalf, WriteHalf,
};
pub use interest::Interest;
pub use ready::Ready;
