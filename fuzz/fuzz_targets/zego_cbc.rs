//! ZEGO token04, CBC container (body: `rtcmint_fuzz::zego_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::zego_cbc(data));
