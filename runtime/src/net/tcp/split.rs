//! The halves of a [`TcpStream`]: borrowed ([`TcpStream::split`]) and
//! owned ([`TcpStream::into_split`], [`OwnedReadHalf::reunite`] back).
//! Their implementation is shared with the other streams: see
//! [`crate::net::split`].

use std::io;
use std::net::SocketAddr;

use super::TcpStream;

crate::net::split::stream_halves!(TcpStream, SocketAddr);

impl ReadHalf<'_> {
    /// Waits for data and copies it into `buf` without consuming it; see
    /// [`TcpStream::peek`].
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf).await
    }
}

impl OwnedReadHalf {
    /// Waits for data and copies it into `buf` without consuming it; see
    /// [`TcpStream::peek`].
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}
