//! The credentials of a Unix socket's peer: [`UCred`] (Linux only).

use std::io;
use std::os::fd::AsFd;

/// The credentials of the process at the other end of a
/// [`UnixStream`](crate::net::UnixStream), as the kernel recorded them
/// when the connection was made (`SO_PEERCRED`; for
/// [`pair`](crate::net::UnixStream::pair), when the pair was made). A
/// process that changes its user or group afterwards keeps its old
/// credentials here.
///
/// Linux only: other systems have no `SO_PEERCRED`.
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
    /// (always `Some` on Linux; the `Option` is tokio's signature).
    pub fn pid(&self) -> Option<i32> {
        self.pid
    }
}

/// Reads `SO_PEERCRED` from the connected socket `fd`.
pub(crate) fn peer_cred(fd: impl AsFd) -> io::Result<UCred> {
    let cred = rustix::net::sockopt::socket_peercred(fd)?;
    Ok(UCred {
        pid: Some(cred.pid.as_raw_nonzero().get()),
        uid: cred.uid.as_raw(),
        gid: cred.gid.as_raw(),
    })
}
