//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same entry points the `cargo fuzz` targets call, on stable Rust: every
//! input ends without a panic, in bounded time, with the targets' own
//! checks holding.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use http_demo::fuzzing;

/// Generous: each input takes well under a millisecond in debug.
const PER_INPUT: Duration = Duration::from_secs(2);

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{target}: only {} inputs", files.len());
    files
        .into_iter()
        .map(|path| {
            let data = fs::read(&path).expect("a corpus file");
            (path, data)
        })
        .collect()
}

fn timed<T>(path: &Path, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < PER_INPUT, "{} took {took:?}", path.display());
    out
}

#[test]
fn response_corpus_replays_without_panic_in_bounded_time_and_body() {
    let mut responses = 0;
    let mut errors = 0;
    for (path, data) in corpus("response") {
        for outcome in timed(&path, || fuzzing::client_responses(&data)) {
            match outcome {
                Ok(response) => {
                    assert!(response.body.len() <= fuzzing::MAX_BODY);
                    responses += 1;
                }
                Err(_) => errors += 1,
            }
        }
    }
    // The corpus holds both valid and malformed responses.
    assert!(
        responses >= 10 && errors >= 10,
        "{responses} ok, {errors} errors"
    );
}

#[test]
fn request_corpus_replays_without_panic_and_every_answer_parses() {
    let mut answered = 0;
    for (path, data) in corpus("request") {
        let exchange = timed(&path, || fuzzing::server_exchange(&data));
        fuzzing::check_server_output(&exchange);
        answered += usize::from(!exchange.written.is_empty());
    }
    assert!(answered >= 20, "only {answered} inputs got an answer");
}

#[test]
fn the_response_entry_point_reads_every_framing() {
    let read = |text: &[u8]| {
        let mut data = vec![1]; // one byte per read
        data.extend_from_slice(text);
        fuzzing::client_responses(&data)
    };
    let bodies: Vec<_> = read(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab\
          HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n1\r\nd\r\n0\r\n\r\n\
          HTTP/1.1 200 OK\r\n\r\nto the end",
    )
    .into_iter()
    .map(|r| r.expect("a valid response").body)
    .collect();
    assert_eq!(bodies, [&b"ab"[..], b"cd", b"to the end"]);
}

#[test]
fn the_request_entry_point_answers_pipelined_requests_in_order() {
    let exchange = fuzzing::server_exchange(
        b"\x00GET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /delay/5000 HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    fuzzing::check_server_output(&exchange);
    let text = String::from_utf8_lossy(&exchange.written);
    let statuses: Vec<_> = text
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &text[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "200", "404"], "{text}");
    assert!(text.contains("\r\n\r\nxx"));
}

/// The seeds reach the server's newer paths: HEAD, `Expect`, chunked
/// bodies and absolute-form targets each get the answer they should.
#[test]
fn the_request_entry_point_reaches_head_expect_chunked_and_absolute_form() {
    let statuses = |seed: &str| {
        let data = fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fuzz/corpus/request")
                .join(seed),
        )
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let exchange = fuzzing::server_exchange(&data);
        fuzzing::check_server_output(&exchange);
        let text = String::from_utf8_lossy(&exchange.written).into_owned();
        text.match_indices("HTTP/1.1 ")
            .map(|(i, _)| text[i + 9..i + 12].to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses("head_then_get"), ["200", "200", "404"]);
    assert_eq!(statuses("expect_continue_body"), ["100", "200", "200"]);
    assert_eq!(statuses("expect_continue_refused"), ["405"]);
    assert_eq!(statuses("expect_unknown"), ["417"]);
    assert_eq!(statuses("chunked_pipelined"), ["100", "200", "200"]);
    assert_eq!(statuses("chunked_over_cap"), ["413"]);
    assert_eq!(statuses("chunked_no_crlf"), ["400"]);
    assert_eq!(statuses("absolute_form_https_no_path"), ["404", "200"]);
    assert_eq!(statuses("no_host"), ["400"]);
}

/// Found by the request target's oracle: the 405 said `Content-Length: 10`
/// for its 9-byte body, so a keep-alive client took the next response's
/// first byte as body and could not parse what followed.
#[test]
fn method_not_allowed_body_matches_its_content_length() {
    let exchange = fuzzing::server_exchange(
        b"\x00POST /bytes/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    fuzzing::check_server_output(&exchange);
    // One byte per read: nothing of the next response is buffered early,
    // so the client keeps the connection for it.
    let mut data = vec![1];
    data.extend_from_slice(&exchange.written);
    let outcomes = fuzzing::client_responses(&data);
    let statuses: Vec<_> = outcomes
        .iter()
        .map_while(|r| r.as_ref().ok().map(|r| r.status))
        .collect();
    assert_eq!(statuses, [405, 200], "{outcomes:?}");
    // Then the connection simply ends.
    assert!(matches!(
        outcomes.last(),
        Some(Err(http_demo::client::Error::ClosedBeforeResponse))
    ));
}

/// The keep-alive seed reads one byte at a time: with larger reads the
/// second response is already buffered when the first ends, the client
/// (rightly) stops reusing the connection, and the fuzzer would start from
/// an input that never reaches a second response.
#[test]
fn the_keep_alive_seed_reaches_its_second_response() {
    let data =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/response/keep_alive_two"))
            .expect("the keep_alive_two seed");
    let bodies: Vec<_> = fuzzing::client_responses(&data)
        .into_iter()
        .map_while(Result::ok)
        .map(|r| r.body)
        .collect();
    assert_eq!(bodies, [&b"a"[..], b"b"]);
}
