//! ZEGOCLOUD token04: property round trips, the neutral `TokenMinter` mapping, and API behaviour.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use rtcmint::zego::{self, MintInputs, Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, FixedClock, FixedRandom, TokenMinter, TokenRequest, Vendor};

const SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const APP_ID: u32 = 1_234_567_890;

fn minter(mode: Mode) -> ZegoMinter {
    ZegoMinter::new(APP_ID, SECRET)
        .unwrap()
        .with_mode(mode)
        .with_clock(Arc::new(FixedClock(1_700_000_000)))
}

fn mode_strategy() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Cbc), Just(Mode::Gcm)]
}

fn payload_strategy() -> impl Strategy<Value = Payload> {
    prop_oneof![
        Just(Payload::Identity),
        (
            any::<String>(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(proptest::collection::vec(any::<String>(), 0..4))
        )
            .prop_map(|(room, login, publish, streams)| {
                let mut p = PrivilegePayload::new(room)
                    .login_room(login)
                    .publish_stream(publish);
                if let Some(s) = streams {
                    p = p.stream_ids(s);
                }
                Payload::Privilege(p)
            }),
        any::<String>().prop_map(Payload::Raw),
    ]
}

proptest! {
    #[test]
    fn mint_then_decode_gives_back_the_inputs(
        mode in mode_strategy(),
        user_id in "\\PC{1,20}",
        payload in payload_strategy(),
        issued_at in 0i64..5_000_000_000,
        ttl in 1i64..100_000_000,
        nonce in any::<i64>(),
        iv in any::<[u8; 16]>(),
    ) {
        prop_assume!(!user_id.is_empty() && user_id.len() <= 64);
        let m = minter(mode);
        let iv = &iv[..mode.iv_len()];
        let inputs = MintInputs::new(&user_id, issued_at, ttl, nonce, iv).payload(&payload);
        let mut token = String::new();
        let expire = m.encode_into(&inputs, &mut token).unwrap().expires_at;
        prop_assert_eq!(expire, issued_at + ttl);
        prop_assert_eq!(zego::detect_mode(&token), Some(mode));
        let d = m.verifier().verify_at(&token, issued_at).unwrap();
        prop_assert_eq!(d.mode, mode);
        prop_assert_eq!(d.claims.app_id, u64::from(APP_ID));
        prop_assert_eq!(&d.claims.user_id, &user_id);
        prop_assert_eq!(d.claims.nonce, nonce);
        prop_assert_eq!(d.issued_at, issued_at);
        prop_assert_eq!(d.expires_at, expire);
        prop_assert_eq!(&d.container.iv_hex, &hex::encode(iv));
        match &payload {
            Payload::Identity => {
                prop_assert_eq!(d.claims.payload_str(), "");
                prop_assert_eq!(d.privilege, None);
            }
            Payload::Privilege(p) => {
                prop_assert_eq!(d.claims.payload_str(), p.to_json());
                prop_assert_eq!(d.privilege.as_ref(), Some(p));
            }
            Payload::Raw(s) => prop_assert_eq!(d.claims.payload_str(), s.as_str()),
            _ => unreachable!(),
        }
        // Our claims JSON matches serde_json's (= Python's) style byte for byte.
        let reference = serde_json::json!({
            "app_id": APP_ID, "user_id": user_id, "nonce": nonce, "ctime": issued_at,
            "expire": expire, "payload": d.claims.payload_str(),
        });
        let reference = format!(
            "{{\"app_id\":{},\"user_id\":{},\"nonce\":{},\"ctime\":{},\"expire\":{},\"payload\":{}}}",
            reference["app_id"], reference["user_id"], reference["nonce"], reference["ctime"],
            reference["expire"], serde_json::to_string(d.claims.payload_str()).unwrap(),
        );
        prop_assert_eq!(&d.plaintext, &reference);
        // Expired one second after expiry, valid at the expiry second.
        prop_assert!(m.verifier().verify_at(&token, expire).is_ok());
        let expired = matches!(
            m.verifier().verify_at(&token, expire + 1),
            Err(Error::Expired { .. })
        );
        prop_assert!(expired);
    }

    #[test]
    fn decode_never_panics(token in "04[A-Za-z0-9+/=]{0,200}|\\PC{0,100}") {
        let v = ZegoVerifier::new(SECRET).unwrap();
        let _ = v.decode(&token);
        let _ = zego::decode_container(&token);
        let _ = zego::detect_mode(&token);
    }

    #[test]
    fn any_bit_flip_in_gcm_is_rejected(pos in 0usize..1000, bit in 0u8..8) {
        let token = minter(Mode::Gcm).token("user1", std::time::Duration::from_secs(3600), &Payload::Identity).unwrap();
        let mut bin = base64_decode(&token[2..]);
        let pos = pos % bin.len();
        bin[pos] ^= 1 << bit;
        let tampered = format!("04{}", base64_encode(&bin));
        let r = ZegoVerifier::new(SECRET).unwrap().decode(&tampered);
        prop_assert!(r.is_err(), "flip at {} accepted", pos);
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn default_mode_is_cbc_and_randomness_is_injectable() {
    let m = ZegoMinter::new(APP_ID, SECRET).unwrap();
    assert_eq!(m.mode(), Mode::Cbc);
    // The vector `basic`: nonce 123456789 (drawn as `u32 >> 1`) then the IV bytes.
    let mut bytes = (123_456_789u32 << 1).to_le_bytes().to_vec();
    bytes.extend_from_slice(b"0123456789abcdef");
    let m = m
        .with_clock(Arc::new(FixedClock(1_700_000_000)))
        .with_random(Arc::new(FixedRandom::new(bytes)));
    let token = m
        .token(
            "user1",
            std::time::Duration::from_secs(3600),
            &Payload::Identity,
        )
        .unwrap();
    assert_eq!(
        token,
        "04AAAAAGVT/xAAEDAxMjM0NTY3ODlhYmNkZWYAcK/oyydKytM1aQ+0EzyZaCrKfJWJQIVBzfCfER5aaXlYVWhM9hV86d0kI2fSypVBvev00tVGYB097qTYwSou2PNVur/20fg1KvNMbFlHdPty17aH1X6T+9xMEcBoa7g1gpH5nXTwww7336Ga5zGk9D4="
    );
}

#[test]
fn real_randomness_differs_per_token() {
    for mode in [Mode::Cbc, Mode::Gcm] {
        let m = ZegoMinter::new(APP_ID, SECRET).unwrap().with_mode(mode);
        let a = m
            .token("u", std::time::Duration::from_secs(60), &Payload::Identity)
            .unwrap();
        let b = m
            .token("u", std::time::Duration::from_secs(60), &Payload::Identity)
            .unwrap();
        assert_ne!(a, b);
        let d = m.verifier().verify(&a).unwrap();
        assert!(d.claims.nonce >= 0 && d.claims.nonce <= i64::from(i32::MAX));
    }
}

#[test]
fn neutral_request_mapping() {
    for mode in [Mode::Cbc, Mode::Gcm] {
        let m = minter(mode);
        let v = m.verifier();

        let t = m.mint(&TokenRequest::new("alice")).unwrap();
        assert_eq!(t.vendor, Vendor::Zego);
        assert_eq!(
            (t.issued_at, t.expires_at),
            (1_700_000_000, 1_700_000_000 + 6 * 3600)
        );
        let d = v.verify_at(&t.token, t.issued_at).unwrap();
        assert_eq!(d.claims.user_id, "alice");
        assert_eq!(d.claims.payload_str(), "");

        let req = TokenRequest::new("bob")
            .room("room1")
            .ttl(Duration::from_secs(600))
            .issued_at(1_800_000_000);
        let t = m.mint(&req).unwrap();
        assert_eq!(t.room.as_deref(), Some("room1"));
        assert_eq!((t.issued_at, t.expires_at), (1_800_000_000, 1_800_000_600));
        let d = v.verify_at(&t.token, t.issued_at).unwrap();
        assert_eq!(
            d.claims.payload_str(),
            r#"{"room_id":"room1","privilege":{"1":1,"2":1},"stream_id_list":null}"#
        );

        let t = m.mint(&req.clone().can_publish(false)).unwrap();
        let d = v.verify_at(&t.token, t.issued_at).unwrap();
        assert_eq!(
            d.privilege,
            Some(PrivilegePayload::new("room1").publish_stream(false))
        );

        let t = m
            .mint(&TokenRequest::new("carol").can_publish(false))
            .unwrap();
        let d = v.verify_at(&t.token, t.issued_at).unwrap();
        assert_eq!(
            d.claims.payload_str(),
            r#"{"room_id":"","privilege":{"1":1,"2":0},"stream_id_list":null}"#
        );

        let unsupported = [
            ("display_name", TokenRequest::new("a").display_name("A")),
            (
                "metadata",
                TokenRequest::new("a").metadata(serde_json::Map::new()),
            ),
            ("is_admin", TokenRequest::new("a").admin(true)),
            ("can_subscribe", TokenRequest::new("a").can_subscribe(false)),
            (
                "can_publish_data",
                TokenRequest::new("a").can_publish_data(false),
            ),
        ];
        for (field, req) in unsupported {
            match m.mint(&req) {
                Err(Error::Unsupported {
                    field: f,
                    vendor: Vendor::Zego,
                    ..
                }) => {
                    assert_eq!(f, field)
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        assert!(matches!(
            m.mint(&TokenRequest::new("a").ttl(Duration::ZERO)),
            Err(Error::InvalidRequest { field: "ttl", .. })
        ));
        assert!(matches!(
            m.mint(&TokenRequest::new("")),
            Err(Error::InvalidRequest {
                field: "user_id",
                ..
            })
        ));
        assert!(matches!(
            m.mint(&TokenRequest::new("x".repeat(65))),
            Err(Error::InvalidRequest {
                field: "user_id",
                ..
            })
        ));
    }
}

#[test]
fn verifier_checks_app_id_and_wrong_secret_is_opaque() {
    let token = minter(Mode::Gcm)
        .token("u", std::time::Duration::from_secs(60), &Payload::Identity)
        .unwrap();
    let other = ZegoMinter::new(7, SECRET).unwrap();
    assert!(matches!(
        other.verifier().verify_at(&token, 1_700_000_000),
        Err(Error::UnknownKey { .. })
    ));
    let wrong = zego::ZegoVerifier::new("00000000000000000000000000000000")
        .and_then(|v| v.verify_at(&token, 1_700_000_000));
    assert_eq!(
        wrong,
        Err(Error::SignatureMismatch {
            vendor: Vendor::Zego
        })
    );
    assert!(!wrong.unwrap_err().to_string().contains(SECRET));
    assert!(matches!(
        zego::decode(&token, "short"),
        Err(Error::InvalidCredentials {
            what: "server secret",
            ..
        })
    ));
}

#[test]
fn secrets_never_print() {
    let m = minter(Mode::Cbc);
    let dbg = format!("{m:?} {:?}", m.verifier());
    assert!(!dbg.contains(SECRET), "{dbg}");
    assert!(!dbg.contains("fa94"), "{dbg}");
}

#[test]
fn inspect_reads_the_header_without_the_secret() {
    let token = minter(Mode::Gcm)
        .token("u", std::time::Duration::from_secs(60), &Payload::Identity)
        .unwrap();
    let info = zego::decode_container(&token).unwrap();
    assert_eq!(info.mode, Mode::Gcm);
    assert_eq!(info.mode_byte, Some(1));
    assert_eq!(info.expire, 1_700_000_060);
    assert_eq!(info.iv_len, 12);
    assert_eq!(zego::detect_mode("04abc"), None);
    assert_eq!(zego::detect_mode("hello"), None);
}

#[test]
fn decoded_token_serializes() {
    let m = minter(Mode::Cbc);
    let payload = Payload::Privilege(PrivilegePayload::new("r").stream_ids(["s1"]));
    let token = m
        .token("u", std::time::Duration::from_secs(60), &payload)
        .unwrap();
    let d = m.verifier().verify_at(&token, 1_700_000_000).unwrap();
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["mode"], "cbc");
    assert_eq!(json["authenticated"], false);
    assert_eq!(json["expires_at"], 1_700_000_060);
    assert_eq!(json["privilege"]["room_id"], "r");
    assert_eq!(json["warnings"][0], "unauthenticated");
}

#[test]
fn mint_into_appends_and_leaves_buffer_alone_on_error() {
    let m = minter(Mode::Cbc);
    let mut out = String::from("prefix|");
    m.token_into(
        "u",
        std::time::Duration::from_secs(60),
        &Payload::Identity,
        &mut out,
    )
    .unwrap();
    assert!(out.starts_with("prefix|04"));
    let before = out.clone();
    assert!(
        m.token_into(
            "u",
            std::time::Duration::from_secs(0),
            &Payload::Identity,
            &mut out
        )
        .is_err()
    );
    let big = Payload::Raw("x".repeat(70_000));
    assert!(matches!(
        m.token_into("u", std::time::Duration::from_secs(60), &big, &mut out),
        Err(Error::InvalidRequest {
            field: "payload",
            ..
        })
    ));
    assert_eq!(out, before);
    assert!(matches!(
        m.encode_into(&MintInputs::new("u", 0, 60, 1, &[0u8; 12]), &mut out),
        Err(Error::InvalidRequest { field: "iv", .. })
    ));
    assert!(matches!(
        m.encode_into(&MintInputs::new("u", i64::MAX, 60, 1, &[0u8; 16]), &mut out),
        Err(Error::InvalidRequest {
            field: "effective_time_secs",
            ..
        })
    ));
}

#[test]
fn minter_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<ZegoMinter>();
    check::<ZegoVerifier>();
}
