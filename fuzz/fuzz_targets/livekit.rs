//! LiveKit JWT decode + verify (body: `rtcmint_fuzz::livekit`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::livekit(data));
