//! A one-shot signal from any thread to a task on the server's runtime.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Poll, Waker};

/// Set once by [`trigger`](Signal::trigger) (from any thread); [`wait`]
/// completes after that.
///
/// [`wait`]: Signal::wait
#[derive(Debug, Default)]
pub(crate) struct Signal {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    pub(crate) fn trigger(&self) {
        self.fired.store(true, Ordering::SeqCst);
        let waker = self.waker.lock().map(|mut w| w.take()).unwrap_or(None);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    pub(crate) async fn wait(&self) {
        poll_fn(|cx| {
            // Store the waker before checking, so a trigger in between is seen.
            if let Ok(mut slot) = self.waker.lock() {
                *slot = Some(cx.waker().clone());
            }
            if self.fired.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}
