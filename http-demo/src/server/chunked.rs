//! Decoding a chunked request body (RFC 9112, 7.1) to count and discard
//! it. No I/O: [`Chunked::feed`] takes whatever bytes have arrived.
//!
//! Everything it holds on to is bounded: the decoded size by the cap given
//! to [`Chunked::new`], a chunk-size line (with extensions) by
//! [`MAX_CHUNK_LINE`], the trailer section by [`MAX_TRAILERS`]. Both bounds
//! are below [`crate::buf::INITIAL`], so an incomplete line always fits in
//! the connection's read buffer.

use httparse::Status;

use super::request::Refusal;

/// The longest chunk-size line, extensions included.
pub(crate) const MAX_CHUNK_LINE: usize = 1024;
/// The most bytes of trailer fields (and their line ends).
pub(crate) const MAX_TRAILERS: usize = 2048;

/// Where the decoder is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data: this many bytes left.
    Data(u64),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// In the trailer section (after the last chunk), at a line start.
    Trailers,
    Done,
}

/// A chunked body being read.
#[derive(Debug)]
pub(crate) struct Chunked {
    state: State,
    /// Decoded bytes so far (including the current chunk's announced size).
    decoded: u64,
    cap: u64,
    trailers: usize,
}

impl Chunked {
    /// A decoder that refuses a body whose chunks announce more than `cap`
    /// bytes in all (with 413, as soon as such a size is read).
    pub(crate) fn new(cap: u64) -> Chunked {
        Chunked {
            state: State::Size,
            decoded: 0,
            cap,
            trailers: 0,
        }
    }

    /// Whether the last chunk and the trailer section have been read.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The decoded body bytes announced so far.
    pub(crate) fn decoded(&self) -> u64 {
        self.decoded
    }

    /// Reads what it can of `data` (the bytes received and not yet
    /// consumed) and returns how many it consumed; the caller drops those
    /// and calls again with more. It stops at the body's end, so bytes of a
    /// next request are never consumed. Bad framing is a 400, a body over
    /// the cap a 413, trailers over [`MAX_TRAILERS`] a 431.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Result<usize, Refusal> {
        let mut used = 0;
        loop {
            let rest = &data[used..];
            match self.state {
                State::Size => match httparse::parse_chunk_size(rest) {
                    Ok(Status::Complete((n, size))) => {
                        used += n;
                        self.decoded = self
                            .decoded
                            .checked_add(size)
                            .filter(|&total| total <= self.cap)
                            .ok_or_else(|| {
                                Refusal::new(
                                    "413 Content Too Large",
                                    format!("request bodies are limited to {} bytes", self.cap),
                                )
                            })?;
                        self.state = if size == 0 {
                            State::Trailers
                        } else {
                            State::Data(size)
                        };
                    }
                    Ok(Status::Partial) if rest.len() > MAX_CHUNK_LINE => {
                        return Err(Refusal::bad(format!(
                            "a chunk-size line longer than {MAX_CHUNK_LINE} bytes"
                        )))
                    }
                    Ok(Status::Partial) => return Ok(used),
                    Err(httparse::InvalidChunkSize) => {
                        return Err(Refusal::bad("invalid chunk size"))
                    }
                },
                State::Data(left) => {
                    let n = left.min(rest.len() as u64);
                    used += n as usize;
                    if n < left {
                        self.state = State::Data(left - n);
                        return Ok(used);
                    }
                    self.state = State::DataEnd;
                }
                State::DataEnd => {
                    if rest.starts_with(b"\r\n") {
                        used += 2;
                    } else if rest.is_empty() || rest == b"\r" {
                        return Ok(used);
                    } else {
                        return Err(Refusal::bad("chunk data not followed by CRLF"));
                    }
                    self.state = State::Size;
                }
                State::Trailers => {
                    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                        self.trailer_room(rest.len())?;
                        return Ok(used);
                    };
                    self.trailer_room(end + 1)?;
                    self.trailers += end + 1;
                    used += end + 1;
                    let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
                    if line.is_empty() {
                        self.state = State::Done;
                    } else if !is_field_line(line) {
                        return Err(Refusal::bad("a malformed trailer field"));
                    }
                }
                State::Done => return Ok(used),
            }
        }
    }

    /// Refuses trailers that would grow past [`MAX_TRAILERS`] with `more`.
    fn trailer_room(&self, more: usize) -> Result<(), Refusal> {
        if self.trailers + more > MAX_TRAILERS {
            return Err(Refusal::new(
                "431 Request Header Fields Too Large",
                format!("trailers larger than {MAX_TRAILERS} bytes"),
            ));
        }
        Ok(())
    }
}

/// Whether `line` looks like `name: value`: a non-empty token name, then a
/// colon. Its value is not looked at (trailers are discarded).
fn is_field_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0
        && line[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `body` in pieces of `step` bytes, keeping unconsumed bytes as
    /// a connection's buffer would. `Ok((decoded, leftover))` at the end.
    fn decode(body: &[u8], step: usize, cap: u64) -> Result<(u64, Vec<u8>), &'static str> {
        let mut chunked = Chunked::new(cap);
        let mut pending = Vec::new();
        for piece in body.chunks(step) {
            pending.extend_from_slice(piece);
            let used = chunked.feed(&pending).map_err(|r| r.status)?;
            pending.drain(..used);
            if chunked.is_done() {
                break;
            }
        }
        if !chunked.is_done() {
            return Err("incomplete");
        }
        Ok((chunked.decoded(), pending))
    }

    #[test]
    fn decodes_whatever_the_read_sizes_and_stops_at_the_body_end() {
        let body = b"5;a=b\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\nGET";
        for step in [1, 2, 3, 7, body.len()] {
            let (decoded, _) = decode(body, step, 1024).unwrap();
            assert_eq!(decoded, 15, "step {step}");
        }
        // Fed at once, the next request's bytes stay unconsumed.
        let mut chunked = Chunked::new(1024);
        assert_eq!(chunked.feed(body).unwrap(), body.len() - 3);
        assert!(chunked.is_done());
        // Chunk lines end in CRLF, as httparse's chunk-size parser wants.
        assert_eq!(decode(b"1\r\nx\nGET", 1, 10), Err("400 Bad Request"));
    }

    #[test]
    fn malformed_framing_is_400() {
        for body in [
            &b"zz\r\n"[..],
            b"-1\r\nx\r\n0\r\n\r\n",
            b"2\r\nabXY0\r\n\r\n",
            b"ffffffffffffffffff\r\n",
            b"0\r\nno colon\r\n\r\n",
            b"0\r\n: empty name\r\n\r\n",
        ] {
            assert_eq!(
                decode(body, 64, u64::MAX),
                Err("400 Bad Request"),
                "{body:?}"
            );
        }
        let long = format!("1;{}", "e".repeat(MAX_CHUNK_LINE));
        assert_eq!(decode(long.as_bytes(), 1, u64::MAX), Err("400 Bad Request"));
    }

    #[test]
    fn the_cap_and_the_trailer_bound_hold() {
        assert_eq!(decode(b"10\r\n", 64, 15), Err("413 Content Too Large"));
        assert_eq!(
            decode(b"8\r\n12345678\r\n8\r\n", 64, 15),
            Err("413 Content Too Large")
        );
        assert_eq!(
            decode(b"f\r\n123456789012345\r\n0\r\n\r\n", 4, 15)
                .unwrap()
                .0,
            15
        );
        let trailers = format!("0\r\nX: {}\r\n\r\n", "t".repeat(MAX_TRAILERS));
        assert_eq!(
            decode(trailers.as_bytes(), 1, 10),
            Err("431 Request Header Fields Too Large")
        );
        let many = "0\r\n".to_owned() + &"A: b\r\n".repeat(MAX_TRAILERS / 6 + 1) + "\r\n";
        assert_eq!(
            decode(many.as_bytes(), 100, 10),
            Err("431 Request Header Fields Too Large")
        );
    }
}
