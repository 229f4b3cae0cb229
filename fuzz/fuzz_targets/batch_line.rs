//! The batch JSON Lines line parser and processor (body: `rtcmint_fuzz::batch_line`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::batch_line(data));
