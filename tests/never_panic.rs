//! No decoder, verifier, parser or constructor panics on arbitrary input: arbitrary Unicode
//! strings, arbitrary bytes (lossily made UTF-8, and behind each vendor's prefix as base64), and
//! arbitrary credentials. The per-vendor property tests cover round trips; this file covers every
//! public entry point that takes untrusted text in one place.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use rtcmint::agora::{self, AccessToken2, AccessToken006, AgoraMinter, DecodedToken2};
use rtcmint::batch::{MinterSet, parse_line, parse_vendor};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier};
use rtcmint::zego::{self, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{decode_any, detect_format, parse_duration};

const LK_KEY: &str = "APIkey";
const LK_SECRET: &str = "lk-secret-of-at-least-32-characters!";
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const Z_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";

/// Every token entry point, on one string.
fn all_decoders(s: &str) {
    let _ = detect_format(s);
    let _ = decode_any(s, None);
    let _ = decode_any(s, Some(Z_SECRET));
    let _ = decode_any(s, Some(s));
    let _ = rtcmint::livekit::decode(s);
    let _ = LiveKitVerifier::new(LK_KEY, LK_SECRET)
        .unwrap()
        .verify_at(s, 0);
    let _ = agora::decode(s);
    let _ = AccessToken2::decode(s);
    let _ = AccessToken2::verify_str(s, AG_CERT, Some(s), i64::MAX);
    let _ = agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(s, i64::MIN));
    let _ = agora::AgoraVerifier::new(s).and_then(|v| v.with_expected_app_id(s).verify_at(s, 0));
    let _ = AccessToken006::decode(s);
    let _ = agora::AgoraVerifier::new(AG_CERT)
        .and_then(|v| v.with_expected_app_id(s).verify_006_at(s, s, s, 0));
    let _ = zego::decode_container(s);
    let _ = zego::detect_mode(s);
    let _ = zego::decode(s, Z_SECRET);
    let _ = zego::ZegoVerifier::new(s).and_then(|v| v.verify_at(s, 0));
    let _ = ZegoVerifier::new(Z_SECRET)
        .unwrap()
        .with_expected_app_id(1)
        .verify_at(s, i64::MAX);
    let _ = PrivilegePayload::parse(s);
    let _ = Payload::raw_json(s);
    let _ = ClaimGrants::from_json(s);
    let _ = parse_duration(s);
    let _ = parse_vendor(s);
    let _ = parse_line(s);
    let mut out = Vec::new();
    MinterSet::new()
        .with(Box::new(LiveKitMinter::new(LK_KEY, LK_SECRET).unwrap()))
        .process_line(usize::MAX, s, &mut out);
    assert_eq!(out.last(), Some(&b'\n'));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        all_decoders(&s);
    }

    #[test]
    fn arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        all_decoders(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn arbitrary_bytes_behind_each_prefix(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let std = STANDARD.encode(&b);
        all_decoders(&format!("007{std}"));
        all_decoders(&format!("006970CA35de60c44645bbae8a215061b33{std}"));
        all_decoders(&format!("04{std}"));
        let url = URL_SAFE_NO_PAD.encode(&b);
        all_decoders(&format!("eyJhbGciOiJIUzI1NiJ9.{url}.{url}"));
        let _ = DecodedToken2::from_payload(&b);
    }

    #[test]
    fn arbitrary_credentials(key in any::<String>(), secret in any::<String>(), app_id in any::<u32>()) {
        let _ = LiveKitMinter::new(key.clone(), secret.clone());
        let _ = LiveKitVerifier::new(key.clone(), secret.clone());
        let _ = AgoraMinter::new(key.clone(), secret.clone());
        let _ = ZegoMinter::new(app_id, secret.clone());
        let _ = ZegoVerifier::new(secret);
    }
}
