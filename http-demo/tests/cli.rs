//! The `http-demo` binary's command line: bad input is refused up front with
//! a clear error, never an abort or a run that fails at its end. Every run
//! here is a handful of requests at most (these also run under valgrind).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_http-demo");

fn run(args: &[&str]) -> Output {
    run_within(args, Duration::from_secs(60))
}

/// Runs the binary, killing it if it has not exited after `limit` (a flag
/// that is ignored could leave `--serve` running forever).
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("http-demo starts");
    let start = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "http-demo {args:?} still running after {limit:?}: {}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory of this test's own under cargo's scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn a_sweep_count_out_of_range_is_a_clap_error_not_an_abort() {
    let out = run(&[
        "--sweep",
        "4000000000",
        "--concurrency-limit",
        "1",
        "--concurrent-only",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("4000000000 is not in 1..=1000000"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unwritable_plot_is_refused_before_the_sweep_runs() {
    let dir = scratch("plot");
    let missing = dir.join("no-such-dir").join("sweep.svg");
    for path in [&missing, &dir] {
        let path = path.to_str().expect("a UTF-8 path");
        let out = run(&[
            "--sweep",
            "1",
            "--delay-ms",
            "0",
            "--concurrent-only",
            "--plot",
            path,
        ]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("cannot write the plot to {path}")),
            "{stderr}"
        );
        // Nothing ran: no "GET ..." line, no table.
        assert!(!stderr.contains("GET"), "{stderr}");
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }

    // The check leaves no file behind when the run fails after it, and an
    // existing file as it was.
    let fresh = dir.join("fresh.svg");
    let old = dir.join("old.svg");
    std::fs::write(&old, "old").expect("write");
    for path in [&fresh, &old] {
        let path_str = path.to_str().expect("a UTF-8 path");
        let out = run(&["--sweep", "1", "--url", "ftp://x/", "--plot", path_str]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    }
    assert!(!fresh.exists());
    assert_eq!(std::fs::read_to_string(&old).expect("read"), "old");

    // And a writable one gets its plot.
    let out = run(&[
        "--sweep",
        "1,2",
        "--delay-ms",
        "0",
        "--concurrent-only",
        "--plot",
        fresh.to_str().expect("a UTF-8 path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(&fresh).expect("the plot");
    assert!(svg.starts_with("<svg"), "{svg}");
}

#[test]
fn serve_refuses_the_client_flags() {
    let out = run_within(
        &["--serve", "127.0.0.1:0", "--delay-ms", "5"],
        Duration::from_secs(10),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

/// The tests below set the open-file limit of the child with the shell's
/// `ulimit` (`-n` sets both the soft and the hard limit, `-Sn` the soft one).
#[cfg(unix)]
fn with_ulimit(ulimit: &str) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit {ulimit} && exec \"$0\" \"$@\""))
        .arg(BIN);
    command
}

#[cfg(unix)]
#[test]
fn a_sequential_run_needs_descriptors_for_one_connection_only() {
    // 100 requests, but one connection at a time: 128 descriptors are
    // plenty (the check used to ask for 2 * 100 + 64 of them).
    let out = with_ulimit("-n 128")
        .args(["--sequential", "--requests", "100", "--delay-ms", "0"])
        .output()
        .expect("http-demo runs");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(text(&out.stdout).contains("100/100"));

    // When even that does not fit, the advice is not --concurrency-limit,
    // which a sequential run ignores.
    let out = with_ulimit("-n 48")
        .args(["--sequential", "--requests", "30000"])
        .output()
        .expect("http-demo runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs about 66 open files"), "{stderr}");
    assert!(!stderr.contains("--concurrency-limit"), "{stderr}");
    assert!(!stderr.contains("--requests"), "{stderr}");

    // The concurrent client still counts its sockets and gets the advice.
    let out = with_ulimit("-n 128")
        .args(["--concurrent-only", "--requests", "100"])
        .output()
        .expect("http-demo runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs about 264 open files"), "{stderr}");
    assert!(stderr.contains("set --concurrency-limit"), "{stderr}");
}

/// Starts `--serve` under `ulimit`, waits for it to serve, and returns
/// what it wrote to stderr until then and its soft and hard open-file
/// limits (read from /proc), then kills it.
#[cfg(target_os = "linux")]
fn serve_under(ulimit: &str) -> (String, u64, u64) {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;

    let mut child = with_ulimit(ulimit)
        .args(["--serve", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("http-demo starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let serving = loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.starts_with("serving on") {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id()));
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving, "the server did not start: {seen}");
    let limits = limits.expect("/proc/<pid>/limits");
    // "Max open files            1024                 4096                 files"
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("Max open files in /proc/<pid>/limits");
    let field = |i: usize| -> u64 {
        let word = line.split_whitespace().nth(i);
        word.and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a number in {line:?}"))
    };
    (seen, field(3), field(4))
}

#[cfg(target_os = "linux")]
#[test]
fn serve_raises_the_open_file_limit_or_says_it_cannot() {
    // About the hard limit the child inherits (ulimit -Sn leaves it; under
    // valgrind this process sees a few less than the child gets).
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("getrlimit");
    if hard > 256 {
        let (stderr, soft, hard) = serve_under("-Sn 256");
        // Raised to the hard limit, as the client runs do.
        assert_eq!(soft, hard, "{stderr}");
    }
    // With a hard limit far below the server's 16,384 connections, a warning.
    let (stderr, soft, hard) = serve_under("-n 256");
    assert_eq!((soft, hard), (256, 256));
    assert!(
        stderr.contains("the open-file limit is 256 (hard limit 256)"),
        "{stderr}"
    );
}
