//! `UdpSocket`'s tokio-style API beyond send and receive: readiness,
//! `try_*`, `poll_*`, peeking, socket options, multicast, `into_std`.

use std::future::{poll_fn, Future};
use std::io::ErrorKind;
#[cfg(target_os = "linux")]
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use futures_lite::future::poll_once;
use solo::io::Interest;
use solo::net::UdpSocket;
use solo::time::timeout;

/// Runs the test's future on a fresh runtime; a hang fails the test.
fn run<F: Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
    solo_tests::with_deadline(Duration::from_secs(20), move || solo::block_on(test()));
}

/// Two sockets on loopback, each connected to the other.
async fn connected_pair() -> (UdpSocket, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    a.connect(b.local_addr().unwrap()).await.unwrap();
    b.connect(a.local_addr().unwrap()).await.unwrap();
    (a, b)
}

/// Whether `f` is still waiting after `ms` milliseconds.
async fn still_waiting<F: Future>(ms: u64, f: F) -> bool {
    timeout(Duration::from_millis(ms), f).await.is_err()
}

const SOON: Duration = Duration::from_secs(3);

#[test]
fn try_recv_on_an_empty_socket_would_block_and_readable_waits_for_a_datagram() {
    run(|| async {
        let (a, b) = connected_pair().await;
        let mut buf = [0; 16];
        assert_eq!(
            a.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert!(
            still_waiting(100, a.readable()).await,
            "readable with nothing sent"
        );
        assert_eq!(
            a.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        b.send(b"one").await.unwrap();
        timeout(SOON, a.readable())
            .await
            .expect("the datagram never made the socket readable")
            .unwrap();
        let n = a.try_recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one");
        assert_eq!(
            a.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        assert!(
            still_waiting(100, a.readable()).await,
            "readable once drained"
        );
    });
}

#[test]
fn ready_reports_writable_at_once_and_readable_only_once_a_datagram_arrives() {
    run(|| async {
        let (a, b) = connected_pair().await;
        let ready = timeout(SOON, a.ready(Interest::READABLE | Interest::WRITABLE))
            .await
            .expect("a fresh socket is writable")
            .unwrap();
        assert!(ready.is_writable() && !ready.is_readable(), "{ready:?}");
        b.send(b"x").await.unwrap();
        let ready = timeout(SOON, a.ready(Interest::READABLE))
            .await
            .expect("the datagram never made the socket readable")
            .unwrap();
        assert!(ready.is_readable() && !ready.is_writable(), "{ready:?}");
        let both = a
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        assert!(both.is_readable() && both.is_writable(), "{both:?}");
    });
}

#[test]
fn try_send_to_and_try_recv_from_carry_a_datagram_and_its_sender() {
    run(|| async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let sent = loop {
            a.writable().await.unwrap();
            match a.try_send_to(b"round trip", b.local_addr().unwrap()) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                other => break other.unwrap(),
            }
        };
        assert_eq!(sent, 10);
        let mut buf = [0; 32];
        let (n, from) = loop {
            timeout(SOON, b.readable())
                .await
                .expect("never readable")
                .unwrap();
            match b.try_recv_from(&mut buf) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                other => break other.unwrap(),
            }
        };
        assert_eq!(
            (&buf[..n], from),
            (&b"round trip"[..], a.local_addr().unwrap())
        );
        let empty = b.try_recv_from(&mut buf).unwrap_err();
        assert_eq!(empty.kind(), ErrorKind::WouldBlock);
    });
}

#[test]
fn poll_recv_from_is_pending_until_a_datagram_arrives_sent_by_poll_send_to() {
    run(|| async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0; 32];
        let first = poll_once(poll_fn(|cx| b.poll_recv_from(cx, &mut buf))).await;
        assert!(
            first.is_none(),
            "received {first:?} before anything was sent"
        );
        let to = b.local_addr().unwrap();
        let n = poll_fn(|cx| a.poll_send_to(cx, b"polled", to))
            .await
            .unwrap();
        assert_eq!(n, 6);
        let (n, from) = timeout(SOON, poll_fn(|cx| b.poll_recv_from(cx, &mut buf)))
            .await
            .expect("poll_recv_from was never woken")
            .unwrap();
        assert_eq!((&buf[..n], from), (&b"polled"[..], a.local_addr().unwrap()));
    });
}

#[test]
fn poll_send_and_poll_recv_carry_datagrams_between_connected_sockets() {
    run(|| async {
        let (a, b) = connected_pair().await;
        let mut buf = [0; 8];
        assert!(poll_once(poll_fn(|cx| b.poll_recv(cx, &mut buf)))
            .await
            .is_none());
        let receiver = async {
            let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
            buf[..n].to_vec()
        };
        let sender = async {
            solo::time::sleep(Duration::from_millis(20)).await;
            poll_fn(|cx| a.poll_send(cx, b"ab")).await.unwrap()
        };
        let (got, sent) = timeout(SOON, futures_lite::future::zip(receiver, sender))
            .await
            .expect("poll_recv was never woken");
        assert_eq!((got, sent), (b"ab".to_vec(), 2));
    });
}

#[test]
fn peek_leaves_the_datagram_for_the_next_recv() {
    run(|| async {
        let (a, b) = connected_pair().await;
        b.send(b"hello").await.unwrap();
        let mut small = [0; 3];
        assert_eq!(timeout(SOON, a.peek(&mut small)).await.unwrap().unwrap(), 3);
        assert_eq!(&small, b"hel");
        let mut buf = [0; 16];
        let (n, from) = a.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"hello"[..], b.local_addr().unwrap()));
        let mut again = [0; 16];
        let n = a.recv(&mut again).await.unwrap();
        assert_eq!(
            &again[..n],
            b"hello",
            "recv after peek got another datagram"
        );
        assert_eq!(
            a.try_recv(&mut again).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
    });
}

#[test]
fn peek_sender_names_the_next_datagrams_sender_without_consuming_it() {
    run(|| async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let c = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let d = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = a.local_addr().unwrap();
        c.send_to(b"from c", to).await.unwrap();
        d.send_to(b"from d", to).await.unwrap();
        let c_addr = c.local_addr().unwrap();
        let d_addr = d.local_addr().unwrap();
        let sender = timeout(SOON, a.peek_sender()).await.unwrap().unwrap();
        assert_eq!(sender, c_addr);
        assert_eq!(
            a.peek_sender().await.unwrap(),
            c_addr,
            "peek_sender consumed"
        );
        let mut buf = [0; 16];
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"from c"[..], c_addr));
        assert_eq!(a.peek_sender().await.unwrap(), d_addr);
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"from d"[..], d_addr));
    });
}

#[test]
fn ttl_broadcast_and_multicast_options_read_back_what_was_set() {
    run(|| async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.set_ttl(42).unwrap();
        assert_eq!(s.ttl().unwrap(), 42);
        s.set_ttl(7).unwrap();
        assert_eq!(s.ttl().unwrap(), 7);
        #[cfg(target_os = "linux")]
        assert_eq!(s.set_ttl(256).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert!(!s.broadcast().unwrap(), "SO_BROADCAST is off by default");
        s.set_broadcast(true).unwrap();
        assert!(s.broadcast().unwrap());
        s.set_broadcast(false).unwrap();
        assert!(!s.broadcast().unwrap());
        s.set_multicast_loop_v4(false).unwrap();
        assert!(!s.multicast_loop_v4().unwrap());
        s.set_multicast_loop_v4(true).unwrap();
        assert!(s.multicast_loop_v4().unwrap());
        s.set_multicast_ttl_v4(5).unwrap();
        assert_eq!(s.multicast_ttl_v4().unwrap(), 5);
        let s6 = UdpSocket::bind("[::1]:0").await.unwrap();
        s6.set_multicast_loop_v6(false).unwrap();
        assert!(!s6.multicast_loop_v6().unwrap());
        s6.set_multicast_loop_v6(true).unwrap();
        assert!(s6.multicast_loop_v6().unwrap());
    });
}

/// The group is joined on the loopback interface by its address, which
/// needs no multicast route: the sandbox and CI have only loopback. The
/// sender picks the same interface with `IP_MULTICAST_IF`.
#[cfg(target_os = "linux")]
#[test]
fn joining_a_multicast_group_delivers_its_datagrams_and_leaving_stops_them() {
    run(|| async {
        let group = Ipv4Addr::new(224, 0, 0, 123);
        let lo = Ipv4Addr::LOCALHOST;
        let member = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let port = member.local_addr().unwrap().port();
        member.join_multicast_v4(group, lo).unwrap();
        let sender =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
        sender.set_multicast_if_v4(&lo).unwrap();
        let to = SocketAddr::from((group, port)).into();
        sender.send_to(b"to the group", &to).unwrap();
        let mut buf = [0; 32];
        let (n, _) = timeout(SOON, member.recv_from(&mut buf))
            .await
            .expect("a member never received the group's datagram")
            .unwrap();
        assert_eq!(&buf[..n], b"to the group");
        member.leave_multicast_v4(group, lo).unwrap();
        sender.send_to(b"after leaving", &to).unwrap();
        assert!(
            still_waiting(200, member.recv_from(&mut buf)).await,
            "received a group datagram after leaving the group"
        );
        let twice = member.leave_multicast_v4(group, lo).unwrap_err();
        assert_eq!(twice.kind(), ErrorKind::AddrNotAvailable);
    });
}

#[cfg(target_os = "linux")]
#[test]
fn joining_an_ipv6_multicast_group_can_be_left_once() {
    run(|| async {
        let group: Ipv6Addr = "ff02::123".parse().unwrap();
        let member = UdpSocket::bind("[::]:0").await.unwrap();
        // Interface 1 is loopback on Linux.
        member.join_multicast_v6(&group, 1).unwrap();
        member.leave_multicast_v6(&group, 1).unwrap();
        let twice = member.leave_multicast_v6(&group, 1).unwrap_err();
        assert_eq!(twice.kind(), ErrorKind::AddrNotAvailable);
    });
}

#[test]
fn into_std_deregisters_the_socket_and_keeps_its_queued_datagram() {
    run(|| async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        peer.send_to(b"queued", s.local_addr().unwrap())
            .await
            .unwrap();
        s.readable().await.unwrap();
        let before = solo::runtime::metrics().io_registrations;
        let std_socket = s.into_std().unwrap();
        assert_eq!(solo::runtime::metrics().io_registrations, before - 1);
        let mut buf = [0; 16];
        let (n, from) = std_socket.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"queued"[..], peer.local_addr().unwrap())
        );
        // Still non-blocking, as tokio documents.
        let empty = std_socket.recv_from(&mut buf).unwrap_err();
        assert_eq!(empty.kind(), ErrorKind::WouldBlock);
        std_socket.set_nonblocking(false).unwrap();
        std_socket.set_read_timeout(Some(SOON)).unwrap();
        peer.send_to(b"later", std_socket.local_addr().unwrap())
            .await
            .unwrap();
        let n = std_socket.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"later");
    });
}

#[cfg(target_os = "linux")]
#[test]
fn as_fd_lends_the_socket_itself() {
    use std::os::fd::{AsFd, AsRawFd};
    run(|| async {
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_eq!(s.as_fd().as_raw_fd(), s.as_raw_fd());
        let via_fd = socket2::SockRef::from(&s).local_addr().unwrap();
        assert_eq!(via_fd.as_socket(), Some(s.local_addr().unwrap()));
    });
}

/// Each datagram to a closed port brings back an ICMP "port unreachable",
/// which the next send on a connected socket reports. The loop is bounded:
/// a socket that spun (ready, `WouldBlock`, ready...) would exhaust it.
#[test]
fn try_send_to_a_closed_port_eventually_reports_connection_refused() {
    run(|| async {
        let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let dead_addr = dead.local_addr().unwrap();
        drop(dead);
        let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect(dead_addr).await.unwrap();
        let mut tries = 0;
        let error = loop {
            tries += 1;
            assert!(tries < 1000, "no error after {tries} tries");
            timeout(SOON, s.writable())
                .await
                .expect("never writable")
                .unwrap();
            match s.try_send(b"anyone?") {
                Ok(_) => solo::time::sleep(Duration::from_millis(5)).await,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => break e,
            }
        };
        #[cfg(target_os = "linux")]
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error}");
        #[cfg(not(target_os = "linux"))]
        let _ = error;
        assert!(
            s.take_error().unwrap().is_none(),
            "the error was reported once"
        );
        s.try_send(b"again")
            .expect("the socket works after the error");
    });
}
