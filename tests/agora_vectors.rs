//! Agora vectors: every case of the three vector files, reported by id.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use rtcmint::agora::{
    self, AccessToken2, AccessToken006, AgoraMinter, RtcPrivilegeExpiry, RtcRole, Rtm2Permission,
    Service,
};
use rtcmint::{Error, FixedClock, FixedRandom};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/agora/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Runs `check` on every case, collecting failures by id; panics listing them.
fn run_all(cases: &[Value], check: impl Fn(&Value) -> Result<(), String>) -> usize {
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        if let Err(e) = check(case) {
            failures.push(format!("{id}: {e}"));
        }
    }
    let passed = cases.len() - failures.len();
    println!("{passed}/{} cases passed", cases.len());
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
    passed
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("missing string {k}"))
}
fn n(v: &Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("missing number {k}"))
}
fn secs(v: &Value, k: &str) -> Duration {
    Duration::from_secs(v[k].as_u64().unwrap_or(0))
}
fn role(v: &Value, k: &str) -> RtcRole {
    match n(v, k) {
        1 => RtcRole::Publisher,
        2 => RtcRole::Subscriber,
        r => panic!("role {r}"),
    }
}
fn uid(v: &Value, k: &str) -> u32 {
    u32::try_from(n(v, k)).unwrap()
}
fn privs(v: &Value) -> RtcPrivilegeExpiry {
    RtcPrivilegeExpiry {
        join_channel: secs(v, "join_channel_privilege_expire"),
        publish_audio_stream: secs(v, "pub_audio_privilege_expire"),
        publish_video_stream: secs(v, "pub_video_privilege_expire"),
        publish_data_stream: secs(v, "pub_data_stream_privilege_expire"),
    }
}
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_u64() == Some(0) => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => panic!("not a uid/account: {other}"),
    }
}

fn permissions(v: &Value) -> Vec<Rtm2Permission> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            Rtm2Permission::new(
                u16::try_from(n(p, "resource_type")).unwrap(),
                u16::try_from(n(p, "permission_type")).unwrap(),
                p["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned()),
            )
        })
        .collect()
}

/// A service in "mint input" form (`services_packed` / raw params).
fn service(v: &Value) -> Service {
    let ty = n(v, "type");
    let mut svc = match ty {
        1 => Service::rtc_account(s(v, "channel_name"), text_of(&v["uid"])),
        2 => Service::rtm(s(v, "user_id")),
        3 => Service::streaming(s(v, "channel_name"), text_of(&v["account"])),
        4 => Service::fpa(),
        5 => Service::chat(s(v, "user_id")),
        6 => Service::fcdn(s(v, "channel_name"), text_of(&v["account"])),
        7 => Service::apaas(
            s(v, "room_uuid"),
            s(v, "user_uuid"),
            i16::try_from(v["role"].as_i64().unwrap()).unwrap(),
        ),
        8 => Service::rtm2(s(v, "user_id"), permissions(&v["permissions"])),
        9 => Service::convo_ai(),
        10 => Service::stt(),
        t => panic!("service type {t}"),
    };
    for p in v["privileges"].as_array().unwrap() {
        let id = u16::try_from(p[0].as_u64().unwrap()).unwrap();
        let e = u32::try_from(p[1].as_u64().unwrap()).unwrap();
        svc.add_privilege(id, e);
    }
    svc
}

/// Mints the case with the SDK-style builder it names. `None` when the builder refuses the
/// inputs by design (token expiry 0).
fn mint_with_builder(case: &Value) -> Result<String, Error> {
    mint_with_builder_times(case).map(String::from)
}

fn mint_with_builder_times(case: &Value) -> Result<rtcmint::MintedToken, Error> {
    let i = &case["inputs"];
    let p = &i["params"];
    let salt = u32::try_from(n(i, "salt")).unwrap();
    let m = AgoraMinter::new(s(i, "app_id"), s(i, "app_certificate"))?
        .with_clock(Arc::new(FixedClock(
            i64::try_from(n(i, "issue_ts")).unwrap(),
        )))
        .with_random(Arc::new(FixedRandom::new(salt.to_le_bytes())));
    let b = s(case, "builder");
    let b = b
        .strip_prefix("education.")
        .map_or(b.to_owned(), |r| format!("apaas.{r}"));
    match b.as_str() {
        "rtc.build_token_with_uid" => m.rtc_token_with_uid(
            s(p, "channel_name"),
            uid(p, "uid"),
            role(p, "role"),
            secs(p, "token_expire"),
            secs(p, "privilege_expire"),
        ),
        "rtc.build_token_with_user_account" => m.rtc_token_with_account(
            s(p, "channel_name"),
            s(p, "account"),
            role(p, "role"),
            secs(p, "token_expire"),
            secs(p, "privilege_expire"),
        ),
        "rtc.build_token_with_uid_and_privilege" => m.rtc_token_with_uid_and_privileges(
            s(p, "channel_name"),
            uid(p, "uid"),
            secs(p, "token_expire"),
            privs(p),
        ),
        "rtc.build_token_with_user_account_and_privilege" => m
            .rtc_token_with_account_and_privileges(
                s(p, "channel_name"),
                s(p, "account"),
                secs(p, "token_expire"),
                privs(p),
            ),
        "rtc.build_token_with_rtm" => m.rtc_rtm_token(
            s(p, "channel_name"),
            s(p, "account"),
            role(p, "role"),
            secs(p, "token_expire"),
            secs(p, "privilege_expire"),
        ),
        "rtc.build_token_with_rtm2" => m.rtc_rtm2_token(
            s(p, "channel_name"),
            s(p, "rtc_account"),
            role(p, "rtc_role"),
            secs(p, "rtc_token_expire"),
            privs(p),
            s(p, "rtm_user_id"),
            secs(p, "rtm_token_expire"),
        ),
        "rtm.build_token" => m.rtm_token(s(p, "user_id"), secs(p, "expire")),
        "rtm.build_token_with_permissions" => m.rtm2_token(
            s(p, "user_id"),
            permissions(&p["permissions"]),
            secs(p, "expire"),
        ),
        "chat.build_user_token" => m.chat_user_token(s(p, "user_id"), secs(p, "expire")),
        "chat.build_app_token" => m.chat_app_token(secs(p, "expire")),
        "apaas.build_room_user_token" => m.apaas_room_user_token(
            s(p, "room_uuid"),
            s(p, "user_uuid"),
            i16::try_from(p["role"].as_i64().unwrap()).unwrap(),
            secs(p, "expire"),
        ),
        "apaas.build_user_token" => m.apaas_user_token(s(p, "user_uuid"), secs(p, "expire")),
        "apaas.build_app_token" => m.apaas_app_token(secs(p, "expire")),
        "fpa.build_token" => m.fpa_token(),
        "access_token2.raw" => m.token_with_services(
            secs(p, "expire"),
            p["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(service)
                .collect(),
        ),
        other => panic!("unknown builder {other}"),
    }
}

fn payload_hex(d: &agora::DecodedToken2) -> String {
    let mut p = Vec::new();
    p.extend_from_slice(&u16::try_from(d.signature.len()).unwrap().to_le_bytes());
    p.extend_from_slice(&d.signature);
    p.extend_from_slice(&d.signing_info);
    hex::encode(p)
}

fn check_decoded(info: &Value, expected: &Value) -> Result<(), String> {
    for k in [
        "version",
        "signature_hex",
        "app_id",
        "issue_ts",
        "expire",
        "salt",
    ] {
        if info[k] != expected[k] {
            return Err(format!("decoded {k}: {} != {}", info[k], expected[k]));
        }
    }
    let (got, want) = (
        info["services"].as_array().unwrap(),
        expected["services"].as_array().unwrap(),
    );
    if got.len() != want.len() {
        return Err(format!("{} services, expected {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        for (k, wv) in w.as_object().unwrap() {
            if k == "privileges" {
                let gp = g["privileges"].as_array().unwrap();
                let wp = wv.as_array().unwrap();
                let same = gp.len() == wp.len()
                    && gp.iter().zip(wp).all(|(a, b)| {
                        a["id"] == b["id"] && a["name"] == b["name"] && a["expire"] == b["expire"]
                    });
                if !same {
                    return Err(format!("privileges {gp:?} != {wp:?}"));
                }
            } else if k == "permissions" {
                // Our view adds the names used to mint each entry beside the vector's numbers.
                let gp = g[k].as_array().unwrap();
                let wp = wv.as_array().unwrap();
                let same = gp.len() == wp.len()
                    && gp.iter().zip(wp).all(|(a, b)| {
                        b.as_object().unwrap().iter().all(|(bk, bv)| &a[bk] == bv)
                            && a["resource"].is_string()
                            && a["access"].is_string()
                    });
                if !same {
                    return Err(format!("service field {k}: {} != {wv}", g[k]));
                }
            } else if &g[k] != wv {
                return Err(format!("service field {k}: {} != {wv}", g[k]));
            }
        }
    }
    Ok(())
}

#[test]
fn python_vectors() {
    let v = load("python_vectors.json");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 45);
    let passed = run_all(cases, |case| {
        let i = &case["inputs"];
        let cert = s(i, "app_certificate");
        let want_payload = s(case, "payload_hex");

        // 1. The raw path from `services_packed` reproduces the payload exactly.
        let mut raw = AccessToken2::new(
            s(i, "app_id"),
            u32::try_from(n(i, "issue_ts")).unwrap(),
            u32::try_from(n(&case["decoded"], "expire")).unwrap(),
            u32::try_from(n(i, "salt")).unwrap(),
        );
        for sv in case["services_packed"].as_array().unwrap() {
            raw.add_service(service(sv));
        }
        let got = hex::encode(raw.payload(cert).map_err(|e| e.to_string())?);
        if got != want_payload {
            return Err(format!("raw payload\n got {got}\nwant {want_payload}"));
        }

        // 2. The named SDK-style builder reproduces payload and signature.
        let issue_ts = i64::try_from(n(i, "issue_ts")).unwrap();
        match mint_with_builder(case) {
            Ok(token) => {
                let d = AccessToken2::decode(&token).map_err(|e| e.to_string())?;
                if payload_hex(&d) != want_payload {
                    return Err(format!(
                        "builder payload\n got {}\nwant {want_payload}",
                        payload_hex(&d)
                    ));
                }
                if hex::encode(&d.signature) != s(&case["decoded"], "signature_hex") {
                    return Err("builder signature differs".into());
                }
                d.verify_signature(cert).map_err(|e| e.to_string())?;
            }
            Err(Error::InvalidRequest { field, .. })
                if case["id"] == "rtc_token_expire_zero" && field == "token_expire" => {}
            Err(e) => return Err(format!("builder: {e}")),
        }

        // 3. The reference token (C zlib stream) decodes to the same content and verifies.
        let token = s(case, "token");
        let d = AccessToken2::decode(token).map_err(|e| e.to_string())?;
        if payload_hex(&d) != want_payload {
            return Err("reference token inflates to another payload".into());
        }
        if hex::encode(&d.signing_info) != s(case, "signing_info_hex") {
            return Err("signing_info differs".into());
        }
        let info = serde_json::to_value(d.info()).unwrap();
        check_decoded(&info, &case["decoded"])?;
        d.verify_signature(cert).map_err(|e| e.to_string())?;
        if d.trailing_bytes != 0 || d.unknown_service_type.is_some() {
            return Err("unexpected trailing bytes".into());
        }
        let expire = n(&case["decoded"], "expire");
        match agora::AgoraVerifier::new(cert).and_then(|v| {
            v.with_expected_app_id(s(i, "app_id"))
                .verify_at(token, issue_ts)
        }) {
            Ok(info) => {
                if info.expires_at != issue_ts + i64::try_from(expire).unwrap() {
                    return Err("expires_at".into());
                }
            }
            Err(Error::Expired {
                expired_at, now, ..
            }) if expire == 0 => {
                assert_eq!((expired_at, now), (issue_ts, issue_ts));
            }
            Err(e) => return Err(format!("verify: {e}")),
        }
        match AccessToken2::verify_str(token, cert, Some(s(i, "app_id")), issue_ts) {
            Ok(h) if h.expires_at == issue_ts + i64::try_from(expire).unwrap() => {}
            Err(Error::Expired { .. }) if expire == 0 => {}
            other => return Err(format!("verify_str: {other:?}")),
        }
        // Our own stored-block token for the raw token also verifies and round-trips.
        let ours = raw.encode(cert).map_err(|e| e.to_string())?;
        let back = AccessToken2::decode(&ours).map_err(|e| e.to_string())?;
        if payload_hex(&back) != want_payload || ours.len() < token.len() {
            return Err("stored-block token".into());
        }
        Ok(())
    });
    assert_eq!(passed, 45);
}

fn kind_of(e: &Error) -> String {
    match e {
        Error::Malformed { reason, .. } => {
            for k in ["bad version", "bad base64", "bad zlib", "truncated"] {
                if reason.starts_with(k) {
                    return k.replace(' ', "_");
                }
            }
            format!("malformed other: {reason}")
        }
        other => format!("other error: {other}"),
    }
}

#[test]
fn negative_vectors() {
    let v = load("negative_vectors.json");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 39);
    let app_id = s(&v["base"], "app_id").to_owned();
    let passed = run_all(cases, |case| {
        let expect = &case["expect"];
        let want = s(expect, "decode");
        let token = s(case, "token");
        let cert = s(case, "verify_with_certificate");
        match AccessToken2::decode(token) {
            Err(e) => {
                let got = kind_of(&e);
                if got != want {
                    return Err(format!("decode error {got} ({e}), expected {want}"));
                }
                // inspect and verify report the same malformed input.
                if !matches!(agora::decode(token), Err(Error::Malformed { .. })) {
                    return Err("inspect should fail as malformed".into());
                }
                if !matches!(
                    agora::AgoraVerifier::new(cert).and_then(|v| v.verify_at(token, 0)),
                    Err(Error::Malformed { .. } | Error::InvalidRequest { .. })
                ) {
                    return Err("verify should fail as malformed".into());
                }
                match AccessToken2::verify_str(token, cert, None, 0) {
                    Err(e2) if kind_of(&e2) == want => {}
                    other => return Err(format!("verify_str gave {other:?}")),
                }
                Ok(())
            }
            Ok(d) => {
                if want != "ok" {
                    return Err(format!("decoded, expected {want}"));
                }
                let valid = d.verify_signature(cert).is_ok();
                if Some(valid) != expect["signature_valid"].as_bool() {
                    return Err(format!("signature_valid {valid}"));
                }
                if !valid
                    && !matches!(
                        d.verify_signature(cert),
                        Err(Error::SignatureMismatch { .. })
                    )
                {
                    return Err("invalid signature must be SignatureMismatch".into());
                }
                let now = i64::from(d.token.issue_ts);
                let r = agora::AgoraVerifier::new(cert).and_then(|v| v.verify_at(token, now));
                if valid != r.is_ok() {
                    return Err(format!("verify gave {r:?}"));
                }
                let fast = AccessToken2::verify_str(token, cert, None, now);
                if valid != fast.is_ok()
                    || (!valid && !matches!(fast, Err(Error::SignatureMismatch { .. })))
                {
                    return Err(format!("verify_str gave {fast:?}"));
                }
                if let Some(t) = expect["trailing_bytes"].as_u64()
                    && d.trailing_bytes as u64 != t
                {
                    return Err(format!("trailing_bytes {}", d.trailing_bytes));
                }
                if let Some(t) = expect["unknown_service_type"].as_u64()
                    && d.unknown_service_type.map(u64::from) != Some(t)
                {
                    return Err(format!("unknown_service_type {:?}", d.unknown_service_type));
                }
                let fmt_ok = expect["app_id_valid_format"].as_bool().unwrap_or(true);
                if d.app_id_valid_format() != fmt_ok {
                    return Err("app_id_valid_format".into());
                }
                if valid && fmt_ok && d.token.app_id == app_id {
                    // Expected-app-id check and expiry reporting on the valid ones.
                    if !matches!(
                        agora::AgoraVerifier::new(cert).and_then(|v| v
                            .with_expected_app_id("0123456789abcdef0123456789abcdef")
                            .verify_at(token, now)),
                        Err(Error::UnknownKey { .. })
                    ) {
                        return Err("expected app id mismatch not reported".into());
                    }
                    let late = d.token.expires_at() + 5;
                    match agora::AgoraVerifier::new(cert)
                        .and_then(|v| v.with_expected_app_id(&app_id).verify_at(token, late))
                    {
                        Err(Error::Expired {
                            expired_at, now, ..
                        }) if expired_at == d.token.expires_at() && now == late => {}
                        other => return Err(format!("expiry not reported: {other:?}")),
                    }
                }
                Ok(())
            }
        }
    });
    assert_eq!(passed, 39);
}

#[test]
fn legacy_006_vectors() {
    let v = load("legacy_006_vectors.json");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    run_all(cases, |case| {
        let token = s(case, "token");
        let t = AccessToken006::decode(token).map_err(|e| e.to_string())?;
        let got = serde_json::to_value(&t).unwrap();
        let want = &case["decoded"];
        for k in [
            "version",
            "app_id",
            "signature_hex",
            "crc_channel_name",
            "crc_uid",
            "salt",
            "ts",
        ] {
            if got[k] != want[k] {
                return Err(format!("{k}: {} != {}", got[k], want[k]));
            }
        }
        let gp: Vec<(u64, u64)> = got["privileges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (n(p, "id"), n(p, "expire_ts")))
            .collect();
        let wp: Vec<(u64, u64)> = want["privileges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (n(p, "id"), n(p, "expire_ts")))
            .collect();
        if gp != wp {
            return Err(format!("privileges {gp:?} != {wp:?}"));
        }
        let cert = s(case, "app_certificate");
        let (ch, uid) = (s(case, "signed_channel_field"), s(case, "signed_uid_field"));
        let now = i64::try_from(n(case, "now")).unwrap();
        agora::AgoraVerifier::new(cert)
            .and_then(|v| {
                v.with_expected_app_id(s(case, "app_id"))
                    .verify_006_at(token, ch, uid, now)
            })
            .map_err(|e| e.to_string())?;
        // Wrong channel or uid, or another certificate: signature mismatch.
        for (c, u, k) in [
            (format!("{ch}x"), uid.to_owned(), cert.to_owned()),
            (ch.to_owned(), format!("{uid}1"), cert.to_owned()),
            (ch.to_owned(), uid.to_owned(), cert.to_ascii_uppercase()),
        ] {
            if !matches!(
                agora::AgoraVerifier::new(k.as_str())
                    .and_then(|v| v.verify_006_at(token, &c, &u, now)),
                Err(Error::SignatureMismatch { .. })
            ) {
                return Err("tampered verification did not fail".into());
            }
        }
        let ts = i64::try_from(n(case, "message_ts")).unwrap();
        if !matches!(
            agora::AgoraVerifier::new(cert).and_then(|v| v.verify_006_at(token, ch, uid, ts)),
            Err(Error::Expired { expired_at, .. }) if expired_at == ts
        ) {
            return Err("expiry not reported".into());
        }
        if !matches!(agora::decode(token), Ok(agora::TokenInfo::Legacy006(_))) {
            return Err("inspect".into());
        }
        if !matches!(
            agora::AgoraVerifier::new(cert).and_then(|v| v.verify_at(token, now)),
            Err(Error::InvalidRequest { .. })
        ) {
            return Err("verify() on 006 should point to verify_006".into());
        }
        Ok(())
    });
}
