#[solo::main]
fn not_async() {}

fn main() {}
