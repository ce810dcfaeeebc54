//! Idea: a streaming pipeline of tasks joined by channels. A source reads a
//! generated 10,000-line access log line by line and broadcasts each line to
//! one filter task per IP address; the filters feed a reducer that counts
//! per address. Then the same with the file read on `spawn_blocking`: the
//! counts must match and cover every line.
//!
//! `cargo run -p examples --example ip_stats`

use std::process::ExitCode;

use examples::ip_stats::{from_file, from_text, generate_log, IPS};

fn main() -> ExitCode {
    let log = generate_log(10_000, 42);
    let path = std::env::temp_dir().join(format!("solo-ip-stats-{}.log", std::process::id()));
    if let Err(e) = std::fs::write(&path, &log) {
        eprintln!("ip_stats: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    let (in_loop, blocking) = solo::block_on(async {
        let in_loop = from_text(log, &IPS).await;
        let blocking = from_file(path.clone(), &IPS).await;
        (in_loop, blocking)
    });
    let _ = std::fs::remove_file(&path);
    let blocking = match blocking {
        Ok(stats) => stats,
        Err(e) => {
            eprintln!("ip_stats: reading the log failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "lines read: {} (in the loop), {} (spawn_blocking)",
        in_loop.lines, blocking.lines
    );
    for (ip, count) in &in_loop.per_ip {
        println!("{ip:>15} {count:>6}");
    }
    let counted: u64 = in_loop.per_ip.values().sum();
    println!("total {counted}");
    if in_loop == blocking {
        println!("spawn_blocking pipeline: same counts");
        ExitCode::SUCCESS
    } else {
        println!("spawn_blocking pipeline DIFFERS: {:?}", blocking.per_ip);
        ExitCode::FAILURE
    }
}
