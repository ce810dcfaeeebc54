//! `AsyncFd`'s tokio-style API: `with_interest`, `ready`/`ready_mut` and
//! their guards, `try_io`, error and priority readiness.
#![cfg(unix)]

use std::cell::Cell;
use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use solo::io::{AsyncFd, Interest, Ready};
use solo::time::timeout;

/// Runs the test's future on a fresh runtime; a hang fails the test.
fn run<F: Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
    solo_tests::with_deadline(Duration::from_secs(20), move || solo::block_on(test()));
}

/// A non-blocking socketpair.
fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

/// Whether `f` is still waiting after `ms` milliseconds.
async fn still_waiting<F: Future>(ms: u64, f: F) -> bool {
    timeout(Duration::from_millis(ms), f).await.is_err()
}

const SOON: Duration = Duration::from_secs(3);

#[test]
fn ready_for_readable_or_writable_returns_the_readiness_found() {
    run(|| async {
        let (a, mut b) = pair();
        let a = AsyncFd::new(a).unwrap();
        let guard = timeout(SOON, a.ready(Interest::READABLE | Interest::WRITABLE))
            .await
            .expect("a fresh socketpair is writable")
            .unwrap();
        let ready = guard.ready();
        assert!(ready.is_writable() && !ready.is_readable(), "{ready:?}");
        b.write_all(b"x").unwrap();
        let guard = timeout(SOON, a.ready(Interest::READABLE))
            .await
            .expect("the write never made the other end readable")
            .unwrap();
        let ready = guard.ready();
        assert!(ready.is_readable() && !ready.is_writable(), "{ready:?}");
        let both = a
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        assert!(both.ready().is_readable() && both.ready().is_writable());
    });
}

#[test]
fn a_descriptor_registered_for_readable_only_is_never_reported_writable() {
    run(|| async {
        let (a, mut b) = pair();
        let a = AsyncFd::with_interest(a, Interest::READABLE).unwrap();
        assert!(still_waiting(100, a.writable()).await, "reported writable");
        b.write_all(b"x").unwrap();
        let guard = timeout(SOON, a.readable()).await.unwrap().unwrap();
        assert!(!guard.ready().is_writable(), "{:?}", guard.ready());
    });
}

#[test]
fn the_guards_clear_ready_forgets_only_what_its_interest_covers() {
    run(|| async {
        let (a, mut b) = pair();
        let a = AsyncFd::new(a).unwrap();
        b.write_all(b"x").unwrap();
        let mut guard = timeout(SOON, a.readable()).await.unwrap().unwrap();
        guard.clear_ready();
        assert_eq!(guard.ready(), Ready::EMPTY);
        // The byte is still there, but no new event came: the wait blocks.
        assert!(
            still_waiting(100, a.readable()).await,
            "readable after clear_ready"
        );
        let writable = timeout(SOON, a.writable()).await;
        assert!(writable.is_ok(), "clearing readable also cleared writable");
        let mut both = a
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        both.clear_ready();
        assert!(
            still_waiting(100, a.writable()).await,
            "writable after clear_ready"
        );
        b.write_all(b"y").unwrap();
        let guard = timeout(SOON, a.readable())
            .await
            .expect("no new event")
            .unwrap();
        let mut buf = [0; 4];
        let n = guard.get_inner().read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"xy");
    });
}

#[test]
fn clear_ready_matching_readable_keeps_read_closed() {
    run(|| async {
        let (a, mut b) = pair();
        b.write_all(b"x").unwrap();
        drop(b);
        let a = AsyncFd::with_interest(a, Interest::READABLE).unwrap();
        let mut guard = timeout(SOON, a.readable()).await.unwrap().unwrap();
        assert!(guard.ready().is_read_closed(), "{:?}", guard.ready());
        guard.clear_ready_matching(Ready::READABLE);
        assert_eq!(guard.ready() & Ready::READABLE, Ready::EMPTY);
        assert!(
            guard.ready().is_read_closed(),
            "the guard forgot READ_CLOSED"
        );
        // The guard even refuses to clear the closed state.
        guard.clear_ready_matching(Ready::READ_CLOSED);
        // No event will come again: only the kept READ_CLOSED ends this.
        let guard = timeout(Duration::from_millis(500), a.readable())
            .await
            .expect("READ_CLOSED was cleared: the wait hangs on a closed socket")
            .unwrap();
        assert!(guard.ready().is_read_closed());
        let mut buf = [0; 4];
        assert_eq!(guard.get_inner().read(&mut buf).unwrap(), 1);
        assert_eq!(guard.get_inner().read(&mut buf).unwrap(), 0);
    });
}

/// A value that owns its descriptor and counts what was done to it.
struct Counted {
    stream: UnixStream,
    touched: usize,
}

impl AsRawFd for Counted {
    fn as_raw_fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }
}

#[test]
fn ready_mut_guard_gives_mutable_access_to_the_wrapped_value() {
    run(|| async {
        let (a, mut b) = pair();
        let mut a = AsyncFd::new(Counted {
            stream: a,
            touched: 0,
        })
        .unwrap();
        b.write_all(b"mut").unwrap();
        let mut buf = [0; 8];
        let n = loop {
            let mut guard = timeout(SOON, a.ready_mut(Interest::READABLE))
                .await
                .unwrap()
                .unwrap();
            assert!(guard.ready().is_readable());
            guard.get_inner_mut().touched += 1;
            let read = guard.try_io(|fd| {
                fd.get_mut().touched += 1;
                fd.get_mut().stream.read(&mut buf)
            });
            if let Ok(n) = read {
                break n.unwrap();
            }
        };
        assert_eq!(&buf[..n], b"mut");
        assert_eq!(a.get_ref().touched, 2);
        let mut guard = timeout(SOON, a.writable_mut()).await.unwrap().unwrap();
        guard.get_inner_mut().stream.write_all(b"back").unwrap();
        let mut guard = a.readable_mut().await.unwrap();
        assert!(guard
            .try_io(|fd| fd.get_mut().stream.read(&mut buf))
            .is_err());
        assert_eq!(
            guard.ready(),
            Ready::EMPTY,
            "try_io's WouldBlock cleared it"
        );
        let n = b.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"back");
    });
}

#[test]
fn try_io_runs_only_when_ready_and_clears_the_interest_on_would_block() {
    run(|| async {
        let (a, mut b) = pair();
        let mut a = AsyncFd::new(a).unwrap();
        let called = Cell::new(false);
        let mut buf = [0; 8];
        let read = |s: &UnixStream, buf: &mut [u8]| {
            called.set(true);
            (&*s).read(buf)
        };
        let early = a.try_io(Interest::READABLE, |s| read(s, &mut buf));
        assert_eq!(early.unwrap_err().kind(), ErrorKind::WouldBlock);
        assert!(!called.get(), "try_io ran before any readiness");
        b.write_all(b"data").unwrap();
        timeout(SOON, a.readable()).await.unwrap().unwrap();
        let n = a.try_io(Interest::READABLE, |s| read(s, &mut buf)).unwrap();
        assert_eq!(&buf[..n], b"data");
        let drained = a.try_io(Interest::READABLE, |s| read(s, &mut buf));
        assert_eq!(drained.unwrap_err().kind(), ErrorKind::WouldBlock);
        called.set(false);
        let cleared = a.try_io(Interest::READABLE, |s| read(s, &mut buf));
        assert_eq!(cleared.unwrap_err().kind(), ErrorKind::WouldBlock);
        assert!(!called.get(), "the WouldBlock did not clear the readiness");
        let n = a
            .try_io(Interest::WRITABLE, |s| (&*s).write(b"w"))
            .expect("clearing readable cleared writable");
        assert_eq!(n, 1);
        let n = a.try_io_mut(Interest::WRITABLE, |s| s.write(b"m")).unwrap();
        assert_eq!(n, 1);
        let mut got = [0; 2];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"wm");
    });
}

/// A connected UDP socket whose peer's port is closed gets an ICMP "port
/// unreachable": an `EPOLLERR` the error interest waits for.
#[test]
fn with_interest_error_completes_when_the_descriptor_reports_an_error() {
    run(|| async {
        let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let dead_addr = dead.local_addr().unwrap();
        drop(dead);
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.set_nonblocking(true).unwrap();
        s.connect(dead_addr).unwrap();
        let fd = AsyncFd::with_interest(s, Interest::ERROR).unwrap();
        assert!(
            still_waiting(100, fd.ready(Interest::ERROR)).await,
            "error before any"
        );
        fd.get_ref().send(b"anyone?").unwrap();
        let mut guard = timeout(SOON, fd.ready(Interest::ERROR))
            .await
            .expect("the ICMP error never ended the wait")
            .unwrap();
        assert_eq!(guard.ready(), Ready::ERROR);
        let error = fd.get_ref().take_error().unwrap().expect("SO_ERROR is set");
        #[cfg(target_os = "linux")]
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error}");
        #[cfg(not(target_os = "linux"))]
        let _ = error;
        guard.clear_ready();
        assert!(
            still_waiting(100, fd.ready(Interest::ERROR)).await,
            "the error wait did not block again once cleared"
        );
    });
}

/// TCP urgent data (`MSG_OOB`) raises `EPOLLPRI`, which only a
/// registration for `Interest::PRIORITY` asks for.
#[cfg(target_os = "linux")]
#[test]
fn with_interest_priority_completes_on_tcp_urgent_data() {
    run(|| async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let peer = socket2::Socket::from(peer);
        let (s, _) = listener.accept().unwrap();
        s.set_nonblocking(true).unwrap();
        let fd = AsyncFd::with_interest(s, Interest::PRIORITY).unwrap();
        peer.send(b"plain").unwrap();
        assert!(
            still_waiting(100, fd.ready(Interest::PRIORITY)).await,
            "plain data ended a priority wait"
        );
        peer.send_out_of_band(b"!").unwrap();
        let guard = timeout(SOON, fd.ready(Interest::PRIORITY))
            .await
            .expect("urgent data never ended the priority wait")
            .unwrap();
        assert!(guard.ready().is_priority(), "{:?}", guard.ready());
    });
}

#[test]
fn a_regular_file_cannot_be_registered() {
    run(|| async {
        let path = std::env::current_exe().unwrap();
        let exe = std::fs::File::open(path).unwrap();
        let error = AsyncFd::new(exe).expect_err("a regular file registered");
        #[cfg(target_os = "linux")]
        assert_eq!(error.raw_os_error(), Some(1), "EPERM, got {error}");
        #[cfg(not(target_os = "linux"))]
        let _ = error;
    });
}
