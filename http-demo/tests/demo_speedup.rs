//! The demo's own code path, N = 100 GETs of /delay/50: every request
//! succeeds, and the concurrent run beats the sequential one by far.

use std::time::Duration;

use http_demo::demo::{self, Options};
use http_demo::open_files;
use http_demo::server::{self, Config};

#[test]
fn hundred_concurrent_gets_take_under_a_quarter_of_the_sequential_time() {
    let server = server::spawn_thread("127.0.0.1:0", Config::default()).unwrap();
    let url = format!("http://{}/delay/50", server.local_addr());
    let options = Options::new(100);
    open_files::ensure_descriptors(demo::descriptors_needed(&options, true)).unwrap();

    let concurrent = demo::run_concurrent(&url, &options).unwrap();
    let sequential = demo::run_sequential(&url, &options).unwrap();

    assert_eq!(concurrent.ok, 100, "{:?}", concurrent.failure_examples);
    assert_eq!(sequential.ok, 100, "{:?}", sequential.failure_examples);
    // Each request waits 50 ms, so one after another they take at least 5 s.
    assert!(sequential.elapsed >= Duration::from_millis(5000));
    assert!(
        concurrent.elapsed * 4 < sequential.elapsed,
        "concurrent {:?} vs sequential {:?}",
        concurrent.elapsed,
        sequential.elapsed
    );
    assert_eq!(server.stats().requests, 200);
}
