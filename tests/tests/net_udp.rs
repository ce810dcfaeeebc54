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
