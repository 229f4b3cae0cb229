//! Agora AccessToken2 ("007") decode + verify (body: `rtcmint_fuzz::agora_007`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::agora_007(data));
