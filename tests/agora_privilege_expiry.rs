//! Agora privilege expiry (issue 12 item 5): a token is expired when its own expiry or the access
//! privilege (RTC join_channel, RTM login, …) of every service has passed; any other expired
//! privilege is a warning, in the library result and in `rtcmint verify`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cli_support;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use rtcmint::agora::{
    AccessToken2, AgoraVerifier, ExpiredPrivilege, Service, TokenInfo, privilege,
};
use rtcmint::{Error, ErrorKind, VerifierSet, VerifyWarning, verify_any};

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
/// The issue time of every token here: 2026-01-01T00:00:00Z.
const ISSUED: u32 = 1_767_225_600;

const JOIN: u16 = privilege::rtc::JOIN_CHANNEL;
const AUDIO: u16 = privilege::rtc::PUBLISH_AUDIO_STREAM;
const VIDEO: u16 = privilege::rtc::PUBLISH_VIDEO_STREAM;
const LOGIN: u16 = privilege::rtm::LOGIN;

/// A 007 token valid for an hour whose services carry the given privileges (seconds after the
/// issue time).
fn token(services: Vec<Service>) -> String {
    let mut t = AccessToken2::new(APP_ID, ISSUED, 3600, 7);
    for s in services {
        t.add_service(s);
    }
    t.encode(CERT).unwrap()
}

fn rtc(privileges: &[(u16, u32)]) -> Service {
    privileges
        .iter()
        .fold(Service::rtc("my-channel", 42), |s, &(id, e)| {
            s.with_privilege(id, e)
        })
}

fn rtm(login: u32) -> Service {
    Service::rtm("alice").with_privilege(LOGIN, login)
}

fn verifier() -> AgoraVerifier {
    AgoraVerifier::new(CERT)
        .unwrap()
        .with_expected_app_id(APP_ID)
}

fn at(offset: u32) -> i64 {
    i64::from(ISSUED + offset)
}

#[test]
fn the_issues_case_join_expired_390_s_before_is_expired() {
    // Join privilege valid 10 min, the token 1 h; verified 16 min 30 s after issue.
    let t = token(vec![rtc(&[(JOIN, 600), (AUDIO, 3600)])]);
    let now = at(990);
    let e = verifier().verify_at(&t, now).unwrap_err();
    assert!(
        matches!(
            e,
            Error::PrivilegeExpired {
                service: "rtc",
                privilege: "join_channel",
                services: 1,
                expired_at,
                now: n,
                ..
            } if expired_at == at(600) && n == now
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Time);
    assert_eq!(
        e.to_string(),
        "agora token's rtc join_channel privilege expired at 2026-01-01T00:10:00Z (Unix 1767226200), 6 min 30 s before the verification time 2026-01-01T00:16:30Z (Unix 1767226590)"
    );
    // The allocation-free verifier and the neutral layer say the same.
    let e2 = AccessToken2::verify_str(&t, CERT, Some(APP_ID), now).unwrap_err();
    assert_eq!(e2.to_string(), e.to_string());
    let set = VerifierSet::new().with_agora(verifier());
    assert_eq!(
        verify_any(&t, &set, now).unwrap_err().to_string(),
        e.to_string()
    );
    // One second before the join privilege passes, the token is valid.
    let ok = verifier().verify_at(&t, at(599)).unwrap();
    assert_eq!(ok.expires_at, at(3600));
    assert!(AccessToken2::verify_str(&t, CERT, None, at(599)).is_ok());
    // The token's own expiry still comes first.
    assert!(matches!(
        verifier().verify_at(&t, at(3600)),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn only_a_publish_privilege_expired_is_a_warning() {
    let t = token(vec![rtc(&[(JOIN, 3600), (AUDIO, 60), (VIDEO, 0)])]);
    let now = at(600);
    let info = verifier().verify_any_at(&t, now).unwrap();
    assert!(AccessToken2::verify_str(&t, CERT, None, now).is_ok());
    let expired = info.expired_privileges(now);
    assert_eq!(expired.len(), 1, "{expired:?}");
    let p: &ExpiredPrivilege = &expired[0];
    assert_eq!(
        (p.service, p.id, p.name, p.expired_at),
        ("rtc", AUDIO, Some("publish_audio_stream"), at(60))
    );
    assert_eq!(
        p.to_string(),
        "rtc publish_audio_stream privilege expired at 2026-01-01T00:01:00Z (Unix 1767225660)"
    );
    // Through the neutral layer: valid, with the warning; serialised with its kind.
    let set = VerifierSet::new().with_agora(verifier());
    let v = verify_any(&t, &set, now).unwrap();
    assert_eq!(v.warnings, [VerifyWarning::PrivilegeExpired(p.clone())]);
    assert_eq!(
        serde_json::to_value(&v.warnings[0]).unwrap(),
        serde_json::json!({
            "kind": "privilege_expired", "service": "rtc", "id": 2,
            "name": "publish_audio_stream", "expired_at": 1_767_225_660_i64
        })
    );
    // Before anything passed: no warnings.
    assert!(verify_any(&t, &set, at(59)).unwrap().warnings.is_empty());
    // A privilege without its own expiry (0) never passes.
    assert!(
        info.expired_privileges(at(3599))
            .iter()
            .all(|p| p.id != VIDEO)
    );
}

#[test]
fn several_services_expire_only_when_all_their_access_privileges_did() {
    // RTC join for 10 min, RTM login for 20 min.
    let t = token(vec![rtc(&[(JOIN, 600), (AUDIO, 600)]), rtm(1200)]);
    // At 15 min: RTC can no longer be joined, but RTM login still works: valid, two warnings.
    let set = VerifierSet::new().with_agora(verifier());
    let v = verify_any(&t, &set, at(900)).unwrap();
    let warned: Vec<_> = v
        .warnings
        .iter()
        .map(|w| match w {
            VerifyWarning::PrivilegeExpired(p) => (p.service, p.id),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(warned, [("rtc", JOIN), ("rtc", AUDIO)]);
    assert!(AccessToken2::verify_str(&t, CERT, None, at(900)).is_ok());
    // At 25 min both access privileges have passed: expired, naming the last.
    let e = verifier().verify_at(&t, at(1500)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "agora token's access privileges of all 2 services expired, the last (rtm login) at 2026-01-01T00:20:00Z (Unix 1767226800), 5 min before the verification time 2026-01-01T00:25:00Z (Unix 1767227100)"
    );
    assert_eq!(
        AccessToken2::verify_str(&t, CERT, None, at(1500))
            .unwrap_err()
            .to_string(),
        e.to_string()
    );
    // A service without its own access expiry keeps the token usable.
    let t = token(vec![rtc(&[(JOIN, 600)]), rtm(0)]);
    assert!(verifier().verify_at(&t, at(1500)).is_ok());
    // A service with no access privilege at all (publish only) does too.
    let t = token(vec![rtc(&[(AUDIO, 600)])]);
    assert!(verifier().verify_at(&t, at(1500)).is_ok());
    // Chat: user and app are each a way in; both must pass.
    let chat = |user, app| {
        Service::chat("alice")
            .with_privilege(privilege::chat::USER, user)
            .with_privilege(privilege::chat::APP, app)
    };
    assert!(
        verifier()
            .verify_at(&token(vec![chat(600, 1200)]), at(900))
            .is_ok()
    );
    assert!(matches!(
        verifier().verify_at(&token(vec![chat(600, 800)]), at(900)),
        Err(Error::PrivilegeExpired {
            service: "chat",
            privilege: "app",
            ..
        })
    ));
}

/// A legacy 006 token for `channel` / `uid` with the given (id, absolute expiry) privileges,
/// signed as the 006 builders do.
pub fn token_006(channel: &str, uid: &str, ts: u32, privileges: &[(u16, u32)]) -> String {
    let mut message = Vec::new();
    message.extend_from_slice(&1u32.to_le_bytes()); // salt
    message.extend_from_slice(&ts.to_le_bytes());
    message.extend_from_slice(&u16::try_from(privileges.len()).unwrap().to_le_bytes());
    for (id, e) in privileges {
        message.extend_from_slice(&id.to_le_bytes());
        message.extend_from_slice(&e.to_le_bytes());
    }
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(CERT.as_bytes()).unwrap();
    mac.update(APP_ID.as_bytes());
    mac.update(channel.as_bytes());
    mac.update(uid.as_bytes());
    mac.update(&message);
    let sig = mac.finalize().into_bytes();
    let mut body = Vec::new();
    let put_bytes = |body: &mut Vec<u8>, b: &[u8]| {
        body.extend_from_slice(&u16::try_from(b.len()).unwrap().to_le_bytes());
        body.extend_from_slice(b);
    };
    put_bytes(&mut body, &sig);
    body.extend_from_slice(&crc32fast::hash(channel.as_bytes()).to_le_bytes());
    body.extend_from_slice(&crc32fast::hash(uid.as_bytes()).to_le_bytes());
    put_bytes(&mut body, &message);
    format!(
        "006{APP_ID}{}",
        base64::engine::general_purpose::STANDARD.encode(body)
    )
}

#[test]
fn legacy_006_per_privilege_expiries() {
    let ts = ISSUED + 86_400;
    // Join until +10 min, publish audio until +1 min.
    let t = token_006("ch", "42", ts, &[(1, ISSUED + 600), (2, ISSUED + 60)]);
    let v = AgoraVerifier::new(CERT).unwrap();
    // Valid at +5 min, with the audio privilege as a warning.
    let ok = v.verify_006_at(&t, "ch", "42", at(300)).unwrap();
    let w = TokenInfo::Legacy006(ok).expired_privileges(at(300));
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].service, w[0].id, w[0].expired_at), ("rtc", 2, at(60)));
    // Expired at +16 min 30 s: the join privilege passed 390 s before.
    let e = v.verify_006_at(&t, "ch", "42", at(990)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "agora token's rtc join_channel privilege expired at 2026-01-01T00:10:00Z (Unix 1767226200), 6 min 30 s before the verification time 2026-01-01T00:16:30Z (Unix 1767226590)"
    );
    // Through the neutral layer with the subject.
    let set = VerifierSet::new().with_agora(v.clone().with_006_subject("ch", "42"));
    assert_eq!(
        verify_any(&t, &set, at(990)).unwrap_err().to_string(),
        e.to_string()
    );
    let warned = verify_any(&t, &set, at(300)).unwrap().warnings;
    assert_eq!(warned.len(), 1);
    // Privileges of no expiry of their own (0) keep it valid until its own ts.
    let t = token_006("ch", "42", ts, &[(1, 0), (2, ISSUED + 60)]);
    assert!(v.verify_006_at(&t, "ch", "42", at(990)).is_ok());
}

// ------------------------------------------------------------------ CLI

fn verify_cli(token: &str, now: i64, json: bool) -> std::process::Output {
    let mut c = cli_support::rtcmint();
    c.env("AGORA_APP_CERTIFICATE", CERT)
        .env("AGORA_APP_ID", APP_ID)
        .args(["verify", token, "--now", &now.to_string()]);
    if json {
        c.arg("--json");
    }
    c.output().unwrap()
}

#[test]
fn cli_join_expired_390_s_before_exits_4() {
    let t = token(vec![rtc(&[(JOIN, 600), (AUDIO, 3600)])]);
    let out = verify_cli(&t, at(990), false);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().next().unwrap(),
        "rtcmint: invalid: agora token's rtc join_channel privilege expired at 2026-01-01T00:10:00Z (Unix 1767226200), 6 min 30 s before the verification time 2026-01-01T00:16:30Z (Unix 1767226590)"
    );
    let out = verify_cli(&t, at(990), true);
    assert_eq!(out.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["failure"], "time");
    assert_eq!(v["expired_at"], at(600));
    assert_eq!(v["expired_at_utc"], "2026-01-01T00:10:00Z");
}

#[test]
fn cli_only_publish_expired_exits_0_with_a_warning() {
    let t = token(vec![rtc(&[(JOIN, 3600), (AUDIO, 60)])]);
    let out = verify_cli(&t, at(600), false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("valid agora token\n"), "{stdout}");
    assert!(
        stdout.contains(
            "\n  warning      rtc publish_audio_stream privilege expired 2026-01-01T00:01:00Z (9 min ago); the token stays valid, but not for this\n"
        ),
        "{stdout}"
    );
    let out = verify_cli(&t, at(600), true);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    let w = &v["warnings"];
    assert_eq!(w.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(w[0]["kind"], "privilege_expired");
    assert_eq!(w[0]["service"], "rtc");
    assert_eq!(w[0]["name"], "publish_audio_stream");
    assert_eq!(w[0]["expired_at"], at(60));
    assert_eq!(w[0]["expired_at_utc"], "2026-01-01T00:01:00Z");
    // No warning at all before it passed: an empty list.
    let out = verify_cli(&t, at(30), true);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn cli_several_services() {
    let t = token(vec![rtc(&[(JOIN, 600)]), rtm(1200)]);
    let out = verify_cli(&t, at(900), false);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("warning      rtc join_channel privilege expired"),
        "{stdout}"
    );
    let out = verify_cli(&t, at(1500), false);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("access privileges of all 2 services expired, the last (rtm login)")
    );
}
