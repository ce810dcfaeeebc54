//! Signals: [`ctrl_c`], for servers that stop cleanly, and, in [`unix`],
//! a stream per signal kind ([`unix::signal`]), with tokio's names and
//! meaning.

use std::io;

pub mod unix;

/// Completes when the process receives SIGINT (Ctrl-C in a terminal).
///
/// As with tokio, only SIGINTs that arrive after the first poll count: the
/// listener ([`unix::signal`]`(`[`SignalKind::interrupt`](unix::SignalKind::interrupt)`)`)
/// is created then, and dropped (its descriptors closed) when the future
/// completes or is dropped. Any number of calls may wait at once; one
/// SIGINT completes them all.
///
/// Once `ctrl_c` has been polled, SIGINT no longer kills the process, for
/// the rest of its life: the program decides what Ctrl-C does (see
/// [`unix::signal`]).
///
/// # Errors
///
/// Outside a runtime, or if the listener cannot be set up (see
/// [`unix::signal`]) or fails while waiting.
///
/// ```no_run
/// solo::block_on(async {
///     let server = solo::spawn(async { /* serve */ });
///     solo::signal::ctrl_c().await.expect("listen for Ctrl-C");
///     server.abort();
///     println!("stopped");
/// });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    unix::signal(unix::SignalKind::interrupt())?
        .recv()
        .await
        .ok_or_else(|| io::Error::other("the SIGINT listener failed"))
}
