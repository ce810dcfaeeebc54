//! [`Ready`]: the readiness a wait found.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Sub};

/// A set of readiness events, as tokio's `Ready`: what `ready(interest)`
/// returns, and what [`clear_ready_matching`] forgets.
///
/// [`clear_ready_matching`]: crate::io::AsyncFdReadyGuard::clear_ready_matching
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

pub(crate) const READABLE: u8 = 1;
pub(crate) const WRITABLE: u8 = 1 << 1;
pub(crate) const READ_CLOSED: u8 = 1 << 2;
pub(crate) const WRITE_CLOSED: u8 = 1 << 3;
pub(crate) const ERROR: u8 = 1 << 4;
pub(crate) const PRIORITY: u8 = 1 << 5;

impl Ready {
    /// No readiness.
    pub const EMPTY: Ready = Ready(0);
    /// Data to read (or an accept, a datagram).
    pub const READABLE: Ready = Ready(READABLE);
    /// Room to write.
    pub const WRITABLE: Ready = Ready(WRITABLE);
    /// The read side is closed: the peer shut down its write side, or hung up.
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);
    /// The write side is closed: the peer is gone.
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);
    /// An error condition is pending on the descriptor.
    pub const ERROR: Ready = Ready(ERROR);
    /// Priority data (Linux and Android: `EPOLLPRI`).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Ready = Ready(PRIORITY);
    /// Every readiness this platform reports.
    pub const ALL: Ready =
        Ready(READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | ERROR | PRIORITY);

    pub(crate) const fn from_bits(bits: u8) -> Ready {
        Ready(bits)
    }

    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Readable or read-closed: a read will not block.
    pub const fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }

    /// Writable or write-closed: a write will not block.
    pub const fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }

    /// The read side is closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }

    /// The write side is closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }

    /// An error is pending.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Priority data is ready.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }
}

impl BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl BitAnd for Ready {
    type Output = Ready;

    fn bitand(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl Sub for Ready {
    type Output = Ready;

    /// The readiness of `self` that is not in `other`.
    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("is_readable", &self.is_readable())
            .field("is_writable", &self.is_writable())
            .field("is_read_closed", &self.is_read_closed())
            .field("is_write_closed", &self.is_write_closed())
            .field("is_error", &self.is_error())
            .field("is_priority", &self.is_priority())
            .finish()
    }
}
