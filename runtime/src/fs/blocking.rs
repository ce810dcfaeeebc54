//! Runs one blocking `std::fs` call on the blocking pool.

use std::io;

use crate::task::spawn_blocking;

/// Runs `f` on the blocking pool and returns its result; if the pool could
/// not run it (or it panicked), the [`JoinError`](crate::JoinError) becomes
/// an `io::Error` of kind `Other`.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(e.into()),
    }
}
