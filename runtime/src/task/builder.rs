//! [`Builder`]: spawning a task with a name.

use std::future::Future;
use std::io;
use std::panic::Location;

use super::JoinHandle;
use crate::context;

/// Spawns a task with options: for now its name, which [dumps] and the
/// slow-poll and lost-waker warnings show. tokio's `task::Builder`, with
/// its names.
///
/// [dumps]: crate::runtime::Dump
///
/// # Examples
///
/// ```
/// solo::block_on(async {
///     let task = solo::task::Builder::new()
///         .name("fetch config")
///         .spawn(async { 42 })
///         .unwrap();
///     assert_eq!(task.await.unwrap(), 42);
/// });
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no options set.
    pub fn new() -> Builder<'a> {
        Builder::default()
    }

    /// The task's name (need not be unique).
    pub fn name(&self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    /// Spawns `future` as [`spawn`](super::spawn) does, with this
    /// builder's options.
    ///
    /// # Errors
    ///
    /// None today: the `Result` is tokio's signature, kept so that code
    /// written for either compiles on both.
    ///
    /// # Panics
    ///
    /// Panics if called outside a runtime, like [`spawn`](super::spawn).
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = Location::caller();
        let mut future = Some(future);
        let spawned = context::with_current(|core| {
            let future = future.take()?;
            let handle = JoinHandle::spawn(core, future, location);
            if let Some(name) = self.name {
                core.scheduler.set_name(handle.raw(), name.into());
            }
            Some(handle)
        });
        match spawned.flatten() {
            Some(handle) => Ok(handle),
            None => panic!(
                "solo::task::Builder::spawn called outside a runtime: call it from code \
                 running inside solo::block_on (or Runtime::block_on)"
            ),
        }
    }

    /// The same as [`spawn`](Self::spawn): every solo task is local to
    /// its runtime's thread. tokio's name for `!Send` futures.
    ///
    /// # Errors
    ///
    /// None today, as for [`spawn`](Self::spawn).
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn(future)
    }
}
