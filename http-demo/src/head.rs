//! When to (re)parse a message head that arrives in pieces.

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
}
