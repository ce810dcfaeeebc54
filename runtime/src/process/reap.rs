//! Reaping children whose [`Child`](super::Child) was dropped while they
//! ran, so that none is left a zombie.

use std::process::Child as StdChild;

use super::exit::Watch;
use crate::context;

/// Hands `child` to a reaper: a detached task of the current runtime if
/// there is one, else a thread that blocks in `waitpid`.
pub(super) fn orphan(child: StdChild) {
    let mut orphan = Orphan(Some(child));
    if orphan.try_reap() {
        return;
    }
    if context::current().is_some() {
        drop(crate::spawn(async move {
            let Some(child) = orphan.0.as_mut() else {
                return;
            };
            let Ok(mut watch) = Watch::new(child) else {
                return; // `Orphan::drop` hands the child to a thread.
            };
            if watch.wait(child).await.is_ok() {
                let _reaped = orphan.0.take();
            }
        }));
    }
    // Otherwise `orphan` drops here and a thread reaps the child.
}

/// A child that nobody waits for. Dropped while it still holds the child
/// (no runtime, the reaper task cancelled by a runtime shutting down, or
/// an error), it hands it to a thread.
struct Orphan(Option<StdChild>);

impl Orphan {
    /// Reaps the child if it has exited; whether it is gone. An error of
    /// `waitpid` (ECHILD: someone else reaped it) also means gone.
    fn try_reap(&mut self) -> bool {
        let gone = match self.0.as_mut() {
            None => true,
            Some(child) => !matches!(child.try_wait(), Ok(None)),
        };
        if gone {
            self.0 = None;
        }
        gone
    }
}

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // If no thread can be started, nothing more can be done
            // without blocking the caller: the child stays a zombie until
            // this process exits.
            let _ = std::thread::Builder::new()
                .name("solo-reaper".into())
                .spawn(move || child.wait());
        }
    }
}
