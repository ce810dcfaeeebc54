#[solo::test(seed = -1)]
async fn negative_seed() {}

#[solo::test(seeds = 0)]
async fn no_seeds() {}

fn main() {}
