//! Counting a child's system calls with `strace -c -f`.

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `strace` can be run here.
pub fn available() -> bool {
    Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The total number of calls in an `strace -c` summary (the `total` line's
/// `calls` column), or `None` if there is no such line.
///
/// ```text
/// % time     seconds  usecs/call     calls    errors syscall
/// ------ ----------- ----------- --------- --------- ----------------
/// 100.00    0.012345           1     12345       123 total
/// ```
pub fn total_calls(summary: &str) -> Option<u64> {
    summary.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.last() {
            Some(&"total") if fields.len() >= 5 => fields[3].parse().ok(),
            _ => None,
        }
    })
}

/// Runs `exe args` under `strace -c -f -q` (every thread), writing the
/// summary to `out`; returns the total number of calls.
pub fn count(exe: &Path, args: &[String], out: &Path) -> Result<u64, String> {
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
    total_calls(&summary).ok_or_else(|| "no total line in the strace summary".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_calls_reads_the_calls_column_with_or_without_errors() {
        let with_errors = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 60.00    0.000600           3       200           epoll_wait
 40.00    0.000400           2       150        12 read
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           2       350        12 total
";
        assert_eq!(total_calls(with_errors), Some(350));
        let without = "100.00    0.001000           2       350           total\n";
        assert_eq!(total_calls(without), Some(350));
        assert_eq!(
            total_calls("strace: ptrace(PTRACE_SEIZE): Operation not permitted"),
            None
        );
    }
}
