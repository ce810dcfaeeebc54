//! [`SoloTimer`] and its [`SoloSleep`]: hyper's timer on solo's clock.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::Duration;

use crate::time::{Instant, Sleep};

/// hyper's [`Timer`](hyper::rt::Timer) on solo: sleeps on the clock of the
/// runtime running on this thread, a [paused](crate::time::pause) one
/// included, and [`now`](hyper::rt::Timer::now) reads that clock (hyper
/// computes its deadlines from it).
///
/// Give it to hyper's connection builders (`.timer(SoloTimer)`) for
/// `header_read_timeout` (HTTP/1.1) and keep-alive pings (HTTP/2). Its
/// sleeps are [`SoloSleep`]s: they must be created and polled on the
/// runtime's thread; [`reset`](hyper::rt::Timer::reset) moves one's
/// deadline in place, without allocating.
#[derive(Clone, Copy, Debug, Default)]
pub struct SoloTimer;

impl hyper::rt::Timer for SoloTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SoloSleep::new(crate::time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SoloSleep::new(crate::time::sleep_until(Instant::from_std(
            deadline,
        ))))
    }

    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: std::time::Instant) {
        match sleep.as_mut().downcast_mut_pin::<SoloSleep>() {
            Some(ours) => ours.reset(Instant::from_std(new_deadline)),
            // Some other timer's sleep: replace it.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A [`Sleep`] that hyper may hold in its `Send + Sync` connection state:
/// the sleeps of [`SoloTimer`].
///
/// solo's [`Sleep`] is `!Send`: once polled it holds an `Rc` to the
/// runtime, whose count and timers are not atomic. This type is `Send` and
/// `Sync` because it never touches that `Sleep` anywhere but on the thread
/// that created it (the runtime's thread), whatever thread it is moved to:
///
/// * polling or [`reset`](Self::reset)ting it on another thread panics
///   (`SoloSleep polled on thread ... but created on ...`), before touching
///   the inner sleep;
/// * dropping it on another thread leaks the inner sleep (its timer stays
///   in the runtime's store until it fires, then is freed) instead of
///   dropping the `Rc` from the wrong thread;
/// * through `&SoloSleep` only its deadline, a plain `Copy` value, is read.
///
/// hyper keeps a connection's sleeps inside the connection future, which
/// solo runs on its own thread, so the panic and the leak do not happen in
/// practice. The check costs one thread-local read per poll. (The
/// alternative, making solo's `Sleep` itself `Send` with atomics, would tax
/// every timer of every solo program for hyper's bound.)
pub struct SoloSleep {
    /// Touched only on `thread`: see the type's docs.
    inner: ManuallyDrop<Sleep>,
    /// The thread that created `inner` (thread ids are never reused).
    thread: ThreadId,
}

// SAFETY: the one `!Send` part is `inner`, whose `Rc` to the runtime may be
// cloned, dropped or used only on the thread that made it. `SoloSleep`
// uses `inner` (poll, reset, drop) only after checking that the current
// thread is `thread`, the one that created it; on any other thread, poll
// and reset panic first and drop leaks `inner` untouched. Moving the value
// between threads moves only its bytes, which no other thread can reach.
unsafe impl Send for SoloSleep {}

// SAFETY: through `&SoloSleep` nothing reaches the `Rc`: the only `&self`
// method that reads `inner` is `Debug`/`deadline`, which copies its
// `Instant` field, a plain value never written while shared references
// exist. Every other use of `inner` takes `&mut self` or `Pin<&mut Self>`.
unsafe impl Sync for SoloSleep {}

impl SoloSleep {
    fn new(inner: Sleep) -> SoloSleep {
        SoloSleep {
            inner: ManuallyDrop::new(inner),
            thread: thread::current().id(),
        }
    }

    /// When this sleep completes, on the runtime's clock.
    pub fn deadline(&self) -> Instant {
        self.inner.deadline()
    }

    /// Moves the deadline in place (no allocation): pending again if it is
    /// in the future, ready at the next poll if it has passed.
    ///
    /// # Panics
    ///
    /// On any thread but the one that created the sleep.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.check("reset");
        this.inner.reset(deadline);
    }

    /// Panics unless the current thread created `inner`.
    fn check(&self, what: &str) {
        let here = thread::current().id();
        assert!(
            here == self.thread,
            "solo::hyper::SoloSleep {what} on thread {here:?} but created on {:?}: \
             hyper's timer must run on the solo runtime's thread",
            self.thread
        );
    }
}

impl Future for SoloSleep {
    type Output = ();

    /// As [`Sleep`]'s poll: never ready before the deadline.
    ///
    /// # Panics
    ///
    /// On any thread but the one that created the sleep, and outside a
    /// runtime.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.check("polled");
        Pin::new(&mut *this.inner).poll(cx)
    }
}

impl hyper::rt::Sleep for SoloSleep {}

impl Drop for SoloSleep {
    fn drop(&mut self) {
        if thread::current().id() == self.thread {
            // SAFETY: `inner` is dropped once, here, and never used again.
            unsafe { ManuallyDrop::drop(&mut self.inner) };
        }
        // On another thread: leaked on purpose (see the type's docs).
    }
}

impl std::fmt::Debug for SoloSleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoloSleep")
            .field("deadline", &self.deadline())
            .field("thread", &self.thread)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use hyper::rt::Timer;

    use super::{SoloSleep, SoloTimer};
    use crate::time::Instant;

    fn paused<F: Future>(f: F) -> F::Output {
        crate::Builder::new()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_solo_sleep_is_send_and_sync_as_hyper_requires() {
        fn hyper_sleep<T: hyper::rt::Sleep>() {}
        hyper_sleep::<SoloSleep>();
    }

    #[test]
    fn a_sleep_completes_at_its_deadline_on_the_paused_clock_never_before() {
        paused(async {
            let start = Instant::now();
            SoloTimer.sleep(Duration::from_secs(3600)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(3600));
        });
    }

    #[test]
    fn now_reads_the_runtimes_paused_clock() {
        paused(async {
            let before = SoloTimer.now();
            crate::time::advance(Duration::from_secs(5)).await;
            assert_eq!(SoloTimer.now() - before, Duration::from_secs(5));
        });
    }

    #[test]
    fn reset_moves_the_deadline_in_place_without_a_new_box() {
        paused(async {
            let start = Instant::now();
            let mut sleep = SoloTimer.sleep(Duration::from_secs(60));
            // Register the timer first, so reset moves a live one.
            let waker = Waker::noop();
            let pending = sleep.as_mut().poll(&mut Context::from_waker(waker));
            assert!(pending.is_pending());
            let before = &*sleep as *const dyn hyper::rt::Sleep as *const ();
            SoloTimer.reset(&mut sleep, (start + Duration::from_secs(2)).into_std());
            let after = &*sleep as *const dyn hyper::rt::Sleep as *const ();
            assert_eq!(before, after, "reset allocated a new sleep");
            sleep.await;
            assert_eq!(start.elapsed(), Duration::from_secs(2));
        });
    }

    #[test]
    fn a_sleep_polled_on_another_thread_panics_and_is_leaked_there() {
        let sleep = paused(async {
            let mut sleep = Box::pin(SoloSleep::new(crate::time::sleep(Duration::from_secs(9))));
            let polled = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(polled.is_pending());
            Some(sleep) // not awaited here: the other thread polls it
        })
        .unwrap();
        let outcome = std::thread::spawn(move || {
            let mut sleep = sleep;
            let _ = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        })
        .join();
        let payload = outcome.expect_err("polling on another thread must panic");
        let message = payload
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert!(message.contains("SoloSleep polled on thread"), "{message}");
    }

    #[test]
    fn dropping_a_sleep_on_another_thread_does_not_panic() {
        let sleep = paused(async {
            let mut sleep = SoloTimer.sleep(Duration::from_secs(9));
            let polled = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert_eq!(polled, Poll::Pending);
            Some(sleep) // not awaited here: the other thread drops it
        })
        .unwrap();
        std::thread::spawn(move || drop(sleep)).join().unwrap();
    }

    #[test]
    fn reset_into_the_past_makes_the_sleep_ready_at_once() {
        paused(async {
            let start = Instant::now();
            let mut sleep: Pin<Box<dyn hyper::rt::Sleep>> =
                SoloTimer.sleep(Duration::from_secs(60));
            SoloTimer.reset(&mut sleep, start.into_std());
            sleep.await;
            assert_eq!(start.elapsed(), Duration::ZERO);
        });
    }
}
