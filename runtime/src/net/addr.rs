//! Socket addresses and the non-blocking resolver behind `bind`/`connect`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::context;
use crate::task::spawn_blocking;

/// What solo's sockets accept as an address, as with tokio's trait of the
/// same name: a [`SocketAddr`] (or V4/V6), an `(IpAddr, u16)` pair, a slice
/// of addresses, or a string `"host:port"` / pair `("host", port)`.
///
/// Literal addresses are parsed in place and never block. A host name
/// (`"localhost:8080"`) is looked up with the system resolver on a
/// [`spawn_blocking`] thread, so the runtime keeps running other tasks
/// while it waits.
///
/// The trait is sealed: it is implemented for the types above and
/// references to them only.
pub trait ToSocketAddrs: sealed::ToAddrs {}

pub(crate) mod sealed {
    use super::*;

    /// The addresses, or the name still to look up.
    #[derive(Debug)]
    pub enum Addrs {
        Ready(Vec<SocketAddr>),
        Lookup(String),
        LookupPort(String, u16),
    }

    /// Turns a value into addresses without blocking.
    pub trait ToAddrs {
        fn to_addrs(&self) -> Addrs;
    }
}

use sealed::{Addrs, ToAddrs};

/// Resolves `addr` to at least one socket address; a host name is looked
/// up off the runtime's thread.
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs = match addr.to_addrs() {
        Addrs::Ready(addrs) => addrs,
        Addrs::Lookup(name) => {
            lookup(move || std::net::ToSocketAddrs::to_socket_addrs(&name)).await?
        }
        Addrs::LookupPort(host, port) => {
            lookup(move || std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))).await?
        }
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        ));
    }
    Ok(addrs)
}

async fn lookup<I>(
    f: impl FnOnce() -> io::Result<I> + Send + 'static,
) -> io::Result<Vec<SocketAddr>>
where
    I: Iterator<Item = SocketAddr>,
{
    // Sockets need a runtime anyway: say so as an error, not a panic.
    context::current_or_io_error()?;
    spawn_blocking(move || f().map(Iterator::collect)).await?
}

macro_rules! ready_addr {
    ($($t:ty),*) => {$(
        impl ToSocketAddrs for $t {}
        impl ToAddrs for $t {
            fn to_addrs(&self) -> Addrs {
                Addrs::Ready(vec![SocketAddr::from(*self)])
            }
        }
    )*};
}

ready_addr!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for [SocketAddr] {}
impl ToAddrs for [SocketAddr] {
    fn to_addrs(&self) -> Addrs {
        Addrs::Ready(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl ToAddrs for str {
    fn to_addrs(&self) -> Addrs {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Addrs::Ready(vec![addr]),
            Err(_) => Addrs::Lookup(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl ToAddrs for String {
    fn to_addrs(&self) -> Addrs {
        self.as_str().to_addrs()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl ToAddrs for (&str, u16) {
    fn to_addrs(&self) -> Addrs {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Addrs::Ready(vec![SocketAddr::new(ip, port)]),
            Err(_) => Addrs::LookupPort(host.to_owned(), port),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl ToAddrs for (String, u16) {
    fn to_addrs(&self) -> Addrs {
        (self.0.as_str(), self.1).to_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToAddrs + ?Sized> ToAddrs for &T {
    fn to_addrs(&self) -> Addrs {
        (**self).to_addrs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_addresses_need_no_lookup() {
        for addr in ["127.0.0.1:80", "[::1]:443"] {
            assert!(matches!(addr.to_addrs(), Addrs::Ready(v) if v.len() == 1));
        }
        assert!(matches!(("10.0.0.1", 9).to_addrs(), Addrs::Ready(_)));
        assert!(matches!("localhost:80".to_addrs(), Addrs::Lookup(_)));
        assert!(matches!(
            ("localhost", 80).to_addrs(),
            Addrs::LookupPort(..)
        ));
    }

    #[test]
    fn a_name_without_port_is_an_error_not_a_panic() {
        let err = crate::block_on(resolve("localhost")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn localhost_resolves_to_loopback_with_the_port() {
        let addrs = crate::block_on(resolve("localhost:8080")).unwrap();
        assert!(addrs
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));
    }
}
