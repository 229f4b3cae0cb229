//! One test per row of the bad-input table in `SECURITY.md`.
//!
//! Each `row_<id>` test feeds one bad value to the library or the CLI and checks the outcome
//! against the table row with that id: the error variant and the exact `Display` message for the
//! library (plus the exit code the CLI maps that error kind to), the exit code and the first line
//! of stderr for the CLI. `table_and_tests_match` checks that every row has a test and every
//! test a row, so the table cannot drift from the code.
//!
//! To regenerate the table after a deliberate message change, run
//! `SECURITY_TABLE_DUMP=1 cargo test --test security_table` and paste the rows written to
//! `target/security-table.md` (sorted by id) into SECURITY.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cli_support;

use cli_support::rtcmint;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtcmint::agora::{self, AccessToken2, AgoraMinter, RtcRole};
use rtcmint::batch::{MinterSet, parse_line};
use rtcmint::livekit::{
    ClaimGrants, LiveKitMinter, LiveKitVerifier, RoomConfiguration, VideoGrant,
};
use rtcmint::zego::{MintInputs, Mode, Payload, ZegoMinter, ZegoVerifier};
use rtcmint::{Error, ErrorKind, FixedClock, TokenMinter, TokenRequest};

const LK_KEY: &str = "APIkey";
const LK_SECRET: &str = "lk-secret-of-at-least-32-characters!";
const AG_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AG_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const AG_OTHER_CERT: &str = "00112233445566778899AABBCCDDEEFF";
const Z_APP_ID: u32 = 1_234_567_890;
const Z_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const NOW: i64 = 1_767_225_600;

// ---------------------------------------------------------------- the table

struct Row {
    outcome: String,
    message: String,
    exit: String,
}

const SECURITY_MD: &str = include_str!("../SECURITY.md");
const THIS_FILE: &str = include_str!("security_table.rs");

fn unquote(cell: &str) -> String {
    let c = cell.trim();
    let inner = if let Some(s) = c.strip_prefix("`` ").and_then(|s| s.strip_suffix(" ``")) {
        s
    } else if let Some(s) = c.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        s
    } else {
        c
    };
    inner.replace("\\|", "|")
}

/// Splits a markdown table line on unescaped `|`.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.trim().trim_start_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push_str("\\|");
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out
}

/// Rows of the table between the `bad-input-table` markers: `| id | input | bad value | outcome |
/// message | exit |`.
fn table() -> BTreeMap<String, Row> {
    let start = SECURITY_MD
        .find("<!-- bad-input-table:start -->")
        .expect("start marker");
    let end = SECURITY_MD
        .find("<!-- bad-input-table:end -->")
        .expect("end marker");
    let mut rows = BTreeMap::new();
    for line in SECURITY_MD[start..end].lines() {
        let c = cells(line);
        if c.len() < 6 || c[0].trim().starts_with("--") || c[0].trim() == "Id" {
            continue;
        }
        let id = c[0].trim().to_owned();
        let row = Row {
            outcome: unquote(&c[3]),
            message: unquote(&c[4]),
            exit: c[5].trim().to_owned(),
        };
        assert!(rows.insert(id.clone(), row).is_none(), "duplicate row {id}");
    }
    rows
}

fn dumping() -> bool {
    std::env::var_os("SECURITY_TABLE_DUMP").is_some()
}

fn dump(id: &str, input: &str, bad: &str, outcome: &str, message: &str, exit: &str) {
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/security-table.md");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let code = |s: &str| {
        let s = s.replace('|', "\\|");
        if s.contains('`') {
            format!("`` {s} ``")
        } else {
            format!("`{s}`")
        }
    };
    writeln!(
        f,
        "| {id} | {input} | {bad} | {} | {} | {exit} |",
        code(outcome),
        code(message)
    )
    .unwrap();
}

fn exit_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Credentials | ErrorKind::Request => "2",
        ErrorKind::Signature => "3",
        ErrorKind::Time => "4",
        ErrorKind::Malformed => "5",
        _ => "1",
    }
}

/// A library row: `r` must be an error whose variant and message are the row's.
#[track_caller]
fn lib<T: std::fmt::Debug>(id: &str, input: &str, bad: &str, r: Result<T, Error>) {
    let e = r.expect_err("a bad input must be refused");
    let debug = format!("{e:?}");
    let variant = debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned();
    let outcome = format!("Error::{variant}");
    let message = e.to_string();
    let exit = exit_for(e.kind());
    if dumping() {
        return dump(id, input, bad, &outcome, &message, exit);
    }
    let rows = table();
    let row = rows
        .get(id)
        .unwrap_or_else(|| panic!("row {id} missing from SECURITY.md"));
    assert_eq!(row.outcome, outcome, "row {id}: variant");
    assert_eq!(row.message, message, "row {id}: message");
    assert_eq!(row.exit, exit, "row {id}: exit code");
}

fn with_livekit(mut c: Command) -> Command {
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", LK_SECRET);
    c
}

fn with_agora(mut c: Command) -> Command {
    c.env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", AG_CERT);
    c
}

fn with_zego(mut c: Command) -> Command {
    c.env("ZEGO_APP_ID", Z_APP_ID.to_string())
        .env("ZEGO_SERVER_SECRET", Z_SECRET);
    c
}

/// A CLI row: the exit code and the first line of stderr (the `error` field of the JSON on
/// stdout when stderr has nothing, as for `verify --json`).
#[track_caller]
fn cli(id: &str, input: &str, bad: &str, c: Command, args: &[&str]) {
    cli_impl(id, input, bad, c, args, false);
}

/// A CLI row whose message is the `error` field of the JSON record on stdout (`batch`).
#[track_caller]
fn cli_record(id: &str, input: &str, bad: &str, c: Command, args: &[&str]) {
    cli_impl(id, input, bad, c, args, true);
}

#[track_caller]
fn cli_impl(id: &str, input: &str, bad: &str, mut c: Command, args: &[&str], record: bool) {
    let out: Output = c.args(args).output().unwrap();
    let exit = out.status.code().unwrap().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let from_stdout = || {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .or_else(|_| serde_json::from_str(stdout.lines().next().unwrap_or("")))
            .unwrap_or_default();
        format!("stdout: {}", v.get("error").cloned().unwrap_or_default())
    };
    let first = if record {
        from_stdout()
    } else {
        stderr
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with("warning:"))
            .map_or_else(from_stdout, str::to_owned)
    };
    let outcome = format!("exit {exit}");
    if dumping() {
        return dump(id, input, bad, &outcome, &first, &exit);
    }
    let rows = table();
    let row = rows
        .get(id)
        .unwrap_or_else(|| panic!("row {id} missing from SECURITY.md"));
    assert_eq!(row.exit, exit, "row {id}: exit code; stderr: {stderr}");
    assert_eq!(row.outcome, outcome, "row {id}");
    assert_eq!(row.message, first, "row {id}: message");
}

#[test]
fn table_and_tests_match() {
    if dumping() {
        return;
    }
    let rows = table();
    assert!(rows.len() > 50, "{} rows", rows.len());
    for id in rows.keys() {
        let name = format!("fn row_{}()", id.to_lowercase());
        assert!(THIS_FILE.contains(&name), "row {id} has no test `{name}`");
    }
    for line in THIS_FILE.lines() {
        if let Some(rest) = line.trim().strip_prefix("fn row_") {
            let id = rest.split('(').next().unwrap().to_uppercase();
            assert!(
                rows.contains_key(&id),
                "test row_{id} has no row in SECURITY.md"
            );
        }
    }
}

// ---------------------------------------------------------------- helpers

fn lk() -> LiveKitMinter {
    LiveKitMinter::new(LK_KEY, LK_SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)))
}

fn ag() -> AgoraMinter {
    AgoraMinter::new(AG_APP_ID, AG_CERT)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)))
}

fn zg() -> ZegoMinter {
    ZegoMinter::new(Z_APP_ID, Z_SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)))
}

fn req() -> TokenRequest {
    TokenRequest::new("alice")
        .room("my-room")
        .ttl(Duration::from_secs(600))
}

fn lk_token(exp_ttl: u64) -> String {
    lk().encode(
        &ClaimGrants::new("alice").with_video(VideoGrant::join("my-room")),
        NOW,
        Duration::from_secs(exp_ttl),
    )
    .unwrap()
    .into_string()
}

fn lk_verifier() -> LiveKitVerifier {
    LiveKitVerifier::new(LK_KEY, LK_SECRET).unwrap()
}

fn b64url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn ag_token() -> String {
    let h = Duration::from_secs(3600);
    ag().rtc_token_with_uid("my-channel", 42, RtcRole::Publisher, h, h)
        .unwrap()
        .into_string()
}

fn z_token(mode: Mode) -> String {
    zg().with_mode(mode)
        .token("user1", Duration::from_secs(3600), &Payload::Identity)
        .unwrap()
        .into_string()
}

fn z_bin(token: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(&token[2..])
        .unwrap()
}

fn z_enc(bin: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "04{}",
        base64::engine::general_purpose::STANDARD.encode(bin)
    )
}

const V006: &str = "006970CA35de60c44645bbae8a215061b33IACMv3I+fsRSejxy6luEwzA/1t/zbEHWfJCJ5m8ssFP/fLdIfRBXoFHlIgABAAAAR/QQAAQAAQCvKDdWAgCvKDdWAwCvKDdWBACvKDdW";

// ---------------------------------------------------------------- K: credentials

#[test]
fn row_k01() {
    lib(
        "K01",
        "`LiveKitMinter::new` api key",
        "`\"\"`",
        LiveKitMinter::new("", LK_SECRET),
    );
}
#[test]
fn row_k02() {
    lib(
        "K02",
        "`LiveKitMinter::new` api secret",
        "`\"\"`",
        LiveKitMinter::new(LK_KEY, ""),
    );
}
#[test]
fn row_k03() {
    lib(
        "K03",
        "`LiveKitVerifier::with_key` api key",
        "a key already added",
        lk_verifier().with_key(LK_KEY, "other"),
    );
}
#[test]
fn row_k04() {
    lib(
        "K04",
        "`LiveKitVerifier::new` api secret",
        "`\"\"`",
        LiveKitVerifier::new(LK_KEY, ""),
    );
}
#[test]
fn row_k05() {
    lib(
        "K05",
        "`AgoraMinter::new` app id",
        "31 characters",
        AgoraMinter::new(&AG_APP_ID[1..], AG_CERT),
    );
}
#[test]
fn row_k06() {
    lib(
        "K06",
        "`AgoraMinter::new` app id",
        "32 characters, not hex",
        AgoraMinter::new("g70CA35de60c44645bbae8a215061b33", AG_CERT),
    );
}
#[test]
fn row_k07() {
    lib(
        "K07",
        "`AgoraMinter::new` app certificate",
        "20 characters",
        AgoraMinter::new(AG_APP_ID, &AG_CERT[..20]),
    );
}
#[test]
fn row_k08() {
    lib(
        "K08",
        "`AgoraMinter::new` app certificate",
        "32 characters, 5th not hex",
        AgoraMinter::new(AG_APP_ID, "5CFdzfd1755d40ecb72977518be15d3b"),
    );
}
#[test]
fn row_k09() {
    lib(
        "K09",
        "`agora::verify` / `AccessToken2::verify_str` app certificate",
        "not 32 hex characters",
        agora::AgoraVerifier::new("secret").and_then(|v| v.verify_at(&ag_token(), NOW)),
    );
}
#[test]
fn row_k10() {
    lib(
        "K10",
        "`ZegoMinter::new` app id",
        "`0`",
        ZegoMinter::new(0, Z_SECRET),
    );
}
#[test]
fn row_k11() {
    lib(
        "K11",
        "`ZegoMinter::new` / `ZegoVerifier::new` server secret",
        "31 characters",
        ZegoMinter::new(Z_APP_ID, &Z_SECRET[1..]),
    );
}
#[test]
fn row_k12() {
    lib(
        "K12",
        "`ZegoMinter::new` / `ZegoVerifier::new` server secret",
        "non-ASCII",
        ZegoVerifier::new("ééééééééééééééé"),
    );
}
#[test]
fn row_k13() {
    lib(
        "K13",
        "`zego::decode` / `decode_any` server secret",
        "not 32 characters",
        rtcmint::decode_any(&z_token(Mode::Cbc), Some("short")),
    );
}

// ---------------------------------------------------------------- R: neutral request fields

#[test]
fn row_r01() {
    lib(
        "R01",
        "LiveKit `identity`",
        "`\"\"`",
        lk().mint(&TokenRequest::new("")),
    );
}
#[test]
fn row_r02() {
    lib(
        "R02",
        "Agora `identity`",
        "`\"\"`",
        ag().mint(&TokenRequest::new("").room("r")),
    );
}
#[test]
fn row_r03() {
    lib(
        "R03",
        "ZEGO `identity`",
        "`\"\"`",
        zg().mint(&TokenRequest::new("")),
    );
}
#[test]
fn row_r04() {
    lib(
        "R04",
        "LiveKit `identity`",
        "257 bytes",
        lk().mint(&TokenRequest::new("a".repeat(257))),
    );
}
#[test]
fn row_r05() {
    lib(
        "R05",
        "ZEGO `identity`",
        "65 bytes",
        zg().mint(&TokenRequest::new("a".repeat(65))),
    );
}
#[test]
fn row_r06() {
    lib(
        "R06",
        "Agora `identity`",
        "65536 bytes",
        ag().mint(&TokenRequest::new("a".repeat(65_536)).room("r")),
    );
}
#[test]
fn row_r07() {
    lib(
        "R07",
        "LiveKit `ttl`",
        "0 s",
        lk().mint(&req().ttl(Duration::ZERO)),
    );
}
#[test]
fn row_r08() {
    lib(
        "R08",
        "Agora `ttl`",
        "0 s",
        ag().mint(&req().ttl(Duration::ZERO)),
    );
}
#[test]
fn row_r09() {
    lib(
        "R09",
        "ZEGO `ttl`",
        "0 s",
        zg().mint(&req().ttl(Duration::ZERO)),
    );
}
#[test]
fn row_r10() {
    lib(
        "R10",
        "Agora `ttl`",
        "86401 s (over 24 h)",
        ag().mint(&req().ttl(Duration::from_secs(86_401))),
    );
}
#[test]
fn row_r11() {
    lib(
        "R11",
        "LiveKit `ttl` + `issued_at`",
        "`issued_at = i64::MAX`",
        lk().mint(&req().issued_at(i64::MAX)),
    );
}
#[test]
fn row_r12() {
    lib(
        "R12",
        "ZEGO `ttl` + `issued_at`",
        "`issued_at = i64::MAX`",
        zg().mint(&TokenRequest::new("u").issued_at(i64::MAX)),
    );
}
#[test]
fn row_r13() {
    lib(
        "R13",
        "Agora `issued_at`",
        "`-1` (outside u32)",
        ag().mint(&req().issued_at(-1)),
    );
}
#[test]
fn row_r14() {
    lib(
        "R14",
        "Agora `room`",
        "missing",
        ag().mint(&TokenRequest::new("alice")),
    );
}
#[test]
fn row_r15() {
    lib(
        "R15",
        "Agora `room`",
        "65536 bytes",
        ag().mint(&TokenRequest::new("a").room("r".repeat(65_536))),
    );
}
#[test]
fn row_r16() {
    lib(
        "R16",
        "LiveKit `room`",
        "257 bytes",
        lk().mint(&TokenRequest::new("a").room("r".repeat(257))),
    );
}
#[test]
fn row_r17() {
    lib(
        "R17",
        "LiveKit `display_name`",
        "257 bytes",
        lk().mint(&req().display_name("n".repeat(257))),
    );
}
#[test]
fn row_r18() {
    let mut m = serde_json::Map::new();
    m.insert(
        "k".into(),
        serde_json::Value::String("v".repeat(512 * 1024)),
    );
    lib(
        "R18",
        "LiveKit `metadata`",
        "over 512 KiB as JSON",
        lk().mint(&req().metadata(m)),
    );
}
#[test]
fn row_r19() {
    lib(
        "R19",
        "Agora `display_name`",
        "any",
        ag().mint(&req().display_name("Alice")),
    );
}
#[test]
fn row_r20() {
    lib(
        "R20",
        "Agora `metadata`",
        "any",
        ag().mint(&req().metadata(serde_json::Map::new())),
    );
}
#[test]
fn row_r21() {
    lib(
        "R21",
        "Agora `is_admin`",
        "`true`",
        ag().mint(&req().admin(true)),
    );
}
#[test]
fn row_r22() {
    lib(
        "R22",
        "Agora `can_subscribe`",
        "`false`",
        ag().mint(&req().can_subscribe(false)),
    );
}
#[test]
fn row_r23() {
    lib(
        "R23",
        "ZEGO `display_name`",
        "any",
        zg().mint(&req().display_name("Alice")),
    );
}
#[test]
fn row_r24() {
    lib(
        "R24",
        "ZEGO `metadata`",
        "any",
        zg().mint(&req().metadata(serde_json::Map::new())),
    );
}
#[test]
fn row_r25() {
    lib(
        "R25",
        "ZEGO `is_admin`",
        "`true`",
        zg().mint(&req().admin(true)),
    );
}
#[test]
fn row_r26() {
    lib(
        "R26",
        "ZEGO `can_subscribe`",
        "`false`",
        zg().mint(&req().can_subscribe(false)),
    );
}
#[test]
fn row_r27() {
    lib(
        "R27",
        "ZEGO `can_publish_data`",
        "`false`",
        zg().mint(&req().can_publish_data(false)),
    );
}

// ---------------------------------------------------------------- G: vendor-specific inputs

#[test]
fn row_g01() {
    lib(
        "G01",
        "LiveKit grants `kind`",
        "`\"robot\"`",
        lk().encode(
            &ClaimGrants::new("a").with_kind("robot"),
            NOW,
            std::time::Duration::from_secs(600),
        ),
    );
}
#[test]
fn row_g02() {
    let v = VideoGrant {
        can_publish_sources: vec!["webcam".into()],
        ..VideoGrant::join("r")
    };
    lib(
        "G02",
        "LiveKit grants `video.canPublishSources`",
        "`\"webcam\"`",
        lk().encode(
            &ClaimGrants::new("a").with_video(v),
            NOW,
            std::time::Duration::from_secs(600),
        ),
    );
}
#[test]
fn row_g03() {
    lib(
        "G03",
        "LiveKit grants identity with `roomJoin`",
        "`\"\"`",
        lk().encode(
            &ClaimGrants::new("").with_video(VideoGrant::join("r")),
            NOW,
            std::time::Duration::from_secs(600),
        ),
    );
}
#[test]
fn row_g04() {
    lib(
        "G04",
        "LiveKit grants `attributes`",
        "over 64 KiB in total",
        lk().encode(
            &ClaimGrants::new("a").with_attribute("k", "v".repeat(64 * 1024)),
            NOW,
            std::time::Duration::from_secs(600),
        ),
    );
}
#[test]
fn row_g05() {
    let v = VideoGrant {
        destination_room: "d".repeat(257),
        ..VideoGrant::join("r")
    };
    lib(
        "G05",
        "LiveKit grants `video.destinationRoom`",
        "257 bytes",
        lk().encode(
            &ClaimGrants::new("a").with_video(v),
            NOW,
            std::time::Duration::from_secs(600),
        ),
    );
}
#[test]
fn row_g06() {
    let g = ClaimGrants {
        room_config: Some(RoomConfiguration {
            name: "n".repeat(257),
            ..RoomConfiguration::default()
        }),
        ..ClaimGrants::new("a")
    };
    lib(
        "G06",
        "LiveKit grants `roomConfig.name`",
        "257 bytes",
        lk().encode(&g, NOW, std::time::Duration::from_secs(600)),
    );
}
#[test]
fn row_g07() {
    lib(
        "G07",
        "`LiveKitMinter::encode` ttl",
        "`0`",
        lk().encode(
            &ClaimGrants::new("a"),
            NOW,
            std::time::Duration::from_secs(0),
        ),
    );
}
#[test]
fn row_g08() {
    lib(
        "G08",
        "LiveKit `--grant-json` / `ClaimGrants::from_json`",
        "`{\"video\":{\"roomJoin\":\"yes\"}}`",
        ClaimGrants::from_json(r#"{"video":{"roomJoin":"yes"}}"#),
    );
}
#[test]
fn row_g09() {
    lib(
        "G09",
        "`AgoraMinter` builder expiry",
        "25 h",
        ag().rtc_token_with_uid(
            "c",
            1,
            RtcRole::Publisher,
            Duration::from_secs(90_000),
            Duration::from_secs(60),
        ),
    );
}
#[test]
fn row_g10() {
    lib(
        "G10",
        "`AccessToken2::encode` services",
        "none",
        AccessToken2::new(AG_APP_ID, 1, 600, 1).encode(AG_CERT),
    );
}
#[test]
fn row_g11() {
    let p = Payload::Identity;
    let inputs = MintInputs::new("u", NOW, 3600, 1, b"0123456789ab").payload(&p);
    lib(
        "G11",
        "`ZegoMinter::encode_into` IV",
        "12 bytes in CBC mode",
        zg().encode_into(&inputs, &mut String::new()),
    );
}
#[test]
fn row_g12() {
    let inputs = MintInputs::new("u", NOW, 0, 1, b"0123456789abcdef");
    lib(
        "G12",
        "`ZegoMinter::encode_into` effective time",
        "`0`",
        zg().encode_into(&inputs, &mut String::new()),
    );
}
#[test]
fn row_g13() {
    lib(
        "G13",
        "ZEGO `Payload::raw_json`",
        "`hello`",
        Payload::raw_json("hello"),
    );
}
#[test]
fn row_g14() {
    let p = Payload::Raw("x".repeat(70_000));
    lib(
        "G14",
        "ZEGO payload",
        "70000 bytes (ciphertext over 65535)",
        zg().token("u", std::time::Duration::from_secs(60), &p),
    );
}
#[test]
fn row_g15() {
    lib(
        "G15",
        "`rtcmint::parse_duration` (`ttl` strings, `--valid-for`)",
        "`1.5h`",
        rtcmint::parse_duration("1.5h"),
    );
}
#[test]
fn row_g16() {
    lib(
        "G16",
        "`rtcmint::parse_duration`",
        "`\"\"`",
        rtcmint::parse_duration(""),
    );
}
#[test]
fn row_g17() {
    lib(
        "G17",
        "`rtcmint::parse_duration`",
        "`99999999999999999999d`",
        rtcmint::parse_duration("99999999999999999999d"),
    );
}

// ---------------------------------------------------------------- T: LiveKit tokens

#[test]
fn row_t01() {
    lib(
        "T01",
        "LiveKit token",
        "`\"\"`",
        lk_verifier().verify_at("", NOW),
    );
}
#[test]
fn row_t02() {
    lib(
        "T02",
        "LiveKit token",
        "two segments",
        lk_verifier().verify_at("eyJa.eyJb", NOW),
    );
}
#[test]
fn row_t03() {
    lib(
        "T03",
        "LiveKit token",
        "four segments",
        lk_verifier().verify_at("eyJa.b.c.d", NOW),
    );
}
#[test]
fn row_t04() {
    lib(
        "T04",
        "LiveKit token",
        "header not base64url",
        lk_verifier().verify_at("ey!J.e30.c2ln", NOW),
    );
}
#[test]
fn row_t05() {
    let t = format!(
        "{}.{}.sig",
        b64url(r#"{"alg":"none"}"#),
        b64url(r#"{"exp":1}"#)
    );
    lib(
        "T05",
        "LiveKit token",
        "`alg` `none`",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t06() {
    let t = format!(
        "{}.{}.sig",
        b64url(r#"{"alg":"HS256"}"#),
        b64url(r#"{"iss":"APIkey"}"#)
    );
    lib(
        "T06",
        "LiveKit token",
        "no `exp`",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t07() {
    let t = format!(
        "{}.{}.sig",
        b64url(r#"{"alg":"HS256","crit":["b64"]}"#),
        b64url(r#"{"exp":1}"#)
    );
    lib(
        "T07",
        "LiveKit token",
        "`crit` header",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t08() {
    let t = format!(
        "{}.{}.sig",
        b64url(r#"{"alg":"HS256"}"#),
        b64url(r#"{"exp":"soon"}"#)
    );
    lib(
        "T08",
        "LiveKit token",
        "`exp` not a number",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t09() {
    let t = format!(
        "{}.{}.sig",
        b64url(r#"{"alg":"HS256"}"#),
        b64url(r#"{"exp":1}"#)
    );
    lib(
        "T09",
        "LiveKit token",
        "no `iss`",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t10() {
    let v = LiveKitVerifier::new("APIother", LK_SECRET).unwrap();
    lib(
        "T10",
        "LiveKit token",
        "`iss` unknown to the verifier",
        v.verify_at(&lk_token(600), NOW),
    );
}
#[test]
fn row_t11() {
    let v = LiveKitVerifier::new(LK_KEY, "another-secret-of-32-characters!!").unwrap();
    lib(
        "T11",
        "LiveKit token",
        "signed with another secret",
        v.verify_at(&lk_token(600), NOW),
    );
}
#[test]
fn row_t12() {
    lib(
        "T12",
        "LiveKit token",
        "expired (beyond the 60 s leeway)",
        lk_verifier().verify_at(&lk_token(600), NOW + 661),
    );
}
#[test]
fn row_t13() {
    lib(
        "T13",
        "LiveKit token",
        "`nbf` in the future (beyond the leeway)",
        lk_verifier().verify_at(&lk_token(600), NOW - 61),
    );
}
#[test]
fn row_t14() {
    let t = format!("eyJ{}", "a".repeat(1 << 20));
    lib(
        "T14",
        "LiveKit token",
        "over 1 MiB",
        lk_verifier().verify_at(&t, NOW),
    );
}
#[test]
fn row_t15() {
    let t = lk_token(600);
    let (signed, _) = t.rsplit_once('.').unwrap();
    let bad = format!("{signed}.{}!", &"A".repeat(42));
    lib(
        "T15",
        "LiveKit token",
        "signature not base64url",
        lk_verifier().verify_at(&bad, NOW),
    );
}

// ---------------------------------------------------------------- A: Agora tokens

#[test]
fn row_a01() {
    lib(
        "A01",
        "Agora token (`verify_at`, `decode`)",
        "`008…`",
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at("008abc", NOW)),
    );
}
#[test]
fn row_a02() {
    lib(
        "A02",
        "Agora 007 token",
        "bad base64",
        agora::decode("007!!!!"),
    );
}
#[test]
fn row_a03() {
    lib(
        "A03",
        "Agora 007 token",
        "base64 of non-zlib bytes",
        agora::decode("007AAAAAAAA"),
    );
}
#[test]
fn row_a04() {
    // zlib stored block of 3 bytes: a payload too short for the signature length prefix.
    lib(
        "A04",
        "Agora 007 token",
        "truncated payload",
        agora::decode("007eAEBAQD+/wAAAQAB"),
    );
}
#[test]
fn row_a05() {
    lib(
        "A05",
        "Agora 007 token",
        "signed with another certificate",
        agora::AgoraVerifier::new(AG_OTHER_CERT).and_then(|v| v.verify_at(&ag_token(), NOW)),
    );
}
#[test]
fn row_a06() {
    lib(
        "A06",
        "Agora 007 token",
        "another app id than expected",
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| {
            v.with_expected_app_id("0123456789abcdef0123456789abcdef")
                .verify_at(&ag_token(), NOW)
        }),
    );
}
#[test]
fn row_a07() {
    lib(
        "A07",
        "Agora 007 token",
        "expired",
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(&ag_token(), NOW + 3600)),
    );
}
#[test]
fn row_a08() {
    lib(
        "A08",
        "Agora token given to the 007 verifier",
        "a 006 token",
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(V006, NOW)),
    );
}
#[test]
fn row_a09() {
    lib(
        "A09",
        "Agora 006 token",
        "wrong channel",
        agora::AgoraVerifier::new(AG_CERT)
            .and_then(|v| v.verify_006_at(V006, "other", "2882341273", 1_024_711)),
    );
}
#[test]
fn row_a10() {
    lib(
        "A10",
        "Agora 006 token",
        "app id cut short",
        agora::decode("006970CA35de60c"),
    );
}
#[test]
fn row_a11() {
    lib(
        "A11",
        "Agora 006 token",
        "bad base64 after the app id",
        agora::decode(&format!("{}!!", &V006[..35])),
    );
}
#[test]
fn row_a12() {
    lib(
        "A12",
        "Agora 006 token",
        "expired",
        agora::AgoraVerifier::new(AG_CERT).and_then(|v| {
            v.verify_006_at(
                V006,
                "7d72365eb983485397e3e3f9d460bdda",
                "2882341273",
                1_111_111,
            )
        }),
    );
}

// ---------------------------------------------------------------- Z: ZEGO tokens

fn zv() -> ZegoVerifier {
    ZegoVerifier::new(Z_SECRET).unwrap()
}

#[test]
fn row_z01() {
    lib("Z01", "ZEGO token", "`\"\"`", zv().decode(""));
}
#[test]
fn row_z02() {
    lib(
        "Z02",
        "ZEGO token",
        "`03…` (token03)",
        zv().decode("03AAAA"),
    );
}
#[test]
fn row_z03() {
    lib("Z03", "ZEGO token", "other prefix", zv().decode("05AAAA"));
}
#[test]
fn row_z04() {
    lib("Z04", "ZEGO token", "`04` alone", zv().decode("04"));
}
#[test]
fn row_z05() {
    lib(
        "Z05",
        "ZEGO token",
        "URL-safe base64",
        zv().decode("04AA-_"),
    );
}
#[test]
fn row_z06() {
    lib(
        "Z06",
        "ZEGO token",
        "3-byte container",
        zv().decode("04AAAA"),
    );
}
#[test]
fn row_z07() {
    let mut b = z_bin(&z_token(Mode::Gcm));
    *b.last_mut().unwrap() = 2;
    lib(
        "Z07",
        "ZEGO token",
        "mode byte `2`",
        zv().decode(&z_enc(&b)),
    );
}
#[test]
fn row_z08() {
    let mut b = z_bin(&z_token(Mode::Cbc));
    b.push(0);
    b.push(0);
    lib(
        "Z08",
        "ZEGO token",
        "bytes after the ciphertext",
        zv().decode(&z_enc(&b)),
    );
}
#[test]
fn row_z09() {
    let mut b = z_bin(&z_token(Mode::Cbc));
    b[8..10].copy_from_slice(&12u16.to_be_bytes());
    b.drain(22..26);
    lib(
        "Z09",
        "ZEGO token",
        "CBC container with a 12-byte IV",
        zv().decode(&z_enc(&b)),
    );
}
#[test]
fn row_z10() {
    let mut b = z_bin(&z_token(Mode::Cbc));
    b[7] ^= 1;
    lib(
        "Z10",
        "ZEGO token",
        "outer expire altered",
        zv().decode(&z_enc(&b)),
    );
}
#[test]
fn row_z11() {
    let v = ZegoVerifier::new("00000000000000000000000000000000").unwrap();
    lib(
        "Z11",
        "ZEGO CBC token",
        "another server secret",
        v.decode(&z_token(Mode::Cbc)),
    );
}
#[test]
fn row_z12() {
    let mut b = z_bin(&z_token(Mode::Gcm));
    let n = b.len();
    b[n - 5] ^= 1;
    lib(
        "Z12",
        "ZEGO GCM token",
        "one ciphertext bit flipped",
        zv().decode(&z_enc(&b)),
    );
}
#[test]
fn row_z13() {
    lib(
        "Z13",
        "ZEGO token",
        "another app id than expected",
        zv().with_expected_app_id(1).decode(&z_token(Mode::Cbc)),
    );
}
#[test]
fn row_z14() {
    lib(
        "Z14",
        "ZEGO token",
        "expired",
        zv().verify_at(&z_token(Mode::Gcm), NOW + 3601),
    );
}

// ---------------------------------------------------------------- D: vendor detection

#[test]
fn row_d01() {
    lib(
        "D01",
        "`decode_any` token",
        "`hello`",
        rtcmint::decode_any("hello", None),
    );
}
#[test]
fn row_d02() {
    lib(
        "D02",
        "`decode_any` token",
        "` 007…` (leading space)",
        rtcmint::decode_any(&format!(" {}", ag_token()), None),
    );
}

// ---------------------------------------------------------------- B: batch request lines

#[test]
fn row_b01() {
    lib("B01", "batch line", "`garbage`", parse_line("garbage"));
}
#[test]
fn row_b02() {
    lib("B02", "batch line", "JSON array", parse_line("[]"));
}
#[test]
fn row_b03() {
    lib(
        "B03",
        "batch line",
        "no `identity`",
        parse_line(r#"{"vendor":"livekit"}"#),
    );
}
#[test]
fn row_b04() {
    lib(
        "B04",
        "batch line `vendor`",
        "`twilio`",
        parse_line(r#"{"vendor":"twilio","identity":"a"}"#),
    );
}
#[test]
fn row_b05() {
    lib(
        "B05",
        "batch line",
        "unknown field `roomm`",
        parse_line(r#"{"vendor":"livekit","identity":"a","roomm":"r"}"#),
    );
}
#[test]
fn row_b06() {
    lib(
        "B06",
        "batch line `ttl`",
        "`\"forever\"`",
        parse_line(r#"{"vendor":"livekit","identity":"a","ttl":"forever"}"#),
    );
}
#[test]
fn row_b07() {
    lib(
        "B07",
        "batch line `ttl`",
        "`-1`",
        parse_line(r#"{"vendor":"livekit","identity":"a","ttl":-1}"#),
    );
}
#[test]
fn row_b08() {
    lib(
        "B08",
        "batch line `metadata`",
        "a string",
        parse_line(r#"{"vendor":"livekit","identity":"a","metadata":"x"}"#),
    );
}
#[test]
fn row_b09() {
    // The record written for a vendor without credentials carries this error's message.
    let set = MinterSet::new();
    let mut out = Vec::new();
    set.process_line(1, r#"{"vendor":"agora","identity":"a"}"#, &mut out);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let msg = v["error"].as_str().unwrap().to_owned();
    let e = Error::InvalidInput {
        what: "batch request",
        reason: msg.into(),
    };
    lib::<()>(
        "B09",
        "batch line `vendor`",
        "a vendor without credentials",
        Err(e),
    );
}

// ---------------------------------------------------------------- C: CLI (LiveKit, decode, verify, batch)

fn write_tmp(name: &str, content: &str) -> String {
    let dir = std::env::temp_dir().join(format!("rtcmint-sec-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_str().unwrap().to_owned()
}

const LK_MINT: &[&str] = &["livekit", "mint", "--identity", "a", "--room", "r"];

fn lk_mint_with(extra: &[&str]) -> Vec<String> {
    LK_MINT
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect()
}

#[track_caller]
fn cli_s(id: &str, input: &str, bad: &str, c: Command, args: &[String]) {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(id, input, bad, c, &a);
}

#[test]
fn row_c01() {
    cli(
        "C01",
        "`livekit mint` credentials",
        "none",
        rtcmint(),
        LK_MINT,
    );
}
#[test]
fn row_c02() {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY);
    cli(
        "C02",
        "`livekit mint` secret",
        "key without secret",
        c,
        LK_MINT,
    );
}
#[test]
fn row_c03() {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET_FILE", "/nonexistent/rtcmint-secret");
    cli(
        "C03",
        "`LIVEKIT_API_SECRET_FILE`",
        "missing file",
        c,
        LK_MINT,
    );
}
#[test]
fn row_c04() {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", "");
    cli("C04", "`LIVEKIT_API_SECRET`", "`\"\"`", c, LK_MINT);
}
#[test]
fn row_c05() {
    cli_s(
        "C05",
        "`livekit mint --valid-for`",
        "`forever`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--valid-for", "forever"]),
    );
}
#[test]
fn row_c06() {
    cli_s(
        "C06",
        "`livekit mint --valid-for`",
        "`0`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--valid-for", "0"]),
    );
}
#[test]
fn row_c07() {
    cli_s(
        "C07",
        "`livekit mint --now`",
        "`yesterday`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--now", "yesterday"]),
    );
}
#[test]
fn row_c08() {
    cli_s(
        "C08",
        "`livekit mint --kind`",
        "`robot`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--kind", "robot"]),
    );
}
#[test]
fn row_c09() {
    cli_s(
        "C09",
        "`livekit mint --grant-json`",
        "`{not json`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--grant-json", "{not json"]),
    );
}
#[test]
fn row_c10() {
    cli_s(
        "C10",
        "`livekit mint --attribute`",
        "`novalue`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--attribute", "novalue"]),
    );
}
#[test]
fn row_c11() {
    cli_s(
        "C11",
        "`livekit mint --can-publish-sources`",
        "`webcam`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--can-publish-sources", "webcam"]),
    );
}
#[test]
fn row_c12() {
    cli_s(
        "C12",
        "`livekit mint --room-config`",
        "`{\"name\":5}`",
        with_livekit(rtcmint()),
        &lk_mint_with(&["--room-config", r#"{"name":5}"#]),
    );
}
#[test]
fn row_c13() {
    cli(
        "C13",
        "`decode` token",
        "`hello`",
        rtcmint(),
        &["decode", "hello"],
    );
}
#[test]
fn row_c14() {
    cli(
        "C14",
        "`decode` token",
        "blank",
        rtcmint(),
        &["decode", "  "],
    );
}
#[test]
fn row_c15() {
    cli(
        "C15",
        "`decode` token",
        "malformed JWT",
        rtcmint(),
        &["decode", "eyJa.b.c"],
    );
}
#[test]
fn row_c16() {
    let t = lk_token(600);
    cli(
        "C16",
        "`verify` LiveKit credentials",
        "none",
        rtcmint(),
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_c17() {
    let t = lk_token(600);
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", "another-secret-of-32-characters!!");
    cli(
        "C17",
        "`verify` LiveKit token",
        "another secret",
        c,
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_c18() {
    let t = lk_token(600);
    cli(
        "C18",
        "`verify` LiveKit token",
        "expired",
        with_livekit(rtcmint()),
        &["verify", &t, "--now", "1767229999"],
    );
}
#[test]
fn row_c19() {
    let t = lk_token(600);
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET", "another-secret-of-32-characters!!");
    cli(
        "C19",
        "`verify --json` LiveKit token",
        "another secret",
        c,
        &["verify", &t, "--now", "1767225601", "--json"],
    );
}
#[test]
fn row_c20() {
    cli(
        "C20",
        "`verify` token",
        "malformed JWT",
        with_livekit(rtcmint()),
        &["verify", "eyJa.b.c", "--now", "1767225601"],
    );
}
#[test]
fn row_c21() {
    cli(
        "C21",
        "`verify --now`",
        "`soon`",
        with_livekit(rtcmint()),
        &["verify", "eyJa.b.c", "--now", "soon"],
    );
}
#[test]
fn row_c22() {
    let input = write_tmp("c22.jsonl", "{\"vendor\":\"livekit\",\"identity\":\"a\"}\n");
    cli(
        "C22",
        "`batch` credentials",
        "none",
        rtcmint(),
        &["batch", "--input", &input],
    );
}
#[test]
fn row_c23() {
    let input = write_tmp("c23.jsonl", "garbage\n");
    cli_record(
        "C23",
        "`batch` line",
        "`garbage`",
        with_livekit(rtcmint()),
        &["batch", "--input", &input],
    );
}
#[test]
fn row_c24() {
    cli(
        "C24",
        "`batch --input`",
        "missing file",
        with_livekit(rtcmint()),
        &["batch", "--input", "/nonexistent/rtcmint-input.jsonl"],
    );
}
#[test]
fn row_c25() {
    cli(
        "C25",
        "`rtcmint` subcommand",
        "`twilio`",
        rtcmint(),
        &["twilio"],
    );
}

// ---------------------------------------------------------------- CA: CLI, Agora

const AG_MINT: &[&str] = &["agora", "mint", "--channel", "c", "--uid", "42"];

fn ag_mint_with(extra: &[&str]) -> Vec<String> {
    AG_MINT
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn row_ca01() {
    cli(
        "CA01",
        "`agora mint` credentials",
        "none",
        rtcmint(),
        AG_MINT,
    );
}
#[test]
fn row_ca02() {
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", AG_APP_ID)
        .env("AGORA_APP_CERTIFICATE", "not-a-certificate");
    cli("CA02", "`AGORA_APP_CERTIFICATE`", "not 32 hex", c, AG_MINT);
}
#[test]
fn row_ca03() {
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", "my-app")
        .env("AGORA_APP_CERTIFICATE", AG_CERT);
    cli("CA03", "`AGORA_APP_ID`", "`my-app`", c, AG_MINT);
}
#[test]
fn row_ca04() {
    cli_s(
        "CA04",
        "`agora mint --valid-for`",
        "`25h`",
        with_agora(rtcmint()),
        &ag_mint_with(&["--valid-for", "25h"]),
    );
}
#[test]
fn row_ca05() {
    cli(
        "CA05",
        "`agora mint --channel`",
        "missing",
        with_agora(rtcmint()),
        &["agora", "mint", "--uid", "1"],
    );
}
#[test]
fn row_ca06() {
    cli_s(
        "CA06",
        "`agora mint --uid`",
        "`-1`",
        with_agora(rtcmint()),
        &["agora", "mint", "--channel", "c", "--uid", "-1"].map(str::to_owned),
    );
}
#[test]
fn row_ca07() {
    cli_s(
        "CA07",
        "`agora mint --issued-at`",
        "`-5` (outside u32)",
        with_agora(rtcmint()),
        &ag_mint_with(&["--issued-at=-5"]),
    );
}
#[test]
fn row_ca08() {
    cli_s(
        "CA08",
        "`agora mint --rtm2-permission`",
        "`bogus`",
        with_agora(rtcmint()),
        &[
            "agora",
            "mint",
            "--kind",
            "rtm2",
            "--user-id",
            "u",
            "--rtm2-permission",
            "bogus",
        ]
        .map(str::to_owned),
    );
}
#[test]
fn row_ca09() {
    cli_s(
        "CA09",
        "`agora mint --privilege`",
        "`fly=1h`",
        with_agora(rtcmint()),
        &ag_mint_with(&["--privilege", "fly=1h"]),
    );
}
#[test]
fn row_ca10() {
    let t = ag_token();
    let mut c = rtcmint();
    c.env("AGORA_APP_CERTIFICATE", AG_OTHER_CERT);
    cli(
        "CA10",
        "`verify` Agora token",
        "another certificate",
        c,
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_ca11() {
    let t = ag_token();
    cli(
        "CA11",
        "`verify` Agora credentials",
        "none",
        rtcmint(),
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_ca12() {
    cli(
        "CA12",
        "`verify` Agora 006 token",
        "no `--channel`",
        with_agora(rtcmint()),
        &["verify", V006, "--now", "1024711"],
    );
}
#[test]
fn row_ca13() {
    let input = write_tmp("ca13.jsonl", "{\"vendor\":\"agora\",\"identity\":\"a\"}\n");
    let mut c = rtcmint();
    c.env("AGORA_APP_ID", AG_APP_ID);
    cli(
        "CA13",
        "`batch` Agora credentials",
        "app id without certificate",
        c,
        &["batch", "--input", &input],
    );
}

// ---------------------------------------------------------------- CZ: CLI, ZEGO

const Z_MINT: &[&str] = &["zego", "mint", "--user-id", "u"];

fn z_mint_with(extra: &[&str]) -> Vec<String> {
    Z_MINT
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn row_cz01() {
    cli("CZ01", "`zego mint` credentials", "none", rtcmint(), Z_MINT);
}
#[test]
fn row_cz02() {
    let mut c = rtcmint();
    c.env("ZEGO_APP_ID", "abc")
        .env("ZEGO_SERVER_SECRET", Z_SECRET);
    cli("CZ02", "`ZEGO_APP_ID`", "`abc`", c, Z_MINT);
}
#[test]
fn row_cz03() {
    let mut c = rtcmint();
    c.env("ZEGO_APP_ID", "0")
        .env("ZEGO_SERVER_SECRET", Z_SECRET);
    cli("CZ03", "`ZEGO_APP_ID`", "`0`", c, Z_MINT);
}
#[test]
fn row_cz04() {
    let mut c = rtcmint();
    c.env("ZEGO_APP_ID", "1").env("ZEGO_SERVER_SECRET", "short");
    cli("CZ04", "`ZEGO_SERVER_SECRET`", "5 characters", c, Z_MINT);
}
#[test]
fn row_cz05() {
    cli_s(
        "CZ05",
        "`zego mint --iv`",
        "`xyz`",
        with_zego(rtcmint()),
        &z_mint_with(&["--iv", "xyz"]),
    );
}
#[test]
fn row_cz06() {
    cli_s(
        "CZ06",
        "`zego mint --iv`",
        "12 bytes in CBC mode",
        with_zego(rtcmint()),
        &z_mint_with(&["--iv", "303132333435363738396162"]),
    );
}
#[test]
fn row_cz07() {
    cli_s(
        "CZ07",
        "`zego mint --payload`",
        "`hello` (not JSON)",
        with_zego(rtcmint()),
        &z_mint_with(&["--payload", "hello"]),
    );
}
#[test]
fn row_cz08() {
    cli_s(
        "CZ08",
        "`zego mint --stream-id`",
        "without `--room`",
        with_zego(rtcmint()),
        &z_mint_with(&["--stream-id", "s1"]),
    );
}
#[test]
fn row_cz09() {
    cli_s(
        "CZ09",
        "`zego mint --user-id`",
        "65 bytes",
        with_zego(rtcmint()),
        &["zego", "mint", "--user-id", &"u".repeat(65)].map(str::to_owned),
    );
}
#[test]
fn row_cz10() {
    let t = z_token(Mode::Cbc);
    let mut c = rtcmint();
    c.env("ZEGO_SERVER_SECRET", "00000000000000000000000000000000");
    cli(
        "CZ10",
        "`verify` ZEGO token",
        "another secret",
        c,
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_cz11() {
    let t = z_token(Mode::Cbc);
    cli(
        "CZ11",
        "`verify` ZEGO credentials",
        "none",
        rtcmint(),
        &["verify", &t, "--now", "1767225601"],
    );
}
#[test]
fn row_cz12() {
    let t = z_token(Mode::Cbc);
    let mut c = rtcmint();
    c.env("ZEGO_SERVER_SECRET", "short");
    cli(
        "CZ12",
        "`decode` ZEGO secret",
        "5 characters",
        c,
        &["decode", &t],
    );
}
#[test]
fn row_cz13() {
    let t = z_token(Mode::Gcm);
    cli(
        "CZ13",
        "`verify` ZEGO token",
        "expired",
        with_zego(rtcmint()),
        &["verify", &t, "--now", "1767299999"],
    );
}
#[test]
fn row_cz14() {
    let t = z_token(Mode::Cbc);
    let mut c = rtcmint();
    c.env("ZEGO_SERVER_SECRET", Z_SECRET)
        .env("ZEGO_APP_ID", "1");
    cli(
        "CZ14",
        "`verify` ZEGO token",
        "another app id",
        c,
        &["verify", &t, "--now", "1767225601"],
    );
}

// ---------------------------------------------------------------- M: remote API clients (feature `remote`)

/// A `remote` row: variant and exact message; no CLI command exists, so the exit column is `-`.
#[cfg(feature = "remote")]
#[track_caller]
fn remote<T: std::fmt::Debug>(
    id: &str,
    input: &str,
    bad: &str,
    r: rtcmint::remote::RemoteResult<T>,
) {
    let e = r.expect_err("a bad input must be refused");
    let debug = format!("{e:?}");
    let variant = debug.split([' ', '{', '(']).next().unwrap_or_default();
    let outcome = format!("RemoteError::{variant}");
    let message = e.to_string();
    if dumping() {
        return dump(id, input, bad, &outcome, &message, "-");
    }
    let rows = table();
    let row = rows
        .get(id)
        .unwrap_or_else(|| panic!("row {id} missing from SECURITY.md"));
    assert_eq!(row.outcome, outcome, "row {id}: variant");
    assert_eq!(row.message, message, "row {id}: message");
    assert_eq!(row.exit, "-", "row {id}: exit");
}

#[cfg(feature = "remote")]
#[test]
fn row_m01() {
    remote(
        "M01",
        "`LiveKitClient::new` base URL",
        "`not a url`",
        rtcmint::remote::LiveKitClient::new("not a url", LK_KEY, LK_SECRET),
    );
}
#[cfg(feature = "remote")]
#[test]
fn row_m02() {
    remote(
        "M02",
        "`LiveKitClient::new` base URL",
        "`ftp://host`",
        rtcmint::remote::LiveKitClient::new("ftp://host", LK_KEY, LK_SECRET),
    );
}
#[cfg(feature = "remote")]
#[test]
fn row_m03() {
    remote(
        "M03",
        "`LiveKitClient::new` api secret",
        "`\"\"`",
        rtcmint::remote::LiveKitClient::new("http://localhost:7880", LK_KEY, ""),
    );
}
#[cfg(feature = "remote")]
#[test]
fn row_m04() {
    remote(
        "M04",
        "`AgoraClient::new` customer id",
        "`\"\"`",
        rtcmint::remote::AgoraClient::new("https://api.agora.io", AG_APP_ID, "", "secret"),
    );
}
#[cfg(feature = "remote")]
#[test]
fn row_m05() {
    remote(
        "M05",
        "`ZegoClient::new` app id",
        "`0`",
        rtcmint::remote::ZegoClient::new("https://a.example", "https://b.example", 0, Z_SECRET),
    );
}
#[cfg(feature = "remote")]
#[test]
fn row_m06() {
    remote(
        "M06",
        "`ZegoClient::new` base URL",
        "`https://a.example/?x=1`",
        rtcmint::remote::ZegoClient::new(
            "https://a.example/?x=1",
            "https://b.example",
            1,
            Z_SECRET,
        ),
    );
}

// ---------------------------------------------------------------- H: CLI hardening

#[test]
fn row_h01() {
    cli(
        "H01",
        "`decode --server-secret` (any secret flag)",
        "`--g…` (hyphen-leading) and a bad extra argument",
        rtcmint(),
        &[
            "decode",
            "04AAAA",
            "--server-secret",
            "--gQz7Xq9vWk2MpL7rTn4YhB8sJd3FgK6",
            "--not-a-real-flag",
        ],
    );
}

/// The binary under `sh` with a 256 MiB address-space limit (`ulimit -v`): an unbounded read of
/// `/dev/zero` runs out of memory instead of being refused.
fn rtcmint_limited(script_args: &str) -> Command {
    let mut c = Command::new("sh");
    for var in cli_support::CREDENTIAL_VARS {
        c.env_remove(var);
    }
    c.arg("-c")
        .arg(format!("ulimit -v 262144; exec \"$0\" {script_args}"))
        .arg(env!("CARGO_BIN_EXE_rtcmint"));
    c
}

/// A scratch directory for one row (relative file names keep the messages exact).
fn scratch_dir(id: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rtcmint-row-{id}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn row_h02() {
    let dir = scratch_dir("h02");
    let big = dir.join("big-token");
    std::fs::write(&big, "eyJ".repeat(1 << 20)).unwrap();
    let mut c = rtcmint();
    c.stdin(std::fs::File::open(&big).unwrap());
    cli(
        "H02",
        "`decode -` (standard input)",
        "3 MiB",
        c,
        &["decode", "-"],
    );
}
#[test]
fn row_h03() {
    cli(
        "H03",
        "`decode -` (standard input)",
        "`/dev/zero` (256 MiB memory limit)",
        rtcmint_limited("decode - < /dev/zero"),
        &[],
    );
}
#[test]
fn row_h04() {
    use std::os::unix::ffi::OsStrExt as _;
    let mut c = rtcmint();
    c.arg("decode")
        .arg(std::ffi::OsStr::from_bytes(b"eyJ\xff\xfe.x.y"));
    cli("H04", "`decode` token argument", "invalid UTF-8", c, &[]);
}
#[test]
fn row_h05() {
    let dir = scratch_dir("h05");
    let bad = dir.join("bad-utf8");
    std::fs::write(&bad, b"eyJ\xff\xfe.x.y\n").unwrap();
    let mut c = rtcmint();
    c.stdin(std::fs::File::open(&bad).unwrap());
    cli(
        "H05",
        "`verify -` (standard input)",
        "invalid UTF-8",
        with_livekit(c),
        &["verify", "-"],
    );
}
#[test]
fn row_h06() {
    cli(
        "H06",
        "`--api-secret-file`",
        "`/dev/zero` (256 MiB memory limit)",
        rtcmint_limited("livekit mint --identity a --api-key k --api-secret-file /dev/zero"),
        &[],
    );
}
#[test]
fn row_h07() {
    let dir = scratch_dir("h07");
    std::fs::write(dir.join("empty-secret"), "\n").unwrap();
    let mut c = rtcmint();
    c.current_dir(&dir)
        .env("LIVEKIT_API_KEY", LK_KEY)
        .env("LIVEKIT_API_SECRET_FILE", "empty-secret");
    cli(
        "H07",
        "`LIVEKIT_API_SECRET_FILE`",
        "an empty file",
        c,
        &["livekit", "mint", "--identity", "a"],
    );
}
#[test]
fn row_h08() {
    let dir = scratch_dir("h08");
    std::fs::write(dir.join("empty-secret"), "").unwrap();
    let mut c = rtcmint();
    c.current_dir(&dir);
    cli(
        "H08",
        "`verify --server-secret-file`",
        "an empty file",
        c,
        &[
            "verify",
            "04AAAAAGnqkAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "--server-secret-file",
            "empty-secret",
        ],
    );
}
#[test]
fn row_h09() {
    let t = lk_token(600);
    let (signed, sig) = t.rsplit_once('.').unwrap();
    lib(
        "H09",
        "LiveKit token",
        "signature one character short",
        lk_verifier().verify_at(&format!("{signed}.{}", &sig[..42]), NOW),
    );
}
#[test]
fn row_h10() {
    // 43 characters carry 258 bits for 256: the last character's two low bits must be zero.
    // Setting one keeps the length and the alphabet but makes the encoding non-canonical.
    const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let t = lk_token(600);
    let (signed, sig) = t.rsplit_once('.').unwrap();
    let last = B64URL
        .iter()
        .position(|&c| c == sig.as_bytes()[42])
        .unwrap();
    assert_eq!(last & 3, 0);
    let bad = format!("{signed}.{}{}", &sig[..42], B64URL[last | 1] as char);
    lib(
        "H10",
        "LiveKit token",
        "signature with non-zero trailing bits",
        lk_verifier().verify_at(&bad, NOW),
    );
}
#[test]
fn row_h11() {
    cli(
        "H11",
        "`verify` Agora 006 token",
        "malformed, no `--channel`",
        with_agora(rtcmint()),
        &["verify", "006garbage"],
    );
}
