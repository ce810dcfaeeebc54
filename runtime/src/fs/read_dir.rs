//! `read_dir`: a directory's entries, fetched in batches on the blocking pool.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_core::Stream;

use super::blocking::asyncify;
use crate::task::{spawn_blocking, JoinHandle};

/// Entries read from the directory per trip to the blocking pool.
const BATCH: usize = 32;

/// Opens the directory at `path` for reading its entries, as
/// [`std::fs::read_dir`]: a missing directory is `NotFound`, a file is an
/// error (`NotADirectory` on Unix).
///
/// The entries come in no particular order, and never include `.` or `..`.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir {
        state: State::Idle(Some(Batch {
            entries: VecDeque::new(),
            std,
            more: true,
        })),
    })
}

/// The entries of a directory, from [`read_dir`]: tokio's
/// [`next_entry`](Self::next_entry), or a [`Stream`] of
/// `io::Result<DirEntry>`.
///
/// Entries are read from the system 32 at a time on the
/// blocking pool, so most calls return one already fetched. An error reading
/// one entry is returned in its place, and reading goes on after it. Once
/// the end is reached, every further call returns `None`.
///
/// Dropping a `ReadDir` while a batch is being read lets that read finish on
/// the pool; the directory is closed there. A `ReadDir` must be used inside
/// the runtime that created it while a batch is in flight.
pub struct ReadDir {
    state: State,
}

enum State {
    /// `None` only after the end, or while a poll moves the batch out.
    Idle(Option<Batch>),
    Busy(JoinHandle<Batch>),
}

struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    /// Whether `std` may have entries left.
    more: bool,
}

impl Batch {
    /// Reads up to `BATCH` entries into `entries` (on a pool thread).
    fn fill(mut self) -> Batch {
        for _ in 0..BATCH {
            match self.std.next() {
                Some(entry) => self.entries.push_back(entry.map(DirEntry::new)),
                None => {
                    self.more = false;
                    break;
                }
            }
        }
        self
    }
}

impl ReadDir {
    /// The next entry, `Ok(None)` at the end of the directory, or the error
    /// reading one entry (the next call goes on past it).
    ///
    /// Cancel safe: if the future is dropped before it completes, no entry
    /// is lost; the next call returns it.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry: `Ready` as [`next_entry`](Self::next_entry)
    /// completes; `Pending` (with `cx`'s waker kept) while a batch is read.
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(slot) => {
                    let Some(mut batch) = slot.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    if let Some(entry) = batch.entries.pop_front() {
                        *slot = Some(batch);
                        return Poll::Ready(entry.map(Some));
                    }
                    if !batch.more {
                        return Poll::Ready(Ok(None));
                    }
                    self.state = State::Busy(spawn_blocking(move || batch.fill()));
                }
                State::Busy(handle) => {
                    let result = ready!(Pin::new(handle).poll(cx));
                    match result {
                        Ok(batch) => self.state = State::Idle(Some(batch)),
                        Err(e) => {
                            // The batch (and the directory) went with the
                            // failed job: report it once, then the end.
                            self.state = State::Idle(None);
                            return Poll::Ready(Err(e.into()));
                        }
                    }
                }
            }
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    /// [`poll_next_entry`](ReadDir::poll_next_entry), as a stream: `None`
    /// at the end of the directory.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_entry(cx).map(Result::transpose)
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir").finish_non_exhaustive()
    }
}

/// One entry of a directory, from [`ReadDir`], as std's
/// [`DirEntry`](std::fs::DirEntry): its path and name are known at once;
/// its metadata and file type are asked of the system on the blocking pool
/// (the file type usually comes with the entry and costs no trip).
///
/// An entry describes the directory as it was read: the file may since have
/// been removed or replaced, and then `metadata` fails or describes the new
/// file.
#[derive(Debug, Clone)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    /// The type read with the entry, if the system gave it cheaply.
    file_type: Option<FileType>,
}

impl DirEntry {
    /// Runs on a pool thread: asks for the file type while there.
    fn new(std: std::fs::DirEntry) -> DirEntry {
        DirEntry {
            file_type: std.file_type().ok(),
            std: Arc::new(std),
        }
    }

    /// The full path of the entry: the path given to [`read_dir`] joined
    /// with the entry's [`file_name`](Self::file_name).
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The entry's name within its directory, without any leading path.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata, as [`std::fs::DirEntry::metadata`]: a symbolic
    /// link is described itself, not followed.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = Arc::clone(&self.std);
        asyncify(move || std.metadata()).await
    }

    /// The entry's file type, as [`std::fs::DirEntry::file_type`]: a
    /// symbolic link is reported as one, not followed.
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = Arc::clone(&self.std);
        asyncify(move || std.file_type()).await
    }
}
