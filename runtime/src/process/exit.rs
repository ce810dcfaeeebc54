//! How a task learns that a child exited: a pidfd on Linux, SIGCHLD
//! elsewhere (and where `pidfd_open` fails: kernels before 5.3, seccomp).
//!
//! Either way the watch only says "look again": the exit status is taken
//! with `waitpid` (`std::process::Child::try_wait`), which also reaps.

use std::io;
use std::process::{Child as StdChild, ExitStatus};

#[cfg(target_os = "linux")]
use std::os::fd::OwnedFd;

#[cfg(target_os = "linux")]
use crate::io::{AsyncFd, Interest};
use crate::signal::unix::{signal, Signal, SignalKind};

/// A registration that wakes the waiting task when the child may have
/// exited.
pub(super) enum Watch {
    /// Readable once the process has exited (Linux 5.3 and later).
    #[cfg(target_os = "linux")]
    Pidfd(AsyncFd<OwnedFd>),
    /// Every SIGCHLD delivery, for whichever child: look again after each.
    Sigchld(Signal),
}

impl Watch {
    /// Starts watching `child`. Needs the runtime of the current thread.
    pub(super) fn new(child: &StdChild) -> io::Result<Watch> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = pidfd(child) {
            return Ok(Watch::Pidfd(AsyncFd::with_interest(
                fd,
                Interest::READABLE,
            )?));
        }
        let _ = child;
        Ok(Watch::Sigchld(signal(SignalKind::child())?))
    }

    /// Waits until `child` has exited and reaps it. An exit before the
    /// watch was made is not missed: the child is looked at before each
    /// wait, the first time included.
    pub(super) async fn wait(&mut self, child: &mut StdChild) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            match self {
                #[cfg(target_os = "linux")]
                Watch::Pidfd(fd) => {
                    let mut guard = fd.readable().await?;
                    if let Some(status) = child.try_wait()? {
                        return Ok(status);
                    }
                    // Not exited after all: wait for the next edge.
                    guard.clear_ready();
                }
                Watch::Sigchld(deliveries) => {
                    if deliveries.recv().await.is_none() {
                        return Err(io::Error::other(
                            "the SIGCHLD stream ended: cannot learn when the child exits",
                        ));
                    }
                }
            }
        }
    }
}

/// A pidfd for `child`, or `None` where the kernel refuses one.
#[cfg(target_os = "linux")]
fn pidfd(child: &StdChild) -> Option<OwnedFd> {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).ok()?)?;
    rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;

    /// The path macOS and the BSDs take, tested on Linux too.
    #[test]
    fn the_sigchld_watch_sees_exits_before_and_after_it_was_made() {
        crate::block_on(async {
            let mut early = Command::new("sh").args(["-c", "exit 5"]).spawn().unwrap();
            std::thread::sleep(Duration::from_millis(100));
            let mut watch = Watch::Sigchld(signal(SignalKind::child()).unwrap());
            let status = crate::time::timeout(Duration::from_secs(20), watch.wait(&mut early))
                .await
                .expect("an exit before the watch was missed")
                .unwrap();
            assert_eq!(status.code(), Some(5));

            let mut late = Command::new("sh")
                .args(["-c", "sleep 0.1; exit 6"])
                .spawn()
                .unwrap();
            let status = crate::time::timeout(Duration::from_secs(20), watch.wait(&mut late))
                .await
                .expect("SIGCHLD did not wake the wait")
                .unwrap();
            assert_eq!(status.code(), Some(6));
        });
    }
}
