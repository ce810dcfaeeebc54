//! The buffer a `File` moves to the blocking pool and back with each operation.

use std::io::{self, Read, Write};

/// Bytes read ahead of the caller, or bytes on their way to the file.
///
/// It holds one or the other, never both: read data is `buf[pos..]`
/// (unread) and is discarded before a write; write data is all of `buf`
/// (with `pos == 0`) and is gone once written, or once the write failed.
#[derive(Debug, Default)]
pub(crate) struct Buf {
    buf: Vec<u8>,
    pos: usize,
}

impl Buf {
    /// Whether no read-ahead bytes wait here.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Read-ahead bytes not given to the caller yet.
    pub(crate) fn unread(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Copies read-ahead bytes into `dst`; returns how many.
    pub(crate) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = self.unread().min(dst.len());
        dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        if self.is_empty() {
            self.clear();
        }
        n
    }

    /// Replaces the contents with at most `max` bytes of `src`, to write;
    /// returns how many were taken.
    pub(crate) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        let n = src.len().min(max);
        self.clear();
        self.buf.extend_from_slice(&src[..n]);
        n
    }

    /// Drops the unread bytes; returns the seek offset (zero or negative)
    /// that moves the file back to the position the caller has reached.
    pub(crate) fn discard_read(&mut self) -> i64 {
        // At most the max buffer size: it fits an i64.
        let back = -(self.unread() as i64);
        self.clear();
        back
    }

    /// On a pool thread: reads at most `len` bytes from `rd` as the new
    /// read-ahead; returns how many (0 at the end of the file).
    pub(crate) fn read_from(&mut self, rd: &mut impl Read, len: usize) -> io::Result<usize> {
        self.clear();
        self.buf.resize(len, 0);
        let result = loop {
            match rd.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match result {
            Ok(n) => self.buf.truncate(n),
            Err(_) => self.buf.clear(),
        }
        result
    }

    /// On a pool thread: writes all the bytes to `wr`. The buffer is empty
    /// afterwards, whether the write succeeded or not.
    pub(crate) fn write_to(&mut self, wr: &mut impl Write) -> io::Result<()> {
        let result = wr.write_all(&self.buf[self.pos..]);
        self.clear();
        result
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
    }
}
