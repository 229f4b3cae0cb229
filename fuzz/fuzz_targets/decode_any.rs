//! The vendor-detecting decode the CLI's `decode` command uses: never panics, with or without a
//! ZEGO secret (including a malformed one), and what it decodes belongs to the detected vendor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcmint::{DecodedAny, decode_any, detect_format};

const ZEGO_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let format = detect_format(token);
    for secret in [None, Some(ZEGO_SECRET), Some("too-short")] {
        match decode_any(token, secret) {
            Ok(d) => {
                let format = format.expect("decoded tokens have a detected format");
                assert_eq!(d.vendor(), format.vendor());
                let _ = d.expires_at();
                let json = match &d {
                    DecodedAny::LiveKit(t) => serde_json_check::to_string(t),
                    DecodedAny::Agora(t) => serde_json_check::to_string(t),
                    DecodedAny::Zego(t) => serde_json_check::to_string(t),
                    DecodedAny::ZegoContainer(t) => serde_json_check::to_string(t),
                    _ => Ok(String::new()),
                };
                json.expect("decoded tokens serialise");
            }
            Err(e) => {
                if format.is_none() {
                    assert_eq!(e.vendor(), None);
                }
                let _ = e.to_string();
            }
        }
    }
});
