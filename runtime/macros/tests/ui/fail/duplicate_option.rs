#[solo::test(budget = 8, start_paused = true, budget = 16)]
async fn budget_twice() {}

// The one error is the option's: not also "`main` cannot be async".
#[solo::main(start_paused = true, start_paused = false)]
async fn main() {}
