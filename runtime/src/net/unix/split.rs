//! The halves of a [`UnixStream`]: borrowed ([`UnixStream::split`]) and
//! owned ([`UnixStream::into_split`], [`OwnedReadHalf::reunite`] back).
//! Their implementation is shared with the other streams: see
//! [`crate::net::split`].

use super::{SocketAddr, UnixStream};

crate::net::split::stream_halves!(UnixStream, SocketAddr);
