//! The task cell: one allocation holding a task's future, then its output.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{JoinError, TaskId};

/// A spawned task with its type erased, as the scheduler stores it.
pub(crate) trait Cell {
    /// Polls the future. On completion (or panic) the future is dropped in
    /// place and its result kept for the `JoinHandle`; returns `Ready(())`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// Drops the future (if still running) and records a cancellation.
    fn cancel(self: Pin<&mut Self>);

    /// Moves the result into `out`, which must be an
    /// `Option<Result<F::Output, JoinError>>`; leaves it untouched otherwise.
    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any);
}

pin_project! {
    /// What a task holds over its life: its future, then its result.
    #[project = StageProj]
    pub(crate) enum Stage<F: Future> {
        Running { #[pin] future: F, id: TaskId },
        Finished { output: Option<Result<F::Output, JoinError>> },
    }
}

impl<F: Future> Stage<F> {
    pub(crate) fn new(future: F, id: TaskId) -> Self {
        Stage::Running { future, id }
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

impl<F> Cell for Stage<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (result, id) = match self.as_mut().project() {
            StageProj::Running { future, id } => {
                let id = *id;
                match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(value)) => (Ok(value), id),
                    Err(payload) => (Err(JoinError::panic(id, payload)), id),
                }
            }
            StageProj::Finished { .. } => return Poll::Ready(()),
        };
        self.finish(result, id);
        Poll::Ready(())
    }

    fn cancel(mut self: Pin<&mut Self>) {
        if let StageProj::Running { id, .. } = self.as_mut().project() {
            let id = *id;
            self.finish(Err(JoinError::cancelled(id)), id);
        }
    }

    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any) {
        if let StageProj::Finished { output } = self.project() {
            if let Some(out) = out.downcast_mut::<Option<Result<F::Output, JoinError>>>() {
                *out = output.take();
            }
        }
    }
}
