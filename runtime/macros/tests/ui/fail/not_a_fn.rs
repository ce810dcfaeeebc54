#[solo::main]
struct Server;

fn main() {}
