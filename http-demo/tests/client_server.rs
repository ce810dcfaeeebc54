//! The client against the built-in server (and against a scripted peer for
//! the framings the server does not use): bodies arrive whole, connections
//! are reused, and the concurrency limit holds.

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use http_demo::client::{self, Client};
use http_demo::demo::{self, Options};
use http_demo::server::{self, Config, DELAY_BODY_LEN};

mod common;
use common::{read_head, scripted_replies};

fn start_server() -> server::ServerHandle {
    server::spawn_thread("127.0.0.1:0", Config::default()).unwrap()
}

/// A one-connection peer that reads a request head, then sends `reply`.
fn scripted(reply: &'static [u8]) -> String {
    scripted_replies(vec![reply])
}

#[test]
fn content_length_bodies_arrive_whole() {
    let server = start_server();
    let base = format!("http://{}", server.local_addr());
    solo::block_on(async {
        for n in [0, 1, 1024, 100_000, 3 * 1024 * 1024 + 7] {
            let response = client::get(&format!("{base}/bytes/{n}")).await.unwrap();
            assert_eq!(response.status, 200);
            assert_eq!(
                response.header("content-length"),
                Some(n.to_string().as_str())
            );
            assert_eq!(response.body.len(), n);
            assert!(response.body.iter().all(|&b| b == b'x'));
        }
        let delayed = client::get(&format!("{base}/delay/1")).await.unwrap();
        assert_eq!(delayed.body.len(), DELAY_BODY_LEN);
    });
}

#[test]
fn unknown_paths_get_404() {
    let server = start_server();
    let url = format!("http://{}/nothing-here", server.local_addr());
    let response = solo::block_on(client::get(&url)).unwrap();
    assert_eq!(response.status, 404);
}

#[test]
fn chunked_bodies_are_decoded() {
    let url = scripted(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: yes\r\n\r\n",
    );
    let response = solo::block_on(client::get(&url)).unwrap();
    assert_eq!(response.body, b"hello world");
}

#[test]
fn trailers_that_arrive_a_byte_at_a_time_still_end_the_body() {
    // The blank line that ends the trailers straddles reads: the search
    // for it must look back over bytes it has already scanned.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        read_head(&mut s);
        s.set_nodelay(true).unwrap();
        let _ =
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n");
        for &b in b"A: 1\r\nB: 2\r\n\r\n" {
            thread::sleep(Duration::from_millis(2));
            let _ = s.write_all(&[b]);
        }
        thread::sleep(Duration::from_secs(10));
    });
    let client = Client::builder().timeout(Duration::from_secs(5)).build();
    let response = solo::block_on(client.get(&url)).unwrap();
    assert_eq!(response.body, b"abc");
}

#[test]
fn close_delimited_bodies_end_at_the_close() {
    let url = scripted(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the very end");
    solo::block_on(async {
        let client = Client::new();
        let response = client.get(&url).await.unwrap();
        assert_eq!(response.body, b"until the very end");
        assert_eq!(response.header("SERVER"), Some("old"));
        // Its end was the close: nothing to reuse.
        assert_eq!(client.idle_connections(), 0);
    });
}

#[test]
fn a_connection_is_reused_after_a_chunked_response() {
    // One connection only: the second request must go on the same one.
    let url = scripted_replies(vec![
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo",
    ]);
    solo::block_on(async {
        let client = Client::new();
        assert_eq!(client.get(&url).await.unwrap().body, b"one");
        assert_eq!(client.idle_connections(), 1);
        assert_eq!(client.get(&url).await.unwrap().body, b"two");
    });
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = start_server();
    let url = format!("http://{}/bytes/1024", server.local_addr());
    solo::block_on(async {
        let client = Client::new();
        for _ in 0..20 {
            let response = client.get(&url).await.unwrap();
            assert_eq!(response.body.len(), 1024);
        }
        assert_eq!(client.idle_connections(), 1);
    });
    assert_eq!(server.stats().accepted, 1);
    assert_eq!(server.stats().requests, 20);
}

#[test]
fn without_keep_alive_each_request_has_its_own_connection() {
    let server = start_server();
    let url = format!("http://{}/bytes/10", server.local_addr());
    solo::block_on(async {
        let client = Client::builder().keep_alive(false).build();
        for _ in 0..5 {
            assert_eq!(client.get(&url).await.unwrap().status, 200);
        }
        assert_eq!(client.idle_connections(), 0);
    });
    assert_eq!(server.stats().accepted, 5);
}

#[test]
fn a_pooled_connection_closed_by_the_server_is_replaced() {
    let mut config = Config::default();
    config.idle_timeout = Duration::from_millis(100);
    let server = server::spawn_thread("127.0.0.1:0", config).unwrap();
    let url = format!("http://{}/bytes/5", server.local_addr());
    solo::block_on(async {
        let client = Client::new();
        assert_eq!(client.get(&url).await.unwrap().status, 200);
        // The server drops the idle connection meanwhile.
        solo::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(client.get(&url).await.unwrap().status, 200);
    });
    assert_eq!(server.stats().accepted, 2);
}

#[test]
fn concurrency_limit_bounds_requests_in_flight() {
    let server = start_server();
    let url = format!("http://{}/delay/30", server.local_addr());
    let mut options = Options::new(20);
    options.concurrency_limit = Some(4);
    let run = demo::run_concurrent(&url, &options).unwrap();
    assert!(run.all_ok(), "{:?}", run.failure_examples);
    assert!(server.stats().max_in_flight <= 4, "{:?}", server.stats());
    // Five waves of four 30 ms requests.
    assert!(
        run.elapsed >= Duration::from_millis(140),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn without_a_limit_all_requests_overlap() {
    let server = start_server();
    let url = format!("http://{}/delay/200", server.local_addr());
    let start = Instant::now();
    let run = demo::run_concurrent(&url, &Options::new(20)).unwrap();
    assert!(run.all_ok(), "{:?}", run.failure_examples);
    assert_eq!(server.stats().max_in_flight, 20, "{:?}", server.stats());
    assert!(start.elapsed() < Duration::from_millis(200 * 5));
}

#[test]
fn keep_alive_pool_with_limit_opens_at_most_k_connections() {
    let server = start_server();
    let url = format!("http://{}/delay/5", server.local_addr());
    let mut options = Options::new(40);
    options.concurrency_limit = Some(3);
    options.keep_alive = true;
    let run = demo::run_concurrent(&url, &options).unwrap();
    assert!(run.all_ok(), "{:?}", run.failure_examples);
    assert_eq!(server.stats().accepted, 3, "{:?}", server.stats());
}

#[test]
fn the_server_stops_on_shutdown() {
    let server = start_server();
    let addr = server.local_addr();
    server.shutdown();
    let result = solo::block_on(client::get(&format!("http://{addr}/bytes/1")));
    assert!(
        matches!(result, Err(client::Error::ConnectRefused { .. })),
        "{result:?}"
    );
}

#[test]
fn a_reused_connection_reset_mid_body_is_an_error_not_a_retry() {
    // The first connection serves one response, then answers the second
    // request with its head and part of its body and resets. A second
    // connection would answer at once: only a request that got no byte of
    // its response may be retried there (the client once retried here,
    // since the body bytes had left its read buffer).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let peer = thread::spawn(move || {
        let accept = || {
            let deadline = Instant::now() + Duration::from_secs(3);
            loop {
                match listener.accept() {
                    Ok((s, _)) => return Some(s),
                    Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                    Err(_) => return None,
                }
            }
        };
        let mut s = accept().unwrap();
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none")
            .unwrap();
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
            .unwrap();
        // Let the client take the partial body, then reset.
        thread::sleep(Duration::from_millis(300));
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
        // A retry would land here and get a complete response.
        let mut retried = accept()?;
        retried.set_nonblocking(false).unwrap();
        read_head(&mut retried);
        let _ = retried.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nretry");
        Some(())
    });
    solo::block_on(async {
        let client = Client::new();
        assert_eq!(client.get(&url).await.unwrap().body, b"one");
        assert_eq!(client.idle_connections(), 1);
        let second = client.get(&url).await;
        assert!(
            matches!(second, Err(client::Error::Io(_))),
            "expected the reset as an error, got {second:?}"
        );
    });
    assert!(peer.join().unwrap().is_none(), "the client retried");
}
