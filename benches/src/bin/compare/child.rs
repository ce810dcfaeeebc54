//! The child side: run one workload on one runtime in this (fresh) process
//! and print one JSON line for the parent.

use std::io::Write;

use benches::measure::rusage;
use benches::rt::Runtime;
use benches::workloads::{Params, Workload};
use serde_json::json;

/// Runs `workload` on `runtime`; prints the report as one JSON line on
/// stdout, or the error on stderr. Returns the process exit code.
pub fn run(workload: &str, runtime: &str, params: &Params) -> i32 {
    let Some(w) = Workload::find(workload) else {
        eprintln!("compare --child: unknown workload {workload:?}");
        return 2;
    };
    let Some(rt) = Runtime::from_name(runtime) else {
        eprintln!("compare --child: unknown runtime {runtime:?}");
        return 2;
    };
    match w.run(rt, params) {
        Ok(report) => {
            let (cpu, max_rss) = rusage();
            let mut line = report.to_json();
            line["process_cpu_ms"] = json!(cpu.as_secs_f64() * 1e3);
            line["max_rss_bytes"] = json!(max_rss);
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                return 1;
            }
            0
        }
        Err(e) => {
            eprintln!("{workload} on {runtime} failed: {e}");
            1
        }
    }
}
