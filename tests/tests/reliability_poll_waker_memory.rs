//! A `poll_*` caller's waker does not outlive its task's interest: alone in
//! its own test binary, because RSS is per process and other tests running
//! in parallel would move it.

#[cfg(target_os = "linux")]
#[test]
fn short_lived_pollers_of_an_idle_socket_leave_rss_flat() {
    use std::time::Duration;

    use solo::io::AsyncReadExt;
    use solo::net::{TcpListener, TcpStream};
    use solo::time::timeout;

    // Under valgrind: fewer tasks, and no RSS check (valgrind's own memory
    // moves RSS); a leak then shows up in valgrind's report instead.
    let tasks = solo_tests::count(200_000, 4_000);
    let rss = || solo_tests::rss_bytes().expect("RSS from /proc/self/status");
    solo::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_idle_peer, _) = listener.accept().await.unwrap();
        let stream = std::rc::Rc::new(client);
        let mut after_warmup = 0;
        for i in 0..tasks {
            if i == 20_000.min(tasks / 2) {
                after_warmup = rss();
            }
            let stream = stream.clone();
            // Each task polls a read that can never complete (the peer
            // sends nothing), gives up at once, and ends.
            let task = solo::spawn(async move {
                let mut buf = [0; 16];
                timeout(Duration::ZERO, (&*stream).read(&mut buf)).await
            });
            assert!(task.await.unwrap().is_err(), "the idle read completed");
        }
        let end = rss();
        if solo_tests::under_valgrind() {
            println!("under valgrind: RSS check skipped ({after_warmup} -> {end} bytes)");
        } else {
            assert!(
                end <= after_warmup + after_warmup / 10,
                "RSS grew from {after_warmup} to {end} bytes over {tasks} short-lived pollers"
            );
        }
    });
}

#[cfg(not(target_os = "linux"))]
#[test]
fn short_lived_pollers_of_an_idle_socket_leave_rss_flat() {
    println!("skipped: RSS is read from /proc, which only Linux has here");
}
