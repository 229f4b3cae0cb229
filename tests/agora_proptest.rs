//! Property tests: every service round-trips through encode/decode and verifies; decoding never
//! panics on arbitrary input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use rtcmint::agora::{self, AccessToken2, Compression, Rtm2Permission, Service};

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 !#$%&()+:;<=.>?@_{}|~,-]{0,64}",
        any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ]
}

fn privileges() -> impl Strategy<Value = Vec<(u16, u32)>> {
    btree_map(any::<u16>(), any::<u32>(), 0..5).prop_map(|m| m.into_iter().collect())
}

fn permissions() -> impl Strategy<Value = Vec<Rtm2Permission>> {
    btree_map((0u16..5, 0u16..2), vec(text(), 0..3), 0..5).prop_map(|m| {
        m.into_iter()
            .map(|((r, p), res)| Rtm2Permission::new(r, p, res))
            .collect()
    })
}

/// Any service, with privileges already in wire form (sorted, unique).
fn service() -> impl Strategy<Value = Service> {
    let detail = prop_oneof![
        (text(), text()).prop_map(|(c, u)| Service::rtc_account(c, u)),
        (text(), any::<u32>()).prop_map(|(c, u)| Service::rtc(c, u)),
        text().prop_map(Service::rtm),
        (text(), text()).prop_map(|(c, a)| Service::streaming(c, a)),
        Just(Service::fpa()),
        text().prop_map(Service::chat),
        (text(), text()).prop_map(|(c, a)| Service::fcdn(c, a)),
        (text(), text(), any::<i16>()).prop_map(|(r, u, role)| Service::apaas(r, u, role)),
        (text(), permissions()).prop_map(|(u, p)| Service::rtm2(u, p)),
        Just(Service::convo_ai()),
        Just(Service::stt()),
    ];
    (detail, privileges()).prop_map(|(mut s, privs)| {
        for (id, e) in privs {
            s.add_privilege(id, e);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_service_round_trips(
        services in vec(service(), 1..5),
        issue_ts in any::<u32>(),
        expire in any::<u32>(),
        salt in any::<u32>(),
        deflate in any::<bool>(),
    ) {
        let mut t = AccessToken2::new(APP_ID, issue_ts, expire, salt);
        for s in &services {
            t.add_service(s.clone());
        }
        let mut token = String::new();
        let c = if deflate { Compression::Deflate(6) } else { Compression::Stored };
        t.encode_into(CERT, c, &mut token).unwrap();
        let d = AccessToken2::decode(&token).unwrap();
        // Services come back sorted by type, same type in insertion order.
        let mut expected = t.clone();
        expected.services.sort_by_key(Service::service_type);
        prop_assert_eq!(&d.token, &expected);
        prop_assert_eq!(d.trailing_bytes, 0);
        d.verify_signature(CERT).unwrap();
        prop_assert_eq!(hex_payload(&d), hex::encode(t.payload(CERT).unwrap()));
        let now = i64::from(issue_ts);
        let fast = AccessToken2::verify_str(&token, CERT, Some(APP_ID), now);
        if expire == 0 {
            let is_expired = matches!(fast, Err(rtcmint::Error::Expired { .. }));
            prop_assert!(is_expired);
        } else {
            prop_assert_eq!(fast.unwrap().expires_at, now + i64::from(expire));
        }
        let json = serde_json::to_value(agora::decode(&token).unwrap()).unwrap();
        prop_assert_eq!(json["services"].as_array().unwrap().len(), services.len());
    }

    #[test]
    fn decode_never_panics(s in any::<String>()) {
        let _ = agora::decode(&s);
        let _ = agora::decode(&format!("007{s}"));
        let _ = agora::decode(&format!("006{s}"));
        let _ = AccessToken2::verify_str(&format!("007{s}"), CERT, None, 0);
    }

    #[test]
    fn decode_never_panics_on_valid_zlib_of_random_bytes(bytes in vec(any::<u8>(), 0..300)) {
        use base64::Engine as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, &bytes).unwrap();
        let stream = z.finish().unwrap();
        let token = format!("007{}", base64::engine::general_purpose::STANDARD.encode(stream));
        let _ = agora::decode(&token);
        let _ = AccessToken2::verify_str(&token, CERT, None, 0);
        let legacy = format!("006{APP_ID}{}", base64::engine::general_purpose::STANDARD.encode(&bytes));
        let _ = agora::decode(&legacy);
    }
}

fn hex_payload(d: &agora::DecodedToken2) -> String {
    let mut p = (u16::try_from(d.signature.len()).unwrap())
        .to_le_bytes()
        .to_vec();
    p.extend_from_slice(&d.signature);
    p.extend_from_slice(&d.signing_info);
    hex::encode(p)
}
