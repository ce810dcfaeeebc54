//! `OpenOptions`: how `File` opens a file, as std's, opened on the blocking pool.

use std::io;
use std::path::Path;

use super::blocking::asyncify;
use super::File;

/// Options for opening a [`File`], as [`std::fs::OpenOptions`] (which it
/// wraps): every option starts off; set some, then
/// [`open`](Self::open) a path on the blocking pool.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("solo-open-options-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use solo::io::AsyncWriteExt;
///
/// solo::block_on(async {
///     let path = dir.join("log.txt");
///     let mut log = solo::fs::OpenOptions::new()
///         .append(true)
///         .create(true)
///         .open(&path)
///         .await?;
///     log.write_all(b"one line\n").await?;
///     log.flush().await?;
///     assert_eq!(solo::fs::read(&path).await?, b"one line\n");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Options with everything off: set at least one of `read`, `write`
    /// or `append` before opening.
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing (at the start, overwriting, unless `append`).
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Open for writing, every write going to the end of the file, even
    /// after a seek and even with other writers.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncate the file to length 0 on opening; needs `write`.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it is missing; needs `write` or `append`.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if anything (even a
    /// dangling symbolic link) is at the path: atomic, unlike checking
    /// first. Overrides `create` and `truncate`; needs `write` or `append`.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits of a file this call creates (default `0o666`,
    /// less the process umask), as std's `OpenOptionsExt::mode` (Unix).
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Opens `path` with these options on the blocking pool, with std's
    /// errors: `NotFound`, `PermissionDenied`, `AlreadyExists` (from
    /// `create_new`), `InvalidInput` for a contradictory set of options.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let (options, path) = (self.0.clone(), path.as_ref().to_owned());
        let std = asyncify(move || options.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    /// Keeps every option already set on `options`.
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}
