#[solo::main(budgte = 32)]
async fn misspelt() {}

#[solo::main(flavor = "multi_thread")]
async fn tokio_flavor() {}

fn main() {}
