//! TCP: the non-waiting reads and writes, socket options, raw handles and
//! the way back to std, each against a loopback peer.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

/// Waits for read readiness and tries to read, until the read does not
/// say `WouldBlock`; bounded by `LIMIT`.
async fn read_once(stream: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    timeout(LIMIT, async {
        loop {
            stream.readable().await?;
            match stream.try_read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                r => return r,
            }
        }
    })
    .await
    .expect("no read outcome within the limit")
}

#[test]
fn try_read_on_an_empty_socket_would_block_and_readable_then_waits_for_new_data() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, server) = solo_tests::tcp_pair().await;
            let mut buf = [0u8; 16];
            // Fresh sockets may report readable at first: the first
            // try_read that finds nothing must clear that.
            let err = server.try_read(&mut buf).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            assert!(
                timeout(Duration::from_millis(50), server.readable())
                    .await
                    .is_err(),
                "readable() returned with no new data"
            );
            client.write_all(b"new").await.unwrap();
            timeout(LIMIT, server.readable()).await.unwrap().unwrap();
            assert_eq!(server.try_read(&mut buf).unwrap(), 3);
            assert_eq!(&buf[..3], b"new");
        })
    });
}

#[test]
fn try_read_returns_zero_at_end_of_stream() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, server) = solo_tests::tcp_pair().await;
            client.write_all(b"last").await.unwrap();
            client.close().await.unwrap();
            let mut buf = [0u8; 16];
            let mut got = Vec::new();
            loop {
                match read_once(&server, &mut buf).await.unwrap() {
                    0 => break,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
            assert_eq!(got, b"last");
            // And again: end of stream is not a one-off.
            assert_eq!(server.try_read(&mut buf).unwrap(), 0);
        })
    });
}

#[test]
fn try_read_vectored_fills_the_slices_in_order() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, server) = solo_tests::tcp_pair().await;
            client.write_all(b"abcdefg").await.unwrap();
            let (mut a, mut b) = ([0u8; 3], [0u8; 8]);
            let n = timeout(LIMIT, async {
                loop {
                    server.readable().await.unwrap();
                    let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
                    match server.try_read_vectored(&mut bufs) {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        r => return r.unwrap(),
                    }
                }
            })
            .await
            .unwrap();
            assert_eq!(n, 7);
            assert_eq!(&a, b"abc");
            assert_eq!(&b[..4], b"defg");
        })
    });
}

#[test]
fn try_write_vectored_writes_every_slice() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, mut server) = solo_tests::tcp_pair().await;
            timeout(LIMIT, client.writable()).await.unwrap().unwrap();
            let slices = [
                IoSlice::new(b"one "),
                IoSlice::new(b""),
                IoSlice::new(b"two "),
                IoSlice::new(b"three"),
            ];
            // A fresh socket's send buffer holds all 13 bytes at once.
            assert_eq!(client.try_write_vectored(&slices).unwrap(), 13);
            drop(client);
            let mut got = String::new();
            timeout(LIMIT, server.read_to_string(&mut got))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(got, "one two three");
        })
    });
}

#[test]
fn zero_linger_then_drop_makes_the_peer_read_a_reset() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, server) = solo_tests::tcp_pair().await;
            client.set_zero_linger().unwrap();
            drop(client);
            let mut buf = [0u8; 16];
            let err = read_once(&server, &mut buf).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
        })
    });
}

#[test]
#[allow(deprecated)] // set_linger, as in tokio
fn linger_round_trips() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, _server) = solo_tests::tcp_pair().await;
            assert_eq!(client.linger().unwrap(), None);
            client.set_zero_linger().unwrap();
            assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
            client.set_linger(Some(Duration::from_secs(3))).unwrap();
            assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
            // Not left set: a lingering close would block the test thread.
            client.set_linger(None).unwrap();
            assert_eq!(client.linger().unwrap(), None);
        })
    });
}

#[test]
fn ttl_round_trips_on_the_stream_and_the_listener() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.set_ttl(17).unwrap();
            assert_eq!(listener.ttl().unwrap(), 17);
            let stream = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            stream.set_ttl(33).unwrap();
            assert_eq!(stream.ttl().unwrap(), 33);
            stream.set_ttl(34).unwrap();
            assert_eq!(stream.ttl().unwrap(), 34);
        })
    });
}

#[cfg(target_os = "linux")]
#[test]
fn sock_ref_from_a_stream_sets_and_reads_keepalive() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, _server) = solo_tests::tcp_pair().await;
            let sock = socket2::SockRef::from(&client);
            assert!(!sock.keepalive().unwrap());
            sock.set_keepalive(true).unwrap();
            // Read back through a second, independent borrow.
            assert!(socket2::SockRef::from(&client).keepalive().unwrap());
        })
    });
}

#[cfg(target_os = "linux")]
#[test]
fn sock_ref_from_a_listener_reads_its_options() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let sock = socket2::SockRef::from(&listener);
            // bind sets SO_REUSEADDR; the socket listens.
            assert!(sock.reuse_address().unwrap());
            assert_eq!(
                sock.local_addr().unwrap().as_socket(),
                Some(listener.local_addr().unwrap())
            );
        })
    });
}

#[test]
fn stream_into_std_deregisters_and_gives_a_working_nonblocking_std_stream() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, server) = solo_tests::tcp_pair().await;
            let before = solo::runtime::metrics().io_registrations;
            let mut std_stream = server.into_std().unwrap();
            assert_eq!(solo::runtime::metrics().io_registrations, before - 1);
            // Still non-blocking, as tokio documents: no data, no wait.
            let mut buf = [0u8; 5];
            let err = std_stream.read(&mut buf).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            std_stream.set_nonblocking(false).unwrap();
            client.write_all(b"hello").await.unwrap();
            std_stream.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"hello");
            std_stream.write_all(b"back").unwrap();
            let mut back = [0u8; 4];
            timeout(LIMIT, client.read_exact(&mut back))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&back, b"back");
        })
    });
}

#[test]
fn listener_into_std_deregisters_and_still_accepts() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let before = solo::runtime::metrics().io_registrations;
            let std_listener = listener.into_std().unwrap();
            assert_eq!(solo::runtime::metrics().io_registrations, before - 1);
            let err = std_listener.accept().unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            let _client = TcpStream::connect(addr).await.unwrap();
            std_listener.set_nonblocking(false).unwrap();
            let (_server, peer) = std_listener.accept().unwrap();
            assert_eq!(peer.ip(), addr.ip());
        })
    });
}

#[test]
fn try_write_to_a_peer_that_reset_gives_an_error() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, server) = solo_tests::tcp_pair().await;
            server.set_zero_linger().unwrap();
            drop(server);
            let err = timeout(LIMIT, async {
                loop {
                    client.writable().await.unwrap();
                    match client.try_write(b"anyone there?") {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        // The reset may not have arrived before this write.
                        Ok(_) => solo::time::sleep(Duration::from_millis(1)).await,
                        Err(e) => return e,
                    }
                }
            })
            .await
            .expect("try_write never reported the reset");
            assert!(
                matches!(
                    err.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ),
                "unexpected error: {err:?}"
            );
        })
    });
}
