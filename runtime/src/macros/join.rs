//! [`join!`](crate::join) and [`try_join!`](crate::try_join): await several
//! futures at once, on the current task.
//!
//! Both are `macro_rules!` macros of solo's own, with tokio's syntax and
//! meaning: every future is polled on the task that awaits the macro
//! (concurrently, not in parallel), none needs to be `Unpin` or
//! `FusedFuture`, and they are pinned on that task's stack, without an
//! allocation. Each poll starts with the first future.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Waits for every future, and yields their outputs as a tuple, in the
/// order the futures were given.
///
/// All of them run on the current task, concurrently: the whole waits as
/// long as the slowest one. Dropping the `join!` (a `timeout` around it,
/// say) drops every future that has not finished.
///
/// ```
/// use std::time::{Duration, Instant};
/// use solo::time::sleep;
///
/// solo::block_on(async {
///     let start = Instant::now();
///     let (a, b) = solo::join!(
///         async { sleep(Duration::from_millis(30)).await; 1 },
///         async { sleep(Duration::from_millis(30)).await; "two" },
///     );
///     assert_eq!((a, b), (1, "two"));
///     assert!(start.elapsed() < Duration::from_millis(60)); // at once, not one after the other
/// });
/// ```
#[macro_export]
macro_rules! join {
    ($($future:expr),+ $(,)?) => {
        $crate::__join!(@pin [] $($future,)+)
    };
}

/// Waits for every future, which yield `Result`s, and yields `Ok` of the
/// tuple of their values; or, as soon as one yields `Err`, that error, and
/// the others are dropped (cancelled) at once.
///
/// ```
/// solo::block_on(async {
///     let ok: Result<(u8, u16), String> = solo::try_join!(async { Ok(1) }, async { Ok(2) });
///     assert_eq!(ok, Ok((1, 2)));
///
///     let failed: Result<(u8, ()), String> = solo::try_join!(
///         async { Err("first".to_string()) },
///         std::future::pending::<Result<(), String>>(), // dropped, not awaited forever
///     );
///     assert_eq!(failed, Err("first".to_string()));
/// });
/// ```
#[macro_export]
macro_rules! try_join {
    ($($future:expr),+ $(,)?) => {
        $crate::__try_join!(@pin [] $($future,)+)
    };
}

// Each recursion step pins one future under the name `f`: the name is the
// same in the source, but every expansion gives it its own hygiene
// context, so the list collects as many distinct bindings as futures.
#[doc(hidden)]
#[macro_export]
macro_rules! __join {
    (@pin [$($f:ident)*] $future:expr, $($rest:expr,)*) => {{
        let mut f = ::std::pin::pin!($crate::macros::MaybeDone::new($future));
        $crate::__join!(@pin [$($f)* f] $($rest,)*)
    }};
    (@pin [$($f:ident)*]) => {
        ::std::future::poll_fn(|cx| {
            let mut done = true;
            $( done &= $f.as_mut().poll_done(cx); )*
            if !done {
                return ::std::task::Poll::Pending;
            }
            ::std::task::Poll::Ready(($( $f.as_mut().take_output(), )*))
        })
        .await
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __try_join {
    (@pin [$($f:ident)*] $future:expr, $($rest:expr,)*) => {{
        let mut f = ::std::pin::pin!($crate::macros::MaybeDone::new($future));
        $crate::__try_join!(@pin [$($f)* f] $($rest,)*)
    }};
    (@pin [$($f:ident)*]) => {
        ::std::future::poll_fn(|cx| {
            let mut done = true;
            $(
                done &= $f.as_mut().poll_done(cx);
                if let ::std::option::Option::Some(e) = $f.as_mut().take_err() {
                    return ::std::task::Poll::Ready(::std::result::Result::Err(e));
                }
            )*
            if !done {
                return ::std::task::Poll::Pending;
            }
            ::std::task::Poll::Ready(::std::result::Result::Ok((
                $( $f.as_mut().take_ok(), )*
            )))
        })
        .await
    };
}

pin_project! {
    /// A future and, once it has finished, its output: what `join!` keeps
    /// per branch. Not part of solo's API.
    #[doc(hidden)]
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    pub enum MaybeDone<F: Future> {
        Running { #[pin] future: F },
        Done { output: F::Output },
        Taken,
    }
}

impl<F: Future> MaybeDone<F> {
    #[doc(hidden)]
    pub fn new(future: F) -> Self {
        MaybeDone::Running { future }
    }

    /// Polls the future if it is still running; whether it has finished.
    #[doc(hidden)]
    pub fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        let output = match self.as_mut().project() {
            MaybeDoneProj::Running { future } => match future.poll(cx) {
                Poll::Ready(output) => output,
                Poll::Pending => return false,
            },
            MaybeDoneProj::Done { .. } | MaybeDoneProj::Taken => return true,
        };
        self.set(MaybeDone::Done { output });
        true
    }

    /// The output, once: `join!` takes it when every branch has finished.
    #[doc(hidden)]
    pub fn take_output(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Taken) {
            MaybeDoneReplace::Done { output } => output,
            _ => unreachable!("join!: an output taken before its future finished, or twice"),
        }
    }
}

impl<F, T, E> MaybeDone<F>
where
    F: Future<Output = Result<T, E>>,
{
    /// The error, if the future finished with one (it is then taken).
    #[doc(hidden)]
    pub fn take_err(self: Pin<&mut Self>) -> Option<E> {
        if !matches!(&*self, MaybeDone::Done { output: Err(_) }) {
            return None;
        }
        self.take_output().err()
    }

    /// The value of a future that finished with `Ok`.
    #[doc(hidden)]
    pub fn take_ok(self: Pin<&mut Self>) -> T {
        match self.take_output() {
            Ok(value) => value,
            Err(_) => unreachable!("try_join!: errors are taken as soon as they come"),
        }
    }
}
