//! A fresh directory under the system temp dir, removed on drop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory made fresh under [`std::env::temp_dir`], named after the
/// test binary's pid and a counter, so parallel tests and runs never
/// share one. Dropping it removes it and everything in it, also when the
/// test fails (the drop runs while a panic unwinds).
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates the directory; `label` goes into its name to tell tests
    /// apart when one is left by a killed run.
    ///
    /// # Panics
    ///
    /// If the directory cannot be created.
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("solo-tests-{label}-{}-{n}", std::process::id()));
        std::fs::create_dir(&path).expect("create the temp dir");
        TempDir { path }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Errors are ignored: a destructor must not panic while unwinding.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
