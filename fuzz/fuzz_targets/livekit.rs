//! LiveKit JWT decode + verify: never panics, and anything that verifies re-encodes to claims
//! that verify again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcmint::livekit::{LiveKitMinter, LiveKitVerifier, decode};

const KEY: &str = "APIvk8Qe3LmT2xRz";
const SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decode(token);
    let verifier = LiveKitVerifier::new(KEY, SECRET).expect("valid credentials");
    if let Ok(claims) = verifier.verify_at(token, 1_767_225_601) {
        // A verified token's grants mint a token that verifies to the same grants.
        let minter = LiveKitMinter::new(KEY, SECRET).expect("valid credentials");
        if let Ok(again) = minter.encode(&claims.grants, 1_767_225_600, 600) {
            let back = verifier.verify_at(&again, 1_767_225_601).expect("re-minted token verifies");
            assert_eq!(back.grants, claims.grants);
        }
    }
});
