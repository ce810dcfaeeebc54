//! The client reading responses from a hostile server: status line and
//! headers, then the body framed by Content-Length, chunked encoding or the
//! connection's close, for up to four keep-alive responses.
//!
//! Input: first byte = read size (0: all at once), then the server's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for outcome in http_demo::fuzzing::client_responses(data) {
        if let Ok(response) = outcome {
            // The body cap holds whatever the framing claimed.
            assert!(response.body.len() <= http_demo::fuzzing::MAX_BODY);
        }
    }
});
