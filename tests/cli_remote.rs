//! `rtcmint room|participant|recording` against the in-process vendor test doubles: the binary
//! runs with its environment pointing at the doubles' 127.0.0.1 URLs.
#![cfg(all(feature = "cli", feature = "remote"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)]

mod cli_support;
mod remote_support;

use std::process::{Command, Output};

use remote_support::{Fault, within};
use serde_json::Value;

const STORAGE_SECRET: &str = "St0rage-Secret-Never-Printed-42";
const CERTIFICATE: &str = "5cfd2fd1755d40ecb72977518be15d3b";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Runs the binary off the runtime thread, so the doubles keep serving.
async fn run(envs: Vec<(&'static str, String)>, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let out: Output = tokio::task::spawn_blocking(move || {
        let mut c: Command = cli_support::rtcmint();
        for (k, v) in envs {
            c.env(k, v);
        }
        c.args(&args).output().unwrap()
    })
    .await
    .unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    for secret in [
        remote_support::livekit::SECRET,
        remote_support::agora::CUSTOMER_SECRET,
        remote_support::zego::SERVER_SECRET,
        STORAGE_SECRET,
    ] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "a secret was printed: {} {}",
            r.stdout,
            r.stderr
        );
    }
    r
}

fn livekit_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("LIVEKIT_URL", base.to_owned()),
        ("LIVEKIT_API_KEY", remote_support::livekit::KEY.to_owned()),
        (
            "LIVEKIT_API_SECRET",
            remote_support::livekit::SECRET.to_owned(),
        ),
    ]
}

fn agora_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AGORA_APP_ID", remote_support::agora::APP_ID.to_owned()),
        (
            "AGORA_CUSTOMER_ID",
            remote_support::agora::CUSTOMER_ID.to_owned(),
        ),
        (
            "AGORA_CUSTOMER_SECRET",
            remote_support::agora::CUSTOMER_SECRET.to_owned(),
        ),
        ("AGORA_API_URL", base.to_owned()),
        ("AGORA_RECORDING_API_URL", base.to_owned()),
        ("AGORA_STORAGE_VENDOR", "1".to_owned()),
        ("AGORA_STORAGE_REGION", "0".to_owned()),
        ("AGORA_STORAGE_BUCKET", "bucket".to_owned()),
        ("AGORA_STORAGE_ACCESS_KEY", "AK".to_owned()),
        ("AGORA_STORAGE_SECRET_KEY", STORAGE_SECRET.to_owned()),
    ]
}

fn zego_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ZEGO_APP_ID", remote_support::zego::APP_ID.to_string()),
        (
            "ZEGO_SERVER_SECRET",
            remote_support::zego::SERVER_SECRET.to_owned(),
        ),
        ("ZEGO_API_URL", base.to_owned()),
        ("ZEGO_RECORDING_API_URL", base.to_owned()),
        ("ZEGO_STORAGE_VENDOR", "1".to_owned()),
        ("ZEGO_STORAGE_REGION", "us-east-1".to_owned()),
        ("ZEGO_STORAGE_BUCKET", "bucket".to_owned()),
        ("ZEGO_STORAGE_ACCESS_KEY", "AK".to_owned()),
        ("ZEGO_STORAGE_SECRET_KEY", STORAGE_SECRET.to_owned()),
    ]
}

#[tokio::test]
async fn livekit_rooms_participants_and_recordings() {
    within(60, async {
        let (double, server) = remote_support::livekit::LiveKitDouble::start().await;
        let env = || livekit_env(&server.base_url);
        let r = run(
            env(),
            &[
                "room",
                "create",
                "standup",
                "--max-participants",
                "8",
                "--empty-timeout",
                "10m",
                "--metadata",
                r#"{"topic":"daily"}"#,
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let room = r.json();
        assert_eq!(room["vendor"], "livekit");
        assert_eq!(room["name"], "standup");
        assert_eq!(room["max_participants"], 8);
        {
            let s = double.state.lock().unwrap();
            assert_eq!(s.rooms["standup"].empty_timeout, 600);
            assert_eq!(s.rooms["standup"].metadata, r#"{"topic":"daily"}"#);
        }
        // Tables by default.
        let r = run(env(), &["room", "get", "standup"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert!(
            lines[0].starts_with("NAME") && lines[0].contains("PARTICIPANTS"),
            "{}",
            r.stdout
        );
        assert!(
            lines[1].starts_with("standup ") && lines[1].contains("RM_"),
            "{}",
            r.stdout
        );
        // Not found → 7.
        let r = run(env(), &["room", "get", "nope"]).await;
        assert_eq!(r.code, 7, "{}", r.stderr);
        assert!(r.stderr.contains("not found"), "{}", r.stderr);

        for n in ["a", "b"] {
            assert_eq!(run(env(), &["room", "create", n]).await.code, 0);
        }
        let r = run(env(), &["room", "list", "--limit", "2", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let page = r.json();
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        let r = run(
            env(),
            &["room", "list", "--limit", "2", "--cursor", &cursor],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("standup"), "{}", r.stdout);

        double.join("standup", "alice", "Alice");
        double.join("standup", "bob", "");
        let r = run(env(), &["participant", "list", "standup"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.lines().nth(1).unwrap().starts_with("alice"),
            "{}",
            r.stdout
        );
        let r = run(env(), &["participant", "kick", "standup", "bob", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["kicked"], true);
        let r = run(env(), &["participant", "kick", "standup", "bob"]).await;
        assert_eq!(r.code, 7, "{}", r.stderr);

        // Recording: start prints the id; stop takes it (vendor read from the id).
        let r = run(
            env(),
            &[
                "recording",
                "start",
                "standup",
                "--layout",
                "speaker",
                "--output",
                "rec/x.mp4",
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let id = r.json()["recording"].as_str().unwrap().to_owned();
        assert!(id.starts_with("rec1.livekit."), "{id}");
        let r = run(env(), &["recording", "stop", &id]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("stopping"), "{}", r.stdout);
        // A second stop: the vendor's failed_precondition → 9.
        let r = run(env(), &["recording", "stop", &id]).await;
        assert_eq!(r.code, 9, "{}", r.stderr);
        // A bad id is a usage error naming the problem.
        let r = run(env(), &["recording", "stop", "rec9.livekit.xx"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("version 9"), "{}", r.stderr);
        // --vendor contradicting the id.
        let r = run(env(), &["recording", "stop", &id, "--vendor", "zego"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        // Unsupported says whose limitation it is → 8.
        let r = run(
            env(),
            &["recording", "start", "standup", "--output", "s3://b/k.mp4"],
        )
        .await;
        assert_eq!(r.code, 8, "{}", r.stderr);
        assert!(
            r.stderr.contains("rtcmint does not implement"),
            "{}",
            r.stderr
        );

        // Unknown outcome → 10, with the recovery record on stdout for --json.
        for _ in 0..3 {
            double
                .common
                .push_fault_after_on("StartRoomCompositeEgress", Fault::text(504, "timeout"));
        }
        let r = run(
            env(),
            &[
                "recording",
                "start",
                "standup",
                "--idempotency-key",
                "job-1",
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 10, "{}", r.stderr);
        assert!(r.stderr.contains("unknown"), "{}", r.stderr);
        let rec = r.json();
        assert_eq!(rec["outcome"], "unknown");
        assert_eq!(rec["recovery"]["vendor"], "livekit");
        assert_eq!(rec["recovery"]["room"], "standup");
        // Repeating with the key returns the egress the server started; no second one.
        let egresses = double.state.lock().unwrap().egress.len();
        let r = run(
            env(),
            &[
                "recording",
                "start",
                "standup",
                "--idempotency-key",
                "job-1",
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(double.state.lock().unwrap().egress.len(), egresses);

        // Delete.
        let r = run(env(), &["room", "delete", "a"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("deleted room a"), "{}", r.stdout);
    })
    .await;
}

#[tokio::test]
async fn auth_errors_exit_6_and_never_show_the_secret() {
    within(30, async {
        let (_double, server) = remote_support::livekit::LiveKitDouble::start().await;
        let mut env = livekit_env(&server.base_url);
        env[2].1 = "a-wrong-secret-that-is-long-enough-xx".into();
        let r = run(env, &["room", "list"]).await;
        assert_eq!(r.code, 6, "{}", r.stderr);
        assert!(r.stderr.contains("refused the credentials"), "{}", r.stderr);
        assert!(!r.stderr.contains("a-wrong-secret"), "{}", r.stderr);
        // A secret flag takes a hyphen-leading value and never echoes it.
        let (_d, agora) = remote_support::agora::AgoraDouble::start().await;
        let mut env = agora_env(&agora.base_url);
        env.retain(|(k, _)| *k != "AGORA_CUSTOMER_SECRET");
        let r = run(
            env,
            &[
                "room",
                "get",
                "c1",
                "--agora-customer-secret",
                "-Xwrong-secret-value",
            ],
        )
        .await;
        assert_eq!(r.code, 6, "{}", r.stderr);
        assert!(!r.stderr.contains("-Xwrong-secret-value"), "{}", r.stderr);
        assert!(r.stderr.contains("warning"), "the flag warns: {}", r.stderr);
    })
    .await;
}

#[tokio::test]
async fn agora_and_zego_through_the_cli() {
    within(60, async {
        let (ad, agora) = remote_support::agora::AgoraDouble::start().await;
        ad.seed("live", 2, &[7], &[2001, 2002]);
        let env = || agora_env(&agora.base_url);
        // Synthesized create: no network call; settings Agora cannot hold → unsupported (8).
        let r = run(env(), &["room", "create", "x", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["origin"], "synthesized");
        let r = run(env(), &["room", "create", "x", "--max-participants", "3"]).await;
        assert_eq!(r.code, 8, "{}", r.stderr);
        assert!(r.stderr.contains("does not offer"), "{}", r.stderr);
        let r = run(env(), &["participant", "list", "live", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let p = r.json();
        assert_eq!(p["items"][0]["identity"], "7");
        assert_eq!(p["items"][0]["role"], "host");
        assert_eq!(p["total"], 3);
        // With the app certificate, the recorder's token is minted for the channel and uid.
        let mut with_cert = env();
        with_cert.push(("AGORA_APP_CERTIFICATE", CERTIFICATE.to_owned()));
        let r = run(with_cert, &["recording", "start", "live", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let id = r.json()["recording"].as_str().unwrap().to_owned();
        assert!(id.starts_with("rec1.agora."), "{id}");
        assert!(!r.stdout.contains(CERTIFICATE) && !r.stderr.contains(CERTIFICATE));
        let parsed: rtcmint::remote::RecordingId = id.parse().unwrap();
        let rtcmint::remote::RecordingHandle::Agora { sid, uid, .. } = parsed.handle() else {
            panic!()
        };
        let token =
            ad.state.lock().unwrap().sessions[sid.as_str()].request["clientRequest"]["token"]
                .as_str()
                .unwrap()
                .to_owned();
        let info = rtcmint::agora::AgoraVerifier::new(CERTIFICATE)
            .unwrap()
            .verify(&token)
            .unwrap();
        let info = serde_json::to_string(&info).unwrap();
        assert!(
            info.contains("\"live\"") && info.contains(uid.as_str()),
            "{info}"
        );
        // Stop needs only the id (and the credentials), no storage settings.
        let mut creds = env();
        creds.retain(|(k, _)| !k.starts_with("AGORA_STORAGE"));
        let r = run(creds.clone(), &["recording", "stop", &id, "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["room"], "live");
        // Start without storage: a usage error naming the variables.
        let r = run(creds, &["recording", "start", "live"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("AGORA_STORAGE_BUCKET"), "{}", r.stderr);

        let (zd, zego) = remote_support::zego::ZegoDouble::start().await;
        zd.login("standup", "alice", "Alice");
        let zenv = || zego_env(&zego.base_url);
        // ZEGO's room list is gated: unsupported, vendor lacks it for the app.
        let r = run(zenv(), &["room", "list"]).await;
        assert_eq!(r.code, 8, "{}", r.stderr);
        assert!(r.stderr.contains("does not offer"), "{}", r.stderr);
        let r = run(zenv(), &["room", "get", "standup", "--json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["num_participants"], 1);
        let r = run(
            zenv(),
            &["recording", "start", "standup", "--audio-only", "--json"],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let id = r.json()["recording"].as_str().unwrap().to_owned();
        let r = run(zenv(), &["recording", "stop", &id]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The ZEGO id stopped with LiveKit-only credentials configured: no ZEGO credentials.
        let r = run(
            livekit_env("http://127.0.0.1:9"),
            &["recording", "stop", &id],
        )
        .await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("ZEGO"), "{}", r.stderr);

        // Two vendors configured and no --vendor: a usage error.
        let mut both = env();
        both.extend(zenv());
        let r = run(both.clone(), &["room", "get", "standup"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("--vendor"), "{}", r.stderr);
        let r = run(both, &["room", "get", "standup", "--vendor", "zego"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        // Nothing configured.
        let r = run(vec![], &["room", "list"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("no vendor configured"), "{}", r.stderr);
    })
    .await;
}

type Env = Vec<(&'static str, String)>;

fn without(mut env: Env, var: &str) -> Env {
    env.retain(|(k, _)| *k != var);
    env
}

#[tokio::test]
async fn app_id_is_the_app_id_of_the_vendor_talked_to() {
    within(60, async {
        let agora_app = remote_support::agora::APP_ID;
        let (ad, agora) = remote_support::agora::AgoraDouble::start().await;
        ad.seed("live", 2, &[7], &[2001]);
        let env = || without(agora_env(&agora.base_url), "AGORA_APP_ID");
        // No app id: the error names the flag and the variable.
        let r = run(env(), &["participant", "list", "live"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("--app-id") && r.stderr.contains("AGORA_APP_ID"),
            "{}",
            r.stderr
        );
        // `--app-id` is Agora's App ID: the double answers only for the right one.
        let r = run(
            env(),
            &[
                "participant",
                "list",
                "live",
                "--app-id",
                agora_app,
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["items"][0]["identity"], "7");
        let wrong = "ffffffffffffffffffffffffffffffff";
        let r = run(env(), &["participant", "list", "live", "--app-id", wrong]).await;
        assert_eq!(r.code, 9, "the flag reaches the vendor: {}", r.stderr);
        assert!(r.stderr.contains("invalid appid"), "{}", r.stderr);
        // The flag wins over the variable.
        let mut wrong_env = env();
        wrong_env.push(("AGORA_APP_ID", wrong.to_owned()));
        let r = run(wrong_env, &["room", "get", "live", "--app-id", agora_app]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        // Recording start and stop (whose vendor comes from the id) take it too.
        let r = run(
            env(),
            &[
                "recording",
                "start",
                "live",
                "--app-id",
                agora_app,
                "--json",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let id = r.json()["recording"].as_str().unwrap().to_owned();
        let r = run(env(), &["recording", "stop", &id, "--app-id", agora_app]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);

        // ZEGO: `--app-id` is ZEGO's AppID (a number).
        let zego_app = remote_support::zego::APP_ID.to_string();
        let (zd, zego) = remote_support::zego::ZegoDouble::start().await;
        zd.login("standup", "alice", "Alice");
        let zenv = || without(zego_env(&zego.base_url), "ZEGO_APP_ID");
        let r = run(zenv(), &["room", "get", "standup"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("--app-id") && r.stderr.contains("ZEGO_APP_ID"),
            "{}",
            r.stderr
        );
        let r = run(
            zenv(),
            &["room", "get", "standup", "--app-id", &zego_app, "--json"],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["num_participants"], 1);
        let r = run(
            zenv(),
            &["participant", "list", "standup", "--app-id", "42"],
        )
        .await;
        assert_eq!(r.code, 6, "the flag reaches the vendor: {}", r.stderr);
        assert!(r.stderr.contains("app does not exist"), "{}", r.stderr);
        let r = run(zenv(), &["room", "get", "standup", "--app-id", "abc"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("--app-id must be a number"),
            "the message names the flag, not the variable: {}",
            r.stderr
        );
        let r = run(
            zenv(),
            &[
                "participant",
                "kick",
                "standup",
                "alice",
                "--app-id",
                &zego_app,
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The old per-vendor spellings are gone (one flag, one meaning).
        for old in ["--agora-app-id", "--zego-app-id"] {
            let r = run(zenv(), &["room", "get", "standup", old, &zego_app]).await;
            assert_eq!(r.code, 2, "{old}: {}", r.stderr);
        }
    })
    .await;
}

#[tokio::test]
async fn a_flag_for_a_vendor_the_command_does_not_talk_to_is_a_usage_error() {
    within(60, async {
        let (_ld, lk) = remote_support::livekit::LiveKitDouble::start().await;
        let (_ad, agora) = remote_support::agora::AgoraDouble::start().await;
        let lenv = || livekit_env(&lk.base_url);
        let aenv = || agora_env(&agora.base_url);
        let cases: Vec<(Env, Vec<&str>, &str, &str)> = vec![
            // LiveKit has no app id.
            (
                lenv(),
                vec!["room", "list", "--app-id", "x"],
                "--app-id",
                "livekit",
            ),
            (
                lenv(),
                vec!["participant", "list", "r", "--app-id", "x"],
                "--app-id",
                "livekit",
            ),
            (
                lenv(),
                vec!["recording", "start", "r", "--app-id", "x"],
                "--app-id",
                "livekit",
            ),
            // Another vendor's flags, with the vendor inferred or given.
            (
                lenv(),
                vec!["room", "list", "--zego-api-url", "http://127.0.0.1:9"],
                "--zego-api-url",
                "livekit",
            ),
            (
                lenv(),
                vec![
                    "room",
                    "get",
                    "r",
                    "--agora-customer-id",
                    "c",
                    "--vendor",
                    "livekit",
                ],
                "--agora-customer-id",
                "livekit",
            ),
            (
                aenv(),
                vec![
                    "room",
                    "list",
                    "--livekit-url",
                    "http://127.0.0.1:9",
                    "--vendor",
                    "agora",
                ],
                "--livekit-url",
                "agora",
            ),
            (
                aenv(),
                vec!["participant", "kick", "c", "7", "--livekit-api-key", "k"],
                "--livekit-api-key",
                "agora",
            ),
            (
                aenv(),
                vec![
                    "room",
                    "get",
                    "c",
                    "--zego-server-secret-file",
                    "/nonexistent",
                    "--vendor",
                    "agora",
                ],
                "--zego-server-secret-file",
                "agora",
            ),
            // The recorder certificate applies to `recording start` only.
            (
                aenv(),
                vec![
                    "room",
                    "list",
                    "--agora-app-certificate-file",
                    "/nonexistent",
                ],
                "--agora-app-certificate-file",
                "recording start",
            ),
        ];
        for (env, args, flag, named) in cases {
            let r = run(env, &args).await;
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr.contains(flag) && r.stderr.contains(named),
                "{args:?}: the error names {flag} and {named}: {}",
                r.stderr
            );
        }
        // A recording id of one vendor with another vendor's flag.
        let id = rtcmint::remote::RecordingId::new(rtcmint::remote::RecordingHandle::LiveKit {
            egress_id: "EG_1".into(),
        })
        .unwrap()
        .to_string();
        let r = run(lenv(), &["recording", "stop", &id, "--app-id", "x"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("--app-id"), "{}", r.stderr);
    })
    .await;
}
