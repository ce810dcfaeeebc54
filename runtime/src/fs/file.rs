//! `File`: an open file whose reads, writes and seeks run on the blocking
//! pool, one operation at a time, through a buffer moved there and back.

use std::fmt;
use std::fs::{File as StdFile, Metadata};
use std::future::{poll_fn, Future};
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use async_lock::Mutex;
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};

use super::blocking::asyncify;
use super::buf::Buf;
use super::OpenOptions;
use crate::task::{spawn_blocking, JoinError, JoinHandle};

/// The most bytes one read or write moves to or from the pool (tokio's).
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file, as tokio's `File`: [`AsyncRead`], [`AsyncWrite`] and
/// [`AsyncSeek`] (futures-io), each operation a std call on the blocking
/// pool, one at a time.
///
/// **Writes are buffered.** A write returns as soon as its bytes (at most
/// 2 MiB of them) are copied into the `File`'s buffer and the write to the
/// file has started on the pool; the next operation waits for it first. If
/// that background write fails, its error is returned by the next
/// operation on the `File` (read, write, seek, [`flush`], [`sync_all`],
/// [`sync_data`], [`set_len`], [`metadata`]), once. [`flush`] (and
/// `close`, which only flushes) waits for the write in flight and returns
/// its error.
///
/// **Drop.** Dropping a `File` with a write in flight lets that write finish
/// on the pool (the file is closed there afterwards), but its error is
/// lost: call [`flush`], or [`sync_all`] to also reach the disk, to see
/// every error.
///
/// **Reads are buffered too.** A read may fetch more than it returns (up to
/// the caller's buffer size); the rest is returned by the next reads, and a
/// seek, write or [`set_len`] accounts for it: they act at the position the
/// caller has read up to, not at the position the file was read to.
///
/// Cancelling (dropping) a read, write or seek future leaves its operation
/// running; the next operation waits for it. Several `File`s may use one
/// file at once, each with its own position (open it several times), or a
/// shared one ([`from_std`](Self::from_std) of a `try_clone`).
///
/// A `File` with an operation in flight must be used inside the runtime
/// that started it.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("solo-file-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use solo::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
///
/// solo::block_on(async {
///     let path = dir.join("data");
///     let mut file = solo::fs::File::create(&path).await?;
///     file.write_all(b"hello, world").await?;
///     file.flush().await?; // the write's error, if any, is seen here
///     drop(file);
///
///     let mut file = solo::fs::File::open(&path).await?;
///     file.seek(SeekFrom::Start(7)).await?;
///     let mut rest = String::new();
///     file.read_to_string(&mut rest).await?;
///     assert_eq!(rest, "world");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// [`flush`]: futures_lite::AsyncWriteExt::flush
/// [`sync_all`]: Self::sync_all
/// [`sync_data`]: Self::sync_data
/// [`set_len`]: Self::set_len
/// [`metadata`]: Self::metadata
pub struct File {
    /// Shared with the operation in flight, the only other holder.
    std: Arc<StdFile>,
    /// Held by the `&self` methods across their awaits; the `poll_*`
    /// methods have `&mut self` and reach it without locking.
    inner: Mutex<Inner>,
}

struct Inner {
    state: State,
    /// The error of an operation that finished in the background (a write,
    /// or any operation whose pool job was lost), for the next one.
    error: Option<io::Error>,
}

enum State {
    /// No operation in flight. `None` only while a poll moves it out.
    Idle(Option<Buf>),
    /// The one operation in flight, with the buffer.
    Busy(JoinHandle<(Operation, Buf)>),
}

/// What a finished pool job did.
enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    /// The position asked for, and the result.
    Seek(SeekFrom, io::Result<u64>),
    /// `sync_all`, `sync_data`, `set_len`, `metadata`: only the call that
    /// started it wants the result.
    Other(io::Result<Option<Metadata>>),
}

impl Inner {
    /// Waits for the operation in flight, if any: returns it once finished
    /// (`None` if none was in flight), with a write's error (or a lost
    /// job's) kept in `error` instead.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Option<Operation>> {
        let State::Busy(handle) = &mut self.state else {
            return Poll::Ready(None);
        };
        let result = ready!(Pin::new(handle).poll(cx));
        Poll::Ready(self.finish(result))
    }

    fn finish(&mut self, result: Result<(Operation, Buf), JoinError>) -> Option<Operation> {
        match result {
            Ok((Operation::Write(Err(e)), buf)) => {
                self.state = State::Idle(Some(buf));
                self.error = Some(e);
                None
            }
            Ok((op, buf)) => {
                self.state = State::Idle(Some(buf));
                Some(op)
            }
            Err(e) => {
                self.state = State::Idle(Some(Buf::default()));
                self.error = Some(e.into());
                None
            }
        }
    }

    /// The buffer, leaving `Idle(None)`: call only when idle.
    fn take_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(slot) => slot.take().unwrap_or_default(),
            State::Busy(_) => Buf::default(),
        }
    }

    /// Drops unread read-ahead bytes; returns the seek that gives them back.
    fn discard_read(&mut self) -> i64 {
        match &mut self.state {
            State::Idle(Some(buf)) => buf.discard_read(),
            _ => 0,
        }
    }

    /// Starts `job` on the pool with the buffer, as the one operation in
    /// flight: call only when idle. The file is first moved by `back` bytes
    /// (from `discard_read`); if that fails, the operation is `fail(error)`
    /// and the buffer is emptied.
    fn start(
        &mut self,
        std: &Arc<StdFile>,
        back: i64,
        fail: fn(io::Error) -> Operation,
        job: impl FnOnce(&StdFile, &mut Buf) -> Operation + Send + 'static,
    ) {
        let mut buf = self.take_buf();
        let std = Arc::clone(std);
        self.state = State::Busy(spawn_blocking(move || {
            let rewound = match back {
                0 => Ok(0),
                back => (&*std).seek(SeekFrom::Current(back)),
            };
            let op = match rewound {
                Ok(_) => job(&std, &mut buf),
                Err(e) => {
                    buf.discard_read();
                    fail(e)
                }
            };
            (op, buf)
        }));
    }
}

fn read_failed(e: io::Error) -> Operation {
    Operation::Read(Err(e))
}

fn write_failed(e: io::Error) -> Operation {
    Operation::Write(Err(e))
}

fn other_failed(e: io::Error) -> Operation {
    Operation::Other(Err(e))
}

impl File {
    /// Opens the file at `path` read-only, as [`std::fs::File::open`], on
    /// the blocking pool: a missing file is `NotFound`.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens the file at `path` write-only, creating it or truncating it to
    /// length 0, as [`std::fs::File::create`].
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a new file at `path`, read-write, failing with
    /// `AlreadyExists` if anything is there, as
    /// [`std::fs::File::create_new`].
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// [`OpenOptions::new`], for `File::options().append(true).open(..)`.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Takes over an open std file, at its current position. No I/O.
    pub fn from_std(std: StdFile) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Some(Buf::default())),
                error: None,
            }),
        }
    }

    /// Gives the std file back, once the operation in flight (if any) has
    /// finished, at the position the caller has read or written up to
    /// (unread read-ahead bytes are given back by a seek).
    ///
    /// The error of a write still in flight is lost: [`flush`] first to
    /// see it.
    ///
    /// [`flush`]: futures_lite::AsyncWriteExt::flush
    pub async fn into_std(mut self) -> StdFile {
        let inner = self.inner.get_mut();
        poll_fn(|cx| inner.poll_idle(cx).map(drop)).await;
        let back = inner.take_buf().discard_read();
        if back != 0 {
            let std = Arc::clone(&self.std);
            // Best effort, as the signature has no room for an error: the
            // position is then that of the last read.
            let _ = asyncify(move || (&*std).seek(SeekFrom::Current(back))).await;
        }
        match Arc::try_unwrap(self.std) {
            Ok(std) => std,
            // Every job holding a clone has finished (and dropped it)
            // before its handle completes: the `Arc` is ours alone.
            Err(_) => unreachable!("a finished pool job still holds the file"),
        }
    }

    /// Gives the std file back at once if no operation is in flight, or
    /// returns `self` unchanged. Unread read-ahead bytes are given back by
    /// a seek on the calling thread (`lseek`, which does not wait for the
    /// disk); if that seek fails, `self` is returned.
    pub fn try_into_std(mut self) -> Result<StdFile, File> {
        let inner = self.inner.get_mut();
        let State::Idle(Some(buf)) = &mut inner.state else {
            return Err(self);
        };
        if !buf.is_empty() {
            let back = -(buf.unread() as i64);
            if (&*self.std).seek(SeekFrom::Current(back)).is_err() {
                return Err(self);
            }
            buf.discard_read();
        }
        Arc::try_unwrap(self.std).map_err(|std| File {
            std,
            inner: self.inner,
        })
    }

    /// Flushes the file's data and metadata to the disk, as
    /// [`std::fs::File::sync_all`], after the write in flight (whose
    /// error, if any, is returned instead).
    pub async fn sync_all(&self) -> io::Result<()> {
        self.other(false, |f| f.sync_all().map(|()| None))
            .await
            .map(drop)
    }

    /// As [`sync_all`](Self::sync_all), but may skip metadata that is not
    /// needed to read the data back (the modification time), as
    /// [`std::fs::File::sync_data`].
    pub async fn sync_data(&self) -> io::Result<()> {
        self.other(false, |f| f.sync_data().map(|()| None))
            .await
            .map(drop)
    }

    /// Truncates or extends (with zeros) the file to `size` bytes, as
    /// [`std::fs::File::set_len`], after the write in flight (whose error,
    /// if any, is returned instead). The position is unchanged, and may
    /// then be past the end. Needs the file open for writing.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.other(true, move |f| f.set_len(size).map(|()| None))
            .await
            .map(drop)
    }

    /// The file's metadata, as [`std::fs::File::metadata`], after the
    /// write in flight (whose error, if any, is returned instead): the
    /// length includes every byte written before the call.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        match self.other(false, |f| f.metadata().map(Some)).await? {
            Some(metadata) => Ok(metadata),
            None => Err(io::Error::other("metadata: no result from the pool")),
        }
    }

    /// Runs `job` on the pool as the one operation in flight, after the
    /// previous one; returns that one's error if it failed.
    async fn other(
        &self,
        rewind: bool,
        job: impl FnOnce(&StdFile) -> io::Result<Option<Metadata>> + Send + 'static,
    ) -> io::Result<Option<Metadata>> {
        let mut inner = self.inner.lock().await;
        poll_fn(|cx| inner.poll_idle(cx).map(drop)).await;
        if let Some(e) = inner.error.take() {
            return Err(e);
        }
        let back = if rewind { inner.discard_read() } else { 0 };
        inner.start(&self.std, back, other_failed, move |f, _| {
            Operation::Other(job(f))
        });
        // Dropped here, the job goes on; the next operation waits for it.
        match poll_fn(|cx| inner.poll_idle(cx)).await {
            Some(Operation::Other(result)) => result,
            _ => Err(inner
                .error
                .take()
                .unwrap_or_else(|| io::Error::other("file operation lost"))),
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            if let Some(e) = inner.error.take() {
                return Poll::Ready(Err(e));
            }
            if let State::Idle(Some(buf)) = &mut inner.state {
                if !buf.is_empty() || dst.is_empty() {
                    return Poll::Ready(Ok(buf.copy_to(dst)));
                }
                let len = dst.len().min(MAX_BUF);
                inner.start(&me.std, 0, read_failed, move |f, buf| {
                    Operation::Read(buf.read_from(&mut &*f, len))
                });
            }
            match ready!(inner.poll_idle(cx)) {
                Some(Operation::Read(Ok(_))) => {
                    // The bytes are in the buffer (none at the end).
                    if let State::Idle(Some(buf)) = &mut inner.state {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                }
                Some(Operation::Read(Err(e))) => return Poll::Ready(Err(e)),
                // Another operation finished first: now read.
                _ => {}
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            if let Some(e) = inner.error.take() {
                return Poll::Ready(Err(e));
            }
            if let State::Idle(Some(buf)) = &mut inner.state {
                if src.is_empty() {
                    return Poll::Ready(Ok(0));
                }
                // Unread read-ahead bytes: the write goes where the caller is.
                let back = buf.discard_read();
                let n = buf.copy_from(src, MAX_BUF);
                inner.start(&me.std, back, write_failed, move |f, buf| {
                    Operation::Write(buf.write_to(&mut &*f))
                });
                return Poll::Ready(Ok(n));
            }
            ready!(inner.poll_idle(cx));
        }
    }

    /// Waits for the write in flight; returns its error, or that of an
    /// earlier background write not reported yet.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let inner = self.get_mut().inner.get_mut();
        ready!(inner.poll_idle(cx));
        match inner.error.take() {
            Some(e) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(())),
        }
    }

    /// Flushes; the file itself is closed when the `File` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    /// Seeks after the operation in flight. `SeekFrom::Current` counts from
    /// the position the caller has read up to (unread read-ahead bytes are
    /// given back); the result is the new position from the start.
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            if let Some(e) = inner.error.take() {
                return Poll::Ready(Err(e));
            }
            if let State::Idle(Some(buf)) = &mut inner.state {
                let target = match pos {
                    SeekFrom::Current(n) => match n.checked_sub(buf.unread() as i64) {
                        Some(n) => SeekFrom::Current(n),
                        None => {
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::InvalidInput,
                                "seek offset overflows",
                            )))
                        }
                    },
                    other => other,
                };
                buf.discard_read();
                inner.start(&me.std, 0, other_failed, move |f, _| {
                    Operation::Seek(pos, (&*f).seek(target))
                });
            }
            match ready!(inner.poll_idle(cx)) {
                Some(Operation::Seek(asked, result)) if asked == pos => return Poll::Ready(result),
                // Another operation (or an abandoned seek) finished first.
                _ => {}
            }
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for File {
    /// The file's descriptor, for calls solo does not wrap; mind that an
    /// operation may be in flight on it.
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.std.as_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.std.as_raw_fd()
    }
}

impl From<StdFile> for File {
    /// [`File::from_std`].
    fn from(std: StdFile) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("std", &self.std).finish()
    }
}
