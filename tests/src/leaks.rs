//! What a test may leave behind: open descriptors, child processes, and
//! temporary files. [`leak_checked`] runs a test and fails it if it left
//! any.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Runs `f` (a whole test: its runtime is dropped by the time it returns)
/// and then checks that it left nothing behind:
/// * no descriptor open that was not open before (Linux: `/proc/self/fd`,
///   compared by number and target);
/// * no child process, zombie or running (Linux: `/proc/*/stat`);
/// * no new entry of this test binary in the temp dir (the
///   `solo-tests-*-PID*` names of [`TempDir`](crate::TempDir)).
///
/// Things released in the background (a reaper thread's `waitpid`, a
/// blocking pool's last `close`) get a bounded while to go before it
/// fails. Descriptors and children are process-wide and the tests of one
/// binary run on parallel threads, so the calls of `leak_checked` run one
/// at a time: in a binary that uses it, every test must, or another test
/// running meanwhile makes the check fail.
pub fn leak_checked<T>(f: impl FnOnce() -> T) -> T {
    let settle = Duration::from_secs(if crate::under_valgrind() { 60 } else { 20 });
    leak_checked_within(settle, f)
}

/// [`leak_checked`], giving what is released in the background `settle`
/// to go (rather than 20 s, or 60 s under valgrind).
pub fn leak_checked_within<T>(settle: Duration, f: impl FnOnce() -> T) -> T {
    let _alone = one_at_a_time();
    let before = Snapshot::now();
    let out = f();
    let give_up = Instant::now() + settle;
    loop {
        let left = Snapshot::now().left_since(&before);
        if left.is_empty() {
            return out;
        }
        if Instant::now() > give_up {
            panic!("the test left behind: {}", left.join("; "));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A test that failed holding it poisoned it; the others go on.
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the process holds at one moment.
struct Snapshot {
    /// Open descriptors and what they refer to (Linux; empty elsewhere).
    fds: BTreeMap<i32, PathBuf>,
    /// Child processes (Linux; empty elsewhere).
    children: Vec<Child>,
    /// This binary's entries in the temp dir.
    temp: BTreeSet<PathBuf>,
}

struct Child {
    pid: u32,
    state: String,
    comm: String,
}

impl Snapshot {
    fn now() -> Snapshot {
        Snapshot {
            fds: fd_table(),
            children: children(),
            temp: temp_entries(),
        }
    }

    /// What is here now that was not in `before`, described.
    fn left_since(&self, before: &Snapshot) -> Vec<String> {
        let fds = self
            .fds
            .iter()
            .filter(|(fd, target)| before.fds.get(fd) != Some(target))
            .map(|(fd, target)| format!("fd {fd} -> {}", target.display()));
        let children = self
            .children
            .iter()
            .map(|c| format!("child {} {} (state {})", c.pid, c.comm, c.state));
        let temp = self
            .temp
            .difference(&before.temp)
            .map(|p| format!("temp entry {}", p.display()));
        fds.chain(children).chain(temp).collect()
    }
}

/// The open descriptors and their targets, but for the one reading them.
#[cfg(target_os = "linux")]
fn fd_table() -> BTreeMap<i32, PathBuf> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return BTreeMap::new();
    };
    // The listing's own descriptor points at the directory it lists.
    let listing = PathBuf::from(format!("/proc/{}/fd", std::process::id()));
    dir.filter_map(|e| {
        let e = e.ok()?;
        let fd = e.file_name().to_str()?.parse().ok()?;
        let target = std::fs::read_link(e.path()).ok()?;
        (target != listing).then_some((fd, target))
    })
    .collect()
}

#[cfg(not(target_os = "linux"))]
fn fd_table() -> BTreeMap<i32, PathBuf> {
    BTreeMap::new()
}

/// The children of this process, zombies included: the processes whose
/// `/proc/PID/stat` names this process as parent.
#[cfg(target_os = "linux")]
fn children() -> Vec<Child> {
    let me = std::process::id();
    let Ok(proc) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    proc.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let child = parse_stat(pid, &stat)?;
        (child.1 == me).then_some(child.0)
    })
    .collect()
}

#[cfg(not(target_os = "linux"))]
fn children() -> Vec<Child> {
    Vec::new()
}

/// `"pid (comm) S ppid ..."` (comm may hold spaces and parentheses) as the
/// child and its parent's pid.
#[cfg(target_os = "linux")]
fn parse_stat(pid: u32, stat: &str) -> Option<(Child, u32)> {
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.to_owned();
    let ppid = fields.next()?.parse().ok()?;
    Some((Child { pid, state, comm }, ppid))
}

/// The pids of this process's children, running or zombie: once a child
/// is reaped its pid is no longer here.
#[cfg(target_os = "linux")]
pub fn child_pids() -> Vec<u32> {
    children().into_iter().map(|c| c.pid).collect()
}

/// The zombies among this process's children: exited, not yet reaped.
#[cfg(target_os = "linux")]
pub fn zombie_children() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|c| c.state == "Z")
        .map(|c| c.pid)
        .collect()
}

/// Entries of the temp dir that this test binary made: `solo-tests-*`
/// names with this process's pid as one of their `-`-separated parts.
fn temp_entries() -> BTreeSet<PathBuf> {
    let pid = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) else {
        return BTreeSet::new();
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let name = e.file_name();
        let name = name.to_str()?;
        let ours =
            name.starts_with("solo-tests-") && name.split(['-', '.']).any(|part| part == pid);
        ours.then(|| e.path())
    })
    .collect()
}
