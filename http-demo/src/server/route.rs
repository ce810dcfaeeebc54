//! Routing: which answer a method and path get. No I/O.

use std::time::Duration;

use super::request::Refusal;
use super::Config;
use crate::head::{self, BadNumber};

/// The body of `/delay/<ms>`.
pub const DELAY_BODY_LEN: usize = 1024;
/// The body of a 404.
const NOT_FOUND_BODY: &[u8] = b"not found\n";
/// The body of a 405.
const METHOD_NOT_ALLOWED_BODY: &[u8] = b"use GET or HEAD.\n";

/// What a parsed request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Delay(Duration),
    Bytes(u64),
    NotFound,
    MethodNotAllowed,
}

/// What a route answers: its status and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: &'static str,
    pub(crate) body: AnswerBody,
    /// Whether the head says `Allow: GET, HEAD` (a 405 must).
    pub(crate) allow: bool,
}

/// A response body: generated filler or fixed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AnswerBody {
    /// This many filler bytes (`x`).
    Filler(u64),
    Text(&'static [u8]),
}

impl AnswerBody {
    pub(crate) fn len(self) -> u64 {
        match self {
            AnswerBody::Filler(n) => n,
            AnswerBody::Text(text) => text.len() as u64,
        }
    }
}

impl Route {
    /// The answer, once any delay is waited out.
    pub(crate) fn answer(self) -> Answer {
        let (status, body) = match self {
            Route::Delay(_) => ("200 OK", AnswerBody::Filler(DELAY_BODY_LEN as u64)),
            Route::Bytes(n) => ("200 OK", AnswerBody::Filler(n)),
            Route::NotFound => ("404 Not Found", AnswerBody::Text(NOT_FOUND_BODY)),
            Route::MethodNotAllowed => (
                "405 Method Not Allowed",
                AnswerBody::Text(METHOD_NOT_ALLOWED_BODY),
            ),
        };
        Answer {
            status,
            body,
            allow: self == Route::MethodNotAllowed,
        }
    }

    /// Whether the answer is a 4xx whatever the body: a client that waits
    /// for `100 Continue` gets this answer at once instead.
    pub(crate) fn refuses(self) -> bool {
        matches!(self, Route::NotFound | Route::MethodNotAllowed)
    }
}

/// Maps method and path (with any query) to a route. A number out of
/// range is a 400, checked before the method, so `POST /bytes/abc` is a
/// 400 and `POST /bytes/1` a 405. GET and HEAD are served alike.
pub(crate) fn route(method: &str, path: &str, config: &Config) -> Result<Route, Refusal> {
    let path = path.split('?').next().unwrap_or_default();
    let number = |s: &str, what: &str| -> Result<u64, Refusal> {
        head::decimal(s.as_bytes()).map_err(|e| match e {
            BadNumber::NotDecimal => {
                Refusal::bad(format!("{what} must be a decimal number, got {}", quote(s)))
            }
            BadNumber::TooLarge => Refusal::bad(format!("{what} is too large")),
        })
    };
    let route = if let Some(ms) = path.strip_prefix("/delay/") {
        let ms = number(ms, "the delay")?;
        if u128::from(ms) > config.max_delay.as_millis() {
            return Err(Refusal::bad(format!(
                "the delay is capped at {} ms",
                config.max_delay.as_millis()
            )));
        }
        Route::Delay(Duration::from_millis(ms))
    } else if let Some(n) = path.strip_prefix("/bytes/") {
        let n = number(n, "the byte count")?;
        if n > config.max_bytes {
            return Err(Refusal::bad(format!(
                "/bytes/ is capped at {}",
                config.max_bytes
            )));
        }
        Route::Bytes(n)
    } else {
        Route::NotFound
    };
    if method != "GET" && method != "HEAD" {
        return Ok(Route::MethodNotAllowed);
    }
    Ok(route)
}

/// At most this many characters of what a client sent are quoted back in a
/// refusal: the answer stays small however long the bad input is.
const MAX_QUOTED: usize = 32;

/// `s` in quotes, cut to [`MAX_QUOTED`] characters (and then followed by its
/// length), so a refusal never echoes a megabyte path back.
fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &s[..cut], s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(method: &str, path: &str) -> Result<Route, Refusal> {
        route(method, path, &Config::default())
    }

    #[test]
    fn routes_delay_bytes_and_everything_else() {
        assert_eq!(
            route_of("GET", "/delay/50").unwrap(),
            Route::Delay(Duration::from_millis(50))
        );
        assert_eq!(route_of("HEAD", "/bytes/7?x").unwrap(), Route::Bytes(7));
        assert_eq!(route_of("GET", "/").unwrap(), Route::NotFound);
        assert_eq!(route_of("HEAD", "/").unwrap(), Route::NotFound);
        assert_eq!(
            route_of("POST", "/bytes/1").unwrap(),
            Route::MethodNotAllowed
        );
        assert!(Route::MethodNotAllowed.answer().allow);
    }

    #[test]
    fn out_of_range_numbers_are_bad_requests() {
        for path in [
            "/delay/600001",
            "/delay/-1",
            "/delay/",
            "/bytes/99999999999999999999",
        ] {
            let err = route_of("GET", path).unwrap_err();
            assert_eq!(err.status, "400 Bad Request", "{path}");
        }
        assert!(route_of("POST", "/bytes/abc").is_err());
    }

    #[test]
    fn a_refusal_quotes_at_most_a_few_bytes_of_the_bad_input() {
        let path = format!("/bytes/{}", "a".repeat(1 << 20));
        let err = route_of("GET", &path).unwrap_err();
        assert_eq!(err.status, "400 Bad Request");
        assert!(err.why.len() < 128, "a {}-byte refusal", err.why.len());
        assert!(err.why.contains("(1048576 bytes)"), "{}", err.why);
        // Short input is quoted whole; a cut never splits a character.
        assert_eq!(quote("12x"), "\"12x\"");
        assert!(quote(&"é".repeat(40)).starts_with(&format!("{:?}", "é".repeat(32))));
    }
}
