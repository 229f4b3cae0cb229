//! `rtcmint serve` as a process: refuses to start without keys, logs loudly without auth, answers
//! over HTTP, exits 0 on SIGTERM after finishing, and never logs a key, secret or token.
#![cfg(all(feature = "serve", feature = "cli", unix))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;
mod serve_support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const API_KEY: &str = "process-test-api-key-0123";
const LK_SECRET: &str = "process-test-secret-at-least-32-bytes";

fn serve_cmd(dir: &std::path::Path) -> std::process::Command {
    let mut c = cli_support::rtcmint();
    c.arg("serve")
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--database")
        .arg(format!("sqlite://{}", dir.join("gw.db").display()))
        .arg("--log-format")
        .arg("json")
        .env_remove("RTCMINT_API_KEYS")
        .env_remove("RTCMINT_API_KEYS_FILE")
        .env_remove("RTCMINT_CONFIG")
        .env_remove("LIVEKIT_URL")
        .env("LIVEKIT_API_KEY", "APIprocess")
        .env("LIVEKIT_API_SECRET", LK_SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Reads stderr lines until the "listening" line; returns the address and every line so far,
/// and a thread collecting the rest.
fn wait_listening(
    child: &mut Child,
) -> (String, Vec<String>, std::thread::JoinHandle<Vec<String>>) {
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "no listening line: {lines:?}");
        let mut line = String::new();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "exited early: {lines:?}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        lines.push(line);
        if v["message"] == "rtcmint gateway listening" {
            let addr = v["listen"].as_str().unwrap().to_owned();
            let rest = std::thread::spawn(move || {
                reader.lines().map_while(Result::ok).collect::<Vec<_>>()
            });
            return (addr, lines, rest);
        }
    }
}

fn post(addr: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {API_KEY}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

#[test]
fn refuses_to_start_without_api_keys() {
    let dir = serve_support::temp_dir("proc-nokeys");
    let out = serve_cmd(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--insecure-no-auth"), "{err}");
}

#[test]
fn bad_configuration_is_a_usage_error() {
    let dir = serve_support::temp_dir("proc-badcfg");
    let cfg = dir.join("c.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nbogus = 1\n").unwrap();
    let out = serve_cmd(&dir)
        .env("RTCMINT_API_KEYS", API_KEY)
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bogus"), "{err}");
    // Half a credential pair names the missing variable.
    let out = serve_cmd(&dir)
        .env("RTCMINT_API_KEYS", API_KEY)
        .env_remove("LIVEKIT_API_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LIVEKIT_API_SECRET"), "{err}");
}

#[test]
fn serves_then_exits_zero_on_sigterm_without_logging_secrets() {
    let dir = serve_support::temp_dir("proc-term");
    let mut child = serve_cmd(&dir)
        .env("RTCMINT_API_KEYS", API_KEY)
        .env("LIVEKIT_URL", "http://127.0.0.1:9")
        .arg("--log-level")
        .arg("debug")
        .spawn()
        .unwrap();
    let (addr, mut lines, rest) = wait_listening(&mut child);
    let (status, body) = post(
        &addr,
        "/createToken",
        r#"{"room_name":"lobby","participant_identity":"alice"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = v["participant_token"].as_str().unwrap().to_owned();
    let (status, body) = post(
        &addr,
        "/v1/rtc/token/issue",
        r#"{"room":"nope","identity":"a"}"#,
    );
    assert_eq!(status, 400, "{body}");
    let kill = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "graceful exit");
    lines.extend(rest.join().unwrap());
    let all = lines.join("\n");
    assert!(
        all.contains("\"request_id\""),
        "logs carry request ids: {all}"
    );
    assert!(all.contains("shutdown requested"), "{all}");
    for secret in [API_KEY, LK_SECRET, token.as_str()] {
        assert!(
            !all.contains(secret),
            "a secret or token reached the logs: {all}"
        );
    }
    // The database file holds answers: owner-only.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(dir.join("gw.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

#[test]
fn insecure_no_auth_is_logged_loudly() {
    let dir = serve_support::temp_dir("proc-insecure");
    let mut child = serve_cmd(&dir).arg("--insecure-no-auth").spawn().unwrap();
    let (_addr, lines, _rest) = wait_listening(&mut child);
    let all = lines.join("\n");
    assert!(all.contains("AUTHENTICATION IS OFF"), "{all}");
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
