//! Two sleeping tasks overlap: the total is the longest sleep, not the sum.

use std::time::Duration;

use solo::time::{sleep, Instant};

/// What [`run`] observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One line per task, in spawn order: which task and how long it slept.
    pub results: Vec<String>,
    /// From the first spawn until the last task finished (the runtime's
    /// clock, so exact under a paused clock).
    pub total: Duration,
}

/// Spawns one task per duration; each sleeps that long and returns a line
/// saying so. Awaits them all and measures the whole.
pub async fn run(durations: &[Duration]) -> Report {
    let start = Instant::now();
    let tasks: Vec<_> = durations
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            solo::spawn(async move {
                sleep(d).await;
                format!("task {} slept {}", i + 1, crate::secs(d))
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for t in tasks {
        // A task that only sleeps cannot panic or be aborted here.
        results.push(t.await.unwrap_or_else(|e| e.to_string()));
    }
    Report {
        results,
        total: start.elapsed(),
    }
}
