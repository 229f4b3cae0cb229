//! The LiveKit `WebhookEvent` readers, fast and serde (body: `rtcmint_fuzz::webhook_livekit_event`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::webhook_livekit_event(data));
