//! The injection queue: how other threads hand woken tasks to the runtime.
//!
//! A remote waker pushes under a lock, then, if it is the first push since
//! the runtime last drained, signals the poller (a `mio::Waker` write). The
//! runtime drains whenever the flag is set. Whatever the interleaving, a
//! pushed item is either taken by a drain that has begun, or followed by a
//! signal after that drain began, so a parked runtime always wakes for it.
//! The `loom` test below checks exactly that, over every interleaving of two
//! pushers and a drain (`RUSTFLAGS="--cfg solo_loom" cargo test -p solo --lib inject`).
//!
//! A queue may be closed once (the runtime is gone): a push then hands its
//! item back, and `close` returns what was queued, so every item ends in
//! exactly one place: a drain, the closer's hands, or its pusher's. The
//! second `loom` test checks that, with a close racing two pushers.

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
    /// `None` once closed.
    queue: Mutex<Option<Vec<T>>>,
    /// Set by the first push since the last drain; that push signals.
    notified: AtomicBool,
}

impl<T> Inject<T> {
    pub(crate) fn new() -> Self {
        Inject {
            queue: Mutex::new(Some(Vec::new())),
            notified: AtomicBool::new(false),
        }
    }

    /// Queues `item`. Returns whether the caller must signal the runtime,
    /// or the item itself if the queue is closed.
    pub(crate) fn push(&self, item: T) -> Result<bool, T> {
        // A poisoned lock only means another pusher panicked mid-push; the
        // vector itself is still sound.
        match &mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(queue) => queue.push(item),
            None => return Err(item),
        }
        Ok(!self.notified.swap(true, Ordering::AcqRel))
    }

    /// Closes the queue: later pushes fail. Returns what was queued and not
    /// drained yet.
    pub(crate) fn close(&self) -> Vec<T> {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default()
    }

    /// Moves everything pushed so far into `into`. Costs one atomic load
    /// when nothing was pushed (a push that sets the flag after that load
    /// also signals the runtime, which drains again).
    #[inline]
    pub(crate) fn drain(&self, into: &mut impl Extend<T>) {
        if self.notified.load(Ordering::Acquire) {
            self.drain_pushed(into);
        }
    }

    #[cold]
    fn drain_pushed(&self, into: &mut impl Extend<T>) {
        if !self.notified.swap(false, Ordering::AcqRel) {
            return;
        }
        let items = match &mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(queue) => std::mem::take(queue),
            None => return,
        };
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
                        if inject.push(i) == Ok(true) {
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

    #[test]
    fn a_pushed_item_is_drained_closed_over_or_handed_back() {
        loom::model(|| {
            let inject = Arc::new(Inject::new());
            let pushers: Vec<_> = (0..2)
                .map(|i| {
                    let inject = inject.clone();
                    loom::thread::spawn(move || inject.push(i).err())
                })
                .collect();
            let mut got = Vec::new();
            inject.drain(&mut got);
            got.extend(inject.close());
            // Closed: nothing is queued any more, and a drain finds nothing.
            inject.drain(&mut got);
            for p in pushers {
                got.extend(p.join().unwrap());
            }
            got.sort();
            assert_eq!(got, [0, 1], "an item was lost or seen twice");
            assert_eq!(inject.push(2), Err(2), "a closed queue took an item");
        });
    }
}
