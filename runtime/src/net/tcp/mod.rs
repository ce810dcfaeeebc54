//! TCP: the listener, the stream, and the halves a stream splits into.
//!
//! [`TcpListener`](crate::net::TcpListener) and [`TcpStream`] are used
//! through [`solo::net`](crate::net). This module holds, as
//! `tokio::net::tcp` does, the halves that [`TcpStream::split`] borrows ([`ReadHalf`], [`WriteHalf`]) and that
//! [`TcpStream::into_split`] owns ([`OwnedReadHalf`], [`OwnedWriteHalf`]),
//! and the [`ReuniteError`] of putting owned halves back together.

// As in tokio: the listener and the stream are public items of
// crate-private modules, exported from `net` only.
pub(crate) mod listener;
mod split;
pub(crate) mod stream;

pub use listener::Incoming;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
use stream::TcpStream;
