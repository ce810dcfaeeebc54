//! `wrk -t1 -c64` against the http-demo server: the ceiling of one client
//! core for the http-keepalive row.

use std::process::{Command, Stdio};
use std::time::Duration;

use benches::workloads::{http, http_keepalive};

/// Whether `wrk` can be run here.
pub fn available() -> bool {
    Command::new("wrk")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Starts the http-demo server on its own thread (as the children do),
/// runs `wrk -t1 -c64 -d<duration>` on its `/bytes/1024` and returns the
/// requests per second; an error if wrk fails or reports any failed
/// request.
pub fn requests_per_second(duration: Duration) -> Result<f64, String> {
    let server = http::start_server().map_err(|e| format!("cannot start the server: {e}"))?;
    let url = format!("http://{}{}", server.local_addr(), http_keepalive::PATH);
    let output = Command::new("wrk")
        .args([
            "-t1".to_string(),
            format!("-c{}", http_keepalive::CONNECTIONS),
            format!("-d{}s", duration.as_secs().max(1)),
            url,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"));
    server.shutdown();
    let output = output?;
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// The `Requests/sec` figure of wrk's summary; an error if the summary
/// reports non-2xx responses or socket errors, or has no such figure.
///
/// ```text
///   26558 requests in 1.00s, 26.97MB read
///   Socket errors: connect 0, read 2, write 0, timeout 0
///   Non-2xx or 3xx responses: 22105
/// Requests/sec:  26449.69
/// ```
pub fn parse(summary: &str) -> Result<f64, String> {
    let mut rate = None;
    for line in summary.lines().map(str::trim) {
        if line.starts_with("Non-2xx") {
            return Err(format!("wrk saw failed requests: {line}"));
        }
        if let Some(errors) = line.strip_prefix("Socket errors:") {
            let any = errors
                .split(',')
                .filter_map(|e| e.split_whitespace().last())
                .any(|n| n != "0");
            if any {
                return Err(format!("wrk saw failed requests: {line}"));
            }
        }
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            rate = value.trim().parse::<f64>().ok();
        }
    }
    rate.filter(|r| r.is_finite() && *r > 0.0)
        .ok_or_else(|| "no Requests/sec in wrk's output".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "\
Running 1s test @ http://127.0.0.1:18089/bytes/1024
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.54ms    1.98ms  17.33ms   81.20%
    Req/Sec    26.70k     2.54k   30.65k    50.00%
  26558 requests in 1.00s, 26.97MB read
Requests/sec:  26449.69
Transfer/sec:     26.86MB
";

    #[test]
    fn the_rate_is_read_and_failed_requests_are_errors() {
        assert_eq!(parse(OK), Ok(26449.69));
        let clean = OK.replace(
            "Requests/sec",
            "  Socket errors: connect 0, read 0, write 0, timeout 0\nRequests/sec",
        );
        assert_eq!(parse(&clean), Ok(26449.69));
        let non_2xx = OK.replace(
            "Requests/sec",
            "  Non-2xx or 3xx responses: 22105\nRequests/sec",
        );
        assert!(parse(&non_2xx).unwrap_err().contains("Non-2xx"));
        let socket = OK.replace(
            "Requests/sec",
            "  Socket errors: connect 0, read 2, write 0, timeout 0\nRequests/sec",
        );
        assert!(parse(&socket).unwrap_err().contains("read 2"));
        assert!(parse("wrk: command failed").is_err());
    }
}
