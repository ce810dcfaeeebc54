#[solo::test(start_paused)]
async fn paused_flag() {}

#[solo::test(budget(8))]
async fn budget_call() {}

fn main() {}
