//! The vendor-detecting decode used by `rtcmint decode` (body: `rtcmint_fuzz::decode_any_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::decode_any_target(data));
