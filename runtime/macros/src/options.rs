//! The attribute's options: `start_paused = bool`, `budget = N`,
//! `events_capacity = N`, `seed = N`, `seeds = N` (tests only),
//! `crate = "path"`.
//!
//! Each error spans the token that is wrong: the name of an unknown or
//! repeated option, the value of the wrong type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, MetaNameValue, Path, Token};

/// The options, each set at most once.
#[derive(Default)]
pub(crate) struct Options {
    start_paused: Option<bool>,
    budget: Option<usize>,
    events_capacity: Option<usize>,
    seed: Option<u64>,
    /// `seeds = N`: run the test under `N` seeded schedules.
    pub(crate) seeds: Option<(u64, Path)>,
    krate: Option<Path>,
}

const KNOWN: &str =
    "`start_paused`, `budget`, `events_capacity`, `seed`, `seeds` (tests) or `crate`";

impl Options {
    /// Parses the attribute's arguments, `name = value` pairs separated by
    /// commas (none at all is fine).
    pub(crate) fn parse(args: TokenStream, attr: &str) -> syn::Result<Options> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
        let mut options = Options::default();
        for meta in metas {
            let pair = match meta {
                Meta::NameValue(pair) => pair,
                Meta::Path(path) => {
                    let name = name_of(&path);
                    return Err(syn::Error::new_spanned(
                        path,
                        format!("`{name}` needs a value, as in `#[{attr}({name} = ...)]`"),
                    ));
                }
                Meta::List(list) => {
                    return Err(syn::Error::new_spanned(
                        list,
                        format!("options of `#[{attr}]` are written `name = value`"),
                    ));
                }
            };
            options.set(pair)?;
        }
        Ok(options)
    }

    fn set(&mut self, pair: MetaNameValue) -> syn::Result<()> {
        let name = name_of(&pair.path);
        let value = &pair.value;
        let duplicate = match name.as_str() {
            "start_paused" => self.start_paused.replace(parse_bool(value)?).is_some(),
            "budget" => self.budget.replace(parse_count(value, &name)?).is_some(),
            "events_capacity" => self
                .events_capacity
                .replace(parse_count(value, &name)?)
                .is_some(),
            "seed" => self.seed.replace(parse_u64(value, &name)?).is_some(),
            "seeds" => {
                let seeds = parse_u64(value, &name)?;
                if seeds == 0 {
                    return Err(syn::Error::new_spanned(value, "`seeds` must be at least 1"));
                }
                self.seeds.replace((seeds, pair.path.clone())).is_some()
            }
            "crate" => self.krate.replace(parse_path(value)?).is_some(),
            "flavor" | "worker_threads" => {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    format!("solo runs every task on one thread: `{name}` does not apply"),
                ));
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    format!("unknown option `{name}`; the options are {KNOWN}"),
                ));
            }
        };
        if duplicate {
            return Err(syn::Error::new_spanned(
                &pair.path,
                format!("option `{name}` is set twice"),
            ));
        }
        Ok(())
    }

    /// The path of the `solo` crate: `::solo` unless `crate = "..."` says
    /// otherwise.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::solo),
        }
    }

    /// The `Builder` calls the options ask for, in a fixed order, starting
    /// with `.`: empty when no option is set.
    pub(crate) fn builder_calls(&self) -> TokenStream {
        let mut calls = TokenStream::new();
        if let Some(paused) = self.start_paused {
            calls.extend(quote!(.start_paused(#paused)));
        }
        if let Some(budget) = self.budget {
            calls.extend(quote!(.budget(#budget)));
        }
        if let Some(capacity) = self.events_capacity {
            calls.extend(quote!(.events_capacity(#capacity)));
        }
        if let Some(seed) = self.seed {
            calls.extend(quote!(.seed(#seed)));
        }
        calls
    }
}

/// The option's name as written (`crate` included, although a keyword).
fn name_of(path: &Path) -> String {
    let mut name = String::new();
    if path.leading_colon.is_some() {
        name.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            name.push_str("::");
        }
        name.push_str(&segment.ident.to_string());
    }
    name
}

fn parse_bool(value: &Expr) -> syn::Result<bool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err(syn::Error::new_spanned(
            value,
            "`start_paused` takes `true` or `false`",
        )),
    }
}

/// A positive integer literal (`usize`).
fn parse_count(value: &Expr, name: &str) -> syn::Result<usize> {
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            format!("`{name}` takes a positive integer literal, as in `{name} = 32`"),
        ));
    };
    if !matches!(int.suffix(), "" | "usize") {
        return Err(syn::Error::new_spanned(
            int,
            format!("`{name}` is a `usize`, not a `{}`", int.suffix()),
        ));
    }
    match int.base10_parse::<usize>() {
        Ok(0) => Err(syn::Error::new_spanned(
            int,
            format!("`{name}` must be at least 1"),
        )),
        Ok(n) => Ok(n),
        Err(e) => Err(syn::Error::new_spanned(int, format!("`{name}`: {e}"))),
    }
}

/// `crate = "path"`: a string literal holding a path, such as `"crate"` or
/// `"::my_solo"`. The path's tokens take the literal's span, so `crate`
/// means the crate that wrote the attribute.
fn parse_path(value: &Expr) -> syn::Result<Path> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s.parse::<Path>().map_err(|_| {
            syn::Error::new_spanned(
                s,
                format!(
                    "`crate` takes the path of the solo crate, not {:?}",
                    s.value()
                ),
            )
        }),
        _ => Err(syn::Error::new_spanned(
            value,
            "`crate` takes a string literal holding a path, as in `crate = \"::solo\"`",
        )),
    }
}

fn parse_u64(value: &Expr, name: &str) -> syn::Result<u64> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = value
    {
        if int.suffix().is_empty() || int.suffix() == "u64" {
            if let Ok(n) = int.base10_parse::<u64>() {
                return Ok(n);
            }
        }
    }
    Err(syn::Error::new_spanned(
        value,
        format!("`{name}` takes a whole number (a `u64`)"),
    ))
}
