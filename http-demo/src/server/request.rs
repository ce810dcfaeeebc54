//! Request heads: bytes in, a checked [`Request`] or a [`Refusal`] out.
//! No I/O: the connection loop ([`super::conn`]) feeds these functions
//! what it has read.

use httparse::Status;

use super::route::{self, Route};
use super::Config;
use crate::head::{self, Persistence};

/// The most header lines a request may have.
pub(crate) const MAX_REQUEST_HEADERS: usize = 32;
/// Request bodies (decoded, for chunked ones) up to this size are read and
/// discarded; larger get 413.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// How a request's body is framed (RFC 9112, 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// No body (no framing header, or `Content-Length: 0`).
    None,
    /// `Content-Length` bytes, at most [`MAX_BODY`].
    Length(u64),
    /// `Transfer-Encoding: chunked`, decoded by [`super::chunked`].
    Chunked,
}

/// A request head, parsed and checked.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) route: Route,
    /// `HEAD`: answered with the head a `GET` gets, and no body.
    pub(crate) head: bool,
    /// The `1.x` version.
    pub(crate) minor: u8,
    /// Whether the connection stays open after the answer.
    pub(crate) keep_alive: bool,
    pub(crate) body: Body,
    /// A HTTP/1.1 `Expect: 100-continue` on a request with a body: the
    /// client may wait for `100 Continue` before sending it.
    pub(crate) expect_continue: bool,
}

/// Why a request is refused; the connection closes after the answer.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// Code and reason phrase, such as `"400 Bad Request"`.
    pub(crate) status: &'static str,
    /// Sent as the body (for a request other than HEAD).
    pub(crate) why: String,
    /// Whether the refused request was a HEAD (the answer has no body).
    pub(crate) head: bool,
}

impl Refusal {
    pub(crate) fn new(status: &'static str, why: impl Into<String>) -> Refusal {
        Refusal {
            status,
            why: why.into(),
            head: false,
        }
    }

    /// A `400 Bad Request`.
    pub(crate) fn bad(why: impl Into<String>) -> Refusal {
        Refusal::new("400 Bad Request", why)
    }
}

/// Parses a request head at the start of `data`: `Ok(None)` while it is
/// incomplete, `Ok(Some((consumed, request)))` once whole and acceptable.
pub(crate) fn parse(data: &[u8], config: &Config) -> Result<Option<(usize, Request)>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_REQUEST_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let consumed = match parsed.parse(data) {
        Ok(Status::Complete(n)) => n,
        Ok(Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::new(
                "431 Request Header Fields Too Large",
                format!("more than {MAX_REQUEST_HEADERS} header lines"),
            ))
        }
        Err(e) => return Err(Refusal::bad(format!("malformed request: {e}"))),
    };
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(Refusal::bad("incomplete request line"));
    };
    let head = method == "HEAD";
    check(parsed.headers, method, target, minor, config)
        .map(|request| Some((consumed, request)))
        .map_err(|refusal| Refusal { head, ..refusal })
}

/// The checks after the syntax: framing, `Host`, `Expect`, the route.
fn check(
    headers: &[httparse::Header<'_>],
    method: &str,
    target: &str,
    minor: u8,
    config: &Config,
) -> Result<Request, Refusal> {
    let mut persistence = Persistence::default();
    let mut length = None;
    let mut codings = Codings::default();
    let mut hosts = 0;
    let mut expect_continue = false;
    for h in headers {
        let name = h.name;
        if name.eq_ignore_ascii_case("connection") {
            persistence.add(h.value);
        } else if name.eq_ignore_ascii_case("content-length") {
            let n = head::decimal(h.value.trim_ascii())
                .map_err(|_| Refusal::bad("invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(Refusal::bad("conflicting Content-Length headers"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            codings.add(h.value);
        } else if name.eq_ignore_ascii_case("host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case("expect") {
            for token in tokens(h.value) {
                if !token.eq_ignore_ascii_case(b"100-continue") {
                    return Err(Refusal::new(
                        "417 Expectation Failed",
                        "the only expectation met is 100-continue",
                    ));
                }
                expect_continue = true;
            }
        }
    }
    // RFC 9112, 3.2: exactly one Host on 1.1, never more than one.
    if hosts > 1 {
        return Err(Refusal::bad("more than one Host header"));
    }
    if hosts == 0 && minor >= 1 {
        return Err(Refusal::bad("a Host header is required (HTTP/1.1)"));
    }
    let body = match (codings.framing(minor)?, length) {
        (Some(_), Some(_)) => {
            return Err(Refusal::bad(
                "both Transfer-Encoding and Content-Length: ambiguous framing",
            ))
        }
        (Some(body), None) => body,
        (None, Some(n)) if n > MAX_BODY => {
            return Err(Refusal::new(
                "413 Content Too Large",
                format!("request bodies are limited to {MAX_BODY} bytes"),
            ))
        }
        (None, Some(0) | None) => Body::None,
        (None, Some(n)) => Body::Length(n),
    };
    let route = route::route(method, path_of(target), config)?;
    Ok(Request {
        route,
        head: method == "HEAD",
        minor,
        keep_alive: persistence.persists(minor),
        body,
        // RFC 9110, 10.1.1: ignored in a HTTP/1.0 request.
        expect_continue: expect_continue && minor >= 1 && body != Body::None,
    })
}

/// The non-empty, trimmed tokens of a comma-separated header value.
fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty())
}

/// The transfer codings of all `Transfer-Encoding` headers, in order.
#[derive(Debug, Default)]
struct Codings {
    seen: bool,
    chunked: usize,
    /// Whether `chunked` is the last coding.
    chunked_last: bool,
    others: bool,
}

impl Codings {
    fn add(&mut self, value: &[u8]) {
        self.seen = true;
        for token in tokens(value) {
            self.chunked_last = token.eq_ignore_ascii_case(b"chunked");
            if self.chunked_last {
                self.chunked += 1;
            } else {
                self.others = true;
            }
        }
    }

    /// The body framing the codings give, if any header was seen (RFC
    /// 9112, 6.1 and 6.3).
    fn framing(&self, minor: u8) -> Result<Option<Body>, Refusal> {
        if !self.seen {
            return Ok(None);
        }
        if minor == 0 {
            return Err(Refusal::bad("Transfer-Encoding in a HTTP/1.0 request"));
        }
        if !self.chunked_last || self.chunked > 1 {
            return Err(Refusal::bad(
                "a request's transfer codings must end in chunked, once",
            ));
        }
        if self.others {
            return Err(Refusal::new(
                "501 Not Implemented",
                "transfer codings other than chunked are not supported",
            ));
        }
        Ok(Some(Body::Chunked))
    }
}

/// The path (and query) of a request target: origin-form as it is, the
/// path of an absolute-form `http://host/path` target (RFC 9112, 3.2.2),
/// and `/` for an absolute-form target without one. Other forms are
/// returned as they are, for the router to refuse.
fn path_of(target: &str) -> &str {
    let scheme_end = ["http://", "https://"].iter().find_map(|scheme| {
        let prefix = target.get(..scheme.len())?;
        prefix.eq_ignore_ascii_case(scheme).then_some(scheme.len())
    });
    let Some(start) = scheme_end else {
        return target;
    };
    let rest = &target[start..];
    match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => &rest[i..],
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn parse_str(text: &str) -> Result<Option<(usize, Request)>, Refusal> {
        parse(text.as_bytes(), &Config::default())
    }

    fn request(text: &str) -> Request {
        parse_str(text).unwrap().unwrap().1
    }

    fn refusal(text: &str) -> &'static str {
        parse_str(text).unwrap_err().status
    }

    #[test]
    fn routes_get_and_head_alike() {
        let get = request("GET /delay/50 HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(get.route, Route::Delay(Duration::from_millis(50)));
        assert!(!get.head);
        let head = request("HEAD /bytes/7?x HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(head.route, Route::Bytes(7));
        assert!(head.head);
    }

    #[test]
    fn keep_alive_follows_version_and_connection_header() {
        let ka = |t: &str| request(t).keep_alive;
        assert!(ka("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!ka(
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(!ka("GET / HTTP/1.0\r\n\r\n"));
        assert!(ka("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assert!(!ka(
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close, keep-alive\r\n\r\n"
        ));
    }

    #[test]
    fn garbage_is_refused_and_a_partial_head_waits() {
        assert_eq!(refusal("\x16\x03\x01garbage\r\n\r\n"), "400 Bad Request");
        assert!(parse_str("GET / HTTP/1.1\r\nHost: x\r\n")
            .unwrap()
            .is_none());
    }

    #[test]
    fn host_is_required_once_on_1_1_and_at_most_once_on_1_0() {
        assert_eq!(refusal("GET / HTTP/1.1\r\n\r\n"), "400 Bad Request");
        assert_eq!(
            refusal("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"),
            "400 Bad Request"
        );
        assert_eq!(
            refusal("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
            "400 Bad Request"
        );
        request("GET / HTTP/1.0\r\n\r\n");
    }

    #[test]
    fn expect_100_continue_is_noted_only_for_a_1_1_body_and_others_get_417() {
        let expects = |t: &str| request(t).expect_continue;
        assert!(expects(
            "PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n"
        ));
        assert!(expects(
            "PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
        ));
        assert!(!expects(
            "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"
        ));
        assert!(!expects(
            "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"
        ));
        assert_eq!(
            refusal("GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n"),
            "417 Expectation Failed"
        );
    }

    #[test]
    fn framing_is_content_length_or_chunked_never_both() {
        let body = |t: &str| request(t).body;
        assert_eq!(
            body("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
            Body::None
        );
        assert_eq!(
            body("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n"),
            Body::Length(65536)
        );
        assert_eq!(
            body("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"),
            Body::Chunked
        );
        for (te, status) in [
            ("Content-Length: 65537", "413 Content Too Large"),
            ("Content-Length: +1", "400 Bad Request"),
            ("Content-Length: 1\r\nContent-Length: 2", "400 Bad Request"),
            (
                "Transfer-Encoding: chunked\r\nContent-Length: 1",
                "400 Bad Request",
            ),
            ("Transfer-Encoding: gzip", "400 Bad Request"),
            ("Transfer-Encoding: chunked, chunked", "400 Bad Request"),
            ("Transfer-Encoding: ", "400 Bad Request"),
            ("Transfer-Encoding: gzip, chunked", "501 Not Implemented"),
        ] {
            assert_eq!(
                refusal(&format!("POST / HTTP/1.1\r\nHost: x\r\n{te}\r\n\r\n")),
                status,
                "{te}"
            );
        }
        assert_eq!(
            refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            "400 Bad Request"
        );
    }

    #[test]
    fn absolute_form_targets_route_on_their_path() {
        assert_eq!(path_of("/bytes/1"), "/bytes/1");
        assert_eq!(path_of("http://h:80/bytes/1?q"), "/bytes/1?q");
        assert_eq!(path_of("HTTPS://h/x"), "/x");
        assert_eq!(path_of("http://h"), "/");
        assert_eq!(path_of("http://h?q=/x"), "/");
        assert_eq!(path_of("*"), "*");
        assert_eq!(path_of("h:443"), "h:443");
        assert_eq!(
            request("GET http://h/bytes/2 HTTP/1.1\r\nHost: h\r\n\r\n").route,
            Route::Bytes(2)
        );
    }

    #[test]
    fn a_refused_head_request_is_marked_so_its_answer_has_no_body() {
        let err = parse_str("HEAD /bytes/x HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_err();
        assert_eq!(err.status, "400 Bad Request");
        assert!(err.head);
        assert!(
            !parse_str("GET /bytes/x HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap_err()
                .head
        );
    }
}
