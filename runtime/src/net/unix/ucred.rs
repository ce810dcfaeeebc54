//! The credentials of a Unix socket's peer: [`UCred`], and how each system
//! reports them (one `sys` module per family below).

use std::io;
use std::os::fd::AsFd;

/// The credentials of the process at the other end of a
/// [`UnixStream`](crate::net::UnixStream), as the kernel recorded them
/// when the connection was made (for
/// [`pair`](crate::net::UnixStream::pair), when the pair was made). A
/// process that changes its user or group afterwards keeps its old
/// credentials here.
///
/// Where they come from:
/// * Linux: `SO_PEERCRED`, pid included.
/// * macOS, iOS and the other Apple systems: `getpeereid` for the user and
///   group, the `LOCAL_PEERPID` socket option for the pid.
/// * FreeBSD, DragonFly, OpenBSD and NetBSD: `getpeereid`; no pid.
///
/// Elsewhere [`peer_cred`](crate::net::UnixStream::peer_cred) fails with
/// `Unsupported`.
#[derive(Copy, Clone, Debug, Eq, PartialEq, Hash)]
pub struct UCred {
    pid: Option<i32>,
    uid: u32,
    gid: u32,
}

impl UCred {
    /// The peer's effective user id.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The peer's effective group id.
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The peer's process id, `None` where the system does not report it
    /// (`Some` on Linux and Apple systems, `None` on the BSDs; the `Option`
    /// is tokio's signature).
    pub fn pid(&self) -> Option<i32> {
        self.pid
    }
}

/// The credentials of the peer of the connected socket `fd`.
pub(crate) fn peer_cred(fd: impl AsFd) -> io::Result<UCred> {
    sys::peer_cred(fd)
}

#[cfg(target_os = "linux")]
mod sys {
    use super::{AsFd, UCred};
    use std::io;

    /// `SO_PEERCRED`.
    pub(super) fn peer_cred(fd: impl AsFd) -> io::Result<UCred> {
        let cred = rustix::net::sockopt::socket_peercred(fd)?;
        Ok(UCred {
            pid: Some(cred.pid.as_raw_nonzero().get()),
            uid: cred.uid.as_raw(),
            gid: cred.gid.as_raw(),
        })
    }
}

#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "openbsd",
    target_os = "netbsd"
))]
mod sys {
    use super::{AsFd, UCred};
    use std::io;
    use std::os::fd::{AsRawFd, BorrowedFd};

    /// `getpeereid`, and on Apple systems `LOCAL_PEERPID`.
    pub(super) fn peer_cred(fd: impl AsFd) -> io::Result<UCred> {
        let fd = fd.as_fd();
        let mut uid: libc::uid_t = 0;
        let mut gid: libc::gid_t = 0;
        // SAFETY: `fd` is a descriptor we borrow, open for the call; `uid`
        // and `gid` are live locals of the types getpeereid writes.
        if unsafe { libc::getpeereid(fd.as_raw_fd(), &mut uid, &mut gid) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(UCred {
            pid: peer_pid(fd)?,
            uid,
            gid,
        })
    }

    /// The `LOCAL_PEERPID` socket option.
    #[cfg(target_vendor = "apple")]
    fn peer_pid(fd: BorrowedFd<'_>) -> io::Result<Option<i32>> {
        let mut pid: libc::pid_t = 0;
        let mut len = std::mem::size_of::<libc::pid_t>() as libc::socklen_t;
        // SAFETY: `fd` is open for the call; the option value is a pid_t,
        // and `pid` is a live pid_t whose size `len` holds, so the kernel
        // writes at most `len` bytes into it.
        let rc = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                libc::SOL_LOCAL,
                libc::LOCAL_PEERPID,
                (&mut pid as *mut libc::pid_t).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Some(pid))
    }

    /// The BSDs' `getpeereid` gives no pid.
    #[cfg(not(target_vendor = "apple"))]
    fn peer_pid(_: BorrowedFd<'_>) -> io::Result<Option<i32>> {
        Ok(None)
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "openbsd",
    target_os = "netbsd"
)))]
mod sys {
    use super::{AsFd, UCred};
    use std::io;

    /// No way to ask that solo knows of here.
    pub(super) fn peer_cred(_: impl AsFd) -> io::Result<UCred> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "peer credentials are not supported on this system",
        ))
    }
}
