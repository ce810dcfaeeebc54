//! solo's `macro_rules!` macros: [`join!`](crate::join),
//! [`try_join!`](crate::try_join) and [`select!`](crate::select), with
//! tokio's syntax and meaning, and the items their expansions use (hidden:
//! not part of solo's API).

#[doc(hidden)]
pub mod join;
#[doc(hidden)]
pub mod select;

#[doc(hidden)]
pub use join::MaybeDone;
