//! Agora AccessToken2 ("007") decode + verify: never panics; the full verifier and the
//! allocation-free `verify_str` agree on every token that verifies; a decoded token re-encodes
//! (with the certificate) to a token that decodes to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcmint::agora::{self, AccessToken2};

/// The certificate of the shared vectors (most seeds are signed with it).
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
/// Just after the vectors' issue time (1111111): seeds verify, not expire.
const NOW: i64 = 1_111_112;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = agora::inspect(token);
    let fast = AccessToken2::verify_str(token, CERT, None, NOW);
    let full = agora::verify(token, CERT, None, NOW);
    if let Ok(info) = &full {
        // verify() parses every service; verify_str() only skips them, so it is the more lenient.
        let fast = fast.expect("verify_str accepts what verify accepts");
        assert_eq!(fast.expires_at, info.expires_at);
        assert_eq!(
            (fast.issue_ts, fast.expire, fast.salt),
            (info.issue_ts, info.expire, info.salt)
        );
        // An expected app id equal to the token's passes; the JSON view serialises.
        assert!(agora::verify(token, CERT, Some(&info.app_id), NOW).is_ok());
        let _ = serde_json_check::to_string(info).expect("serialises");
    }
    if let Ok(decoded) = AccessToken2::decode(token) {
        let t = &decoded.token;
        // Re-encode only what the encoder can express: a console-style app id, known services,
        // nothing trailing.
        if decoded.app_id_valid_format()
            && decoded.unknown_service_type.is_none()
            && decoded.trailing_bytes == 0
            && !t.services.is_empty()
        {
            if let Ok(again) = t.encode(CERT) {
                let back = AccessToken2::decode(&again).expect("re-encoded token decodes");
                // Same services, in the encoder's (stable) type order.
                let mut want = t.services.clone();
                want.sort_by_key(|s| s.service_type());
                assert_eq!(back.token.services, want);
                assert_eq!(
                    (
                        &back.token.app_id,
                        back.token.issue_ts,
                        back.token.expire,
                        back.token.salt
                    ),
                    (&t.app_id, t.issue_ts, t.expire, t.salt)
                );
                assert!(
                    AccessToken2::verify_str(&again, CERT, Some(&t.app_id), i64::from(t.issue_ts))
                        .is_ok()
                        || t.expire == 0
                );
            }
        }
    }
});
