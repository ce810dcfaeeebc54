//! Networking: [`TcpListener`], [`TcpStream`] (its halves in [`tcp`]),
//! [`UdpSocket`], and on Unix [`UnixListener`], [`UnixStream`] (its halves
//! in [`unix`]) and [`UnixDatagram`].
//!
//! Each socket registers with the runtime running on the thread that made
//! it, and must be used inside that runtime; it deregisters when dropped.

mod addr;
mod drain;
pub(crate) mod split;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub(crate) use addr::resolve;
pub use addr::ToSocketAddrs;
pub use tcp::listener::TcpListener;
pub use tcp::stream::TcpStream;
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::datagram::UnixDatagram;
#[cfg(unix)]
pub use unix::listener::UnixListener;
#[cfg(unix)]
pub use unix::stream::UnixStream;

use std::io;
use std::net::SocketAddr;

/// Tries `f` on each address in turn; returns the first success, or the
/// last error.
pub(crate) async fn each_addr<T, F, Fut>(addrs: Vec<SocketAddr>, mut f: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    let mut last = None;
    for addr in addrs {
        match f(addr).await {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no addresses")))
}
