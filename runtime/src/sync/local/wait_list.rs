//! `WaitList`: the FIFO of parked futures every `sync::local` type keeps.
//!
//! Invariants: a waiter is *linked* (in the FIFO, holding its waker) until
//! it is *notified*, which unlinks it and hands its waker to the caller; it
//! stays in the slab, notified, until its future removes it. So a future
//! learns from [`WaitList::is_notified`] whether it was chosen, and a
//! future dropped while notified can pass what it was given on. Removal
//! from anywhere is O(1) (the FIFO is a doubly linked list through the
//! slab), and waiting allocates nothing once the slab has grown.

use std::task::Waker;

use slab::Slab;

/// No neighbour.
const NIL: usize = usize::MAX;

/// Parked futures in arrival order, each with a `kind` its owner chooses
/// (reader or writer, how it was woken).
pub(crate) struct WaitList<K: Copy = ()> {
    nodes: Slab<Node<K>>,
    head: usize,
    tail: usize,
}

struct Node<K> {
    /// `Some` while linked; `None` once notified.
    waker: Option<Waker>,
    kind: K,
    prev: usize,
    next: usize,
}

impl<K: Copy> WaitList<K> {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        WaitList {
            nodes: Slab::new(),
            head: NIL,
            tail: NIL,
        }
    }

    /// Whether some waiter is linked (waiting and not yet notified).
    #[inline]
    pub(crate) fn has_waiters(&self) -> bool {
        self.head != NIL
    }

    /// The oldest linked waiter and its kind.
    #[inline]
    pub(crate) fn front(&self) -> Option<(usize, K)> {
        (self.head != NIL).then(|| (self.head, self.nodes[self.head].kind))
    }

    /// Links a new waiter at the back; returns its key.
    #[inline]
    pub(crate) fn push(&mut self, waker: &Waker, kind: K) -> usize {
        let key = self.nodes.insert(Node {
            waker: Some(waker.clone()),
            kind,
            prev: self.tail,
            next: NIL,
        });
        match self.tail {
            NIL => self.head = key,
            tail => self.nodes[tail].next = key,
        }
        self.tail = key;
        key
    }

    /// Whether waiter `key` has been notified.
    #[inline]
    pub(crate) fn is_notified(&self, key: usize) -> bool {
        self.nodes[key].waker.is_none()
    }

    /// Stores `waker` for a linked waiter, unless it would wake the same
    /// task already. Does nothing to a notified one.
    #[inline]
    pub(crate) fn update(&mut self, key: usize, waker: &Waker) {
        if let Some(w) = &mut self.nodes[key].waker {
            if !w.will_wake(waker) {
                *w = waker.clone();
            }
        }
    }

    /// Changes waiter `key`'s kind.
    pub(crate) fn set_kind(&mut self, key: usize, kind: K) {
        self.nodes[key].kind = kind;
    }

    /// Notifies the linked waiter `key`: unlinks it and returns its waker
    /// (to be woken once the caller's borrow of the list ends).
    #[inline]
    pub(crate) fn notify(&mut self, key: usize) -> Waker {
        self.unlink(key);
        self.nodes[key]
            .waker
            .take()
            .expect("only a linked waiter is notified")
    }

    /// Notifies the oldest linked waiter, if any.
    #[inline]
    pub(crate) fn notify_one(&mut self) -> Option<Waker> {
        (self.head != NIL).then(|| self.notify(self.head))
    }

    /// Forgets waiter `key` (its future is done or dropped); returns whether
    /// it had been notified, and its kind.
    #[inline]
    pub(crate) fn remove(&mut self, key: usize) -> (bool, K) {
        if self.nodes[key].waker.is_some() {
            self.unlink(key);
        }
        let node = self.nodes.remove(key);
        (node.waker.is_none(), node.kind)
    }

    fn unlink(&mut self, key: usize) {
        let (prev, next) = {
            let n = &self.nodes[key];
            (n.prev, n.next)
        };
        match prev {
            NIL => self.head = next,
            p => self.nodes[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.nodes[n].prev = prev,
        }
    }
}

/// Wakes every waker in `wakers` (collected while a list was borrowed).
pub(crate) fn wake_all(wakers: Vec<Waker>) {
    wakers.into_iter().for_each(Waker::wake);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn noop() -> Waker {
        futures_task::noop_waker()
    }

    #[test]
    fn waiters_are_notified_oldest_first_and_removal_keeps_the_order() {
        let mut list = WaitList::<u8>::new();
        let w = noop();
        let a = list.push(&w, 1);
        let b = list.push(&w, 2);
        let c = list.push(&w, 3);
        assert_eq!(list.remove(b), (false, 2));
        assert_eq!(list.front(), Some((a, 1)));
        list.notify_one().unwrap();
        assert!(list.is_notified(a));
        assert_eq!(list.front(), Some((c, 3)));
        list.notify_one().unwrap();
        assert!(!list.has_waiters());
        assert!(list.notify_one().is_none());
        assert_eq!(list.remove(a), (true, 1));
        assert_eq!(list.remove(c), (true, 3));
        let d = list.push(&w, 4);
        assert_eq!(list.front(), Some((d, 4)));
    }
}
