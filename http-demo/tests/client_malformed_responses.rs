//! The client against a fake server that misbehaves in one way per test:
//! each request must end with the right error, in bounded time and memory.

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use http_demo::client::{Client, Error, Response, MAX_HEAD};

mod common;
use common::fake_server;

/// Sends `bytes` and closes.
fn replying(bytes: &'static [u8]) -> String {
    fake_server(move |s| {
        let _ = s.write_all(bytes);
    })
}

/// Fetches `url` with a 1 MiB body cap and the given timeout; returns the
/// result and how long it took.
fn fetch(url: &str, timeout: Duration) -> (Result<Response, Error>, Duration) {
    let client = Client::builder()
        .timeout(timeout)
        .max_body(1024 * 1024)
        .build();
    let start = Instant::now();
    let result = solo::block_on(client.get(url));
    (result, start.elapsed())
}

/// Fetches with a 5 s timeout and asserts it ended well before it.
fn fetch_fast(url: &str) -> Result<Response, Error> {
    let (result, took) = fetch(url, Duration::from_secs(5));
    assert!(took < Duration::from_secs(4), "took {took:?}: {result:?}");
    result
}

#[test]
fn garbage_status_line_is_malformed() {
    let url = replying(b"SSH-2.0-OpenSSH_9.6\r\n\r\n");
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(err, Error::MalformedStatusLine(ref l) if l.starts_with("SSH-2.0")),
        "{err:?}"
    );
}

#[test]
fn garbage_status_line_fails_before_the_head_ends() {
    // The server sends one bad line and then waits: no need to wait with it.
    let url = fake_server(|s| {
        let _ = s.write_all(b"HELLO THERE\r\n");
        thread::sleep(Duration::from_secs(3));
    });
    let (result, took) = fetch(&url, Duration::from_secs(10));
    assert!(
        matches!(result, Err(Error::MalformedStatusLine(_))),
        "{result:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn endless_header_is_too_large() {
    let url = fake_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n");
        let line = format!("X-Filler: {}\r\n", "a".repeat(1000));
        // Far beyond the cap; stops when the client hangs up.
        for _ in 0..1000 {
            if s.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(err, Error::HeaderTooLarge { limit: MAX_HEAD }),
        "{err:?}"
    );
    assert!(err.to_string().contains("65536"), "{err}");
}

#[test]
fn close_in_the_middle_of_the_head_is_incomplete() {
    let url = replying(b"HTTP/1.1 200 OK\r\nContent-Le");
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(err, Error::IncompleteHead { received: 27 }),
        "{err:?}"
    );
}

#[test]
fn close_before_any_byte_is_reported() {
    let url = replying(b"");
    let err = fetch_fast(&url).unwrap_err();
    assert!(matches!(err, Error::ClosedBeforeResponse), "{err:?}");
}

#[test]
fn body_shorter_than_content_length_is_reported() {
    let url = replying(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooShort {
                expected: 100,
                received: 5
            }
        ),
        "{err:?}"
    );
}

#[test]
fn content_length_of_2_pow_63_is_refused_without_allocating_it() {
    let url = fake_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n");
        let _ = s.write_all(&[b'x'; 4096]);
        thread::sleep(Duration::from_secs(3));
    });
    let (result, took) = fetch(&url, Duration::from_secs(10));
    assert!(
        matches!(result, Err(Error::BodyTooLarge { limit: 1048576 })),
        "{result:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn negative_chunk_size_is_bad() {
    let url =
        replying(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n");
    let err = fetch_fast(&url).unwrap_err();
    assert!(matches!(err, Error::BadChunkSize), "{err:?}");
}

#[test]
fn non_hex_chunk_size_is_bad() {
    let url =
        replying(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n");
    let err = fetch_fast(&url).unwrap_err();
    assert!(matches!(err, Error::BadChunkSize), "{err:?}");
}

#[test]
fn endless_chunked_body_stops_at_the_body_cap() {
    let url = fake_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let mut chunk = b"4000\r\n".to_vec();
        chunk.extend_from_slice(&[b'y'; 0x4000]);
        chunk.extend_from_slice(b"\r\n");
        // 64 MiB at most: far past the client's 1 MiB cap.
        for _ in 0..4096 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1048576 }),
        "{err:?}"
    );
}

#[test]
fn endless_close_delimited_body_stops_at_the_body_cap() {
    let url = fake_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        for _ in 0..4096 {
            if s.write_all(&[b'z'; 0x4000]).is_err() {
                break;
            }
        }
    });
    let err = fetch_fast(&url).unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[test]
fn slowloris_server_hits_the_timeout() {
    let url = fake_server(|s| {
        for &b in b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".iter() {
            if s.write_all(&[b]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
    });
    let (result, took) = fetch(&url, Duration::from_millis(500));
    assert!(
        matches!(result, Err(Error::TimedOut(d)) if d == Duration::from_millis(500)),
        "{result:?}"
    );
    assert!(took >= Duration::from_millis(450), "took {took:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn interim_responses_are_skipped() {
    let url = replying(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
          HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    );
    let response = fetch_fast(&url).unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"ok"[..])
    );
}

#[test]
fn endless_interim_responses_are_refused() {
    let url = fake_server(|s| {
        for _ in 0..1000 {
            if s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
                break;
            }
        }
    });
    let err = fetch_fast(&url).unwrap_err();
    assert!(matches!(err, Error::TooManyInterimResponses), "{err:?}");
}

#[test]
fn unsupported_transfer_encoding_is_refused() {
    let url = replying(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx");
    let err = fetch_fast(&url).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedTransferEncoding(_)),
        "{err:?}"
    );
}

#[test]
fn connection_refused_is_reported_as_such() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = fetch_fast(&format!("http://127.0.0.1:{port}/")).unwrap_err();
    assert!(matches!(err, Error::ConnectRefused { .. }), "{err:?}");
    assert!(err.to_string().contains("refused"), "{err}");
}

#[test]
fn https_urls_are_not_supported() {
    let err = fetch_fast("https://127.0.0.1/").unwrap_err();
    assert!(matches!(err, Error::UnsupportedScheme(_)), "{err:?}");
}
