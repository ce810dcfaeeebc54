//! Idea: concurrency pays off for I/O waits. Three mocked network calls of
//! 3 s each take about 3 s as concurrent tasks, about 9 s one after the
//! other.
//!
//! `cargo run -p examples --example mock_io`

use std::time::Duration;

use examples::mock_io::{concurrent, sequential};

fn main() {
    let latency = Duration::from_secs(3);
    solo::block_on(async {
        let c = concurrent(3, latency).await;
        println!("concurrent: responses {:?}", c.responses);
        println!("concurrent: total {}", examples::secs(c.total));
        let s = sequential(3, latency).await;
        println!("sequential: responses {:?}", s.responses);
        println!("sequential: total {}", examples::secs(s.total));
    });
}
