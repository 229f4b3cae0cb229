//! The `rtcmint` command-line tool, run as a user would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use cli_support::rtcmint;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use rtcmint::livekit::LiveKitVerifier;
use serde_json::Value;

const KEY: &str = "APIdevkey";
const SECRET: &str = "my-livekit-secret-of-32-characters";
const NOW: &str = "1767225600";

fn livekit() -> Command {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", KEY)
        .env("LIVEKIT_API_SECRET", SECRET);
    c
}

fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().unwrap()
}

fn run_stdin(mut c: Command, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = c
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().unwrap();
    // The child may exit (e.g. on a usage error) before reading its input: a closed pipe then.
    match writer.join().unwrap() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn mint_livekit(extra: &[&str]) -> String {
    let mut args = vec![
        "livekit",
        "mint",
        "--identity",
        "alice",
        "--room",
        "my-room",
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    let o = run(livekit(), &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o).trim().to_owned()
}

#[test]
fn readme_run_command_mints_a_token_that_verifies() {
    let o = run(
        livekit(),
        &[
            "livekit",
            "mint",
            "--identity",
            "alice",
            "--room",
            "my-room",
            "--valid-for",
            "10m",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let token = stdout(&o).trim().to_owned();
    assert_eq!(
        stdout(&o),
        format!("{token}\n"),
        "stdout is the token alone"
    );
    let claims = LiveKitVerifier::new(KEY, SECRET)
        .unwrap()
        .verify(&token)
        .unwrap();
    assert_eq!(claims.grants.identity, "alice");
    assert_eq!(claims.exp - claims.nbf.unwrap(), 600);
    let v = claims.grants.video.unwrap();
    assert!(v.room_join);
    assert_eq!(v.room, "my-room");
}

#[test]
fn livekit_flags_reach_the_claims() {
    let token = mint_livekit(&[
        "--name",
        "Alice",
        "--valid-for",
        "2d",
        "--attribute",
        "team=blue",
        "--attribute",
        "role=host",
        "--metadata",
        r#"{"a":1}"#,
        "--kind",
        "agent",
        "--admin",
        "--can-publish=false",
        "--can-publish-sources",
        "camera,microphone",
        "--sip-call",
        "--inference",
        "--grant-json",
        r#"{"observability":{"write":true},"video":{"hidden":true}}"#,
        "--room-config",
        r#"{"agents":[{"agentName":"helper"}]}"#,
    ]);
    let c = LiveKitVerifier::new(KEY, SECRET)
        .unwrap()
        .verify_at(&token, 1_767_225_600)
        .unwrap();
    assert_eq!(c.nbf, Some(1_767_225_600));
    assert_eq!(c.exp, 1_767_225_600 + 172_800);
    let g = c.grants;
    assert_eq!(g.name, "Alice");
    assert_eq!(g.kind, "agent");
    assert_eq!(g.metadata, r#"{"a":1}"#);
    assert_eq!(g.attributes["team"], "blue");
    assert_eq!(g.attributes["role"], "host");
    let v = g.video.unwrap();
    assert!(v.room_admin && v.room_join && v.hidden);
    assert_eq!(v.can_publish, Some(false));
    assert_eq!(v.can_publish_sources, ["camera", "microphone"]);
    assert!(g.sip.unwrap().call);
    assert!(g.inference.unwrap().perform);
    assert!(g.observability.unwrap().write);
    assert_eq!(g.room_config.unwrap().agents[0].agent_name, "helper");

    // --join false leaves roomJoin out.
    let t = mint_livekit(&["--join=false"]);
    let c = LiveKitVerifier::new(KEY, SECRET)
        .unwrap()
        .verify_at(&t, 1_767_225_600)
        .unwrap();
    assert!(!c.grants.video.unwrap().room_join);
}

#[test]
fn json_output_is_a_stable_object() {
    let o = run(
        livekit(),
        &[
            "livekit",
            "mint",
            "--identity",
            "alice",
            "--room",
            "r",
            "--now",
            NOW,
            "--valid-for",
            "600",
            "--json",
        ],
    );
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["vendor"], "livekit");
    assert_eq!(v["identity"], "alice");
    assert_eq!(v["room"], "r");
    assert_eq!(v["issued_at"], 1_767_225_600);
    assert_eq!(v["expires_at"], 1_767_226_200);
    assert!(v["token"].as_str().unwrap().starts_with("eyJ"));
}

#[test]
fn credentials_from_flags_files_and_env() {
    let dir = std::env::temp_dir().join(format!("rtcmint-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let base = ["livekit", "mint", "--identity", "a", "--api-key", KEY];
    let check = |o: &Output| {
        assert_eq!(code(o), 0, "{}", stderr(o));
        LiveKitVerifier::new(KEY, SECRET)
            .unwrap()
            .verify(stdout(o).trim())
            .unwrap();
        assert!(!stderr(o).contains(SECRET));
    };

    // --api-secret-file (trailing newline dropped)
    let mut args = base.to_vec();
    args.extend(["--api-secret-file", file.to_str().unwrap()]);
    check(&run(rtcmint(), &args));
    // LIVEKIT_API_SECRET_FILE
    let mut c = rtcmint();
    c.env("LIVEKIT_API_SECRET_FILE", &file);
    check(&run(c, &base));
    // --api-secret works but warns, without echoing the secret.
    let mut args = base.to_vec();
    args.extend(["--api-secret", SECRET]);
    let o = run(rtcmint(), &args);
    check(&o);
    assert!(stderr(&o).contains("warning"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_and_bad_input_are_usage_errors() {
    // No secret anywhere.
    let o = run(
        rtcmint(),
        &["livekit", "mint", "--identity", "a", "--api-key", KEY],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("LIVEKIT_API_SECRET"), "{}", stderr(&o));
    // No key.
    let mut c = rtcmint();
    c.env("LIVEKIT_API_SECRET", SECRET);
    assert_eq!(code(&run(c, &["livekit", "mint", "--identity", "a"])), 2);
    // Malformed flags.
    for args in [
        vec![
            "livekit",
            "mint",
            "--identity",
            "a",
            "--valid-for",
            "forever",
        ],
        vec!["livekit", "mint", "--identity", "a", "--valid-for", "0"],
        vec!["livekit", "mint", "--identity", "a", "--now", "yesterday"],
        vec![
            "livekit",
            "mint",
            "--identity",
            "a",
            "--attribute",
            "novalue",
        ],
        vec![
            "livekit",
            "mint",
            "--identity",
            "a",
            "--can-publish",
            "maybe",
        ],
        vec!["livekit", "mint", "--identity", "a", "--grant-json", "[1]"],
        vec![
            "livekit",
            "mint",
            "--identity",
            "a",
            "--grant-json",
            r#"{"exp":1}"#,
        ],
        vec!["livekit", "mint", "--identity", "a", "--kind", "robot"],
        vec!["livekit", "mint", "--identity", "a", "--room-config", "[]"],
        vec!["livekit", "mint", "--room", "r"],
        vec!["livekit", "mint", "--bogus"],
        vec!["nonsense"],
    ] {
        let o = run(livekit(), &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.trim().is_empty());
        assert!(!err.contains(SECRET));
    }
}

#[test]
fn decode_detects_the_vendor_and_prints_json() {
    let token = mint_livekit(&["--valid-for", "600"]);
    // From the argument and from stdin, with and without a trailing newline.
    for o in [
        run(rtcmint(), &["decode", &token]),
        run_stdin(rtcmint(), &["decode", "-"], format!("{token}\n").as_bytes()),
    ] {
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["vendor"], "livekit");
        assert_eq!(v["format"], "livekit_jwt");
        assert_eq!(v["claims"]["sub"], "alice");
        assert_eq!(v["expires_at"], 1_767_226_200);
        assert_eq!(v["expires_at_utc"], "2026-01-01T00:10:00Z");
        assert_eq!(v["not_before_utc"], "2026-01-01T00:00:00Z");
        assert_eq!(v["claims"]["exp_utc"], "2026-01-01T00:10:00Z");
    }
    for bad in ["", "hello", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "eyJ!.x.y"] {
        let o = run(rtcmint(), &["decode", bad]);
        assert_eq!(code(&o), 5, "{bad:?}: {}", stderr(&o));
    }
}

#[test]
fn verify_exit_codes() {
    let token = mint_livekit(&["--valid-for", "600"]);
    let verify = |extra: &[&str], env_secret: &str| {
        let mut c = rtcmint();
        c.env("LIVEKIT_API_KEY", KEY)
            .env("LIVEKIT_API_SECRET", env_secret);
        let mut args = vec!["verify"];
        args.extend_from_slice(extra);
        run(c, &args)
    };
    assert_eq!(code(&verify(&[&token, "--now", "1767225700"], SECRET)), 0);
    let wrong = verify(
        &[&token, "--now", "1767225700"],
        "another-secret-of-32-characters!!",
    );
    assert_eq!(code(&wrong), 3);
    assert!(!stderr(&wrong).contains("another-secret"));
    assert_eq!(code(&verify(&[&token, "--now", "1767300000"], SECRET)), 4);
    assert_eq!(code(&verify(&[&token, "--now", "1767225000"], SECRET)), 4);
    assert_eq!(code(&verify(&["not-a-token", "--now", NOW], SECRET)), 5);
    let mut truncated = token.clone();
    truncated.truncate(token.len() - 1);
    assert_eq!(
        code(&verify(&[&truncated, "--now", "1767225700"], SECRET)),
        3
    );
    // Leeway is configurable: 30 s past exp fails with --leeway 10s.
    assert_eq!(code(&verify(&[&token, "--now", "1767226230"], SECRET)), 0);
    assert_eq!(
        code(&verify(
            &[&token, "--now", "1767226230", "--leeway", "10s"],
            SECRET
        )),
        4
    );
    // Wrong key id.
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", "APIother")
        .env("LIVEKIT_API_SECRET", SECRET);
    assert_eq!(code(&run(c, &["verify", &token, "--now", "1767225700"])), 3);
    // Missing credentials: usage error.
    assert_eq!(code(&run(rtcmint(), &["verify", &token])), 2);

    // --json prints the verdict and the content, and keeps the exit code.
    let o = verify(&[&token, "--now", "1767300000", "--json"], SECRET);
    assert_eq!(code(&o), 4);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["failure"], "time");
    assert_eq!(v["decoded"]["claims"]["sub"], "alice");
    let o = verify(&[&token, "--now", "1767225700", "--json"], SECRET);
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["verified_at_utc"], "2026-01-01T00:01:40Z");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(rtcmint(), &["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        assert!(stdout(&o).contains("rtcmint"), "{shell}");
    }
    assert_eq!(code(&run(rtcmint(), &["completions", "tcsh"])), 2);
}

#[test]
fn batch_keeps_order_and_reports_bad_lines() {
    let input = [
        r#"{"vendor":"livekit","identity":"a","room":"r1","ttl":600,"issued_at":1767225600}"#,
        "",
        r#"not json"#,
        r#"{"id":"x","vendor":"livekit","identity":"","room":"r"}"#,
        r#"{"vendor":"agora","identity":"b","room":"r"}"#,
        r#"{"vendor":"livekit","identity":"c","ttl":"10m","can_publish":false}"#,
    ]
    .join("\n");
    let o = run_stdin(livekit(), &["batch"], input.as_bytes());
    assert_eq!(code(&o), 1, "some lines failed: {}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "blank lines are skipped");
    let nos: Vec<i64> = lines.iter().map(|l| l["line"].as_i64().unwrap()).collect();
    assert_eq!(nos, [1, 3, 4, 5, 6]);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["expires_at"], 1_767_226_200);
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(lines[2]["id"], "x");
    assert!(lines[2]["error"].as_str().unwrap().contains("identity"));
    assert!(lines[3]["error"].as_str().unwrap().contains("agora"));
    assert_eq!(lines[4]["ok"], true);
    assert!(stderr(&o).contains("3 failed"), "{}", stderr(&o));
    let v = LiveKitVerifier::new(KEY, SECRET).unwrap();
    let c = v.verify(lines[4]["token"].as_str().unwrap()).unwrap();
    assert_eq!(c.grants.video.unwrap().can_publish, Some(false));
    // No credentials at all: usage error.
    assert_eq!(code(&run_stdin(rtcmint(), &["batch"], b"{}")), 2);
}

#[test]
fn batch_of_100k_livekit_tokens_all_verify() {
    const N: usize = 100_000;
    let dir = std::env::temp_dir().join(format!("rtcmint-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.jsonl");
    let output = dir.join("out.jsonl");
    let mut text = String::with_capacity(N * 80);
    for i in 0..N {
        text.push_str(&format!(
            r#"{{"vendor":"livekit","identity":"user-{i}","room":"room-{}","ttl":600,"issued_at":1767225600}}"#,
            i % 97
        ));
        text.push('\n');
    }
    std::fs::write(&input, text).unwrap();
    let o = run(
        livekit(),
        &[
            "batch",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let verifier = LiveKitVerifier::new(KEY, SECRET).unwrap();
    let results = std::fs::read_to_string(&output).unwrap();
    let mut count = 0;
    for (i, line) in results.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["line"], i + 1);
        assert_eq!(v["ok"], true, "{line}");
        let c = verifier
            .verify_at(v["token"].as_str().unwrap(), 1_767_225_601)
            .unwrap();
        assert_eq!(c.grants.identity, format!("user-{i}"));
        count += 1;
    }
    assert_eq!(count, N);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- Agora and ZEGO ----

const AGORA_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AGORA_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const ZEGO_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";

fn agora() -> Command {
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", AGORA_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AGORA_CERT);
    c
}

fn zego() -> Command {
    let mut c = rtcmint();
    c.env("ZEGO_APP_ID", "1234567890")
        .env("ZEGO_SERVER_SECRET", ZEGO_SECRET);
    c
}

#[test]
fn zego_mint_reproduces_the_python_vectors_byte_for_byte() {
    // token04_cbc_python.json#basic and token04_gcm_python.json#strict_login_only
    let o = run(
        zego(),
        &[
            "zego",
            "mint",
            "--user-id",
            "user1",
            "--valid-for",
            "3600",
            "--now",
            "1700000000",
            "--nonce",
            "123456789",
            "--iv",
            "30313233343536373839616263646566",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "04AAAAAGVT/xAAEDAxMjM0NTY3ODlhYmNkZWYAcK/oyydKytM1aQ+0EzyZaCrKfJWJQIVBzfCfER5aaXlYVWhM9hV86d0kI2fSypVBvev00tVGYB097qTYwSou2PNVur/20fg1KvNMbFlHdPty17aH1X6T+9xMEcBoa7g1gpH5nXTwww7336Ga5zGk9D4="
    );
    let o = run(
        zego(),
        &[
            "zego",
            "mint",
            "--user-id",
            "user1",
            "--valid-for",
            "3600",
            "--now",
            "1700000000",
            "--nonce",
            "123456789",
            "--iv",
            "303132333435363738396162",
            "--mode",
            "gcm",
            "--room",
            "room1",
            "--can-publish=false",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "04AAAAAGVT/xAADDAxMjM0NTY3ODlhYgDMCyp4BFmXo9vH6W6l6qsgemNorDRlqgACz7VEZ9ATqvGMPGkJqxXGWRcJ1E92POo0XybiZWFtVJrzsyoqmO0N62uR382QgEuGBOrLjU6XqXTiuCmr7kpgOKL4yFl1OVUPLGoGhy7UI6LxzPpK1VsFxMR4c3QT/uwLr7uKX9K6BAmMPgCw1HJVbCmmULfvB2ZJnQppebJBAmo5GVmnFwvKWGjrL9Vo7bGhavOVNoa9/UstzwjnGCX8NOui/cxnQDz5GD/g8ynvclw23tiOAQ=="
    );
}

#[test]
fn zego_decode_verify_and_errors() {
    let o = run(
        zego(),
        &[
            "zego",
            "mint",
            "--user-id",
            "bob",
            "--room",
            "r1",
            "--can-publish",
            "--stream-id",
            "s1",
            "--now",
            "1767225600",
            "--valid-for",
            "10m",
            "--mode",
            "gcm",
            "--json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["vendor"], "zego");
    assert_eq!(v["expires_at"], 1_767_226_200);
    let token = v["token"].as_str().unwrap().to_owned();

    // Decode with the secret shows the claims and the privilege payload; without, the container.
    let o = run(zego(), &["decode", &token]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["token"]["claims"]["user_id"], "bob");
    assert_eq!(d["token"]["privilege"]["room_id"], "r1");
    assert_eq!(d["expires_at_utc"], "2026-01-01T00:10:00Z");
    let o = run(rtcmint(), &["decode", &token]);
    assert_eq!(code(&o), 0);
    let d: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["container"]["mode"], "gcm");
    assert!(d.get("token").is_none());

    let verify = |c: Command, now: &str| run(c, &["verify", &token, "--now", now]);
    assert_eq!(code(&verify(zego(), "1767225700")), 0);
    assert_eq!(code(&verify(zego(), "1767226300")), 4);
    let mut wrong = rtcmint();
    wrong.env("ZEGO_SERVER_SECRET", "00000000000000000000000000000000");
    let o = verify(wrong, "1767225700");
    assert_eq!(code(&o), 3);
    assert!(!stderr(&o).contains(ZEGO_SECRET));
    let mut other_app = zego();
    other_app.env("ZEGO_APP_ID", "42");
    assert_eq!(code(&verify(other_app, "1767225700")), 3);
    assert_eq!(code(&verify(rtcmint(), "1767225700")), 2, "no secret");
    assert_eq!(code(&run(zego(), &["verify", "04AAAA", "--now", "1"])), 5);

    for args in [
        vec!["zego", "mint", "--user-id", "a", "--app-id", "0"],
        vec!["zego", "mint", "--user-id", "a", "--app-id", "x"],
        vec!["zego", "mint", "--user-id", ""],
        vec!["zego", "mint", "--user-id", "a", "--iv", "zz"],
        vec!["zego", "mint", "--user-id", "a", "--iv", "0011"],
        vec!["zego", "mint", "--user-id", "a", "--payload", "{not json"],
        vec!["zego", "mint", "--user-id", "a", "--valid-for", "0"],
        vec!["zego", "mint", "--user-id", "a", "--stream-id", "s"],
    ] {
        let o = run(zego(), &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
    let mut short = rtcmint();
    short
        .env("ZEGO_APP_ID", "1")
        .env("ZEGO_SERVER_SECRET", "short");
    let o = run(short, &["zego", "mint", "--user-id", "a"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("32"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("short\n"));
}

#[test]
fn agora_mint_matches_the_python_payload_and_verifies() {
    // python_vectors.json#rtc_uid_publisher: pinned issue_ts and salt.
    let o = run(
        agora(),
        &[
            "agora",
            "mint",
            "--channel",
            "7d72365eb983485397e3e3f9d460bdda",
            "--uid",
            "2882341273",
            "--valid-for",
            "600",
            "--issued-at",
            "1111111",
            "--salt",
            "1",
            "--json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["issued_at"], 1_111_111);
    assert_eq!(v["expires_at"], 1_111_711);
    assert_eq!(v["identity"], "2882341273");
    let token = v["token"].as_str().unwrap();
    // Same signature as the official SDK's token for these inputs.
    let o = run(rtcmint(), &["decode", token]);
    let d: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["format"], "agora_007");
    assert_eq!(
        d["token"]["signature_hex"]
            .as_str()
            .or(d["token"]["signature"].as_str()),
        Some("c731521be14613488eac3ef393d403a87ea96102529dc5d633e12faabcce540f"),
        "{d}"
    );
    assert_eq!(
        d["token"]["services"][0]["privileges"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let verify = |c: Command, now: &str| run(c, &["verify", token, "--now", now]);
    assert_eq!(code(&verify(agora(), "1111200")), 0);
    assert_eq!(code(&verify(agora(), "1111711")), 4);
    let mut wrong = agora();
    wrong.env("AGORA_APP_CERTIFICATE", "00000000000000000000000000000000");
    assert_eq!(code(&verify(wrong, "1111200")), 3);
    let mut other_app = agora();
    other_app.env("AGORA_APP_ID", "00000000000000000000000000000000");
    assert_eq!(code(&verify(other_app, "1111200")), 3);
}

#[test]
fn agora_kinds_and_errors() {
    let kinds: &[&[&str]] = &[
        &[
            "--kind",
            "rtc",
            "--channel",
            "c",
            "--account",
            "alice",
            "--role",
            "subscriber",
        ],
        &[
            "--kind",
            "rtc",
            "--channel",
            "c",
            "--uid",
            "0",
            "--join-valid-for",
            "10m",
            "--publish-audio-valid-for",
            "5m",
        ],
        &["--kind", "rtc-rtm", "--channel", "c", "--account", "alice"],
        &[
            "--kind",
            "rtc-rtm2",
            "--channel",
            "c",
            "--uid",
            "7",
            "--user-id",
            "alice",
        ],
        &["--kind", "rtm", "--user-id", "alice"],
        &[
            "--kind",
            "rtm2",
            "--user-id",
            "alice",
            "--rtm2-permission",
            "message-channel:read=ch1,ch2",
        ],
        &["--kind", "chat-user", "--user-id", "alice"],
        &["--kind", "chat-app"],
        &[
            "--kind",
            "apaas-room-user",
            "--room-uuid",
            "room",
            "--user-id",
            "alice",
            "--apaas-role",
            "1",
        ],
        &["--kind", "apaas-user", "--user-id", "alice"],
        &["--kind", "apaas-app"],
        &["--kind", "fpa"],
        &[
            "--kind",
            "convoai",
            "--channel",
            "c",
            "--uid",
            "1",
            "--user-id",
            "agent",
        ],
        &[
            "--kind",
            "stt",
            "--channel",
            "c",
            "--uid",
            "1",
            "--user-id",
            "agent",
        ],
        &[
            "--kind",
            "streaming",
            "--channel",
            "c",
            "--account",
            "a",
            "--privilege",
            "publish-mix-stream=1h",
        ],
        &[
            "--kind",
            "fcdn",
            "--channel",
            "c",
            "--account",
            "a",
            "--privilege",
            "play=1h",
            "--privilege",
            "publish=10m",
        ],
    ];
    for extra in kinds {
        let mut args = vec!["agora", "mint", "--issued-at", NOW];
        args.extend_from_slice(extra);
        let o = run(agora(), &args);
        assert_eq!(code(&o), 0, "{extra:?}: {}", stderr(&o));
        let token = stdout(&o).trim().to_owned();
        let o = run(agora(), &["verify", &token, "--now", "1767225601"]);
        assert_eq!(code(&o), 0, "{extra:?}: {}", stderr(&o));
    }
    for args in [
        vec!["agora", "mint", "--uid", "1"],
        vec!["agora", "mint", "--channel", "c", "--uid", "4294967296"],
        vec![
            "agora",
            "mint",
            "--channel",
            "c",
            "--uid",
            "1",
            "--account",
            "a",
        ],
        vec!["agora", "mint", "--channel", "c", "--valid-for", "2d"],
        vec!["agora", "mint", "--kind", "rtm"],
        vec!["agora", "mint", "--kind", "streaming", "--channel", "c"],
        vec![
            "agora",
            "mint",
            "--kind",
            "fcdn",
            "--channel",
            "c",
            "--privilege",
            "bogus=1h",
        ],
        vec![
            "agora",
            "mint",
            "--kind",
            "rtm2",
            "--user-id",
            "a",
            "--rtm2-permission",
            "planet:read=x",
        ],
        vec!["agora", "mint", "--channel", "c", "--salt", "-1"],
    ] {
        let o = run(agora(), &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
    let mut bad = rtcmint();
    bad.env("AGORA_APP_ID", "nothex")
        .env("AGORA_APP_CERTIFICATE", AGORA_CERT);
    let o = run(bad, &["agora", "mint", "--channel", "c"]);
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains(AGORA_CERT));
}

#[test]
fn agora_006_verify_needs_channel_and_uid() {
    let token = "006970CA35de60c44645bbae8a215061b33IACMv3I+fsRSejxy6luEwzA/1t/zbEHWfJCJ5m8ssFP/fLdIfRBXoFHlIgABAAAAR/QQAAQAAQCvKDdWAgCvKDdWAwCvKDdWBACvKDdW";
    let o = run(rtcmint(), &["decode", token]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["format"], "agora_006");
    assert_eq!(
        code(&run(agora(), &["verify", token, "--now", "1024711"])),
        2
    );
    let ok = run(
        agora(),
        &[
            "verify",
            token,
            "--now",
            "1024711",
            "--channel",
            "7d72365eb983485397e3e3f9d460bdda",
            "--uid",
            "2882341273",
        ],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let wrong = run(
        agora(),
        &[
            "verify",
            token,
            "--now",
            "1024711",
            "--channel",
            "another",
            "--uid",
            "2882341273",
        ],
    );
    assert_eq!(code(&wrong), 3);
}

#[test]
fn batch_mints_for_every_vendor() {
    let input = [
        r#"{"vendor":"livekit","identity":"a","room":"r"}"#,
        r#"{"vendor":"agora","identity":"42","room":"c","ttl":600}"#,
        r#"{"vendor":"zego","identity":"z","room":"r","can_publish":false}"#,
        r#"{"vendor":"agora","identity":"x","room":"c","display_name":"X"}"#,
    ]
    .join("\n");
    let mut c = livekit();
    c.env("AGORA_APP_ID", AGORA_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AGORA_CERT)
        .env("ZEGO_APP_ID", "1234567890")
        .env("ZEGO_SERVER_SECRET", ZEGO_SECRET);
    let o = run_stdin(c, &["batch"], input.as_bytes());
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for (i, vendor) in ["livekit", "agora", "zego"].iter().enumerate() {
        assert_eq!(lines[i]["ok"], true, "{}", lines[i]);
        assert_eq!(lines[i]["vendor"], *vendor);
        let token = lines[i]["token"].as_str().unwrap();
        let mut v = agora();
        v.env("LIVEKIT_API_KEY", KEY)
            .env("LIVEKIT_API_SECRET", SECRET)
            .env("ZEGO_APP_ID", "1234567890")
            .env("ZEGO_SERVER_SECRET", ZEGO_SECRET);
        let out = run(v, &["verify", token]);
        assert_eq!(code(&out), 0, "{vendor}: {}", stderr(&out));
    }
    assert_eq!(lines[3]["ok"], false);
    assert!(lines[3]["error"].as_str().unwrap().contains("display_name"));
}

#[test]
fn runtime_errors_exit_1() {
    // Unreadable input and unwritable output are runtime errors, not usage errors.
    let o = run(livekit(), &["batch", "-i", "/nonexistent/requests.jsonl"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("/nonexistent/requests.jsonl"));
    let o = run_stdin(
        livekit(),
        &["batch", "-o", "/nonexistent/dir/out.jsonl"],
        br#"{"vendor":"livekit","identity":"a"}"#,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // A missing secret file is a usage error naming the file.
    let o = run(
        rtcmint(),
        &[
            "livekit",
            "mint",
            "--identity",
            "a",
            "--api-key",
            KEY,
            "--api-secret-file",
            "/nonexistent/secret",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/secret"));
}
