//! What the client and the server share about message heads: reading one
//! that arrives in pieces (and when to reparse it), what its `Connection`
//! header says, and how a decimal field is read.

use std::io;

use solo::io::AsyncRead;

use crate::buf::ReadBuf;

/// Tracks how much of a growing head has been looked at, so that a peer
/// dribbling bytes costs O(n) scanning instead of one full parse per read.
///
/// Parse once the first line is in (so garbage fails fast) and then only
/// when a blank line (`\n\n` or `\n\r\n`) may have completed the head.
#[derive(Debug, Default)]
pub(crate) struct HeadScan {
    /// Bytes of the head already scanned.
    scanned: usize,
    line_checked: bool,
}

impl HeadScan {
    /// Whether `head` (all bytes received so far, from the head's first
    /// byte) is worth parsing now.
    pub(crate) fn should_parse(&mut self, head: &[u8]) -> bool {
        let fresh = &head[self.scanned.saturating_sub(3).min(head.len())..];
        self.scanned = head.len();
        let blank_line =
            fresh.windows(2).any(|w| w == b"\n\n") || fresh.windows(3).any(|w| w == b"\n\r\n");
        let first_line = !self.line_checked && fresh.contains(&b'\n');
        self.line_checked |= first_line;
        blank_line || first_line
    }
}

/// How reading a head ended.
#[derive(Debug)]
pub(crate) enum HeadRead<T, E> {
    /// `parse` accepted a complete head; its bytes are consumed.
    Parsed(T),
    /// `parse` rejected the head (nothing consumed).
    Invalid(E),
    /// `max` bytes arrived without a complete head.
    TooLarge,
    /// The stream ended first, after this many bytes of a head (0: a clean
    /// end between messages).
    Ended { received: usize },
}

/// Reads from `stream` into `rbuf` until `parse` finds a complete head at
/// the start of the buffered bytes, they reach `max`, or the stream ends.
///
/// `parse` returns `Ok(None)` while the head is incomplete and
/// `Ok(Some((consumed, head)))` once it is whole; it runs only when
/// [`HeadScan`] says a new line or blank line arrived, so a peer dribbling a
/// byte per write costs linear work. Bytes after the head stay buffered.
pub(crate) async fn read_head<S, T, E>(
    rbuf: &mut ReadBuf,
    stream: &mut S,
    max: usize,
    mut parse: impl FnMut(&[u8]) -> Result<Option<(usize, T)>, E>,
) -> io::Result<HeadRead<T, E>>
where
    S: AsyncRead + Unpin,
{
    let mut scan = HeadScan::default();
    loop {
        let data = rbuf.data();
        if scan.should_parse(data) {
            match parse(data) {
                Ok(Some((consumed, head))) => {
                    rbuf.consume(consumed);
                    return Ok(HeadRead::Parsed(head));
                }
                Ok(None) => {}
                Err(e) => return Ok(HeadRead::Invalid(e)),
            }
        }
        if data.len() >= max {
            return Ok(last_parse(data, &mut parse).unwrap_or(HeadRead::TooLarge));
        }
        if rbuf.fill(stream, max).await? == 0 {
            let data = rbuf.data();
            let ended = HeadRead::Ended {
                received: data.len(),
            };
            return Ok(last_parse(data, &mut parse).unwrap_or(ended));
        }
    }
}

/// One more parse of a head that will grow no further (the stream ended,
/// or the cap is reached): a malformed line that [`HeadScan`] did not
/// reparse for is reported as such, whatever sizes the reads came in.
/// `None` if the bytes are a valid but incomplete head (or none at all).
fn last_parse<T, E>(
    data: &[u8],
    parse: &mut impl FnMut(&[u8]) -> Result<Option<(usize, T)>, E>,
) -> Option<HeadRead<T, E>> {
    if data.is_empty() {
        return None;
    }
    match parse(data) {
        // A complete head ends with a blank line, which was parsed already.
        Ok(_) => None,
        Err(e) => Some(HeadRead::Invalid(e)),
    }
}

/// Why a field is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadNumber {
    /// Empty, or something other than ASCII digits (a sign, a space, ...).
    NotDecimal,
    /// Digits, but more than a `u64` holds.
    TooLarge,
}

/// Reads a field that must be a non-empty run of ASCII digits, as
/// `Content-Length` and the server's path numbers must: `u64`'s own parser
/// would also take a leading `+`.
pub(crate) fn decimal(field: &[u8]) -> Result<u64, BadNumber> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return Err(BadNumber::NotDecimal);
    }
    field.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(BadNumber::TooLarge)
    })
}

/// Whether a connection stays open after a message, from its HTTP version
/// and the tokens of its `Connection` headers: `close` anywhere wins (RFC
/// 9112, 9.6); otherwise HTTP/1.1 persists, and HTTP/1.0 only with
/// `keep-alive`.
#[derive(Debug, Default)]
pub(crate) struct Persistence {
    close: bool,
    keep_alive: bool,
}

impl Persistence {
    /// Takes in the value of one `Connection` header.
    pub(crate) fn add(&mut self, value: &[u8]) {
        for token in value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            self.close |= token.eq_ignore_ascii_case(b"close");
            self.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
        }
    }

    /// Whether the connection persists; `minor` is the `1.x` version.
    pub(crate) fn persists(&self, minor: u8) -> bool {
        !self.close && (minor >= 1 || self.keep_alive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_a_parse_at_the_first_line_and_at_the_blank_line() {
        let mut scan = HeadScan::default();
        let head = b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
        assert!(!scan.should_parse(&head[..10]));
        assert!(scan.should_parse(&head[..17]));
        assert!(!scan.should_parse(&head[..20]));
        assert!(!scan.should_parse(&head[..24]));
        assert!(scan.should_parse(&head[..]));
    }

    #[test]
    fn decimal_takes_only_plain_digits() {
        assert_eq!(decimal(b"0"), Ok(0));
        assert_eq!(decimal(b"007"), Ok(7));
        assert_eq!(decimal(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(decimal(b"18446744073709551616"), Err(BadNumber::TooLarge));
        for bad in [&b""[..], b"+1", b"-1", b" 1", b"1 ", b"0x10", b"1e3"] {
            assert_eq!(decimal(bad), Err(BadNumber::NotDecimal), "{bad:?}");
        }
    }

    #[test]
    fn read_head_parses_a_head_that_arrives_a_byte_at_a_time() {
        use solo::io::AsyncRead;
        use std::pin::Pin;
        use std::task::{Context, Poll};

        /// Hands out its bytes one per read, counting the reads.
        struct Dribble(&'static [u8], usize);
        impl AsyncRead for Dribble {
            fn poll_read(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let n = self.0.len().min(1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                self.1 += 1;
                Poll::Ready(Ok(n))
            }
        }

        solo::block_on(async {
            let head = b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n";
            let mut stream = Dribble(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", 0);
            let mut rbuf = ReadBuf::new();
            let mut parses = 0;
            let read = read_head(&mut rbuf, &mut stream, 1024, |d: &[u8]| {
                parses += 1;
                Ok::<_, ()>(d.starts_with(head).then_some((head.len(), "parsed")))
            })
            .await
            .unwrap();
            assert!(matches!(read, HeadRead::Parsed("parsed")), "{read:?}");
            assert_eq!(stream.1, head.len(), "read past the head");
            assert!(parses <= 3, "{parses} parses of a 3-line head");
            assert_eq!(rbuf.len(), 0);

            // The rest of the stream: no head, then the end.
            let mut rbuf = ReadBuf::new();
            let read = read_head(&mut rbuf, &mut stream, 1024, |_: &[u8]| {
                Ok::<Option<(usize, ())>, ()>(None)
            })
            .await
            .unwrap();
            assert!(matches!(read, HeadRead::Ended { received: 4 }), "{read:?}");

            // No head within `max` bytes.
            let mut endless = Dribble(&[b'a'; 64], 0);
            let read = read_head(&mut ReadBuf::new(), &mut endless, 16, |_: &[u8]| {
                Ok::<Option<(usize, ())>, ()>(None)
            })
            .await
            .unwrap();
            assert!(matches!(read, HeadRead::TooLarge), "{read:?}");
            assert_eq!(endless.1, 16);
        });
    }

    #[test]
    fn close_wins_over_keep_alive_and_http_1_0_needs_keep_alive() {
        let persists = |minor: u8, values: &[&str]| {
            let mut p = Persistence::default();
            for v in values {
                p.add(v.as_bytes());
            }
            p.persists(minor)
        };
        assert!(persists(1, &[]));
        assert!(!persists(0, &[]));
        assert!(persists(0, &["Keep-Alive"]));
        assert!(!persists(1, &["close"]));
        assert!(!persists(1, &["close, keep-alive"]));
        assert!(!persists(0, &["keep-alive", " CLOSE "]));
        assert!(persists(1, &["upgrade, keep-alive"]));
    }
}
