//! Issue 13, "refuse, don't drop": every JSON a user hands to a minter refuses unknown keys
//! (naming the key and the closest known one); proto3 JSON for room configuration; a LiveKit
//! token naming nobody and granting nothing is refused; compound durations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use std::time::Duration;

use cli_support::rtcmint;
use rtcmint::livekit::{
    ClaimGrants, JobRestartPolicy, LiveKitMinter, RoomConfiguration, SipGrant, VideoGrant,
};
use rtcmint::{Error, TokenRequest, Vendor, parse_duration};

const KEY: &str = "APIdevkey";
const SECRET: &str = "my-livekit-secret-of-32-characters";

fn unknown(e: &Error) -> (&str, Option<&'static str>) {
    match e {
        Error::UnknownField { path, closest, .. } => (path.as_str(), *closest),
        other => panic!("expected UnknownField, got {other:?}"),
    }
}

#[test]
fn grant_json_refuses_unknown_keys_at_every_level() {
    for (json, path, closest) in [
        (
            r#"{"video":{"roomJoin":true,"room":"r","canPublsh":false}}"#,
            "video.canPublsh",
            "canPublish",
        ),
        (r#"{"sip":{"cal":true}}"#, "sip.cal", "call"),
        (r#"{"vdeo":{}}"#, "vdeo", "video"),
        (r#"{"jti":"a"}"#, "jti", "iss"),
        (
            r#"{"roomConfig":{"agents":[{"agentNme":"a"}]}}"#,
            "roomConfig.agents[0].agentNme",
            "agentName",
        ),
        (
            r#"{"attributes":{"free":"x"},"roomConfig":{"egress":{"rooms":{}}}}"#,
            "roomConfig.egress.rooms",
            "room",
        ),
    ] {
        let e = ClaimGrants::from_json(json).unwrap_err();
        assert_eq!(unknown(&e), (path, Some(closest)), "{json}");
        assert_eq!(e.vendor(), Some(Vendor::LiveKit));
        let text = e.to_string();
        assert!(text.contains(path) && text.contains(closest), "{text}");
    }
    // Known keys still work; attribute keys are free.
    let g = ClaimGrants::from_json(
        r#"{"sub":"a","video":{"roomJoin":true,"room":"r","canPublish":false},"attributes":{"any key":"v"}}"#,
    )
    .unwrap();
    assert_eq!(g.video.unwrap().can_publish, Some(false));
    // Attribute values must be strings, not silently stringified or dropped.
    assert!(ClaimGrants::from_json(r#"{"attributes":{"k":1}}"#).is_err());
}

#[test]
fn room_configuration_follows_the_proto3_json_mapping() {
    let camel = RoomConfiguration::from_json(
        r#"{"name":"r","emptyTimeout":60,"maxParticipants":"10","agents":[{"agentName":"a","restartPolicy":"JRP_NEVER"}],"tags":{"t":"v"}}"#,
    )
    .unwrap();
    let proto = RoomConfiguration::from_json(
        r#"{"name":"r","empty_timeout":"60","max_participants":10,"agents":[{"agent_name":"a","restart_policy":1}],"tags":{"t":"v"}}"#,
    )
    .unwrap();
    assert_eq!(camel, proto);
    assert_eq!(camel.empty_timeout, 60);
    assert_eq!(camel.max_participants, 10);
    assert_eq!(camel.agents[0].agent_name, "a");
    assert_eq!(camel.agents[0].restart_policy, JobRestartPolicy::Never);
    // Serialised in the lowerCamel form.
    let out = serde_json::to_string(&proto).unwrap();
    assert!(
        out.contains(r#""agentName":"a""#) && out.contains(r#""emptyTimeout":60"#),
        "{out}"
    );
    // Unknown keys, unknown enum values, and both spellings at once are refused.
    assert_eq!(
        unknown(&RoomConfiguration::from_json(r#"{"agnts":[]}"#).unwrap_err()),
        ("agnts", Some("agents"))
    );
    for bad in [
        r#"{"agents":[{"restartPolicy":"JRP_SOMETIMES"}]}"#,
        r#"{"agents":[{"restartPolicy":7}]}"#,
        r#"{"maxParticipants":"ten"}"#,
        r#"{"maxParticipants":-1}"#,
        r#"{"maxParticipants":10,"max_participants":11}"#,
    ] {
        assert!(
            matches!(
                RoomConfiguration::from_json(bad),
                Err(Error::InvalidRequest {
                    field: "room_config",
                    ..
                })
            ),
            "{bad}"
        );
    }
    // Decoding tokens reads the same mapping (the vectors' Python tokens use lowerCamel).
    let via_grants =
        ClaimGrants::from_json(r#"{"sub":"a","roomConfig":{"agents":[{"agent_name":"x"}]}}"#)
            .unwrap();
    assert_eq!(via_grants.room_config.unwrap().agents[0].agent_name, "x");
}

#[test]
fn neutral_request_refuses_unknown_keys() {
    let e = TokenRequest::from_json(r#"{"identity":"a","is_amdin":true}"#).unwrap_err();
    assert_eq!(unknown(&e), ("is_amdin", Some("is_admin")));
    assert_eq!(e.kind(), rtcmint::ErrorKind::Request);
    let r = TokenRequest::from_json(r#"{"identity":"a","ttl":"1h30m"}"#).unwrap();
    assert_eq!(r.ttl, Duration::from_secs(5_400));
}

#[test]
fn a_livekit_token_naming_nobody_and_granting_nothing_is_refused() {
    let m = LiveKitMinter::new(KEY, SECRET).unwrap();
    for g in [
        ClaimGrants::default(),
        ClaimGrants::default().with_video(VideoGrant::default()),
        ClaimGrants::default().with_metadata("m"),
        ClaimGrants {
            sip: Some(SipGrant::default()),
            ..ClaimGrants::default()
        },
    ] {
        assert!(
            matches!(
                m.encode(&g, 1_767_225_600, Duration::from_secs(600)),
                Err(Error::InvalidRequest {
                    field: "identity",
                    ..
                })
            ),
            "{g:?}"
        );
    }
    // An identity alone, or a grant alone, or a webhook body hash alone, is a token.
    let server = ClaimGrants::default().with_video(VideoGrant {
        room_create: true,
        ..VideoGrant::default()
    });
    let webhook = ClaimGrants {
        sha256: "abc=".into(),
        ..ClaimGrants::default()
    };
    for g in [ClaimGrants::new("alice"), server, webhook] {
        m.encode(&g, 1_767_225_600, Duration::from_secs(600))
            .unwrap();
    }
    // A room join without an identity is refused.
    assert!(matches!(
        m.encode(
            &ClaimGrants::default().with_video(VideoGrant::join("r")),
            1_767_225_600,
            Duration::from_secs(600)
        ),
        Err(Error::InvalidRequest {
            field: "identity",
            ..
        })
    ));
}

#[test]
fn compound_durations() {
    for (text, secs) in [
        ("1h30m", 5_400),
        ("1d12h", 129_600),
        ("90m", 5_400),
        ("45s", 45),
        ("600", 600),
    ] {
        assert_eq!(
            parse_duration(text).unwrap(),
            Duration::from_secs(secs),
            "{text}"
        );
    }
    for text in ["30m1h", "1h1h", "1h30", "1.5h", "1h 30m"] {
        assert!(parse_duration(text).is_err(), "{text}");
    }
}

fn cli_lk(args: &[&str]) -> std::process::Output {
    rtcmint()
        .env("LIVEKIT_API_KEY", KEY)
        .env("LIVEKIT_API_SECRET", SECRET)
        .args(["livekit", "mint", "--now", "1767225600"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_refuses_unknown_keys_with_exit_2() {
    for (args, needle) in [
        (
            vec![
                "--identity",
                "bot",
                "--grant-json",
                r#"{"video":{"roomJoin":true,"room":"r","canPublsh":false}}"#,
            ],
            "did you mean `canPublish`",
        ),
        (
            vec!["--identity", "bot", "--room-config", r#"{"agnts":[]}"#],
            "did you mean `agents`",
        ),
        (vec![], "name nobody and grant nothing"),
        (vec!["--room", "r"], "needs an identity"),
    ] {
        let o = cli_lk(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // The proto field name mints the agent (it was dropped before).
    let o = cli_lk(&[
        "--identity",
        "bot",
        "--room-config",
        r#"{"agents":[{"agent_name":"a"}]}"#,
        "--valid-for",
        "1h30m",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let token = String::from_utf8(o.stdout).unwrap();
    let claims = rtcmint::livekit::decode(token.trim()).unwrap().claims;
    assert_eq!(claims.grants.room_config.unwrap().agents[0].agent_name, "a");
    assert_eq!(claims.exp - claims.nbf.unwrap(), 5_400);
}
