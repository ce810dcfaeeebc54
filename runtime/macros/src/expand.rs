//! From `async fn name() -> R { body }` to
//! `fn name() -> R { Builder::new()<options>.build()?.block_on(async move { body }) }`.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{AttrStyle, Attribute, ItemFn, ReturnType, Type};

use crate::options::Options;

/// Which attribute is expanding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "solo::main",
            Kind::Test => "solo::test",
        }
    }
}

/// The expansion, or the errors as `compile_error!`s along with code that
/// keeps the other diagnostics sane: after an error in the options only,
/// the expansion with the default options (so that an `async fn main` draws
/// no second error, and its body is still checked); after an error in the
/// function, the function unchanged but for a `#[test]` it must not carry.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                format!("`#[{}]` applies to an `async fn` only", kind.name()),
            );
            let mut out = error.to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let options = Options::parse(args, kind.name()).and_then(|options| match &options.seeds {
        Some((_, name)) if kind == Kind::Main => Err(syn::Error::new_spanned(
            name,
            "`seeds` explores schedules in tests: it is an option of `#[solo::test]`",
        )),
        _ => Ok(options),
    });
    let checked = check(kind, &mut function);
    match (options, checked) {
        (Ok(options), Ok(())) => generate(kind, &options, function),
        (Err(error), Ok(())) => {
            let mut out = error.to_compile_error();
            out.extend(generate(kind, &Options::default(), function));
            out
        }
        (options, checked) => {
            let errors = [options.err(), checked.err()].into_iter().flatten();
            let mut out: TokenStream = errors.map(|e| e.to_compile_error()).collect();
            function.to_tokens(&mut out);
            out
        }
    }
}

/// The function must be an `async fn` with neither parameters nor generics
/// (nothing could supply them); a test must not be a `#[test]` already.
/// Such a `#[test]` is removed from `function`, to keep it out of the
/// error's fallback output.
fn check(kind: Kind, function: &mut ItemFn) -> syn::Result<()> {
    let name = kind.name();
    let sig = &function.sig;
    let mut errors = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("`#[{name}]` needs an `async fn`: add `async` before `fn`"),
        ));
    }
    if !sig.inputs.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            format!("a `#[{name}]` function takes no parameters"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!("a `#[{name}]` function cannot be generic"),
        ));
    }
    if kind == Kind::Test {
        let (tests, others): (Vec<Attribute>, Vec<Attribute>) =
            function.attrs.drain(..).partition(is_test_attribute);
        function.attrs = others;
        for attr in tests {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[solo::test]` makes the function a test already: remove this attribute",
            ));
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(first) => Err(errors.fold(first, |mut all, error| {
            all.combine(error);
            all
        })),
    }
}

/// `#[test]`, `#[core::prelude::v1::test]`, `#[solo::test]` again, ...: any
/// path attribute whose last segment is `test`.
fn is_test_attribute(attr: &Attribute) -> bool {
    matches!(attr.style, AttrStyle::Outer)
        && matches!(attr.meta, syn::Meta::Path(_))
        && attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "test")
}

fn generate(kind: Kind, options: &Options, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    sig.asyncness = None;
    // Inner attributes (`#![allow(..)]`) stay at the top of the body.
    let (inner, outer): (Vec<Attribute>, Vec<Attribute>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Inner(_)));
    let statements = &block.stmts;
    let krate = options.krate();
    let calls = options.builder_calls();
    let test = match kind {
        Kind::Main => quote!(),
        Kind::Test => quote!(#[::core::prelude::v1::test]),
    };
    let message = format!("#[{}]: cannot build the runtime: {{}}", kind.name());
    // Naming the output type lets `?` in the body infer its error type;
    // `impl Trait` cannot be named there, so its inference is left alone.
    // A body of the wrong type is reported at its last statement.
    let output = match &sig.output {
        ReturnType::Type(_, ty) if mentions_impl(ty) => None,
        ReturnType::Type(_, ty) => Some(quote!(#ty)),
        ReturnType::Default => Some(quote!(())),
    };
    let tail = match block.stmts.last() {
        Some(statement) => statement.span(),
        None => block.brace_token.span.join(),
    };
    if let Some((seeds, _)) = &options.seeds {
        // Once per seed: a closure that makes the body's future afresh,
        // boxed so that its output type is named (for `?`) where it can be.
        let make = match &output {
            Some(output) => quote_spanned! {tail=>
                || -> ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = #output>>> {
                    ::std::boxed::Box::pin(async move { #(#statements)* })
                }
            },
            None => quote!(|| async move { #(#statements)* }),
        };
        return quote! {
            #test
            #(#outer)*
            #vis #sig {
                #(#inner)*
                let mut builder = #krate::Builder::new();
                let _ = &mut builder #calls;
                #krate::test::explore_with(&builder, #seeds, #make)
            }
        };
    }
    let body = quote_spanned!(block.brace_token.span.join()=> async move { #(#statements)* });
    let typed = output.map(|output| {
        quote_spanned! {tail=>
            let body = ::core::pin::pin!(body);
            let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> = body;
        }
    });
    quote! {
        #test
        #(#outer)*
        #vis #sig {
            #(#inner)*
            let body = #body;
            #typed
            match #krate::Builder::new() #calls .build() {
                ::core::result::Result::Ok(runtime) => runtime.block_on(body),
                ::core::result::Result::Err(error) => ::core::panic!(#message, error),
            }
        }
    }
}

/// Whether `ty` contains an `impl Trait`.
fn mentions_impl(ty: &Type) -> bool {
    fn scan(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => ident == "impl",
            TokenTree::Group(group) => scan(group.stream()),
            _ => false,
        })
    }
    scan(ty.to_token_stream())
}
