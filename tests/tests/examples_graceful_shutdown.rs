//! The `graceful_shutdown` example, as a real process: on SIGTERM it
//! refuses new connections, finishes the request in flight, and exits 0.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use solo_tests::with_deadline;

const LIMIT: Duration = Duration::from_secs(120);

/// The example's binary, built first (a no-op when it is up to date):
/// `cargo test -p solo-tests` alone does not build another package's
/// examples. Test binaries sit in `<target>/<profile>/deps/`, examples in
/// `<target>/<profile>/examples/`.
fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "-p", "examples", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Into the target directory this test binary was built in.
        .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap());
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "cargo build of the {name} example failed");
    let bin = profile_dir.join("examples").join(name);
    assert!(bin.exists(), "{} is missing", bin.display());
    bin
}

/// The running server, killed and reaped if the test fails first.
struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl Server {
    /// Starts the example on a free loopback port, with a drain timeout of
    /// `drain_ms`, and reads the address it prints.
    fn start(drain_ms: u64) -> Server {
        let mut child = Command::new(example_binary("graceful_shutdown"))
            .args(["--addr", "127.0.0.1:0", "--drain-ms", &drain_ms.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = Server {
            child,
            stdout,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let line = server.line();
        server.addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        server
    }

    /// The next line the server prints.
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until connecting is refused (the listener closed), and
    /// checks the server is still running then.
    fn wait_until_refused(&mut self) {
        let start = Instant::now();
        loop {
            match TcpStream::connect(self.addr) {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
                Err(e) => panic!("connect: {e}"),
                // In the instant before the listener closed: it is reset.
                Ok(_) => {}
            }
            assert!(
                start.elapsed() < LIMIT / 2,
                "new connections still accepted"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the server exited without waiting for the request in flight"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects and sends `partial`, a request without its blank line; then
/// makes sure the server has accepted it: connections are accepted in
/// order, so once a later full request is answered, this one was too.
fn request_in_flight(addr: SocketAddr, partial: &[u8]) -> TcpStream {
    let mut in_flight = TcpStream::connect(addr).unwrap();
    in_flight.write_all(partial).unwrap();
    let mut later = TcpStream::connect(addr).unwrap();
    later.write_all(b"later\n\n").unwrap();
    let mut answer = String::new();
    later.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "Hello later\n\n");
    in_flight
}

#[test]
fn sigterm_refuses_new_connections_finishes_the_request_in_flight_and_exits_zero() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            // A long drain: the request in flight finishes well within it.
            let mut server = Server::start(60_000);
            let mut in_flight = request_in_flight(server.addr, b"in flight\n");
            server.sigterm();
            assert_eq!(server.line(), "stopping: no new connections, draining\n");
            server.wait_until_refused();
            // The rest of the request, after the stop: it is still served.
            in_flight.write_all(b"\n").unwrap();
            let mut answer = String::new();
            in_flight.read_to_string(&mut answer).unwrap();
            assert_eq!(answer, "Hello in flight\n\n");
            let status = server.child.wait().unwrap();
            assert!(status.success(), "{status}");
            assert_eq!(
                server.line(),
                "stopped: 2 accepted, 1 in flight at the stop, 0 cut off by the drain timeout\n"
            );
        });
    });
}

#[test]
fn a_request_still_running_at_the_drain_timeout_is_cut_off_and_the_exit_is_still_zero() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            let mut server = Server::start(200);
            let mut stalled = request_in_flight(server.addr, b"never finished");
            server.sigterm();
            assert_eq!(server.line(), "stopping: no new connections, draining\n");
            let status = server.child.wait().unwrap();
            assert!(status.success(), "{status}");
            assert_eq!(
                server.line(),
                "stopped: 2 accepted, 1 in flight at the stop, 1 cut off by the drain timeout\n"
            );
            // Cut off: closed without an answer.
            let mut answer = String::new();
            let _ = stalled.read_to_string(&mut answer);
            assert_eq!(answer, "");
        });
    });
}
