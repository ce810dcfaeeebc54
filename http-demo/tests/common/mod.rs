//! Helpers shared by the http-demo integration tests: a scripted peer on a
//! std thread, and the raw-socket GET the server tests use as a probe.
//! (`tests/common/mod.rs` is not a test binary of its own; each test file
//! that needs it says `mod common;` and uses what it needs.)
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// The probe request: two body bytes, then the server closes.
pub const GET_TWO_BYTES: &[u8] = b"GET /bytes/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// Reads one request head from `s`, a byte at a time so that nothing after
/// it is consumed; stops early at end of stream or on an error.
pub fn read_head(s: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    head
}

/// Serves one connection on a std thread: reads the request head, then
/// runs `script` on the stream (reads time out after 10 s). Returns the URL
/// to fetch.
pub fn fake_server(script: impl FnOnce(&mut TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        read_head(&mut stream);
        script(&mut stream);
    });
    format!("http://{addr}/")
}

/// A one-connection peer that answers each request head on it with the
/// next of `replies`, then closes.
pub fn scripted_replies(replies: Vec<&'static [u8]>) -> String {
    fake_server(move |s| {
        for (i, reply) in replies.into_iter().enumerate() {
            if i > 0 {
                read_head(s);
            }
            let _ = s.write_all(reply);
        }
    })
}

/// Sends [`GET_TWO_BYTES`] on `s` and asserts that the whole answer, up to
/// the server's close, is a 200 with the body `xx`.
pub fn get_two_bytes(s: &mut TcpStream) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(GET_TWO_BYTES).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 200 OK") && reply.ends_with("xx"),
        "{reply:?}"
    );
}
