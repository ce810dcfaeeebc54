#[solo::test]
async fn takes_a_parameter(n: u32) {
    let _ = n;
}

fn main() {}
