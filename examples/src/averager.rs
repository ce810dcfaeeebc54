//! A task as a coroutine with state: it receives numbers on a channel,
//! answers each with the running average, and when the channel closes
//! returns a summary through its `JoinHandle` (the articles' averager
//! coroutine and its return value).

use solo::sync::{bounded, Receiver, Sender};

/// What the averager returns when its input closes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many numbers it received.
    pub count: u64,
    /// Their average; `None` if there were none.
    pub average: Option<f64>,
}

/// The averager: answers every number from `numbers` with the average so
/// far on `averages`, until `numbers` closes; then returns the summary.
/// If nobody listens to `averages` any more it stops answering but keeps
/// counting.
pub async fn averager(numbers: Receiver<f64>, averages: Sender<f64>) -> Summary {
    let (mut count, mut total) = (0u64, 0.0);
    while let Ok(x) = numbers.recv().await {
        count += 1;
        total += x;
        // A closed reply channel only means nobody reads the averages.
        let _ = averages.send(total / count as f64).await;
    }
    Summary {
        count,
        average: (count > 0).then(|| total / count as f64),
    }
}

/// Feeds `values` to a spawned averager one at a time, collecting each
/// reply; then closes the input and awaits the summary.
pub async fn run(values: &[f64]) -> (Vec<f64>, Summary) {
    let (num_tx, num_rx) = bounded(1);
    let (avg_tx, avg_rx) = bounded(1);
    let task = solo::spawn(averager(num_rx, avg_tx));
    let mut averages = Vec::with_capacity(values.len());
    for &v in values {
        if num_tx.send(v).await.is_err() {
            break;
        }
        match avg_rx.recv().await {
            Ok(avg) => averages.push(avg),
            Err(_) => break,
        }
    }
    drop(num_tx); // closes the input: the averager returns
    let summary = task.await.unwrap_or(Summary {
        count: 0,
        average: None,
    });
    (averages, summary)
}
