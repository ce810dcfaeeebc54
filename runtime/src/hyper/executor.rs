//! [`SoloExecutor`]: hyper's executor, as `solo::spawn`.

use std::future::Future;

/// hyper's [`Executor`](hyper::rt::Executor) on solo: each future hyper
/// hands it (an HTTP/2 stream, a client connection's background work) is
/// [`spawn`](crate::spawn)ed as a task of the runtime running on this
/// thread, and detached.
///
/// The futures need not be `Send`: an HTTP/2 connection may serve a service
/// that holds `Rc`s. Pass it to `hyper::server::conn::http2::Builder::new`
/// or `hyper::client::conn::http2::Builder::new`.
///
/// # Panics
///
/// `execute` panics outside a runtime, as [`spawn`](crate::spawn) does.
#[derive(Clone, Copy, Debug, Default)]
pub struct SoloExecutor;

impl<F> hyper::rt::Executor<F> for SoloExecutor
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn execute(&self, future: F) {
        // Detached: hyper watches its tasks through its own channels.
        drop(crate::spawn(future));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use hyper::rt::Executor;

    use super::SoloExecutor;

    #[test]
    fn execute_runs_a_future_that_is_not_send_on_this_runtime() {
        crate::block_on(async {
            let ran = Rc::new(Cell::new(false));
            let flag = ran.clone();
            SoloExecutor.execute(async move { flag.set(true) });
            for _ in 0..10 {
                if ran.get() {
                    break;
                }
                crate::task::yield_now().await;
            }
            assert!(ran.get(), "the executed future never ran");
        });
    }
}
