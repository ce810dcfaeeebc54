//! The timer store: a slab of pending timers and a min-heap of deadlines.
//!
//! Insert is O(log n); cancel is O(1): it frees the slab slot and leaves the
//! heap entry behind, recognised as stale by its generation when it surfaces.
//! Stale entries are swept out whenever they outnumber the live ones, so the
//! heap stays within twice the number of pending timers.
//!
//! Deadlines that come in order (a server arming the same timeout per
//! request: each later than the one before) skip the heap: they go to the
//! back of a sorted queue, and their stale entries leave from its front, in
//! O(1) each. The earliest entry is the smaller of the two fronts, so timers
//! fire in the same order as from one heap.
//!
//! # Slack
//!
//! With a slack `s` ([`Builder::timer_slack`](crate::Builder::timer_slack)),
//! [`Timers::next_deadline`] does not name the earliest deadline `d` but a
//! wake-up moment in `[d, d + w]`, where the window `w` is `s` to begin
//! with: the latest pending deadline in that window, and no earlier than
//! `w` after the last moment timers fired. The loop waits until then and
//! fires every timer due, so timers that fall due close together share one
//! wake-up, and a stream of them costs at most about one wake-up per `w`.
//!
//! The window adapts to the stream: a wake-up that fires several timers
//! doubles it for the next (up to [`MAX_WINDOW`] times `s`), and one that
//! fires a single timer puts it back to `s`. A dense stream of timers (a
//! server's many connection timeouts) thus costs at most one wake-up per
//! `4 s`, while sparse timers keep the precision of `s`: each wake-up costs
//! the loop a context switch, about 10 µs of CPU on a virtual machine, more
//! than waking 50 µs sooner gains.
//!
//! Nothing fires early (a timer fires only once its deadline has passed);
//! the price is lateness: a timer may fire up to `w` after its deadline, so
//! up to `s` after it in a sparse stream and `4 s` in a dense one. A lone
//! timer, with no other due within the window after it and none fired in
//! the window before, still wakes the loop at its own deadline. While the
//! clock is paused the slack is off, so that paused timings stay exact.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::task::{Context, Poll, Waker};

use slab::Slab;

struct Timer {
    /// Nanoseconds since the clock's base.
    deadline: u64,
    generation: u32,
    fired: bool,
    waker: Option<Waker>,
}

/// A timer's place in the order: deadline, slab key, generation.
type Entry = (u64, u32, u32);

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

/// How many heap entries [`Timers::next_deadline`] looks at, at most, to
/// find the latest deadline within the slack: a bound on its cost.
const SLACK_SCAN: usize = 64;

/// The widest the coalescing window gets under a dense stream of timers,
/// in slacks (see the module docs).
pub(crate) const MAX_WINDOW: u64 = 4;

#[derive(Default)]
pub(crate) struct Timers {
    timers: Slab<Timer>,
    /// Entries, earliest first.
    heap: BinaryHeap<Reverse<Entry>>,
    /// Entries in increasing order (each greater than the one before it),
    /// kept out of `heap`: see the module docs.
    queue: VecDeque<Entry>,
    next_generation: u32,
    fired: u64,
    /// Nanoseconds a wake-up may come after the earliest deadline (see the
    /// module docs); 0 wakes for each deadline exactly.
    slack: u64,
    /// The clock is paused: the slack is off.
    paused: bool,
    /// The tick at which timers last fired, if any did.
    last_fired_at: Option<u64>,
    /// The coalescing window for the next wake-up: from `slack` to
    /// [`MAX_WINDOW`] slacks (see the module docs).
    window: u64,
    /// The window the latest firing pass (the timers fired at
    /// `last_fired_at`) was scheduled with, and how many it fired.
    pass_window: u64,
    pass_fired: u64,
}

impl Timers {
    /// An empty store that coalesces wake-ups within `slack` (see the module
    /// docs), unless the clock is `paused`.
    pub(crate) fn new(slack: std::time::Duration, paused: bool) -> Timers {
        let slack = u64::try_from(slack.as_nanos()).unwrap_or(u64::MAX);
        Timers {
            slack,
            paused,
            window: slack,
            ..Timers::default()
        }
    }

    /// The clock was paused (the slack is off) or resumed.
    pub(crate) fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

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

    /// When the loop should wake for timers: the earliest pending deadline,
    /// or with a slack a moment at most the slack after it (see the module
    /// docs). Never before the earliest deadline.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        let earliest = self.earliest()?;
        if self.slack == 0 || self.paused {
            return Some(earliest);
        }
        let limit = earliest.saturating_add(self.window);
        // Not sooner than the window after the last firing, so that a
        // stream of timers a few microseconds apart is taken in batches.
        let paced = self
            .last_fired_at
            .map_or(earliest, |t| t.saturating_add(self.window))
            .clamp(earliest, limit);
        Some(paced.max(self.latest_within(limit)))
    }

    /// The earliest pending deadline; drops stale entries off the fronts.
    fn earliest(&mut self) -> Option<u64> {
        while let Some(&(deadline, key, generation)) = self.queue.front() {
            if self.is_live(key, generation, deadline) {
                break;
            }
            self.queue.pop_front();
        }
        while let Some(&Reverse((deadline, key, generation))) = self.heap.peek() {
            if self.is_live(key, generation, deadline) {
                break;
            }
            self.heap.pop();
        }
        self.first().map(|(deadline, _, _)| deadline)
    }

    /// The smallest entry, stale or not: the smaller of the two fronts.
    fn first(&self) -> Option<Entry> {
        match (self.queue.front(), self.heap.peek()) {
            (Some(&queued), Some(&Reverse(heaped))) => Some(queued.min(heaped)),
            (Some(&queued), None) => Some(queued),
            (None, Some(&Reverse(heaped))) => Some(heaped),
            (None, None) => None,
        }
    }

    /// Removes the smallest entry, [`first`](Self::first).
    fn pop_first(&mut self, first: Entry) {
        if self.queue.front() == Some(&first) {
            self.queue.pop_front();
        } else {
            self.heap.pop();
        }
    }

    /// The latest live deadline at or before `limit` among the first
    /// [`SLACK_SCAN`] entries of the queue, and of the heap, found at or
    /// before it (0 if none).
    ///
    /// In the heap, walks the heap's array as the tree it is: a node's children sit at
    /// `2i + 1` and `2i + 2` and are never earlier than it, so a node past
    /// `limit` ends its branch. `BinaryHeap` does not promise that layout;
    /// were it another, the walk would only find fewer deadlines, and a
    /// wake-up would cover fewer timers: nothing would fire early, since
    /// the result never exceeds `limit` and firing still waits for each
    /// timer's own deadline.
    fn latest_within(&self, limit: u64) -> u64 {
        // The queue is sorted: its entries within `limit` come first.
        let queued = self
            .queue
            .iter()
            .take(SLACK_SCAN)
            .take_while(|&&(deadline, _, _)| deadline <= limit)
            .filter(|&&(deadline, key, generation)| self.is_live(key, generation, deadline))
            .last()
            .map_or(0, |&(deadline, _, _)| deadline);
        queued.max(self.latest_in_heap(limit))
    }

    /// [`latest_within`](Self::latest_within) for the heap's entries.
    fn latest_in_heap(&self, limit: u64) -> u64 {
        let heap = self.heap.as_slice();
        if heap.is_empty() {
            return 0;
        }
        let mut stack = [0usize; SLACK_SCAN];
        let (mut top, mut seen, mut latest) = (1, 0, 0);
        while top > 0 && seen < SLACK_SCAN {
            top -= 1;
            let i = stack[top];
            let Some(&Reverse((deadline, key, generation))) = heap.get(i) else {
                continue;
            };
            if deadline > limit {
                continue;
            }
            seen += 1;
            if deadline > latest && self.is_live(key, generation, deadline) {
                latest = deadline;
            }
            for child in [2 * i + 1, 2 * i + 2] {
                if top < SLACK_SCAN && child < heap.len() {
                    stack[top] = child;
                    top += 1;
                }
            }
        }
        latest
    }

    /// Fires the earliest timer due at `now`, returning its waker to wake.
    /// Call until it returns `None`.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<Option<Waker>> {
        loop {
            let first = self.first()?;
            let (deadline, key, generation) = first;
            if deadline > now {
                return None;
            }
            self.pop_first(first);
            if !self.is_live(key, generation, deadline) {
                continue;
            }
            self.count_firing(now);
            let timer = &mut self.timers[key as usize];
            timer.fired = true;
            self.fired += 1;
            return Some(timer.waker.take());
        }
    }

    /// A timer fires at tick `now`: the window for the next wake-up
    /// narrows back to the slack if this pass fires only this timer, and
    /// widens (double the pass's own, at most [`MAX_WINDOW`] slacks) once
    /// it fires a second.
    fn count_firing(&mut self, now: u64) {
        if self.last_fired_at == Some(now) {
            self.pass_fired += 1;
            if self.pass_fired == 2 {
                let widest = self.slack.saturating_mul(MAX_WINDOW);
                self.window = self.pass_window.saturating_mul(2).min(widest);
            }
        } else {
            self.last_fired_at = Some(now);
            self.pass_fired = 1;
            self.pass_window = self.window;
            self.window = self.slack;
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
        self.queue.clear();
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

    #[inline]
    fn push(&mut self, deadline: u64, key: usize, generation: u32) {
        // Slab keys stay below the number of live timers, far under u32::MAX.
        let key = u32::try_from(key).unwrap_or(u32::MAX);
        let entry = (deadline, key, generation);
        match self.queue.back() {
            Some(&last) if entry < last => self.heap.push(Reverse(entry)),
            _ => self.queue.push_back(entry),
        }
        self.sweep();
    }

    /// Drops stale entries once they outnumber the live timers.
    #[inline]
    fn sweep(&mut self) {
        let entries = self.entries();
        if entries > 64 && entries > 2 * self.timers.len() {
            self.sweep_now();
        }
    }

    #[cold]
    fn sweep_now(&mut self) {
        let timers = &self.timers;
        self.heap.retain(|&Reverse((deadline, key, generation))| {
            entry_is_live(timers, key, generation, deadline)
        });
        self.queue.retain(|&(deadline, key, generation)| {
            entry_is_live(timers, key, generation, deadline)
        });
    }

    /// Entries in the heap and the queue, stale ones included.
    fn entries(&self) -> usize {
        self.heap.len() + self.queue.len()
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
        assert!(t.entries() <= 64, "kept {} stale entries", t.entries());
        assert!(t.pop_due(u64::MAX).is_none());
        assert_eq!(t.fired(), 0);
    }

    #[test]
    fn timers_fire_in_deadline_order_whether_they_came_in_order_or_not() {
        // Runs of increasing deadlines (the queue) mixed with earlier ones
        // (the heap), some cancelled: the fired order is the sorted one.
        let mut t = Timers::default();
        let mut expected = Vec::new();
        let mut x = 7u64;
        for i in 0..500u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let deadline = if i % 3 == 0 {
                (x >> 33) % 10_000
            } else {
                10_000 + i
            };
            let k = t.insert(deadline, noop_waker());
            if i % 7 == 0 {
                t.remove(k);
            } else {
                expected.push((deadline, k));
            }
        }
        expected.sort();
        let mut fired = Vec::new();
        while t.pop_due(u64::MAX).is_some() {
            let newly = t
                .timers
                .iter()
                .find(|(k, tm)| tm.fired && !fired.iter().any(|&(_, f)| f == *k));
            let (k, tm) = newly.expect("one timer fired per pop");
            fired.push((tm.deadline, k));
        }
        let deadlines = |v: &[(u64, usize)]| v.iter().map(|&(d, _)| d).collect::<Vec<_>>();
        assert_eq!(deadlines(&fired), deadlines(&expected));
        assert_eq!(fired.len(), expected.len());
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

    #[test]
    fn the_wake_up_is_the_latest_deadline_within_the_slack() {
        let mut t = Timers::new(std::time::Duration::from_nanos(100), false);
        for d in [1_000, 1_030, 1_100, 1_101, 5_000] {
            t.insert(d, noop_waker());
        }
        // 1,101 is past 1,000 + 100: not covered.
        assert_eq!(t.next_deadline(), Some(1_100));
        let mut fired = 0;
        while t.pop_due(1_100).is_some() {
            fired += 1;
        }
        assert_eq!(fired, 3, "one wake-up fires the three timers in the window");
        // 1,101 is due one tick after the last firing, which fired three
        // timers: the window doubled, paced to 1,100 + 200.
        assert_eq!(t.next_deadline(), Some(1_300));
        while t.pop_due(1_300).is_some() {}
        // A lone timer long after the last firing: its own deadline.
        assert_eq!(t.next_deadline(), Some(5_000));
    }

    #[test]
    fn a_wake_up_is_never_before_the_earliest_deadline_nor_past_the_slack() {
        let slack = 1_000;
        let mut t = Timers::new(std::time::Duration::from_nanos(slack), false);
        let mut x = 12_345u64;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            t.insert((x >> 33) % 1_000_000, noop_waker());
        }
        while let Some(earliest) = t.earliest() {
            let wake = t.next_deadline().unwrap();
            assert!(wake >= earliest && wake <= earliest + MAX_WINDOW * slack);
            while t.pop_due(wake).is_some() {}
        }
    }

    #[test]
    fn a_dense_stream_widens_the_window_to_four_slacks_and_a_lone_firing_narrows_it() {
        let slack = 100;
        let mut t = Timers::new(std::time::Duration::from_nanos(slack), false);
        // Ten deadlines per slack, from 1,000 to 9,000.
        for d in (1_000..=9_000).step_by(10) {
            t.insert(d, noop_waker());
        }
        let mut wakes = Vec::new();
        while let Some(earliest) = t.earliest() {
            let wake = t.next_deadline().unwrap();
            assert!(wake >= earliest, "woke at {wake}, before {earliest}");
            assert!(
                wake <= earliest + MAX_WINDOW * slack,
                "woke at {wake}, too late"
            );
            while t.pop_due(wake).is_some() {}
            wakes.push(wake);
        }
        assert_eq!(t.window, MAX_WINDOW * slack, "the window did not widen");
        // Once widened, wake-ups come about four slacks apart: 8,000 ticks
        // of timers in about 20 wake-ups rather than 80.
        assert!(wakes.len() <= 25, "{} wake-ups: {wakes:?}", wakes.len());
        // A lone timer, long after: at its own deadline, and the window is
        // back to the slack for the wake-up after it.
        t.insert(20_000, noop_waker());
        assert_eq!(t.next_deadline(), Some(20_000));
        while t.pop_due(20_000).is_some() {}
        assert_eq!(t.window, slack);
        t.insert(30_000, noop_waker());
        t.insert(30_150, noop_waker());
        assert_eq!(t.next_deadline(), Some(30_000), "30,150 is past one slack");
    }

    #[test]
    fn zero_slack_or_a_paused_clock_wakes_for_the_earliest_deadline() {
        for mut t in [
            Timers::new(std::time::Duration::ZERO, false),
            Timers::new(std::time::Duration::from_nanos(100), true),
        ] {
            t.insert(1_000, noop_waker());
            t.insert(1_050, noop_waker());
            assert_eq!(t.next_deadline(), Some(1_000));
        }
    }
}
