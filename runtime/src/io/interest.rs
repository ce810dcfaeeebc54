//! [`Interest`]: which readiness a wait is for.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// The readiness events a wait is interested in, as tokio's `Interest`.
///
/// Combine them with `|`: `Interest::READABLE | Interest::WRITABLE` waits
/// until either holds. Used by `ready(interest)` on the sockets and
/// [`AsyncFd`](crate::io::AsyncFd), and by
/// [`AsyncFd::with_interest`](crate::io::AsyncFd::with_interest) to choose
/// what a descriptor is registered for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE: u8 = 1;
const WRITABLE: u8 = 1 << 1;
const PRIORITY: u8 = 1 << 2;
const ERROR: u8 = 1 << 3;

impl Interest {
    /// Readable: data to read, or the read side closed.
    pub const READABLE: Interest = Interest(READABLE);
    /// Writable: room to write, or the write side closed.
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Priority data (Linux: `EPOLLPRI`, such as TCP urgent data or a
    /// `/proc/self/mounts` change), or the read side closed.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// An error condition on the descriptor (`EPOLLERR`, `EV_ERROR`).
    ///
    /// The operating system reports errors whatever the interest; this only
    /// says which waits they end. A descriptor registered for `ERROR` alone
    /// is registered as readable with the poller, which has no error-only
    /// registration.
    pub const ERROR: Interest = Interest(ERROR);

    /// Whether this includes [`READABLE`](Self::READABLE).
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether this includes [`WRITABLE`](Self::WRITABLE).
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether this includes `PRIORITY` (only constructible on Linux and
    /// Android).
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether this includes [`ERROR`](Self::ERROR).
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Both interests.
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This interest without `other`, or `None` if nothing is left.
    #[must_use]
    pub const fn remove(self, other: Interest) -> Option<Interest> {
        match self.0 & !other.0 {
            0 => None,
            bits => Some(Interest(bits)),
        }
    }

    /// The reactor's waiter lists this interest waits on, one bit each
    /// (see `reactor::Direction`).
    pub(crate) const fn directions(self) -> u8 {
        self.0
    }

    /// What mio is asked to report for a source registered with this
    /// interest.
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut mio: Option<mio::Interest> = None;
        let mut add = |i: mio::Interest| mio = Some(mio.map_or(i, |m| m | i));
        if self.is_readable() || self.is_error() {
            // mio has no error interest (errors are always reported), and
            // an interest cannot be empty: readable stands in.
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.is_priority() {
            add(mio::Interest::PRIORITY);
        }
        mio.unwrap_or(mio::Interest::READABLE)
    }
}

impl BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interests_combine_and_remove() {
        let both = Interest::READABLE | Interest::WRITABLE;
        assert!(both.is_readable() && both.is_writable() && !both.is_error());
        assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
        assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
        assert_eq!(format!("{both:?}"), "READABLE | WRITABLE");
    }

    #[test]
    fn an_error_only_interest_registers_as_readable_with_mio() {
        assert_eq!(Interest::ERROR.to_mio(), mio::Interest::READABLE);
        assert_eq!(
            (Interest::READABLE | Interest::WRITABLE).to_mio(),
            mio::Interest::READABLE | mio::Interest::WRITABLE
        );
    }
}
