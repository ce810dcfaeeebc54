//! The server against what RFC 9110 and RFC 9112 ask of an origin server,
//! over raw std sockets: HEAD, `Date`, HTTP/1.0 keep-alive, `Expect`,
//! `Host`, absolute-form targets and chunked request bodies.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use http_demo::server::{self, Config, ServerHandle};

fn start() -> ServerHandle {
    server::spawn_thread("127.0.0.1:0", Config::default()).unwrap()
}

fn connect(server: &ServerHandle) -> TcpStream {
    let s = TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Sends `request` and reads until the server closes; panics if that takes
/// 5 s (a server that waits for more never closes).
fn exchange(server: &ServerHandle, request: &[u8]) -> String {
    let mut s = connect(server);
    s.write_all(request).unwrap();
    let mut reply = Vec::new();
    let start = Instant::now();
    if let Err(e) = s.read_to_end(&mut reply) {
        panic!(
            "no close after {:?} ({e}); got {:?}",
            start.elapsed(),
            String::from_utf8_lossy(&reply)
        );
    }
    String::from_utf8(reply).unwrap()
}

/// Reads one response head (up to its blank line) from `s`, byte by byte.
fn read_head(s: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => data.push(byte[0]),
            other => panic!(
                "{other:?} inside a head: {:?}",
                String::from_utf8_lossy(&data)
            ),
        }
    }
    String::from_utf8(data).unwrap()
}

/// The value of header `name` in `head` (first line excluded).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads one response with a `Content-Length` body: (head, body).
fn read_response(s: &mut TcpStream) -> (String, String) {
    let head = read_head(s);
    let len: usize = header(&head, "content-length").unwrap().parse().unwrap();
    let mut body = vec![0; len];
    s.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn head_gets_get_s_head_without_a_body_and_a_following_get_reads_clean() {
    let server = start();
    for (path, status, len) in [
        ("/bytes/5", "200 OK", "5"),
        ("/delay/1", "200 OK", "1024"),
        ("/nowhere", "404 Not Found", "10"),
    ] {
        let reply = exchange(
            &server,
            format!(
                "HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n\
                 GET /bytes/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        let (head, rest) = reply.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}\r\n")),
            "{reply:?}"
        );
        assert_eq!(header(head, "content-length"), Some(len), "{reply:?}");
        // Nothing between the HEAD's head and the GET's response.
        assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{path}: {reply:?}");
        assert!(rest.ends_with("\r\n\r\nxxx"), "{reply:?}");
    }
}

#[test]
fn method_not_allowed_says_get_and_head_are() {
    let server = start();
    let mut s = connect(&server);
    s.write_all(b"DELETE /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (head, _) = read_response(&mut s);
    assert!(head.starts_with("HTTP/1.1 405 "), "{head:?}");
    assert_eq!(header(&head, "allow"), Some("GET, HEAD"), "{head:?}");
    // And a HEAD of it: the same head, no body.
    s.write_all(b"HEAD /bytes/x HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 400 ") && reply.ends_with("\r\n\r\n"),
        "{reply:?}"
    );
}

/// An IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn is_imf_fixdate(date: &str) -> bool {
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 29
        && ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&&date[..3])
        && &date[3..5] == ", "
        && digits(5..7)
        && [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .contains(&&date[8..11])
        && digits(12..16)
        && digits(17..19)
        && digits(20..22)
        && digits(23..25)
        && &date[25..] == " GMT"
}

#[test]
fn every_response_carries_a_date() {
    let server = start();
    for request in [
        &b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..],
        b"GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"PUT /bytes/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"HEAD /bytes/1 HTTP/1.0\r\n\r\n",
        b"GET /bytes/x HTTP/1.1\r\nHost: x\r\n\r\n",
        b"garbage\r\n\r\n",
    ] {
        let reply = exchange(&server, request);
        let date = header(&reply, "date").unwrap_or_else(|| panic!("no Date: {reply:?}"));
        assert!(is_imf_fixdate(date), "{date:?}");
    }
    assert!(is_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"));
}

#[test]
fn http_1_0_keep_alive_is_answered_with_keep_alive_and_kept() {
    let server = start();
    let mut s = connect(&server);
    for n in [1, 2] {
        s.write_all(
            format!("GET /bytes/{n} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let (head, body) = read_response(&mut s);
        assert_eq!(header(&head, "connection"), Some("keep-alive"), "{head:?}");
        assert_eq!(body, "x".repeat(n));
    }
    // Without it, a 1.0 request is answered and the connection closes.
    let reply = exchange(&server, b"GET /bytes/1 HTTP/1.0\r\n\r\n");
    assert!(reply.ends_with("\r\n\r\nx"), "{reply:?}");
    assert_ne!(
        header(&reply, "connection"),
        Some("keep-alive"),
        "{reply:?}"
    );
    assert_eq!(server.stats().accepted, 2);
}

#[test]
fn expect_100_continue_gets_100_before_the_body_is_sent() {
    let server = start();
    let mut s = connect(&server);
    s.write_all(
        b"GET /bytes/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    assert_eq!(read_head(&mut s), "HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"hello").unwrap();
    let (head, body) = read_response(&mut s);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head:?}");
    assert_eq!(body, "xx");
    // Still alive, and a request without a body gets no 100.
    s.write_all(b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    let (head, body) = read_response(&mut s);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head:?}");
    assert_eq!(body, "x");
}

#[test]
fn expect_100_continue_on_a_request_to_refuse_gets_the_final_answer_at_once() {
    let server = start();
    for (request, status) in [
        (
            &b"POST /bytes/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"[..],
            "405",
        ),
        (
            b"GET /none HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n",
            "404",
        ),
        (
            b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n",
            "413",
        ),
    ] {
        // The body is never sent: the answer must not wait for it.
        let mut request = request.to_vec();
        request.extend_from_slice(b"Expect: 100-continue\r\n\r\n");
        let start = Instant::now();
        let reply = exchange(&server, &request);
        assert!(
            reply.starts_with(&format!("HTTP/1.1 {status} ")),
            "{reply:?}"
        );
        assert_eq!(header(&reply, "connection"), Some("close"), "{reply:?}");
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "{:?}",
            start.elapsed()
        );
    }
}

#[test]
fn an_expectation_other_than_100_continue_gets_417() {
    let server = start();
    let reply = exchange(
        &server,
        b"GET /bytes/1 HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 417 "), "{reply:?}");
}

#[test]
fn http_1_1_without_host_or_with_two_gets_400() {
    let server = start();
    for request in [
        &b"GET /bytes/1 HTTP/1.1\r\n\r\n"[..],
        b"GET /bytes/1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"GET /bytes/1 HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
    ] {
        let reply = exchange(&server, request);
        assert!(reply.starts_with("HTTP/1.1 400 "), "{reply:?}");
    }
    // HTTP/1.0 needs none.
    let reply = exchange(&server, b"GET /bytes/1 HTTP/1.0\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply:?}");
}

#[test]
fn absolute_form_targets_are_routed_on_their_path() {
    let server = start();
    let mut s = connect(&server);
    for (target, body) in [
        ("http://example.com:8080/bytes/3", "xxx"),
        ("HTTP://example.com/bytes/2?q=1", "xx"),
        ("http://example.com", "not found\n"),
    ] {
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n").as_bytes())
            .unwrap();
        assert_eq!(read_response(&mut s).1, body, "{target}");
    }
}

#[test]
fn chunked_request_bodies_are_read_and_discarded() {
    let server = start();
    let mut s = connect(&server);
    // Sizes with extensions, a trailer, and the next request pipelined.
    s.write_all(
        b"GET /bytes/2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n\
          GET /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    assert_eq!(read_response(&mut s).1, "xx");
    assert_eq!(read_response(&mut s).1, "x");
    // With 100-continue, sent in pieces.
    s.write_all(
        b"GET /bytes/3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\
          Expect: 100-continue\r\n\r\n",
    )
    .unwrap();
    assert_eq!(read_head(&mut s), "HTTP/1.1 100 Continue\r\n\r\n");
    for piece in [&b"3\r"[..], b"\nab", b"c\r\n", b"0\r\n", b"\r\n"] {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(read_response(&mut s).1, "xxx");
}

#[test]
fn bad_chunked_framing_and_bodies_over_the_cap_are_refused_and_closed() {
    let server = start();
    let head = "POST /bytes/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    let long_ext = format!("1;{}\r\nx\r\n0\r\n\r\n", "e".repeat(5000));
    let long_trailer = format!("0\r\nX: {}\r\n\r\n", "t".repeat(20_000));
    // Five 16 KiB chunks: over the 64 KiB cap.
    let over_cap = format!("4000\r\n{}\r\n", "y".repeat(0x4000)).repeat(5) + "0\r\n\r\n";
    for (body, status) in [
        ("zz\r\nab\r\n0\r\n\r\n", "400"),
        ("2\r\nabXY0\r\n\r\n", "400"),
        ("-1\r\nx\r\n0\r\n\r\n", "400"),
        ("ffffffffffffffffff\r\n", "400"),
        (long_ext.as_str(), "400"),
        (long_trailer.as_str(), "431"),
        ("0\r\nno colon\r\n\r\n", "400"),
        (over_cap.as_str(), "413"),
        ("10001\r\n", "413"),
    ] {
        let reply = exchange(&server, format!("{head}{body}").as_bytes());
        assert!(
            reply.starts_with(&format!("HTTP/1.1 {status} ")),
            "{:?}: {reply:?}",
            &body[..body.len().min(40)]
        );
        assert_eq!(header(&reply, "connection"), Some("close"), "{reply:?}");
    }
    // Framing the server cannot or must not trust.
    for (te, status) in [
        ("Transfer-Encoding: gzip, chunked\r\n", "501"),
        ("Transfer-Encoding: chunked, gzip\r\n", "400"),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "400",
        ),
        ("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "400"),
    ] {
        let reply = exchange(
            &server,
            format!("POST / HTTP/1.1\r\nHost: x\r\n{te}\r\n0\r\n\r\n").as_bytes(),
        );
        assert!(
            reply.starts_with(&format!("HTTP/1.1 {status} ")),
            "{te:?}: {reply:?}"
        );
    }
    // A HTTP/1.0 request with Transfer-Encoding is faulty framing.
    let reply = exchange(
        &server,
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply:?}");
}
