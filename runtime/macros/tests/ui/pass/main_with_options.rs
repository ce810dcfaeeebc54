use std::time::Duration;

#[solo::main(start_paused = true, budget = 8, events_capacity = 64)]
async fn main() {
    let start = solo::time::Instant::now();
    solo::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
}
