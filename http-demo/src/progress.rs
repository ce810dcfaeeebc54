//! A progress bar on stderr for runs longer than a second (terminal only).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Watches a counter from a thread of its own; the bar appears once the
/// run has lasted a second, and is cleared when the watch is dropped.
pub struct Watch {
    done: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watch {
    /// Starts watching `counter` up to `total`; does nothing unless stderr
    /// is a terminal.
    pub fn start(label: String, total: usize, counter: Arc<AtomicUsize>) -> Watch {
        let done = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let done = done.clone();
            thread::spawn(move || watch(label, total, &counter, &done))
        });
        Watch { done, thread }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watch(label: String, total: usize, counter: &AtomicUsize, done: &AtomicBool) {
    let start = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    while !done.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(100));
        if bar.is_none() && start.elapsed() >= Duration::from_secs(1) {
            let b = ProgressBar::new(total as u64).with_message(label.clone());
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({elapsed})")
            {
                b.set_style(style.progress_chars("=> "));
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(counter.load(Ordering::Relaxed) as u64);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}
