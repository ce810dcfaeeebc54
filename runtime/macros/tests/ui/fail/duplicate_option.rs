#[solo::test(budget = 8, start_paused = true, budget = 16)]
async fn budget_twice() {}

fn main() {}
