//! The gateway's request-body parsers (body: `rtcmint_fuzz::gateway_body`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::gateway_body(data));
