//! `solo::net::{UnixListener, UnixStream, UnixDatagram}`: paths in a fresh
//! temp dir, pairs, abstract names (Linux), split halves, errors, and
//! cleanup of registrations and descriptors. Each test runs alone under
//! `leak_checked`: no descriptor and no temp file may outlive it.
#![cfg(unix)]

use std::io::ErrorKind;
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::time::Duration;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::unix::ReuniteError;
use solo::net::{UnixDatagram, UnixListener, UnixStream};
use solo::time::timeout;
use solo_tests::TempDir;

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn a_stream_connected_through_a_path_echoes_what_it_is_sent() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-echo");
            let path = dir.join("sock");
            solo::block_on(async {
                let listener = UnixListener::bind(&path).unwrap();
                assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));
                let server = solo::spawn(async move {
                    let (mut peer, _) = listener.accept().await.unwrap();
                    let mut buf = [0u8; 5];
                    peer.read_exact(&mut buf).await.unwrap();
                    peer.write_all(&buf).await.unwrap();
                });
                let mut stream = UnixStream::connect(&path).await.unwrap();
                assert_eq!(stream.peer_addr().unwrap().as_pathname(), Some(&*path));
                stream.write_all(b"hello").await.unwrap();
                let mut back = Vec::new();
                timeout(LIMIT, stream.read_to_end(&mut back))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(back, b"hello");
                server.await.unwrap();
            });
        });
    });
}

#[test]
fn pair_streams_carry_bytes_both_ways() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (mut a, mut b) = UnixStream::pair().unwrap();
                let mut buf = [0u8; 4];
                a.write_all(b"ping").await.unwrap();
                b.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"ping");
                b.write_all(b"pong").await.unwrap();
                a.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"pong");
            });
        });
    });
}

#[test]
fn binding_an_existing_path_is_addr_in_use_and_leaves_the_file_there() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-in-use");
            let file = dir.join("taken");
            std::fs::write(&file, b"keep me").unwrap();
            let sock = dir.join("sock");
            solo::block_on(async {
                let err = UnixListener::bind(&file).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
                assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
                let err = UnixDatagram::bind(&file).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");

                // A dropped listener leaves its socket file, so the path stays taken.
                drop(UnixListener::bind(&sock).unwrap());
                assert!(sock.exists(), "the socket file was removed on drop");
                let err = UnixListener::bind(&sock).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
            });
        });
    });
}

#[test]
fn connecting_to_a_missing_path_is_not_found() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-missing");
            solo::block_on(async {
                let err = UnixStream::connect(dir.join("nobody")).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
                let socket = UnixDatagram::unbound().unwrap();
                let err = socket.connect(dir.join("nobody")).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
                let err = socket.send_to(b"x", dir.join("nobody")).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
            });
        });
    });
}

#[test]
fn connecting_to_a_socket_file_whose_listener_is_gone_is_refused() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-refused");
            let path = dir.join("sock");
            solo::block_on(async {
                drop(UnixListener::bind(&path).unwrap());
                let err = UnixStream::connect(&path).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
            });
        });
    });
}

#[cfg(any(
    target_os = "linux",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "openbsd",
    target_os = "netbsd"
))]
#[test]
fn peer_cred_names_this_process_and_its_user() {
    solo_tests::leak_checked(|| {
        use std::os::unix::fs::MetadataExt;
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-cred");
            let path = dir.join("sock");
            solo::block_on(async {
                let listener = UnixListener::bind(&path).unwrap();
                // The socket file belongs to this process's effective uid and gid.
                let meta = std::fs::metadata(&path).unwrap();
                let client = UnixStream::connect(&path).await.unwrap();
                let (server, _) = listener.accept().await.unwrap();
                // Linux and Apple systems report the pid, the BSDs do not.
                let pid = cfg!(any(target_os = "linux", target_vendor = "apple"))
                    .then_some(std::process::id() as i32);
                for stream in [&client, &server] {
                    let cred = stream.peer_cred().unwrap();
                    assert_eq!(cred.pid(), pid);
                    assert_eq!(cred.uid(), meta.uid());
                    assert_eq!(cred.gid(), meta.gid());
                }
                let (a, _b) = UnixStream::pair().unwrap();
                let cred = a.peer_cred().unwrap();
                assert_eq!(cred.pid(), pid);
                assert_eq!(cred.uid(), meta.uid());
            });
        });
    });
}

#[cfg(target_os = "linux")]
#[test]
fn an_abstract_name_binds_and_connects_and_leaves_no_file() {
    solo_tests::leak_checked(|| {
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::net::SocketAddr;
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-abstract");
            let name = format!("solo-tests-abstract-{}", std::process::id());
            let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
            solo::block_on(async {
                let listener = UnixListener::bind_addr(&addr).unwrap();
                assert_eq!(
                    listener.local_addr().unwrap().as_abstract_name(),
                    Some(name.as_bytes())
                );
                let mut client = UnixStream::connect_addr(&addr).await.unwrap();
                let (mut server, _) = listener.accept().await.unwrap();
                client.write_all(b"abstract").await.unwrap();
                let mut buf = [0u8; 8];
                server.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"abstract");

                let dgram_addr = SocketAddr::from_abstract_name(format!("{name}-dgram")).unwrap();
                let dgram = UnixDatagram::bind_addr(&dgram_addr).unwrap();
                assert!(dgram.local_addr().unwrap().as_abstract_name().is_some());
            });
            // Nothing appeared in the working directory or the temp dir.
            assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
            assert!(!std::path::Path::new(&name).exists());
        });
    });
}

#[test]
fn into_split_halves_in_two_tasks_echo_one_mebibyte() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let len = solo_tests::count(1 << 20, 64 << 10);
                let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
                let (client, peer) = UnixStream::pair().unwrap();
                // The peer echoes until end-of-file, then shuts down its side.
                let echo = solo::spawn(async move {
                    futures_lite::io::copy(&peer, &mut &peer).await.unwrap();
                    peer.shutdown(Shutdown::Write).unwrap();
                });
                let (mut reader, mut writer) = client.into_split();
                let sent = data.clone();
                let sender = solo::spawn(async move {
                    writer.write_all(&sent).await.unwrap();
                    // `writer` drops here: the echo reads end-of-file.
                });
                let receiver = solo::spawn(async move {
                    let mut back = Vec::with_capacity(len);
                    reader.read_to_end(&mut back).await.unwrap();
                    back
                });
                let back = timeout(LIMIT, receiver).await.unwrap().unwrap();
                sender.await.unwrap();
                echo.await.unwrap();
                assert!(
                    back == data,
                    "echoed {} bytes, not the {len} sent",
                    back.len()
                );
            });
        });
    });
}

#[test]
fn dropping_the_owned_write_half_gives_the_peer_end_of_file() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (client, mut peer) = UnixStream::pair().unwrap();
                let (mut reader, writer) = client.into_split();
                drop(writer);
                let mut rest = Vec::new();
                let n = timeout(LIMIT, peer.read_to_end(&mut rest))
                    .await
                    .expect("the peer got no end-of-file")
                    .unwrap();
                assert_eq!(n, 0);
                // The read half still works.
                peer.write_all(b"still").await.unwrap();
                let mut buf = [0u8; 5];
                reader.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"still");
            });
        });
    });
}

#[test]
fn reunite_of_halves_from_different_streams_errors_and_gives_them_back() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (a, mut a_peer) = UnixStream::pair().unwrap();
                let (b, _b_peer) = UnixStream::pair().unwrap();
                let (a_fd, b_fd) = (a.as_raw_fd(), b.as_raw_fd());
                let (a_read, a_write) = a.into_split();
                let (b_read, b_write) = b.into_split();
                let err = a_read.reunite(b_write).unwrap_err();
                assert_eq!(
                    err.to_string(),
                    "tried to reunite halves that are not from the same socket"
                );
                let ReuniteError(a_read, b_write) = err;
                assert_eq!(a_read.as_ref().as_raw_fd(), a_fd);
                assert_eq!(b_write.as_ref().as_raw_fd(), b_fd);
                // The failed attempt shut nothing down: each pair reunites.
                let mut a = a_write.reunite(a_read).unwrap();
                b_read.reunite(b_write).unwrap();
                a.write_all(b"whole").await.unwrap();
                let mut buf = [0u8; 5];
                a_peer.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"whole");
            });
        });
    });
}

#[test]
fn datagrams_go_between_two_bound_sockets_with_send_to_and_recv_from() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-dgram");
            let (a_path, b_path) = (dir.join("a"), dir.join("b"));
            solo::block_on(async {
                let a = UnixDatagram::bind(&a_path).unwrap();
                let b = UnixDatagram::bind(&b_path).unwrap();
                assert_eq!(a.send_to(b"ping", &b_path).await.unwrap(), 4);
                let mut buf = [0u8; 16];
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"ping");
                assert_eq!(from.as_pathname(), Some(&*a_path));

                b.connect(&a_path).unwrap();
                assert_eq!(b.peer_addr().unwrap().as_pathname(), Some(&*a_path));
                b.send(b"pong").await.unwrap();
                let n = a.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"pong");
            });
        });
    });
}

#[test]
fn datagram_pair_carries_datagrams_both_ways_keeping_their_bounds() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (a, b) = UnixDatagram::pair().unwrap();
                a.send(b"one").await.unwrap();
                a.send(b"two!").await.unwrap();
                let mut buf = [0u8; 16];
                assert_eq!(b.recv(&mut buf).await.unwrap(), 3);
                assert_eq!(b.recv(&mut buf).await.unwrap(), 4);
                assert_eq!(&buf[..4], b"two!");
                b.send(b"back").await.unwrap();
                let (n, from) = a.recv_from(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], b"back");
                assert!(from.is_unnamed());
            });
        });
    });
}

#[test]
fn try_recv_is_would_block_until_readable_then_receives() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (a, b) = UnixDatagram::pair().unwrap();
                let mut buf = [0u8; 8];
                let err = b.try_recv(&mut buf).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::WouldBlock);
                // Nothing queued: readable waits.
                assert!(timeout(Duration::from_millis(20), b.readable())
                    .await
                    .is_err());
                a.try_send(b"now").unwrap();
                timeout(LIMIT, b.readable()).await.unwrap().unwrap();
                assert_eq!(b.try_recv(&mut buf).unwrap(), 3);
                assert_eq!(&buf[..3], b"now");

                let (x, y) = UnixStream::pair().unwrap();
                let err = y.try_read(&mut buf).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::WouldBlock);
                x.writable().await.unwrap();
                assert_eq!(x.try_write(b"abc").unwrap(), 3);
                timeout(LIMIT, y.readable()).await.unwrap().unwrap();
                assert_eq!(y.try_read(&mut buf).unwrap(), 3);
            });
        });
    });
}

#[test]
fn a_closed_peer_gives_errors_or_end_of_file_not_a_hang() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            solo::block_on(async {
                let (mut a, b) = UnixStream::pair().unwrap();
                drop(b);
                let mut buf = [0u8; 8];
                let n = timeout(LIMIT, a.read(&mut buf)).await.unwrap().unwrap();
                assert_eq!(n, 0, "a closed peer reads as end-of-file");
                let err = timeout(LIMIT, a.write_all(b"anyone?"))
                    .await
                    .unwrap()
                    .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");

                let (c, d) = UnixDatagram::pair().unwrap();
                drop(d);
                let err = timeout(LIMIT, c.send(b"gone?")).await.unwrap().unwrap_err();
                assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::ConnectionRefused
                            | ErrorKind::BrokenPipe
                            | ErrorKind::NotConnected
                    ),
                    "{err}"
                );
            });
        });
    });
}

/// The inode of the socket `fd` refers to (Linux: `/proc/self/fd`).
#[cfg(target_os = "linux")]
fn socket_inode(fd: std::os::fd::RawFd) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .unwrap()
        .ino()
}

/// Whether any descriptor of this process still refers to socket `ino`.
#[cfg(target_os = "linux")]
fn socket_open(ino: u64) -> bool {
    let wanted = format!("socket:[{ino}]");
    std::fs::read_dir("/proc/self/fd").unwrap().any(|e| {
        let Ok(e) = e else { return false };
        std::fs::read_link(e.path()).is_ok_and(|t| t.as_os_str() == wanted.as_str())
    })
}

#[test]
fn dropping_every_unix_socket_deregisters_and_closes_it() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-cleanup");
            let path = dir.join("sock");
            solo::block_on(async {
                let before = solo::runtime::metrics().io_registrations;
                let listener = UnixListener::bind(&path).unwrap();
                let client = UnixStream::connect(&path).await.unwrap();
                let (server, _) = listener.accept().await.unwrap();
                let (p, q) = UnixStream::pair().unwrap();
                let (p_read, p_write) = p.into_split();
                let (d1, d2) = UnixDatagram::pair().unwrap();
                let bound = UnixDatagram::bind(dir.join("dgram")).unwrap();
                assert_eq!(solo::runtime::metrics().io_registrations, before + 8);
                #[cfg(target_os = "linux")]
                let inodes: Vec<u64> = [
                    listener.as_raw_fd(),
                    client.as_raw_fd(),
                    server.as_raw_fd(),
                    p_read.as_ref().as_raw_fd(),
                    q.as_raw_fd(),
                    d1.as_raw_fd(),
                    d2.as_raw_fd(),
                    bound.as_raw_fd(),
                ]
                .into_iter()
                .map(socket_inode)
                .collect();
                drop((listener, client, server, p_read, p_write, q, d1, d2, bound));
                assert_eq!(solo::runtime::metrics().io_registrations, before);
                #[cfg(target_os = "linux")]
                for ino in inodes {
                    assert!(!socket_open(ino), "socket {ino} is still open");
                }
            });
        });
    });
}

#[test]
fn std_sockets_move_in_with_from_std_and_out_with_into_std_still_connected() {
    solo_tests::leak_checked(|| {
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-std");
            let path = dir.join("sock");
            solo::block_on(async {
                let before = solo::runtime::metrics().io_registrations;
                let listener =
                    UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path).unwrap())
                        .unwrap();
                let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
                let mut a = UnixStream::from_std(a).unwrap();
                let (d1, d2) = std::os::unix::net::UnixDatagram::pair().unwrap();
                let d1 = UnixDatagram::from_std(d1).unwrap();
                assert_eq!(solo::runtime::metrics().io_registrations, before + 3);

                // from_std made them non-blocking: nothing queued is WouldBlock,
                // not a blocked thread.
                let mut buf = [0u8; 8];
                assert_eq!(
                    a.try_read(&mut buf).unwrap_err().kind(),
                    ErrorKind::WouldBlock
                );
                assert_eq!(
                    d1.try_recv(&mut buf).unwrap_err().kind(),
                    ErrorKind::WouldBlock
                );
                a.write_all(b"in").await.unwrap();
                d2.send(b"dgram").unwrap();
                assert_eq!(d1.recv(&mut buf).await.unwrap(), 5);

                let mut a = a.into_std().unwrap();
                let listener = listener.into_std().unwrap();
                let d1 = d1.into_std().unwrap();
                assert_eq!(solo::runtime::metrics().io_registrations, before);
                use std::io::{Read, Write};
                let mut b = b;
                b.read_exact(&mut buf[..2]).unwrap();
                b.write_all(b"out").unwrap();
                a.set_nonblocking(false).unwrap();
                a.read_exact(&mut buf[..3]).unwrap();
                assert_eq!(&buf[..3], b"out");
                assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));
                assert!(d1.peer_addr().unwrap().is_unnamed());
            });
        });
    });
}

#[test]
fn poll_accept_and_the_datagram_poll_methods_complete_under_poll_fn() {
    solo_tests::leak_checked(|| {
        use futures_lite::future::poll_fn;
        solo_tests::with_deadline(LIMIT, || {
            let dir = TempDir::new("unix-poll");
            let (sock, a_path, b_path) = (dir.join("sock"), dir.join("a"), dir.join("b"));
            solo::block_on(async {
                let listener = UnixListener::bind(&sock).unwrap();
                let connect = solo::spawn({
                    let sock = sock.clone();
                    async move { UnixStream::connect(&sock).await.unwrap() }
                });
                let (accepted, _) = timeout(LIMIT, poll_fn(|cx| listener.poll_accept(cx)))
                    .await
                    .unwrap()
                    .unwrap();
                let client = connect.await.unwrap();
                client.try_write(b"x").unwrap();
                timeout(LIMIT, poll_fn(|cx| accepted.poll_read_ready(cx)))
                    .await
                    .unwrap()
                    .unwrap();

                let a = UnixDatagram::bind(&a_path).unwrap();
                let b = UnixDatagram::bind(&b_path).unwrap();
                let mut buf = [0u8; 8];
                let sent = poll_fn(|cx| a.poll_send_to(cx, b"to", &b_path)).await;
                assert_eq!(sent.unwrap(), 2);
                let (n, from) = timeout(LIMIT, poll_fn(|cx| b.poll_recv_from(cx, &mut buf)))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    (&buf[..n], from.as_pathname()),
                    (&b"to"[..], Some(&*a_path))
                );
                a.connect(&b_path).unwrap();
                assert_eq!(poll_fn(|cx| a.poll_send(cx, b"two")).await.unwrap(), 3);
                let n = timeout(LIMIT, poll_fn(|cx| b.poll_recv(cx, &mut buf)))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(&buf[..n], b"two");
            });
        });
    });
}
