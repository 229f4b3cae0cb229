//! Bit-flip tamper tests: every single-bit change of a token, at the text level (every bit of
//! every character that still leaves valid UTF-8) and at the binary level (every bit of the
//! decoded bytes, re-encoded canonically), must make verification fail, except where the format
//! itself cannot tell. Those exceptions are asserted exactly here and documented in SECURITY.md:
//!
//! * **Agora 007**: bits the zlib / deflate format ignores (bits 3–7 of a stored block's header
//!   byte, the padding bits after the last deflate code) change the token text but not the
//!   inflated, signed payload. Such a token verifies and authorises exactly the same thing; the
//!   tests assert the payload is byte-identical whenever a flip is accepted.
//! * **ZEGO CBC**: no integrity. A flip in the IV flips the same bit of plaintext bytes 0–15
//!   (`{"app_id":` and the first digits of the app id). A flip that turns an app-id digit into
//!   another digit decodes to a *different app id* and is accepted by `zego::decode` /
//!   `zego::verify`; a verifier built with `with_expected_app_id` (as `ZegoMinter::verifier`
//!   is) refuses it with `UnknownKey`. Ciphertext flips garble a whole 16-byte block, which is
//!   refused (padding / UTF-8 / JSON) with overwhelming, not cryptographic, probability; the
//!   outer expire is unauthenticated but compared with the encrypted one.
//! * LiveKit, Agora 006 and ZEGO GCM: every flip is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rtcmint::agora::{self, AccessToken2, AgoraMinter, RtcRole};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::zego::{self, Mode, Payload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, FixedClock};

/// Every token obtained by flipping one bit of one byte of `token`'s text, when the result is
/// still UTF-8 (flipping bit 7 of an ASCII character is not).
fn text_flips(token: &str) -> Vec<(usize, u8, String)> {
    let mut out = Vec::new();
    for pos in 0..token.len() {
        for bit in 0..8u8 {
            let mut b = token.as_bytes().to_vec();
            b[pos] ^= 1 << bit;
            if let Ok(s) = String::from_utf8(b) {
                out.push((pos, bit, s));
            }
        }
    }
    out
}

/// Every token obtained by flipping one bit of the binary behind `prefix` + base64, re-encoded
/// canonically with `engine`.
fn binary_flips(
    token: &str,
    prefix: &str,
    engine: &impl base64::Engine,
) -> Vec<(usize, u8, String)> {
    let bin = engine.decode(&token[prefix.len()..]).unwrap();
    let mut out = Vec::new();
    for pos in 0..bin.len() {
        for bit in 0..8u8 {
            let mut b = bin.clone();
            b[pos] ^= 1 << bit;
            out.push((pos, bit, format!("{prefix}{}", engine.encode(&b))));
        }
    }
    out
}

fn vectors(path: &str) -> serde_json::Value {
    let p = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

// ---------------------------------------------------------------- LiveKit

const LK_KEY: &str = "APIvk8Qe3LmT2xRz";
const LK_SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";
const LK_NOW: i64 = 1_767_225_600;

#[test]
fn livekit_every_bit_flip_is_rejected() {
    let token = LiveKitMinter::new(LK_KEY, LK_SECRET)
        .unwrap()
        .encode(
            &ClaimGrants::new("alice").with_video(VideoGrant::join("my-room")),
            LK_NOW,
            std::time::Duration::from_secs(600),
        )
        .unwrap();
    let v = LiveKitVerifier::new(LK_KEY, LK_SECRET).unwrap();
    assert!(v.verify_at(&token, LK_NOW + 1).is_ok());
    let mut n = 0;
    for (pos, bit, t) in text_flips(&token) {
        assert!(
            v.verify_at(&t, LK_NOW + 1).is_err(),
            "text flip at {pos} bit {bit} accepted"
        );
        n += 1;
    }
    // Each of the three segments at the binary level.
    let parts: Vec<&str> = token.split('.').collect();
    for seg in 0..3 {
        for (pos, bit, s) in binary_flips(parts[seg], "", &URL_SAFE_NO_PAD) {
            let mut p = parts.clone();
            p[seg] = &s;
            let t = p.join(".");
            assert!(
                v.verify_at(&t, LK_NOW + 1).is_err(),
                "segment {seg} byte {pos} bit {bit} accepted"
            );
            n += 1;
        }
    }
    println!("livekit: {n} flipped tokens, all rejected");
}

// ---------------------------------------------------------------- Agora 007

const AG_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

/// Checks every flip of a 007 token: refused, or accepted with a byte-identical payload at a
/// position the zlib format ignores. Returns (flips, accepted).
fn agora_007_flips(token: &str, now: i64) -> (usize, usize) {
    let original = AccessToken2::decode(token).unwrap();
    assert!(
        agora::AgoraVerifier::new(AG_CERT)
            .and_then(|v| v.verify_at(token, now))
            .is_ok()
    );
    let mut flips = text_flips(token);
    flips.extend(binary_flips(token, "007", &STANDARD));
    let mut accepted = 0;
    for (pos, bit, t) in &flips {
        let full = agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(t, now));
        let fast = AccessToken2::verify_str(t, AG_CERT, None, now);
        assert_eq!(
            full.is_ok(),
            fast.is_ok(),
            "verify and verify_str disagree at {pos}/{bit}"
        );
        if full.is_ok() {
            let d = AccessToken2::decode(t).unwrap();
            assert_eq!(d.signature, original.signature, "flip at {pos}/{bit}");
            assert_eq!(d.signing_info, original.signing_info, "flip at {pos}/{bit}");
            accepted += 1;
        }
    }
    (flips.len(), accepted)
}

#[test]
fn agora_007_minted_stored_every_payload_changing_flip_is_rejected() {
    let minter = AgoraMinter::new(AG_APP_ID, AG_CERT)
        .unwrap()
        .with_clock(Arc::new(FixedClock(1_700_000_000)));
    let hour = Duration::from_secs(3600);
    let token = minter
        .rtc_token_with_uid("my-channel", 42, RtcRole::Publisher, hour, hour)
        .unwrap();
    let (n, accepted) = agora_007_flips(&token, 1_700_000_001);
    // The minter writes one stored block: its header byte is the 3rd byte of the zlib stream and
    // deflate ignores its bits 3..=7, so exactly 5 binary flips leave the payload unchanged.
    // (At the text level they are not reachable as single-bit flips of one base64 character
    // unless the character encodes only those bits; count them all the same.)
    assert!(accepted >= 5, "{accepted}");
    let bin = STANDARD.decode(&token[3..]).unwrap();
    for bit in 3..8u8 {
        let mut b = bin.clone();
        b[2] ^= 1 << bit;
        let t = format!("007{}", STANDARD.encode(&b));
        assert!(
            agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.verify_at(&t, 1_700_000_001))
                .is_ok()
        );
    }
    for bit in 0..3u8 {
        let mut b = bin.clone();
        b[2] ^= 1 << bit;
        let t = format!("007{}", STANDARD.encode(&b));
        assert!(
            agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.verify_at(&t, 1_700_000_001))
                .is_err()
        );
    }
    println!("agora 007 stored: {n} flipped tokens, {accepted} accepted with an identical payload");
}

#[test]
fn agora_007_vector_tokens_every_payload_changing_flip_is_rejected() {
    let v = vectors("agora/python_vectors.json");
    let mut total = (0, 0);
    for case in v["cases"].as_array().unwrap().iter().take(3) {
        let token = case["token"].as_str().unwrap();
        let inputs = &case["inputs"];
        if inputs["app_certificate"] != AG_CERT {
            continue;
        }
        let now = inputs["issue_ts"].as_i64().unwrap();
        let (n, a) = agora_007_flips(token, now);
        total.0 += n;
        total.1 += a;
    }
    assert!(total.0 > 0);
    println!(
        "agora 007 vectors (zlib-compressed): {} flipped tokens, {} accepted with an identical payload",
        total.0, total.1
    );
}

// ---------------------------------------------------------------- Agora 006

#[test]
fn agora_006_every_bit_flip_is_rejected() {
    let v = vectors("agora/legacy_006_vectors.json");
    let mut n = 0;
    for case in v["cases"].as_array().unwrap() {
        let token = case["token"].as_str().unwrap();
        let cert = case["app_certificate"].as_str().unwrap();
        let channel = case["signed_channel_field"].as_str().unwrap();
        let uid = case["signed_uid_field"].as_str().unwrap();
        let now = case["now"].as_i64().unwrap();
        assert!(
            agora::AgoraVerifier::new(cert)
                .and_then(|v| v.verify_006_at(token, channel, uid, now))
                .is_ok()
        );
        let mut flips = text_flips(token);
        flips.extend(
            binary_flips(&token[35..], "", &STANDARD)
                .into_iter()
                .map(|(p, b, s)| (p, b, format!("{}{s}", &token[..35]))),
        );
        for (pos, bit, t) in flips {
            assert!(
                agora::AgoraVerifier::new(cert)
                    .and_then(|v| v.verify_006_at(&t, channel, uid, now))
                    .is_err(),
                "{} flip at {pos}/{bit} accepted",
                case["id"]
            );
            n += 1;
        }
    }
    println!("agora 006: {n} flipped tokens, all rejected");
}

// ---------------------------------------------------------------- ZEGO

const Z_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const Z_APP_ID: u32 = 1_234_567_890;
const Z_NOW: i64 = 1_700_000_000;

fn zego_vector_tokens(file: &str) -> Vec<String> {
    vectors(file)["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["inputs"]["server_secret"] == Z_SECRET && c["inputs"]["app_id"] == Z_APP_ID)
        .filter_map(|c| c["token"].as_str().map(str::to_owned))
        .take(4)
        .collect()
}

#[test]
fn zego_gcm_every_bit_flip_is_rejected() {
    let minter = ZegoMinter::new(Z_APP_ID, Z_SECRET)
        .unwrap()
        .with_mode(Mode::Gcm)
        .with_clock(Arc::new(FixedClock(Z_NOW)));
    let mut tokens = zego_vector_tokens("zego/token04_gcm_python.json");
    tokens.push(
        minter
            .token(
                "user1",
                std::time::Duration::from_secs(3600),
                &Payload::Identity,
            )
            .unwrap()
            .into_string(),
    );
    let plain = ZegoVerifier::new(Z_SECRET).unwrap();
    let mut n = 0;
    for token in &tokens {
        assert!(plain.verify_at(token, Z_NOW).is_ok());
        let mut flips = text_flips(token);
        flips.extend(binary_flips(token, "04", &STANDARD));
        for (pos, bit, t) in flips {
            assert!(
                plain.verify_at(&t, Z_NOW).is_err(),
                "GCM flip at {pos}/{bit} accepted"
            );
            n += 1;
        }
    }
    println!("zego gcm: {n} flipped tokens, all rejected");
}

/// Container offsets: expire 0..8, IV length 8..10, IV 10..26, ciphertext length 26..28.
const CBC_IV: std::ops::Range<usize> = 10..26;

#[test]
fn zego_cbc_flips_are_rejected_except_app_id_digits_through_the_iv() {
    let minter = ZegoMinter::new(Z_APP_ID, Z_SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(Z_NOW)));
    let mut tokens = zego_vector_tokens("zego/token04_cbc_python.json");
    tokens.push(
        minter
            .token(
                "user1",
                std::time::Duration::from_secs(3600),
                &Payload::Identity,
            )
            .unwrap()
            .into_string(),
    );
    let plain = ZegoVerifier::new(Z_SECRET).unwrap();
    let strict = minter.verifier();
    let (mut n, mut accepted_plain) = (0, 0);
    for token in &tokens {
        let original = plain.verify_at(token, Z_NOW).unwrap();
        // The app id's digits occupy plaintext bytes 10..20; the IV reaches bytes 0..16.
        assert!(original.plaintext.starts_with(r#"{"app_id":1234567890,"#));
        for (pos, bit, t) in binary_flips(token, "04", &STANDARD) {
            n += 1;
            match strict.verify_at(&t, Z_NOW) {
                Err(_) => {}
                Ok(_) => panic!("flip at {pos}/{bit} accepted by the app-id-checking verifier"),
            }
            if let Ok(d) = plain.verify_at(&t, Z_NOW) {
                accepted_plain += 1;
                // Only IV bytes 10..16 (plaintext bytes 0..6 are `{"app_`) ... precisely the IV
                // positions over app-id digits, and only the app id changed.
                assert!(CBC_IV.contains(&pos), "non-IV flip at {pos}/{bit} accepted");
                let pt_index = pos - CBC_IV.start;
                assert!((10..16).contains(&pt_index), "IV byte {pt_index}");
                assert_ne!(d.claims.app_id, original.claims.app_id);
                assert_eq!(d.claims.user_id, original.claims.user_id);
                assert_eq!(d.claims.payload, original.claims.payload);
                assert_eq!(d.expires_at, original.expires_at);
                let mut want = original.plaintext.clone().into_bytes();
                want[pt_index] ^= 1 << bit;
                assert_eq!(d.plaintext.as_bytes(), &want[..]);
                assert!(matches!(
                    strict.verify_at(&t, Z_NOW),
                    Err(Error::UnknownKey { .. })
                ));
            }
        }
        for (pos, bit, t) in text_flips(token) {
            n += 1;
            assert!(
                strict.verify_at(&t, Z_NOW).is_err(),
                "text flip at {pos}/{bit} accepted by the app-id-checking verifier"
            );
        }
    }
    // The digits 1..6 of 1234567890 under the IV: each has digit-to-digit flips (bit 0 always,
    // bits 1..3 for some); a flip of the leading '1' to '0' is not JSON (leading zero).
    assert!(accepted_plain > 0);
    println!(
        "zego cbc: {n} flipped tokens; {accepted_plain} IV flips change an app-id digit and pass \
         without an expected app id, all refused with one"
    );
}

#[test]
fn zego_cbc_outer_expire_flips_are_caught_by_the_inner_comparison() {
    let minter = ZegoMinter::new(Z_APP_ID, Z_SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(Z_NOW)));
    let token = minter
        .token(
            "user1",
            std::time::Duration::from_secs(3600),
            &Payload::Identity,
        )
        .unwrap();
    for (pos, bit, t) in binary_flips(&token, "04", &STANDARD) {
        if pos < 8 {
            let e = zego::decode(&t, Z_SECRET).unwrap_err();
            assert!(
                matches!(&e, Error::Malformed { reason, .. } if reason.contains("outer expire")),
                "{pos}/{bit}: {e}"
            );
        }
    }
}
