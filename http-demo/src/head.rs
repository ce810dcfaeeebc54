//! What the client and the server share about message heads: when to
//! (re)parse one that arrives in pieces, and what its `Connection` header
//! says.

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
