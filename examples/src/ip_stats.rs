//! A streaming pipeline of tasks joined by channels: a source reads an
//! access log line by line and broadcasts each line to one filter task per
//! IP address; each filter passes the lines of its address to a reducer,
//! which counts them and hands back the totals when the stream ends.
//!
//! The same pipeline runs with an in-loop source ([`from_text`]) and with
//! the file read on a [`spawn_blocking`]
//! thread ([`from_file`]); both await every stage before reading the totals,
//! so no line is lost.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;
use std::rc::Rc;

use solo::sync::{bounded, Receiver};
use solo::task::spawn_blocking;

/// Lines buffered between two stages: enough to smooth out turns, small
/// enough that a fast source waits for slow filters (back-pressure).
const CAPACITY: usize = 64;

/// The addresses the generator draws from, the first ones more often.
pub const IPS: [&str; 8] = [
    "10.0.0.1",
    "10.0.0.2",
    "192.168.1.7",
    "192.168.1.20",
    "172.16.4.4",
    "203.0.113.9",
    "198.51.100.23",
    "10.0.0.10",
];

/// Per-address line counts, and how many lines the source read in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Lines per address (addresses with no line are absent).
    pub per_ip: BTreeMap<String, u64>,
    /// Lines the source read.
    pub lines: u64,
}

/// A deterministic Apache-style access log of `lines` lines (the same
/// `seed` always gives the same text), each ending in `\n`.
pub fn generate_log(lines: usize, seed: u64) -> String {
    const PATHS: [&str; 5] = ["/", "/index.html", "/api/items", "/img/logo.png", "/login"];
    const STATUS: [u16; 4] = [200, 200, 304, 404];
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: small, fast, and reproducible everywhere.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut out = String::with_capacity(lines * 90);
    for i in 0..lines {
        let r = next();
        // Squaring a uniform draw skews it toward the first addresses.
        let u = (r >> 11) as f64 / (1u64 << 53) as f64;
        let ip = IPS[((u * u) * IPS.len() as f64) as usize % IPS.len()];
        let path = PATHS[(r % PATHS.len() as u64) as usize];
        let status = STATUS[((r >> 8) % STATUS.len() as u64) as usize];
        let bytes = 200 + (r >> 20) % 5000;
        let (min, sec) = ((i / 60) % 60, i % 60);
        out.push_str(&format!(
            "{ip} - - [24/Nov/2026:13:{min:02}:{sec:02} +0000] \"GET {path} HTTP/1.1\" {status} {bytes}\n"
        ));
    }
    out
}

/// The address a log line starts with, if any.
pub fn line_ip(line: &str) -> Option<&str> {
    line.split(' ').next().filter(|ip| !ip.is_empty())
}

/// Runs the pipeline over `text`, read by a source task in the loop.
pub async fn from_text(text: String, ips: &[&str]) -> Stats {
    let (tx, rx) = bounded::<String>(CAPACITY);
    let source = solo::spawn(async move {
        for line in text.lines() {
            if tx.send(line.to_owned()).await.is_err() {
                break;
            }
        }
    });
    let stats = pipeline(rx, ips).await;
    let _ = source.await;
    stats
}

/// Runs the pipeline over the file at `path`, read line by line on a
/// `spawn_blocking` thread that feeds the channel with `send_blocking`.
/// A read error (or a line that is not UTF-8) is returned, not lost.
pub async fn from_file(path: PathBuf, ips: &[&str]) -> io::Result<Stats> {
    let (tx, rx) = bounded::<String>(CAPACITY);
    let reader = spawn_blocking(move || -> io::Result<()> {
        for line in BufReader::new(File::open(path)?).lines() {
            if tx.send_blocking(line?).is_err() {
                break;
            }
        }
        Ok(())
    }); // `tx` is dropped when the reader returns: the stream ends.
    let stats = pipeline(rx, ips).await;
    reader.await??;
    Ok(stats)
}

/// The stages after the source: a broadcaster, one filter per address in
/// `ips`, and the reducer. Returns once the source's channel has closed
/// and every stage has finished.
pub async fn pipeline(source: Receiver<String>, ips: &[&str]) -> Stats {
    let (match_tx, match_rx) = bounded::<Rc<str>>(CAPACITY);
    let mut filters = Vec::with_capacity(ips.len());
    let mut inputs = Vec::with_capacity(ips.len());
    for &ip in ips {
        let (tx, rx) = bounded::<Rc<str>>(CAPACITY);
        inputs.push(tx);
        let (ip, out) = (ip.to_owned(), match_tx.clone());
        filters.push(solo::spawn(async move {
            while let Ok(line) = rx.recv().await {
                if line_ip(&line) == Some(ip.as_str()) && out.send(line).await.is_err() {
                    break;
                }
            }
        }));
    }
    drop(match_tx); // the filters hold the only senders now
    let reducer = solo::spawn(async move {
        let mut per_ip = BTreeMap::new();
        while let Ok(line) = match_rx.recv().await {
            if let Some(ip) = line_ip(&line) {
                *per_ip.entry(ip.to_owned()).or_insert(0u64) += 1;
            }
        }
        per_ip
    });
    // The broadcaster runs here: every line to every filter.
    let mut lines = 0;
    while let Ok(line) = source.recv().await {
        lines += 1;
        let line: Rc<str> = line.into();
        for input in &inputs {
            let _ = input.send(line.clone()).await;
        }
    }
    drop(inputs); // the filters see their input end
    for f in filters {
        let _ = f.await;
    }
    let per_ip = reducer.await.unwrap_or_default();
    Stats { per_ip, lines }
}

/// Counts lines per address without any task, to check the pipeline.
pub fn count_directly(text: &str, ips: &[&str]) -> Stats {
    let mut per_ip = BTreeMap::new();
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        if let Some(ip) = line_ip(line).filter(|ip| ips.contains(ip)) {
            *per_ip.entry(ip.to_owned()).or_insert(0) += 1;
        }
    }
    Stats { per_ip, lines }
}
