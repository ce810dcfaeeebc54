//! solo side by side with tokio and smol.
//!
//! [`rt::Rt`] is what a workload may ask of a runtime (spawn, sleep, yield,
//! TCP); [`rt::Solo`], [`rt::Tokio`] and [`rt::Smol`] implement it, so each
//! workload in [`workloads`] is written once; the echo workloads also have a
//! bare-mio version, the floor ([`workloads::echo_floor`]). The `compare`
//! binary runs every workload on every runtime (and the floor) in fresh
//! child processes and prints the table; the criterion benches in
//! `benches/` time the small operations.

#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

pub mod measure;
pub mod report;
pub mod rt;
pub mod workloads;
