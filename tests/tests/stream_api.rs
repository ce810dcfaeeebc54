//! `solo::stream`, and solo's own streams: an interval's ticks and a
//! listener's incoming connections.

use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::stream::{self, StreamExt};
use solo::time::{self, Instant};

#[test]
fn an_interval_is_a_stream_of_the_instants_its_ticks_were_due() {
    solo_tests::paused(async {
        let start = Instant::now();
        let ticks: Vec<Duration> = time::interval(Duration::from_secs(5))
            .take(3)
            .map(|due| due - start)
            .collect()
            .await;
        assert_eq!(ticks, [0, 5, 10].map(Duration::from_secs));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    });
}

#[test]
fn incoming_yields_each_accepted_connection() {
    solo_tests::with_deadline(Duration::from_secs(10), || {
        solo::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let clients = solo::spawn(async move {
                for i in 0..3u8 {
                    let mut c = TcpStream::connect(addr).await.unwrap();
                    c.write_all(&[i]).await.unwrap();
                }
            });
            let mut got = Vec::new();
            let mut incoming = listener.incoming().take(3);
            while let Some(stream) = incoming.next().await {
                let mut byte = [0];
                stream.unwrap().read_exact(&mut byte).await.unwrap();
                got.push(byte[0]);
            }
            clients.await.unwrap();
            assert_eq!(got, [0, 1, 2]);
        })
    });
}

#[cfg(unix)]
#[test]
fn a_unix_listener_s_incoming_yields_each_accepted_connection() {
    use solo::net::{UnixListener, UnixStream};
    let dir = solo_tests::TempDir::new("stream-api");
    let path = dir.path().join("sock");
    solo_tests::with_deadline(Duration::from_secs(10), move || {
        solo::block_on(async move {
            let listener = UnixListener::bind(&path).unwrap();
            let connect = solo::spawn(async move {
                let _a = UnixStream::connect(&path).await.unwrap();
                let _b = UnixStream::connect(&path).await.unwrap();
            });
            let accepted: Vec<_> = listener.incoming().take(2).collect().await;
            assert!(accepted.iter().all(Result::is_ok), "{accepted:?}");
            connect.await.unwrap();
        })
    });
}

#[test]
fn the_stream_module_re_exports_stream_ext_and_constructors() {
    solo::block_on(async {
        let sum: u32 = stream::iter(1..=4)
            .map(|x| x * 10)
            .fold(0, |a, b| a + b)
            .await;
        assert_eq!(sum, 100);
        assert_eq!(stream::once(7).next().await, Some(7));
        assert_eq!(stream::empty::<u8>().next().await, None);
    });
}
