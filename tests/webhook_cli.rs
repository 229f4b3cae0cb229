//! `rtcmint webhook verify`: every shared webhook vector through the binary (exit codes and the
//! parsed event of `--json`), flag rules, secret sources and limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cli_support::rtcmint;
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/vectors/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("rtcmint-webhook-cli-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The command for one vector case: body file, every header, the clock, the secret in the env.
fn command(vendor: &str, case: &Value, body: &Path) -> Command {
    let mut c = rtcmint();
    c.args(["webhook", "verify", vendor, "--body"]).arg(body);
    c.args(["--now", &case["inputs"]["now_unix"].to_string()]);
    for (k, v) in case["inputs"]["headers"].as_object().unwrap() {
        c.arg("--header")
            .arg(format!("{k}: {}", v.as_str().unwrap()));
    }
    let secret = case["inputs"]["secret"].as_str().unwrap();
    match vendor {
        "livekit" => {
            c.env("LIVEKIT_API_KEY", case["inputs"]["key"].as_str().unwrap());
            c.env("LIVEKIT_API_SECRET", secret);
        }
        "agora" => {
            c.env("AGORA_WEBHOOK_SECRET", secret);
        }
        _ => {
            c.env("ZEGO_CALLBACK_SECRET", secret);
        }
    }
    c
}

fn reason_code(reason: &str) -> Option<i32> {
    Some(match reason {
        "sha256_mismatch"
        | "bad_signature"
        | "signature_mismatch"
        | "missing_auth_header"
        | "missing_signature" => 3,
        "expired" => 4,
        "body_parse_error" | "missing_exp" | "missing_signature_field" => 5,
        _ => return None,
    })
}

fn run_file(file: &str, vendor: &str) {
    let scratch = Scratch::new(file.trim_end_matches(".json"));
    for case in &load(file) {
        let id = case["id"].as_str().unwrap();
        let body = scratch.file(id, case["inputs"]["body"].as_str().unwrap().as_bytes());
        let valid = match case.get("recommended").and_then(Value::as_str) {
            Some(r) => r == "accept",
            None => case["expected"]["valid"].as_bool().unwrap(),
        };
        let mut c = command(vendor, case, &body);
        c.arg("--json");
        if vendor == "livekit" {
            // The spec's verdicts include refusing a `Bearer ` prefix.
            c.arg("--strict-authorization");
        }
        let out = c.output().unwrap();
        let code = out.status.code().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{file} {id}: stdout is not JSON ({e}): {out:?}"));
        assert_eq!(json["valid"], Value::Bool(valid), "{file} {id}: {json}");
        if valid {
            assert_eq!(code, 0, "{file} {id}");
            let want = &case["expected"]["event"];
            if want.is_object() {
                assert_eq!(&json["event"]["body"], want, "{file} {id}");
            }
        } else {
            assert!([3, 4, 5].contains(&code), "{file} {id}: exit {code}");
            let sdk_agrees = case["expected"]["valid"] == Value::Bool(false);
            if sdk_agrees
                && file != "livekit_python.json"
                && let Some(want) = case["expected"]["reason"].as_str().and_then(reason_code)
            {
                assert_eq!(code, want, "{file} {id}: {json}");
            }
        }
        // Without --json: the same exit code, nothing on stdout, one line on stderr.
        let mut c = command(vendor, case, &body);
        if vendor == "livekit" {
            c.arg("--strict-authorization");
        }
        let plain = c.output().unwrap();
        assert_eq!(plain.status.code(), Some(code), "{file} {id}");
        assert!(plain.stdout.is_empty());
        let err = String::from_utf8(plain.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{file} {id}: {err}");
        assert!(!err.contains(case["inputs"]["secret"].as_str().unwrap()));
    }
}

#[test]
fn livekit_node_vectors_through_the_cli() {
    run_file("livekit_node.json", "livekit");
}

#[test]
fn livekit_python_vectors_through_the_cli() {
    run_file("livekit_python.json", "livekit");
}

#[test]
fn agora_vectors_through_the_cli() {
    run_file("agora_doc_derived.json", "agora");
}

#[test]
fn zego_vectors_through_the_cli() {
    run_file("zego_doc_derived.json", "zego");
}

fn case(file: &str, id: &str) -> Value {
    load(file).into_iter().find(|c| c["id"] == id).unwrap()
}

fn stdin_run(mut c: Command, input: &[u8]) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    // The child may exit before reading everything (oversized input): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

#[test]
fn bearer_prefix_is_tolerated_by_default() {
    let scratch = Scratch::new("bearer");
    let c = case("livekit_node.json", "header_bearer_prefix");
    let body = scratch.file("b", c["inputs"]["body"].as_str().unwrap().as_bytes());
    let out = command("livekit", &c, &body).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = command("livekit", &c, &body)
        .arg("--strict-authorization")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn body_from_stdin_and_bounded() {
    let c = case("agora_doc_derived.json", "rtc_101");
    let body = c["inputs"]["body"].as_str().unwrap().as_bytes().to_vec();
    let mut cmd = command("agora", &c, Path::new("-"));
    cmd.arg("--json");
    let out = stdin_run(cmd, &body);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["event"]["kind"], "room_started");
    assert_eq!(json["event"]["room"], "demo-channel");
    // A trailing newline is part of the body: the MAC no longer matches.
    let mut with_nl = body.clone();
    with_nl.push(b'\n');
    let out = stdin_run(command("agora", &c, Path::new("-")), &with_nl);
    assert_eq!(out.status.code(), Some(3));
    // Larger than --max-body: refused as malformed, without reading it all.
    let mut cmd = command("agora", &c, Path::new("-"));
    cmd.args(["--max-body", "16"]);
    let out = stdin_run(cmd, &vec![b'{'; 1 << 20]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing more than 16"));
}

#[test]
fn flags_of_another_vendor_are_usage_errors() {
    let scratch = Scratch::new("flags");
    let body = scratch.file("b", b"{}");
    for (vendor, flag) in [
        ("agora", vec!["--leeway", "10s"]),
        ("zego", vec!["--api-key", "k"]),
        ("livekit", vec!["--max-age", "5m"]),
        ("livekit", vec!["--webhook-secret", "s"]),
        ("agora", vec!["--callback-secret", "s"]),
        ("zego", vec!["--strict-authorization"]),
    ] {
        let out = rtcmint()
            .args(["webhook", "verify", vendor, "--body"])
            .arg(&body)
            .args(&flag)
            .env("AGORA_WEBHOOK_SECRET", "x")
            .env("ZEGO_CALLBACK_SECRET", "x")
            .env("LIVEKIT_API_KEY", "k")
            .env("LIVEKIT_API_SECRET", "x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{vendor} {flag:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("applies to"));
    }
    // Missing secret, missing body file, bad header syntax, unknown vendor.
    let out = rtcmint()
        .args(["webhook", "verify", "zego", "--body"])
        .arg(&body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZEGO_CALLBACK_SECRET"));
    let out = rtcmint()
        .args(["webhook", "verify", "zego", "--body", "/nonexistent/body"])
        .env("ZEGO_CALLBACK_SECRET", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for args in [
        vec!["--header", "no-colon"],
        vec!["--header", ": empty-name"],
    ] {
        let out = rtcmint()
            .args(["webhook", "verify", "zego", "--body"])
            .arg(&body)
            .args(&args)
            .env("ZEGO_CALLBACK_SECRET", "x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = rtcmint()
        .args(["webhook", "verify", "twilio", "--body"])
        .arg(&body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn secrets_from_flags_and_files_never_echo() {
    let scratch = Scratch::new("secrets");
    let c = case("zego_doc_derived.json", "room_create");
    let secret = c["inputs"]["secret"].as_str().unwrap();
    let body = scratch.file("b", c["inputs"]["body"].as_str().unwrap().as_bytes());
    // From a file with a trailing newline.
    let file = scratch.file("secret", format!("{secret}\n").as_bytes());
    let base = |c: &Value| {
        let mut cmd = command("zego", c, &body);
        cmd.env_remove("ZEGO_CALLBACK_SECRET");
        cmd
    };
    let out = base(&c)
        .arg("--callback-secret-file")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // From the _FILE env variable.
    let out = base(&c)
        .env("ZEGO_CALLBACK_SECRET_FILE", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // A hyphen-leading wrong secret on the flag: accepted as a value, refused as a signature,
    // never echoed.
    let wrong = "--not-the-secret-value-123";
    let out = base(&c)
        .args(["--callback-secret", wrong])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(wrong), "{all}");
    // An oversized secret file is refused.
    let big = scratch.file("big", &vec![b'a'; 70 * 1024]);
    let out = base(&c)
        .arg("--callback-secret-file")
        .arg(&big)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn zego_window_flag() {
    let scratch = Scratch::new("window");
    let c = case("zego_doc_derived.json", "old_timestamp_replay");
    let body = scratch.file("b", c["inputs"]["body"].as_str().unwrap().as_bytes());
    let out = command("zego", &c, &body).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not signed"), "{err}");
    let out = command("zego", &c, &body)
        .args(["--max-age", "5m", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["failure"], "time");
    assert_eq!(json["reason"], "outside_window");
}

#[test]
fn agora_json_failure_reports_each_header() {
    let scratch = Scratch::new("agora-fail");
    let c = case("agora_doc_derived.json", "tampered_uid");
    let body = scratch.file("b", c["inputs"]["body"].as_str().unwrap().as_bytes());
    let out = command("agora", &c, &body).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["signatures"]["v2"], "mismatch");
    assert_eq!(json["signatures"]["v1"], "mismatch");
    assert_eq!(json["reason"], "signature_mismatch");
}
