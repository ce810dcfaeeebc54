/// A `main` that returns `Result` and uses `?` in its body.
#[solo::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = "42".parse()?;
    let doubled = solo::spawn(async move { n * 2 }).await?;
    assert_eq!(doubled, 84);
    Ok(())
}
