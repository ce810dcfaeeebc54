//! `AsyncFd` on a socketpair.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use solo::io::AsyncFd;

#[test]
fn async_fd_wakes_a_reader_when_the_other_end_writes() {
    solo::block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let a = AsyncFd::new(a).unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            (&b).write_all(b"hello").unwrap();
            b
        });
        let mut got = Vec::new();
        while got.len() < 5 {
            let mut guard = a.readable().await.unwrap();
            let mut buf = [0; 16];
            match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
                Ok(n) => got.extend_from_slice(&buf[..n.unwrap()]),
                Err(_would_block) => continue,
            }
        }
        assert_eq!(got, b"hello");
        drop(writer.join().unwrap());
    });
}

#[test]
fn async_fd_write_then_read_with_async_helpers() {
    solo::block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        b.set_nonblocking(true).unwrap();
        let (a, b) = (AsyncFd::new(a).unwrap(), AsyncFd::new(b).unwrap());
        // Fill the pair's buffer so the writer must wait for the reader.
        let data = vec![9u8; 1 << 20];
        let writer = async {
            let mut sent = 0;
            while sent < data.len() {
                sent += a.async_write(|s| (&*s).write(&data[sent..])).await.unwrap();
            }
        };
        let reader = async {
            let mut got = 0;
            let mut buf = vec![0; 65536];
            while got < data.len() {
                got += b.async_read(|s| (&*s).read(&mut buf)).await.unwrap();
            }
            got
        };
        let ((), got) = futures_lite::future::zip(writer, reader).await;
        assert_eq!(got, data.len());
        let inner = a.into_inner();
        assert!(inner.peer_addr().is_ok());
    });
}
