use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::{Context, Poll};

use super::{each_addr, resolve, ToSocketAddrs};
use crate::io::evented::PollEvented;
use crate::io::{Interest, Ready};
use crate::reactor::Direction;

/// A UDP socket.
///
/// The same names and meaning as tokio's `UdpSocket`. Any number of tasks
/// may await the same socket at once (share it through an `Rc`); the
/// `poll_*` methods keep only the most recent caller's waker per direction,
/// as tokio does.
///
/// ```
/// use solo::net::UdpSocket;
///
/// solo::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (port 0 picks a free port).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        each_addr(resolve(addr).await?, |addr| async move {
            Ok(UdpSocket {
                io: PollEvented::new(mio::net::UdpSocket::bind(addr)?)?,
            })
        })
        .await
    }

    /// Wraps a bound std socket (made non-blocking here).
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: PollEvented::new(mio::net::UdpSocket::from_std(socket))?,
        })
    }

    /// Deregisters the socket from the runtime and returns it as a std
    /// socket, as tokio's `into_std`.
    ///
    /// The returned socket is still in non-blocking mode: call
    /// `set_nonblocking(false)` on it for blocking calls. Readiness the
    /// runtime had seen is forgotten; a datagram already queued stays in
    /// the socket.
    ///
    /// ```
    /// use solo::net::UdpSocket;
    ///
    /// solo::block_on(async {
    ///     let socket = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let addr = socket.local_addr()?;
    ///     let std_socket = socket.into_std()?;
    ///     assert_eq!(std_socket.local_addr()?, addr);
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        Ok(self.io.into_inner().into())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address; `NotConnected` if the socket is not
    /// connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets the default peer for [`send`](Self::send) and filters
    /// [`recv`](Self::recv) to datagrams from it.
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        each_addr(resolve(addr).await?, |addr| async move {
            self.io.get_ref().connect(addr)
        })
        .await
    }

    /// Waits until the socket is ready in any of the directions `interest`
    /// names, and returns the readiness found (tokio's `ready`).
    ///
    /// The readiness can be a false positive: a `try_*` call may still
    /// return `WouldBlock`, and then clears it, so the next wait blocks
    /// until a new event. Any number of these futures may wait at once;
    /// each removes its waker when dropped.
    ///
    /// ```
    /// use solo::io::Interest;
    /// use solo::net::UdpSocket;
    ///
    /// solo::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     loop {
    ///         let ready = a.ready(Interest::WRITABLE).await?;
    ///         if ready.is_writable() {
    ///             match a.try_send(b"hi") {
    ///                 Ok(_) => break,
    ///                 Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///                 Err(e) => return Err(e),
    ///             }
    ///         }
    ///     }
    ///     let mut buf = [0; 8];
    ///     let n = b.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"hi");
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until the socket is (or may be) readable: a `try_recv*` may
    /// then succeed, or return `WouldBlock` if the readiness was a false
    /// positive.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Read).await.map(drop)
    }

    /// Waits until the socket is (or may be) writable: a `try_send*` may
    /// then succeed, or return `WouldBlock` if the readiness was a false
    /// positive.
    pub async fn writable(&self) -> io::Result<()> {
        self.io.ready_dir(Direction::Write).await.map(drop)
    }

    /// Sends a datagram to `target`; returns the bytes sent.
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = resolve(target).await?[0];
        self.io
            .io(Direction::Write, |s| s.send_to(buf, target))
            .await
    }

    /// Sends a datagram to `target` if the socket is writable, without
    /// waiting; `WouldBlock` if it is not (the write readiness is then
    /// cleared, so [`writable`](Self::writable) waits for room).
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Polls to send a datagram to `target`: `Pending` until the socket is
    /// writable, then the bytes sent. Only the most recent caller's waker
    /// is kept.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(Direction::Write, cx, |s| s.send_to(buf, target))
    }

    /// Receives a datagram; returns its length and sender. Bytes beyond
    /// `buf`'s length are discarded.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.io(Direction::Read, |s| s.recv_from(buf)).await
    }

    /// Receives a datagram if one is queued, without waiting; returns its
    /// length and sender. `WouldBlock` if none is (the read readiness is
    /// then cleared, so [`readable`](Self::readable) waits for the next
    /// datagram).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Polls to receive a datagram: `Pending` until one is queued, then its
    /// length and sender. Only the most recent caller's waker is kept.
    ///
    /// tokio's `poll_recv_from` fills a `ReadBuf` and returns only the
    /// sender; solo has no `ReadBuf`, so this takes a plain slice and
    /// returns the length with the sender. Bytes beyond `buf`'s length are
    /// discarded.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv_from(buf))
    }

    /// Sends a datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.io(Direction::Write, |s| s.send(buf)).await
    }

    /// Sends a datagram to the connected peer if the socket is writable,
    /// without waiting; `WouldBlock` if it is not (the write readiness is
    /// then cleared). An error the peer's host sent back for an earlier
    /// datagram (`ConnectionRefused`, say) is returned here.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Polls to send a datagram to the connected peer: `Pending` until the
    /// socket is writable, then the bytes sent. Only the most recent
    /// caller's waker is kept.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Write, cx, |s| s.send(buf))
    }

    /// Receives a datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.io(Direction::Read, |s| s.recv(buf)).await
    }

    /// Receives a datagram from the connected peer if one is queued,
    /// without waiting; `WouldBlock` if none is (the read readiness is then
    /// cleared, so [`readable`](Self::readable) waits for the next one).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Polls to receive a datagram from the connected peer: `Pending` until
    /// one is queued, then its length. Only the most recent caller's waker
    /// is kept.
    ///
    /// tokio's `poll_recv` fills a `ReadBuf`; solo has no `ReadBuf`, so
    /// this takes a plain slice and returns the length. Bytes beyond
    /// `buf`'s length are discarded.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv(buf))
    }

    /// Waits for a datagram from the connected peer and copies it into
    /// `buf` without removing it: the next `recv` returns the same bytes.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.io(Direction::Read, |s| s.peek(buf)).await
    }

    /// Waits for a datagram and copies it into `buf` without removing it;
    /// returns its length (at most `buf`'s) and sender. The next
    /// `recv_from` returns the same datagram.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.io(Direction::Read, |s| s.peek_from(buf)).await
    }

    /// Waits for a datagram and returns its sender without reading or
    /// removing it (tokio's `peek_sender`): the next `recv_from` returns
    /// that datagram, whatever its size.
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        // A zero-length peek returns the sender and copies nothing
        // (Unix `recvfrom` with `MSG_PEEK`).
        self.io
            .io(Direction::Read, |s| s.peek_from(&mut []))
            .await
            .map(|(_, from)| from)
    }

    /// Takes the socket's pending error (`SO_ERROR`), such as the
    /// `ConnectionRefused` an ICMP "port unreachable" leaves on a connected
    /// socket, and clears it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Sets `SO_BROADCAST`: whether datagrams may be sent to a broadcast
    /// address.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `SO_BROADCAST`, as [`set_broadcast`](Self::set_broadcast) set it.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets `IP_TTL`: the time-to-live of the IPv4 packets this socket
    /// sends.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `IP_TTL`, as [`set_ttl`](Self::set_ttl) set it (or the system's
    /// default).
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface whose
    /// address is `interface` (`Ipv4Addr::UNSPECIFIED`: the system picks
    /// one, which needs a route to the group).
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with
    /// index `interface` (0: the system picks one).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves a group joined with
    /// [`join_multicast_v4`](Self::join_multicast_v4); an error
    /// (`AddrNotAvailable` on Linux) if it was not joined there.
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves a group joined with
    /// [`join_multicast_v6`](Self::join_multicast_v6); an error if it was
    /// not joined there.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// Sets `IP_MULTICAST_LOOP`: whether IPv4 multicast datagrams this
    /// socket sends are looped back to local members of the group.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// `IP_MULTICAST_LOOP`.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP`: whether IPv6 multicast datagrams this
    /// socket sends are looped back to local members of the group.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// `IPV6_MULTICAST_LOOP`.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }

    /// Sets `IP_MULTICAST_TTL`: how many hops IPv4 multicast datagrams this
    /// socket sends may cross (1, the default, keeps them on the local
    /// network).
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// `IP_MULTICAST_TTL`.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.get_ref().multicast_ttl_v4()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for UdpSocket {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
