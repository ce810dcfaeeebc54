//! UDP send and receive.

use solo::net::UdpSocket;

#[test]
fn udp_send_to_and_recv_from() {
    solo::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        // The receiver waits first: readiness must wake it.
        let receiver = solo::spawn(async move {
            let mut buf = [0; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            (buf[..n].to_vec(), from)
        });
        solo::task::yield_now().await;
        a.send_to(b"datagram", b_addr).await.unwrap();
        let (got, from) = receiver.await.unwrap();
        assert_eq!(got, b"datagram");
        assert_eq!(from, a.local_addr().unwrap());
    });
}

#[test]
fn connected_udp_sockets_send_and_recv() {
    solo::block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        for i in 0..50u8 {
            a.send(&[i; 8]).await.unwrap();
            let mut buf = [0; 16];
            let n = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &[i; 8]);
        }
    });
}

/// An ICMP "port unreachable" leaves an error on a connected socket: the
/// next `recv` returns it, and after that the socket must wait again like
/// any idle one. The error state once stayed cached, so every later `recv`
/// polled ready, got `WouldBlock`, and looped: the thread spun and no
/// timer could fire.
#[test]
fn a_connected_socket_keeps_waiting_and_receiving_after_an_icmp_error() {
    use std::time::Duration;
    solo_tests::with_deadline(Duration::from_secs(10), || {
        solo::block_on(async {
            let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let dead_addr = dead.local_addr().unwrap();
            drop(dead);
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            a.connect(dead_addr).await.unwrap();
            a.send(b"anyone?").await.unwrap();
            let mut buf = [0; 16];
            let first = solo::time::timeout(Duration::from_secs(2), a.recv(&mut buf))
                .await
                .expect("the ICMP error never came back");
            #[cfg(target_os = "linux")]
            assert_eq!(
                first.unwrap_err().kind(),
                std::io::ErrorKind::ConnectionRefused
            );
            #[cfg(not(target_os = "linux"))]
            let _ = first;
            // Nothing to read now: the wait ends by its timeout, not a spin.
            let idle = solo::time::timeout(Duration::from_millis(100), a.recv(&mut buf)).await;
            assert!(idle.is_err(), "received {idle:?} from nobody");
            // Someone binds the port and answers: it arrives.
            let peer = std::net::UdpSocket::bind(dead_addr).unwrap();
            peer.send_to(b"here", a.local_addr().unwrap()).unwrap();
            let n = solo::time::timeout(Duration::from_secs(2), a.recv(&mut buf))
                .await
                .expect("the datagram after the error never woke the socket")
                .unwrap();
            assert_eq!(&buf[..n], b"here");
        })
    });
}

/// A wait that is cancelled (a `timeout`, an aborted task, a dropped
/// future) takes its waker out of the reactor at once. Wakers once piled up
/// on an idle socket until its next datagram, each keeping its task alive.
#[test]
fn a_cancelled_wait_leaves_no_waker_behind() {
    use std::future::Future;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    solo::block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let wakers: Vec<Arc<Noop>> = (0..100).map(|_| Arc::new(Noop)).collect();
        for w in &wakers {
            let waker = Waker::from(w.clone());
            let mut cx = Context::from_waker(&waker);
            let mut buf = [0; 8];
            let mut recv = Box::pin(socket.recv_from(&mut buf));
            assert!(recv.as_mut().poll(&mut cx).is_pending());
        }
        let held = wakers.iter().filter(|w| Arc::strong_count(w) > 1).count();
        assert_eq!(held, 0, "{held} cancelled waits still hold their wakers");
    });
}
