//! Idea: a task is a coroutine with state. It receives numbers on a
//! channel, replies with the running average, and returns `{count,
//! average}` through its `JoinHandle` when the channel closes.
//!
//! `cargo run -p examples --example averager`

fn main() {
    let values = [3.0, 10.0, 34.0, 3.0];
    let (averages, summary) = solo::block_on(examples::averager::run(&values));
    for (v, avg) in values.iter().zip(&averages) {
        println!("sent {v:>4} -> running average {avg:.2}");
    }
    match summary.average {
        Some(avg) => println!("summary: count {}, average {avg}", summary.count),
        None => println!("summary: count 0, no average"),
    }
}
