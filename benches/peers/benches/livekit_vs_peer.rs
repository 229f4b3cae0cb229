//! rtcmint against the official `livekit-token` crate, measured interleaved.
//!
//! Criterion measures one function after the other; on a shared machine the load changes between
//! them and the ratio with it (1.9x, 2.1x and 3.0x in three runs of the same code). Here both
//! sides run in alternating rounds instead (`A B`, then `B A`, ...), each side a batch of calls
//! lasting ~25 µs, and what is reported is the median of the per-round ratios with its
//! quartiles: a load change hits both sides of a round alike.
//!
//! Usage: `cargo bench --bench livekit_vs_peer [-- ROUNDS]` (default 300 rounds per pair).
//! Workload (the performance notes' reference): identity `alice`, name `Alice Example`,
//! `roomJoin` on `my-room`, ttl 600 s.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use livekit_token::{AccessToken, TokenVerifier, VideoGrants};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::{TokenMinter, TokenRequest};

const KEY: &str = "APIvk8Qe3LmT2xRz";
const SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";
/// Target duration of one side's batch in a round.
const BATCH: Duration = Duration::from_micros(25);

type Op<'a> = Box<dyn FnMut() -> usize + 'a>;

/// Nanoseconds per call of `f` over `iters` calls.
fn per_call(f: &mut Op<'_>, iters: u32) -> f64 {
    let start = Instant::now();
    let mut sum = 0usize;
    for _ in 0..iters {
        sum = sum.wrapping_add(f());
    }
    black_box(sum);
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

/// Calls per batch so that one batch lasts about [`BATCH`].
fn calibrate(f: &mut Op<'_>) -> u32 {
    for _ in 0..200 {
        f(); // warm caches and thread-local buffers
    }
    let mut samples: Vec<f64> = (0..21).map(|_| per_call(f, 50)).collect();
    samples.sort_by(f64::total_cmp);
    let ns = samples[samples.len() / 2].max(1.0);
    ((BATCH.as_nanos() as f64 / ns) as u32).max(1)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Runs `peer` and `ours` in alternating rounds; prints the medians and the ratio peer ÷ ours.
fn compare(name: &str, rounds: usize, mut peer: Op<'_>, mut ours: Op<'_>) {
    let (np, no) = (calibrate(&mut peer), calibrate(&mut ours));
    let (mut tp, mut to, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (p, o) = if round % 2 == 0 {
            let p = per_call(&mut peer, np);
            (p, per_call(&mut ours, no))
        } else {
            let o = per_call(&mut ours, no);
            (per_call(&mut peer, np), o)
        };
        tp.push(p);
        to.push(o);
        ratio.push(p / o);
    }
    for v in [&mut tp, &mut to, &mut ratio] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "{name:<28} peer {:>8.1} ns  rtcmint {:>7.1} ns  ratio median {:.2}x  (quartiles {:.2}-{:.2}x, {rounds} rounds)",
        quantile(&tp, 0.5),
        quantile(&to, 0.5),
        quantile(&ratio, 0.5),
        quantile(&ratio, 0.25),
        quantile(&ratio, 0.75),
    );
}

fn peer_token(ttl: u64) -> String {
    AccessToken::with_api_key(KEY, SECRET)
        .with_identity(black_box("alice"))
        .with_name(black_box("Alice Example"))
        .with_grants(VideoGrants {
            room_join: true,
            room: black_box("my-room").to_owned(),
            ..Default::default()
        })
        .with_ttl(Duration::from_secs(ttl))
        .to_jwt()
        .unwrap()
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let minter = LiveKitMinter::new(KEY, SECRET).unwrap();
    let verifier = LiveKitVerifier::new(KEY, SECRET).unwrap();
    let peer_verifier = TokenVerifier::with_api_key(KEY, SECRET);
    let neutral = TokenRequest::new("alice")
        .room("my-room")
        .display_name("Alice Example")
        .ttl(Duration::from_secs(600));
    let grants = ClaimGrants::new("alice")
        .with_name("Alice Example")
        .with_video(VideoGrant::join("my-room"));
    let ttl = Duration::from_secs(600);
    let mut out = String::with_capacity(512);
    let out = &mut out;

    println!(
        "load average before: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    compare(
        "mint: TokenMinter::mint",
        rounds,
        Box::new(|| peer_token(600).len()),
        Box::new(|| minter.mint(black_box(&neutral)).unwrap().token.len()),
    );
    compare(
        "mint: encode (grants built)",
        rounds,
        Box::new(|| peer_token(600).len()),
        Box::new(|| {
            let g = ClaimGrants::new(black_box("alice"))
                .with_name(black_box("Alice Example"))
                .with_video(VideoGrant::join(black_box("my-room")));
            minter.encode(&g, now, ttl).unwrap().token.len()
        }),
    );
    compare(
        "mint: encode_into (reused)",
        rounds,
        Box::new(|| peer_token(600).len()),
        Box::new(|| {
            out.clear();
            minter
                .encode_into(black_box(&grants), now, ttl, out)
                .unwrap();
            out.len()
        }),
    );
    let ours = minter
        .encode(&grants, now, Duration::from_secs(3600))
        .unwrap()
        .token;
    let theirs = peer_token(3600);
    compare(
        "verify (our token)",
        rounds,
        Box::new(|| peer_verifier.verify(black_box(&ours)).unwrap().sub.len()),
        Box::new(|| verifier.verify(black_box(&ours)).unwrap().exp as usize),
    );
    compare(
        "verify (peer's token)",
        rounds,
        Box::new(|| peer_verifier.verify(black_box(&theirs)).unwrap().sub.len()),
        Box::new(|| verifier.verify(black_box(&theirs)).unwrap().exp as usize),
    );
    println!(
        "load average after: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
}
