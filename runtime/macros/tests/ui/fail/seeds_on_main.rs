#[solo::main(seeds = 10)]
async fn main() {}
