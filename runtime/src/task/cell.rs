//! What a task holds over its life: its future, then its output, then nothing.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{JoinError, TaskId};

/// Why a task has no output: its panic's payload, or `None` if cancelled.
pub(crate) type Failure = Option<Box<dyn Any + Send + 'static>>;

/// How a finished poll ended: the future completed, or it panicked (with
/// the panic's message, when it is a string).
#[derive(Debug)]
pub(crate) enum Finished {
    Completed,
    Panicked(Option<String>),
}

/// A panic payload's message, if it is a string (as `panic!` makes).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&'static str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

pin_project! {
    #[project = StageProj]
    pub(crate) enum Stage<F: Future> {
        Running { #[pin] future: F },
        // The error is kept small (a panic payload, or `None` for a
        // cancellation) and becomes a `JoinError` when taken.
        Finished { output: Option<Result<F::Output, Failure>> },
        Consumed,
    }
}

impl<F: Future> Stage<F> {
    pub(crate) fn new(future: F) -> Self {
        Stage::Running { future }
    }

    /// Polls the future. On completion (or panic) the future is dropped in
    /// place and its result kept for the `JoinHandle`; returns `Ready(())`.
    ///
    /// A panicking future is dropped while the panic unwinds, before it is
    /// caught, as `std::thread` and tokio do: its destructors see
    /// `std::thread::panicking()`, so a `std::sync::Mutex` guard it holds
    /// poisons the mutex. A destructor that panics during that unwind is a
    /// panic while panicking, which aborts the process.
    pub(crate) fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Finished> {
        if !matches!(*self, Stage::Running { .. }) {
            return Poll::Ready(Finished::Completed);
        }
        let polled = catch_unwind(AssertUnwindSafe(|| {
            let mut guard = DropOnUnwind(self.as_mut());
            let StageProj::Running { future } = guard.0.as_mut().project() else {
                unreachable!("checked above")
            };
            let poll = future.poll(cx);
            std::mem::forget(guard);
            poll
        }));
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            // The future is gone already (`DropOnUnwind`).
            Err(payload) => {
                let message = panic_message(&*payload);
                self.set(Stage::Finished {
                    output: Some(Err(Some(payload))),
                });
                return Poll::Ready(Finished::Panicked(message));
            }
        };
        self.finish(result);
        Poll::Ready(Finished::Completed)
    }

    /// Drops the future (if still running) and records a cancellation.
    pub(crate) fn cancel(mut self: Pin<&mut Self>) {
        if let StageProj::Running { .. } = self.as_mut().project() {
            self.finish(Err(None));
        }
    }

    /// Moves the result into `out`, which must be an
    /// `Option<Result<F::Output, JoinError>>`; leaves it untouched otherwise.
    pub(crate) fn take_output(self: Pin<&mut Self>, out: &mut dyn Any, id: TaskId)
    where
        F::Output: 'static,
    {
        if let StageProj::Finished { output } = self.project() {
            if let Some(out) = out.downcast_mut::<Option<Result<F::Output, JoinError>>>() {
                *out = output.take().map(|r| {
                    r.map_err(|failure| match failure {
                        Some(payload) => JoinError::panic(id, payload),
                        None => JoinError::cancelled(id),
                    })
                });
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
    fn finish(mut self: Pin<&mut Self>, output: Result<F::Output, Failure>) {
        let mut output = Some(output);
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            self.as_mut().set(Stage::Finished {
                output: output.take(),
            })
        }));
        if let Err(payload) = dropped {
            self.set(Stage::Finished {
                output: Some(Err(Some(payload))),
            });
        }
    }
}

/// Drops the stage's future if the poll it guards unwinds; forgotten when
/// the poll returns.
struct DropOnUnwind<'a, F: Future>(Pin<&'a mut Stage<F>>);

impl<F: Future> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        self.0.as_mut().set(Stage::Consumed);
    }
}
