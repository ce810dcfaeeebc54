//! A pipeline of two child programs, `first | second`, whose output the
//! parent counts as it streams: [`pipeline`] reports the running
//! [`Counts`] after every read, not once at the end, and checks how each
//! child exited.
//!
//! The two children are linked by a Unix socket pair (a byte stream, as a
//! pipe is, and one that std can make on every Unix); the second's stdout
//! is a pipe the parent reads through the runtime, so other tasks run
//! while the children work.

use std::io;
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Stdio};

use solo::io::{AsyncRead, AsyncReadExt};
use solo::process::Command;

/// What has been read so far: `lines` counts `\n`s (as `wc -l` does),
/// `bytes` every byte.
#[derive(Copy, Clone, Debug, Default, Eq, PartialEq)]
pub struct Counts {
    /// Newlines read.
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// How a pipeline went: what its output held and how each child exited.
#[derive(Debug)]
pub struct Report {
    /// The second child's whole output, counted.
    pub counts: Counts,
    /// How many reads delivered output (each one was reported as it came).
    pub reads: u64,
    /// How the first child exited.
    pub first: ExitStatus,
    /// How the second child exited.
    pub second: ExitStatus,
}

impl Report {
    /// Whether both children exited with status 0.
    pub fn success(&self) -> bool {
        self.first.success() && self.second.success()
    }
}

/// Reads `stream` to its end, calling `on_progress` with the running
/// counts after every read that returned bytes. Returns the final counts.
pub async fn count_stream<R: AsyncRead + Unpin>(
    mut stream: R,
    mut on_progress: impl FnMut(Counts),
) -> io::Result<(Counts, u64)> {
    let mut counts = Counts::default();
    let mut reads = 0;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok((counts, reads));
        }
        reads += 1;
        counts.bytes += n as u64;
        counts.lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        on_progress(counts);
    }
}

/// Runs `first | second`: the first's stdout feeds the second's stdin,
/// and the second's stdout is counted as it arrives (see [`count_stream`]).
/// Both keep the parent's stderr; the first keeps its stdin.
///
/// Returns once the output ended and both children exited. An error
/// spawning either child, or reading, is returned as it is; any child
/// still running then is killed and reaped (`kill_on_drop`).
pub async fn pipeline(
    mut first: Command,
    mut second: Command,
    on_progress: impl FnMut(Counts),
) -> io::Result<Report> {
    let (link_out, link_in) = std::os::unix::net::UnixStream::pair()?;
    first.stdout(OwnedFd::from(link_out)).kill_on_drop(true);
    second
        .stdin(OwnedFd::from(link_in))
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut first_child = first.spawn()?;
    let mut second_child = second.spawn()?;
    // The commands hold our copies of the link's ends: while they live,
    // the second child would never read end of file.
    drop(first);
    drop(second);
    let stdout = second_child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("the second child's stdout is not piped"))?;
    let (counts, reads) = count_stream(stdout, on_progress).await?;
    let second = second_child.wait().await?;
    let first = first_child.wait().await?;
    Ok(Report {
        counts,
        reads,
        first,
        second,
    })
}

/// `seq 1 n | grep -F pattern`: the numbers up to `n` whose decimal form
/// holds `pattern` (`seq` and `grep` are on every Unix, macOS included;
/// the format is given because BSD `seq` would print 1000000 as `1e+06`).
pub fn seq_grep(n: u64, pattern: &str) -> (Command, Command) {
    let mut seq = Command::new("seq");
    seq.args(["-f", "%.0f", "1"]).arg(n.to_string());
    let mut grep = Command::new("grep");
    grep.arg("-F").arg("--").arg(pattern);
    (seq, grep)
}

/// What [`seq_grep`]'s output should count, computed directly.
pub fn seq_grep_expected(n: u64, pattern: &str) -> Counts {
    let mut counts = Counts::default();
    for i in 1..=n {
        let s = i.to_string();
        if s.contains(pattern) {
            counts.lines += 1;
            counts.bytes += s.len() as u64 + 1;
        }
    }
    counts
}
