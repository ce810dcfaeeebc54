//! The `compare` binary end to end: children, medians, JSON.

use std::process::Command;

use serde_json::Value;

#[test]
fn compare_json_has_a_median_for_every_runtime() {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args([
            "--quick",
            "--json",
            "--runs",
            "1",
            "--only",
            "timer-accuracy",
        ])
        .output()
        .expect("compare runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rows = json["rows"].as_array().expect("rows");
    let labels: Vec<_> = rows
        .iter()
        .map(|r| r["metric"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(labels, ["mean ms", "p99 ms"]);
    for row in rows {
        for rt in ["solo", "tokio", "smol", "floor"] {
            let median = row["median"][rt].as_f64().expect("a median");
            // sleep(1 ms) never takes less than 1 ms.
            assert!(median >= 1.0, "{rt}: {median}");
        }
        assert!(row["solo_over_tokio"].as_f64().is_some());
    }
    // One entry per child: 3 runtimes and the floor x 1 run, each with its
    // CPU and peak RSS.
    let processes = json["processes"].as_array().expect("processes");
    assert_eq!(processes.len(), 4);
    for p in processes {
        assert!(p["cpu_ms"].as_f64().is_some_and(|c| c >= 0.0), "{p}");
        assert!(p["max_rss_bytes"].as_u64().is_some_and(|r| r > 0), "{p}");
        assert!(p["wall_ms"].as_f64().is_some_and(|w| w >= 200.0), "{p}");
    }
}

#[test]
fn compare_rejects_an_unknown_workload_with_the_list() {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(["--only", "nope"])
        .output()
        .expect("compare runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown workload \"nope\"") && err.contains("echo-latency"),
        "{err}"
    );
}

#[test]
fn a_child_with_bad_arguments_fails_cleanly() {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(["--child", "spawn", "go"])
        .output()
        .expect("compare runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown runtime"));
}

#[test]
fn the_echo_rows_have_a_floor_column_and_a_solo_over_floor_ratio() {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(["--quick", "--json", "--runs", "1", "--only", "echo-latency"])
        .output()
        .expect("compare runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rows = json["rows"].as_array().expect("rows");
    let latency = rows
        .iter()
        .find(|r| r["metric"] == "µs/round trip")
        .expect("the latency row");
    let floor = latency["median"]["floor"].as_f64().expect("a floor median");
    assert!(floor > 0.0, "{latency}");
    assert!(latency["solo_over_floor"].as_f64().is_some(), "{latency}");
    // The runtimes and the floor each ran once.
    let processes = json["processes"].as_array().expect("processes");
    let runtimes: Vec<_> = processes
        .iter()
        .map(|p| p["runtime"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(runtimes, ["solo", "tokio", "smol", "floor"]);
}

/// hyper-hello runs on solo and tokio only: both rows have their figures,
/// smol's cells are `-`, and nothing fails.
#[test]
fn the_hyper_row_has_solo_and_tokio_and_a_dash_for_smol() {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(["--quick", "--runs", "1", "--only", "hyper-hello"])
        .output()
        .expect("compare runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for metric in ["req/s ↑", "server CPU µs/req ↓"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| hyper-hello | {metric} |")))
            .unwrap_or_else(|| panic!("no {metric} row in\n{table}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | workload | metric | solo | tokio | smol | floor | ...
        assert!(
            cells[3].parse::<f64>().is_ok() || cells[3].contains(','),
            "{row}"
        );
        assert!(
            cells[4].parse::<f64>().is_ok() || cells[4].contains(','),
            "{row}"
        );
        assert_eq!((cells[5], cells[6]), ("-", "-"), "{row}");
    }
}

/// `compare --serve` serves hyper-hello's greeting until killed, on solo
/// and on tokio, at the address it prints; a bad name is a usage error.
#[test]
fn serve_mode_answers_hello_at_the_address_it_prints() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::process::Stdio;

    for server in ["hyper-solo", "hyper-tokio"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_compare"))
            .args(["--serve", server, "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("compare runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("a line");
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("{server}: no address in {line:?}"))
            .to_string();
        let mut stream = TcpStream::connect(&addr).expect("connects");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("sends");
        let mut response = String::new();
        let read = stream.read_to_string(&mut response);
        child.kill().expect("kills the server it started");
        child.wait().expect("reaps it");
        read.expect("reads");
        assert!(
            response.starts_with("HTTP/1.1 200 OK"),
            "{server}: {response}"
        );
        assert!(
            response.ends_with("Hello, world!\n"),
            "{server}: {response}"
        );
    }
    let status = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(["--serve", "hyper-smol"])
        .stderr(Stdio::null())
        .status()
        .expect("compare runs");
    assert_eq!(status.code(), Some(2));
}
