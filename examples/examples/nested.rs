//! Idea: awaiting inside awaiting. An outer task awaits a middle `async fn`
//! that awaits an inner one; the inner value comes back up the chain (the
//! articles' `yield from`). Then an async recursive in-order walk of a
//! binary tree prints `7 8 1 2 9 10 3 0 4 5 6`.
//!
//! `cargo run -p examples --example nested`

use examples::nested::{articles_tree, chain, in_order};

fn main() {
    solo::block_on(async {
        let (value, trace) = chain().await;
        for line in trace {
            println!("{line}");
        }
        println!("result: {value}");
        let values = in_order(articles_tree()).await;
        let words: Vec<String> = values.iter().map(u32::to_string).collect();
        println!("in-order: {}", words.join(" "));
    });
}
