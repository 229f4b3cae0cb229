//! The fuzz target bodies, one public function per target. The `fuzz_targets/*.rs` files are thin
//! wrappers, and `tests/fuzz_replay.rs` in the main crate includes this file (`#[path]`) to replay
//! the committed seeds and corpora through exactly the same functions.
//!
//! Each body must never panic on any input except through a failed invariant assertion.

use std::sync::OnceLock;

use rtcmint::agora::{self, AccessToken2, AccessToken006, TokenInfo};
use rtcmint::batch::{MinterSet, parse_line};
use rtcmint::livekit::{LiveKitMinter, LiveKitVerifier};
use rtcmint::webhook::{
    AgoraWebhookVerifier, Details, LiveKitEvent, LiveKitWebhookVerifier, WebhookError,
    ZegoWebhookVerifier,
};
use rtcmint::zego::{MintInputs, Mode, Payload, ZegoMinter, ZegoVerifier};
use rtcmint::{DecodedAny, decode_any, detect_format};

/// A target body.
pub type Target = fn(&[u8]);

/// Every target: name (as in `fuzz/Cargo.toml` and `fuzz/seeds/<name>/`) and body.
pub const TARGETS: &[(&str, Target)] = &[
    ("livekit", livekit),
    ("batch_line", batch_line),
    ("agora_007", agora_007),
    ("agora_006", agora_006),
    ("zego_cbc", zego_cbc),
    ("zego_gcm", zego_gcm),
    ("decode_any", decode_any_target),
    ("gateway_body", gateway_body),
    ("webhook", webhook),
    ("webhook_livekit_event", webhook_livekit_event),
];

const LK_KEY: &str = "APIvk8Qe3LmT2xRz";
const LK_SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";

/// LiveKit JWT decode + verify: never panics, and anything that verifies re-encodes to claims
/// that verify again.
pub fn livekit(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = rtcmint::livekit::decode(token);
    let verifier = LiveKitVerifier::new(LK_KEY, LK_SECRET).expect("valid credentials");
    if let Ok(claims) = verifier.verify_at(token, 1_767_225_601) {
        // A verified token's grants mint a token that verifies to the same grants.
        let minter = LiveKitMinter::new(LK_KEY, LK_SECRET).expect("valid credentials");
        if let Ok(again) = minter.encode(
            &claims.grants,
            1_767_225_600,
            std::time::Duration::from_secs(600),
        ) {
            let back = verifier
                .verify_at(&again, 1_767_225_601)
                .expect("re-minted token verifies");
            assert_eq!(back.grants, claims.grants);
        }
    }
}

fn minters() -> &'static MinterSet {
    static SET: OnceLock<MinterSet> = OnceLock::new();
    SET.get_or_init(|| {
        MinterSet::new().with(Box::new(
            LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!")
                .expect("valid credentials"),
        ))
    })
}

/// The batch JSON Lines request parser and line processor: never panics, always writes exactly
/// one JSON result line.
pub fn batch_line(data: &[u8]) {
    // Raw bytes first (not UTF-8, too long): one record too.
    let mut out = Vec::new();
    minters().process_bytes(1, data, &mut out);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    let _: serde_json::Value = serde_json::from_slice(&out).expect("result is JSON");
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_line(line);
    let mut out = Vec::new();
    minters().process_line(1, line, &mut out);
    assert_eq!(out.last(), Some(&b'\n'));
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    let record: serde_json::Value = serde_json::from_slice(&out).expect("result is JSON");
    // The record agrees with serde's reading of the line (`parse_line`), whichever path
    // `process_line` took (its fast path for ordinary lines, serde for the rest).
    match parsed {
        Ok(r) if record["ok"] == true => {
            assert_eq!(record["identity"], r.request.identity.as_str());
            assert_eq!(record["room"].as_str(), r.request.room.as_deref());
            assert_eq!(record.get("id"), r.id.as_ref());
            assert_eq!(record["vendor"], r.vendor.as_str());
        }
        Ok(r) => {
            assert_eq!(record.get("id"), r.id.as_ref());
            assert_eq!(record["vendor"], r.vendor.as_str());
            let kind = record["kind"].as_str().unwrap_or_default();
            assert!(
                !matches!(kind, "invalid_json" | "unknown_field"),
                "{record}"
            );
        }
        Err(_) => assert_eq!(record["ok"], false, "{record}"),
    }
}

/// The certificate of the shared Agora vectors (most seeds are signed with it).
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

/// Agora AccessToken2 ("007") decode + verify: never panics; the full verifier and the
/// allocation-free `verify_str` agree on every token that verifies; a decoded token re-encodes
/// (with the certificate) to a token that decodes to the same fields.
pub fn agora_007(data: &[u8]) {
    // Just after the vectors' issue time (1111111): seeds verify, not expire.
    const NOW: i64 = 1_111_112;
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = agora::decode(token);
    let fast = AccessToken2::verify_str(token, AG_CERT, None, NOW);
    let full = agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(token, NOW));
    if let Ok(info) = &full {
        // verify() parses every service; verify_str() only skips them, so it is the more lenient.
        let fast = fast.expect("verify_str accepts what verify accepts");
        assert_eq!(fast.expires_at, info.expires_at);
        assert_eq!(
            (fast.issue_ts, fast.expire, fast.salt),
            (info.issue_ts, info.expire, info.salt)
        );
        // An expected app id equal to the token's passes; the JSON view serialises.
        assert!(
            agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.with_expected_app_id(&info.app_id).verify_at(token, NOW))
                .is_ok()
        );
        let _ = serde_json::to_string(info).expect("serialises");
    }
    if let Ok(decoded) = AccessToken2::decode(token) {
        let t = &decoded.token;
        // Re-encode only what the encoder can express: a console-style app id, known services,
        // nothing trailing.
        if decoded.app_id_valid_format()
            && decoded.unknown_service_type.is_none()
            && decoded.trailing_bytes == 0
            && !t.services.is_empty()
            && let Ok(again) = t.encode(AG_CERT)
        {
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
                AccessToken2::verify_str(&again, AG_CERT, Some(&t.app_id), i64::from(t.issue_ts))
                    .is_ok()
                    || t.expire == 0
            );
        }
    }
}

/// Agora legacy AccessToken ("006") decode + verify: never panics, and whatever decodes also
/// inspects to the same view and serialises.
pub fn agora_006(data: &[u8]) {
    // The channel, uid and time of the first shared 006 vector.
    const CHANNEL: &str = "7d72365eb983485397e3e3f9d460bdda";
    const UID: &str = "2882341273";
    const NOW: i64 = 1_024_711;
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = AccessToken006::decode(token);
    let inspected = agora::decode(token);
    if let Ok(d) = &decoded {
        assert_eq!(
            inspected.as_ref().ok(),
            Some(&TokenInfo::Legacy006(d.clone()))
        );
        let _ = serde_json::to_string(d).expect("serialises");
        let _ = d.verify_signature(AG_CERT, CHANNEL, UID);
        let _ = d.verify_signature(AG_CERT, "", "");
        let _ = d.check_expiry(NOW);
    }
    for (channel, uid) in [(CHANNEL, UID), (CHANNEL, ""), ("", "")] {
        let r = agora::AgoraVerifier::new(AG_CERT)
            .and_then(|v| v.verify_006_at(token, channel, uid, NOW));
        if r.is_ok() {
            assert!(decoded.is_ok(), "verify_006 accepted what decode refuses");
        }
    }
    // 007 verification refuses 006 tokens with a pointer to verify_006, never a panic.
    let _ = agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(token, NOW));
}

/// The server secret of the shared ZEGO vectors.
pub const ZEGO_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
/// The app id of most ZEGO vectors.
pub const ZEGO_APP_ID: u32 = 1_234_567_890;
/// The vectors' `now_unix`.
pub const ZEGO_NOW: i64 = 1_700_000_000;

/// ZEGO token04, CBC container (see [`zego_target`]).
pub fn zego_cbc(data: &[u8]) {
    zego_target(Mode::Cbc, data);
}

/// ZEGO token04, GCM container (see [`zego_target`]).
pub fn zego_gcm(data: &[u8]) {
    zego_target(Mode::Gcm, data);
}

/// The ZEGO token04 target body for one container mode.
///
/// * A UTF-8 input starting with `04` is a token: decode, verify, inspect must not panic; a token
///   that decodes is re-minted from its claims (same user id, payload, times, nonce, IV) and must
///   decode to the same claims.
/// * Any other input is mint material: `user_id NUL payload`; a successful mint must decode (with
///   the verifier, at the issue time) to exactly those inputs. This drives the claims JSON writer
///   and parser with arbitrary strings, which mutated ciphertext alone would never reach.
pub fn zego_target(mode: Mode, data: &[u8]) {
    let verifier = ZegoVerifier::new(ZEGO_SECRET).expect("valid secret");
    let minter = ZegoMinter::new(ZEGO_APP_ID, ZEGO_SECRET)
        .expect("valid credentials")
        .with_mode(mode)
        .with_max_user_id_len(usize::MAX);
    let iv: &[u8] = match mode {
        Mode::Cbc => b"0123456789abcdef",
        Mode::Gcm => b"0123456789ab",
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.starts_with("04") {
        let _ = rtcmint::zego::decode_container(text);
        let _ = rtcmint::zego::detect_mode(text);
        let _ = verifier.verify_at(text, ZEGO_NOW);
        let Ok(d) = verifier.decode(text) else {
            return;
        };
        assert_eq!(d.authenticated, d.mode == Mode::Gcm);
        assert_eq!(d.expires_at, d.container.expire);
        let _ = serde_json::to_string(&d).expect("serialises");
        if d.mode != mode || d.claims.app_id != u64::from(ZEGO_APP_ID) {
            return;
        }
        let payload = Payload::Raw(d.claims.payload_str().to_owned());
        let Some(iv) = hex_decode(&d.container.iv_hex) else {
            return;
        };
        let inputs = MintInputs::new(
            &d.claims.user_id,
            d.claims.ctime,
            d.claims.expire.wrapping_sub(d.claims.ctime),
            d.claims.nonce,
            &iv,
        )
        .payload(&payload);
        let mut again = String::new();
        if minter.encode_into(&inputs, &mut again).is_ok() {
            let back = verifier.decode(&again).expect("re-minted token decodes");
            assert_eq!(back.claims.user_id, d.claims.user_id);
            assert_eq!(back.claims.payload_str(), d.claims.payload_str());
            assert_eq!(
                (back.claims.nonce, back.claims.ctime, back.claims.expire),
                (d.claims.nonce, d.claims.ctime, d.claims.expire)
            );
        }
    } else {
        let (user_id, payload_text) = text.split_once('\0').unwrap_or((text, ""));
        let payload = Payload::Raw(payload_text.to_owned());
        let inputs = MintInputs::new(user_id, ZEGO_NOW, 3600, 123_456_789, iv).payload(&payload);
        let mut token = String::new();
        if minter.encode_into(&inputs, &mut token).is_ok() {
            let back = verifier
                .verify_at(&token, ZEGO_NOW)
                .expect("a minted token verifies");
            assert_eq!(back.mode, mode);
            assert_eq!(back.claims.user_id, user_id);
            assert_eq!(back.claims.payload_str(), payload_text);
            assert_eq!(back.claims.app_id, u64::from(ZEGO_APP_ID));
            assert_eq!(back.expires_at, ZEGO_NOW + 3600);
            assert!(decode_any(&token, Some(ZEGO_SECRET)).is_ok());
        }
    }
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The vendor-detecting decode the CLI's `decode` command uses: never panics, with or without a
/// ZEGO secret (including a malformed one), and what it decodes belongs to the detected vendor.
pub fn decode_any_target(data: &[u8]) {
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
                    DecodedAny::LiveKit(t) => serde_json::to_string(t),
                    DecodedAny::Agora(t) => serde_json::to_string(t),
                    DecodedAny::Zego(t) => serde_json::to_string(t),
                    DecodedAny::ZegoContainer(t) => serde_json::to_string(t),
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
}

/// The gateway's request-body parsers (`rtcmint::serve::body`): never panic; every refusal has
/// a code and a message; a body that parses re-serialises to JSON that parses to the same value
/// (the idempotency fingerprint depends on that).
pub fn gateway_body(data: &[u8]) {
    use rtcmint::serve::body::{
        BODY_KINDS, CreateRoomBody, IssueTokenBody, StartRecordingBody, parse_any, parse_json,
    };
    for kind in BODY_KINDS {
        if let Err(e) = parse_any(kind, data) {
            assert!(!e.code.is_empty() && !e.message.is_empty());
        }
    }
    fn round_trip<T>(data: &[u8])
    where
        T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
    {
        if let Ok(v) = parse_json::<T>(data, false) {
            let text = serde_json::to_vec(&v).expect("serialisable");
            let back: T = parse_json(&text, false).expect("re-parses");
            let again = serde_json::to_vec(&back).expect("serialisable");
            assert_eq!(text, again, "stable serialisation");
        }
    }
    round_trip::<CreateRoomBody>(data);
    round_trip::<IssueTokenBody>(data);
    round_trip::<StartRecordingBody>(data);
}

/// The secrets of the shared webhook vectors (LiveKit key/secret, Agora NCS secret, ZEGO
/// callback secret), so the vector seeds verify.
const WH_LK_KEY: &str = "APIwhk5Tq9LmRz2X";
const WH_LK_SECRET: &str = "wZ7kP2qL9vX4nR8tB3mJ6yH1cF5dG0sA7eU2iO9pK4w";
const WH_AGORA_SECRET: &str = "5f2b8c1e9d7a4036b1e8c2f49a0d6e73";
const WH_ZEGO_SECRET: &str = "8d3f1a6b0c9e4f27a5b1d8c3e6f09a24";
const WH_NOW: i64 = 1_767_225_601;

/// Webhook verifiers and body parsers. Input: one line (a header value: the LiveKit
/// `Authorization`, the Agora signature, or a ZEGO `Content-Type`), `\n`, then the body.
///
/// * The body as given, with that header, through all three verifiers: never a panic; LiveKit and
///   Agora never accept a header the fuzzer made up unless it is a correct signature of the
///   body (checked by re-signing); a verified delivery keeps the body byte for byte.
/// * The same body correctly signed (LiveKit token with its hash, Agora V2 and V1): the verdict
///   is acceptance or a body error, never a signature or time error; this drives the LiveKit
///   proto3 JSON and Agora parsers with arbitrary bodies.
/// * ZEGO: whatever verifies is marked body-unauthenticated and its fields hold a signature.
pub fn webhook(data: &[u8]) {
    static VERIFIERS: OnceLock<(
        LiveKitWebhookVerifier,
        AgoraWebhookVerifier,
        ZegoWebhookVerifier,
        LiveKitMinter,
    )> = OnceLock::new();
    let (lk, agora, zego, minter) = VERIFIERS.get_or_init(|| {
        (
            LiveKitWebhookVerifier::new(WH_LK_KEY, WH_LK_SECRET).expect("valid credentials"),
            AgoraWebhookVerifier::new(WH_AGORA_SECRET).expect("valid secret"),
            ZegoWebhookVerifier::new(WH_ZEGO_SECRET).expect("valid secret"),
            LiveKitMinter::new(WH_LK_KEY, WH_LK_SECRET).expect("valid credentials"),
        )
    });
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let body = body.get(1..).unwrap_or_default();

    // As given.
    let h = [("Authorization", header)];
    if let Ok(hook) = lk.verify_at(body, &h[..], WH_NOW) {
        assert_eq!(hook.raw().as_bytes(), body);
        let _ = serde_json::to_string(&hook).expect("serialises");
    }
    for name in ["Agora-Signature-V2", "Agora-Signature"] {
        let h = [(name, header)];
        if let Ok(hook) = agora.verify_at(body, &h[..], WH_NOW) {
            assert_eq!(hook.raw().as_bytes(), body);
            let expected = if name == "Agora-Signature" {
                agora.sign_v1(body)
            } else {
                agora.sign_v2(body)
            };
            assert_eq!(header, expected.as_bytes(), "accepted a wrong signature");
        }
    }
    let h = [("Content-Type", header)];
    if let Ok(hook) = zego.verify_at(body, &h[..], WH_NOW) {
        assert!(!hook.body_authenticated);
        let Details::Zego(ev) = &hook.details else {
            panic!("a ZEGO verifier returned another vendor's event");
        };
        assert!(
            ev.fields
                .keys()
                .any(|k| k.eq_ignore_ascii_case("signature"))
        );
        let _ = serde_json::to_string(&hook).expect("serialises");
    }

    // Correctly signed.
    let body_only = |r: Result<rtcmint::webhook::Webhook, WebhookError>| match r {
        Ok(hook) => {
            assert_eq!(hook.raw().as_bytes(), body);
            let _ = serde_json::to_string(&hook).expect("serialises");
        }
        Err(e) => assert!(
            matches!(e, WebhookError::Body { .. }),
            "a signed body was refused for something else: {e}"
        ),
    };
    let mut grants = rtcmint::livekit::ClaimGrants::new("");
    grants.sha256 = LiveKitWebhookVerifier::body_hash(body);
    if let Ok(token) = minter.encode(&grants, WH_NOW - 1, std::time::Duration::from_secs(300)) {
        body_only(lk.verify_at(body, &[("Authorization", token.as_str())][..], WH_NOW));
    }
    let (v2, v1) = (agora.sign_v2(body), agora.sign_v1(body));
    let h = [
        ("Agora-Signature-V2", v2.as_str()),
        ("Agora-Signature", v1.as_str()),
    ];
    body_only(agora.verify_at(body, &h[..], WH_NOW));
}

/// The LiveKit `WebhookEvent` readers. Input: a body. [`LiveKitEvent::parse`] (the hand-written
/// fast reader, stepping aside to serde for anything outside its subset) must give exactly the
/// verdict and the value of the serde reader alone (`serde_json::from_str::<LiveKitEvent>`): the
/// fast reader may decline, never decide differently. An accepted event serialises.
pub fn webhook_livekit_event(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = LiveKitEvent::parse(text);
    let serde = serde_json::from_str::<LiveKitEvent>(text);
    match (&parsed, &serde) {
        (Ok(p), Ok(s)) => assert_eq!(p, s, "the fast reader and serde read different events"),
        (Err(_), Err(_)) => {}
        _ => panic!("the fast reader and serde disagree: {parsed:?} against {serde:?}"),
    }
    if let Ok(event) = parsed {
        let _ = serde_json::to_string(&event).expect("serialises");
    }
}
