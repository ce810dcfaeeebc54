//! The server against malformed and hostile clients (raw std sockets): a
//! bad request gets a 4xx and a close, and the server keeps serving others.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use http_demo::server::{self, Config, ServerHandle};

fn start(config: Config) -> ServerHandle {
    server::spawn_thread("127.0.0.1:0", config).unwrap()
}

fn connect(server: &ServerHandle) -> TcpStream {
    let s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Sends `request` and reads until the server closes (or 5 s pass).
fn exchange(server: &ServerHandle, request: &[u8]) -> String {
    let mut s = connect(server);
    s.write_all(request).unwrap();
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply).into_owned()
}

/// Reads exactly one response with a Content-Length body from `s`.
fn read_response(s: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "closed mid-head: {data:?}");
        data.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&data).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut body = vec![0; len];
    s.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}

/// A well-formed request on a new connection still gets its 200.
fn assert_still_serving(server: &ServerHandle) {
    let reply = exchange(
        server,
        b"GET /bytes/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply:?}");
    assert!(reply.ends_with("\r\n\r\nxxx"), "{reply:?}");
}

#[test]
fn garbage_gets_400_and_a_close_and_others_are_still_served() {
    let server = start(Config::default());
    let reply = exchange(&server, b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n");
    assert!(
        reply.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{reply:?}"
    );
    assert!(reply.contains("Connection: close"), "{reply:?}");
    assert_eq!(server.stats().bad_requests, 1);
    assert_still_serving(&server);
}

#[test]
fn bad_header_line_gets_400() {
    let server = start(Config::default());
    let reply = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply:?}");
    assert_still_serving(&server);
}

#[test]
fn oversized_head_gets_431() {
    let mut config = Config::default();
    config.max_head = 4096;
    let server = start(config);
    let mut request = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for _ in 0..10 {
        request.extend_from_slice(format!("X-Pad: {}\r\n", "p".repeat(1000)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let reply = exchange(&server, &request);
    assert!(reply.starts_with("HTTP/1.1 431 "), "{reply:?}");
    assert!(reply.contains("larger than 4096 bytes"), "{reply:?}");
    assert_still_serving(&server);
}

#[test]
fn too_many_header_lines_get_431() {
    let server = start(Config::default());
    let mut request = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..100 {
        request.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let reply = exchange(&server, &request);
    assert!(reply.starts_with("HTTP/1.1 431 "), "{reply:?}");
    assert_still_serving(&server);
}

#[test]
fn out_of_range_delay_and_size_get_400() {
    let server = start(Config::default());
    for path in ["/delay/60001", "/delay/abc", "/bytes/67108865", "/bytes/-5"] {
        let reply = exchange(
            &server,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
        );
        assert!(reply.starts_with("HTTP/1.1 400 "), "{path}: {reply:?}");
    }
    assert_still_serving(&server);
}

#[test]
fn conflicting_content_lengths_get_400() {
    let server = start(Config::default());
    let reply = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    );
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply:?}");
}

#[test]
fn a_404_keeps_the_connection_alive() {
    let server = start(Config::default());
    let mut s = connect(&server);
    s.write_all(b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(read_response(&mut s).starts_with("HTTP/1.1 404 "));
    s.write_all(b"GET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(read_response(&mut s).ends_with("\r\n\r\nxx"));
    assert_eq!(server.stats().accepted, 1);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = start(Config::default());
    let mut s = connect(&server);
    s.write_all(
        b"GET /delay/30 HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    assert!(read_response(&mut s).contains("Content-Length: 1024"));
    assert!(read_response(&mut s).ends_with("\r\n\r\nx"));
    assert!(read_response(&mut s).starts_with("HTTP/1.1 404 "));
}

#[test]
fn idle_connections_are_closed_after_the_timeout() {
    let mut config = Config::default();
    config.idle_timeout = Duration::from_millis(200);
    let server = start(config);
    let mut s = connect(&server);
    let start = Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(s.read(&mut buf).unwrap(), 0, "expected a close");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_still_serving(&server);
}

/// The head must arrive within `idle_timeout` as a whole: a client that
/// keeps sending a byte every 50 ms (each well inside the timeout) is still
/// cut off. A timeout that restarted at every read would serve it forever.
#[test]
fn a_slow_head_is_cut_off_at_the_timeout() {
    let idle_timeout = Duration::from_millis(300);
    let mut config = Config::default();
    config.idle_timeout = idle_timeout;
    let server = start(config);
    let mut s = connect(&server);
    // Generous: a correct server closes after 300 ms (a few seconds under
    // valgrind); one whose timeout restarts never does.
    let limit = Duration::from_secs(10);
    let start = Instant::now();
    s.write_all(b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    // After the server's close, a write draws a reset and the next fails.
    let closed = loop {
        if s.write_all(b"a").is_err() {
            break Some(start.elapsed());
        }
        if start.elapsed() > limit {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = closed.unwrap_or_else(|| panic!("a head dribbled for {limit:?} was never cut off"));
    assert!(
        took >= idle_timeout,
        "closed after {took:?}, before the timeout"
    );
    let stats = server.stats();
    assert_eq!(stats.requests + stats.bad_requests, 0, "{stats:?}");
}

#[test]
fn the_connection_cap_holds_new_clients_until_one_leaves() {
    let mut config = Config::default();
    config.max_connections = 1;
    let server = start(config);
    let mut first = connect(&server);
    first
        .write_all(b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_response(&mut first);

    let mut second = connect(&server);
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    second
        .write_all(b"GET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 16];
    let err = second.read(&mut buf).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );

    drop(first);
    second
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert!(read_response(&mut second).ends_with("\r\n\r\nxx"));
    assert_eq!(server.stats().accepted, 2);
}

#[test]
fn a_client_that_never_reads_is_dropped_after_the_timeout() {
    let mut config = Config::default();
    config.idle_timeout = Duration::from_millis(300);
    let server = start(config);
    let mut s = connect(&server);
    // 64 MiB that the client never reads: the server's writes stall.
    s.write_all(b"GET /bytes/67108864 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.stats().requests < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.stats().requests, 1);
    while server.stats().open > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        server.stats().open,
        0,
        "the stalled connection is still open"
    );
}
