//! The bad-input table of `SECURITY.md`, run as data.
//!
//! Every row of the table has one [`Case`] here: its id, the `Input` and `Bad value` cells, and a
//! function that feeds that value to the library or the CLI and reports what came back
//! ([`Seen`]: the error variant and exact `Display` message for the library, plus the exit code
//! the CLI maps that error kind to; the exit code and first line of stderr for the CLI). One
//! runner, [`bad_input_table`], runs every case and compares all five cells with the table; it
//! collects every failing row — id, input and bad value, which cell differs, what the table says
//! and what happened — and fails once, listing them all. It also fails for a row without a case,
//! a case without a row and a duplicated id, so the table cannot drift from the code.
//!
//! To add a row: write it in SECURITY.md and add a `row(…)` to the section's `rows_*` function.
//! To run only some rows: `SECURITY_TABLE_ROWS=Z14,H01 cargo test --test security_table`.
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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rtcmint::agora::{self, AccessToken2, AgoraMinter, RtcRole};
use rtcmint::batch::{MinterSet, parse_line};
use rtcmint::livekit::{
    ClaimGrants, LiveKitMinter, LiveKitVerifier, RoomConfiguration, VideoGrant,
};
use rtcmint::webhook::{
    AgoraWebhookVerifier, LiveKitWebhookVerifier, WebhookError, ZegoWebhookVerifier,
};
use rtcmint::zego::{MintInputs, Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
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

/// One row of the table as SECURITY.md writes it (cells trimmed; code spans unquoted in the last
/// three).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    input: String,
    bad: String,
    outcome: String,
    message: String,
    exit: String,
}

const SECURITY_MD: &str = include_str!("../SECURITY.md");

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
/// message | exit |`; an id written twice is an error.
fn parse_table(md: &str) -> Result<BTreeMap<String, Row>, String> {
    let start = md
        .find("<!-- bad-input-table:start -->")
        .ok_or("no `<!-- bad-input-table:start -->` marker")?;
    let end = md
        .find("<!-- bad-input-table:end -->")
        .ok_or("no `<!-- bad-input-table:end -->` marker")?;
    let mut rows = BTreeMap::new();
    for line in md[start..end].lines() {
        let c = cells(line);
        if c.len() < 6 || c[0].trim().starts_with("--") || c[0].trim() == "Id" {
            continue;
        }
        let id = c[0].trim().to_owned();
        let row = Row {
            input: c[1].trim().to_owned(),
            bad: c[2].trim().to_owned(),
            outcome: unquote(&c[3]),
            message: unquote(&c[4]),
            exit: c[5].trim().to_owned(),
        };
        if rows.insert(id.clone(), row).is_some() {
            return Err(format!("row {id} is written twice"));
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------- cases and the runner

/// One row's test: the id, the `Input` and `Bad value` cells exactly as the table writes them,
/// and the function that feeds the bad value and reports what it got.
struct Case {
    id: &'static str,
    input: &'static str,
    bad: &'static str,
    run: fn() -> Seen,
}

fn row(id: &'static str, input: &'static str, bad: &'static str, run: fn() -> Seen) -> Case {
    Case {
        id,
        input,
        bad,
        run,
    }
}

/// What a row's bad value got, spelt as the table's `Outcome`, `Message` and `Exit` cells; for a
/// CLI row also the whole stderr, shown when the row fails.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    outcome: String,
    message: String,
    exit: String,
    stderr: String,
}

/// Every case, in table order.
fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(rows_k());
    all.extend(rows_r());
    all.extend(rows_g());
    all.extend(rows_t());
    all.extend(rows_a());
    all.extend(rows_z());
    all.extend(rows_d());
    all.extend(rows_b());
    all.extend(rows_c());
    all.extend(rows_ca());
    all.extend(rows_cz());
    #[cfg(feature = "remote")]
    all.extend(rows_m());
    all.extend(rows_h());
    all.extend(rows_w());
    all
}

/// Runs one case; a panic inside it (a broken test setup, a library panic) is that row's
/// failure, not the runner's.
fn observe(case: &Case) -> Result<Seen, String> {
    std::panic::catch_unwind(case.run).map_err(|p| {
        let text = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "(no message)".to_owned());
        format!("the case panicked: {text}")
    })
}

/// Compares one case and what it got with its table row; every differing cell is one line.
fn check(case: &Case, seen: &Result<Seen, String>, row: Option<&Row>) -> Vec<String> {
    let Some(row) = row else {
        return vec!["has a case but no row in SECURITY.md".to_owned()];
    };
    let mut diffs = Vec::new();
    let mut cell = |name: &str, table: &str, got: &str| {
        if table != got {
            diffs.push(format!("{name}: the table says `{table}`, got `{got}`"));
        }
    };
    cell("input", &row.input, case.input);
    cell("bad value", &row.bad, case.bad);
    match seen {
        Err(e) => diffs.push(e.clone()),
        Ok(seen) => {
            cell("outcome", &row.outcome, &seen.outcome);
            cell("message", &row.message, &seen.message);
            cell("exit", &row.exit, &seen.exit);
            if !diffs.is_empty() && !seen.stderr.is_empty() {
                diffs.push(format!("stderr: {}", seen.stderr.trim_end()));
            }
        }
    }
    diffs
}

/// The report of every failing row (`id (input; bad value)` then one indented line per
/// difference), or `None` when all pass.
fn report(failures: &[(String, String, Vec<String>)], total: usize) -> Option<String> {
    if failures.is_empty() {
        return None;
    }
    let mut out = format!(
        "{} of {total} rows of SECURITY.md's bad-input table fail:\n",
        failures.len()
    );
    for (id, what, diffs) in failures {
        let _ = writeln!(out, "{id} ({what}):");
        for d in diffs {
            let _ = writeln!(out, "    {d}");
        }
    }
    Some(out)
}

/// Runs the cases on a few threads (most spawn the binary); results come back in case order.
fn run_all(cases: &[&Case]) -> Vec<Result<Seen, String>> {
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<Seen, String>>>> =
        cases.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    *slots[i].lock().unwrap() = Some(observe(case));
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| s.into_inner().unwrap().expect("every case ran"))
        .collect()
}

fn code_cell(s: &str) -> String {
    let s = s.replace('|', "\\|");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[test]
fn bad_input_table() {
    let rows = parse_table(SECURITY_MD).unwrap_or_else(|e| panic!("SECURITY.md: {e}"));
    let all = cases();
    let only: Option<BTreeSet<String>> = std::env::var("SECURITY_TABLE_ROWS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_uppercase()).collect());
    let selected: Vec<&Case> = all
        .iter()
        .filter(|c| only.as_ref().is_none_or(|o| o.contains(c.id)))
        .collect();
    let seen = run_all(&selected);

    if std::env::var_os("SECURITY_TABLE_DUMP").is_some() {
        let mut md = String::new();
        let mut sorted: Vec<_> = selected.iter().zip(&seen).collect();
        sorted.sort_by_key(|(c, _)| c.id);
        for (c, s) in sorted {
            let s = s.as_ref().unwrap_or_else(|e| panic!("row {}: {e}", c.id));
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                c.id,
                c.input,
                c.bad,
                code_cell(&s.outcome),
                code_cell(&s.message),
                s.exit
            );
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/target/security-table.md");
        std::fs::write(path, md).unwrap();
        return;
    }

    let mut failures = Vec::new();
    let mut ids = BTreeSet::new();
    for (case, got) in selected.iter().zip(&seen) {
        let mut diffs = check(case, got, rows.get(case.id));
        if !ids.insert(case.id) {
            diffs.push("a second case has this id".to_owned());
        }
        if !diffs.is_empty() {
            failures.push((
                case.id.to_owned(),
                format!("{}; {}", case.input, case.bad),
                diffs,
            ));
        }
    }
    if only.is_none() {
        let with_case: BTreeSet<&str> = all.iter().map(|c| c.id).collect();
        for (id, row) in &rows {
            // The remote rows need the `remote` feature (on by default through `cli`).
            let gated = !cfg!(feature = "remote") && id.starts_with('M');
            if !with_case.contains(id.as_str()) && !gated {
                failures.push((
                    id.clone(),
                    format!("{}; {}", row.input, row.bad),
                    vec!["has a row in SECURITY.md but no case here".to_owned()],
                ));
            }
        }
        assert!(rows.len() > 50, "only {} rows in the table", rows.len());
    }
    if let Some(r) = report(&failures, selected.len()) {
        panic!("{r}");
    }
}

/// The runner names a failing row by id, input and bad value, says which cell differs and
/// reports every failing row, not only the first.
#[test]
fn the_runner_names_every_failing_row() {
    let table = parse_table(
        "<!-- bad-input-table:start -->\n\
         | Id | Input | Bad value | Outcome | Message (exact) | Exit |\n\
         |---|---|---|---|---|---|\n\
         | X01 | thing | `\"\"` | `Error::InvalidInput` | `` a `b` \\| c `` | 2 |\n\
         | X02 | other thing | 5 | `exit 3` | `boom` | 3 |\n\
         <!-- bad-input-table:end -->",
    )
    .unwrap();
    assert_eq!(table["X01"].message, "a `b` | c");
    let ok = || Seen {
        outcome: "Error::InvalidInput".into(),
        message: "a `b` | c".into(),
        exit: "2".into(),
        stderr: String::new(),
    };
    let wrong = || Seen {
        outcome: "exit 4".into(),
        message: "boom".into(),
        exit: "4".into(),
        stderr: "rtcmint: boom\n".into(),
    };
    let x01 = row("X01", "thing", "`\"\"`", ok);
    assert!(check(&x01, &observe(&x01), table.get("X01")).is_empty());
    let x02 = row("X02", "other thing", "5", wrong);
    let d2 = check(&x02, &observe(&x02), table.get("X02"));
    assert_eq!(
        d2,
        [
            "outcome: the table says `exit 3`, got `exit 4`",
            "exit: the table says `3`, got `4`",
            "stderr: rtcmint: boom",
        ]
    );
    let x03 = row("X03", "new", "-", || panic!("setup broke"));
    let d3 = check(&x03, &observe(&x03), table.get("X03"));
    assert_eq!(d3, ["has a case but no row in SECURITY.md"]);
    let x01_panics = row("X01", "thing", "`\"\"`", || panic!("setup broke"));
    let d1 = check(&x01_panics, &observe(&x01_panics), table.get("X01"));
    assert_eq!(d1, ["the case panicked: setup broke"]);
    let r = report(
        &[
            ("X01".into(), "thing; `\"\"`".into(), d1),
            ("X02".into(), "other thing; 5".into(), d2),
        ],
        3,
    )
    .unwrap();
    assert!(r.starts_with("2 of 3 rows"), "{r}");
    assert!(
        r.contains("X01 (thing; `\"\"`):\n    the case panicked: setup broke"),
        "{r}"
    );
    assert!(
        r.contains("X02 (other thing; 5):\n    outcome: the table says"),
        "{r}"
    );
    assert!(report(&[], 3).is_none());
    assert!(parse_table("| A | b | c | d | e | f |").is_err());
}

// ---------------------------------------------------------------- what a case reports

fn exit_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Credentials | ErrorKind::Request => "2",
        ErrorKind::Signature => "3",
        ErrorKind::Time => "4",
        ErrorKind::Malformed => "5",
        _ => "1",
    }
}

/// The variant name of an error from its `Debug` (`SignatureMismatch`, `Malformed`, …).
fn variant(debug: &str) -> &str {
    debug.split([' ', '{', '(']).next().unwrap_or_default()
}

/// A library row: `r` must be an error; its variant, message and the exit code of its kind.
fn lib<T: std::fmt::Debug>(r: Result<T, Error>) -> Seen {
    match r {
        Ok(v) => Seen {
            outcome: format!("accepted: {v:?}"),
            message: String::new(),
            exit: "0".into(),
            stderr: String::new(),
        },
        Err(e) => Seen {
            outcome: format!("Error::{}", variant(&format!("{e:?}"))),
            message: e.to_string(),
            exit: exit_for(e.kind()).to_owned(),
            stderr: String::new(),
        },
    }
}

/// A `remote` row: variant and exact message; no CLI command exists, so the exit column is `-`.
#[cfg(feature = "remote")]
fn remote<T: std::fmt::Debug>(r: rtcmint::remote::RemoteResult<T>) -> Seen {
    match r {
        Ok(v) => Seen {
            outcome: format!("accepted: {v:?}"),
            message: String::new(),
            exit: "0".into(),
            stderr: String::new(),
        },
        Err(e) => Seen {
            outcome: format!("RemoteError::{}", variant(&format!("{e:?}"))),
            message: e.to_string(),
            exit: "-".into(),
            stderr: String::new(),
        },
    }
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

/// A CLI row: the exit code and the first line of stderr that is not a warning (the `error`
/// field of the JSON on stdout when stderr has nothing, as for `verify --json`).
fn cli(c: Command, args: &[&str]) -> Seen {
    cli_impl(c, args, false)
}

/// [`cli`] with owned arguments.
fn cli_s(c: Command, args: &[String]) -> Seen {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(c, &a)
}

/// A CLI row whose message is the `error` field of the JSON record on stdout (`batch`).
fn cli_record(c: Command, args: &[&str]) -> Seen {
    cli_impl(c, args, true)
}

fn cli_impl(mut c: Command, args: &[&str], record: bool) -> Seen {
    let out: Output = c.args(args).output().expect("run the binary");
    let exit = out
        .status
        .code()
        .map_or_else(|| format!("signal ({})", out.status), |c| c.to_string());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
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
    Seen {
        outcome: format!("exit {exit}"),
        message: first,
        exit,
        stderr,
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

fn rows_k() -> Vec<Case> {
    vec![
        row("K01", "`LiveKitMinter::new` api key", "`\"\"`", || {
            lib(LiveKitMinter::new("", LK_SECRET))
        }),
        row("K02", "`LiveKitMinter::new` api secret", "`\"\"`", || {
            lib(LiveKitMinter::new(LK_KEY, ""))
        }),
        row(
            "K03",
            "`LiveKitVerifier::with_key` api key",
            "a key already added",
            || lib(lk_verifier().with_key(LK_KEY, "other")),
        ),
        row("K04", "`LiveKitVerifier::new` api secret", "`\"\"`", || {
            lib(LiveKitVerifier::new(LK_KEY, ""))
        }),
        row("K05", "`AgoraMinter::new` app id", "31 characters", || {
            lib(AgoraMinter::new(&AG_APP_ID[1..], AG_CERT))
        }),
        row(
            "K06",
            "`AgoraMinter::new` app id",
            "32 characters, not hex",
            || {
                lib(AgoraMinter::new(
                    "g70CA35de60c44645bbae8a215061b33",
                    AG_CERT,
                ))
            },
        ),
        row(
            "K07",
            "`AgoraMinter::new` app certificate",
            "20 characters",
            || lib(AgoraMinter::new(AG_APP_ID, &AG_CERT[..20])),
        ),
        row(
            "K08",
            "`AgoraMinter::new` app certificate",
            "32 characters, 5th not hex",
            || {
                lib(AgoraMinter::new(
                    AG_APP_ID,
                    "5CFdzfd1755d40ecb72977518be15d3b",
                ))
            },
        ),
        row(
            "K09",
            "`agora::verify` / `AccessToken2::verify_str` app certificate",
            "not 32 hex characters",
            || lib(agora::AgoraVerifier::new("secret").and_then(|v| v.verify_at(&ag_token(), NOW))),
        ),
        row("K10", "`ZegoMinter::new` app id", "`0`", || {
            lib(ZegoMinter::new(0, Z_SECRET))
        }),
        row(
            "K11",
            "`ZegoMinter::new` / `ZegoVerifier::new` server secret",
            "31 characters",
            || lib(ZegoMinter::new(Z_APP_ID, &Z_SECRET[1..])),
        ),
        row(
            "K12",
            "`ZegoMinter::new` / `ZegoVerifier::new` server secret",
            "non-ASCII",
            || lib(ZegoVerifier::new("ééééééééééééééé")),
        ),
        row(
            "K13",
            "`zego::decode` / `decode_any` server secret",
            "not 32 characters",
            || lib(rtcmint::decode_any(&z_token(Mode::Cbc), Some("short"))),
        ),
    ]
}

// ---------------------------------------------------------------- R: neutral request fields

fn rows_r() -> Vec<Case> {
    vec![
        row("R01", "LiveKit `identity`", "`\"\"`", || {
            lib(lk().mint(&TokenRequest::new("")))
        }),
        row("R02", "Agora `identity`", "`\"\"`", || {
            lib(ag().mint(&TokenRequest::new("").room("r")))
        }),
        row("R03", "ZEGO `identity`", "`\"\"`", || {
            lib(zg().mint(&TokenRequest::new("")))
        }),
        row("R04", "LiveKit `identity`", "257 bytes", || {
            lib(lk().mint(&TokenRequest::new("a".repeat(257))))
        }),
        row("R05", "ZEGO `identity`", "65 bytes", || {
            lib(zg().mint(&TokenRequest::new("a".repeat(65))))
        }),
        row("R06", "Agora `identity`", "65536 bytes", || {
            lib(ag().mint(&TokenRequest::new("a".repeat(65_536)).room("r")))
        }),
        row("R07", "LiveKit `ttl`", "0 s", || {
            lib(lk().mint(&req().ttl(Duration::ZERO)))
        }),
        row("R08", "Agora `ttl`", "0 s", || {
            lib(ag().mint(&req().ttl(Duration::ZERO)))
        }),
        row("R09", "ZEGO `ttl`", "0 s", || {
            lib(zg().mint(&req().ttl(Duration::ZERO)))
        }),
        row("R10", "Agora `ttl`", "86401 s (over 24 h)", || {
            lib(ag().mint(&req().ttl(Duration::from_secs(86_401))))
        }),
        row(
            "R11",
            "LiveKit `ttl` + `issued_at`",
            "`issued_at = i64::MAX`",
            || lib(lk().mint(&req().issued_at(i64::MAX))),
        ),
        row(
            "R12",
            "ZEGO `ttl` + `issued_at`",
            "`issued_at = i64::MAX`",
            || lib(zg().mint(&TokenRequest::new("u").issued_at(i64::MAX))),
        ),
        row("R13", "Agora `issued_at`", "`-1` (outside u32)", || {
            lib(ag().mint(&req().issued_at(-1)))
        }),
        row("R14", "Agora `room`", "missing", || {
            lib(ag().mint(&TokenRequest::new("alice")))
        }),
        row("R15", "Agora `room`", "65536 bytes", || {
            lib(ag().mint(&TokenRequest::new("a").room("r".repeat(65_536))))
        }),
        row("R16", "LiveKit `room`", "257 bytes", || {
            lib(lk().mint(&TokenRequest::new("a").room("r".repeat(257))))
        }),
        row("R17", "LiveKit `display_name`", "257 bytes", || {
            lib(lk().mint(&req().display_name("n".repeat(257))))
        }),
        row("R18", "LiveKit `metadata`", "over 512 KiB as JSON", || {
            let mut m = serde_json::Map::new();
            m.insert(
                "k".into(),
                serde_json::Value::String("v".repeat(512 * 1024)),
            );
            lib(lk().mint(&req().metadata(m)))
        }),
        row("R19", "Agora `display_name`", "any", || {
            lib(ag().mint(&req().display_name("Alice")))
        }),
        row("R20", "Agora `metadata`", "any", || {
            lib(ag().mint(&req().metadata(serde_json::Map::new())))
        }),
        row("R21", "Agora `is_admin`", "`true`", || {
            lib(ag().mint(&req().admin(true)))
        }),
        row("R22", "Agora `can_subscribe`", "`false`", || {
            lib(ag().mint(&req().can_subscribe(false)))
        }),
        row("R23", "ZEGO `display_name`", "any", || {
            lib(zg().mint(&req().display_name("Alice")))
        }),
        row("R24", "ZEGO `metadata`", "any", || {
            lib(zg().mint(&req().metadata(serde_json::Map::new())))
        }),
        row("R25", "ZEGO `is_admin`", "`true`", || {
            lib(zg().mint(&req().admin(true)))
        }),
        row("R26", "ZEGO `can_subscribe`", "`false`", || {
            lib(zg().mint(&req().can_subscribe(false)))
        }),
        row("R27", "ZEGO `can_publish_data`", "`false`", || {
            lib(zg().mint(&req().can_publish_data(false)))
        }),
    ]
}

// ---------------------------------------------------------------- G: vendor-specific inputs

fn rows_g() -> Vec<Case> {
    vec![
        row("G01", "LiveKit grants `kind`", "`\"robot\"`", || {
            lib(lk().encode(
                &ClaimGrants::new("a").with_kind("robot"),
                NOW,
                std::time::Duration::from_secs(600),
            ))
        }),
        row(
            "G02",
            "LiveKit grants `video.canPublishSources`",
            "`\"webcam\"`",
            || {
                let v = VideoGrant {
                    can_publish_sources: vec!["webcam".into()],
                    ..VideoGrant::join("r")
                };
                lib(lk().encode(
                    &ClaimGrants::new("a").with_video(v),
                    NOW,
                    std::time::Duration::from_secs(600),
                ))
            },
        ),
        row(
            "G03",
            "LiveKit grants identity with `roomJoin`",
            "`\"\"`",
            || {
                lib(lk().encode(
                    &ClaimGrants::new("").with_video(VideoGrant::join("r")),
                    NOW,
                    std::time::Duration::from_secs(600),
                ))
            },
        ),
        row(
            "G04",
            "LiveKit grants `attributes`",
            "over 64 KiB in total",
            || {
                lib(lk().encode(
                    &ClaimGrants::new("a").with_attribute("k", "v".repeat(64 * 1024)),
                    NOW,
                    std::time::Duration::from_secs(600),
                ))
            },
        ),
        row(
            "G05",
            "LiveKit grants `video.destinationRoom`",
            "257 bytes",
            || {
                let v = VideoGrant {
                    destination_room: "d".repeat(257),
                    ..VideoGrant::join("r")
                };
                lib(lk().encode(
                    &ClaimGrants::new("a").with_video(v),
                    NOW,
                    std::time::Duration::from_secs(600),
                ))
            },
        ),
        row(
            "G06",
            "LiveKit grants `roomConfig.name`",
            "257 bytes",
            || {
                let g = ClaimGrants {
                    room_config: Some(RoomConfiguration {
                        name: "n".repeat(257),
                        ..RoomConfiguration::default()
                    }),
                    ..ClaimGrants::new("a")
                };
                lib(lk().encode(&g, NOW, std::time::Duration::from_secs(600)))
            },
        ),
        row("G07", "`LiveKitMinter::encode` ttl", "`0`", || {
            lib(lk().encode(
                &ClaimGrants::new("a"),
                NOW,
                std::time::Duration::from_secs(0),
            ))
        }),
        row(
            "G08",
            "LiveKit `--grant-json` / `ClaimGrants::from_json`",
            "`{\"video\":{\"roomJoin\":\"yes\"}}`",
            || lib(ClaimGrants::from_json(r#"{"video":{"roomJoin":"yes"}}"#)),
        ),
        row("G09", "`AgoraMinter` builder expiry", "25 h", || {
            lib(ag().rtc_token_with_uid(
                "c",
                1,
                RtcRole::Publisher,
                Duration::from_secs(90_000),
                Duration::from_secs(60),
            ))
        }),
        row("G10", "`AccessToken2::encode` services", "none", || {
            lib(AccessToken2::new(AG_APP_ID, 1, 600, 1).encode(AG_CERT))
        }),
        row(
            "G11",
            "`ZegoMinter::encode_into` IV",
            "12 bytes in CBC mode",
            || {
                let p = Payload::Identity;
                let inputs = MintInputs::new("u", NOW, 3600, 1, b"0123456789ab").payload(&p);
                lib(zg().encode_into(&inputs, &mut String::new()))
            },
        ),
        row(
            "G12",
            "`ZegoMinter::encode_into` effective time",
            "`0`",
            || {
                let inputs = MintInputs::new("u", NOW, 0, 1, b"0123456789abcdef");
                lib(zg().encode_into(&inputs, &mut String::new()))
            },
        ),
        row("G13", "ZEGO `Payload::raw_json`", "`hello`", || {
            lib(Payload::raw_json("hello"))
        }),
        row(
            "G14",
            "ZEGO payload",
            "70000 bytes (ciphertext over 65535)",
            || {
                let p = Payload::Raw("x".repeat(70_000));
                lib(zg().token("u", std::time::Duration::from_secs(60), &p))
            },
        ),
        row(
            "G15",
            "`rtcmint::parse_duration` (`ttl` strings, `--valid-for`)",
            "`1.5h`",
            || lib(rtcmint::parse_duration("1.5h")),
        ),
        row("G16", "`rtcmint::parse_duration`", "`\"\"`", || {
            lib(rtcmint::parse_duration(""))
        }),
        row(
            "G17",
            "`rtcmint::parse_duration`",
            "`99999999999999999999d`",
            || lib(rtcmint::parse_duration("99999999999999999999d")),
        ),
        row(
            "G18",
            "`PrivilegePayload::from_json` / `Payload::raw_json`",
            "a key repeated",
            || lib(PrivilegePayload::from_json(Z_DUP_ROOM)),
        ),
        row(
            "G19",
            "`ZegoMinter` `Payload::Raw`",
            "a key repeated",
            || {
                let p = Payload::Raw(Z_DUP_ROOM.to_owned());
                lib(zg().token("u", Duration::from_secs(60), &p))
            },
        ),
    ]
}

// ---------------------------------------------------------------- T: LiveKit tokens

fn rows_t() -> Vec<Case> {
    vec![
        row("T01", "LiveKit token", "`\"\"`", || {
            lib(lk_verifier().verify_at("", NOW))
        }),
        row("T02", "LiveKit token", "two segments", || {
            lib(lk_verifier().verify_at("eyJa.eyJb", NOW))
        }),
        row("T03", "LiveKit token", "four segments", || {
            lib(lk_verifier().verify_at("eyJa.b.c.d", NOW))
        }),
        row("T04", "LiveKit token", "header not base64url", || {
            lib(lk_verifier().verify_at("ey!J.e30.c2ln", NOW))
        }),
        row("T05", "LiveKit token", "`alg` `none`", || {
            let t = format!(
                "{}.{}.sig",
                b64url(r#"{"alg":"none"}"#),
                b64url(r#"{"exp":1}"#)
            );
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row("T06", "LiveKit token", "no `exp`", || {
            let t = format!(
                "{}.{}.sig",
                b64url(r#"{"alg":"HS256"}"#),
                b64url(r#"{"iss":"APIkey"}"#)
            );
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row("T07", "LiveKit token", "`crit` header", || {
            let t = format!(
                "{}.{}.sig",
                b64url(r#"{"alg":"HS256","crit":["b64"]}"#),
                b64url(r#"{"exp":1}"#)
            );
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row("T08", "LiveKit token", "`exp` not a number", || {
            let t = format!(
                "{}.{}.sig",
                b64url(r#"{"alg":"HS256"}"#),
                b64url(r#"{"exp":"soon"}"#)
            );
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row("T09", "LiveKit token", "no `iss`", || {
            let t = format!(
                "{}.{}.sig",
                b64url(r#"{"alg":"HS256"}"#),
                b64url(r#"{"exp":1}"#)
            );
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row(
            "T10",
            "LiveKit token",
            "`iss` unknown to the verifier",
            || {
                let v = LiveKitVerifier::new("APIother", LK_SECRET).unwrap();
                lib(v.verify_at(&lk_token(600), NOW))
            },
        ),
        row("T11", "LiveKit token", "signed with another secret", || {
            let v = LiveKitVerifier::new(LK_KEY, "another-secret-of-32-characters!!").unwrap();
            lib(v.verify_at(&lk_token(600), NOW))
        }),
        row(
            "T12",
            "LiveKit token",
            "expired (beyond the 60 s leeway)",
            || lib(lk_verifier().verify_at(&lk_token(600), NOW + 661)),
        ),
        row(
            "T13",
            "LiveKit token",
            "`nbf` in the future (beyond the leeway)",
            || lib(lk_verifier().verify_at(&lk_token(600), NOW - 61)),
        ),
        row("T14", "LiveKit token", "over 1 MiB", || {
            let t = format!("eyJ{}", "a".repeat(1 << 20));
            lib(lk_verifier().verify_at(&t, NOW))
        }),
        row("T15", "LiveKit token", "signature not base64url", || {
            let t = lk_token(600);
            let (signed, _) = t.rsplit_once('.').unwrap();
            let bad = format!("{signed}.{}!", &"A".repeat(42));
            lib(lk_verifier().verify_at(&bad, NOW))
        }),
    ]
}

// ---------------------------------------------------------------- A: Agora tokens

/// A 007 token issued at `NOW`, valid for an hour, with these services.
fn ag_token_with(services: Vec<agora::Service>) -> String {
    let mut t = AccessToken2::new(AG_APP_ID, u32::try_from(NOW).unwrap(), 3600, 7);
    for s in services {
        t.add_service(s);
    }
    t.encode(AG_CERT).unwrap()
}

/// RTC for `my-channel` / uid 42: join valid `join` s, publish audio for the hour.
fn ag_rtc(join: u32) -> agora::Service {
    agora::Service::rtc("my-channel", 42)
        .with_privilege(agora::privilege::rtc::JOIN_CHANNEL, join)
        .with_privilege(agora::privilege::rtc::PUBLISH_AUDIO_STREAM, 3600)
}

/// A legacy 006 token for `ch` / `42` (own expiry a day after `NOW`) with these (id, absolute
/// expiry) privileges, signed as the 006 builders sign.
fn ag_006_with(privileges: &[(u16, u32)]) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit as _, Mac as _};
    let mut message = Vec::new();
    message.extend_from_slice(&1u32.to_le_bytes());
    message.extend_from_slice(&(u32::try_from(NOW).unwrap() + 86_400).to_le_bytes());
    message.extend_from_slice(&u16::try_from(privileges.len()).unwrap().to_le_bytes());
    for (id, e) in privileges {
        message.extend_from_slice(&id.to_le_bytes());
        message.extend_from_slice(&e.to_le_bytes());
    }
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(AG_CERT.as_bytes()).unwrap();
    for part in [AG_APP_ID.as_bytes(), b"ch", b"42", &message] {
        mac.update(part);
    }
    let sig = mac.finalize().into_bytes();
    let mut body = Vec::new();
    body.extend_from_slice(&u16::try_from(sig.len()).unwrap().to_le_bytes());
    body.extend_from_slice(&sig);
    body.extend_from_slice(&crc32fast::hash(b"ch").to_le_bytes());
    body.extend_from_slice(&crc32fast::hash(b"42").to_le_bytes());
    body.extend_from_slice(&u16::try_from(message.len()).unwrap().to_le_bytes());
    body.extend_from_slice(&message);
    format!(
        "006{AG_APP_ID}{}",
        base64::engine::general_purpose::STANDARD.encode(body)
    )
}

fn rows_a() -> Vec<Case> {
    vec![
        row(
            "A01",
            "Agora token (`verify_at`, `decode`)",
            "`008…`",
            || lib(agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at("008abc", NOW))),
        ),
        row("A02", "Agora 007 token", "bad base64", || {
            lib(agora::decode("007!!!!"))
        }),
        row("A03", "Agora 007 token", "base64 of non-zlib bytes", || {
            lib(agora::decode("007AAAAAAAA"))
        }),
        row("A04", "Agora 007 token", "truncated payload", || {
            // zlib stored block of 3 bytes: a payload too short for the signature length prefix.
            lib(agora::decode("007eAEBAQD+/wAAAQAB"))
        }),
        row(
            "A05",
            "Agora 007 token",
            "signed with another certificate",
            || {
                lib(agora::AgoraVerifier::new(AG_OTHER_CERT)
                    .and_then(|v| v.verify_at(&ag_token(), NOW)))
            },
        ),
        row(
            "A06",
            "Agora 007 token",
            "another app id than expected",
            || {
                lib(agora::AgoraVerifier::new(AG_CERT).and_then(|v| {
                    v.with_expected_app_id("0123456789abcdef0123456789abcdef")
                        .verify_at(&ag_token(), NOW)
                }))
            },
        ),
        row("A07", "Agora 007 token", "expired", || {
            lib(agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.verify_at(&ag_token(), NOW + 3600)))
        }),
        row(
            "A08",
            "Agora token given to the 007 verifier",
            "a 006 token",
            || lib(agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(V006, NOW))),
        ),
        row("A09", "Agora 006 token", "wrong channel", || {
            lib(agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.verify_006_at(V006, "other", "2882341273", 1_024_711)))
        }),
        row("A10", "Agora 006 token", "app id cut short", || {
            lib(agora::decode("006970CA35de60c"))
        }),
        row(
            "A11",
            "Agora 006 token",
            "bad base64 after the app id",
            || lib(agora::decode(&format!("{}!!", &V006[..35]))),
        ),
        row("A12", "Agora 006 token", "expired", || {
            lib(agora::AgoraVerifier::new(AG_CERT).and_then(|v| {
                v.verify_006_at(
                    V006,
                    "7d72365eb983485397e3e3f9d460bdda",
                    "2882341273",
                    1_111_111,
                )
            }))
        }),
        row(
            "A13",
            "Agora 007 token",
            "join privilege expired 390 s before",
            || {
                lib(agora::AgoraVerifier::new(AG_CERT)
                    .and_then(|v| v.verify_at(&ag_token_with(vec![ag_rtc(600)]), NOW + 990)))
            },
        ),
        row(
            "A14",
            "Agora 007 token (RTC and RTM)",
            "join and login privileges both expired",
            || {
                let rtm =
                    agora::Service::rtm("alice").with_privilege(agora::privilege::rtm::LOGIN, 1200);
                let t = ag_token_with(vec![ag_rtc(600), rtm]);
                lib(agora::AgoraVerifier::new(AG_CERT).and_then(|v| v.verify_at(&t, NOW + 1500)))
            },
        ),
        row("A15", "Agora 006 token", "join privilege expired", || {
            let join_until = u32::try_from(NOW).unwrap() + 600;
            let t = ag_006_with(&[(1, join_until), (2, join_until + 3600)]);
            lib(agora::AgoraVerifier::new(AG_CERT)
                .and_then(|v| v.verify_006_at(&t, "ch", "42", NOW + 990)))
        }),
    ]
}

// ---------------------------------------------------------------- Z: ZEGO tokens

fn zv() -> ZegoVerifier {
    ZegoVerifier::new(Z_SECRET).unwrap()
}

/// A GCM token04 whose claims carry `payload` verbatim, built by hand (the minter refuses
/// payloads that repeat a key).
fn z_hostile(payload: &str) -> String {
    use aes_gcm::aead::{Aead as _, KeyInit as _};
    let claims = serde_json::json!({
        "app_id": Z_APP_ID, "user_id": "u", "nonce": 1, "ctime": NOW, "expire": NOW + 3600,
        "payload": payload,
    })
    .to_string();
    let nonce = [7u8; 12];
    let ct = aes_gcm::Aes256Gcm::new_from_slice(Z_SECRET.as_bytes())
        .unwrap()
        .encrypt(&nonce.into(), claims.as_bytes())
        .unwrap();
    let mut bin = Vec::new();
    bin.extend_from_slice(&(NOW + 3600).to_be_bytes());
    bin.extend_from_slice(&12u16.to_be_bytes());
    bin.extend_from_slice(&nonce);
    bin.extend_from_slice(&u16::try_from(ct.len()).unwrap().to_be_bytes());
    bin.extend_from_slice(&ct);
    bin.push(1);
    z_enc(&bin)
}

/// A privilege payload that names two rooms.
const Z_DUP_ROOM: &str =
    r#"{"room_id":"a","privilege":{"1":1,"2":0},"stream_id_list":null,"room_id":"b"}"#;

fn rows_z() -> Vec<Case> {
    vec![
        row("Z01", "ZEGO token", "`\"\"`", || lib(zv().decode(""))),
        row("Z02", "ZEGO token", "`03…` (token03)", || {
            lib(zv().decode("03AAAA"))
        }),
        row("Z03", "ZEGO token", "other prefix", || {
            lib(zv().decode("05AAAA"))
        }),
        row("Z04", "ZEGO token", "`04` alone", || lib(zv().decode("04"))),
        row("Z05", "ZEGO token", "URL-safe base64", || {
            lib(zv().decode("04AA-_"))
        }),
        row("Z06", "ZEGO token", "3-byte container", || {
            lib(zv().decode("04AAAA"))
        }),
        row("Z07", "ZEGO token", "mode byte `2`", || {
            let mut b = z_bin(&z_token(Mode::Gcm));
            *b.last_mut().unwrap() = 2;
            lib(zv().decode(&z_enc(&b)))
        }),
        row("Z08", "ZEGO token", "bytes after the ciphertext", || {
            let mut b = z_bin(&z_token(Mode::Cbc));
            b.push(0);
            b.push(0);
            lib(zv().decode(&z_enc(&b)))
        }),
        row(
            "Z09",
            "ZEGO token",
            "CBC container with a 12-byte IV",
            || {
                let mut b = z_bin(&z_token(Mode::Cbc));
                b[8..10].copy_from_slice(&12u16.to_be_bytes());
                b.drain(22..26);
                lib(zv().decode(&z_enc(&b)))
            },
        ),
        row("Z10", "ZEGO token", "outer expire altered", || {
            let mut b = z_bin(&z_token(Mode::Cbc));
            b[7] ^= 1;
            lib(zv().decode(&z_enc(&b)))
        }),
        row("Z11", "ZEGO CBC token", "another server secret", || {
            let v = ZegoVerifier::new("00000000000000000000000000000000").unwrap();
            lib(v.decode(&z_token(Mode::Cbc)))
        }),
        row(
            "Z12",
            "ZEGO GCM token",
            "one ciphertext bit flipped",
            || {
                let mut b = z_bin(&z_token(Mode::Gcm));
                let n = b.len();
                b[n - 5] ^= 1;
                lib(zv().decode(&z_enc(&b)))
            },
        ),
        row("Z13", "ZEGO token", "another app id than expected", || {
            lib(zv().with_expected_app_id(1).decode(&z_token(Mode::Cbc)))
        }),
        row("Z14", "ZEGO token", "expired", || {
            lib(zv().verify_at(&z_token(Mode::Gcm), NOW + 3601))
        }),
        row("Z15", "ZEGO token", "payload repeats a key", || {
            lib(zv().decode(&z_hostile(Z_DUP_ROOM)))
        }),
    ]
}

// ---------------------------------------------------------------- D: vendor detection

fn rows_d() -> Vec<Case> {
    vec![
        row("D01", "`decode_any` token", "`hello`", || {
            lib(rtcmint::decode_any("hello", None))
        }),
        row(
            "D02",
            "`decode_any` token",
            "` 007…` (leading space)",
            || lib(rtcmint::decode_any(&format!(" {}", ag_token()), None)),
        ),
    ]
}

// ---------------------------------------------------------------- B: batch request lines

fn rows_b() -> Vec<Case> {
    vec![
        row("B01", "batch line", "`garbage`", || {
            lib(parse_line("garbage"))
        }),
        row("B02", "batch line", "JSON array", || lib(parse_line("[]"))),
        row("B03", "batch line", "no `identity`", || {
            lib(parse_line(r#"{"vendor":"livekit"}"#))
        }),
        row("B04", "batch line `vendor`", "`twilio`", || {
            lib(parse_line(r#"{"vendor":"twilio","identity":"a"}"#))
        }),
        row("B05", "batch line", "unknown field `roomm`", || {
            lib(parse_line(
                r#"{"vendor":"livekit","identity":"a","roomm":"r"}"#,
            ))
        }),
        row("B06", "batch line `ttl`", "`\"forever\"`", || {
            lib(parse_line(
                r#"{"vendor":"livekit","identity":"a","ttl":"forever"}"#,
            ))
        }),
        row("B07", "batch line `ttl`", "`-1`", || {
            lib(parse_line(
                r#"{"vendor":"livekit","identity":"a","ttl":-1}"#,
            ))
        }),
        row("B08", "batch line `metadata`", "a string", || {
            lib(parse_line(
                r#"{"vendor":"livekit","identity":"a","metadata":"x"}"#,
            ))
        }),
        row(
            "B09",
            "batch line `vendor`",
            "a vendor without credentials",
            || {
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
                lib::<()>(Err(e))
            },
        ),
    ]
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

fn rows_c() -> Vec<Case> {
    vec![
        row("C01", "`livekit mint` credentials", "none", || {
            cli(rtcmint(), LK_MINT)
        }),
        row("C02", "`livekit mint` secret", "key without secret", || {
            let mut c = rtcmint();
            c.env("LIVEKIT_API_KEY", LK_KEY);
            cli(c, LK_MINT)
        }),
        row("C03", "`LIVEKIT_API_SECRET_FILE`", "missing file", || {
            let mut c = rtcmint();
            c.env("LIVEKIT_API_KEY", LK_KEY)
                .env("LIVEKIT_API_SECRET_FILE", "/nonexistent/rtcmint-secret");
            cli(c, LK_MINT)
        }),
        row("C04", "`LIVEKIT_API_SECRET`", "`\"\"`", || {
            let mut c = rtcmint();
            c.env("LIVEKIT_API_KEY", LK_KEY)
                .env("LIVEKIT_API_SECRET", "");
            cli(c, LK_MINT)
        }),
        row("C05", "`livekit mint --valid-for`", "`forever`", || {
            cli_s(
                with_livekit(rtcmint()),
                &lk_mint_with(&["--valid-for", "forever"]),
            )
        }),
        row("C06", "`livekit mint --valid-for`", "`0`", || {
            cli_s(
                with_livekit(rtcmint()),
                &lk_mint_with(&["--valid-for", "0"]),
            )
        }),
        row("C07", "`livekit mint --now`", "`yesterday`", || {
            cli_s(
                with_livekit(rtcmint()),
                &lk_mint_with(&["--now", "yesterday"]),
            )
        }),
        row("C08", "`livekit mint --kind`", "`robot`", || {
            cli_s(with_livekit(rtcmint()), &lk_mint_with(&["--kind", "robot"]))
        }),
        row("C09", "`livekit mint --grant-json`", "`{not json`", || {
            cli_s(
                with_livekit(rtcmint()),
                &lk_mint_with(&["--grant-json", "{not json"]),
            )
        }),
        row("C10", "`livekit mint --attribute`", "`novalue`", || {
            cli_s(
                with_livekit(rtcmint()),
                &lk_mint_with(&["--attribute", "novalue"]),
            )
        }),
        row(
            "C11",
            "`livekit mint --can-publish-sources`",
            "`webcam`",
            || {
                cli_s(
                    with_livekit(rtcmint()),
                    &lk_mint_with(&["--can-publish-sources", "webcam"]),
                )
            },
        ),
        row(
            "C12",
            "`livekit mint --room-config`",
            "`{\"name\":5}`",
            || {
                cli_s(
                    with_livekit(rtcmint()),
                    &lk_mint_with(&["--room-config", r#"{"name":5}"#]),
                )
            },
        ),
        row("C13", "`decode` token", "`hello`", || {
            cli(rtcmint(), &["decode", "hello"])
        }),
        row("C14", "`decode` token", "blank", || {
            cli(rtcmint(), &["decode", "  "])
        }),
        row("C15", "`decode` token", "malformed JWT", || {
            cli(rtcmint(), &["decode", "eyJa.b.c"])
        }),
        row("C16", "`verify` LiveKit credentials", "none", || {
            let t = lk_token(600);
            cli(rtcmint(), &["verify", &t, "--now", "1767225601"])
        }),
        row("C17", "`verify` LiveKit token", "another secret", || {
            let t = lk_token(600);
            let mut c = rtcmint();
            c.env("LIVEKIT_API_KEY", LK_KEY)
                .env("LIVEKIT_API_SECRET", "another-secret-of-32-characters!!");
            cli(c, &["verify", &t, "--now", "1767225601"])
        }),
        row("C18", "`verify` LiveKit token", "expired", || {
            let t = lk_token(600);
            cli(
                with_livekit(rtcmint()),
                &["verify", &t, "--now", "1767229999"],
            )
        }),
        row(
            "C19",
            "`verify --json` LiveKit token",
            "another secret",
            || {
                let t = lk_token(600);
                let mut c = rtcmint();
                c.env("LIVEKIT_API_KEY", LK_KEY)
                    .env("LIVEKIT_API_SECRET", "another-secret-of-32-characters!!");
                cli(c, &["verify", &t, "--now", "1767225601", "--json"])
            },
        ),
        row("C20", "`verify` token", "malformed JWT", || {
            cli(
                with_livekit(rtcmint()),
                &["verify", "eyJa.b.c", "--now", "1767225601"],
            )
        }),
        row("C21", "`verify --now`", "`soon`", || {
            cli(
                with_livekit(rtcmint()),
                &["verify", "eyJa.b.c", "--now", "soon"],
            )
        }),
        row("C22", "`batch` credentials", "none", || {
            let input = write_tmp("c22.jsonl", "{\"vendor\":\"livekit\",\"identity\":\"a\"}\n");
            cli(rtcmint(), &["batch", "--input", &input])
        }),
        row("C23", "`batch` line", "`garbage`", || {
            let input = write_tmp("c23.jsonl", "garbage\n");
            cli_record(with_livekit(rtcmint()), &["batch", "--input", &input])
        }),
        row("C24", "`batch --input`", "missing file", || {
            cli(
                with_livekit(rtcmint()),
                &["batch", "--input", "/nonexistent/rtcmint-input.jsonl"],
            )
        }),
        row("C25", "`rtcmint` subcommand", "`twilio`", || {
            cli(rtcmint(), &["twilio"])
        }),
    ]
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

fn rows_ca() -> Vec<Case> {
    vec![
        row("CA01", "`agora mint` credentials", "none", || {
            cli(rtcmint(), AG_MINT)
        }),
        row("CA02", "`AGORA_APP_CERTIFICATE`", "not 32 hex", || {
            let mut c = rtcmint();
            c.env("AGORA_APP_ID", AG_APP_ID)
                .env("AGORA_APP_CERTIFICATE", "not-a-certificate");
            cli(c, AG_MINT)
        }),
        row("CA03", "`AGORA_APP_ID`", "`my-app`", || {
            let mut c = rtcmint();
            c.env("AGORA_APP_ID", "my-app")
                .env("AGORA_APP_CERTIFICATE", AG_CERT);
            cli(c, AG_MINT)
        }),
        row("CA04", "`agora mint --valid-for`", "`25h`", || {
            cli_s(
                with_agora(rtcmint()),
                &ag_mint_with(&["--valid-for", "25h"]),
            )
        }),
        row("CA05", "`agora mint --channel`", "missing", || {
            cli(with_agora(rtcmint()), &["agora", "mint", "--uid", "1"])
        }),
        row("CA06", "`agora mint --uid`", "`-1`", || {
            cli_s(
                with_agora(rtcmint()),
                &["agora", "mint", "--channel", "c", "--uid", "-1"].map(str::to_owned),
            )
        }),
        row(
            "CA07",
            "`agora mint --issued-at`",
            "`-5` (outside u32)",
            || cli_s(with_agora(rtcmint()), &ag_mint_with(&["--issued-at=-5"])),
        ),
        row("CA08", "`agora mint --rtm2-permission`", "`bogus`", || {
            cli_s(
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
            )
        }),
        row("CA09", "`agora mint --privilege`", "`fly=1h`", || {
            cli_s(
                with_agora(rtcmint()),
                &ag_mint_with(&["--privilege", "fly=1h"]),
            )
        }),
        row(
            "CA10",
            "`verify` Agora token",
            "another certificate",
            || {
                let t = ag_token();
                let mut c = rtcmint();
                c.env("AGORA_APP_CERTIFICATE", AG_OTHER_CERT);
                cli(c, &["verify", &t, "--now", "1767225601"])
            },
        ),
        row("CA11", "`verify` Agora credentials", "none", || {
            let t = ag_token();
            cli(rtcmint(), &["verify", &t, "--now", "1767225601"])
        }),
        row("CA12", "`verify` Agora 006 token", "no `--channel`", || {
            cli(with_agora(rtcmint()), &["verify", V006, "--now", "1024711"])
        }),
        row(
            "CA13",
            "`batch` Agora credentials",
            "app id without certificate",
            || {
                let input = write_tmp("ca13.jsonl", "{\"vendor\":\"agora\",\"identity\":\"a\"}\n");
                let mut c = rtcmint();
                c.env("AGORA_APP_ID", AG_APP_ID);
                cli(c, &["batch", "--input", &input])
            },
        ),
        row(
            "CA14",
            "`verify` Agora token",
            "join privilege expired 390 s before",
            || {
                let t = ag_token_with(vec![ag_rtc(600)]);
                cli(
                    with_agora(rtcmint()),
                    &["verify", &t, "--now", &(NOW + 990).to_string()],
                )
            },
        ),
    ]
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

fn rows_cz() -> Vec<Case> {
    vec![
        row("CZ01", "`zego mint` credentials", "none", || {
            cli(rtcmint(), Z_MINT)
        }),
        row("CZ02", "`ZEGO_APP_ID`", "`abc`", || {
            let mut c = rtcmint();
            c.env("ZEGO_APP_ID", "abc")
                .env("ZEGO_SERVER_SECRET", Z_SECRET);
            cli(c, Z_MINT)
        }),
        row("CZ03", "`ZEGO_APP_ID`", "`0`", || {
            let mut c = rtcmint();
            c.env("ZEGO_APP_ID", "0")
                .env("ZEGO_SERVER_SECRET", Z_SECRET);
            cli(c, Z_MINT)
        }),
        row("CZ04", "`ZEGO_SERVER_SECRET`", "5 characters", || {
            let mut c = rtcmint();
            c.env("ZEGO_APP_ID", "1").env("ZEGO_SERVER_SECRET", "short");
            cli(c, Z_MINT)
        }),
        row("CZ05", "`zego mint --iv`", "`xyz`", || {
            cli_s(with_zego(rtcmint()), &z_mint_with(&["--iv", "xyz"]))
        }),
        row("CZ06", "`zego mint --iv`", "12 bytes in CBC mode", || {
            cli_s(
                with_zego(rtcmint()),
                &z_mint_with(&["--iv", "303132333435363738396162"]),
            )
        }),
        row(
            "CZ07",
            "`zego mint --payload`",
            "`hello` (not JSON)",
            || cli_s(with_zego(rtcmint()), &z_mint_with(&["--payload", "hello"])),
        ),
        row(
            "CZ08",
            "`zego mint --stream-id`",
            "without `--room`",
            || cli_s(with_zego(rtcmint()), &z_mint_with(&["--stream-id", "s1"])),
        ),
        row("CZ09", "`zego mint --user-id`", "65 bytes", || {
            cli_s(
                with_zego(rtcmint()),
                &["zego", "mint", "--user-id", &"u".repeat(65)].map(str::to_owned),
            )
        }),
        row("CZ10", "`verify` ZEGO token", "another secret", || {
            let t = z_token(Mode::Cbc);
            let mut c = rtcmint();
            c.env("ZEGO_SERVER_SECRET", "00000000000000000000000000000000");
            cli(c, &["verify", &t, "--now", "1767225601"])
        }),
        row("CZ11", "`verify` ZEGO credentials", "none", || {
            let t = z_token(Mode::Cbc);
            cli(rtcmint(), &["verify", &t, "--now", "1767225601"])
        }),
        row("CZ12", "`decode` ZEGO secret", "5 characters", || {
            let t = z_token(Mode::Cbc);
            let mut c = rtcmint();
            c.env("ZEGO_SERVER_SECRET", "short");
            cli(c, &["decode", &t])
        }),
        row("CZ13", "`verify` ZEGO token", "expired", || {
            let t = z_token(Mode::Gcm);
            cli(with_zego(rtcmint()), &["verify", &t, "--now", "1767299999"])
        }),
        row("CZ14", "`verify` ZEGO token", "another app id", || {
            let t = z_token(Mode::Cbc);
            let mut c = rtcmint();
            c.env("ZEGO_SERVER_SECRET", Z_SECRET)
                .env("ZEGO_APP_ID", "1");
            cli(c, &["verify", &t, "--now", "1767225601"])
        }),
        row("CZ15", "`zego mint --payload`", "a key repeated", || {
            cli_s(
                with_zego(rtcmint()),
                &z_mint_with(&["--payload", Z_DUP_ROOM]),
            )
        }),
        row(
            "CZ16",
            "`decode` ZEGO token",
            "payload repeats a key",
            || {
                let t = z_hostile(Z_DUP_ROOM);
                cli(with_zego(rtcmint()), &["decode", &t])
            },
        ),
    ]
}

// ---------------------------------------------------------------- M: remote API clients (feature `remote`)

#[cfg(feature = "remote")]
fn rows_m() -> Vec<Case> {
    vec![
        row(
            "M01",
            "`LiveKitClient::new` base URL",
            "`not a url`",
            || {
                remote(rtcmint::remote::LiveKitClient::new(
                    "not a url",
                    LK_KEY,
                    LK_SECRET,
                ))
            },
        ),
        row(
            "M02",
            "`LiveKitClient::new` base URL",
            "`ftp://host`",
            || {
                remote(rtcmint::remote::LiveKitClient::new(
                    "ftp://host",
                    LK_KEY,
                    LK_SECRET,
                ))
            },
        ),
        row("M03", "`LiveKitClient::new` api secret", "`\"\"`", || {
            remote(rtcmint::remote::LiveKitClient::new(
                "http://localhost:7880",
                LK_KEY,
                "",
            ))
        }),
        row("M04", "`AgoraClient::new` customer id", "`\"\"`", || {
            remote(rtcmint::remote::AgoraClient::new(
                "https://api.agora.io",
                AG_APP_ID,
                "",
                "secret",
            ))
        }),
        row("M05", "`ZegoClient::new` app id", "`0`", || {
            remote(rtcmint::remote::ZegoClient::new(
                "https://a.example",
                "https://b.example",
                0,
                Z_SECRET,
            ))
        }),
        row(
            "M06",
            "`ZegoClient::new` base URL",
            "`https://a.example/?x=1`",
            || {
                remote(rtcmint::remote::ZegoClient::new(
                    "https://a.example/?x=1",
                    "https://b.example",
                    1,
                    Z_SECRET,
                ))
            },
        ),
    ]
}

// ---------------------------------------------------------------- H: CLI hardening

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

fn rows_h() -> Vec<Case> {
    vec![
        row(
            "H01",
            "`decode --server-secret` (any secret flag)",
            "`--g…` (hyphen-leading) and a bad extra argument",
            || {
                cli(
                    rtcmint(),
                    &[
                        "decode",
                        "04AAAA",
                        "--server-secret",
                        "--gQz7Xq9vWk2MpL7rTn4YhB8sJd3FgK6",
                        "--not-a-real-flag",
                    ],
                )
            },
        ),
        row("H02", "`decode -` (standard input)", "3 MiB", || {
            let dir = scratch_dir("h02");
            let big = dir.join("big-token");
            std::fs::write(&big, "eyJ".repeat(1 << 20)).unwrap();
            let mut c = rtcmint();
            c.stdin(std::fs::File::open(&big).unwrap());
            cli(c, &["decode", "-"])
        }),
        row(
            "H03",
            "`decode -` (standard input)",
            "`/dev/zero` (256 MiB memory limit)",
            || cli(rtcmint_limited("decode - < /dev/zero"), &[]),
        ),
        row("H04", "`decode` token argument", "invalid UTF-8", || {
            use std::os::unix::ffi::OsStrExt as _;
            let mut c = rtcmint();
            c.arg("decode")
                .arg(std::ffi::OsStr::from_bytes(b"eyJ\xff\xfe.x.y"));
            cli(c, &[])
        }),
        row(
            "H05",
            "`verify -` (standard input)",
            "invalid UTF-8",
            || {
                let dir = scratch_dir("h05");
                let bad = dir.join("bad-utf8");
                std::fs::write(&bad, b"eyJ\xff\xfe.x.y\n").unwrap();
                let mut c = rtcmint();
                c.stdin(std::fs::File::open(&bad).unwrap());
                cli(with_livekit(c), &["verify", "-"])
            },
        ),
        row(
            "H06",
            "`--api-secret-file`",
            "`/dev/zero` (256 MiB memory limit)",
            || {
                cli(
                    rtcmint_limited(
                        "livekit mint --identity a --api-key k --api-secret-file /dev/zero",
                    ),
                    &[],
                )
            },
        ),
        row("H07", "`LIVEKIT_API_SECRET_FILE`", "an empty file", || {
            let dir = scratch_dir("h07");
            std::fs::write(dir.join("empty-secret"), "\n").unwrap();
            let mut c = rtcmint();
            c.current_dir(&dir)
                .env("LIVEKIT_API_KEY", LK_KEY)
                .env("LIVEKIT_API_SECRET_FILE", "empty-secret");
            cli(c, &["livekit", "mint", "--identity", "a"])
        }),
        row(
            "H08",
            "`verify --server-secret-file`",
            "an empty file",
            || {
                let dir = scratch_dir("h08");
                std::fs::write(dir.join("empty-secret"), "").unwrap();
                let mut c = rtcmint();
                c.current_dir(&dir);
                cli(
                    c,
                    &[
                        "verify",
                        "04AAAAAGnqkAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
                        "--server-secret-file",
                        "empty-secret",
                    ],
                )
            },
        ),
        row(
            "H09",
            "LiveKit token",
            "signature one character short",
            || {
                let t = lk_token(600);
                let (signed, sig) = t.rsplit_once('.').unwrap();
                lib(lk_verifier().verify_at(&format!("{signed}.{}", &sig[..42]), NOW))
            },
        ),
        row(
            "H10",
            "LiveKit token",
            "signature with non-zero trailing bits",
            || {
                // 43 characters carry 258 bits for 256: the last character's two low bits must be zero.
                // Setting one keeps the length and the alphabet but makes the encoding non-canonical.
                const B64URL: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let t = lk_token(600);
                let (signed, sig) = t.rsplit_once('.').unwrap();
                let last = B64URL
                    .iter()
                    .position(|&c| c == sig.as_bytes()[42])
                    .unwrap();
                assert_eq!(last & 3, 0);
                let bad = format!("{signed}.{}{}", &sig[..42], B64URL[last | 1] as char);
                lib(lk_verifier().verify_at(&bad, NOW))
            },
        ),
        row(
            "H11",
            "`verify` Agora 006 token",
            "malformed, no `--channel`",
            || cli(with_agora(rtcmint()), &["verify", "006garbage"]),
        ),
    ]
}

// ---------------------------------------------------------------- webhooks (W)

/// A webhook row: `r` must be a `WebhookError`; its variant, message and the exit code of its
/// kind (as `rtcmint webhook verify` maps it).
fn wh<T: std::fmt::Debug>(r: Result<T, WebhookError>) -> Seen {
    match r {
        Ok(v) => Seen {
            outcome: format!("accepted: {v:?}"),
            message: String::new(),
            exit: "0".into(),
            stderr: String::new(),
        },
        Err(e) => Seen {
            outcome: format!("WebhookError::{}", variant(&format!("{e:?}"))),
            message: e.to_string(),
            exit: exit_for(e.kind()).to_owned(),
            stderr: String::new(),
        },
    }
}

const WH_BODY: &str = r#"{"event":"room_started","room":{"sid":"RM_1","name":"demo"},"id":"EV_1","createdAt":"1767225600"}"#;
const WH_AGORA_BODY: &str = r#"{"noticeId":"n1","productId":1,"eventType":101,"notifyMs":1767225600000,"payload":{"channelName":"demo","ts":1767225599}}"#;
const WH_AGORA_SECRET: &str = "ncs-secret";
const WH_ZEGO_SECRET: &str = "zego-callback-secret";

/// A LiveKit webhook token for `body` issued at `iat` for 5 minutes, signed with `secret`.
fn wh_token(body: &[u8], secret: &str, iat: i64) -> String {
    let mut grants = ClaimGrants::new("");
    grants.sha256 = LiveKitWebhookVerifier::body_hash(body);
    LiveKitMinter::new(LK_KEY, secret)
        .unwrap()
        .encode(&grants, iat, Duration::from_secs(300))
        .unwrap()
        .as_str()
        .to_owned()
}

fn wh_livekit() -> LiveKitWebhookVerifier {
    LiveKitWebhookVerifier::new(LK_KEY, LK_SECRET).unwrap()
}

fn wh_lk(body: &[u8], auth: &str, now: i64) -> Result<rtcmint::webhook::Webhook, WebhookError> {
    wh_livekit().verify_at(body, &[("Authorization", auth)][..], now)
}

fn wh_agora() -> AgoraWebhookVerifier {
    AgoraWebhookVerifier::new(WH_AGORA_SECRET).unwrap()
}

fn wh_zego() -> ZegoWebhookVerifier {
    ZegoWebhookVerifier::new(WH_ZEGO_SECRET).unwrap()
}

/// A ZEGO `room_login` callback at `timestamp`, signed with `secret`.
fn wh_zego_body(secret: &str, timestamp: i64) -> String {
    let ts = timestamp.to_string();
    let sig = ZegoWebhookVerifier::new(secret)
        .unwrap()
        .sign(&ts, "350176");
    format!(
        r#"{{"event":"room_login","room_id":"r1","user_account":"alice","timestamp":{ts},"nonce":"350176","signature":"{sig}"}}"#
    )
}

/// `rtcmint webhook verify livekit` with the body in a file and one `Authorization` header.
fn wh_cli_livekit(id: &str, body: &[u8], auth: &str, extra: &[&str]) -> Seen {
    let dir = scratch_dir(id);
    let file = dir.join("body");
    std::fs::write(&file, body).unwrap();
    let mut args = vec![
        "webhook".to_owned(),
        "verify".to_owned(),
        "livekit".to_owned(),
        "--body".to_owned(),
        "body".to_owned(),
        "--header".to_owned(),
        format!("Authorization: {auth}"),
        "--now".to_owned(),
        (NOW + 1).to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    // Run in the scratch folder, so the message names the file as given (`body`).
    let mut c = with_livekit(rtcmint());
    c.current_dir(&dir);
    cli_s(c, &args)
}

fn rows_w() -> Vec<Case> {
    vec![
        row(
            "W01",
            "LiveKit webhook `Authorization`",
            "token signed with another secret",
            || {
                let token = wh_token(
                    WH_BODY.as_bytes(),
                    "another-secret-of-32-characters!!!!",
                    NOW,
                );
                wh(wh_lk(WH_BODY.as_bytes(), &token, NOW + 1))
            },
        ),
        row(
            "W02",
            "LiveKit webhook body",
            "one byte changed after signing",
            || {
                let token = wh_token(WH_BODY.as_bytes(), LK_SECRET, NOW);
                let tampered = WH_BODY.replace("demo", "dema");
                wh(wh_lk(tampered.as_bytes(), &token, NOW + 1))
            },
        ),
        row("W03", "LiveKit webhook `Authorization`", "missing", || {
            let none: [(&str, &str); 0] = [];
            wh(wh_livekit().verify_at(WH_BODY.as_bytes(), &none[..], NOW))
        }),
        row(
            "W04",
            "LiveKit webhook token `exp`",
            "61 s in the past (leeway 60 s)",
            || {
                let token = wh_token(WH_BODY.as_bytes(), LK_SECRET, NOW);
                wh(wh_lk(WH_BODY.as_bytes(), &token, NOW + 300 + 61))
            },
        ),
        row(
            "W05",
            "LiveKit webhook `Authorization`, `strict_authorization()`",
            "`Bearer ` and a valid token (accepted without `strict_authorization()`)",
            || {
                let token = format!("Bearer {}", wh_token(WH_BODY.as_bytes(), LK_SECRET, NOW));
                assert!(wh_lk(WH_BODY.as_bytes(), &token, NOW + 1).is_ok());
                wh(wh_livekit().strict_authorization().verify_at(
                    WH_BODY.as_bytes(),
                    &[("Authorization", token.as_str())][..],
                    NOW + 1,
                ))
            },
        ),
        row(
            "W06",
            "`webhook verify livekit --strict-authorization`",
            "`Authorization: Bearer …` (exit 0 without the flag)",
            || {
                let token = format!("Bearer {}", wh_token(WH_BODY.as_bytes(), LK_SECRET, NOW));
                let tolerant = wh_cli_livekit("w06a", WH_BODY.as_bytes(), &token, &[]);
                assert_eq!(tolerant.exit, "0", "{}", tolerant.stderr);
                wh_cli_livekit(
                    "w06",
                    WH_BODY.as_bytes(),
                    &token,
                    &["--strict-authorization"],
                )
            },
        ),
        row(
            "W07",
            "Agora webhook `Agora-Signature-V2`",
            "signed with another secret",
            || {
                let other = AgoraWebhookVerifier::new("another-secret").unwrap();
                let sig = other.sign_v2(WH_AGORA_BODY.as_bytes());
                wh(wh_agora().verify_at(
                    WH_AGORA_BODY.as_bytes(),
                    &[("Agora-Signature-V2", sig.as_str())][..],
                    NOW,
                ))
            },
        ),
        row(
            "W08",
            "Agora webhook body",
            "one byte changed after signing",
            || {
                let sig = wh_agora().sign_v2(WH_AGORA_BODY.as_bytes());
                let tampered = WH_AGORA_BODY.replace("demo", "dema");
                wh(wh_agora().verify_at(
                    tampered.as_bytes(),
                    &[("Agora-Signature-V2", sig.as_str())][..],
                    NOW,
                ))
            },
        ),
        row(
            "W09",
            "Agora webhook headers",
            "neither `Agora-Signature-V2` nor `Agora-Signature`",
            || {
                let h = [("Content-Type", "application/json")];
                wh(wh_agora().verify_at(WH_AGORA_BODY.as_bytes(), &h[..], NOW))
            },
        ),
        row(
            "W10",
            "ZEGO callback `timestamp`, `with_max_age(300 s)`",
            "301 s old",
            || {
                let body = wh_zego_body(WH_ZEGO_SECRET, NOW - 301);
                wh(wh_zego().with_max_age(Duration::from_secs(300)).verify_at(
                    body.as_bytes(),
                    &[("Content-Type", "application/json")][..],
                    NOW,
                ))
            },
        ),
        row(
            "W11",
            "`webhook verify zego --max-age 5m`",
            "`timestamp` 301 s old",
            || {
                let dir = scratch_dir("w11");
                let file = dir.join("body");
                std::fs::write(&file, wh_zego_body(WH_ZEGO_SECRET, NOW - 301)).unwrap();
                let mut c = rtcmint();
                c.env("ZEGO_CALLBACK_SECRET", WH_ZEGO_SECRET);
                cli_s(
                    c,
                    &[
                        "webhook".to_owned(),
                        "verify".to_owned(),
                        "zego".to_owned(),
                        "--body".to_owned(),
                        file.display().to_string(),
                        "--now".to_owned(),
                        NOW.to_string(),
                        "--max-age".to_owned(),
                        "5m".to_owned(),
                    ],
                )
            },
        ),
        row(
            "W12",
            "ZEGO callback `signature`",
            "signed with another secret",
            || {
                let body = wh_zego_body("another-callback-secret", NOW);
                wh(wh_zego().verify_at(body.as_bytes(), &[("a", "b")][..], NOW))
            },
        ),
        row("W13", "ZEGO callback `nonce`", "missing", || {
            let body = wh_zego_body(WH_ZEGO_SECRET, NOW).replace(r#""nonce":"350176","#, "");
            wh(wh_zego().verify_at(body.as_bytes(), &[("a", "b")][..], NOW))
        }),
        row(
            "W14",
            "any webhook body, `with_max_body(1024)`",
            "1025 bytes",
            || {
                let body = vec![b' '; 1025];
                let token = wh_token(&body, LK_SECRET, NOW);
                let lk = wh_livekit().with_max_body(1024).verify_at(
                    &body,
                    &[("Authorization", token.as_str())][..],
                    NOW + 1,
                );
                let agora = wh_agora()
                    .with_max_body(1024)
                    .verify_at(&body, &[("a", "b")][..], NOW);
                let zego = wh_zego()
                    .with_max_body(1024)
                    .verify_at(&body, &[("a", "b")][..], NOW);
                assert!(matches!(agora, Err(WebhookError::TooLarge { .. })));
                assert!(matches!(zego, Err(WebhookError::TooLarge { .. })));
                wh(lk)
            },
        ),
        row(
            "W15",
            "`webhook verify livekit --max-body 1024`",
            "1025 bytes",
            || {
                let body = vec![b' '; 1025];
                let token = wh_token(&body, LK_SECRET, NOW);
                wh_cli_livekit("w15", &body, &token, &["--max-body", "1024"])
            },
        ),
        row(
            "W16",
            "LiveKit webhook body",
            "a valid event re-serialised (same JSON value, other bytes)",
            || {
                let token = wh_token(WH_BODY.as_bytes(), LK_SECRET, NOW);
                let value: serde_json::Value = serde_json::from_str(WH_BODY).unwrap();
                let reserialised = serde_json::to_string_pretty(&value).unwrap();
                wh(wh_lk(reserialised.as_bytes(), &token, NOW + 1))
            },
        ),
        row(
            "W17",
            "LiveKit webhook body after a good signature",
            "not a JSON object (`[1]`)",
            || {
                let token = wh_token(b"[1]", LK_SECRET, NOW);
                wh(wh_lk(b"[1]", &token, NOW + 1))
            },
        ),
    ]
}
