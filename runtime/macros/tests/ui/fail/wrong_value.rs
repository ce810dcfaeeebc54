#[solo::main(start_paused = 1)]
async fn paused_by_number() {}

#[solo::main(budget = "32")]
async fn budget_as_string() {}

#[solo::main(events_capacity = 0)]
async fn no_events() {}

#[solo::main(budget = 8u8)]
async fn budget_as_u8() {}

#[solo::main(crate = solo)]
async fn crate_path_unquoted() {}

#[solo::main(crate = "not a path")]
async fn crate_not_a_path() {}

fn main() {}
