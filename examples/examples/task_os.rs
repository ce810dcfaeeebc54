//! Idea: tasks as processes. Tasks ask for their own id, start new tasks
//! and kill others (`task::id()`, `spawn`, `JoinHandle::abort`); each
//! prints `Task N terminated` as it ends, returned or killed (the articles'
//! tiny operating system).
//!
//! `cargo run -p examples --example task_os`

fn main() {
    solo::block_on(examples::task_os::run(true));
}
