//! Concurrency for I/O waits: three mocked network calls of 3 s take 3 s
//! together when run as tasks, and 9 s one after the other.

use std::time::Duration;

use solo::time::{sleep, Instant};

/// A mocked network call: waits `latency`, then "returns 200".
pub async fn fake_request(latency: Duration) -> u16 {
    sleep(latency).await;
    200
}

/// The responses, in request order, and how long they all took.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Status codes, one per request.
    pub responses: Vec<u16>,
    /// Wall time on the runtime's clock.
    pub total: Duration,
}

/// Starts `n` requests as tasks at once, then awaits them all.
pub async fn concurrent(n: usize, latency: Duration) -> Outcome {
    let start = Instant::now();
    let tasks: Vec<_> = (0..n).map(|_| solo::spawn(fake_request(latency))).collect();
    let mut responses = Vec::with_capacity(n);
    for t in tasks {
        // 0 marks a request whose task failed; fake_request never does.
        responses.push(t.await.unwrap_or(0));
    }
    Outcome {
        responses,
        total: start.elapsed(),
    }
}

/// Awaits `n` requests one after the other.
pub async fn sequential(n: usize, latency: Duration) -> Outcome {
    let start = Instant::now();
    let mut responses = Vec::with_capacity(n);
    for _ in 0..n {
        responses.push(fake_request(latency).await);
    }
    Outcome {
        responses,
        total: start.elapsed(),
    }
}
