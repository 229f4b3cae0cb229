//! A ZEGO privilege payload that repeats a key is refused (issue 12 item 8): decoders and
//! verifiers (it used to decode as `privilege: null`), minters, and the CLI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cli_support;

use aes_gcm::aead::{Aead, KeyInit};
use base64::Engine as _;
use rtcmint::zego::{self, Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, ErrorKind, VerifierSet, verify_any};

const APP_ID: u32 = 1_234_567_890;
const SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const NOW: i64 = 1_767_225_600;

/// A GCM token04 whose claims carry `payload` verbatim: built by hand, since rtcmint's minter
/// refuses to write such a payload.
pub fn hostile_token(payload: &str) -> String {
    let claims = serde_json::json!({
        "app_id": APP_ID, "user_id": "u", "nonce": 1, "ctime": NOW, "expire": NOW + 3600,
        "payload": payload,
    })
    .to_string();
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(SECRET.as_bytes()).unwrap();
    let nonce = [7u8; 12];
    let ct = cipher.encrypt(&nonce.into(), claims.as_bytes()).unwrap();
    let mut bin = Vec::new();
    bin.extend_from_slice(&(NOW + 3600).to_be_bytes());
    bin.extend_from_slice(&12u16.to_be_bytes());
    bin.extend_from_slice(&nonce);
    bin.extend_from_slice(&u16::try_from(ct.len()).unwrap().to_be_bytes());
    bin.extend_from_slice(&ct);
    bin.push(1);
    format!(
        "04{}",
        base64::engine::general_purpose::STANDARD.encode(bin)
    )
}

const DUP_ROOM: &str =
    r#"{"room_id":"a","privilege":{"1":1,"2":0},"stream_id_list":null,"room_id":"b"}"#;
const DUP_FLAG: &str = r#"{"room_id":"r","privilege":{"1":0,"2":1,"1":1},"stream_id_list":null}"#;
const DUP_ESCAPED: &str = r#"{"room_id":"a","privilege":{"1":1},"room\u005fid":"b"}"#;
const DUP_UNKNOWN: &str = r#"{"room_id":"r","privilege":{},"x":1,"x":2}"#;
const DUP_RAW: &str = r#"{"a":1,"a":2}"#;

fn verifier() -> ZegoVerifier {
    ZegoVerifier::new(SECRET).unwrap()
}

#[track_caller]
fn assert_refused(r: Result<impl std::fmt::Debug, Error>, key: &str) {
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert_eq!(
        e.to_string(),
        format!(
            "malformed zego token: the payload has the key `{key}` twice; readers disagree on which one counts, so it is refused"
        )
    );
}

#[test]
fn decode_and_verify_refuse_a_repeated_key() {
    for (payload, key) in [
        (DUP_ROOM, "room_id"),
        (DUP_FLAG, "privilege.1"),
        (DUP_ESCAPED, "room_id"),
        (DUP_UNKNOWN, "x"),
        (DUP_RAW, "a"),
    ] {
        let t = hostile_token(payload);
        assert_refused(verifier().decode(&t), key);
        assert_refused(verifier().verify_at(&t, NOW + 1), key);
        assert_refused(zego::decode(&t, SECRET), key);
        assert_refused(rtcmint::decode_any(&t, Some(SECRET)), key);
        let set = VerifierSet::new().with_zego(verifier());
        assert_refused(verify_any(&t, &set, NOW + 1), key);
        assert_refused(PrivilegePayload::parse(payload), key);
    }
    // The same documents without the repeat decode (the hand-made container is sound).
    let t = hostile_token(r#"{"room_id":"b","privilege":{"1":1,"2":0},"stream_id_list":null}"#);
    let d = verifier().verify_at(&t, NOW + 1).unwrap();
    assert_eq!(d.privilege, Some(PrivilegePayload::new("b")));
    let d = verifier()
        .decode(&hostile_token(r#"{"a":1,"b":{"a":2}}"#))
        .unwrap();
    assert_eq!(d.privilege, None);
    // A non-JSON payload is still only a warning, not a refusal.
    assert!(verifier().decode(&hostile_token("hello")).is_ok());
}

#[test]
fn minting_refuses_a_repeated_key() {
    let request = |r: Result<_, Error>, key: &str| {
        let e = r.unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    field: "payload",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "zego request field `payload`: has the key `{key}` twice; readers disagree on which one counts, so it is refused"
            )
        );
    };
    request(PrivilegePayload::from_json(DUP_ROOM).map(|_| ()), "room_id");
    request(
        PrivilegePayload::from_json(DUP_FLAG).map(|_| ()),
        "privilege.1",
    );
    request(Payload::raw_json(DUP_RAW).map(|_| ()), "a");
    request(Payload::raw_json(DUP_ESCAPED).map(|_| ()), "room_id");
    // An unchecked raw payload is refused by the minter itself, in both modes.
    for mode in [Mode::Cbc, Mode::Gcm] {
        let m = ZegoMinter::new(APP_ID, SECRET).unwrap().with_mode(mode);
        let raw = Payload::Raw(DUP_ROOM.to_owned());
        request(
            m.token("u", std::time::Duration::from_secs(60), &raw)
                .map(|_| ()),
            "room_id",
        );
        // What it mints still verifies.
        let ok = Payload::Raw(r#"{"a":1}"#.to_owned());
        let t = m
            .token("u", std::time::Duration::from_secs(60), &ok)
            .unwrap();
        assert!(verifier().decode(&t).is_ok());
    }
}

#[test]
fn cli_exit_codes() {
    let t = hostile_token(DUP_ROOM);
    for args in [
        vec!["decode", t.as_str()],
        vec!["verify", t.as_str(), "--now", "1767225601"],
    ] {
        let out = cli_support::rtcmint()
            .env("ZEGO_SERVER_SECRET", SECRET)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(5), "{args:?}: {out:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("the payload has the key `room_id` twice"),
            "{stderr}"
        );
    }
    let out = cli_support::rtcmint()
        .env("ZEGO_APP_ID", APP_ID.to_string())
        .env("ZEGO_SERVER_SECRET", SECRET)
        .args(["zego", "mint", "--user-id", "u", "--payload", DUP_ROOM])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stderr)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
        "rtcmint: zego request field `payload`: has the key `room_id` twice; readers disagree on which one counts, so it is refused"
    );
    assert!(out.stdout.is_empty());
}
