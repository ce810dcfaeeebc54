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

/// A FIFO whose last writer closed reports a hang-up; once a new writer
/// opens it, a read returns `WouldBlock` again and must wait for data, not
/// spin on the stale hang-up (which once stayed cached for good).
#[test]
fn a_fifo_reader_waits_again_once_a_new_writer_opens_it() {
    use std::os::unix::fs::OpenOptionsExt;
    solo_tests::with_deadline(Duration::from_secs(10), || {
        let dir = std::env::temp_dir().join(format!("solo-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fifo");
        let _ = std::fs::remove_file(&path);
        // The mkfifo program: rustix's mkfifoat is not offered on macOS.
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed: {made}");
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(&path)
            .unwrap();
        solo::block_on(async {
            let fd = AsyncFd::new(reader).unwrap();
            drop(std::fs::OpenOptions::new().write(true).open(&path).unwrap());
            let mut buf = [0; 8];
            let n = fd.async_read(|f| (&*f).read(&mut buf)).await.unwrap();
            assert_eq!(n, 0, "end of stream once the last writer left");
            let mut writer = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            let idle = solo::time::timeout(
                Duration::from_millis(100),
                fd.async_read(|f| (&*f).read(&mut buf)),
            )
            .await;
            assert!(idle.is_err(), "read {idle:?} from an idle writer");
            writer.write_all(b"x").unwrap();
            let n = solo::time::timeout(
                Duration::from_secs(2),
                fd.async_read(|f| (&*f).read(&mut buf)),
            )
            .await
            .expect("the new writer's data never woke the reader")
            .unwrap();
            assert_eq!(&buf[..n], b"x");
        });
        std::fs::remove_dir_all(&dir).unwrap();
    });
}
