//! What the `http-demo` binary prints on stdout: the table of one run, the
//! table of a sweep, and the `--json` object (made by `serde_json`).
//!
//! The JSON object has the run's settings (`url`, `delay_ms`, `keep_alive`,
//! `concurrency_limit`) and then either one run's fields at the top level
//! or, for a sweep, a `sweep` array of them. Times are milliseconds rounded
//! to 3 decimals, `speedup` to 2; a client that did not run has `null`
//! fields, and `speedup` is `null` unless both ran and every request
//! succeeded.

use std::fmt::Write as _;
use std::time::Duration;

use http_demo::demo::Report;
use serde::Serialize;

/// One N's results: concurrent and/or sequential.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) requests: usize,
    pub(crate) concurrent: Option<Report>,
    pub(crate) sequential: Option<Report>,
}

/// The settings every output names.
#[derive(Debug, Serialize)]
pub(crate) struct Settings<'a> {
    /// The URL fetched.
    pub(crate) url: &'a str,
    /// The built-in server's delay; `None` for a `--url`.
    pub(crate) delay_ms: Option<u64>,
    pub(crate) keep_alive: bool,
    pub(crate) concurrency_limit: Option<u32>,
}

/// A [`Row`] as the JSON output has it.
#[derive(Debug, Serialize)]
struct RowJson {
    requests: usize,
    concurrent_ms: Option<f64>,
    sequential_ms: Option<f64>,
    speedup: Option<f64>,
    concurrent_p50_ms: Option<f64>,
    concurrent_p99_ms: Option<f64>,
    sequential_p50_ms: Option<f64>,
    sequential_p99_ms: Option<f64>,
    concurrent_ok: Option<usize>,
    sequential_ok: Option<usize>,
}

impl RowJson {
    fn new(row: &Row) -> RowJson {
        let c = row.concurrent.as_ref();
        let s = row.sequential.as_ref();
        let millis = |d: Option<Duration>| d.map(|d| round(ms(d), 3));
        RowJson {
            requests: row.requests,
            concurrent_ms: millis(c.map(|r| r.elapsed)),
            sequential_ms: millis(s.map(|r| r.elapsed)),
            speedup: speedup(row).map(|x| round(x, 2)),
            concurrent_p50_ms: millis(c.and_then(|r| r.percentile(50.0))),
            concurrent_p99_ms: millis(c.and_then(|r| r.percentile(99.0))),
            sequential_p50_ms: millis(s.and_then(|r| r.percentile(50.0))),
            sequential_p99_ms: millis(s.and_then(|r| r.percentile(99.0))),
            concurrent_ok: c.map(|r| r.ok),
            sequential_ok: s.map(|r| r.ok),
        }
    }
}

/// `x` rounded to `decimals` places.
fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// The JSON object for one run: the settings, then the row's fields.
///
/// # Errors
///
/// If `serde_json` fails to write it (it does not for these types).
pub(crate) fn json_one(settings: &Settings, row: &Row) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct One<'a> {
        #[serde(flatten)]
        settings: &'a Settings<'a>,
        #[serde(flatten)]
        row: RowJson,
    }
    serde_json::to_string(&One {
        settings,
        row: RowJson::new(row),
    })
}

/// The JSON object for a sweep: the settings, then `sweep`, a row each N.
///
/// # Errors
///
/// If `serde_json` fails to write it (it does not for these types).
pub(crate) fn json_sweep(settings: &Settings, rows: &[Row]) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Sweep<'a> {
        #[serde(flatten)]
        settings: &'a Settings<'a>,
        sweep: Vec<RowJson>,
    }
    serde_json::to_string(&Sweep {
        settings,
        sweep: rows.iter().map(RowJson::new).collect(),
    })
}

/// Milliseconds, with fractions.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn opt_ms(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1} ms", ms(d)))
}

/// Sequential time over concurrent time: only when both ran and every
/// request of both succeeded (a run cut short by failures compares nothing).
fn speedup(row: &Row) -> Option<f64> {
    match (&row.concurrent, &row.sequential) {
        (Some(c), Some(s)) if c.all_ok() && s.all_ok() => {
            Some(s.elapsed.as_secs_f64() / c.elapsed.as_secs_f64())
        }
        _ => None,
    }
}

/// The table of one run: a line per client that ran, and the speedup.
pub(crate) fn table(settings: &Settings, row: &Row) -> String {
    let mut out = String::new();
    let mode = match (settings.keep_alive, settings.concurrency_limit) {
        (false, None) => "each on its own connection".to_string(),
        (true, None) => "keep-alive pool".to_string(),
        (ka, Some(k)) => format!(
            "at most {k} in flight{}",
            if ka { ", keep-alive pool" } else { "" }
        ),
    };
    let _ = writeln!(out, "requests: {} ({mode})", row.requests);
    let _ = writeln!(
        out,
        "{:<22} {:>12} {:>10} {:>10} {:>9}",
        "client", "wall time", "p50", "p99", "ok"
    );
    for (name, report) in [
        ("concurrent (solo)", &row.concurrent),
        ("sequential (std::net)", &row.sequential),
    ] {
        if let Some(r) = report {
            let _ = writeln!(
                out,
                "{:<22} {:>12} {:>10} {:>10} {:>9}",
                name,
                format!("{:.1} ms", ms(r.elapsed)),
                opt_ms(r.percentile(50.0)),
                opt_ms(r.percentile(99.0)),
                format!("{}/{}", r.ok, r.requests)
            );
        }
    }
    match (speedup(row), &row.concurrent, &row.sequential) {
        (Some(x), _, _) => {
            let _ = writeln!(out, "speedup: {x:.1}x");
        }
        (None, Some(_), Some(_)) => {
            let _ = writeln!(out, "speedup: n/a (some requests failed)");
        }
        _ => {}
    }
    out
}

/// The table of a sweep: a line per N.
pub(crate) fn sweep_table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>8} {:>14} {:>14} {:>9} {:>12}",
        "N", "concurrent", "sequential", "speedup", "conc. p99"
    );
    for row in rows {
        let c = row.concurrent.as_ref().map(|r| r.elapsed);
        let s = row.sequential.as_ref().map(|r| r.elapsed);
        let speedup = speedup(row).map_or("-".into(), |x| format!("{x:.1}x"));
        let p99 = row.concurrent.as_ref().and_then(|r| r.percentile(99.0));
        let _ = writeln!(
            out,
            "{:>8} {:>14} {:>14} {:>9} {:>12}",
            row.requests,
            opt_ms(c),
            opt_ms(s),
            speedup,
            opt_ms(p99)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn report(requests: usize, ok: usize, elapsed_ms: u64) -> Report {
        Report {
            requests,
            ok,
            elapsed: Duration::from_millis(elapsed_ms),
            latencies: vec![Duration::from_millis(1); requests],
            failures: requests - ok,
            failure_examples: Vec::new(),
        }
    }

    fn row(c_ok: usize, s_ok: usize) -> Row {
        Row {
            requests: 10,
            concurrent: Some(report(10, c_ok, 100)),
            sequential: Some(report(10, s_ok, 1000)),
        }
    }

    const SETTINGS: Settings = Settings {
        url: "http://x/",
        delay_ms: Some(50),
        keep_alive: false,
        concurrency_limit: None,
    };

    fn parsed(text: serde_json::Result<String>) -> Value {
        serde_json::from_str(&text.unwrap()).unwrap()
    }

    #[test]
    fn json_speedup_is_null_unless_every_request_succeeded() {
        let all_ok = parsed(json_one(&SETTINGS, &row(10, 10)));
        assert_eq!(all_ok["speedup"], json!(10.0));
        for failed in [row(9, 10), row(10, 0)] {
            let text = parsed(json_one(&SETTINGS, &failed));
            assert_eq!(text["speedup"], Value::Null, "{text}");
        }
        assert!(table(&SETTINGS, &row(9, 10)).contains("speedup: n/a"));
    }

    #[test]
    fn one_runs_json_has_the_settings_then_the_rows_fields_in_order() {
        let text = json_one(&SETTINGS, &row(10, 10)).unwrap();
        assert_eq!(
            text,
            "{\"url\":\"http://x/\",\"delay_ms\":50,\"keep_alive\":false,\
             \"concurrency_limit\":null,\"requests\":10,\"concurrent_ms\":100.0,\
             \"sequential_ms\":1000.0,\"speedup\":10.0,\"concurrent_p50_ms\":1.0,\
             \"concurrent_p99_ms\":1.0,\"sequential_p50_ms\":1.0,\"sequential_p99_ms\":1.0,\
             \"concurrent_ok\":10,\"sequential_ok\":10}"
        );
    }

    #[test]
    fn a_client_that_did_not_run_is_null_and_a_sweep_is_an_array() {
        let only_concurrent = Row {
            sequential: None,
            ..row(10, 10)
        };
        let sweep = parsed(json_sweep(&SETTINGS, &[only_concurrent, row(10, 10)]));
        let rows = sweep["sweep"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["sequential_ms"], Value::Null);
        assert_eq!(rows[0]["sequential_ok"], Value::Null);
        assert_eq!(rows[0]["speedup"], Value::Null);
        assert_eq!(rows[1]["sequential_ok"], json!(10));
        assert_eq!(sweep["url"], json!("http://x/"));
        assert!(sweep.get("requests").is_none(), "{sweep}");
    }

    #[test]
    fn times_are_rounded_to_microseconds() {
        let mut r = row(10, 10);
        if let Some(c) = r.concurrent.as_mut() {
            c.elapsed = Duration::from_nanos(12_345_678);
        }
        let text = parsed(json_one(&SETTINGS, &r));
        assert_eq!(text["concurrent_ms"], json!(12.346));
        assert_eq!(text["speedup"], json!(81.0));
    }

    #[test]
    fn the_url_is_escaped_as_json() {
        let settings = Settings {
            url: "http://x/\"quoted\"\\\u{1}",
            ..SETTINGS
        };
        let text = parsed(json_one(&settings, &row(10, 10)));
        assert_eq!(text["url"], json!(settings.url));
    }
}
