//! Response heads, all written by [`write_head`].

use super::date;

/// The interim answer to `Expect: 100-continue` (RFC 9110, 15.2.1): a
/// status line and nothing else; the final response follows.
pub(crate) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// What the head of a final response says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    /// Code and reason phrase, such as `"200 OK"`.
    pub(crate) status: &'static str,
    /// The body's length, sent even when the body is not (a HEAD answer).
    pub(crate) content_length: u64,
    /// `Allow: GET, HEAD` (a 405 must list the methods allowed).
    pub(crate) allow: bool,
    /// Whether the connection stays open after this response.
    pub(crate) keep_alive: bool,
    /// The request's `1.x` version: a 1.0 client kept open is told so.
    pub(crate) minor: u8,
}

/// Appends `head` to `out`: status line, `Date`, `Content-Length`, then
/// `Allow` and `Connection` when they apply, and the blank line.
/// `Connection: close` when the server closes after the response;
/// `Connection: keep-alive` for a HTTP/1.0 client whose connection stays
/// open (it assumes a close otherwise, RFC 9112, 9.3 and appendix C.2.2).
pub(crate) fn write_head(out: &mut Vec<u8>, head: &Head) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(head.status.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    date::write(out);
    out.extend_from_slice(b"\r\nContent-Length: ");
    write_decimal(out, head.content_length);
    if head.allow {
        out.extend_from_slice(b"\r\nAllow: GET, HEAD");
    }
    if !head.keep_alive {
        out.extend_from_slice(b"\r\nConnection: close");
    } else if head.minor == 0 {
        out.extend_from_slice(b"\r\nConnection: keep-alive");
    }
    out.extend_from_slice(b"\r\n\r\n");
}

/// Appends `n` in decimal, without allocating (a response head is written
/// per request).
fn write_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20]; // u64::MAX has 20 digits
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_says_connection_only_when_it_must() {
        let text = |keep_alive, minor, allow| {
            let mut out = Vec::new();
            let head = Head {
                status: "200 OK",
                content_length: 7,
                allow,
                keep_alive,
                minor,
            };
            write_head(&mut out, &head);
            String::from_utf8(out).unwrap()
        };
        let plain = text(true, 1, false);
        assert!(plain.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{plain}");
        assert!(
            plain.ends_with(" GMT\r\nContent-Length: 7\r\n\r\n"),
            "{plain}"
        );
        assert!(text(true, 0, false).ends_with("\r\nConnection: keep-alive\r\n\r\n"));
        assert!(text(false, 0, false).ends_with("\r\nConnection: close\r\n\r\n"));
        assert!(text(false, 1, true).ends_with("\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n"));
    }

    #[test]
    fn content_lengths_are_written_in_decimal() {
        for n in [0, 7, 10, 1024, 99_999, u64::MAX] {
            let mut out = b"x".to_vec();
            write_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
    }
}
