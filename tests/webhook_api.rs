//! Webhook verifiers beyond the shared vectors: the cases of the spec's disagreement table
//! (section 1.4) built here byte by byte, parsing rules, key rotation, limits, and property
//! tests that tampering with any byte of a body or signature is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use rtcmint::webhook::{
    AgoraWebhookVerifier, Details, EventKind, LiveKitWebhookVerifier, RecordingState, WebhookError,
    ZegoWebhookVerifier,
};
use rtcmint::{Error, ErrorKind};
use sha2::{Digest, Sha256, Sha384, Sha512};

const KEY: &str = "APIwhk5Tq9LmRz2X";
const SECRET: &str = "wZ7kP2qL9vX4nR8tB3mJ6yH1cF5dG0sA7eU2iO9pK4w";
const NOW: i64 = 1_767_225_601;
const IAT: i64 = 1_767_225_600;
const BODY: &str = r#"{"event":"room_started","room":{"sid":"RM_1","name":"demo"},"id":"EV_1","createdAt":"1767225600"}"#;

fn b64(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// A compact JWS with exactly this header and payload JSON, MACed with `alg`.
fn jws(header: &str, payload: &str, secret: &str, alg: &str) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = match alg {
        "HS256" => {
            let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            m.update(signed.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "HS384" => {
            let mut m = Hmac::<Sha384>::new_from_slice(secret.as_bytes()).unwrap();
            m.update(signed.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "HS512" => {
            let mut m = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).unwrap();
            m.update(signed.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => Vec::new(),
    };
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn token_with(payload: &str) -> String {
    jws(r#"{"alg":"HS256","typ":"JWT"}"#, payload, SECRET, "HS256")
}

fn standard_payload(body: &[u8]) -> String {
    format!(
        r#"{{"iss":"{KEY}","exp":{},"nbf":{IAT},"iat":{IAT},"sha256":"{}"}}"#,
        IAT + 300,
        b64(body)
    )
}

fn lk() -> LiveKitWebhookVerifier {
    LiveKitWebhookVerifier::new(KEY, SECRET).unwrap()
}

fn lk_verify(body: &str, auth: &str, now: i64) -> Result<rtcmint::webhook::Webhook, WebhookError> {
    lk().verify_at(body.as_bytes(), &[("Authorization", auth)], now)
}

#[test]
fn livekit_valid_and_clock_edges() {
    let t = token_with(&standard_payload(BODY.as_bytes()));
    let hook = lk_verify(BODY, &t, NOW).unwrap();
    assert_eq!(hook.kind, EventKind::RoomStarted);
    assert_eq!(hook.room.as_deref(), Some("demo"));
    assert_eq!(hook.id.as_deref(), Some("EV_1"));
    assert_eq!(hook.occurred_at_ms, Some(1_767_225_600_000));
    // 30 s after exp is inside the 60 s leeway (the spec's verdict; Node's 10 s refuses it).
    assert!(lk_verify(BODY, &t, IAT + 330).is_ok());
    let e = lk_verify(BODY, &t, IAT + 361).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Time);
    assert_eq!(e.reason(), "expired");
    // 30 s before nbf: inside the leeway; 61 s: not yet valid.
    assert!(lk_verify(BODY, &t, IAT - 30).is_ok());
    assert_eq!(
        lk_verify(BODY, &t, IAT - 61).unwrap_err().kind(),
        ErrorKind::Time
    );
    // A narrower leeway is honoured.
    let narrow = lk().with_leeway(std::time::Duration::from_secs(10));
    assert!(
        narrow
            .verify_at(BODY.as_bytes(), &[("Authorization", t.as_str())], IAT + 330)
            .is_err()
    );
}

#[test]
fn livekit_disagreement_table_verdicts() {
    let body = BODY.as_bytes();
    let hash = b64(body);
    let pay = |sha: &str| {
        format!(
            r#"{{"iss":"{KEY}","exp":{},"nbf":{IAT},"sha256":{}}}"#,
            IAT + 300,
            serde_json::to_string(sha).unwrap()
        )
    };
    // sha256 claim with a trailing newline, junk after the padding, unpadded, url-safe, hex.
    let digest = Sha256::digest(body);
    let variants = [
        format!("{hash}\n"),
        format!("{hash}AA"),
        hash.trim_end_matches('=').to_owned(),
        URL_SAFE.encode(digest),
        hex::encode(digest),
        format!(" {hash}"),
    ];
    // The url-safe form differs from the standard one only when the hash has `+` or `/`;
    // the shared vector `sha256_urlsafe` covers that case.
    assert!(variants.iter().filter(|v| **v == hash).count() <= 1);
    for v in variants.iter().filter(|v| **v != hash) {
        let e = lk_verify(BODY, &token_with(&pay(v)), NOW).unwrap_err();
        assert!(matches!(e, WebhookError::BodyHashMismatch), "{v:?}: {e}");
        assert_eq!(e.kind(), ErrorKind::Signature);
    }
    // A non-canonical last character (decodes to the same bytes under lenient base64).
    let mut chars: Vec<char> = hash.chars().collect();
    let last = chars.len() - 2;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    let noncanonical: String = chars.into_iter().collect();
    assert!(lk_verify(BODY, &token_with(&pay(&noncanonical)), NOW).is_err());
    // The token followed by a space.
    let t = token_with(&standard_payload(body));
    assert!(lk_verify(BODY, &format!("{t} "), NOW).is_err());
    // HS384 / HS512 with the right secret.
    for alg in ["HS384", "HS512"] {
        let t = jws(
            &format!(r#"{{"alg":"{alg}"}}"#),
            &standard_payload(body),
            SECRET,
            alg,
        );
        assert_eq!(
            lk_verify(BODY, &t, NOW).unwrap_err().kind(),
            ErrorKind::Malformed
        );
    }
    // alg none.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(standard_payload(body))
    );
    assert!(lk_verify(BODY, &none, NOW).is_err());
    // iat one hour in the future: not checked.
    let p = format!(
        r#"{{"iss":"{KEY}","exp":{},"nbf":{IAT},"iat":{},"sha256":"{hash}"}}"#,
        IAT + 300,
        IAT + 3600
    );
    assert!(lk_verify(BODY, &token_with(&p), NOW).is_ok());
    // exp as a JSON string.
    let p = format!(
        r#"{{"iss":"{KEY}","exp":"{}","nbf":{IAT},"sha256":"{hash}"}}"#,
        IAT + 300
    );
    assert_eq!(
        lk_verify(BODY, &token_with(&p), NOW).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // No exp, no iss.
    let p = format!(r#"{{"iss":"{KEY}","nbf":{IAT},"sha256":"{hash}"}}"#);
    assert!(lk_verify(BODY, &token_with(&p), NOW).is_err());
    let p = format!(r#"{{"exp":{},"sha256":"{hash}"}}"#, IAT + 300);
    assert!(lk_verify(BODY, &token_with(&p), NOW).is_err());
    // No sha256 claim at all: a join token does not cover a body.
    let p = format!(r#"{{"iss":"{KEY}","exp":{},"sub":"alice"}}"#, IAT + 300);
    let e = lk_verify(BODY, &token_with(&p), NOW).unwrap_err();
    assert!(matches!(e, WebhookError::MissingBodyHash));
    // An empty receiver secret is refused when the verifier is built.
    assert!(matches!(
        LiveKitWebhookVerifier::new(KEY, ""),
        Err(Error::InvalidCredentials { .. })
    ));
    // A body with a duplicate key, correctly signed.
    let dup = r#"{"event":"room_started","event":"room_finished"}"#;
    let e = lk_verify(dup, &token_with(&standard_payload(dup.as_bytes())), NOW).unwrap_err();
    assert_eq!(e.reason(), "body_parse_error");
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn livekit_wrong_key_secret_and_rotation() {
    let body = BODY.as_bytes();
    let t = token_with(&standard_payload(body));
    let other = LiveKitWebhookVerifier::new(KEY, "another-secret-of-enough-length!!").unwrap();
    let e = other
        .verify_at(body, &[("Authorization", t.as_str())], NOW)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);
    assert_eq!(e.reason(), "bad_signature");
    let unknown = LiveKitWebhookVerifier::new("APIother", SECRET).unwrap();
    let e = unknown
        .verify_at(body, &[("Authorization", t.as_str())], NOW)
        .unwrap_err();
    assert_eq!(e.reason(), "unknown_key");
    // Rotation: the secret is found by `iss`.
    let rotated = LiveKitWebhookVerifier::new("APIother", "another-secret-of-enough-length!!")
        .unwrap()
        .with_key(KEY, SECRET)
        .unwrap();
    assert!(
        rotated
            .verify_at(body, &[("Authorization", t.as_str())], NOW)
            .is_ok()
    );
}

#[test]
fn livekit_authorization_header_rules() {
    let t = token_with(&standard_payload(BODY.as_bytes()));
    let body = BODY.as_bytes();
    // Bearer tolerated by default (any case), refused when strict.
    for prefix in ["Bearer ", "bearer ", "BEARER "] {
        let auth = format!("{prefix}{t}");
        assert!(
            lk().verify_at(body, &[("authorization", auth.as_str())], NOW)
                .is_ok()
        );
        assert!(
            lk().strict_authorization()
                .verify_at(body, &[("Authorization", auth.as_str())], NOW)
                .is_err()
        );
    }
    // Missing, empty, twice.
    let e = lk().verify_at(body, &[("X", "y")], NOW).unwrap_err();
    assert_eq!(e.reason(), "missing_signature");
    assert_eq!(e.kind(), ErrorKind::Signature);
    assert!(lk().verify_at(body, &[("Authorization", "")], NOW).is_err());
    let twice = [("Authorization", t.as_str()), ("authorization", t.as_str())];
    assert_eq!(
        lk().verify_at(body, &twice, NOW).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // A header value that is not UTF-8.
    let raw: [(&str, &[u8]); 1] = [("Authorization", b"\xff\xfe")];
    assert!(lk().verify_at(body, &raw, NOW).is_err());
}

#[test]
fn livekit_body_rules() {
    let sign = |body: &[u8]| token_with(&standard_payload(body));
    let check = |body: &[u8]| {
        let t = sign(body);
        lk().verify_at(body, &[("Authorization", t.as_str())], NOW)
    };
    // `{}` verifies and parses to an event with an empty name.
    let hook = check(b"{}").unwrap();
    assert_eq!(hook.name, "");
    assert_eq!(hook.kind, EventKind::Other);
    // Not JSON, not an object, not UTF-8, wrong field types: refused after a good signature.
    for bad in [
        &b"ok"[..],
        b"[]",
        b"\xff{}",
        br#"{"room":"x"}"#,
        br#"{"createdAt":true}"#,
        br#"{"event":5}"#,
        br#"{"participant":{"joinedAt":"soon"}}"#,
        br#"{"createdAt":"1","created_at":"2"}"#,
    ] {
        let e = check(bad).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Malformed,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // snake_case names, int64 as numbers, enums by number, unknown fields and enum names kept.
    let body = br#"{"event":"participant_left","room":{"name":"r","num_participants":3},
        "participant":{"identity":"bob","state":3,"joined_at":1767225500,"kind":"FUTURE_KIND",
        "disconnect_reason":1,"attributes":{"a":"b"},"newField":{"x":1}},
        "created_at":1767225600,"id":"EV_2","unknownTop":[1,2]}"#;
    let hook = check(body).unwrap();
    assert_eq!(hook.kind, EventKind::ParticipantLeft);
    assert_eq!(hook.participant.as_deref(), Some("bob"));
    let Details::LiveKit(ev) = &hook.details else {
        panic!()
    };
    let p = ev.participant.as_ref().unwrap();
    assert_eq!(p.state.as_deref(), Some("DISCONNECTED"));
    assert_eq!(p.kind.as_deref(), Some("FUTURE_KIND"));
    assert_eq!(p.disconnect_reason.as_deref(), Some("CLIENT_INITIATED"));
    assert_eq!(p.joined_at, Some(1_767_225_500));
    assert_eq!(ev.room.as_ref().unwrap().num_participants, Some(3));
    assert_eq!(ev.created_at, Some(1_767_225_600));
    // The raw body is kept byte for byte.
    assert_eq!(hook.raw().as_bytes(), body);
    // Too large.
    let v = lk().with_max_body(8);
    let t = sign(BODY.as_bytes());
    let e = v
        .verify_at(BODY.as_bytes(), &[("Authorization", t.as_str())], NOW)
        .unwrap_err();
    assert!(matches!(e, WebhookError::TooLarge { .. }));
}

#[test]
fn livekit_egress_and_track_events() {
    let check = |body: &str| {
        let t = token_with(&standard_payload(body.as_bytes()));
        lk_verify(body, &t, NOW).unwrap()
    };
    let h = check(
        r#"{"event":"egress_ended","egressInfo":{"egressId":"EG_1","roomName":"r","status":"EGRESS_COMPLETE"},"id":"E"}"#,
    );
    assert_eq!(h.kind, EventKind::RecordingEnded);
    assert_eq!(h.room.as_deref(), Some("r"));
    let rec = h.recording.unwrap();
    assert_eq!(
        (rec.id.as_str(), rec.state),
        ("EG_1", RecordingState::Complete)
    );
    let h = check(r#"{"event":"egress_updated","egress_info":{"egress_id":"EG_1","status":4}}"#);
    assert_eq!(h.recording.unwrap().state, RecordingState::Failed);
    let h = check(r#"{"event":"egress_started","egressInfo":{"egressId":"EG_2"}}"#);
    assert_eq!(h.kind, EventKind::RecordingStarted);
    assert_eq!(h.recording.unwrap().state, RecordingState::Starting);
    let h = check(
        r#"{"event":"track_published","room":{"name":"r"},"participant":{"identity":"a"},"track":{"sid":"TR_1","type":"VIDEO","source":1}}"#,
    );
    assert_eq!(h.kind, EventKind::TrackPublished);
    assert_eq!(h.track.as_deref(), Some("TR_1"));
    let Details::LiveKit(ev) = &h.details else {
        panic!()
    };
    assert_eq!(ev.track.as_ref().unwrap().source.as_deref(), Some("CAMERA"));
    let h = check(r#"{"event":"agent_job_started","job":{"id":"AJ_1"}}"#);
    assert_eq!(h.kind, EventKind::Other);
    assert_eq!(h.name, "agent_job_started");
}

const AG_SECRET: &str = "5f2b8c1e9d7a4036b1e8c2f49a0d6e73";

fn agora() -> AgoraWebhookVerifier {
    AgoraWebhookVerifier::new(AG_SECRET).unwrap()
}

fn agora_body(event_type: u32, payload: &str) -> String {
    format!(
        r#"{{"noticeId":"n-{event_type}","productId":1,"eventType":{event_type},"notifyMs":1767225600000,"sid":"S","payload":{payload}}}"#
    )
}

#[test]
fn agora_header_policy() {
    let v = agora();
    let body = agora_body(
        103,
        r#"{"channelName":"c","uid":7,"clientSeq":1,"ts":1767225599}"#,
    );
    let b = body.as_bytes();
    let (s2, s1) = (v.sign_v2(b), v.sign_v1(b));
    assert!(
        v.verify_at(b, &[("Agora-Signature-V2", s2.as_str())], NOW)
            .is_ok()
    );
    assert!(
        v.verify_at(b, &[("agora-signature", s1.as_str())], NOW)
            .is_ok()
    );
    let both = [
        ("Agora-Signature-V2", s2.as_str()),
        ("Agora-Signature", s1.as_str()),
    ];
    let hook = v.verify_at(b, &both, NOW).unwrap();
    assert_eq!(hook.kind, EventKind::ParticipantJoined);
    assert_eq!(hook.participant.as_deref(), Some("7"));
    assert_eq!(hook.room.as_deref(), Some("c"));
    // Every present header must match.
    let bad_v1 = [
        ("Agora-Signature-V2", s2.as_str()),
        ("Agora-Signature", "00"),
    ];
    assert_eq!(
        v.verify_at(b, &bad_v1, NOW).unwrap_err().reason(),
        "signature_mismatch"
    );
    // Upper case, a prefix, base64: refused.
    let upper = s2.to_uppercase();
    let prefixed = format!("sha256={s2}");
    for sig in [upper.as_str(), prefixed.as_str(), ""] {
        assert!(v.verify_at(b, &[("Agora-Signature-V2", sig)], NOW).is_err());
    }
    // Twice.
    let twice = [
        ("Agora-Signature-V2", s2.as_str()),
        ("Agora-Signature-V2", s2.as_str()),
    ];
    assert!(v.verify_at(b, &twice, NOW).is_err());
    // Missing.
    let e = v
        .verify_at(b, &[("Content-Type", "application/json")], NOW)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);
    // Rotation: the second secret verifies.
    let rotated = AgoraWebhookVerifier::new("old-secret")
        .unwrap()
        .with_secret(AG_SECRET)
        .unwrap();
    assert!(rotated.verify_at(b, &both, NOW).is_ok());
    assert!(AgoraWebhookVerifier::new("").is_err());
    // A duplicate top-level key, correctly signed.
    let dup = r#"{"eventType":101,"eventType":102}"#;
    let sig = v.sign_v2(dup.as_bytes());
    let e = v
        .verify_at(dup.as_bytes(), &[("Agora-Signature-V2", sig.as_str())], NOW)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn agora_age_bound_and_events() {
    let body = agora_body(
        104,
        r#"{"channelName":"c","uid":7,"reason":1,"duration":60,"ts":1767225599}"#,
    );
    let b = body.as_bytes();
    let v = agora().with_max_age(std::time::Duration::from_secs(300));
    let sig = v.sign_v2(b);
    let h = [("Agora-Signature-V2", sig.as_str())];
    let hook = v.verify_at(b, &h, NOW).unwrap();
    assert_eq!(hook.kind, EventKind::ParticipantLeft);
    assert_eq!(hook.name, "broadcaster leave channel");
    assert_eq!(hook.occurred_at_ms, Some(1_767_225_599_000));
    let e = v.verify_at(b, &h, NOW + 400).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Time);
    assert!(v.verify_at(b, &h, NOW - 400).is_err());
    // Without the bound there is no freshness rule.
    assert!(agora().verify_at(b, &h, NOW + 1_000_000).is_ok());
    // Cloud Recording.
    let rec = r#"{"noticeId":"r1","productId":3,"eventType":40,"notifyMs":1767225600000,"payload":{"cname":"c","uid":"527841","sid":"REC1","sequence":0,"sendts":1767225599880,"serviceType":0,"details":{"msgName":"recorder_started"}}}"#;
    let sig = agora().sign_v2(rec.as_bytes());
    let hook = agora()
        .verify_at(rec.as_bytes(), &[("Agora-Signature-V2", sig.as_str())], NOW)
        .unwrap();
    assert_eq!(hook.kind, EventKind::RecordingStarted);
    let r = hook.recording.unwrap();
    assert_eq!((r.id.as_str(), r.state), ("REC1", RecordingState::Active));
    assert_eq!(hook.room.as_deref(), Some("c"));
}

const ZG_SECRET: &str = "8d3f1a6b0c9e4f27a5b1d8c3e6f09a24";

fn zego() -> ZegoWebhookVerifier {
    ZegoWebhookVerifier::new(ZG_SECRET).unwrap()
}

#[test]
fn zego_fields_and_forms() {
    let v = zego();
    let sig = v.sign("1767225600", "350176");
    // JSON with a numeric timestamp; capitalised names (AI Agent style).
    let body = format!(
        r#"{{"event":"room_login","room_id":"r1","user_account":"alice","Timestamp":1767225600,"Nonce":"350176","Signature":"{sig}"}}"#
    );
    let hook = v
        .verify_at(
            body.as_bytes(),
            &[("Content-Type", "application/json")],
            NOW,
        )
        .unwrap();
    assert_eq!(hook.kind, EventKind::ParticipantJoined);
    assert_eq!(hook.participant.as_deref(), Some("alice"));
    assert_eq!(hook.room.as_deref(), Some("r1"));
    assert!(!hook.body_authenticated);
    // Two spellings of one signed field are refused.
    let body = format!(
        r#"{{"timestamp":"1767225600","Timestamp":"1","nonce":"350176","signature":"{sig}"}}"#
    );
    assert_eq!(
        v.verify_at(body.as_bytes(), &[("a", "b")], NOW)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    // A form, with and without the Content-Type.
    let form = format!(
        "event=room_logout&room_id=r1&user_account=alice&timestamp=1767225600&nonce=350176&signature={sig}"
    );
    for h in [
        vec![(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        vec![],
    ] {
        let hook = v.verify_at(form.as_bytes(), &h, NOW).unwrap();
        assert_eq!(hook.kind, EventKind::ParticipantLeft);
    }
    // Repeated form field.
    let rep = format!("{form}&nonce=350176");
    assert!(v.verify_at(rep.as_bytes(), &[("a", "b")], NOW).is_err());
    // Missing pieces.
    let e = v
        .verify_at(br#"{"timestamp":"1","nonce":"2"}"#, &[("a", "b")], NOW)
        .unwrap_err();
    assert_eq!(e.reason(), "missing_signature");
    let e = v
        .verify_at(br#"{"timestamp":"1","signature":"2"}"#, &[("a", "b")], NOW)
        .unwrap_err();
    assert_eq!(e.reason(), "missing_signature_field");
    // Wrong types.
    let body = format!(r#"{{"timestamp":1.5,"nonce":"350176","signature":"{sig}"}}"#);
    assert!(v.verify_at(body.as_bytes(), &[("a", "b")], NOW).is_err());
    assert!(ZegoWebhookVerifier::new("").is_err());
}

#[test]
fn zego_window_and_recording() {
    let v = zego().with_max_age(std::time::Duration::from_secs(300));
    let sig = v.sign("1767225600", "n1");
    let body = format!(
        r#"{{"event_type":5,"app_id":1,"task_id":"T1","timestamp":"1767225600","nonce":"n1","signature":"{sig}"}}"#
    );
    let hook = v.verify_at(body.as_bytes(), &[("a", "b")], NOW).unwrap();
    assert_eq!(hook.kind, EventKind::RecordingEnded);
    let r = hook.recording.unwrap();
    assert_eq!((r.id.as_str(), r.state), ("T1", RecordingState::Complete));
    assert_eq!(hook.id.as_deref(), Some("1767225600:n1"));
    let e = v
        .verify_at(body.as_bytes(), &[("a", "b")], NOW + 301)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Time);
    // Milliseconds (AI Agent callbacks).
    let sig = v.sign("1767225600500", "n2");
    let body =
        format!(r#"{{"Event":"x","Timestamp":1767225600500,"Nonce":"n2","Signature":"{sig}"}}"#);
    assert!(v.verify_at(body.as_bytes(), &[("a", "b")], NOW).is_ok());
    assert!(
        v.verify_at(body.as_bytes(), &[("a", "b")], NOW + 600)
            .is_err()
    );
}

#[test]
fn debug_never_shows_secrets() {
    let a = format!("{:?}", agora());
    let z = format!("{:?}", zego());
    let l = format!("{:?}", lk());
    assert!(!a.contains(AG_SECRET) && !z.contains(ZG_SECRET) && !l.contains(SECRET));
    assert!(z.contains("redacted") && a.contains("redacted"));
    let e = zego()
        .verify_at(
            br#"{"timestamp":"1","nonce":"2","signature":"x"}"#,
            &[("a", "b")],
            0,
        )
        .unwrap_err();
    assert!(!format!("{e:?} {e}").contains(ZG_SECRET));
}

fn flip(data: &[u8], index: usize, bit: u8) -> Vec<u8> {
    let mut out = data.to_vec();
    let i = index % out.len();
    out[i] ^= 1 << (bit % 8);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn livekit_tampered_body_or_token_fails(index in any::<usize>(), bit in any::<u8>(), in_token in any::<bool>()) {
        let body = BODY.as_bytes();
        let token = token_with(&standard_payload(body));
        let (b, t) = if in_token {
            (body.to_vec(), flip(token.as_bytes(), index, bit))
        } else {
            (flip(body, index, bit), token.as_bytes().to_vec())
        };
        let r = lk().verify_at(&b, &[("Authorization", t.as_slice())], NOW);
        prop_assert!(r.is_err());
    }

    #[test]
    fn agora_tampered_body_or_signature_fails(index in any::<usize>(), bit in any::<u8>(), in_sig in any::<bool>(), v1 in any::<bool>()) {
        let body = agora_body(101, r#"{"channelName":"c","ts":1767225599}"#);
        let v = agora();
        let sig = if v1 { v.sign_v1(body.as_bytes()) } else { v.sign_v2(body.as_bytes()) };
        let name = if v1 { "Agora-Signature" } else { "Agora-Signature-V2" };
        let (b, s) = if in_sig {
            (body.as_bytes().to_vec(), flip(sig.as_bytes(), index, bit))
        } else {
            (flip(body.as_bytes(), index, bit), sig.as_bytes().to_vec())
        };
        prop_assert!(v.verify_at(&b, &[(name, s.as_slice())], NOW).is_err());
    }

    /// ZEGO signs only the secret, timestamp and nonce: tampering with the signature or a signed
    /// field fails; other body bytes are not covered (the verified event says so).
    #[test]
    fn zego_tampered_signed_fields_fail(index in any::<usize>(), bit in any::<u8>(), which in 0usize..3) {
        let v = zego();
        let (ts, nonce) = ("1767225600", "350176");
        let sig = v.sign(ts, nonce);
        let mut fields = [ts.to_owned(), nonce.to_owned(), sig];
        let target = fields[which].as_bytes().to_vec();
        let flipped = flip(&target, index, bit);
        prop_assume!(flipped.is_ascii() && !flipped.contains(&b'"') && !flipped.contains(&b'\\'));
        fields[which] = String::from_utf8(flipped).unwrap();
        let body = format!(
            r#"{{"event":"stream_create","timestamp":"{}","nonce":"{}","signature":"{}"}}"#,
            fields[0], fields[1], fields[2]
        );
        prop_assert!(v.verify_at(body.as_bytes(), &[("a", "b")], NOW).is_err());
    }

    #[test]
    fn zego_unsigned_body_bytes_are_reported_unauthenticated(user in "[a-z]{1,12}") {
        let v = zego();
        let sig = v.sign("1767225600", "350176");
        let body = format!(
            r#"{{"event":"stream_create","user_id":"{user}","timestamp":"1767225600","nonce":"350176","signature":"{sig}"}}"#
        );
        let hook = v.verify_at(body.as_bytes(), &[("a", "b")], NOW).unwrap();
        prop_assert!(!hook.body_authenticated);
        prop_assert_eq!(hook.participant.as_deref(), Some(user.as_str()));
    }
}
