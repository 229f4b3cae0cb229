//! Replays the committed fuzz inputs (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`,
//! `fuzz/corpus-min/<target>/`, the minimised corpus of the recorded runs, and a
//! local `fuzz/corpus/<target>/` when one exists) through exactly the functions the cargo-fuzz
//! targets run (`fuzz/src/lib.rs`, included here). This keeps every crash fixed and every target
//! invariant checked in the ordinary `cargo test`, on machines without cargo-fuzz or nightly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions", "corpus-min", "corpus"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_file() {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str) {
    let (_, body) = targets::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("known target");
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no seeds for {target}");
    for (path, data) in &inputs {
        let r = std::panic::catch_unwind(|| body(data));
        assert!(r.is_ok(), "{target}: input {path} panics");
    }
    println!("{target}: {} inputs replayed", inputs.len());
}

#[test]
fn every_target_has_a_replay_test_and_seeds() {
    let names: Vec<&str> = targets::TARGETS.iter().map(|(n, _)| *n).collect();
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml"))
            .unwrap();
    for name in &names {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} is not a [[bin]] in fuzz/Cargo.toml"
        );
    }
    assert_eq!(manifest.matches("[[bin]]").count(), names.len());
}

#[test]
fn replay_livekit() {
    replay("livekit");
}

#[test]
fn replay_batch_line() {
    replay("batch_line");
}

#[test]
fn replay_agora_007() {
    replay("agora_007");
}

#[test]
fn replay_agora_006() {
    replay("agora_006");
}

#[test]
fn replay_zego_cbc() {
    replay("zego_cbc");
}

#[test]
fn replay_zego_gcm() {
    replay("zego_gcm");
}

#[test]
fn replay_decode_any() {
    replay("decode_any");
}

#[test]
fn replay_gateway_body() {
    replay("gateway_body");
}

#[test]
fn replay_webhook() {
    replay("webhook");
}

#[test]
fn replay_webhook_livekit_event() {
    replay("webhook_livekit_event");
}
