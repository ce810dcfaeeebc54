//! Idea: child processes as tasks. `seq 1 N | grep -F PATTERN` runs as two
//! children linked to each other; the parent counts the output as it
//! streams in, then checks both exit statuses and the total against a
//! direct count.
//!
//! `cargo run -p examples --example subprocess -- --count 100000 --pattern 7`

use std::process::ExitCode;

use examples::subprocess::{pipeline, seq_grep, seq_grep_expected};

const USAGE: &str = "usage: subprocess [--count N] [--pattern TEXT]   (default 100000 and 7)";

fn main() -> ExitCode {
    let (n, pattern) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (seq, grep) = seq_grep(n, &pattern);
    println!("seq 1 {n} | grep -F {pattern:?}");
    let mut next_report = 0;
    let result = solo::block_on(pipeline(seq, grep, |so_far| {
        // A line now and then as the output streams in.
        if so_far.lines >= next_report {
            println!("  so far: {} lines, {} bytes", so_far.lines, so_far.bytes);
            next_report = so_far.lines + 5_000;
        }
    }));
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            eprintln!("subprocess: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{} lines, {} bytes in {} reads; seq: {}, grep: {}",
        report.counts.lines, report.counts.bytes, report.reads, report.first, report.second
    );
    let expected = seq_grep_expected(n, &pattern);
    if report.counts != expected {
        eprintln!("subprocess: expected {expected:?}");
        return ExitCode::FAILURE;
    }
    if !report.success() {
        eprintln!("subprocess: a child failed (grep exits 1 when nothing matches)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(u64, String), String> {
    let mut n = 100_000;
    let mut pattern = "7".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--count" => {
                let v = args.next().ok_or("--count needs a value")?;
                n = v
                    .parse()
                    .map_err(|_| format!("--count: not a number: {v:?}"))?;
            }
            "--pattern" => pattern = args.next().ok_or("--pattern needs a value")?,
            "-h" | "--help" => return Err("subprocess: seq | grep, counted as it streams".into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((n, pattern))
}
