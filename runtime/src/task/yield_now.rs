use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets the other ready tasks run, then resumes.
///
/// The current task goes to the back of the ready queue, which is FIFO: two
/// tasks that alternate `yield_now().await` interleave exactly.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use solo::task::yield_now;
///
/// let lines = solo::block_on(async {
///     let lines = Rc::new(RefCell::new(Vec::new()));
///     let (a, b) = (lines.clone(), lines.clone());
///     let one = solo::spawn(async move {
///         a.borrow_mut().push("one 1");
///         yield_now().await;
///         a.borrow_mut().push("one 2");
///     });
///     let two = solo::spawn(async move {
///         b.borrow_mut().push("two 1");
///         yield_now().await;
///         b.borrow_mut().push("two 2");
///     });
///     one.await.unwrap();
///     two.await.unwrap();
///     lines.take()
/// });
/// assert_eq!(lines, ["one 1", "two 1", "one 2", "two 2"]);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
