//! `compare`: every workload on solo, tokio and smol (and the echo rows also
//! on the mio floor, bare mio with no runtime), each run in a fresh child
//! process, three times; prints a markdown table of medians with the ratios
//! solo/tokio, solo/smol and solo/floor.
//!
//! ```text
//! cargo run --release -p benches --bin compare [-- --quick] [--json] [--only NAME[,NAME..]] [--runs N]
//! cargo run --release -p benches --bin compare -- --serve hyper-solo|hyper-tokio [ADDR]
//! ```
//!
//! `--serve` runs only the hyper-hello server, for `wrk` (benches/README.md).

mod child;
mod serve;
mod strace;
mod table;
mod wrk;

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use benches::measure::median;
use benches::report::{Better, Report};
use benches::rt::Runtime;
use benches::workloads::{http_keepalive, Params, Syscalls, Workload, ALL};
use serde_json::{json, Value};

use strace::Calls;
use table::{Outcome, Row};

/// A child that takes longer than this is killed and counted as failed.
const CHILD_TIMEOUT: Duration = Duration::from_secs(120);
/// A child exits by itself after this long (so it cannot outlive the parent's
/// patience, even under strace, which the parent does not time out).
const CHILD_SELF_TIMEOUT: Duration = Duration::from_secs(110);

const USAGE: &str = "\
usage: compare [--quick] [--json] [--only NAME[,NAME..]] [--runs N]

Runs each workload on solo, tokio and smol (the echo workloads also on the
mio floor: bare mio, no runtime), each in a fresh child process, N times
(default 3), and prints a markdown table of the medians.
  --quick   smaller sizes (the whole run takes seconds)
  --json    print JSON (every sample) instead of the table
  --only    run only these workloads
  --runs    runs per workload and runtime (1..=9)

compare --serve hyper-solo|hyper-tokio [ADDR]
  serves hyper-hello's server alone on ADDR (default 127.0.0.1:8080)
  until killed, for an outside load generator such as wrk";

#[derive(Debug)]
struct Options {
    quick: bool,
    json: bool,
    only: Vec<&'static Workload>,
    runs: usize,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        quick: false,
        json: false,
        only: Vec::new(),
        runs: 3,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--json" => opts.json = true,
            "--only" => {
                let names = it.next().ok_or("--only needs a workload name")?;
                for name in names.split(',') {
                    let w = Workload::find(name).ok_or_else(|| {
                        let known: Vec<_> = ALL.iter().map(|w| w.name).collect();
                        format!("unknown workload {name:?}; known: {}", known.join(", "))
                    })?;
                    opts.only.push(w);
                }
            }
            "--runs" => {
                let n = it.next().ok_or("--runs needs a number")?;
                opts.runs = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=9).contains(n))
                    .ok_or_else(|| format!("--runs: {n:?} is not a number from 1 to 9"))?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(opts)
}

/// `--child WORKLOAD RUNTIME [--quick] [--rounds N]`: the hidden child mode.
fn child_mode(args: &[String]) -> ExitCode {
    let (Some(workload), Some(runtime)) = (args.first(), args.get(1)) else {
        eprintln!("compare --child WORKLOAD RUNTIME [--quick] [--rounds N]");
        return ExitCode::from(2);
    };
    let mut params = Params::default();
    let mut it = args[2..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => params.quick = true,
            "--rounds" => match it.next().and_then(|n| n.parse().ok()) {
                Some(n) => params.rounds = Some(n),
                None => {
                    eprintln!("compare --child: --rounds needs a number");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("compare --child: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    std::thread::spawn(|| {
        std::thread::sleep(CHILD_SELF_TIMEOUT);
        eprintln!(
            "compare --child: still running after {} s, giving up",
            CHILD_SELF_TIMEOUT.as_secs()
        );
        std::process::exit(3);
    });
    ExitCode::from(child::run(workload, runtime, &params) as u8)
}

fn child_args(w: &Workload, rt: Runtime, quick: bool, rounds: Option<u64>) -> Vec<String> {
    let mut args = vec![
        "--child".to_string(),
        w.name.to_string(),
        rt.name().to_string(),
    ];
    if quick {
        args.push("--quick".to_string());
    }
    if let Some(n) = rounds {
        args.extend(["--rounds".to_string(), n.to_string()]);
    }
    args
}

/// Runs one child to completion (or kills it at [`CHILD_TIMEOUT`]) and
/// parses its JSON line: the report, and the whole line (which also has the
/// child's CPU time and peak RSS).
fn run_child(exe: &Path, args: &[String]) -> Result<(Report, Value), String> {
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + CHILD_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("killed after {} s", CHILD_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => break Err(format!("waiting for the child: {e}")),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let status = status?;
    if !status.success() {
        let why = stderr.lines().last().unwrap_or("no message");
        return Err(format!("{status}: {why}"));
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or("the child printed no JSON line")?;
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("bad JSON from the child: {e}"))?;
    Ok((Report::from_json(&value)?, value))
}

/// System calls per round of `w` on each runtime, one row per entry of
/// `syscalls.rows`: `strace -c -f` of a run with `rounds` rounds minus one
/// with zero rounds (setup and teardown), per `syscalls.per` rounds. The
/// rows, or a note on why there are none.
fn syscall_rows(
    exe: &Path,
    w: &Workload,
    syscalls: &Syscalls,
    rounds: u64,
    quick: bool,
) -> Result<Vec<Row>, String> {
    if !strace::available() {
        return Err(
            "strace is not installed: no system-call counts (apt-get install strace)".into(),
        );
    }
    let dir = std::env::temp_dir();
    let mut rows: Vec<Row> = syscalls
        .rows
        .iter()
        .map(|&(metric, _)| Row {
            workload: w.name.to_string(),
            metric: metric.to_string(),
            better: Better::Lower,
            samples: Default::default(),
            errors: Default::default(),
            ran: Runtime::COLUMNS.map(|rt| w.runs_on(rt)),
        })
        .collect();
    for rt in Runtime::COLUMNS.into_iter().filter(|&rt| w.runs_on(rt)) {
        let i = rt.index();
        let path = |n: u64| {
            dir.join(format!(
                "compare-strace-{}-{}-{n}.txt",
                std::process::id(),
                rt.name()
            ))
        };
        let counted = strace::count(exe, &child_args(w, rt, quick, Some(rounds)), &path(rounds))
            .and_then(|full| {
                let base = strace::count(exe, &child_args(w, rt, quick, Some(0)), &path(0))?;
                Ok((full, base))
            });
        let _ = std::fs::remove_file(path(rounds));
        let _ = std::fs::remove_file(path(0));
        for (row, &(_, names)) in rows.iter_mut().zip(syscalls.rows) {
            match &counted {
                Ok((full, base)) => {
                    row.samples[i].push(per_round(full, base, names, rounds) * syscalls.per as f64)
                }
                Err(e) => row.errors[i].push(e.clone()),
            }
        }
    }
    Ok(rows)
}

/// The calls of `names` (every call if none) in `full`, a run of `rounds`
/// rounds, minus those in `base`, a run of none, per round.
fn per_round(full: &Calls, base: &Calls, names: &[&str], rounds: u64) -> f64 {
    strace::sum(full, names).saturating_sub(strace::sum(base, names)) as f64 / rounds as f64
}

/// How long each `wrk` run lasts.
fn wrk_duration(quick: bool) -> Duration {
    Duration::from_secs(if quick { 1 } else { 3 })
}

/// One turn of the http-keepalive ceiling: `wrk -t1 -c64` against the same
/// server, logged like a child run.
fn wrk_run(run: usize, quick: bool) -> Result<f64, String> {
    let result = wrk::requests_per_second(wrk_duration(quick));
    let outcome = match &result {
        Ok(rate) => format!("{rate:.0} req/s"),
        Err(e) => format!("FAILED: {e}"),
    };
    eprintln!(
        "{:>14} {:<5} run {}: {outcome}",
        http_keepalive::NAME,
        "wrk",
        run + 1
    );
    result
}

/// The http-keepalive ceiling row: each runtime's req/s (from `rows`, the
/// workload's rows) as a percentage of the median of wrk's `rates` (one per
/// round), and a note with wrk's own figure. A failed wrk run fails the row.
fn wrk_row(rows: &[Row], rates: &[Result<f64, String>], duration: Duration) -> (Row, String) {
    let name = http_keepalive::NAME;
    let mut row = Row {
        workload: name.to_string(),
        metric: "% of wrk -t1 -c64 req/s".to_string(),
        better: Better::Higher,
        samples: Default::default(),
        errors: Default::default(),
        // The runtimes' columns only: keepalive has no floor.
        ran: [true, true, true, false],
    };
    let failures: Vec<&String> = rates.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(e) = failures.first() {
        // The runtimes' columns only: keepalive has no floor.
        for errors in &mut row.errors[..Runtime::ALL.len()] {
            errors.extend(failures.iter().map(|e| format!("wrk: {e}")));
        }
        return (row, format!("{name}: wrk failed: {e}"));
    }
    let rates: Vec<f64> = rates
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    let Some(ceiling) = median(&rates) else {
        return (row, format!("{name}: no wrk runs"));
    };
    if let Some(rps) = rows.iter().find(|r| r.metric == "req/s") {
        for (share, samples) in row.samples.iter_mut().zip(&rps.samples) {
            share.extend(samples.iter().map(|v| v / ceiling * 100.0));
        }
    }
    let note = format!(
        "{name}: wrk -t1 -c64 -d{}s on the same server (its own thread, as in the children), \
         one run after each round of children: {} req/s (median of {}); \
         the % row divides each runtime's req/s by it",
        duration.as_secs(),
        table::number(ceiling),
        rates.len(),
    );
    (row, note)
}

fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown date".to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return child_mode(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--serve") {
        return serve::run(&args[1..]);
    }
    let opts = match parse(&args) {
        Ok(opts) => opts,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("compare: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("compare: cannot find my own executable to re-run: {e}");
            return ExitCode::FAILURE;
        }
    };
    let workloads: Vec<&Workload> = if opts.only.is_empty() {
        ALL.iter().collect()
    } else {
        opts.only.clone()
    };
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut rows: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Every child process: wall time (seen from here), CPU time and peak RSS.
    let mut processes: Vec<Value> = Vec::new();
    for w in &workloads {
        let mut outcomes: [Vec<Outcome>; 4] = Default::default();
        let is_keepalive = w.name == http_keepalive::NAME;
        let wrk_turns = is_keepalive && wrk::available();
        let mut wrk_rates = Vec::new();
        // Runtimes take turns within each round, so a noisy moment hits all.
        for run in 0..opts.runs {
            for rt in Runtime::COLUMNS.into_iter().filter(|&rt| w.runs_on(rt)) {
                let i = rt.index();
                let t = Instant::now();
                let result = run_child(&exe, &child_args(w, rt, opts.quick, None));
                let wall = t.elapsed();
                eprintln!(
                    "{:>14} {:<5} run {}: {:.1} s{}",
                    w.name,
                    rt.name(),
                    run + 1,
                    wall.as_secs_f64(),
                    result
                        .as_ref()
                        .err()
                        .map_or(String::new(), |e| format!(" FAILED: {e}")),
                );
                let (outcome, line) = match result {
                    Ok((report, line)) => (Ok(report), line),
                    Err(e) => (Err(e.clone()), json!({ "error": e })),
                };
                processes.push(json!({
                    "workload": w.name,
                    "runtime": rt.name(),
                    "run": run + 1,
                    "wall_ms": wall.as_secs_f64() * 1e3,
                    "cpu_ms": line.get("process_cpu_ms"),
                    "max_rss_bytes": line.get("max_rss_bytes"),
                    "error": line.get("error"),
                }));
                outcomes[i].push(outcome);
            }
            // wrk takes its turn in the same round, so it sees the same load.
            if wrk_turns {
                wrk_rates.push(wrk_run(run, opts.quick));
            }
        }
        let workload_rows = table::rows(w.name, &outcomes);
        let ceiling =
            wrk_turns.then(|| wrk_row(&workload_rows, &wrk_rates, wrk_duration(opts.quick)));
        rows.extend(workload_rows);
        if let Some((row, note)) = ceiling {
            rows.push(row);
            notes.push(note);
        } else if is_keepalive {
            notes.push(format!(
                "{}: wrk is not installed: no ceiling row (apt-get install wrk)",
                w.name
            ));
        }
        if let Some(syscalls) = w.syscalls {
            let rounds = if opts.quick {
                syscalls.quick_rounds
            } else {
                syscalls.rounds
            };
            match syscall_rows(&exe, w, syscalls, rounds, opts.quick) {
                Ok(syscall_rows) => rows.extend(syscall_rows),
                Err(note) => notes.push(format!("{}: {note}", w.name)),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if opts.json {
        let out = json!({
            "date": today(),
            "cores": cores,
            "quick": opts.quick,
            "runs": opts.runs,
            "seconds": elapsed,
            "notes": notes,
            "rows": table::json(&rows),
            "processes": processes,
        });
        println!("{out:#}");
    } else {
        println!(
            "{} · {cores} cores · medians of {} runs{} · {:.0} s\n",
            today(),
            opts.runs,
            if opts.quick { " · --quick sizes" } else { "" },
            elapsed
        );
        print!("{}", table::markdown(&rows));
        for note in &notes {
            println!("\nNote: {note}");
        }
    }
    let failed = rows.iter().any(|r| r.errors.iter().any(|e| !e.is_empty()));
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_parse_and_bad_ones_say_why() {
        let o = parse(&args("--quick --json --only spawn,idle --runs 1")).unwrap();
        assert!(o.quick && o.json);
        assert_eq!(o.runs, 1);
        assert_eq!(
            o.only.iter().map(|w| w.name).collect::<Vec<_>>(),
            ["spawn", "idle"]
        );
        assert!(parse(&args("--only nope"))
            .unwrap_err()
            .contains("unknown workload"));
        assert!(parse(&args("--runs 0")).is_err());
        assert!(parse(&args("--runs")).is_err());
        assert!(parse(&args("--fast")).unwrap_err().contains("--fast"));
    }

    #[test]
    fn a_syscall_figure_is_the_named_calls_of_a_run_minus_an_empty_run_per_round() {
        let calls = |pairs: &[(&str, u64)]| -> Calls {
            pairs.iter().map(|&(n, c)| (n.to_string(), c)).collect()
        };
        let full = calls(&[("epoll_wait", 150), ("epoll_pwait", 60), ("total", 500)]);
        let base = calls(&[("epoll_wait", 10), ("total", 100)]);
        let waits = ["epoll_wait", "epoll_pwait", "epoll_pwait2"];
        assert_eq!(per_round(&full, &base, &waits, 100), 2.0);
        assert_eq!(per_round(&full, &base, &["timerfd_settime"], 100), 0.0);
        assert_eq!(per_round(&full, &base, &[], 100), 4.0);
        assert_eq!(per_round(&base, &full, &[], 100), 0.0, "never below zero");
    }

    #[test]
    fn the_wrk_row_is_each_rate_over_wrks_median_and_a_failed_wrk_fails_it() {
        let rate = |v: f64| -> Outcome { Ok(Report::new().higher("req/s", v)) };
        let outcomes = [
            vec![rate(50.0)],
            vec![rate(100.0)],
            vec![rate(25.0)],
            Vec::new(),
        ];
        let rows = table::rows("http-keepalive", &outcomes);
        let wrk = [Ok(100.0), Ok(300.0), Ok(90.0)];
        let (row, note) = wrk_row(&rows, &wrk, Duration::from_secs(3));
        assert_eq!(row.medians(), [Some(50.0), Some(100.0), Some(25.0), None]);
        assert!(row.errors.iter().all(Vec::is_empty));
        assert!(note.contains("100 req/s (median of 3)"), "{note}");

        let wrk = [Ok(100.0), Err("Non-2xx or 3xx responses: 7".to_string())];
        let (row, note) = wrk_row(&rows, &wrk, Duration::from_secs(3));
        assert!(
            row.errors[..3].iter().all(|e| e.len() == 1) && row.errors[3].is_empty(),
            "{:?}",
            row.errors
        );
        assert!(note.contains("wrk failed: Non-2xx"), "{note}");
    }
}
