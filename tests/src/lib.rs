//! Shared helpers for the integration tests in `tests/tests/`.

use std::time::Duration;

mod drops;
mod echo;
mod leaks;
mod temp_dir;

pub use drops::{Counted, DropCounter};
pub use echo::{echo_server, tcp_pair};
#[cfg(target_os = "linux")]
pub use leaks::{child_pids, zombie_children};
pub use leaks::{leak_checked, leak_checked_within};
pub use temp_dir::TempDir;

/// CPU time (user + system, all threads) this process has used so far.
#[cfg(unix)]
pub fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// CPU time (user + system) the calling thread has used so far: what a
/// single-threaded runtime costs, whatever other tests run in parallel.
#[cfg(unix)]
pub fn thread_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Open file descriptors of this process (Linux: `/proc/self/fd`).
#[cfg(target_os = "linux")]
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// This process's resident set size in bytes: `VmRSS` from
/// `/proc/self/status` on Linux (in kB there, so no page size to look up);
/// `None` where that cannot be read, and on other systems.
pub fn rss_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Runs `f` to completion on a fresh runtime whose clock starts paused.
pub fn paused<F: std::future::Future>(f: F) -> F::Output {
    solo::Builder::new()
        .start_paused(true)
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Runs `f` on a fresh runtime and fails the test if it takes longer than
/// `limit` (a hang becomes a failure, not a stuck CI).
pub fn with_deadline<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        // `f` panicked (an assertion failed): fail with its panic, not "hang".
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread ended without sending"),
        },
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("test did not finish within {limit:?}: hang")
        }
    }
}

/// Whether the tests run under valgrind (`.ci/run` sets
/// `SOLO_UNDER_VALGRIND=1`): valgrind runs code some 20 to 50 times slower
/// and adds its own memory, so stress tests shrink their counts and
/// RSS or CPU assertions are skipped (with a printed reason). The normal
/// run is unchanged.
pub fn under_valgrind() -> bool {
    std::env::var_os("SOLO_UNDER_VALGRIND").is_some_and(|v| v == "1")
}

/// `normal`, or `small` under valgrind (see [`under_valgrind`]).
pub fn count(normal: usize, small: usize) -> usize {
    if under_valgrind() {
        small
    } else {
        normal
    }
}
