//! The `unix_echo` example: lines echoed over a Unix socket, and the
//! server's socket file removed when it stops.
#![cfg(unix)]

use std::time::Duration;

use examples::unix_echo::{client, Server, MAX_LINE, TOO_LONG};
use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::UnixStream;
use solo::sync::oneshot;
use solo_tests::{with_deadline, TempDir};

const LIMIT: Duration = Duration::from_secs(30);

fn lines(n: usize, tag: &str) -> Vec<String> {
    (0..n).map(|i| format!("{tag} line {i}")).collect()
}

#[test]
fn the_client_gets_every_line_back_and_the_stopped_server_removes_its_file() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-echo-example");
            let path = dir.join("echo.sock");
            solo::block_on(async {
                let server = Server::bind(&path).unwrap();
                assert!(path.exists());
                let (stop, stopped) = oneshot::channel::<()>();
                let serving = solo::spawn(server.serve_until(async {
                    let _ = stopped.await;
                }));
                assert_eq!(client(&path, &lines(100, "one")).await.unwrap(), 100);
                stop.send(()).unwrap();
                serving.await.unwrap().unwrap();
                assert!(!path.exists(), "the socket file outlived the server");
                let err = UnixStream::connect(&path).await.unwrap_err();
                assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
            });
        });
    });
}

#[test]
fn many_clients_are_echoed_at_once() {
    solo_tests::leak_checked(|| {
        let clients = solo_tests::count(50, 10);
        with_deadline(LIMIT, move || {
            let dir = TempDir::new("unix-echo-many");
            let path = dir.join("echo.sock");
            solo::block_on(async move {
                let server = Server::bind(&path).unwrap();
                solo::spawn(server.serve_until(std::future::pending()));
                let tasks: Vec<_> = (0..clients)
                    .map(|i| {
                        let path = path.clone();
                        solo::spawn(
                            async move { client(&path, &lines(20, &format!("c{i}"))).await },
                        )
                    })
                    .collect();
                for t in tasks {
                    assert_eq!(t.await.unwrap().unwrap(), 20);
                }
            });
        });
    });
}

#[test]
fn a_line_over_the_limit_gets_an_error_and_the_server_goes_on() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-echo-long");
            let path = dir.join("echo.sock");
            solo::block_on(async {
                let server = Server::bind(&path).unwrap();
                solo::spawn(server.serve_until(std::future::pending()));
                let mut s = UnixStream::connect(&path).await.unwrap();
                // Exactly the limit is fine, one byte more is not.
                let mut fits = vec![b'x'; MAX_LINE - 1];
                fits.push(b'\n');
                s.write_all(&fits).await.unwrap();
                let mut back = vec![0; MAX_LINE];
                s.read_exact(&mut back).await.unwrap();
                assert_eq!(back, fits);
                s.write_all(&vec![b'y'; MAX_LINE + 1]).await.unwrap();
                let mut answer = String::new();
                s.read_to_string(&mut answer).await.unwrap();
                assert_eq!(answer, TOO_LONG);
                assert_eq!(client(&path, &lines(3, "after")).await.unwrap(), 3);
            });
        });
    });
}

#[test]
fn a_last_line_without_newline_is_echoed_as_it_is() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-echo-partial");
            let path = dir.join("echo.sock");
            solo::block_on(async {
                let server = Server::bind(&path).unwrap();
                solo::spawn(server.serve_until(std::future::pending()));
                let mut s = UnixStream::connect(&path).await.unwrap();
                s.write_all(b"one\ntwo").await.unwrap();
                s.shutdown(std::net::Shutdown::Write).unwrap();
                let mut answer = String::new();
                s.read_to_string(&mut answer).await.unwrap();
                assert_eq!(answer, "one\ntwo");
            });
        });
    });
}

#[test]
fn binding_over_an_existing_file_fails_and_leaves_that_file() {
    solo_tests::leak_checked(|| {
        let dir = TempDir::new("unix-echo-in-use");
        let path = dir.join("taken");
        std::fs::write(&path, b"not ours").unwrap();
        solo::block_on(async {
            let err = Server::bind(&path).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
        });
        assert_eq!(std::fs::read(&path).unwrap(), b"not ours");
    });
}

#[test]
fn a_server_dropped_without_serving_removes_its_file() {
    solo_tests::leak_checked(|| {
        let dir = TempDir::new("unix-echo-drop");
        let path = dir.join("echo.sock");
        solo::block_on(async {
            let server = Server::bind(&path).unwrap();
            assert!(path.exists());
            drop(server);
        });
        assert!(!path.exists());
    });
}
