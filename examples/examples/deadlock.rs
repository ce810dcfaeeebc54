//! Idea: a deadlock explains itself. Two tasks lock two accounts in
//! opposite orders; on a paused clock, solo sees that nothing can happen
//! any more and stops after a second with a dump naming both tasks.
//!
//! `cargo run -p examples --example deadlock`

use std::time::Duration;

fn main() {
    // The hang report is a panic; keep the default hook from printing it
    // a second time.
    std::panic::set_hook(Box::new(|_| {}));
    match examples::deadlock::run(Duration::from_secs(1)) {
        Some(report) => println!("{report}"),
        None => println!("the transfers finished: no deadlock this time"),
    }
}
