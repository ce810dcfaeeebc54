//! The `#[solo::main]` and `#[solo::test]` attributes.
//!
//! Use them through `solo` (its default `macros` feature re-exports them);
//! their documentation is there, at `solo::main` and `solo::test`.
//!
//! Each turns an `async fn` without parameters into a plain `fn` that builds
//! a `solo::Builder` runtime from the attribute's options and runs the body
//! on it with `block_on`. A misuse (an unknown option, a fn that is not
//! `async`, ...) is a compile error pointing at the offending tokens, never a
//! panic of the macro.

use proc_macro::TokenStream;

mod expand;
mod options;

/// Runs an `async fn` on a new solo runtime; see `solo::main`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a new solo runtime; see `solo::test`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Test, args.into(), item.into()).into()
}
