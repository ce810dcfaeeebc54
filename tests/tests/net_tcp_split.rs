//! TCP: a stream split into halves, borrowed (`split`) and owned
//! (`into_split`), and put back together (`reunite`).

use std::time::Duration;

use futures_lite::future::zip;
use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::tcp::ReuniteError;
use solo::net::TcpStream;
use solo::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

/// How long a read must stay pending to count as "no end-of-file".
const QUIET: Duration = Duration::from_millis(100);

/// Shrinks both socket buffers of `stream` (Linux), so that a megabyte
/// in flight overflows them; Nagle's algorithm is off, or tiny windows
/// would wait on delayed acknowledgements.
fn small_buffers(stream: &TcpStream) {
    stream.set_nodelay(true).unwrap();
    #[cfg(target_os = "linux")]
    {
        let sock = socket2::SockRef::from(stream);
        sock.set_recv_buffer_size(16 << 10).unwrap();
        sock.set_send_buffer_size(16 << 10).unwrap();
    }
}

/// Echoes everything `stream` reads back to it until end-of-file, then
/// shuts down its write direction.
fn spawn_echo(stream: TcpStream) -> solo::JoinHandle<()> {
    solo::spawn(async move {
        let (reader, mut writer) = stream.into_split();
        futures_lite::io::copy(reader, &mut writer).await.unwrap();
        writer.close().await.unwrap();
    })
}

/// A pattern that shows reordered or lost bytes.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Reads `stream` to end-of-file, bounded by `LIMIT`.
async fn read_all(mut stream: impl solo::io::AsyncRead + Unpin) -> Vec<u8> {
    let mut got = Vec::new();
    timeout(LIMIT, stream.read_to_end(&mut got))
        .await
        .expect("no end-of-file within the limit")
        .unwrap();
    got
}

#[test]
fn into_split_halves_echo_one_mebibyte_from_two_tasks_at_once() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, server) = solo_tests::tcp_pair().await;
            small_buffers(&client);
            small_buffers(&server);
            let echo = spawn_echo(server);
            let data = pattern(1 << 20);
            let (reader, mut writer) = client.into_split();
            let sent = data.clone();
            // Far more than the (small) socket buffers hold: the writer
            // only gets through if the reader drains the echo meanwhile.
            let writing = solo::spawn(async move {
                writer.write_all(&sent).await.unwrap();
                writer.close().await.unwrap();
            });
            let reading = solo::spawn(read_all(reader));
            let got = timeout(LIMIT, reading).await.unwrap().unwrap();
            writing.await.unwrap();
            echo.await.unwrap();
            assert!(got == data, "the echo differs ({} bytes)", got.len());
        })
    });
}

#[test]
fn dropping_an_owned_write_half_makes_the_peer_read_end_of_stream() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, mut server) = solo_tests::tcp_pair().await;
            let (mut reader, mut writer) = client.into_split();
            writer.write_all(b"bye").await.unwrap();
            drop(writer);
            assert_eq!(read_all(&mut server).await, b"bye");
            // The read direction still works.
            server.write_all(b"still here").await.unwrap();
            let mut buf = [0u8; 10];
            timeout(LIMIT, reader.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"still here");
        })
    });
}

#[test]
fn forgetting_an_owned_write_half_leaves_the_write_direction_open() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, mut server) = solo_tests::tcp_pair().await;
            let (reader, writer) = client.into_split();
            writer.forget();
            let mut buf = [0u8; 1];
            assert!(
                timeout(QUIET, server.read(&mut buf)).await.is_err(),
                "the peer read something after forget()"
            );
            // The socket closes with the last half.
            drop(reader);
            assert_eq!(read_all(&mut server).await, b"");
        })
    });
}

#[test]
fn closing_an_owned_write_half_shuts_down_the_write_direction_once() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, mut server) = solo_tests::tcp_pair().await;
            let (_reader, mut writer) = client.into_split();
            writer.close().await.unwrap();
            assert_eq!(read_all(&mut server).await, b"");
            // The drop after a close has nothing to do, and does not fail.
            drop(writer);
        })
    });
}

#[test]
fn reunite_of_matching_halves_gives_the_stream_back_open_both_ways() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, mut server) = solo_tests::tcp_pair().await;
            let local = client.local_addr().unwrap();
            let registrations = solo::runtime::metrics().io_registrations;
            let (reader, writer) = client.into_split();
            let mut client = reader.reunite(writer).unwrap();
            assert_eq!(client.local_addr().unwrap(), local);
            assert_eq!(solo::runtime::metrics().io_registrations, registrations);
            // Reuniting dropped the write half without shutting it down.
            client.write_all(b"after").await.unwrap();
            let mut buf = [0u8; 5];
            timeout(LIMIT, server.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"after");
            server.write_all(b"back").await.unwrap();
            let mut buf = [0u8; 4];
            timeout(LIMIT, client.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"back");
        })
    });
}

#[test]
fn reunite_of_halves_from_different_streams_errors_and_gives_them_back() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (a, mut a_peer) = solo_tests::tcp_pair().await;
            let (b, _b_peer) = solo_tests::tcp_pair().await;
            let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
            let (a_read, a_write) = a.into_split();
            let (b_read, b_write) = b.into_split();
            let err = a_read.reunite(b_write).unwrap_err();
            assert_eq!(
                err.to_string(),
                "tried to reunite halves that are not from the same socket"
            );
            let _: &dyn std::error::Error = &err;
            let ReuniteError(a_read, b_write) = err;
            assert_eq!(a_read.local_addr().unwrap(), a_addr);
            assert_eq!(b_write.local_addr().unwrap(), b_addr);
            // The failed attempt shut nothing down: each pair reunites.
            let mut a = a_write.reunite(a_read).unwrap();
            b_read.reunite(b_write).unwrap();
            a.write_all(b"whole").await.unwrap();
            let mut buf = [0u8; 5];
            timeout(LIMIT, a_peer.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"whole");
        })
    });
}

#[test]
fn borrowed_halves_read_and_write_at_once_in_zip() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, server) = solo_tests::tcp_pair().await;
            small_buffers(&client);
            small_buffers(&server);
            let echo = spawn_echo(server);
            let data = pattern(1 << 20);
            let (mut reader, mut writer) = client.split();
            let writing = async {
                writer.write_all(&data).await.unwrap();
                // A borrowed write half's close shuts down the write
                // direction: the echo ends, so the read below ends.
                writer.close().await.unwrap();
            };
            let ((), got) = zip(writing, read_all(&mut reader)).await;
            echo.await.unwrap();
            assert!(got == data, "the echo differs ({} bytes)", got.len());
        })
    });
}

#[test]
fn dropping_borrowed_halves_leaves_the_stream_open() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, mut server) = solo_tests::tcp_pair().await;
            {
                // Going out of scope here must not shut anything down.
                let (_reader, _writer) = client.split();
            }
            let mut buf = [0u8; 1];
            assert!(
                timeout(QUIET, server.read(&mut buf)).await.is_err(),
                "the peer read something after the halves were dropped"
            );
            client.write_all(b"x").await.unwrap();
            timeout(LIMIT, server.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"x");
        })
    });
}

#[test]
fn halves_report_the_streams_addresses_and_peek_without_consuming() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (mut client, mut server) = solo_tests::tcp_pair().await;
            let (local, peer) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
            server.write_all(b"peeked").await.unwrap();
            {
                let (mut reader, writer) = client.split();
                assert_eq!(reader.local_addr().unwrap(), local);
                assert_eq!(writer.peer_addr().unwrap(), peer);
                let mut buf = [0u8; 6];
                let n = timeout(LIMIT, reader.peek(&mut buf))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(&buf[..n], &b"peeked"[..n]);
            }
            let (mut reader, writer) = client.into_split();
            assert_eq!(reader.peer_addr().unwrap(), peer);
            assert_eq!(writer.local_addr().unwrap(), local);
            let mut buf = [0u8; 6];
            let n = timeout(LIMIT, reader.peek(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf[..n], &b"peeked"[..n]);
            // Peeking consumed nothing: a read still gets it all.
            let mut buf = [0u8; 6];
            timeout(LIMIT, reader.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"peeked");
        })
    });
}

#[test]
fn half_try_read_and_try_write_move_data_after_ready() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, server) = solo_tests::tcp_pair().await;
            let (reader, writer) = client.into_split();
            timeout(LIMIT, writer.writable()).await.unwrap().unwrap();
            assert_eq!(writer.try_write(b"ping").unwrap(), 4);
            let mut buf = [0u8; 4];
            let mut server = server;
            timeout(LIMIT, server.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            server.write_all(b"pong").await.unwrap();
            let n = timeout(LIMIT, async {
                loop {
                    reader.readable().await.unwrap();
                    match reader.try_read(&mut buf) {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        r => return r.unwrap(),
                    }
                }
            })
            .await
            .unwrap();
            assert_eq!(&buf[..n], b"pong");
        })
    });
}

#[test]
fn an_owned_read_half_reads_a_reset_as_an_error() {
    solo_tests::with_deadline(LIMIT, || {
        solo::block_on(async {
            let (client, server) = solo_tests::tcp_pair().await;
            let (mut reader, _writer) = client.into_split();
            server.set_zero_linger().unwrap();
            drop(server);
            let mut buf = [0u8; 8];
            let err = timeout(LIMIT, reader.read(&mut buf))
                .await
                .unwrap()
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
        })
    });
}
