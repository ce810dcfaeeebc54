//! `http-demo`: N GETs at once on `solo` against the same N one after another.
//!
//! With no arguments: start the built-in server on its own thread, fire 100
//! concurrent GETs of `/delay/50`, then the same 100 sequentially with a
//! blocking `std::net` client, and print the times. See `--help`.

mod output;
mod plot;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use http_demo::demo::{self, Options};
use http_demo::open_files;
use http_demo::server::{self, Config};
use output::{Row, Settings};

/// The most GETs in one run: `--requests` and each `--sweep` value.
const MAX_REQUESTS: i64 = demo::MAX_REQUESTS as i64;

/// N GETs at once on the solo runtime against the same N one after another.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// How many GETs (1 to 1,000,000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=MAX_REQUESTS))]
    requests: u32,
    /// The built-in server's delay per request, in milliseconds.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    delay_ms: u64,
    /// Fetch this URL instead of the built-in server's /delay/<delay-ms>.
    #[arg(long)]
    url: Option<String>,
    /// At most K requests in flight at once.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency_limit: Option<u32>,
    /// Reuse a pool of keep-alive connections instead of one per request.
    #[arg(long)]
    keep_alive: bool,
    /// Only run the sequential (blocking) client.
    #[arg(long, conflicts_with = "concurrent_only")]
    sequential: bool,
    /// Only run the concurrent client.
    #[arg(long)]
    concurrent_only: bool,
    /// Run each N in this list (each 1 to 1,000,000) and print N against
    /// both times. Replaces `--requests`.
    #[arg(
        long,
        conflicts_with = "requests",
        value_delimiter = ',',
        value_name = "N,N,...",
        value_parser = clap::value_parser!(u32).range(1..=MAX_REQUESTS)
    )]
    sweep: Option<Vec<u32>>,
    /// Draw the sweep as an SVG line chart into this file.
    #[arg(long, value_name = "FILE.svg", requires = "sweep")]
    plot: Option<PathBuf>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Only run the server on ADDR (e.g. 127.0.0.1:8080), until killed.
    /// Takes none of the client's flags.
    #[arg(
        long,
        value_name = "ADDR",
        conflicts_with_all = CLIENT_FLAGS
    )]
    serve: Option<String>,
    /// Per-request timeout, in milliseconds (at least 1).
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: u64,
}

/// The flags of the client runs, which `--serve` does not take.
const CLIENT_FLAGS: [&str; 11] = [
    "requests",
    "delay_ms",
    "url",
    "concurrency_limit",
    "keep_alive",
    "sequential",
    "concurrent_only",
    "sweep",
    "plot",
    "json",
    "timeout_ms",
];

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("http-demo: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs what the arguments ask; `Ok(false)` if some request failed.
fn run(args: &Args) -> Result<bool, String> {
    if let Some(addr) = &args.serve {
        let config = Config::default();
        raise_descriptors_for_server(config.max_connections);
        let handle = server::spawn_thread(addr.as_str(), config)
            .map_err(|e| format!("cannot serve on {addr}: {e}"))?;
        eprintln!(
            "serving on http://{} (GET /delay/<ms>, GET /bytes/<n>); Ctrl-C to stop",
            handle.local_addr()
        );
        handle.join();
        return Ok(true);
    }
    let sizes: Vec<usize> = match &args.sweep {
        // clap checks each value's range; only an empty list gets here.
        Some(list) if list.is_empty() => {
            return Err("--sweep needs positive request counts, e.g. 1,10,100".into())
        }
        Some(list) => list.iter().map(|&n| n as usize).collect(),
        None => vec![args.requests as usize],
    };
    // Before the runs, which can take minutes: an unwritable --plot file
    // would otherwise only be found after them.
    if let Some(path) = &args.plot {
        plot::check_writable(path)
            .map_err(|e| format!("cannot write the plot to {}: {e}", path.display()))?;
    }
    let options_for = |requests: usize| {
        let mut o = Options::new(requests);
        o.concurrency_limit = args.concurrency_limit.map(|k| k as usize);
        o.keep_alive = args.keep_alive;
        o.timeout = Duration::from_millis(args.timeout_ms);
        o
    };
    // Check the descriptor budget for the largest run before starting any.
    let largest = options_for(sizes.iter().copied().max().unwrap_or(1));
    let (needed, advice) = descriptor_budget(args, &largest);
    open_files::check_descriptors(needed, advice)?;

    let server = match &args.url {
        Some(_) => None,
        None => Some(
            server::spawn_thread("127.0.0.1:0", Config::default())
                .map_err(|e| format!("cannot start the server: {e}"))?,
        ),
    };
    let url = match (&args.url, &server) {
        (Some(url), _) => url.clone(),
        (None, Some(s)) => format!("http://{}/delay/{}", s.local_addr(), args.delay_ms),
        (None, None) => unreachable!("a server is started when no --url is given"),
    };
    http_demo::url::Url::parse(&url).map_err(|e| e.to_string())?;
    if !args.json {
        let sweep = if args.sweep.is_some() { " (sweep)" } else { "" };
        eprintln!("http-demo: GET {url}{sweep}");
    }

    let mut rows = Vec::new();
    for &n in &sizes {
        let mut options = options_for(n);
        let concurrent = if args.sequential {
            None
        } else {
            let counter = Arc::new(AtomicUsize::new(0));
            options.completed = Some(counter.clone());
            let _bar = progress::Watch::start(format!("concurrent N={n}"), n, counter);
            Some(demo::run_concurrent(&url, &options).map_err(|e| e.to_string())?)
        };
        let sequential = if args.concurrent_only {
            None
        } else {
            if let Some(note) = sequential_note(args, n) {
                eprintln!("{note}");
            }
            let counter = Arc::new(AtomicUsize::new(0));
            options.completed = Some(counter.clone());
            let _bar = progress::Watch::start(format!("sequential N={n}"), n, counter);
            Some(demo::run_sequential(&url, &options).map_err(|e| e.to_string())?)
        };
        rows.push(Row {
            requests: n,
            concurrent,
            sequential,
        });
    }
    drop(server);

    let settings = Settings {
        url: &url,
        delay_ms: args.url.is_none().then_some(args.delay_ms),
        keep_alive: args.keep_alive,
        concurrency_limit: args.concurrency_limit,
    };
    let json_error = |e: serde_json::Error| format!("cannot write the JSON output: {e}");
    match (args.json, &args.sweep, rows.as_slice()) {
        (true, None, [row]) => {
            println!("{}", output::json_one(&settings, row).map_err(json_error)?)
        }
        (true, _, rows) => println!(
            "{}",
            output::json_sweep(&settings, rows).map_err(json_error)?
        ),
        (false, None, [row]) => print!("{}", output::table(&settings, row)),
        (false, _, rows) => print!("{}", output::sweep_table(rows)),
    }
    if let Some(path) = &args.plot {
        let points: Vec<plot::Point> = rows
            .iter()
            .map(|r| plot::Point {
                requests: r.requests,
                concurrent_ms: r.concurrent.as_ref().map(|c| output::ms(c.elapsed)),
                sequential_ms: r.sequential.as_ref().map(|s| output::ms(s.elapsed)),
            })
            .collect();
        plot::draw(path, &points).map_err(|e| format!("cannot draw {}: {e}", path.display()))?;
        if !args.json {
            eprintln!("plot written to {}", path.display());
        }
    }

    let mut all_ok = true;
    for row in &rows {
        for (name, report) in [
            ("concurrent", &row.concurrent),
            ("sequential", &row.sequential),
        ] {
            if let Some(r) = report.as_ref().filter(|r| !r.all_ok()) {
                all_ok = false;
                eprintln!(
                    "N={}: {} of {} {name} requests failed: {}",
                    row.requests,
                    r.failures,
                    r.requests,
                    r.failure_examples.join("; ")
                );
            }
        }
    }
    Ok(all_ok)
}

/// The descriptors the largest run needs, counting only the clients that
/// run, and what to suggest if they do not fit: `--concurrency-limit` and
/// the request counts only matter to the concurrent client (the sequential
/// one holds one connection at a time).
fn descriptor_budget(args: &Args, largest: &Options) -> (u64, Option<&'static str>) {
    let local_server = args.url.is_none();
    let sequential = if args.concurrent_only {
        0
    } else {
        demo::sequential_descriptors_needed(local_server)
    };
    if args.sequential {
        return (sequential, None);
    }
    let concurrent = demo::descriptors_needed(largest, local_server);
    let advice = match (args.concurrency_limit, args.sweep.is_some()) {
        (Some(_), _) => "lower --concurrency-limit",
        (None, false) => "lower --requests, set --concurrency-limit",
        (None, true) => "lower the --sweep counts, set --concurrency-limit",
    };
    (concurrent.max(sequential), Some(advice))
}

/// Raises the open-file limit for `--serve` so `connections` fit (best
/// effort: if they do not, the server waits for descriptors at the limit,
/// and says so here).
fn raise_descriptors_for_server(connections: usize) {
    let needed = demo::server_descriptors_needed(connections);
    match open_files::raise_descriptor_limit(needed) {
        Ok(limit) if limit.soft >= needed => {}
        Ok(limit) => log::warn!(
            "the open-file limit is {} (hard limit {}), below the {needed} that \
             {connections} connections need: the server holds fewer at once \
             (raise the hard limit: ulimit -Hn, /etc/security/limits.conf)",
            limit.soft,
            limit.hard
        ),
        Err(e) => log::warn!(
            "{e}; the server may run out of descriptors before {connections} connections"
        ),
    }
}

/// What to say before a long sequential run: an estimate from `--delay-ms`,
/// which only the built-in server honours (nothing is known of a `--url`).
fn sequential_note(args: &Args, n: usize) -> Option<String> {
    let expected_ms = n as u64 * args.delay_ms;
    (!args.json && args.url.is_none() && expected_ms >= 2_000).then(|| {
        format!(
            "  N={n}: running {n} sequential requests (about {:.0} s)...",
            expected_ms as f64 / 1000.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("http-demo").chain(list.iter().copied())).unwrap()
    }

    #[test]
    fn a_zero_timeout_is_rejected() {
        let zero = Args::try_parse_from(["http-demo", "--timeout-ms", "0"]);
        assert!(zero.is_err());
        assert_eq!(args(&["--timeout-ms", "1"]).timeout_ms, 1);
    }

    #[test]
    fn every_sweep_count_has_the_range_of_requests() {
        for bad in ["4000000000", "1,1000001", "0", "10,0,100"] {
            let parsed = Args::try_parse_from(["http-demo", "--sweep", bad]);
            let message = parsed.expect_err(bad).to_string();
            assert!(message.contains("1..=1000000"), "{bad}: {message}");
        }
        let edge = args(&["--sweep", "1,1000000"]);
        assert_eq!(edge.sweep, Some(vec![1, 1_000_000]));
    }

    #[test]
    fn a_sweep_refuses_a_request_count_it_would_ignore() {
        let both = Args::try_parse_from(["http-demo", "--sweep", "1,2", "--requests", "5"]);
        let message = both.expect_err("--sweep with --requests").to_string();
        assert!(message.contains("cannot be used with"), "{message}");
        assert_eq!(args(&["--sweep", "1,2"]).sweep, Some(vec![1, 2]));
    }

    #[test]
    fn serve_takes_none_of_the_client_flags() {
        let serve = ["http-demo", "--serve", "127.0.0.1:0"];
        for extra in [
            &["--requests", "5"][..],
            &["--delay-ms", "5"],
            &["--url", "http://127.0.0.1:1/"],
            &["--concurrency-limit", "5"],
            &["--keep-alive"],
            &["--sequential"],
            &["--concurrent-only"],
            &["--sweep", "1,2"],
            &["--sweep", "1", "--plot", "x.svg"],
            &["--json"],
            &["--timeout-ms", "5"],
        ] {
            let all = serve.iter().chain(extra);
            let message = Args::try_parse_from(all).expect_err(extra[0]).to_string();
            assert!(message.contains("cannot be used with"), "{message}");
        }
        // The defaults of the client flags are no conflict.
        assert!(args(&["--serve", "127.0.0.1:0"]).serve.is_some());
    }

    #[test]
    fn only_the_clients_that_run_count_toward_the_descriptors() {
        let budget = |list: &[&str]| {
            let a = args(list);
            let mut largest = Options::new(a.requests as usize);
            largest.concurrency_limit = a.concurrency_limit.map(|k| k as usize);
            descriptor_budget(&a, &largest)
        };
        let (needed, advice) = budget(&["--sequential", "--requests", "30000"]);
        assert_eq!((needed, advice), (66, None));
        let (needed, advice) = budget(&["--requests", "30000"]);
        assert_eq!(needed, 60_064);
        assert!(advice.is_some_and(|a| a.contains("--concurrency-limit")));
        let (needed, _) = budget(&["--requests", "30000", "--concurrency-limit", "10"]);
        assert_eq!(needed, 84);
        let remote = ["--concurrent-only", "--url", "http://x/", "--requests", "9"];
        assert_eq!(budget(&remote).0, 73);
    }

    #[test]
    fn the_time_estimate_is_only_for_the_built_in_server() {
        let built_in = args(&["--delay-ms", "100"]);
        assert!(sequential_note(&built_in, 100).is_some_and(|n| n.contains("about 10 s")));
        assert!(sequential_note(&built_in, 10).is_none());
        let remote = args(&["--delay-ms", "100", "--url", "http://example.com/"]);
        assert_eq!(sequential_note(&remote, 100), None);
    }
}
