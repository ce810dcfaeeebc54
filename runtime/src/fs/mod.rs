//! Files and directories, with tokio's names: each call runs the blocking
//! `std::fs` call on solo's blocking pool ([`spawn_blocking`]) and awaits
//! it, so the event loop keeps serving other tasks meanwhile.
//!
//! Every function returns std's [`io::Result`](std::io::Result) and keeps
//! std's error kinds (`NotFound`, `PermissionDenied`, `AlreadyExists`...).
//! [`read_dir`] lists a directory, a batch of entries per trip to the pool.
//! [`File`] (opened with [`OpenOptions`]) reads, writes and seeks through
//! the pool one operation at a time; read its rules on buffered writes.
//! If the pool cannot run the call at all (no thread could be started), the
//! error is an [`ErrorKind::Other`](std::io::ErrorKind::Other) built from
//! the [`JoinError`](crate::JoinError).
//!
//! Like [`spawn_blocking`], these futures must be polled inside a runtime:
//! polling one anywhere else panics. A future dropped before it completes
//! does not stop the std call, which already runs on a pool thread: a
//! dropped [`write()`] may still create or change its file.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("solo-fs-doc-{}", std::process::id()));
//! solo::block_on(async {
//!     solo::fs::create_dir_all(&dir).await?;
//!     let path = dir.join("hello.txt");
//!     solo::fs::write(&path, "hello, file").await?;
//!     assert_eq!(solo::fs::read_to_string(&path).await?, "hello, file");
//!     assert_eq!(solo::fs::metadata(&path).await?.len(), 11);
//!     solo::fs::remove_dir_all(&dir).await
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! [`spawn_blocking`]: crate::task::spawn_blocking

mod blocking;
mod buf;
mod file;
mod functions;
mod open_options;
mod read_dir;

pub use file::File;
pub use functions::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, symlink_metadata, try_exists,
    write,
};
pub use open_options::OpenOptions;
pub use read_dir::{read_dir, DirEntry, ReadDir};
