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

// Both are documented where solo re-exports them (`#[doc(inline)]` in
// solo's lib.rs); rustdoc would append docs written here to those.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Main, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Test, args.into(), item.into()).into()
}
