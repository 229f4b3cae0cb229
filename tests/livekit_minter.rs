//! LiveKit minting through the full and the neutral API, verification options, round trips.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use rtcmint::livekit::{
    ClaimGrants, LiveKitMinter, LiveKitVerifier, RoomAgentDispatch, RoomConfiguration, VideoGrant,
    decode,
};
use rtcmint::{Error, ErrorKind, FixedClock, TokenMinter, TokenRequest, Vendor};

const KEY: &str = "APIvk8Qe3LmT2xRz";
const SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";
const NOW: i64 = 1_767_225_600;

fn minter() -> LiveKitMinter {
    LiveKitMinter::new(KEY, SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)))
}

fn verifier() -> LiveKitVerifier {
    LiveKitVerifier::new(KEY, SECRET).unwrap()
}

#[test]
fn layout_is_the_rust_sdk_one() {
    let token = minter()
        .encode(
            &ClaimGrants::new("alice").with_video(VideoGrant::join("my-room")),
            NOW,
            std::time::Duration::from_secs(21_600),
        )
        .unwrap();
    let mut parts = token.split('.');
    assert_eq!(parts.next(), Some("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"));
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts.next().unwrap())
        .unwrap();
    // Byte-identical to the Rust SDK's payload for the spec's `minimal_join` example.
    assert_eq!(
        String::from_utf8(payload).unwrap(),
        r#"{"exp":1767247200,"iss":"APIvk8Qe3LmT2xRz","nbf":1767225600,"sub":"alice","video":{"roomJoin":true,"room":"my-room"}}"#
    );
}

#[test]
fn neutral_request_maps_every_field() {
    let mut md = serde_json::Map::new();
    md.insert("plan".into(), "pro".into());
    let req = TokenRequest::new("bob")
        .room("standup")
        .display_name("Bob")
        .ttl(Duration::from_secs(600))
        .can_publish(false)
        .can_publish_data(false)
        .admin(true)
        .metadata(md);
    let issued = minter().mint(&req).unwrap();
    assert_eq!(issued.vendor, Vendor::LiveKit);
    assert_eq!(issued.identity, "bob");
    assert_eq!(issued.room.as_deref(), Some("standup"));
    assert_eq!((issued.issued_at, issued.expires_at), (NOW, NOW + 600));
    let claims = verifier().verify_at(&issued.token, NOW).unwrap();
    let g = &claims.grants;
    assert_eq!(g.name, "Bob");
    assert_eq!(g.metadata, r#"{"plan":"pro"}"#);
    let v = g.video.as_ref().unwrap();
    assert!(v.room_join && v.room_admin);
    assert_eq!(v.room, "standup");
    assert_eq!(
        (v.can_publish, v.can_subscribe, v.can_publish_data),
        (Some(false), Some(true), Some(false))
    );
    assert_eq!(claims.nbf, Some(NOW));
    assert_eq!(claims.exp, NOW + 600);
}

#[test]
fn issued_at_override_beats_the_clock() {
    let issued = minter()
        .mint(&TokenRequest::new("a").room("r").issued_at(1_000))
        .unwrap();
    assert_eq!(issued.issued_at, 1_000);
    assert_eq!(issued.expires_at, 1_000 + 21_600);
}

#[test]
fn mint_checks() {
    let m = minter();
    let err = |r: TokenRequest| m.mint(&r).unwrap_err();
    assert!(matches!(
        err(TokenRequest::new("").room("r")),
        Error::InvalidRequest {
            field: "identity",
            ..
        }
    ));
    assert!(matches!(
        err(TokenRequest::new("a").ttl(Duration::ZERO)),
        Error::InvalidRequest { field: "ttl", .. }
    ));
    assert!(matches!(
        err(TokenRequest::new("x".repeat(257))),
        Error::InvalidRequest {
            field: "identity",
            ..
        }
    ));
    assert!(matches!(
        err(TokenRequest::new("a").room("r".repeat(257))),
        Error::InvalidRequest { field: "room", .. }
    ));
    assert!(matches!(
        err(TokenRequest::new("a").display_name("n".repeat(300))),
        Error::InvalidRequest { field: "name", .. }
    ));
    // 256 bytes is still fine.
    m.mint(&TokenRequest::new("x".repeat(256))).unwrap();

    let grants = |f: fn(&mut ClaimGrants)| {
        let mut g = ClaimGrants::new("a").with_video(VideoGrant::join("r"));
        f(&mut g);
        m.encode(&g, NOW, std::time::Duration::from_secs(60))
    };
    assert!(grants(|g| g.kind = "robot".into()).is_err());
    assert!(grants(|g| g.kind = "connector".into()).is_ok());
    assert!(
        grants(|g| g.video.as_mut().unwrap().can_publish_sources = vec!["webcam".into()]).is_err()
    );
    assert!(grants(|g| g.metadata = "m".repeat(512 * 1024 + 1)).is_err());
    assert!(
        grants(|g| {
            g.attributes.insert("k".into(), "v".repeat(64 * 1024));
        })
        .is_err()
    );
    assert!(
        m.encode(
            &ClaimGrants::new("a"),
            i64::MAX - 5,
            std::time::Duration::from_secs(60)
        )
        .is_err()
    );
}

#[test]
fn credentials_are_checked_and_never_printed() {
    assert!(matches!(
        LiveKitMinter::new("", SECRET),
        Err(Error::InvalidCredentials {
            what: "api key",
            ..
        })
    ));
    assert!(matches!(
        LiveKitMinter::new(KEY, ""),
        Err(Error::InvalidCredentials {
            what: "api secret",
            ..
        })
    ));
    assert!(LiveKitVerifier::new(KEY, "").is_err());
    let dbg = format!("{:?} {:?}", minter(), verifier());
    assert!(!dbg.contains(SECRET), "{dbg}");
    assert!(dbg.contains(KEY));
    assert!(
        LiveKitMinter::new("devkey", "secret")
            .unwrap()
            .secret_is_short()
    );
    assert!(!minter().secret_is_short());
}

#[test]
fn key_rotation_and_leeway() {
    let old = LiveKitMinter::new("APIold", "old-secret-old-secret-old-secret").unwrap();
    let token = old
        .encode(
            &ClaimGrants::new("a").with_video(VideoGrant::join("r")),
            NOW,
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    // Only the current key: the old token names an unknown key.
    assert!(matches!(
        verifier().verify_at(&token, NOW),
        Err(Error::UnknownKey { ref key, .. }) if key == "APIold"
    ));
    let both = verifier()
        .with_key("APIold", "old-secret-old-secret-old-secret")
        .unwrap();
    assert_eq!(both.verify_at(&token, NOW).unwrap().grants.identity, "a");
    assert!(verifier().with_key(KEY, "x").is_err(), "duplicate key");
    // Same key id, wrong secret: signature mismatch.
    let impostor = LiveKitVerifier::new("APIold", "not-the-secret").unwrap();
    assert_eq!(
        impostor.verify_at(&token, NOW).unwrap_err().kind(),
        ErrorKind::Signature
    );
    // Leeway: exp = NOW + 60. Default 60 s accepts until exp + 59.
    assert!(both.verify_at(&token, NOW + 119).is_ok());
    assert!(matches!(
        both.verify_at(&token, NOW + 120),
        Err(Error::Expired { expired_at, .. }) if expired_at == NOW + 60
    ));
    let strict = both.with_leeway(Duration::ZERO);
    assert!(strict.verify_at(&token, NOW + 59).is_ok());
    assert!(strict.verify_at(&token, NOW + 60).is_err());
    assert!(matches!(
        strict.verify_at(&token, NOW - 1),
        Err(Error::NotYetValid { .. })
    ));
    // The clock is an input.
    let clocked = verifier()
        .with_key("APIold", "old-secret-old-secret-old-secret")
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW + 1)));
    assert!(clocked.verify(&token).is_ok());
}

#[test]
fn room_config_round_trips() {
    let mut g = ClaimGrants::new("a").with_video(VideoGrant::join("r"));
    g.room_config = Some(RoomConfiguration {
        name: "r".into(),
        max_participants: 5,
        agents: vec![RoomAgentDispatch {
            agent_name: "helper".into(),
            metadata: r#"{"lang":"en"}"#.into(),
            ..Default::default()
        }],
        tags: [
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "1".to_owned()),
        ]
        .into(),
        ..Default::default()
    });
    let token = minter()
        .encode(&g, NOW, std::time::Duration::from_secs(60))
        .unwrap();
    let decoded = decode(&token).unwrap();
    assert_eq!(decoded.header.alg, "HS256");
    assert_eq!(decoded.claims.grants, g);
    // Maps come out sorted, so equal grants give equal tokens.
    assert_eq!(
        token,
        minter()
            .encode(&g, NOW, std::time::Duration::from_secs(60))
            .unwrap()
    );
}

#[test]
fn encode_into_appends_and_leaves_output_alone_on_error() {
    let m = minter();
    let mut out = String::from("Bearer ");
    m.encode_into(
        &ClaimGrants::new("a"),
        NOW,
        std::time::Duration::from_secs(60),
        &mut out,
    )
    .unwrap();
    assert!(out.starts_with("Bearer eyJ"));
    verifier().verify_at(&out["Bearer ".len()..], NOW).unwrap();
    let before = out.clone();
    assert!(
        m.encode_into(
            &ClaimGrants::new("a"),
            NOW,
            std::time::Duration::from_secs(0),
            &mut out
        )
        .is_err()
    );
    assert_eq!(out, before);
}

fn arb_video() -> impl Strategy<Value = VideoGrant> {
    (
        any::<[bool; 9]>(),
        "[a-z0-9_-]{1,40}",
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::sample::subsequence(
            vec!["camera", "microphone", "screen_share", "screen_share_audio"],
            0..=4,
        ),
    )
        .prop_map(|(b, room, p, s, d, sources)| VideoGrant {
            room_create: b[0],
            room_list: b[1],
            room_record: b[2],
            room_admin: b[3],
            room_join: b[4],
            room,
            ingress_admin: b[5],
            hidden: b[6],
            recorder: b[7],
            agent: b[8],
            can_publish: p,
            can_subscribe: s,
            can_publish_data: d,
            can_publish_sources: sources.into_iter().map(String::from).collect(),
            ..VideoGrant::default()
        })
}

proptest! {
    #[test]
    fn mint_verify_round_trip(
        identity in "\\PC{1,64}",
        name in "\\PC{0,64}",
        metadata in "\\PC{0,200}",
        attributes in proptest::collection::btree_map("\\PC{1,16}", "\\PC{0,32}", 0..5),
        video in proptest::option::of(arb_video()),
        now in 0i64..4_000_000_000,
        ttl in 1u64..10_000_000,
    ) {
        let g = ClaimGrants { identity, name, metadata, attributes, video, ..ClaimGrants::default() };
        let token = minter().encode(&g, now, Duration::from_secs(ttl)).unwrap();
        let claims = verifier().verify_at(&token, now).unwrap();
        prop_assert_eq!(&claims.grants, &g);
        prop_assert_eq!(claims.iss, KEY);
        prop_assert_eq!(claims.nbf, Some(now));
        prop_assert_eq!(claims.exp, now + ttl as i64);
    }

    #[test]
    fn decoders_never_panic(s in "\\PC{0,400}") {
        let _ = decode(&s);
        let _ = verifier().verify_at(&s, NOW);
    }

    #[test]
    fn any_flipped_character_fails_verification(pos in 0usize..300, replacement in "[A-Za-z0-9_.-]") {
        let token = minter()
            .encode(&ClaimGrants::new("alice").with_video(VideoGrant::join("my-room")), NOW, std::time::Duration::from_secs(600))
            .unwrap();
        let pos = pos % token.len();
        let mut bytes = token.clone().into_string().into_bytes();
        bytes[pos] = replacement.as_bytes()[0];
        let tampered = String::from_utf8(bytes).unwrap();
        prop_assume!(tampered != token);
        prop_assert!(verifier().verify_at(&tampered, NOW).is_err());
    }
}
