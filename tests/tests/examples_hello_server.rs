//! The `hello_server` example: many clients at once, bounded requests.

use std::time::Duration;

use examples::hello_server::{self, hello, MAX_REQUEST};
use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};

/// Starts the server on a free loopback port; returns its address.
async fn start() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    solo::spawn(hello_server::serve(listener));
    addr
}

#[test]
fn server_answers_hello_and_the_text() {
    solo::block_on(async {
        let addr = start().await;
        let answer = hello(addr, "world\n\n").await.expect("answer");
        assert_eq!(answer, "Hello world\n\n");
        let answer = hello(addr, "two\nlines\n\nignored after the blank line")
            .await
            .expect("answer");
        assert_eq!(answer, "Hello two\nlines\n\n");
    });
}

#[test]
fn server_serves_many_clients_at_once() {
    const CLIENTS: usize = 200;
    solo::block_on(async {
        let addr = start().await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| solo::spawn(async move { hello(addr, &format!("client {i}\n\n")).await }))
            .collect();
        for (i, c) in clients.into_iter().enumerate() {
            let answer = c.await.expect("task").expect("answer");
            assert_eq!(answer, format!("Hello client {i}\n\n"));
        }
    });
}

#[test]
fn a_terminator_split_across_writes_is_found() {
    solo::block_on(async {
        let addr = start().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"slow\n").await.expect("write");
        solo::time::sleep(Duration::from_millis(20)).await;
        s.write_all(b"\n").await.expect("write");
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.expect("read");
        assert_eq!(answer, "Hello slow\n\n");
    });
}

#[test]
fn an_oversized_request_gets_an_error_not_unbounded_memory() {
    solo::block_on(async {
        let addr = start().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(&vec![b'x'; MAX_REQUEST + 1])
            .await
            .expect("write");
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.expect("read");
        assert_eq!(answer, "error: request too large\n");
        // The server still serves others.
        assert_eq!(
            hello(addr, "next\n\n").await.expect("answer"),
            "Hello next\n\n"
        );
    });
}

#[test]
fn a_client_that_closes_early_gets_no_answer_and_does_not_stop_the_server() {
    solo::block_on(async {
        let addr = start().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"no blank line").await.expect("write");
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.expect("read");
        assert_eq!(answer, "");
        assert_eq!(
            hello(addr, "after\n\n").await.expect("answer"),
            "Hello after\n\n"
        );
    });
}

#[test]
fn a_silent_client_is_timed_out() {
    // Under a paused clock the 10 s request timeout passes at once.
    let rt = solo::Builder::new()
        .start_paused(true)
        .build()
        .expect("runtime");
    rt.block_on(async {
        let addr = start().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.expect("read");
        assert_eq!(answer, "error: request timed out\n");
    });
}
