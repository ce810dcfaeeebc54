//! Idea: cooperative scheduling. Two tasks print a line, `yield_now().await`,
//! print another: the lines interleave one, two, one, two, because the
//! runtime runs ready tasks first in, first out (the articles' round-robin
//! scheduler).
//!
//! `cargo run -p examples --example interleave`

fn main() {
    solo::block_on(examples::interleave::run(&["one", "two"], 2, |line| {
        println!("{line}")
    }));
}
