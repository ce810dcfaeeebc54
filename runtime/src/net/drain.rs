//! Whether a read left the socket's receive queue empty.
//!
//! The reactor keeps read readiness until an operation proves it gone. A
//! read that returns less than the buffer holds proves it; a read that
//! fills the buffer exactly (`read_exact` of a frame header, an echo of
//! the same size) does not, so the next read would be a system call that
//! only returns `WouldBlock`. On Linux, the `TCP_INQ` socket option makes
//! each `recvmsg` also report the bytes still queued, and a full read that
//! leaves nothing behind clears the readiness too.
//!
//! `TCP_INQ` is switched on for a socket at its first full read, so
//! sockets that only ever read short pay nothing for it. Elsewhere, or
//! when the kernel refuses the option (before Linux 4.18), reads are plain
//! `read`s and only short reads count as draining.
//!
//! One case a short read gets wrong, as in tokio: a read stops short at
//! TCP urgent data (`MSG_OOB`, obsolete since RFC 6093), so bytes sent after
//! it wait for the next packet to arrive. Once `TCP_INQ` is on, the
//! kernel's count decides instead and this cannot happen.

use std::io::{self, Read};

/// What a [`DrainHint::read`] learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Bytes read; 0 is the end of the stream.
    pub(crate) len: usize,
    /// The receive queue is empty now: the next read would block.
    pub(crate) drained: bool,
}

/// Reads a TCP stream and learns whether each read drained it.
#[derive(Debug, Default)]
pub(crate) struct DrainHint {
    #[cfg(target_os = "linux")]
    inq: std::cell::Cell<Inq>,
}

#[cfg(target_os = "linux")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Inq {
    /// No full read yet: plain reads.
    #[default]
    Untried,
    /// `TCP_INQ` is on: reads go through `recvmsg`.
    On,
    /// The kernel refused the option: plain reads from now on.
    Unavailable,
}

impl DrainHint {
    /// Reads once from `socket` into `buf`.
    pub(crate) fn read(&self, socket: &mio::net::TcpStream, buf: &mut [u8]) -> io::Result<Outcome> {
        #[cfg(target_os = "linux")]
        if self.inq.get() == Inq::On {
            let (len, queued) = linux::recv(socket, buf)?;
            return Ok(Outcome {
                len,
                // The kernel's count is exact: a short read stopped at an
                // urgent mark has bytes left behind it. Without a count, a
                // short read stands for "drained".
                drained: len > 0
                    && match queued {
                        Some(left) => left == 0,
                        None => len < buf.len(),
                    },
            });
        }
        let len = Read::read(&mut &*socket, buf)?;
        #[cfg(target_os = "linux")]
        if len > 0 && len == buf.len() && self.inq.get() == Inq::Untried {
            self.inq.set(match linux::enable(socket) {
                Ok(()) => Inq::On,
                Err(e) => {
                    log::debug!("TCP_INQ unavailable ({e}): full reads will not clear readiness");
                    Inq::Unavailable
                }
            });
        }
        Ok(Outcome {
            len,
            drained: len > 0 && len < buf.len(),
        })
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::mem;
    use std::os::fd::AsRawFd;
    use std::ptr;

    /// Room for one control message carrying a `c_int`, aligned for
    /// `cmsghdr` (`CMSG_SPACE(4)` is 24 bytes on 64-bit, 16 on 32-bit).
    type Control = [u64; 4];

    /// Switches `TCP_INQ` on.
    pub(super) fn enable(socket: &impl AsRawFd) -> io::Result<()> {
        let on: libc::c_int = 1;
        // SAFETY: the descriptor is open for the call (the caller borrows
        // the socket); `optval` points to a live `c_int` and `optlen` is
        // its size.
        let r = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_TCP,
                libc::TCP_INQ,
                ptr::from_ref(&on).cast(),
                mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// `recvmsg` into `buf`: the bytes read, and the bytes still queued
    /// if the kernel attached a `TCP_CM_INQ` message.
    pub(super) fn recv(
        socket: &impl AsRawFd,
        buf: &mut [u8],
    ) -> io::Result<(usize, Option<usize>)> {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut control: Control = [0; 4];
        // SAFETY: `msghdr` is plain data; all-zero is a valid empty value
        // (null pointers with zero lengths).
        let mut msg: libc::msghdr = unsafe { mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = mem::size_of::<Control>() as _;
        // SAFETY: `msg` points to one iovec covering `buf` (writable for
        // its length) and to `control` (writable for `msg_controllen`
        // bytes); all three outlive the call.
        let n = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut msg, 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut queued = None;
        // SAFETY: the CMSG_* helpers walk the control messages the kernel
        // wrote into `control`, bounded by the `msg_controllen` it set
        // (it sets MSG_CTRUNC rather than overrun); each header they return
        // lies inside `control`. The data is read unaligned, as a `c_int`,
        // only for a TCP_CM_INQ message, whose payload is one `c_int`.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_TCP && (*cmsg).cmsg_type == libc::TCP_CM_INQ {
                    let left = ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>());
                    queued = usize::try_from(left).ok();
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        Ok((n as usize, queued))
    }
}
