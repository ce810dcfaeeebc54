//! What a child process measures about itself: wall and CPU time, resident
//! memory; and the small statistics the workloads report.

use std::time::{Duration, Instant};

/// CPU time (user + system) of every thread of this process so far, and its
/// peak resident set size in bytes, from `getrusage(RUSAGE_SELF)`.
pub fn rusage() -> (Duration, u64) {
    let (user, system, max_rss) = rusage_split();
    (user + system, max_rss)
}

/// User-space CPU time of every thread of this process so far (the part of
/// [`rusage`]'s CPU time spent outside the kernel).
pub fn user_cpu() -> Duration {
    rusage_split().0
}

/// CPU time (user + system) of the calling thread so far, from
/// `getrusage(RUSAGE_THREAD)`; elsewhere than Linux, of the whole process.
pub fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    let who = libc::RUSAGE_THREAD;
    #[cfg(not(target_os = "linux"))]
    let who = libc::RUSAGE_SELF;
    // SAFETY: all-zero bytes are a valid `rusage` (plain integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` for the call's duration.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// User CPU, system CPU and peak RSS in bytes, from one `getrusage(RUSAGE_SELF)`.
fn rusage_split() -> (Duration, Duration, u64) {
    // SAFETY: all-zero bytes are a valid `rusage` (plain integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` for the call's duration.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if rc != 0 {
        // getrusage(RUSAGE_SELF) only fails on a bad pointer; report zero
        // rather than invent a figure.
        return (Duration::ZERO, Duration::ZERO, 0);
    }
    // ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
    let scale = if cfg!(target_os = "macos") { 1 } else { 1024 };
    (
        timeval(usage.ru_utime),
        timeval(usage.ru_stime),
        usage.ru_maxrss as u64 * scale,
    )
}

/// The current resident set size in bytes.
///
/// On Linux this reads `/proc/self/statm` (what is resident now); elsewhere
/// it falls back to the peak from `getrusage`, which still grows with what a
/// workload allocates but never shrinks.
pub fn current_rss() -> u64 {
    #[cfg(target_os = "linux")]
    {
        if let Some(rss) = statm_rss() {
            return rss;
        }
    }
    rusage().1
}

#[cfg(target_os = "linux")]
fn statm_rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).ok().map(|page| pages * page)
}

/// Wall clock and process CPU time since [`Probe::start`].
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    wall: Instant,
    user: Duration,
    system: Duration,
}

/// What a [`Probe`] measured between its start and [`Probe::split`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU time in user space, every thread.
    pub user: Duration,
    /// CPU time in the kernel on this process's behalf, every thread.
    pub system: Duration,
}

impl Probe {
    /// Starts measuring now.
    pub fn start() -> Probe {
        let (user, system, _) = rusage_split();
        Probe {
            wall: Instant::now(),
            user,
            system,
        }
    }

    /// Wall time and CPU time (all threads, user + system) since the start.
    pub fn stop(&self) -> (Duration, Duration) {
        let split = self.split();
        (split.wall, split.user + split.system)
    }

    /// Wall time, user CPU and system CPU since the start, from one
    /// `getrusage` call (so `user + system` is what [`stop`](Self::stop) gives).
    pub fn split(&self) -> Split {
        let (user, system, _) = rusage_split();
        Split {
            wall: self.wall.elapsed(),
            user: user.saturating_sub(self.user),
            system: system.saturating_sub(self.system),
        }
    }
}

/// The `p`-th percentile (0.0..=100.0) of `sorted`, nearest-rank; `None` if empty.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The median of `values` (the mean of the middle two for an even count);
/// `None` if empty. NaNs sort last.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Milliseconds in `d`, as a float.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&v, 100.0), Some(100.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn rss_grows_when_memory_is_touched() {
        let before = current_rss();
        let block = vec![1u8; 64 << 20];
        let after = current_rss();
        assert!(block.iter().all(|&b| b == 1));
        assert!(
            after >= before + (32 << 20),
            "before {before} after {after}"
        );
    }

    #[test]
    fn cpu_time_counts_a_busy_loop() {
        let probe = Probe::start();
        let mut x = 0u64;
        while probe.wall.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let (wall, cpu) = probe.stop();
        assert!(wall >= Duration::from_millis(50));
        // Generous: the machine is shared, but a spinning thread gets some CPU.
        assert!(cpu >= Duration::from_millis(5), "cpu {cpu:?}");
        // A loop with no system calls spends its time in user space.
        let split = probe.split();
        assert!(split.user >= Duration::from_millis(5), "{split:?}");
        assert!(
            split.user + split.system >= cpu,
            "{split:?} against {cpu:?}"
        );
    }
}
