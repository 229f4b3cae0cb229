//! Agora legacy AccessToken ("006") decode + verify: never panics, and whatever decodes also
//! inspects to the same view and serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcmint::agora::{self, AccessToken006, TokenInfo};

/// The certificate, channel and uid of the shared 006 vectors.
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const CHANNEL: &str = "7d72365eb983485397e3e3f9d460bdda";
const UID: &str = "2882341273";
const NOW: i64 = 1_024_711;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = AccessToken006::decode(token);
    let inspected = agora::inspect(token);
    if let Ok(d) = &decoded {
        assert_eq!(
            inspected.as_ref().ok(),
            Some(&TokenInfo::Legacy006(d.clone()))
        );
        let _ = serde_json_check::to_string(d).expect("serialises");
        let _ = d.verify_signature(CERT, CHANNEL, UID);
        let _ = d.verify_signature(CERT, "", "");
        let _ = d.check_expiry(NOW);
    }
    for (channel, uid) in [(CHANNEL, UID), (CHANNEL, ""), ("", "")] {
        let r = agora::verify_006(token, CERT, None, channel, uid, NOW);
        if r.is_ok() {
            assert!(decoded.is_ok(), "verify_006 accepted what decode refuses");
        }
    }
    // 007 verification refuses 006 tokens with a pointer to verify_006, never a panic.
    let _ = agora::verify(token, CERT, None, NOW);
});
