//! TCP: echo, connect errors, abort of a task blocked on I/O, partial reads.

use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::task::yield_now;
use solo::Runtime;
use solo_tests::echo_server;

#[test]
fn tcp_echo_round_trips() {
    solo_tests::with_deadline(Duration::from_secs(20), || {
        solo::block_on(async {
            let addr = echo_server().await;
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            assert_eq!(stream.peer_addr().unwrap(), addr);
            let mut buf = [0u8; 64];
            for i in 0..100u8 {
                let msg = [i; 64];
                stream.write_all(&msg).await.unwrap();
                stream.read_exact(&mut buf).await.unwrap();
                assert_eq!(buf, msg);
            }
        })
    });
}

#[test]
fn many_concurrent_clients_are_served_on_one_thread() {
    solo_tests::with_deadline(Duration::from_secs(20), || {
        solo::block_on(async {
            let addr = echo_server().await;
            let clients: Vec<_> = (0..200u32)
                .map(|i| {
                    solo::spawn(async move {
                        let mut s = TcpStream::connect(addr).await.unwrap();
                        let msg = i.to_be_bytes();
                        s.write_all(&msg).await.unwrap();
                        let mut back = [0; 4];
                        s.read_exact(&mut back).await.unwrap();
                        u32::from_be_bytes(back)
                    })
                })
                .collect();
            for (i, c) in clients.into_iter().enumerate() {
                assert_eq!(c.await.unwrap(), i as u32);
            }
        })
    });
}

#[test]
fn a_large_transfer_arrives_whole() {
    solo::block_on(async {
        let addr = echo_server().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let data: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        let expected = data.clone();
        let writer = async {
            (&stream).write_all(&data).await.unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
        };
        let reader = async {
            let mut got = Vec::new();
            (&stream).read_to_end(&mut got).await.unwrap();
            got
        };
        let ((), got) = solo::time::timeout(
            Duration::from_secs(20),
            futures_lite::future::zip(writer, reader),
        )
        .await
        .expect("the transfer stalled");
        assert!(
            got == expected,
            "echoed {} of {} bytes",
            got.len(),
            expected.len()
        );
    });
}

#[test]
fn a_reader_that_reads_less_than_available_gets_every_byte() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        solo::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            s.write_all(&[7u8; 10_000]).await.unwrap();
            // Keep the connection open: only edge-triggered readiness says
            // more data is there.
            solo::time::sleep(Duration::from_secs(5)).await;
        });
        let mut s = TcpStream::connect(addr).await.unwrap();
        let mut total = 0;
        let mut small = [0u8; 3];
        let read_all = async {
            while total < 10_000 {
                total += s.read(&mut small).await.unwrap();
            }
        };
        solo::time::timeout(Duration::from_secs(3), read_all)
            .await
            .expect("stalled after a partial read");
    });
}

/// Reads that fill the buffer exactly, as `read_exact` of fixed-size
/// messages does. Such a read may have emptied the socket or not; either
/// way the next message must arrive, and the end of the stream must show.
#[test]
fn exact_size_reads_see_every_message_and_the_end_of_the_stream() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = solo::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut ask = [0u8; 1];
            // Each request asks for one 64-byte message (none queued behind
            // it), or, for the last, two at once.
            for round in 0u8..50 {
                s.read_exact(&mut ask).await.unwrap();
                s.write_all(&[round; 64]).await.unwrap();
            }
            s.read_exact(&mut ask).await.unwrap();
            s.write_all(&[50u8; 128]).await.unwrap();
            // Close only when told: no end-of-stream edge may stand in for
            // the readiness the second 64 bytes are owed.
            s.read_exact(&mut ask).await.unwrap();
        });
        let mut s = TcpStream::connect(addr).await.unwrap();
        let exchange = async {
            let mut message = [0u8; 64];
            for round in 0u8..50 {
                s.write_all(b"?").await.unwrap();
                s.read_exact(&mut message).await.unwrap();
                assert_eq!(message, [round; 64]);
            }
            s.write_all(b"?").await.unwrap();
            s.read_exact(&mut message).await.unwrap();
            s.read_exact(&mut message).await.unwrap();
            assert_eq!(message, [50u8; 64]);
            s.write_all(b"!").await.unwrap();
            server.await.unwrap();
            assert_eq!(s.read(&mut message).await.unwrap(), 0, "end of stream");
        };
        solo::time::timeout(Duration::from_secs(5), exchange)
            .await
            .expect("stalled after a read that filled its buffer");
    });
}

/// Linux: once reads go through `TCP_INQ`, the kernel's count of bytes
/// left, not a short read, says whether the socket is drained. A read
/// stops short at TCP urgent data; the bytes after it must still be read
/// without waiting for another packet.
#[cfg(target_os = "linux")]
#[test]
fn bytes_after_urgent_data_are_read_without_waiting_for_more() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let peer = socket2::Socket::from(peer);
        let (mut s, _) = listener.accept().await.unwrap();
        // A read that fills its buffer switches TCP_INQ on.
        peer.send(&[1; 8]).unwrap();
        let mut eight = [0u8; 8];
        s.read_exact(&mut eight).await.unwrap();
        peer.send(b"A").unwrap();
        peer.send_out_of_band(b"B").unwrap();
        peer.send(b"CCCC").unwrap();
        // Let the loop take in the events for all of it first. The peer
        // then stays open and silent: no later packet may stand in for the
        // readiness the bytes after the mark are owed.
        solo::time::sleep(Duration::from_millis(20)).await;
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        let read_all = async {
            while got.len() < 5 {
                let n = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
            }
        };
        solo::time::timeout(Duration::from_secs(3), read_all)
            .await
            .expect("the bytes after the urgent mark were left unread");
        assert_eq!(got, b"ACCCC", "the urgent byte is not inline");
        drop(peer);
    });
}

/// Several tasks may wait for the same socket to become readable (as with
/// tokio); each is woken, none displaces another.
#[test]
fn every_task_waiting_on_one_socket_is_woken() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (s, _) = listener.accept().await.unwrap();
        let s = std::rc::Rc::new(s);
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let s = s.clone();
                solo::spawn(async move { s.readable().await.unwrap() })
            })
            .collect();
        // Let all three register before anything arrives.
        yield_now().await;
        use std::io::Write;
        peer.write_all(b"x").unwrap();
        let all = async {
            for w in waiters {
                w.await.unwrap();
            }
        };
        solo::time::timeout(Duration::from_secs(3), all)
            .await
            .expect("a task waiting on a shared socket was never woken");
    });
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = solo::block_on(TcpStream::connect(("127.0.0.1", port))).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
}

#[test]
fn a_peer_that_goes_away_surfaces_as_eof_then_an_error_not_a_hang() {
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::net::TcpStream::connect(addr).unwrap();
        let (mut server_side, _) = listener.accept().await.unwrap();
        drop(peer);
        let mut buf = [0; 16];
        let n = solo::time::timeout(Duration::from_secs(3), server_side.read(&mut buf))
            .await
            .expect("read from a closed peer hung")
            .unwrap();
        assert_eq!(n, 0);
        // Writing to it makes the peer's kernel answer with a reset, which
        // must come back as an error (EPIPE or ECONNRESET).
        let mut failed = None;
        for _ in 0..100 {
            if let Err(e) = server_side.write_all(b"hello").await {
                failed = Some(e);
                break;
            }
            solo::time::sleep(Duration::from_millis(5)).await;
        }
        let e = failed.expect("writes to a reset connection kept succeeding");
        assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{e}"
        );
    });
}

#[test]
fn abort_of_a_task_blocked_on_io_deregisters_and_closes_its_socket() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = solo::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let mut buf = [0; 1];
            let _ = s.read(&mut buf).await; // blocks: the server never writes
        });
        let (mut server_side, _) = listener.accept().await.unwrap();
        yield_now().await;
        let before = solo_registrations();
        reader.abort();
        assert!(reader.await.unwrap_err().is_cancelled());
        assert_eq!(
            solo_registrations(),
            before - 1,
            "the socket must deregister"
        );
        // Closed: the other side reads end-of-file.
        let mut buf = [0; 1];
        let n = solo::time::timeout(Duration::from_secs(3), server_side.read(&mut buf))
            .await
            .expect("peer not closed")
            .unwrap();
        assert_eq!(n, 0);
    });
    assert_eq!(rt.metrics().io_registrations, 0);
}

fn solo_registrations() -> usize {
    solo::runtime::metrics().io_registrations
}

/// std passes at most IOV_MAX slices (1,024 on Linux) to one `writev`, so
/// a vectored write of more is short with the send buffer nearly empty. It
/// once counted as "buffer full" and cleared writability; no edge came,
/// and the next write waited forever.
#[test]
fn a_vectored_write_of_many_slices_does_not_stall_the_next_write() {
    solo_tests::with_deadline(Duration::from_secs(20), || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let reader = solo::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut all = Vec::new();
                s.read_to_end(&mut all).await.unwrap();
                all.len()
            });
            let mut c = TcpStream::connect(addr).await.unwrap();
            let bytes = [7u8; 2000];
            let slices: Vec<_> = bytes.chunks(1).map(std::io::IoSlice::new).collect();
            let n = c.write_vectored(&slices).await.unwrap();
            assert!(n > 0 && n <= slices.len());
            solo::time::timeout(Duration::from_secs(5), c.write_all(b"more"))
                .await
                .expect("a write after a many-slice vectored write never ran")
                .unwrap();
            c.close().await.unwrap();
            assert_eq!(reader.await.unwrap(), n + 4);
        })
    });
}
