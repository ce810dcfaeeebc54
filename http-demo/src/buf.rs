//! The read buffer both ends of a connection use: received bytes not yet
//! consumed, compacted or grown (up to a cap) when full.

use std::io;

use solo::io::{AsyncRead, AsyncReadExt};

/// The starting size; a buffer grows (by doubling) only for large heads.
pub(crate) const INITIAL: usize = 4 * 1024;

/// Received bytes not yet consumed are `buf[pos..end]`.
#[derive(Debug)]
pub(crate) struct ReadBuf {
    buf: Vec<u8>,
    pos: usize,
    end: usize,
}

impl ReadBuf {
    pub(crate) fn new() -> ReadBuf {
        ReadBuf {
            buf: vec![0; INITIAL],
            pos: 0,
            end: 0,
        }
    }

    /// The bytes received and not yet consumed.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.end == self.pos
    }

    /// Marks the first `n` buffered bytes (at most all of them) consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos += n.min(self.len());
    }

    /// Moves up to `want` buffered bytes into `out`; returns how many.
    pub(crate) fn take_into(&mut self, out: &mut Vec<u8>, want: usize) -> usize {
        let n = want.min(self.len());
        out.extend_from_slice(&self.data()[..n]);
        self.pos += n;
        n
    }

    /// Reads once from `stream`, first compacting the buffer if it is full,
    /// or growing it (doubling, up to `cap`) if it is full of unconsumed
    /// bytes. Returns the bytes read; 0 means end of stream (or, at the cap,
    /// no room: callers check `len()` against their cap before filling).
    pub(crate) async fn fill<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        cap: usize,
    ) -> io::Result<usize> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        }
        if self.end == self.buf.len() {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
            } else {
                let len = (self.buf.len() * 2).clamp(INITIAL, cap.max(INITIAL));
                self.buf.resize(len, 0);
            }
        }
        let n = stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_compacts_then_grows_up_to_the_cap() {
        solo::block_on(async {
            let mut b = ReadBuf::new();
            let mut src: &[u8] = &[7u8; 3 * INITIAL];
            assert_eq!(b.fill(&mut src, 2 * INITIAL).await.unwrap(), INITIAL);
            b.consume(10);
            // Full, with consumed bytes in front: compact, read 10 more.
            assert_eq!(b.fill(&mut src, 2 * INITIAL).await.unwrap(), 10);
            assert_eq!(b.len(), INITIAL);
            // Full of unconsumed bytes: grow to the cap.
            assert_eq!(b.fill(&mut src, 2 * INITIAL).await.unwrap(), INITIAL);
            assert_eq!(b.len(), 2 * INITIAL);
            let mut out = Vec::new();
            assert_eq!(b.take_into(&mut out, 5), 5);
            assert_eq!(b.len(), 2 * INITIAL - 5);
        });
    }
}
