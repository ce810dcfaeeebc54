//! The path functions: each runs one `std::fs` call on the blocking pool.

//!
//! Each takes its paths by `AsRef<Path>` and copies them into an owned
//! `PathBuf` for the pool thread, so the caller keeps nothing borrowed.

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

use super::blocking::asyncify;

/// The absolute form of `path`, with every `.`, `..` and symbolic link resolved, as [`std::fs::canonicalize`]; the path must exist.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Copies the contents (and permission bits) of the file `from` to `to`, creating or truncating `to`, as [`std::fs::copy`]; returns the number of bytes copied.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Creates one directory at `path`, as [`std::fs::create_dir`]: a missing parent is `NotFound`, an existing entry `AlreadyExists`.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates the directory at `path` and any missing parents, as [`std::fs::create_dir_all`]; a directory that exists already is success.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Creates `link` as a new hard link to the file `original`, as [`std::fs::hard_link`]; an existing `link` is `AlreadyExists`.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::fs::hard_link(original, link)).await
}

/// The metadata of `path`, following symbolic links, as [`std::fs::metadata`].
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Reads the whole file at `path` into a vector, as [`std::fs::read`].
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// The target of the symbolic link at `path`, as [`std::fs::read_link`]; anything but a link is an error.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_link(path)).await
}

/// Reads the whole file at `path` into a string, as [`std::fs::read_to_string`]; contents that are not UTF-8 are an `InvalidData` error.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Removes the empty directory at `path`, as [`std::fs::remove_dir`]; a directory that is not empty is an error.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes the directory at `path` and everything in it, as [`std::fs::remove_dir_all`]; symbolic links inside are removed, not followed. On an error, part of the tree may already be gone.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Removes the file at `path`, as [`std::fs::remove_file`]. A directory is an error.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Renames `from` to `to`, replacing `to` if it exists (where the platform allows), as [`std::fs::rename`]; both must be on the same file system.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// The metadata of `path` itself, without following a symbolic link, as [`std::fs::symlink_metadata`].
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// Whether `path` exists (following symbolic links), as [`Path::try_exists`]: `Ok(false)` only if it is known not to exist (a broken link counts as missing); an error if that cannot be determined, for example when a parent directory denies access.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}

/// Writes `contents` as the whole content of the file at `path`, creating
/// it or truncating it first, as [`std::fs::write`]. The bytes are copied
/// for the pool thread. On an error the file may hold part of `contents`.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let (path, contents) = (path.as_ref().to_owned(), contents.as_ref().to_owned());
    asyncify(move || std::fs::write(path, contents)).await
}
