//! The timer store: a slab of pending timers and a min-heap of deadlines.
//!
//! Insert is O(log n); cancel is O(1): it frees the slab slot and leaves the
//! heap entry behind, recognised as stale by its generation when it surfaces.
//! Stale entries are swept out whenever they outnumber the live ones, so the
//! heap stays within twice the number of pending timers.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::{Context, Poll, Waker};

use slab::Slab;

struct Timer {
    /// Nanoseconds since the clock's base.
    deadline: u64,
    generation: u32,
    fired: bool,
    waker: Option<Waker>,
}

/// Heap entries, earliest first: deadline, slab key, generation.
type Entry = Reverse<(u64, u32, u32)>;

/// Fires the timers due at tick `now`: wakes their tasks, in deadline
/// order. The store is borrowed for each pop only, never across a wake,
/// which may touch the timers.
pub(crate) fn fire_due(timers: &RefCell<Timers>, now: u64) {
    loop {
        let due = timers.borrow_mut().pop_due(now);
        match due {
            Some(Some(waker)) => waker.wake(),
            Some(None) => {}
            None => break,
        }
    }
}

#[derive(Default)]
pub(crate) struct Timers {
    timers: Slab<Timer>,
    heap: BinaryHeap<Entry>,
    next_generation: u32,
    fired: u64,
}

impl Timers {
    /// Adds a timer for `deadline` and returns its key.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Waker) -> usize {
        let generation = self.bump_generation();
        let key = self.timers.insert(Timer {
            deadline,
            generation,
            fired: false,
            waker: Some(waker),
        });
        self.push(deadline, key, generation);
        key
    }

    /// Moves timer `key` to a new deadline; it is pending again.
    pub(crate) fn reset(&mut self, key: usize, deadline: u64) {
        let generation = self.bump_generation();
        if let Some(timer) = self.timers.get_mut(key) {
            timer.deadline = deadline;
            timer.generation = generation;
            timer.fired = false;
            self.push(deadline, key, generation);
        }
    }

    /// Ready once the timer has fired; else keeps `cx`'s waker.
    pub(crate) fn poll(&mut self, key: usize, cx: &mut Context<'_>) -> Poll<()> {
        let Some(timer) = self.timers.get_mut(key) else {
            return Poll::Ready(());
        };
        if timer.fired {
            return Poll::Ready(());
        }
        match &mut timer.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            w => *w = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Cancels timer `key` and frees its slot. Returns its waker, if it was
    /// still pending, for the caller to drop outside any borrow.
    pub(crate) fn remove(&mut self, key: usize) -> Option<Waker> {
        let waker = self.timers.try_remove(key).and_then(|t| t.waker);
        self.sweep();
        waker
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((deadline, key, generation))) = self.heap.peek() {
            if self.is_live(key, generation, deadline) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Fires the earliest timer due at `now`, returning its waker to wake.
    /// Call until it returns `None`.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<Option<Waker>> {
        loop {
            let &Reverse((deadline, key, generation)) = self.heap.peek()?;
            if deadline > now {
                return None;
            }
            self.heap.pop();
            if !self.is_live(key, generation, deadline) {
                continue;
            }
            let timer = &mut self.timers[key as usize];
            timer.fired = true;
            self.fired += 1;
            return Some(timer.waker.take());
        }
    }

    /// Timers not yet fired nor cancelled.
    pub(crate) fn pending(&self) -> usize {
        self.timers.iter().filter(|(_, t)| !t.fired).count()
    }

    /// Timers in the store (pending or fired but not yet dropped).
    pub(crate) fn len(&self) -> usize {
        self.timers.len()
    }

    pub(crate) fn fired(&self) -> u64 {
        self.fired
    }

    /// Drops every timer (the runtime is shutting down).
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        self.heap.clear();
        self.timers.drain().filter_map(|t| t.waker).collect()
    }

    fn is_live(&self, key: u32, generation: u32, deadline: u64) -> bool {
        entry_is_live(&self.timers, key, generation, deadline)
    }

    fn bump_generation(&mut self) -> u32 {
        let g = self.next_generation;
        self.next_generation = g.wrapping_add(1);
        g
    }

    fn push(&mut self, deadline: u64, key: usize, generation: u32) {
        // Slab keys stay below the number of live timers, far under u32::MAX.
        let key = u32::try_from(key).unwrap_or(u32::MAX);
        self.heap.push(Reverse((deadline, key, generation)));
        self.sweep();
    }

    /// Drops stale heap entries once they outnumber the live timers.
    fn sweep(&mut self) {
        if self.heap.len() > 64 && self.heap.len() > 2 * self.timers.len() {
            let timers = &self.timers;
            self.heap.retain(|&Reverse((deadline, key, generation))| {
                entry_is_live(timers, key, generation, deadline)
            });
        }
    }
}

/// Whether a heap entry still stands for its timer: the same generation
/// and deadline (a u32 generation can wrap while a stale entry with a far
/// deadline waits in the heap; the deadline tells them apart), not fired.
fn entry_is_live(timers: &Slab<Timer>, key: u32, generation: u32, deadline: u64) -> bool {
    timers
        .get(key as usize)
        .is_some_and(|t| t.generation == generation && t.deadline == deadline && !t.fired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_task::noop_waker;

    #[test]
    fn fires_in_deadline_order() {
        let mut t = Timers::default();
        let a = t.insert(30, noop_waker());
        let b = t.insert(10, noop_waker());
        let c = t.insert(20, noop_waker());
        assert_eq!(t.next_deadline(), Some(10));
        assert!(t.pop_due(5).is_none());
        let mut order = Vec::new();
        while t.pop_due(100).is_some() {
            let fired = [a, b, c].into_iter().filter(|&k| t.timers[k].fired);
            let newly: Vec<_> = fired.filter(|k| !order.contains(k)).collect();
            assert_eq!(newly.len(), 1, "one timer per pop");
            order.push(newly[0]);
        }
        assert_eq!(order, [b, c, a]);
        let cx = &mut Context::from_waker(futures_task::noop_waker_ref());
        for k in [a, b, c] {
            assert!(t.poll(k, cx).is_ready());
        }
    }

    #[test]
    fn a_stale_entry_never_fires_a_timer_early_after_the_generation_wraps() {
        let mut t = Timers::default();
        let k = t.insert(1_000, noop_waker()); // generation 0
        t.reset(k, 10); // the entry for 1,000 is stale now
        assert!(t.pop_due(10).is_some());
        // 2^32 inserts later the counter comes round to 0 again.
        t.next_generation = 0;
        t.reset(k, 2_000);
        assert!(t.pop_due(1_000).is_none(), "fired at the stale deadline");
        assert!(t.pop_due(2_000).is_some());
    }

    #[test]
    fn cancelled_timers_never_fire_and_heap_stays_bounded() {
        let mut t = Timers::default();
        for i in 0..100_000u64 {
            let k = t.insert(i, noop_waker());
            t.remove(k);
        }
        assert_eq!(t.len(), 0);
        assert!(
            t.heap.len() <= 64,
            "heap kept {} stale entries",
            t.heap.len()
        );
        assert!(t.pop_due(u64::MAX).is_none());
        assert_eq!(t.fired(), 0);
    }

    #[test]
    fn reset_moves_the_deadline() {
        let mut t = Timers::default();
        let k = t.insert(10, noop_waker());
        t.reset(k, 50);
        assert!(t.pop_due(20).is_none());
        assert_eq!(t.next_deadline(), Some(50));
        assert!(t.pop_due(50).is_some());
        assert!(
            t.pop_due(u64::MAX).is_none(),
            "the old deadline must not fire again"
        );
    }
}
