//! Counting a child's system calls with `strace -c -f`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Calls per system call name, from an `strace -c` summary; the `total`
/// line is under `"total"`.
pub type Calls = BTreeMap<String, u64>;

/// Whether `strace` can be run here.
pub fn available() -> bool {
    Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `calls` column of every row of an `strace -c` summary, by the row's
/// name (the last column), the `total` row included. The `errors` column may
/// be blank; headers, rules and strace's own messages are skipped. A name
/// in several tables (strace prints one per personality) adds up.
///
/// ```text
/// % time     seconds  usecs/call     calls    errors syscall
/// ------ ----------- ----------- --------- --------- ----------------
///  52.68    0.003660           2      1225           epoll_wait
///   0.00    0.000000           0         1         1 access
/// ------ ----------- ----------- --------- --------- ----------------
/// 100.00    0.006947           2      1226         1 total
/// ```
pub fn calls(summary: &str) -> Calls {
    let mut calls = Calls::new();
    for line in summary.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !(5..=6).contains(&fields.len()) || fields[0].parse::<f64>().is_err() {
            continue;
        }
        let (Ok(n), Some(name)) = (fields[3].parse::<u64>(), fields.last()) else {
            continue;
        };
        *calls.entry(name.to_string()).or_default() += n;
    }
    calls
}

/// The calls of `names` in `calls`, added up (a name not in the summary
/// counts 0); every call (the `total` row) if `names` is empty.
pub fn sum(calls: &Calls, names: &[&str]) -> u64 {
    let get = |name: &str| calls.get(name).copied().unwrap_or(0);
    if names.is_empty() {
        get("total")
    } else {
        names.iter().map(|name| get(name)).sum()
    }
}

/// Runs `exe args` under `strace -c -f -q`, writing the summary to `out`;
/// returns its calls, every thread's added up (`-f`). An error if strace
/// fails or its summary has no `total` row.
pub fn count(exe: &Path, args: &[String], out: &Path) -> Result<Calls, String> {
    let output = Command::new("strace")
        .args(["-c", "-f", "-q", "-o"])
        .arg(out)
        .arg("--")
        .arg(exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run strace: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "strace run failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let summary =
        std::fs::read_to_string(out).map_err(|e| format!("reading {}: {e}", out.display()))?;
    let calls = calls(&summary);
    if !calls.contains_key("total") {
        return Err("no total line in the strace summary".to_string());
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Part of `strace -c -f -q` (strace 6.1) of `compare --child timers
    /// smol --rounds 20000`: two threads, summed into one table.
    const SMOL_TIMERS: &str = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ------------------
 75.03    0.027627        1381        20        18 futex
  8.53    0.003139           0      5722           epoll_ctl
  4.71    0.001735           0      2860           timerfd_settime
  4.07    0.001498           0      2865      2760 read
  3.84    0.001415           0      2860           epoll_pwait
  0.08    0.000028          14         2           clone3
  0.01    0.000004           4         1           timerfd_create
  0.00    0.000000           0         1         1 access
------ ----------- ----------- --------- --------- ------------------
100.00    0.036821           2     14331      2779 total
";

    #[test]
    fn counts_each_named_syscall_in_a_summary() {
        let calls = calls(SMOL_TIMERS);
        assert_eq!(calls.len(), 9, "{calls:?}");
        assert_eq!(calls["epoll_pwait"], 2860);
        assert_eq!(calls["timerfd_settime"], 2860);
        assert_eq!(calls["futex"], 20, "the errors column is not the calls");
        assert_eq!(calls["read"], 2865);
        assert_eq!(calls["access"], 1);
        assert_eq!(calls["total"], 14331);
    }

    #[test]
    fn headers_rules_and_strace_messages_are_not_rows() {
        assert!(calls("strace: ptrace(PTRACE_SEIZE): Operation not permitted").is_empty());
        assert!(calls("").is_empty());
        let header_and_rule = SMOL_TIMERS.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(calls(&header_and_rule).is_empty());
    }

    #[test]
    fn a_syscall_in_two_personality_tables_adds_up() {
        let two = "\
 90.00    0.000900           3       200           epoll_wait
100.00    0.001000           2       200           total
System call usage summary for 32 bit mode:
100.00    0.000100           1        50           epoll_wait
100.00    0.000100           1        50           total
";
        let calls = calls(two);
        assert_eq!(calls["epoll_wait"], 250);
        assert_eq!(calls["total"], 250);
    }

    #[test]
    fn sum_adds_the_named_calls_or_takes_the_total_when_none_are_named() {
        let calls = calls(SMOL_TIMERS);
        let waits = ["epoll_wait", "epoll_pwait", "epoll_pwait2"];
        assert_eq!(sum(&calls, &waits), 2860, "absent names count 0");
        assert_eq!(sum(&calls, &["timerfd_settime", "epoll_ctl"]), 8582);
        assert_eq!(sum(&calls, &[]), 14331);
        assert_eq!(sum(&Calls::new(), &waits), 0);
    }
}
