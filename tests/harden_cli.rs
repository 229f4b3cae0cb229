//! CLI hardening: a closed standard output ends every command quietly with the exit code it
//! would have had, and the Agora privilege-expiry rule as the CLI applies it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use cli_support::rtcmint;

use std::process::{Command, Output};

const LK_KEY: &str = "APIdevkey";
const LK_SECRET: &str = "my-livekit-secret-of-32-characters";
const AG_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const Z_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const NOW: &str = "1767225600";

fn creds() -> Command {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", LK_SECRET)
        .env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AG_CERT)
        .env("ZEGO_APP_ID", "1234567890")
        .env("ZEGO_SERVER_SECRET", Z_SECRET);
    c
}

fn run(args: &[&str]) -> Output {
    creds().args(args).output().unwrap()
}

/// Runs with standard output a pipe whose reading end is already closed.
fn run_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut c = creds();
    c.args(args).stdout(writer);
    let out = c.output().unwrap();
    drop(c);
    out
}

fn mint(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn closed_stdout_ends_every_command_quietly() {
    let lk = mint(&["livekit", "mint", "--identity", "a", "--now", NOW]);
    let ag = mint(&[
        "agora",
        "mint",
        "--channel",
        "c",
        "--uid",
        "1",
        "--issued-at",
        NOW,
    ]);
    let zg = mint(&["zego", "mint", "--user-id", "u", "--now", NOW]);
    let late = "1999999999";
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["livekit", "mint", "--identity", "a"], 0),
        (vec!["livekit", "mint", "--identity", "a", "--json"], 0),
        (vec!["agora", "mint", "--channel", "c", "--uid", "1"], 0),
        (vec!["zego", "mint", "--user-id", "u"], 0),
        (vec!["decode", &lk], 0),
        (vec!["decode", &ag], 0),
        (vec!["decode", &zg], 0),
        (vec!["verify", &lk, "--now", NOW, "--json"], 0),
        (vec!["verify", &lk, "--now", late, "--json"], 4),
        (vec!["verify", &ag, "--now", NOW, "--json"], 0),
        (vec!["verify", &zg, "--now", NOW, "--json"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["--help"], 0),
        (vec!["verify", "--help"], 0),
        (vec!["--version"], 0),
    ];
    for (args, code) in cases {
        let out = run_closed_stdout(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(!stderr.contains("rtcmint:"), "{args:?}: {stderr}");
    }
}
