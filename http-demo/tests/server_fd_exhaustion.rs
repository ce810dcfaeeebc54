//! When `accept` fails because the process is out of file descriptors, the
//! server backs off instead of spinning, and recovers once descriptors free
//! up. (Its own test binary: it lowers this process's open-file limit.)
#![cfg(unix)]

use std::fs::File;
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use http_demo::server::{self, Config};
use socket2::{Domain, Protocol, Socket, Type};

mod common;

const CLIENTS: usize = 10;

#[test]
fn accept_backs_off_when_out_of_descriptors_and_recovers() {
    let server = server::spawn_thread("127.0.0.1:0", Config::default()).unwrap();
    let addr: SocketAddr = server.local_addr();
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();

    // Client sockets first (connecting later needs no new descriptor), then
    // fill every remaining descriptor under a lowered limit.
    let sockets: Vec<Socket> = (0..CLIENTS)
        .map(|_| Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap())
        .collect();
    rlimit::setrlimit(rlimit::Resource::NOFILE, 256.min(soft), hard).unwrap();
    let mut fillers = Vec::new();
    while let Ok(f) = File::open("/dev/null") {
        fillers.push(f);
        assert!(fillers.len() < 100_000, "the limit did not apply");
    }
    for s in &sockets {
        s.connect(&addr.into()).unwrap();
    }

    // The server now fails to accept; with a back-off of tens of
    // milliseconds it retries a few dozen times in a second, not millions.
    thread::sleep(Duration::from_millis(1000));
    let starved = server.stats();
    drop(fillers);
    rlimit::setrlimit(rlimit::Resource::NOFILE, soft, hard).unwrap();
    assert_eq!(starved.accepted, 0, "{starved:?}");
    assert!(starved.accept_errors >= 2, "{starved:?}");
    assert!(
        starved.accept_errors <= 200,
        "accept is spinning: {starved:?}"
    );

    // Descriptors are back: every waiting client is accepted and served.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.stats().accepted < CLIENTS && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.stats().accepted, CLIENTS);
    for socket in sockets {
        common::get_two_bytes(&mut socket.into());
    }
}
