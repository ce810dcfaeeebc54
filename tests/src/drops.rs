//! Drop counting: which values a runtime has dropped, and how many.

use std::cell::Cell;
use std::rc::Rc;

/// Counts the drops of the [`Counted`] values made from it (or from its
/// clones, which share the count).
///
/// Not `Send`: for values that live on the runtime's thread, as tasks do.
#[derive(Clone, Debug, Default)]
pub struct DropCounter(Rc<Cell<u32>>);

impl DropCounter {
    /// A counter at zero.
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A value that adds one to this counter when it is dropped.
    pub fn counted(&self) -> Counted {
        Counted(self.clone())
    }

    /// How many of its [`Counted`] values have been dropped so far.
    pub fn get(&self) -> u32 {
        self.0.get()
    }
}

/// Adds one to its [`DropCounter`] when dropped (so exactly once), and
/// nothing else. Make one with [`DropCounter::counted`].
#[derive(Debug)]
pub struct Counted(DropCounter);

impl Counted {
    /// The counter this value adds to, to make more values counted with it.
    pub fn counter(&self) -> &DropCounter {
        &self.0
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let count = &self.0 .0;
        count.set(count.get() + 1);
    }
}
