//! After a ZEGO minter or verifier is dropped, no copy of the server secret is left in the
//! memory of the thread that used it.
//!
//! Method (Linux): the test builds the secret at run time (so it is in no binary section), runs
//! key setup, a mint or a decode and the drop inside a function that returns, then reads its own
//! memory through `/proc/self/mem` — the whole mapping that holds the current thread's stack
//! (found in `/proc/self/maps` from the address of a local), which covers every frame the
//! library used — and counts the places where either 16-byte half of the secret appears (an
//! AES-256 key schedule starts with the key itself, so a leftover schedule shows up as well as a
//! leftover key). Heap copies are covered by zeroize-on-drop (`Secret`, the `zeroize` features
//! of `aes`, `aes-gcm` and `cbc`) and checked by the same scan over the heap mapping.

#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::io::{Read as _, Seek as _, SeekFrom};

use rtcmint::Secret;
use rtcmint::zego::{MintInputs, Mode, ZegoMinter, ZegoVerifier};

/// A 32-character secret unique to this run, built on the heap.
fn fresh_secret(tag: u8) -> String {
    let seed = std::process::id().to_le_bytes();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut v = Vec::with_capacity(32);
    let mut x: u32 = u32::from_le_bytes(seed) ^ (u32::from(tag) << 24) ^ 0x9e37_79b9;
    for _ in 0..32 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(alphabet[(x % 62) as usize]);
    }
    String::from_utf8(v).unwrap()
}

/// The readable address ranges of the mapping that holds `addr`, and of `[heap]`.
fn mappings_of(addr: usize) -> Vec<(usize, usize, String)> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut out = Vec::new();
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let range = parts.next().unwrap();
        let perms = parts.next().unwrap();
        let (lo, hi) = range.split_once('-').unwrap();
        let lo = usize::from_str_radix(lo, 16).unwrap();
        let hi = usize::from_str_radix(hi, 16).unwrap();
        let name = line.split_whitespace().nth(5).unwrap_or("").to_owned();
        if perms.starts_with("rw") && ((lo..hi).contains(&addr) || name == "[heap]") {
            out.push((
                lo,
                hi,
                if (lo..hi).contains(&addr) {
                    "stack".into()
                } else {
                    name
                },
            ));
        }
    }
    out
}

/// Counts occurrences of either 16-byte half of the secret in the current thread's stack
/// mapping and in the heap. `probe` is the secret with every byte inverted, so that the
/// comparison itself never puts the secret in memory.
#[inline(never)]
fn count_copies(probe: &[u8]) -> Vec<(String, usize)> {
    let marker = 0u8;
    let here = black_box(&marker) as *const u8 as usize;
    let halves = [&probe[..16], &probe[16..]];
    let is_half = |w: &[u8], h: &[u8]| w.iter().zip(h).all(|(a, b)| a ^ 0xff == *b);
    let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
    let mut found = Vec::new();
    for (lo, hi, name) in mappings_of(here) {
        let mut buf = vec![0u8; hi - lo];
        // Pages that cannot be read (guard pages) are skipped, page by page.
        let mut off = 0;
        while off < buf.len() {
            let end = (off + 4096).min(buf.len());
            if mem.seek(SeekFrom::Start((lo + off) as u64)).is_ok() {
                let _ = mem.read_exact(&mut buf[off..end]);
            }
            off = end;
        }
        let n = buf
            .windows(16)
            .filter(|w| halves.iter().any(|h| is_half(w, h)))
            .count();
        found.push((name, n));
    }
    found
}

#[inline(never)]
fn use_minter(secret: String, mode: Mode) {
    let minter = ZegoMinter::new(1_234_567_890, Secret::new(secret))
        .unwrap()
        .with_mode(mode);
    let iv = vec![7u8; mode.iv_len()];
    let mut token = String::new();
    let inputs = MintInputs::new("user", 1_767_225_600, 3600, 42, &iv);
    minter.encode_into(&inputs, &mut token).unwrap();
    let verifier = minter.verifier();
    verifier.decode(black_box(&token)).unwrap();
    drop(black_box(verifier));
    drop(black_box(minter));
}

#[inline(never)]
fn use_verifier(secret: String, token: &str) {
    let verifier = ZegoVerifier::new(Secret::new(secret))
        .unwrap()
        .with_expected_app_id(1_234_567_890);
    let _ = verifier.decode(black_box(token));
    drop(black_box(verifier));
}

/// A token minted with another secret (decoding it fails: the failure path runs too).
fn other_token() -> String {
    let minter = ZegoMinter::new(1, "fa94dd0f974cf2e293728a526b028271").unwrap();
    let mut token = String::new();
    let iv = [1u8; 16];
    minter
        .encode_into(&MintInputs::new("u", 1, 60, 1, &iv), &mut token)
        .unwrap();
    token
}

fn assert_no_copies(what: &str, probe: &[u8], run: impl FnOnce()) {
    run();
    let found = count_copies(probe);
    assert!(
        found.iter().all(|(_, n)| *n == 0),
        "{what}: copies of the secret left after drop: {found:?}"
    );
}

#[test]
fn no_copy_of_the_server_secret_after_drop() {
    // Each case runs on a fresh thread so its stack holds nothing from the others.
    let cases: Vec<(&str, u8)> = vec![("cbc minter", 1), ("gcm minter", 2), ("verifier", 3)];
    for (what, tag) in cases {
        let token = other_token();
        std::thread::spawn(move || {
            let secret = fresh_secret(tag);
            let probe: Vec<u8> = secret.bytes().map(|b| b ^ 0xff).collect();
            let run = move || match tag {
                1 => use_minter(secret, Mode::Cbc),
                2 => use_minter(secret, Mode::Gcm),
                _ => use_verifier(secret, &token),
            };
            assert_no_copies(what, &probe, run);
        })
        .join()
        .unwrap();
    }
}
