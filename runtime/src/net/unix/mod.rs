//! Unix domain sockets: the halves a [`UnixStream`] splits into, the
//! peer credentials [`UCred`], and the [`SocketAddr`] they use.
//!
//! [`UnixListener`](crate::net::UnixListener), [`UnixStream`] and
//! [`UnixDatagram`](crate::net::UnixDatagram) are used through
//! [`solo::net`](crate::net). This module holds, as `tokio::net::unix`
//! does, the halves that [`UnixStream::split`] borrows ([`ReadHalf`],
//! [`WriteHalf`]) and that [`UnixStream::into_split`] owns
//! ([`OwnedReadHalf`], [`OwnedWriteHalf`]), and the [`ReuniteError`] of
//! putting owned halves back together.
//!
//! A socket bound to a path leaves a file there, which stays when the
//! socket is dropped (as with std and tokio): remove it yourself, and
//! binding the path again fails with `AddrInUse` until you do. On Linux,
//! an address in the abstract namespace
//! (`std::os::linux::net::SocketAddrExt::from_abstract_name`, passed to
//! [`UnixListener::bind_addr`](crate::net::UnixListener::bind_addr) and
//! [`UnixStream::connect_addr`]) leaves no file.

// As in tcp: the socket types are public items of crate-private modules,
// exported from `net` only.
pub(crate) mod datagram;
pub(crate) mod listener;
mod split;
pub(crate) mod stream;
mod ucred;

pub use listener::Incoming;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
/// The address of a Unix domain socket: std's, as mio uses it (tokio wraps
/// the same type).
pub use std::os::unix::net::SocketAddr;
use stream::UnixStream;
pub use ucred::UCred;
