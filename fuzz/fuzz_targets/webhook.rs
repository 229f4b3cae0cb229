//! Webhook verifiers and body parsers (body: `rtcmint_fuzz::webhook`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::webhook(data));
