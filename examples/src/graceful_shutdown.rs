//! A server that stops gracefully: when told to stop (SIGTERM, in the
//! example program) it stops accepting at once, so new connections are
//! refused, lets the connections in flight finish within a drain timeout,
//! cuts off those still running after it, and returns.
//!
//! Each connection is [`hello_server`]'s: a request
//! ending in a blank line, answered `Hello ` + the request.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use solo::net::TcpListener;
use solo::sync::Semaphore;
use solo::task::JoinSet;
use solo::time::{sleep, timeout};

use crate::hello_server::{self, MAX_CLIENTS};

/// How a server's shutdown went.
#[derive(Copy, Clone, Debug, Default, Eq, PartialEq)]
pub struct Shutdown {
    /// Connections accepted in all.
    pub accepted: u64,
    /// Connections in flight when the stop came.
    pub in_flight: u64,
    /// Of those, the ones cut off by the drain timeout.
    pub cut_off: u64,
}

/// Serves `listener` until `stop` completes, then drains: the listener is
/// closed at once (new connections are refused), the connections in
/// flight get up to `drain` to finish, and any still running then are
/// aborted (their sockets closed). Returns how it went; an error only if
/// accepting failed for good before the stop.
pub async fn serve_until(
    listener: TcpListener,
    stop: impl Future<Output = ()>,
    drain: Duration,
) -> io::Result<Shutdown> {
    let mut report = Shutdown::default();
    let mut connections = JoinSet::new();
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    let mut stop = std::pin::pin!(stop);
    loop {
        // Finished connections leave the set as we go, so it stays small.
        while connections.try_join_next().is_some() {}
        let accept = async {
            let permit = slots.acquire_arc().await;
            Some((listener.accept().await, permit))
        };
        let stopped = async {
            stop.as_mut().await;
            None
        };
        match futures_lite::future::or(stopped, accept).await {
            None => break,
            Some((Ok((stream, peer)), permit)) => {
                report.accepted += 1;
                connections.spawn(async move {
                    if let Err(e) = hello_server::handle(stream).await {
                        log::debug!("client {peer}: {e}");
                    }
                    drop(permit);
                });
            }
            Some((Err(e), _)) if hello_server::is_transient(&e) => {
                log::warn!("accept: {e}; retrying shortly");
                sleep(Duration::from_millis(100)).await;
            }
            Some((Err(e), _)) => return Err(e),
        }
    }
    // Refuse new connections from now on.
    drop(listener);
    while connections.try_join_next().is_some() {}
    report.in_flight = connections.len() as u64;
    let drained = timeout(drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        report.cut_off = connections.len() as u64;
        connections.shutdown().await;
    }
    Ok(report)
}
