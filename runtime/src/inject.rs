//! The injection queue: how other threads hand woken tasks to the runtime.
//!
//! A remote waker pushes under a lock, then, if it is the first push since
//! the runtime last drained, signals the poller (a `mio::Waker` write). The
//! runtime drains whenever the flag is set. Whatever the interleaving, a
//! pushed item is either taken by a drain that has begun, or followed by a
//! signal after that drain began, so a parked runtime always wakes for it.
//! The `loom` test below checks exactly that, over every interleaving of two
//! pushers and a drain (`RUSTFLAGS="--cfg solo_loom" cargo test -p solo --lib inject`).

#[cfg(solo_loom)]
use loom::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};
#[cfg(not(solo_loom))]
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};

pub(crate) struct Inject<T> {
    queue: Mutex<Vec<T>>,
    /// Set by the first push since the last drain; that push signals.
    notified: AtomicBool,
}

impl<T> Inject<T> {
    pub(crate) fn new() -> Self {
        Inject {
            queue: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
        }
    }

    /// Queues `item`. Returns true if the caller must signal the runtime.
    pub(crate) fn push(&self, item: T) -> bool {
        // A poisoned lock only means another pusher panicked mid-push; the
        // vector itself is still sound.
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(item);
        !self.notified.swap(true, Ordering::AcqRel)
    }

    /// Moves everything pushed so far into `into`. Costs one atomic
    /// operation when nothing was pushed.
    pub(crate) fn drain(&self, into: &mut impl Extend<T>) {
        if !self.notified.swap(false, Ordering::AcqRel) {
            return;
        }
        let items = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()));
        into.extend(items);
    }
}

#[cfg(all(test, solo_loom))]
mod tests {
    use super::Inject;
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use loom::sync::Arc;

    #[test]
    fn a_pushed_item_is_drained_or_signalled() {
        loom::model(|| {
            let inject = Arc::new(Inject::new());
            // The poller's waker: a count of signals sent.
            let signals = Arc::new(AtomicUsize::new(0));
            let pushers: Vec<_> = (0..2)
                .map(|i| {
                    let (inject, signals) = (inject.clone(), signals.clone());
                    loom::thread::spawn(move || {
                        if inject.push(i) {
                            signals.fetch_add(1, SeqCst);
                        }
                    })
                })
                .collect();
            // One turn of the loop, concurrent with the pushers: take the
            // poller's events, then drain.
            let seen = signals.load(SeqCst);
            let mut got = Vec::new();
            inject.drain(&mut got);
            for p in pushers {
                p.join().unwrap();
            }
            if got.len() < 2 {
                // The runtime would now park: a signal must be pending.
                assert!(signals.load(SeqCst) > seen, "lost wake-up: {got:?}");
                inject.drain(&mut got);
            }
            got.sort();
            assert_eq!(got, [0, 1]);
        });
    }
}
