//! The server handling whatever a hostile client sends on one connection:
//! request heads (HEAD, `Expect`, `Host`, absolute-form targets),
//! pipelining, bodies to discard (by length or chunked), refusals.
//!
//! Input: first byte = read size (0: all at once), then the client's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let exchange = http_demo::fuzzing::server_exchange(data);
    http_demo::fuzzing::check_server_output(&exchange);
});
