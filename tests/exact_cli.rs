//! Issue 13 at the command line: decode shows the token as encoded beside the derived facts;
//! verify says what it checked and what it could not; `--app-id` and `--now` mean one thing, and a
//! flag for another vendor is an error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use std::process::{Command, Output};

use base64::Engine as _;
use cli_support::rtcmint;
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;

const LK_KEY: &str = "APIdevkey";
const LK_SECRET: &str = "my-livekit-secret-of-32-characters";
const ZEGO_SECRET: &str = "0123456789abcdef0123456789abcdef";
const AGORA_APP_ID: &str = "970ca35de60c44645bbae8a215061b33";
const AGORA_CERT: &str = "5cfd2fd1755d40ecb72977518be15d3b";

fn with_env() -> Command {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", LK_SECRET)
        .env("ZEGO_SERVER_SECRET", ZEGO_SECRET)
        .env("AGORA_APP_CERTIFICATE", AGORA_CERT);
    c
}

fn run(args: &[&str]) -> Output {
    with_env().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fails(args: &[&str], code: i32) -> String {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    err
}

fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn jwt(payload: &str) -> String {
    let signed = format!(
        "{}.{}",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(payload.as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(LK_SECRET.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    format!("{signed}.{}", b64url(&mac.finalize().into_bytes()))
}

const PAYLOAD: &str = r#"{"sub":"alice","iss":"APIdevkey","exp":1767226200,"nbf":1767225600,"jti":"j1","video":{"room":"r","roomJoin":true,"hidden":false,"canFly":true},"custom":1}"#;

#[test]
fn decode_shows_the_claims_as_encoded_with_status_and_warnings() {
    let token = jwt(PAYLOAD);
    let out = ok(&["decode", &token, "--now", "1767500000"]);
    // The exact text, in token order, explicit default and unknown keys included.
    assert!(out.contains(&format!("\"claims\": {PAYLOAD}")), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "expired 3 d 4 h ago");
    assert_eq!(v["expires_at_utc"], "2026-01-01T00:10:00Z");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("`custom`") && warnings.contains("`video.canFly`"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("jti"),
        "jti is a registered claim: {warnings}"
    );
    // Status relative to the pinned time, before nbf and inside the window.
    let v: Value = serde_json::from_str(&ok(&["decode", &token, "--now", "1767224400"])).unwrap();
    assert_eq!(v["status"], "not valid for another 20 min");
    let v: Value = serde_json::from_str(&ok(&["decode", &token, "--now", "1767225700"])).unwrap();
    assert_eq!(v["status"], "valid");
}

fn zego_token(mode: &str) -> String {
    let mut c = with_env();
    c.args([
        "zego",
        "mint",
        "--app-id",
        "1234",
        "--user-id",
        "bob",
        "--room",
        "r1",
        "--now",
        "1767225600",
        "--mode",
        mode,
    ]);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

#[test]
fn verify_says_what_it_checked_and_what_it_could_not() {
    let cbc = zego_token("cbc");
    let text = ok(&["verify", &cbc, "--now", "1767225700"]);
    for needle in [
        "valid zego token",
        "identity     bob",
        "room         r1",
        "expires      2026-01-01T01:00:00Z (in 58 min 20 s)",
        "decrypted, not authenticated (CBC has no integrity check; pass the app id, or use GCM)",
        "app id (pass --app-id",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    let v: Value = serde_json::from_str(&ok(&[
        "verify",
        &cbc,
        "--now",
        "1767225700",
        "--json",
        "--app-id",
        "1234",
    ]))
    .unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["identity"], "bob");
    assert_eq!(v["room"], "r1");
    assert!(v["checked"].to_string().contains("app id 1234"), "{v}");
    assert!(
        v["not_checked"].to_string().contains("not authenticated"),
        "{v}"
    );
    let gcm = zego_token("gcm");
    let text = ok(&["verify", &gcm, "--now", "1767225700", "--app-id", "1234"]);
    assert!(
        text.contains("AES-256-GCM authenticated decryption"),
        "{text}"
    );
    assert!(!text.contains("not authenticated"), "{text}");

    let lk = jwt(PAYLOAD);
    let text = ok(&["verify", &lk, "--now", "1767225700"]);
    for needle in [
        "valid livekit token",
        "identity     alice",
        "room         r",
        "HS256 signature with the secret of API key `APIdevkey`",
        "custom, video.canFly",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    // Errors give UTC and relative times.
    let err = fails(&["verify", &lk, "--now", "1767500000"], 4);
    assert!(
        err.contains("2026-01-01T00:10:00Z") && err.contains("3 d 4 h before"),
        "{err}"
    );
    let v: Value = serde_json::from_str(
        &String::from_utf8(run(&["verify", &lk, "--now", "1767500000", "--json"]).stdout).unwrap(),
    )
    .unwrap();
    assert_eq!(v["expired"], "2026-01-01T00:10:00Z (3 d 4 h ago)");
}

#[test]
fn app_id_is_the_vendors_app_id_in_verify_and_checked() {
    let cbc = zego_token("cbc");
    ok(&["verify", &cbc, "--now", "1767225700", "--app-id", "1234"]);
    fails(
        &["verify", &cbc, "--now", "1767225700", "--app-id", "999"],
        3,
    );
    // The old ZEGO-only spelling is gone.
    fails(
        &[
            "verify",
            &cbc,
            "--now",
            "1767225700",
            "--zego-app-id",
            "999",
        ],
        2,
    );
    let agora = {
        let o = with_env()
            .env("AGORA_APP_ID", AGORA_APP_ID)
            .args([
                "agora",
                "mint",
                "--channel",
                "c",
                "--uid",
                "7",
                "--now",
                "1767225600",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    ok(&[
        "verify",
        &agora,
        "--now",
        "1767225700",
        "--app-id",
        AGORA_APP_ID,
    ]);
    fails(
        &[
            "verify",
            &agora,
            "--now",
            "1767225700",
            "--app-id",
            "00000000000000000000000000000000",
        ],
        3,
    );
}

#[test]
fn a_flag_for_another_vendor_is_an_error() {
    let lk = jwt(PAYLOAD);
    let cbc = zego_token("cbc");
    for (args, needle) in [
        (vec!["verify", lk.as_str(), "--app-id", "5"], "--app-id"),
        (
            vec!["verify", lk.as_str(), "--server-secret-file", "/x"],
            "--server-secret-file (zego tokens only)",
        ),
        (
            vec!["verify", cbc.as_str(), "--leeway", "5s"],
            "--leeway (livekit tokens only)",
        ),
        (
            vec!["verify", cbc.as_str(), "--api-key", "k"],
            "--api-key (livekit tokens only)",
        ),
        (
            vec!["verify", cbc.as_str(), "--channel", "c"],
            "--channel (agora tokens only)",
        ),
        (
            vec!["decode", lk.as_str(), "--server-secret-file", "/x"],
            "does not apply",
        ),
    ] {
        let err = fails(&args, 2);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn agora_decode_shows_privilege_statuses_and_unknown_services() {
    let o = with_env()
        .env("AGORA_APP_ID", AGORA_APP_ID)
        .args([
            "agora",
            "mint",
            "--channel",
            "c",
            "--uid",
            "7",
            "--now",
            "1767225600",
            "--join-valid-for",
            "10m",
        ])
        .output()
        .unwrap();
    let token = String::from_utf8(o.stdout).unwrap();
    let v: Value =
        serde_json::from_str(&ok(&["decode", token.trim(), "--now", "1767226600"])).unwrap();
    let privileges = &v["token"]["services"][0]["privileges"];
    assert_eq!(privileges[0]["name"], "join_channel");
    assert_eq!(privileges[0]["status"], "expired 6 min 40 s ago");
    assert_eq!(privileges[1]["status"], "valid");
    assert_eq!(v["status"], "valid");

    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/vectors/agora/negative_vectors.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "unknown_service_type_signed")
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&["decode", case["token"].as_str().unwrap()])).unwrap();
    assert!(
        v["token"]["unparsed_hex"]
            .as_str()
            .unwrap()
            .starts_with("6300"),
        "{v}"
    );
    assert!(
        v["warnings"]
            .to_string()
            .contains("unknown service type 99"),
        "{v}"
    );
}

#[test]
fn zego_decode_shows_the_exact_plaintext() {
    let cbc = zego_token("cbc");
    let out = ok(&["decode", &cbc, "--now", "1767225700"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let plaintext = v["token"]["plaintext"].as_str().unwrap();
    assert!(
        out.contains(&format!("\"plaintext\": {plaintext}")),
        "{out}"
    );
    assert_eq!(v["status"], "valid");
    assert!(
        v["warnings"].to_string().contains("not authenticated"),
        "{v}"
    );
}

/// The bash completion of `flag` in the section of `path` (`["room", "list"]`): the values
/// offered after it.
fn completes(script: &str, path: &[&str], flag: &str) -> Option<String> {
    let mut section = String::from("rtcmint");
    for p in path {
        section.push_str("__subcmd__");
        section.push_str(p);
    }
    let start = script.find(&format!("\n        {section})\n"))?;
    let body = script.get(start + 1..)?;
    let end = body
        .get(1..)
        .and_then(|b| b.find("\n        rtcmint"))
        .map_or(body.len(), |e| e + 1);
    let body = body.get(..end)?;
    let at = body.find(&format!("\n                {flag})\n"))?;
    let rest = body.get(at..)?;
    let from = rest.find("compgen -W \"")? + "compgen -W \"".len();
    let rest = rest.get(from..)?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

#[test]
fn completions_offer_the_values_of_every_enum_flag_in_every_subcommand() {
    let script = ok(&["completions", "bash"]);
    let vendors = "livekit agora zego";
    let bools = "true false";
    let mut cases: Vec<(Vec<&str>, &str, &str)> = Vec::new();
    for path in [
        vec!["room", "create"],
        vec!["room", "get"],
        vec!["room", "list"],
        vec!["room", "delete"],
        vec!["participant", "list"],
        vec!["participant", "kick"],
        vec!["recording", "start"],
        vec!["recording", "stop"],
    ] {
        cases.push((path.clone(), "--vendor", vendors));
        cases.push((path, "--json", bools));
    }
    cases.extend([
        (
            vec!["recording", "start"],
            "--layout",
            "grid speaker single-speaker vertical horizontal",
        ),
        (vec!["recording", "start"], "--audio-only", bools),
        (vec!["serve"], "--default-vendor", vendors),
        (vec!["serve"], "--log-format", "text json"),
        (vec!["serve"], "--insecure-no-auth", bools),
        (vec!["batch"], "--zego-mode", "cbc gcm"),
        (vec!["batch"], "--quiet", bools),
        (vec!["webhook", "verify"], "--strict-authorization", bools),
        (vec!["webhook", "verify"], "--json", bools),
        (
            vec!["livekit", "mint"],
            "--kind",
            "standard ingress egress sip agent connector bridge",
        ),
        (vec!["zego", "mint"], "--mode", "cbc gcm"),
        (vec!["verify"], "--json", bools),
    ]);
    for (path, flag, values) in cases {
        assert_eq!(
            completes(&script, &path, flag).as_deref(),
            Some(values),
            "{path:?} {flag}"
        );
    }
    // The webhook vendor is a positional: offered with the options.
    let section = script
        .split("\n        rtcmint__subcmd__webhook__subcmd__verify)\n")
        .nth(1)
        .unwrap();
    let opts = section.lines().next().unwrap();
    assert!(opts.trim_end().ends_with("livekit agora zego\""), "{opts}");
    // `--layout` still takes a LiveKit template name (the values are suggestions).
    let o = run(&[
        "recording",
        "start",
        "r",
        "--layout",
        "grid-dark",
        "--vendor",
        "livekit",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("invalid value"), "{err}");
}

#[test]
fn batch_pins_the_issue_time_with_now() {
    let mut c = with_env();
    c.env("ZEGO_APP_ID", "1234567890")
        .env("AGORA_APP_ID", AGORA_APP_ID)
        .args(["batch", "--quiet", "--now", "1767225600"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(
                b"{\"vendor\":\"livekit\",\"identity\":\"a\",\"room\":\"r\"}\n\
                  {\"vendor\":\"agora\",\"identity\":\"7\",\"room\":\"c\"}\n\
                  {\"vendor\":\"zego\",\"identity\":\"z\",\"room\":\"r\"}\n\
                  {\"vendor\":\"livekit\",\"identity\":\"b\",\"room\":\"r\",\"issued_at\":1767000000}\n",
            )
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for l in &lines[..3] {
        assert_eq!(l["issued_at"], 1_767_225_600, "{l}");
    }
    // A line's own issued_at wins.
    assert_eq!(lines[3]["issued_at"], 1_767_000_000);
    // `--issued-at` is an alias of `--now` where it exists (agora mint).
    let a = ok(&[
        "agora",
        "mint",
        "--app-id",
        AGORA_APP_ID,
        "--uid",
        "7",
        "--channel",
        "c",
        "--now",
        "1767225600",
        "--salt",
        "1",
        "--json",
    ]);
    let b = ok(&[
        "agora",
        "mint",
        "--app-id",
        AGORA_APP_ID,
        "--uid",
        "7",
        "--channel",
        "c",
        "--issued-at",
        "1767225600",
        "--salt",
        "1",
        "--json",
    ]);
    assert_eq!(a, b);
    // batch has no single vendor: `--app-id` is refused (it takes --agora-app-id /
    // --zego-app-id, one per vendor).
    fails(&["batch", "--app-id", "x"], 2);
}
