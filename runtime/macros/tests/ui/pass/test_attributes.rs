// Outside `cargo test` a test is compiled out: this checks that the
// attributes around `#[solo::test]` expand to valid code.

/// Doc comments stay.
#[solo::test]
#[ignore = "a reason"]
async fn ignored() {}

#[solo::test(start_paused = true, crate = "::solo")]
#[should_panic(expected = "boom")]
async fn should_panic() {
    panic!("boom");
}

#[solo::test]
async fn returns_result() -> Result<(), String> {
    Ok(())
}

fn main() {}
