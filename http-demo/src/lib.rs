//! A tiny HTTP/1.1 client and server on the `solo` runtime, and the demo
//! that shows what concurrent I/O buys: 100 GETs that each wait 50 ms take
//! about 50 ms together, against about 5 s one after another.
//!
//! * [`client`]: [`client::get`] and a pooling [`client::Client`];
//! * [`server`]: `/delay/<ms>` and `/bytes/<n>`, on the current runtime or
//!   on a thread of its own ([`server::spawn_thread`]);
//! * [`demo`]: the measured runs the `http-demo` binary prints;
//! * [`blocking`]: the plain `std::net` client the demo compares against;
//! * [`open_files`]: raising the open-file limit for large runs.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![deny(unused_must_use)]

pub mod blocking;
mod buf;
pub mod client;
pub mod demo;
#[doc(hidden)]
pub mod fuzzing;
mod head;
pub mod open_files;
pub mod server;
pub mod url;
