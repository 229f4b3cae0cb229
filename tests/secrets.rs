//! Secret hygiene: `Debug` and `Display` of every key / secret / minter / verifier type and of
//! every error produced while a secret is in play never contain the secret; the CLI never prints
//! a secret on stdout or stderr, on success or failure, whichever way the secret was passed.
//!
//! "Contains" is checked strictly: no 10-byte window of the secret may appear in the output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cli_support;

use cli_support::rtcmint;

use std::process::{Command, Output};

use rtcmint::agora::{self, AccessToken2, AgoraMinter, RtcRole, Service};
use rtcmint::batch::MinterSet;
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::zego::{self, Mode, Payload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, Secret, TokenMinter, TokenRequest};

// Distinctive secrets: any 10-byte window of them showing up in output is a leak.
const LK_KEY: &str = "APIhygienekey";
const LK_SECRET: &str = "Lk7qPw2ZrX9vBn4TyHs8MdKc3FjG6uVa";
const AG_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const AG_BAD_CERT: &str = "Qz7Xq9vWk2MpL7rTn4YhB8sJd3FgK6cV"; // 32 chars, not hex
const Z_APP_ID: u32 = 1_234_567_890;
const Z_SECRET: &str = "Zq3Rt8YpWm5Nc2Kx7Bv4Hs9Jd6Gf1Le0"; // 32 ASCII
const Z_BAD_SECRET: &str = "Zb8Wq2Xn7Mt4Rv9Ks3Py6Hc1Jd5Gf0L"; // 31 chars

fn leaks(text: &str, secret: &str) -> bool {
    let s = secret.as_bytes();
    if s.len() < 10 {
        return text.contains(secret);
    }
    s.windows(10)
        .any(|w| text.as_bytes().windows(10).any(|t| t == w))
}

#[track_caller]
fn assert_clean(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!leaks(text, s), "secret {s:?} leaked in: {text}");
    }
}

#[track_caller]
fn assert_clean_debug_display<T: std::fmt::Debug>(v: &T, secrets: &[&str]) {
    assert_clean(&format!("{v:?}"), secrets);
    assert_clean(&format!("{v:#?}"), secrets);
}

#[track_caller]
fn assert_clean_err<T: std::fmt::Debug>(r: Result<T, Error>, secrets: &[&str]) -> Error {
    let e = r.expect_err("an error");
    assert_clean(&format!("{e}"), secrets);
    assert_clean_debug_display(&e, secrets);
    e
}

const ALL: &[&str] = &[LK_SECRET, AG_CERT, AG_BAD_CERT, Z_SECRET, Z_BAD_SECRET];

// ---------------------------------------------------------------- library types

#[test]
fn secret_type_never_prints() {
    for s in ALL {
        let secret = Secret::new(*s);
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_clean(&format!("{secret:#?}"), ALL);
    }
}

#[test]
fn minter_and_verifier_debug_never_shows_the_secret() {
    let lk = LiveKitMinter::new(LK_KEY, LK_SECRET).unwrap();
    assert_clean_debug_display(&lk, ALL);
    assert!(
        format!("{lk:?}").contains(LK_KEY),
        "the public key is shown"
    );
    let lkv = LiveKitVerifier::new(LK_KEY, LK_SECRET)
        .unwrap()
        .with_key("APIsecond", "an8Tq3Wz5Rp2Xm7Kv4Ns9Hb6Jc1Gd0F")
        .unwrap();
    assert_clean_debug_display(&lkv, &[LK_SECRET, "an8Tq3Wz5Rp2Xm7Kv4Ns9Hb6Jc1Gd0F"]);
    let ag = AgoraMinter::new(AG_APP_ID, AG_CERT).unwrap();
    assert_clean_debug_display(&ag, ALL);
    for mode in [Mode::Cbc, Mode::Gcm] {
        let z = ZegoMinter::new(Z_APP_ID, Z_SECRET).unwrap().with_mode(mode);
        assert_clean_debug_display(&z, ALL);
        assert_clean_debug_display(&z.verifier(), ALL);
    }
    let zv = ZegoVerifier::new(Z_SECRET).unwrap();
    assert_clean_debug_display(&zv, ALL);
    let set = MinterSet::new()
        .with(Box::new(LiveKitMinter::new(LK_KEY, LK_SECRET).unwrap()))
        .with(Box::new(AgoraMinter::new(AG_APP_ID, AG_CERT).unwrap()))
        .with(Box::new(ZegoMinter::new(Z_APP_ID, Z_SECRET).unwrap()));
    assert_clean_debug_display(&set, ALL);
    // Trait objects print through the same Debug impls.
    let boxed: Box<dyn TokenMinter> = Box::new(ZegoMinter::new(Z_APP_ID, Z_SECRET).unwrap());
    assert_clean(&format!("{:?}", boxed.vendor()), ALL);
}

#[test]
fn credential_errors_never_show_the_secret() {
    // LiveKit: empty key with a real secret; key added twice.
    assert_clean_err(LiveKitMinter::new("", LK_SECRET), ALL);
    assert_clean_err(LiveKitVerifier::new("", LK_SECRET), ALL);
    assert_clean_err(
        LiveKitVerifier::new(LK_KEY, LK_SECRET)
            .unwrap()
            .with_key(LK_KEY, LK_SECRET),
        ALL,
    );
    // Agora: a certificate that is not hex, of the wrong length, or an app id that is wrong
    // while the certificate is right.
    assert_clean_err(AgoraMinter::new(AG_APP_ID, AG_BAD_CERT), ALL);
    assert_clean_err(AgoraMinter::new(AG_APP_ID, &AG_BAD_CERT[..20]), ALL);
    assert_clean_err(AgoraMinter::new("not-an-app-id", AG_CERT), ALL);
    let t = AccessToken2::new(AG_APP_ID, 1, 600, 1).with_service(Service::rtc("c", 1));
    assert_clean_err(t.encode(AG_BAD_CERT), ALL);
    // ZEGO: wrong length, non-ASCII, app id 0 with a real secret.
    assert_clean_err(ZegoMinter::new(Z_APP_ID, Z_BAD_SECRET), ALL);
    assert_clean_err(ZegoMinter::new(0, Z_SECRET), ALL);
    assert_clean_err(ZegoVerifier::new(Z_BAD_SECRET), ALL);
    assert_clean_err(ZegoVerifier::new(format!("{Z_BAD_SECRET}é")), ALL);
    assert_clean_err(zego::decode("04AAAA", Z_BAD_SECRET), ALL);
    assert_clean_err(rtcmint::decode_any("04AAAA", Some(Z_BAD_SECRET)), ALL);
}

#[test]
fn verification_and_mint_errors_never_show_the_secret() {
    // LiveKit: wrong secret, unknown key, expired, malformed.
    let lk = LiveKitMinter::new(LK_KEY, LK_SECRET).unwrap();
    let token = lk
        .encode(
            &ClaimGrants::new("a").with_video(VideoGrant::join("r")),
            1_000,
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let wrong = LiveKitVerifier::new(LK_KEY, "dF4kW9qZ2xR7mT5vN8bH3sJ6cG1pL0y").unwrap();
    assert_clean_err(wrong.verify_at(&token, 1_001), ALL);
    let other_key = LiveKitVerifier::new("APIother", LK_SECRET).unwrap();
    assert_clean_err(other_key.verify_at(&token, 1_001), ALL);
    let right = LiveKitVerifier::new(LK_KEY, LK_SECRET).unwrap();
    assert_clean_err(right.verify_at(&token, 10_000), ALL);
    assert_clean_err(right.verify_at("eyJ.x.y", 1_001), ALL);
    assert_clean_err(lk.mint(&TokenRequest::new("")), ALL);

    // Agora: wrong certificate, malformed certificate, wrong app id, expired, 006.
    let ag = AgoraMinter::new(AG_APP_ID, AG_CERT).unwrap();
    let hour = std::time::Duration::from_secs(3600);
    let token = ag
        .rtc_token_with_uid("c", 1, RtcRole::Publisher, hour, hour)
        .unwrap();
    let other = "00112233445566778899AABBCCDDEEFF";
    assert_clean_err(
        agora::AgoraVerifier::new(other).and_then(|v| v.verify_at(&token, 0)),
        ALL,
    );
    assert_clean_err(
        agora::AgoraVerifier::new(AG_BAD_CERT).and_then(|v| v.verify_at(&token, 0)),
        ALL,
    );
    assert_clean_err(AccessToken2::verify_str(&token, AG_BAD_CERT, None, 0), ALL);
    assert_clean_err(
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| {
            v.with_expected_app_id("0123456789abcdef0123456789abcdef")
                .verify_at(&token, 0)
        }),
        ALL,
    );
    assert_clean_err(
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(&token, i64::MAX)),
        ALL,
    );
    assert_clean_err(
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_006_at("006x", "c", "1", 0)),
        ALL,
    );
    assert_clean_err(ag.mint(&TokenRequest::new("a")), ALL); // no room

    // ZEGO: wrong secret in both modes, wrong app id, expired, malformed.
    for mode in [Mode::Cbc, Mode::Gcm] {
        let z = ZegoMinter::new(Z_APP_ID, Z_SECRET).unwrap().with_mode(mode);
        let token = z
            .token("u", std::time::Duration::from_secs(60), &Payload::Identity)
            .unwrap();
        let wrong = ZegoVerifier::new("Yh5Tq8Wr2Zk7Xm3Nv9Bs4Jc6Gd1Fp0La").unwrap();
        assert_clean_err(wrong.decode(&token), ALL);
        assert_clean_err(
            ZegoVerifier::new(Z_SECRET)
                .unwrap()
                .with_expected_app_id(1)
                .decode(&token),
            ALL,
        );
        assert_clean_err(
            zego::ZegoVerifier::new(Z_SECRET).and_then(|v| v.verify_at(&token, i64::MAX)),
            ALL,
        );
        assert_clean_err(
            zego::ZegoVerifier::new(Z_SECRET).and_then(|v| v.verify_at("04!!", 0)),
            ALL,
        );
        assert_clean_err(
            z.token("", std::time::Duration::from_secs(60), &Payload::Identity),
            ALL,
        );
        let decoded = zego::decode(&token, Z_SECRET).unwrap();
        assert_clean_debug_display(&decoded, ALL);
        assert_clean(&serde_json::to_string(&decoded).unwrap(), ALL);
    }
}

#[test]
fn batch_output_never_shows_the_secret() {
    let set = MinterSet::new()
        .with(Box::new(LiveKitMinter::new(LK_KEY, LK_SECRET).unwrap()))
        .with(Box::new(AgoraMinter::new(AG_APP_ID, AG_CERT).unwrap()))
        .with(Box::new(ZegoMinter::new(Z_APP_ID, Z_SECRET).unwrap()));
    let mut out = Vec::new();
    for (i, line) in [
        r#"{"vendor":"livekit","identity":"a","room":"r"}"#,
        r#"{"vendor":"agora","identity":"a","room":"r"}"#,
        r#"{"vendor":"zego","identity":"a","room":"r"}"#,
        r#"{"vendor":"agora","identity":"a"}"#,
        r#"{"vendor":"zego","identity":"a","display_name":"x"}"#,
        "garbage",
    ]
    .iter()
    .enumerate()
    {
        set.process_line(i + 1, line, &mut out);
    }
    assert_clean(&String::from_utf8(out).unwrap(), ALL);
}

// ---------------------------------------------------------------- the CLI

/// Runs the CLI and asserts neither stream contains any of the secrets; returns the output.
#[track_caller]
fn run_clean(mut c: Command, args: &[&str], secrets: &[&str]) -> Output {
    let out = c.args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for s in secrets {
        assert!(
            !leaks(&stdout, s) && !leaks(&stderr, s),
            "`rtcmint {}` printed secret {s:?}\nstdout: {stdout}\nstderr: {stderr}",
            args.join(" ")
        );
    }
    out
}

fn secret_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rtcmint-secrets-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("{content}\n")).unwrap();
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn cli_livekit_never_prints_the_secret() {
    let file = secret_file("lk", LK_SECRET);
    let file = file.to_str().unwrap();
    let mint = [
        "livekit",
        "mint",
        "--identity",
        "a",
        "--room",
        "r",
        "--now",
        "1000",
    ];
    // Success by env, by file, by flag (which warns, without echoing it).
    let mut env = rtcmint();
    env.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", LK_SECRET);
    let out = run_clean(env, &mint, ALL);
    assert_eq!(out.status.code(), Some(0));
    let token = stdout(&out);
    let mut by_file = mint.to_vec();
    by_file.extend(["--api-key", LK_KEY, "--api-secret-file", file, "--json"]);
    assert_eq!(run_clean(rtcmint(), &by_file, ALL).status.code(), Some(0));
    let mut by_flag = mint.to_vec();
    by_flag.extend(["--api-key", LK_KEY, "--api-secret", LK_SECRET]);
    let out = run_clean(rtcmint(), &by_flag, ALL);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    // Failures: no key, no secret, empty secret, secret given twice, bad grant JSON.
    let mut no_key = rtcmint();
    no_key.env("LIVEKIT_API_SECRET", LK_SECRET);
    assert_eq!(run_clean(no_key, &mint, ALL).status.code(), Some(2));
    let mut twice = by_flag.clone();
    twice.extend(["--api-secret", LK_SECRET]);
    assert_ne!(run_clean(rtcmint(), &twice, ALL).status.code(), Some(0));
    let mut bad_json = by_flag.clone();
    bad_json.extend(["--grant-json", "{not json"]);
    assert_ne!(run_clean(rtcmint(), &bad_json, ALL).status.code(), Some(0));
    // Verify: valid, wrong secret, wrong key, expired, --json variants.
    for (key, secret, now) in [
        (LK_KEY, LK_SECRET, "1001"),
        (LK_KEY, "wR6nQ2zX8kT4vM9bS3hJ7cF5gL1pD0yE", "1001"),
        ("APIother", LK_SECRET, "1001"),
        (LK_KEY, LK_SECRET, "99999999"),
    ] {
        for json in [false, true] {
            let mut c = rtcmint();
            c.env("LIVEKIT_API_KEY", key)
                .env("LIVEKIT_API_SECRET", secret);
            let mut args = vec!["verify", token.as_str(), "--now", now];
            if json {
                args.push("--json");
            }
            run_clean(c, &args, &[LK_SECRET, "wR6nQ2zX8kT4vM9bS3hJ7cF5gL1pD0yE"]);
        }
    }
}

#[test]
fn cli_secret_that_looks_like_a_flag_is_not_echoed() {
    // clap echoes unexpected arguments; a secret starting with `-` given with a space must not be
    // mistaken for one and printed. (Documented in SECURITY.md: pass such secrets with `=` or,
    // better, through the environment or a file.)
    let dash_secret = "-Dq7Wz3Xr9Kt5Nm2Bv8Hs4Jc6Gf1Lp0";
    let out = rtcmint()
        .args(["livekit", "mint", "--identity", "a", "--api-key", LK_KEY])
        .arg(format!("--api-secret={dash_secret}"))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!leaks(&all, dash_secret), "{all}");
}

/// Regression: a secret that starts with `-`, passed as a separate argument (`--api-secret
/// --abc…`), used to be echoed by clap's "unexpected argument" error. Secret flags now take
/// values starting with a hyphen.
#[test]
fn cli_secret_starting_with_dashes_as_separate_argument_is_not_echoed() {
    for (args, secret) in [
        (
            vec![
                "livekit",
                "mint",
                "--identity",
                "a",
                "--api-key",
                LK_KEY,
                "--api-secret",
            ],
            "--Dq7Wz3Xr9Kt5Nm2Bv8Hs4Jc6Gf1Lp0",
        ),
        (
            vec![
                "zego",
                "mint",
                "--user-id",
                "u",
                "--app-id",
                "1",
                "--server-secret",
            ],
            "--Zb8Wq2Xn7Mt4Rv9Ks3Py6Hc1Jd5Gf",
        ),
        (
            vec![
                "agora",
                "mint",
                "--channel",
                "c",
                "--app-id",
                AG_APP_ID,
                "--app-certificate",
            ],
            "--Qz7Xq9vWk2MpL7rTn4YhB8sJd3FgK6",
        ),
    ] {
        let out = rtcmint().args(&args).arg(secret).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!leaks(&all, secret), "{all}");
    }
}

/// The subcommand paths and secret flags of the binary, found by walking `--help` from the top:
/// every flag shown as `--name <SECRET>` (the marker, see `src/bin/rtcmint/util.rs`), in every
/// subcommand, including the ones added after this test was written.
fn secret_flags_from_help() -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = todo.pop() {
        let out = rtcmint().args(&path).arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{path:?} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        let mut in_commands = false;
        for line in help.lines() {
            if line.ends_with(':') && !line.starts_with(' ') {
                in_commands = line == "Commands:";
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            // A subcommand line is "  name  description"; continuation lines are indented more.
            if in_commands
                && line.starts_with("  ")
                && !line.starts_with("   ")
                && let Some(name) = words.first().filter(|n| **n != "help")
            {
                let mut sub = path.clone();
                sub.push((*name).to_owned());
                todo.push(sub);
            }
            for pair in words.windows(2) {
                if pair[1] == "<SECRET>" {
                    let flag = pair[0].trim_end_matches(',').to_owned();
                    assert!(flag.starts_with("--"), "{line}");
                    found.push((path.clone(), flag));
                }
            }
        }
    }
    found
}

/// Every secret flag of every subcommand takes a hyphen-leading value, and no error (here: a bad
/// extra argument after it) shows the value, whichever way it is attached.
#[test]
fn cli_every_secret_flag_takes_any_value_and_is_never_echoed() {
    let flags = secret_flags_from_help();
    for known in [
        "livekit mint --api-secret",
        "agora mint --app-certificate",
        "zego mint --server-secret",
        "decode --server-secret",
        "verify --api-secret",
        "verify --app-certificate",
        "verify --server-secret",
    ] {
        assert!(
            flags
                .iter()
                .any(|(p, f)| format!("{} {f}", p.join(" ")) == known),
            "{known} not found by the --help walk: {flags:?}"
        );
    }
    let secret = "--g7Qz9Xq2vWk8MpL7rTn4YhB8sJd3F";
    for (path, flag) in &flags {
        for attached in [
            vec![flag.clone(), secret.to_owned()],
            vec![format!("{flag}={secret}")],
            vec![flag.clone(), format!("-{}", &secret[2..])],
        ] {
            let out = rtcmint()
                .args(path)
                .args(&attached)
                .arg("--not-a-real-flag")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let all = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
            assert_eq!(out.status.code(), Some(2), "{path:?} {attached:?}: {all}");
            assert!(
                stderr.contains("unexpected argument '--not-a-real-flag'"),
                "{path:?} {attached:?}: {all}"
            );
            assert!(
                !leaks(&all, &secret[2..]),
                "{path:?} {attached:?} leaks: {all}"
            );
        }
    }
}

#[test]
fn cli_agora_never_prints_the_certificate() {
    let file = secret_file("ag", AG_CERT);
    let file = file.to_str().unwrap();
    let base = [
        "agora",
        "mint",
        "--channel",
        "c",
        "--uid",
        "42",
        "--issued-at",
        "1000",
    ];
    let mut env = rtcmint();
    env.env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AG_CERT);
    let out = run_clean(env, &base, ALL);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let token = stdout(&out);
    let mut json = base.to_vec();
    json.extend([
        "--app-id",
        AG_APP_ID,
        "--app-certificate-file",
        file,
        "--json",
    ]);
    assert_eq!(run_clean(rtcmint(), &json, ALL).status.code(), Some(0));
    // Bad certificates: not hex, wrong length, missing; the app id without a certificate.
    for cert in [AG_BAD_CERT, &AG_BAD_CERT[..20]] {
        let mut c = rtcmint();
        c.env("AGORA_APP_ID", AG_APP_ID)
            .env("AGORA_APP_CERTIFICATE", cert);
        assert_eq!(run_clean(c, &base, ALL).status.code(), Some(2));
        let mut flag = base.to_vec();
        flag.extend(["--app-id", AG_APP_ID, "--app-certificate", cert]);
        assert_eq!(run_clean(rtcmint(), &flag, ALL).status.code(), Some(2));
    }
    // Verify with the right, a wrong and a malformed certificate; decode; batch.
    for cert in [AG_CERT, "00112233445566778899AABBCCDDEEFF", AG_BAD_CERT] {
        for json in [false, true] {
            let mut c = rtcmint();
            c.env("AGORA_APP_CERTIFICATE", cert);
            let mut args = vec!["verify", token.as_str(), "--now", "1001"];
            if json {
                args.push("--json");
            }
            run_clean(c, &args, ALL);
        }
    }
    run_clean(rtcmint(), &["decode", token.as_str()], ALL);
    let input = secret_file(
        "ag-batch.jsonl",
        "{\"vendor\":\"agora\",\"identity\":\"a\",\"room\":\"r\"}\n{\"vendor\":\"agora\",\"identity\":\"a\"}",
    );
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AG_CERT);
    run_clean(c, &["batch", "--input", input.to_str().unwrap()], ALL);
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AG_BAD_CERT);
    assert_eq!(
        run_clean(c, &["batch", "--input", input.to_str().unwrap()], ALL)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn cli_zego_never_prints_the_server_secret() {
    let file = secret_file("z", Z_SECRET);
    let file = file.to_str().unwrap();
    let base = ["zego", "mint", "--user-id", "u", "--now", "1000"];
    for mode in ["cbc", "gcm"] {
        let mut env = rtcmint();
        env.env("ZEGO_APP_ID", Z_APP_ID.to_string())
            .env("ZEGO_SERVER_SECRET", Z_SECRET);
        let mut args = base.to_vec();
        args.extend(["--mode", mode]);
        let out = run_clean(env, &args, ALL);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let token = stdout(&out);
        // Decode with and without the secret (env, file, flag), and with a wrong one.
        run_clean(rtcmint(), &["decode", token.as_str()], ALL);
        run_clean(
            rtcmint(),
            &["decode", token.as_str(), "--server-secret-file", file],
            ALL,
        );
        run_clean(
            rtcmint(),
            &["decode", token.as_str(), "--server-secret", Z_SECRET],
            ALL,
        );
        let mut c = rtcmint();
        c.env("ZEGO_SERVER_SECRET", Z_BAD_SECRET);
        run_clean(c, &["decode", token.as_str()], ALL);
        for secret in [Z_SECRET, Z_BAD_SECRET, "Yh5Tq8Wr2Zk7Xm3Nv9Bs4Jc6Gd1Fp0La"] {
            for json in [false, true] {
                let mut c = rtcmint();
                c.env("ZEGO_SERVER_SECRET", secret);
                let mut args = vec!["verify", token.as_str(), "--now", "1001"];
                if json {
                    args.push("--json");
                }
                run_clean(
                    c,
                    &args,
                    &[Z_SECRET, Z_BAD_SECRET, "Yh5Tq8Wr2Zk7Xm3Nv9Bs4Jc6Gd1Fp0La"],
                );
            }
        }
    }
    // Mint failures: bad secret by env, file and flag.
    let bad = secret_file("zbad", Z_BAD_SECRET);
    let mut c = rtcmint();
    c.env("ZEGO_APP_ID", Z_APP_ID.to_string())
        .env("ZEGO_SERVER_SECRET", Z_BAD_SECRET);
    assert_eq!(run_clean(c, &base, ALL).status.code(), Some(2));
    let mut args = base.to_vec();
    args.extend([
        "--app-id",
        "1234567890",
        "--server-secret-file",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(run_clean(rtcmint(), &args, ALL).status.code(), Some(2));
    let mut args = base.to_vec();
    args.extend(["--app-id", "1234567890", "--server-secret", Z_BAD_SECRET]);
    assert_eq!(run_clean(rtcmint(), &args, ALL).status.code(), Some(2));
    // Batch with a good and a bad secret.
    let input = secret_file(
        "z-batch.jsonl",
        "{\"vendor\":\"zego\",\"identity\":\"a\"}\n{\"vendor\":\"zego\",\"identity\":\"a\",\"is_admin\":true}",
    );
    for secret in [Z_SECRET, Z_BAD_SECRET] {
        let mut c = rtcmint();
        c.env("ZEGO_APP_ID", Z_APP_ID.to_string())
            .env("ZEGO_SERVER_SECRET", secret);
        run_clean(c, &["batch", "--input", input.to_str().unwrap()], ALL);
    }
}

// ---------------------------------------------------------------- remote API clients

#[cfg(feature = "remote")]
#[test]
fn remote_clients_and_storage_never_show_secrets() {
    use rtcmint::remote::{
        AgoraClient, AgoraRecordingConfig, AgoraStorage, LiveKitClient, ZegoClient, ZegoStorage,
    };
    const CUSTOMER_SECRET: &str = "Cs4Tq9Wz2Rx7Km5Nv8Bh3Jd6Gf1Lp0Ya";
    const STORAGE_SECRET: &str = "St7Yq2Wx9Rz4Km6Nb3Hv8Jc5Gd1Lf0Pa";
    let secrets = [LK_SECRET, Z_SECRET, CUSTOMER_SECRET, STORAGE_SECRET];
    let lk = LiveKitClient::new("http://localhost:7880", LK_KEY, LK_SECRET).unwrap();
    assert_clean_debug_display(&lk, &secrets);
    let storage = AgoraStorage::new(1, 0, "bucket", "access", STORAGE_SECRET);
    assert_clean_debug_display(&storage, &secrets);
    let ag = AgoraClient::new(
        "https://api.agora.io",
        AG_APP_ID,
        "customer",
        CUSTOMER_SECRET,
    )
    .unwrap()
    .with_recording(AgoraRecordingConfig::new(storage));
    assert_clean_debug_display(&ag, &secrets);
    let zs = ZegoStorage::new(1, "region", "bucket", "access", STORAGE_SECRET);
    assert_clean_debug_display(&zs, &secrets);
    let z = ZegoClient::new(
        "https://rtc-api.zego.im",
        "https://cloudrecord-api.zego.im",
        Z_APP_ID,
        Z_SECRET,
    )
    .unwrap()
    .with_recording(zs);
    assert_clean_debug_display(&z, &secrets);
    // Construction errors with a secret in play.
    for e in [
        LiveKitClient::new("not a url", LK_KEY, LK_SECRET).unwrap_err(),
        AgoraClient::new("https://api.agora.io", AG_APP_ID, "", CUSTOMER_SECRET).unwrap_err(),
        ZegoClient::new("https://a", "https://b", 0, Z_SECRET).unwrap_err(),
    ] {
        assert_clean(&e.to_string(), &secrets);
        assert_clean_debug_display(&e, &secrets);
    }
}

/// A secret file its group or others may read or write gets a warning naming it (as ssh does);
/// a 0600 file does not.
#[cfg(unix)]
#[test]
fn cli_secret_file_open_to_others_warns() {
    use std::os::unix::fs::PermissionsExt as _;
    let file = secret_file("lk-perm", LK_SECRET);
    let args = [
        "livekit",
        "mint",
        "--identity",
        "a",
        "--api-key",
        LK_KEY,
        "--api-secret-file",
        file.to_str().unwrap(),
        "--now",
        "1000",
    ];
    for (mode, warns) in [
        (0o644, true),
        (0o660, true),
        (0o602, true),
        (0o600, false),
        (0o400, false),
    ] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = run_clean(rtcmint(), &args, ALL);
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = format!(
            "warning: secret file {} is accessible by others (mode {mode:04o}); restrict it with chmod 600",
            file.display()
        );
        assert_eq!(stderr.contains(&expected), warns, "mode {mode:o}: {stderr}");
    }
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
}
