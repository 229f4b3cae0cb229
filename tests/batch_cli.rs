//! `rtcmint batch` run as a user would: streaming, bounded memory, thread limits, failure
//! records, output file mode, help and quiet mode.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cli_support;

use cli_support::rtcmint;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rtcmint::livekit::LiveKitVerifier;
use serde_json::Value;

const KEY: &str = "APIbatchkey";
const SECRET: &str = "batch-test-secret-of-32-characters!!";
/// How long a test waits for the child before giving up (a guard against hanging, not a timing
/// assertion).
const PATIENCE: Duration = Duration::from_secs(120);

fn livekit() -> Command {
    let mut c = rtcmint();
    c.env("LIVEKIT_API_KEY", KEY)
        .env("LIVEKIT_API_SECRET", SECRET);
    c
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
    match writer.join().unwrap() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    out
}

fn records(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn spawn_piped(mut c: Command, args: &[&str]) -> Child {
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads one line from the child's stdout on a helper thread, so a child that never answers
/// fails the test instead of hanging it.
fn read_line_within(reader: &mut Option<BufReader<std::process::ChildStdout>>) -> String {
    let mut r = reader.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let n = r.read_line(&mut line).unwrap();
        tx.send((line, n, r)).unwrap();
    });
    let (line, n, r) = rx
        .recv_timeout(PATIENCE)
        .expect("no result while the input was still open");
    assert!(n > 0, "stdout closed early");
    *reader = Some(r);
    line
}

fn request(id: usize) -> String {
    format!(r#"{{"id":{id},"vendor":"livekit","identity":"user-{id}","room":"r","ttl":600}}"#)
}

#[test]
fn results_flow_while_the_input_is_still_open() {
    let mut child = spawn_piped(livekit(), &["batch", "--quiet"]);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = Some(BufReader::new(child.stdout.take().unwrap()));
    for id in 1..=3 {
        writeln!(stdin, "{}", request(id)).unwrap();
        stdin.flush().unwrap();
        // The result arrives before any more input is written (and before the end of input).
        let v: Value = serde_json::from_str(&read_line_within(&mut stdout)).unwrap();
        assert_eq!(v["line"], id);
        assert_eq!(v["id"], id);
        assert_eq!(v["ok"], true, "{v}");
    }
    drop(stdin);
    let mut rest = String::new();
    stdout.take().unwrap().read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
    assert!(child.wait().unwrap().success());
}

/// Peak resident memory of a running process, from `/proc` (Linux only).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn memory_stays_bounded_whatever_the_input_size() {
    if !std::path::Path::new("/proc/self/status").exists() {
        return; // the measurement needs Linux's /proc
    }
    let mut child = spawn_piped(livekit(), &["batch", "--quiet"]);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = Some(BufReader::new(child.stdout.take().unwrap()));
    writeln!(stdin, "{}", request(1)).unwrap();
    // 128 MiB of blank lines (1 KiB each): counted, skipped, never all held.
    let blank = format!("{}\n", " ".repeat(1023));
    let mib = blank.repeat(1024);
    for _ in 0..128 {
        stdin.write_all(mib.as_bytes()).unwrap();
    }
    writeln!(stdin, "{}", request(2)).unwrap();
    stdin.flush().unwrap();
    let first: Value = serde_json::from_str(&read_line_within(&mut stdout)).unwrap();
    let second: Value = serde_json::from_str(&read_line_within(&mut stdout)).unwrap();
    // Measured while the input is still open: the process has read all of it by now.
    let peak = peak_rss_kib(child.id()).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(first["line"], 1);
    assert_eq!(second["line"], 2 + 128 * 1024, "blank lines count");
    assert!(
        peak < 48 * 1024,
        "peak RSS {peak} KiB for 128 MiB of input: the input is held in memory"
    );
}

#[test]
fn threads_are_bounded_with_a_usage_error() {
    for bad in ["100000", "257", "0", "-1", "many"] {
        let o = run_stdin(livekit(), &["batch", &format!("--threads={bad}")], b"");
        assert_eq!(o.status.code(), Some(2), "--threads {bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--threads"), "{}", stderr(&o));
    }
    let o = run_stdin(
        livekit(),
        &["batch", "--threads", "256", "--quiet"],
        request(1).as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(records(&o).len(), 1);
}

/// `rtcmint batch ARGS` under a process limit of `nproc` (threads count), as an unprivileged
/// user: root ignores the limit, so as root the command runs as `nobody` through `setpriv`.
/// `None` where `prlimit` (util-linux) is missing.
fn batch_under_nproc_limit(nproc: u32, args: &[&str]) -> Option<Output> {
    let bin = env!("CARGO_BIN_EXE_rtcmint");
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("prlimit") {
        return None;
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"));
    let limit = format!("--nproc={nproc}:{nproc}");
    let mut c = if root {
        if !have("setpriv") {
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "prlimit",
        ]);
        c
    } else {
        Command::new("prlimit")
    };
    c.args([limit.as_str(), "--", bin, "batch"])
        .args(args)
        .env("LIVEKIT_API_KEY", KEY)
        .env("LIVEKIT_API_SECRET", SECRET);
    Some(run_stdin(c, &[], request(1).as_bytes()))
}

#[test]
fn a_thread_that_cannot_start_is_exit_1_not_a_panic() {
    // 64 workers under a limit of 20 threads; then 2 workers fit but the writer does not.
    for (nproc, threads, what) in [(20, "64", "worker threads"), (3, "2", "writer thread")] {
        let Some(o) = batch_under_nproc_limit(nproc, &["--threads", threads]) else {
            eprintln!("skipped: prlimit/setpriv not available");
            return;
        };
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(&format!("cannot start the {what}")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // The same command with room to spare mints.
    let o = batch_under_nproc_limit(64, &["--threads", "2"]).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn failure_records_keep_id_vendor_and_kind() {
    let mut lines: Vec<String> = (1..=999).map(request).collect();
    lines.extend(
        [
            r#"{"id":"a","vendor":"zego","identity":"x","roomm":"r"}"#,
            r#"{"id":"b","vendor":"agora","identity":"x","room":"c","ttl":"#,
            r#"{"id":"c","vendor":"livekit","identity":"x","ttl":true}"#,
            r#"{"id":"d","vendor":"zego","identity":"x","room":"c","display_name":"D"}"#,
            r#"{"id":"e","vendor":"agora","identity":"x","room":"c"}"#,
            r#"{"id":"f","vendor":"agora","identity":"x"}"#,
            r#"{"id":"g","vendor":"twilio","identity":"x"}"#,
            r#"["not","an","object"]"#,
            r#"{"id":"i","vendor":"livekit"}"#,
            r#"{"id":"j","vendor":"livekit","identity":"x","bogus_field":1}"#,
        ]
        .map(str::to_owned),
    );
    let mut c = livekit();
    c.env("ZEGO_APP_ID", "1234567890")
        .env("ZEGO_SERVER_SECRET", "fa94dd0f974cf2e293728a526b028271");
    let o = run_stdin(c, &["batch", "--quiet"], lines.join("\n").as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = records(&o);
    assert_eq!(r.len(), 1009);
    let fail = &r[999..];
    let expect: [(&str, Option<&str>, &str, &str); 10] = [
        ("a", Some("zego"), "unknown_field", "did you mean `room`?"),
        (
            "b",
            Some("agora"),
            "invalid_json",
            "not valid JSON at column",
        ),
        ("c", Some("livekit"), "invalid_request", "`ttl`"),
        ("d", Some("zego"), "unsupported", "display_name"),
        ("e", Some("agora"), "no_credentials", "no agora credentials"),
        ("f", Some("agora"), "no_credentials", "no agora credentials"),
        ("g", None, "invalid_request", "unknown vendor \"twilio\""),
        ("", None, "invalid_request", "must be a JSON object"),
        (
            "i",
            Some("livekit"),
            "invalid_request",
            "missing field `identity`",
        ),
        (
            "j",
            Some("livekit"),
            "unknown_field",
            "unknown field `bogus_field`",
        ),
    ];
    for (i, (rec, (id, vendor, kind, msg))) in fail.iter().zip(expect).enumerate() {
        assert_eq!(rec["line"], 1000 + i, "{rec}");
        assert_eq!(rec["ok"], false, "{rec}");
        if id.is_empty() {
            assert!(rec.get("id").is_none(), "{rec}");
        } else {
            assert_eq!(rec["id"], id, "{rec}");
        }
        assert_eq!(rec.get("vendor").and_then(Value::as_str), vendor, "{rec}");
        assert_eq!(rec["kind"], kind, "{rec}");
        let error = rec["error"].as_str().unwrap();
        assert!(error.contains(msg), "{rec}");
        // Written for CLI users: no Rust paths, no position that contradicts `line`.
        assert!(!error.contains("::"), "{rec}");
        assert!(!error.contains("at line"), "{rec}");
    }
    // Without Agora credentials, a line without a room still names the missing credentials;
    // with them, the vendor's own message is for CLI users too.
    let mut c = livekit();
    c.env("AGORA_APP_ID", "970CA35de60c44645bbae8a215061b33")
        .env("AGORA_APP_CERTIFICATE", "5CFd2fd1755d40ecb72977518be15d3b");
    let o = run_stdin(
        c,
        &["batch", "--quiet"],
        br#"{"id":1,"vendor":"agora","identity":"x"}"#,
    );
    let rec = &records(&o)[0];
    assert_eq!(rec["kind"], "invalid_request", "{rec}");
    assert!(!rec["error"].as_str().unwrap().contains("::"), "{rec}");
}

#[test]
fn unreadable_lines_get_records_and_the_run_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\":1,\"vendor\":\"livekit\",\"identity\":\"\xff\"}\n");
    // A line over the 1 MiB limit, with its id first.
    input.extend_from_slice(br#"{"id":"long","vendor":"livekit","identity":""#);
    input.extend(std::iter::repeat_n(b'x', 3 << 20));
    input.extend_from_slice(b"\"}\r\n");
    input.extend_from_slice(request(3).as_bytes());
    input.extend_from_slice(b"\r\n");
    let o = run_stdin(livekit(), &["batch", "--quiet"], &input);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = records(&o);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0]["kind"], "invalid_json");
    assert_eq!(r[0]["id"], 1, "the id before the bad byte is kept");
    assert!(r[0]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(r[1]["line"], 2);
    assert_eq!(r[1]["kind"], "line_too_long");
    assert_eq!(r[1]["id"], "long");
    assert_eq!(r[2]["line"], 3);
    assert_eq!(r[2]["ok"], true, "CRLF line endings are accepted");
    let v = LiveKitVerifier::new(KEY, SECRET).unwrap();
    assert_eq!(
        v.verify(r[2]["token"].as_str().unwrap())
            .unwrap()
            .grants
            .identity,
        "user-3"
    );
}

#[cfg(unix)]
#[test]
fn a_new_output_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("rtcmint-batch-mode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("tokens.jsonl");
    let _ = std::fs::remove_file(&out);
    let o = run_stdin(
        livekit(),
        &["batch", "--quiet", "-o", out.to_str().unwrap()],
        request(1).as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("\"ok\":true")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_the_request_schema() {
    let o = rtcmint().args(["batch", "--help"]).output().unwrap();
    let help = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "vendor",
        "identity",
        "display_name",
        "can_publish_data",
        "is_admin",
        "metadata",
        "issued_at",
        "invalid_json",
        "unknown_field",
        "--quiet",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
    assert!(!help.contains("rtcmint::batch"), "{help}");
}

#[test]
fn quiet_silences_the_summary() {
    let o = run_stdin(livekit(), &["batch"], request(1).as_bytes());
    let err = stderr(&o);
    assert!(
        err.starts_with("batch: 1 requests, 1 minted, 0 failed"),
        "{err}"
    );
    // The rate is whole tokens per second.
    let rate = err
        .split('(')
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches(" tokens/s)");
    assert!(rate.parse::<u64>().is_ok(), "{err}");
    let o = run_stdin(livekit(), &["batch", "--quiet"], request(1).as_bytes());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    assert_eq!(records(&o).len(), 1);
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    let mut child = spawn_piped(livekit(), &["batch", "--quiet"]);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = Some(BufReader::new(child.stdout.take().unwrap()));
    writeln!(stdin, "{}", request(1)).unwrap();
    stdin.flush().unwrap();
    read_line_within(&mut stdout);
    drop(stdout); // like `| head -1`
    // Keep writing until the child notices: its next write fails with a broken pipe.
    let line = format!("{}\n", request(2)).repeat(1000);
    while stdin.write_all(line.as_bytes()).is_ok() {}
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}
