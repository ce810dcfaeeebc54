//! Idea: tasks overlap their waits. Two tasks sleeping 2 s and 3 s finish
//! together in about 3 s, not 5.
//!
//! `cargo run -p examples --example sleepers`

use std::time::Duration;

fn main() {
    let report = solo::block_on(examples::sleepers::run(&[
        Duration::from_secs(2),
        Duration::from_secs(3),
    ]));
    for line in &report.results {
        println!("{line}");
    }
    println!("total {}", examples::secs(report.total));
}
