//! AgoraMinter, the TokenMinter mapping, validation and verification errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use rtcmint::agora::{
    self, AccessToken2, AgoraMinter, Compression, RtcPrivilegeExpiry, RtcRole, ServiceDetail,
    privilege, service_type,
};
use rtcmint::{Error, ErrorKind, FixedClock, FixedRandom, TokenMinter, TokenRequest};

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const NOW: i64 = 1_735_689_600;

fn minter() -> AgoraMinter {
    AgoraMinter::new(APP_ID, CERT)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)))
        .with_random(Arc::new(FixedRandom::new(7u32.to_le_bytes())))
}

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn minter_is_send_sync_and_redacts_certificate() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<AgoraMinter>();
    let m = minter();
    let dbg = format!("{m:?}");
    assert!(!dbg.contains(CERT) && dbg.contains("redacted"), "{dbg}");
}

#[test]
fn credentials_are_validated() {
    for (id, cert, what) in [
        ("970CA35de60c44645bbae8a215061b3", CERT, "app id"),
        (
            APP_ID,
            "5CFd2fd1755d40ecb72977518be15d3g",
            "app certificate",
        ),
        (APP_ID, "", "app certificate"),
    ] {
        match AgoraMinter::new(id, cert) {
            Err(Error::InvalidCredentials {
                what: w, reason, ..
            }) => {
                assert_eq!(w, what);
                assert!(reason.contains("32 hex"), "{reason}");
                assert!(!reason.contains(cert) || cert.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn token_request_maps_to_rtc_privileges() {
    let m = minter();
    let req = TokenRequest::new("2882341273").room("room-1").ttl(HOUR);
    let issued = m.mint(&req).unwrap();
    assert_eq!((issued.issued_at, issued.expires_at), (NOW, NOW + 3600));
    let d = AccessToken2::decode(&issued.token).unwrap();
    assert_eq!(d.token.expire, 3600);
    assert_eq!(d.token.salt, 7);
    let [svc] = d.token.services.as_slice() else {
        panic!()
    };
    assert_eq!(
        svc.detail,
        ServiceDetail::Rtc {
            channel_name: "room-1".into(),
            uid: "2882341273".into()
        }
    );
    let ids: Vec<(u16, u32)> = svc.privileges.iter().map(|p| (p.id, p.expire)).collect();
    assert_eq!(ids, [(1, 3600), (2, 3600), (3, 3600), (4, 3600)]);
    // Same bytes as the SDK-style builder with a numeric uid.
    let b = m
        .rtc_token_with_uid("room-1", 2_882_341_273, RtcRole::Publisher, HOUR, HOUR)
        .unwrap();
    assert_eq!(b, issued.token);
    agora::AgoraVerifier::new(CERT)
        .and_then(|v| v.with_expected_app_id(APP_ID).verify_at(&issued.token, NOW))
        .unwrap();

    // Flags → privileges.
    let req = TokenRequest::new("alice")
        .room("r")
        .ttl(HOUR)
        .can_publish(false);
    let d = AccessToken2::decode(&m.mint(&req).unwrap().token).unwrap();
    let ids: Vec<u16> = d.token.services[0]
        .privileges
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        ids,
        [
            privilege::rtc::JOIN_CHANNEL,
            privilege::rtc::PUBLISH_DATA_STREAM
        ]
    );
    let req = req.can_publish_data(false);
    let d = AccessToken2::decode(&m.mint(&req).unwrap().token).unwrap();
    assert_eq!(d.token.services[0].privileges.len(), 1);

    // "0" is uid 0 (any user); a non-canonical number is an account.
    for (identity, uid) in [("0", ""), ("007", "007"), ("alice", "alice")] {
        let req = TokenRequest::new(identity).room("r").ttl(HOUR);
        let d = AccessToken2::decode(&m.mint(&req).unwrap().token).unwrap();
        assert!(
            matches!(&d.token.services[0].detail, ServiceDetail::Rtc { uid: u, .. } if u == uid)
        );
    }
    // issued_at override.
    let req = TokenRequest::new("1").room("r").ttl(HOUR).issued_at(1000);
    assert_eq!(m.mint(&req).unwrap().expires_at, 4600);
}

#[test]
fn token_request_refusals() {
    let m = minter();
    let base = TokenRequest::new("u").room("r").ttl(HOUR);
    let unsupported = [
        (base.clone().display_name("Alice"), "display_name"),
        (base.clone().metadata(serde_json::Map::new()), "metadata"),
        (base.clone().admin(true), "is_admin"),
        (base.clone().can_subscribe(false), "can_subscribe"),
    ];
    for (req, field) in unsupported {
        match m.mint(&req) {
            Err(Error::Unsupported { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let invalid = [
        (TokenRequest::new("u").ttl(HOUR), "room"),
        (TokenRequest::new("").room("r"), "identity"),
        (base.clone().ttl(Duration::from_secs(86_401)), "ttl"),
        (base.clone().ttl(Duration::from_millis(10)), "ttl"),
        (base.clone().issued_at(-1), "issued_at"),
        (base.clone().issued_at(1 << 33), "issued_at"),
        (TokenRequest::new("u").room("x".repeat(70_000)), "room"),
    ];
    for (req, field) in invalid {
        match m.mint(&req) {
            Err(Error::InvalidRequest { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // Errors leave the output buffer alone; success appends.
    let mut out = String::from("prefix:");
    assert!(m.mint_into(&base.clone().admin(true), &mut out).is_err());
    assert_eq!(out, "prefix:");
    m.mint_into(&base, &mut out).unwrap();
    assert!(out.starts_with("prefix:007"));
}

#[test]
fn builders_refuse_absolute_timestamps_and_zero() {
    let m = minter();
    let abs = Duration::from_secs(NOW as u64 + 3600);
    match m.rtc_token_with_uid("c", 1, RtcRole::Publisher, abs, Duration::ZERO) {
        Err(Error::InvalidRequest {
            field: "token_expire",
            reason,
            ..
        }) => {
            assert!(reason.contains("relative"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        m.rtc_token_with_uid("c", 1, RtcRole::Publisher, HOUR, abs),
        Err(Error::InvalidRequest {
            field: "privilege_expire",
            ..
        })
    ));
    assert!(matches!(
        m.rtm_token("u", Duration::ZERO),
        Err(Error::InvalidRequest {
            field: "expire",
            ..
        })
    ));
    assert_eq!(
        m.chat_user_token(&"x".repeat(65_536), HOUR)
            .unwrap_err()
            .kind(),
        ErrorKind::Request
    );
}

#[test]
fn uid_and_numeric_account_are_identical() {
    let m = minter();
    let a = m
        .rtc_token_with_uid("c", 42, RtcRole::Subscriber, HOUR, HOUR)
        .unwrap();
    let b = m
        .rtc_token_with_account("c", "42", RtcRole::Subscriber, HOUR, HOUR)
        .unwrap();
    assert_eq!(a, b);
    let zero = m
        .rtc_token_with_uid("c", 0, RtcRole::Subscriber, HOUR, HOUR)
        .unwrap();
    let zero_account = m
        .rtc_token_with_account("c", "0", RtcRole::Subscriber, HOUR, HOUR)
        .unwrap();
    assert_ne!(zero, zero_account, "account \"0\" is not the wildcard");
}

#[test]
fn default_salt_is_random_and_deflate_is_shorter() {
    let m = AgoraMinter::new(APP_ID, CERT).unwrap();
    let a = AccessToken2::decode(&m.rtm_token("u", HOUR).unwrap()).unwrap();
    let b = AccessToken2::decode(&m.rtm_token("u", HOUR).unwrap()).unwrap();
    assert_ne!(a.token.salt, b.token.salt);

    let stored = minter()
        .rtc_rtm_token(
            "0123456789abcdef0123456789abcdef",
            "alice",
            RtcRole::Publisher,
            HOUR,
            HOUR,
        )
        .unwrap();
    let deflated = minter()
        .with_compression(Compression::Deflate(9))
        .rtc_rtm_token(
            "0123456789abcdef0123456789abcdef",
            "alice",
            RtcRole::Publisher,
            HOUR,
            HOUR,
        )
        .unwrap();
    assert!(
        deflated.len() < stored.len(),
        "{} vs {}",
        deflated.len(),
        stored.len()
    );
    let (s, d) = (
        AccessToken2::decode(&stored).unwrap(),
        AccessToken2::decode(&deflated).unwrap(),
    );
    assert_eq!(s, d);
}

#[test]
fn every_builder_verifies() {
    let m = minter();
    let p = RtcPrivilegeExpiry::all(HOUR);
    let perms = vec![agora::Rtm2Permission::new(
        agora::Rtm2Permission::MESSAGE_CHANNEL,
        agora::Rtm2Permission::READ,
        ["*"],
    )];
    let tokens = [
        (
            m.rtc_token_with_uid("c", 1, RtcRole::Publisher, HOUR, HOUR)
                .unwrap(),
            vec![1],
        ),
        (
            m.rtc_token_with_account("c", "a", RtcRole::Subscriber, HOUR, HOUR)
                .unwrap(),
            vec![1],
        ),
        (
            m.rtc_token_with_uid_and_privileges("c", 1, HOUR, p)
                .unwrap(),
            vec![1],
        ),
        (
            m.rtc_token_with_account_and_privileges("c", "a", HOUR, p)
                .unwrap(),
            vec![1],
        ),
        (
            m.rtc_rtm_token("c", "a", RtcRole::Publisher, HOUR, HOUR)
                .unwrap(),
            vec![1, 2],
        ),
        (
            m.rtc_rtm2_token("c", "a", RtcRole::Publisher, HOUR, p, "b", HOUR)
                .unwrap(),
            vec![1, 2],
        ),
        (
            m.convoai_token("c", "a", RtcRole::Publisher, HOUR, p, "b", HOUR)
                .unwrap(),
            vec![1, 2, 9],
        ),
        (
            m.stt_token("c", "a", RtcRole::Subscriber, HOUR, p, "b", HOUR)
                .unwrap(),
            vec![1, 2, 10],
        ),
        (m.rtm_token("u", HOUR).unwrap(), vec![2]),
        (m.rtm2_token("u", perms, HOUR).unwrap(), vec![8]),
        (m.chat_user_token("u", HOUR).unwrap(), vec![5]),
        (m.chat_app_token(HOUR).unwrap(), vec![5]),
        (
            m.apaas_room_user_token("r", "u", 2, HOUR).unwrap(),
            vec![2, 5, 7],
        ),
        (m.apaas_user_token("u", HOUR).unwrap(), vec![7]),
        (m.apaas_app_token(HOUR).unwrap(), vec![7]),
        (m.fpa_token().unwrap(), vec![4]),
        (
            m.token_with_services(
                HOUR,
                vec![
                    agora::Service::streaming("c", ""),
                    agora::Service::fcdn("c", "1"),
                ],
            )
            .unwrap(),
            vec![service_type::STREAMING, service_type::FCDN],
        ),
    ];
    for (token, types) in tokens {
        let info = agora::AgoraVerifier::new(CERT)
            .and_then(|v| v.with_expected_app_id(APP_ID).verify_at(&token, NOW))
            .unwrap();
        let got: Vec<u16> = info.services.iter().map(|s| s.service_type).collect();
        assert_eq!(got, types);
        AccessToken2::verify_str(&token, CERT, Some(APP_ID), NOW).unwrap();
    }
}

#[test]
fn verify_reports_distinct_errors_and_inspect_json() {
    let m = minter();
    let token = m
        .rtc_token_with_uid("c", 9, RtcRole::Publisher, HOUR, Duration::from_secs(60))
        .unwrap();
    let other_cert = "5CFd2fd1755d40ecb72977518be15d3c";
    assert!(matches!(
        agora::AgoraVerifier::new(other_cert).and_then(|v| v.verify_at(&token, NOW)),
        Err(Error::SignatureMismatch { .. })
    ));
    assert!(matches!(
        agora::AgoraVerifier::new(CERT).and_then(|v| v.verify_at(&token, NOW + 3600)),
        Err(Error::Expired { expired_at, now, .. }) if expired_at == NOW + 3600 && now == NOW + 3600
    ));
    assert!(matches!(
        agora::AgoraVerifier::new(CERT).and_then(|v| v.verify_at("007abc", NOW)),
        Err(Error::Malformed { .. })
    ));
    assert!(matches!(
        agora::AgoraVerifier::new("short").and_then(|v| v.verify_at(&token, NOW)),
        Err(Error::InvalidCredentials { .. })
    ));
    assert!(matches!(
        agora::AgoraVerifier::new(CERT).and_then(|v| v
            .with_clock(std::sync::Arc::new(FixedClock(NOW + 1)))
            .verify_at(&token, NOW + 1)),
        Ok(info) if info.expires_at == NOW + 3600
    ));

    let json = serde_json::to_value(agora::decode(&token).unwrap()).unwrap();
    assert_eq!(json["version"], "007");
    assert_eq!(json["expires_at"], NOW + 3600);
    let rtc = &json["services"][0];
    assert_eq!(rtc["name"], "rtc");
    assert_eq!(rtc["type"], 1);
    assert_eq!(rtc["uid"], "9");
    assert_eq!(rtc["channel_name"], "c");
    assert_eq!(rtc["privileges"][0]["name"], "join_channel");
    assert_eq!(rtc["privileges"][0]["expires_at"], NOW + 60);
}
