//! What a task holds over its life: its future, then its output, then nothing.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{JoinError, TaskId};

pin_project! {
    #[project = StageProj]
    pub(crate) enum Stage<F: Future> {
        Running { #[pin] future: F, id: TaskId },
        Finished { output: Option<Result<F::Output, JoinError>> },
        Consumed,
    }
}

impl<F: Future> Stage<F> {
    pub(crate) fn new(future: F, id: TaskId) -> Self {
        Stage::Running { future, id }
    }

    /// Polls the future. On completion (or panic) the future is dropped in
    /// place and its result kept for the `JoinHandle`; returns `Ready(())`.
    pub(crate) fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (result, id) = match self.as_mut().project() {
            StageProj::Running { future, id } => {
                let id = *id;
                match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(value)) => (Ok(value), id),
                    Err(payload) => (Err(JoinError::panic(id, payload)), id),
                }
            }
            _ => return Poll::Ready(()),
        };
        self.finish(result, id);
        Poll::Ready(())
    }

    /// Drops the future (if still running) and records a cancellation.
    pub(crate) fn cancel(mut self: Pin<&mut Self>) {
        if let StageProj::Running { id, .. } = self.as_mut().project() {
            let id = *id;
            self.finish(Err(JoinError::cancelled(id)), id);
        }
    }

    /// Moves the result into `out`, which must be an
    /// `Option<Result<F::Output, JoinError>>`; leaves it untouched otherwise.
    pub(crate) fn take_output(self: Pin<&mut Self>, out: &mut dyn Any)
    where
        F::Output: 'static,
    {
        if let StageProj::Finished { output } = self.project() {
            if let Some(out) = out.downcast_mut::<Option<Result<F::Output, JoinError>>>() {
                *out = output.take();
            }
        }
    }

    /// Drops whatever is left (future or output). A panicking destructor is
    /// caught: it must not unwind into the scheduler.
    pub(crate) fn consume(mut self: Pin<&mut Self>) {
        let _ = catch_unwind(AssertUnwindSafe(|| self.as_mut().set(Stage::Consumed)));
    }

    /// Replaces the future with its result. Dropping the future may panic;
    /// that panic is caught and becomes the result instead.
    fn finish(mut self: Pin<&mut Self>, output: Result<F::Output, JoinError>, id: TaskId) {
        let mut output = Some(output);
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            self.as_mut().set(Stage::Finished {
                output: output.take(),
            })
        }));
        if let Err(payload) = dropped {
            self.set(Stage::Finished {
                output: Some(Err(JoinError::panic(id, payload))),
            });
        }
    }
}
