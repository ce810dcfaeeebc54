//! [`select!`](crate::select): wait for the first of several futures.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};

/// Waits on several futures at once and runs the handler of the first one
/// to complete whose output matches its pattern; the other futures are
/// dropped (cancelled). tokio's syntax and meaning, as a `macro_rules!`
/// macro of solo's own.
///
/// ```text
/// solo::select! {
///     biased;                                       // optional: poll in order
///     <pattern> = <future> [, if <precondition>] => <handler>,
///     ...
///     else => <expression>                          // optional
/// }
/// ```
///
/// - Each branch's precondition is evaluated, then its future is created,
///   branch by branch in the order written; a branch whose precondition
///   is false is disabled: its future is created but never polled.
/// - The futures are polled on the current task, starting each time from a
///   branch picked at random (for fairness), or in the order written with
///   `biased;`.
/// - When one completes, its output is matched against the branch's
///   pattern: if it matches, every other future is dropped and the
///   handler runs (in the caller's async context: it may `.await`,
///   `return`, `break` or use `?`); if not, that branch is disabled and
///   the others go on.
/// - Once every branch is disabled, the `else` expression runs; without
///   an `else`, `select!` panics.
/// - The futures need not be `Unpin` nor `FusedFuture`: they are pinned on
///   the task's stack, without an allocation. At most 64 branches.
///
/// ```
/// use std::time::Duration;
/// use solo::time::sleep;
///
/// solo::block_on(async {
///     let (tx, rx) = solo::sync::oneshot::channel::<u32>();
///     solo::spawn(async move {
///         sleep(Duration::from_millis(10)).await;
///         let _ = tx.send(7);
///     });
///     let got = solo::select! {
///         Ok(value) = rx => value,
///         _ = sleep(Duration::from_secs(10)) => 0,
///     };
///     assert_eq!(got, 7);
/// });
/// ```
#[macro_export]
macro_rules! select {
    (biased; $($rest:tt)*) => {
        $crate::__select!(@parse true [] $($rest)*)
    };
    ($($rest:tt)*) => {
        $crate::__select!(@parse false [] $($rest)*)
    };
}

// Stages:
// @parse  turns the branches into `{ (pattern) (future) (precondition) (handler) }`
//         and the `else` into `else (expression)`;
// @run    yields the winner's output from a block that owns the futures
//         (so the losers are dropped before any handler runs), then @match
//         runs the handler;
// @pin    creates each branch's precondition and pinned future, under the
//         names `c` and `f`: every recursion step gives them their own
//         hygiene context, so they stay distinct; it counts the branches
//         with `_` tokens (branch k carries k of them);
// @poll   polls until a branch wins or every branch is disabled.
#[doc(hidden)]
#[macro_export]
macro_rules! __select {
    // ---- parse: else (last)
    (@parse $biased:tt [$($b:tt)*] else => $e:block $(,)?) => {
        $crate::__select!(@run $biased [$($b)*] else ($e))
    };
    (@parse $biased:tt [$($b:tt)*] else => $e:expr $(,)?) => {
        $crate::__select!(@run $biased [$($b)*] else ($e))
    };
    // ---- parse: branches with a precondition
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr, if $c:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) ($c) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr, if $c:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) ($c) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr, if $c:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) ($c) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr, if $c:expr => $h:expr) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) ($c) ($h) }])
    };
    // ---- parse: branches without
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) (true) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) (true) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) (true) ($h) }] $($rest)*)
    };
    (@parse $biased:tt [$($b:tt)*] $p:pat = $f:expr => $h:expr) => {
        $crate::__select!(@parse $biased [$($b)* { ($p) ($f) (true) ($h) }])
    };
    // ---- parse: the end, without else
    (@parse $biased:tt [$($b:tt)+]) => {
        $crate::__select!(@run $biased [$($b)+] else ({ ::std::panic!(
            "solo::select!: all branches are disabled and there is no else branch"
        ) }))
    };
    (@parse $biased:tt []) => {
        ::std::compile_error!("solo::select! needs at least one branch `pattern = future => handler`")
    };

    // ---- run: the futures live (and are dropped) inside the block that
    // yields the winner's output; the handler runs after, as in tokio.
    (@run $biased:tt [$({ ($p:pat) ($f:expr) ($c:expr) ($h:tt) })+] else ($e:tt)) => {{
        let out = $crate::__select!(@pin $biased () [] [$({ ($p) ($f) ($c) })+]);
        $crate::__select!(@match out [$({ ($p) ($h) })+] else ($e))
    }};

    // ---- pin, one branch per step
    (@pin $biased:tt ($($skip:tt)*) [$($done:tt)*]
        [{ ($p:pat) ($fut:expr) ($cond:expr) } $($todo:tt)*]) => {{
        let c: bool = $cond;
        let mut f = ::std::pin::pin!($fut);
        $crate::__select!(@pin $biased ($($skip)* _)
            [$($done)* { ($($skip)*) f c ($p) }] [$($todo)*])
    }};
    (@pin $biased:tt ($($all:tt)*) [$($done:tt)*] []) => {
        $crate::__select!(@poll $biased ($($all)*) [$($done)*])
    };

    // ---- poll until a branch wins, or all are disabled
    (@poll $biased:tt ($($all:tt)*) [$({ ($($skip:tt)*) $f:ident $c:ident ($p:pat) })*]) => {{
        const BRANCHES: u32 = 0 $(+ $crate::__select!(@one $all))*;
        const _: () = ::std::assert!(BRANCHES <= 64, "solo::select!: at most 64 branches");
        let mut disabled: u64 = 0;
        $(
            if !$c {
                disabled |= 1 << (0 $(+ $crate::__select!(@one $skip))*);
            }
        )*
        ::std::future::poll_fn(|cx| {
            use ::std::future::Future as _;
            let start = if $biased { 0 } else { $crate::macros::select::random_start(BRANCHES) };
            for i in 0..BRANCHES {
                #[allow(clippy::modulo_one)] // one branch
                let branch = (start + i) % BRANCHES;
                $(
                    #[allow(clippy::identity_op)]
                    let k: u32 = 0 $(+ $crate::__select!(@one $skip))*;
                    if branch == k && disabled & (1 << k) == 0 {
                        if let ::std::task::Poll::Ready(out) = $f.as_mut().poll(cx) {
                            disabled |= 1 << k;
                            #[allow(unused_variables, unused_mut, unreachable_patterns)]
                            let matched = match &out {
                                $p => true,
                                _ => false,
                            };
                            if matched {
                                return ::std::task::Poll::Ready(
                                    $crate::__select!(@wrap_e ($($skip)*) out),
                                );
                            }
                        }
                    }
                )*
            }
            if disabled.count_ones() == BRANCHES {
                return ::std::task::Poll::Ready($crate::__select!(@end_e ($($all)*)
                    $crate::macros::select::End::Disabled));
            }
            ::std::task::Poll::Pending
        })
        .await
    }};

    // ---- match the winner, one level of the chain per branch
    (@match $v:ident [{ ($p:pat) ($h:tt) } $($rest:tt)*] else ($e:tt)) => {
        #[allow(unreachable_patterns, unused_variables)]
        match $v {
            $crate::macros::select::Out::Here($p) => $h,
            $crate::macros::select::Out::Next(v) => {
                $crate::__select!(@match v [$($rest)*] else ($e))
            }
            _ => ::std::unreachable!("solo::select!: a branch won with an output its pattern refused"),
        }
    };
    (@match $v:ident [] else ($e:tt)) => {
        match $v {
            $crate::macros::select::End::Disabled => $e,
        }
    };

    (@one $t:tt) => { 1 };
    // `Next(Next(..Here(x)))`, with one `Next` per `_` (`wrap_e`), and the
    // chain's end, `Next(..Next(End))` with one `Next` per branch (`end_e`).
    (@wrap_e () $x:expr) => { $crate::macros::select::Out::Here($x) };
    (@wrap_e (_ $($rest:tt)*) $x:expr) => {
        $crate::macros::select::Out::Next($crate::__select!(@wrap_e ($($rest)*) $x))
    };
    (@end_e () $x:expr) => { $x };
    (@end_e (_ $($rest:tt)*) $x:expr) => {
        $crate::macros::select::Out::Next($crate::__select!(@end_e ($($rest)*) $x))
    };
}

/// A select's result: branch 0's output, or the rest of the chain.
#[doc(hidden)]
#[derive(Debug)]
pub enum Out<A, B> {
    Here(A),
    Next(B),
}

/// The end of the chain: every branch was disabled.
#[doc(hidden)]
#[derive(Debug)]
pub enum End {
    Disabled,
}

/// A pseudo-random branch in `0..n` to start polling from: the fairness
/// of an unbiased `select!`.
#[doc(hidden)]
pub fn random_start(n: u32) -> u32 {
    // A seeded runtime draws it from its seed, so that a replay replays
    // `select!` too.
    let seeded = crate::context::with_current(|core| {
        core.scheduler
            .rng()
            .map(|rng| rng.below(n.max(1) as usize) as u32)
    });
    if let Some(Some(start)) = seeded {
        return start;
    }
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            // Seeded once per thread from std's random hash keys.
            x = RandomState::new().hash_one(std::thread::current().id()) | 1;
        }
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        ((x >> 32) as u32) % n.max(1)
    })
}
