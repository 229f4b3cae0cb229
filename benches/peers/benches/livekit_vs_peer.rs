//! rtcmint against the official `livekit-token` crate, side by side in one run.
//!
//! Workload (the performance notes' reference): a join token with identity, name, roomJoin on a
//! room and a 600 s ttl. Both minters build the token's claims on every call; rtcmint's minter
//! object is built once per secret (that is its design), the peer's `AccessToken` is built per
//! token (that is its API). Verification: both verify against the system clock.
//!
//! The ratios quoted in BENCHMARKS.md: `mint/livekit_token` over `mint/rtcmint` (grants built
//! and a `String` returned per token, like `to_jwt`), and `verify/livekit_token` over
//! `verify/rtcmint`.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use livekit_token::{AccessToken, TokenVerifier, VideoGrants};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::{TokenMinter, TokenRequest};

const KEY: &str = "APIvk8Qe3LmT2xRz";
const SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn bench(c: &mut Criterion) {
    let minter = LiveKitMinter::new(KEY, SECRET).unwrap();
    let verifier = LiveKitVerifier::new(KEY, SECRET).unwrap();
    let peer_verifier = TokenVerifier::with_api_key(KEY, SECRET);
    let t = now();

    let mut g = c.benchmark_group("mint");
    g.bench_function("rtcmint", |b| {
        b.iter(|| {
            let grants = ClaimGrants::new(black_box("alice"))
                .with_name(black_box("Alice Example"))
                .with_video(VideoGrant::join(black_box("my-room")));
            minter.encode(&grants, t, 600).unwrap()
        })
    });
    let mut out = String::with_capacity(512);
    let reused = ClaimGrants::new("alice")
        .with_name("Alice Example")
        .with_video(VideoGrant::join("my-room"));
    g.bench_function("rtcmint_encode_into", |b| {
        b.iter(|| {
            out.clear();
            minter
                .encode_into(black_box(&reused), t, 600, &mut out)
                .unwrap();
            out.len()
        })
    });
    let neutral = TokenRequest::new("alice")
        .room("my-room")
        .display_name("Alice Example")
        .ttl(Duration::from_secs(600));
    g.bench_function("rtcmint_token_minter", |b| {
        b.iter(|| minter.mint(black_box(&neutral)).unwrap())
    });
    g.bench_function("livekit_token", |b| {
        b.iter(|| {
            AccessToken::with_api_key(KEY, SECRET)
                .with_identity(black_box("alice"))
                .with_name(black_box("Alice Example"))
                .with_grants(VideoGrants {
                    room_join: true,
                    room: black_box("my-room").to_owned(),
                    ..Default::default()
                })
                .with_ttl(Duration::from_secs(600))
                .to_jwt()
                .unwrap()
        })
    });
    g.finish();

    let ours = minter.encode(&reused, t, 3600).unwrap();
    let theirs = AccessToken::with_api_key(KEY, SECRET)
        .with_identity("alice")
        .with_name("Alice Example")
        .with_grants(VideoGrants {
            room_join: true,
            room: "my-room".to_owned(),
            ..Default::default()
        })
        .with_ttl(Duration::from_secs(3600))
        .to_jwt()
        .unwrap();
    let mut g = c.benchmark_group("verify");
    g.bench_function("rtcmint", |b| {
        b.iter(|| verifier.verify(black_box(&ours)).unwrap())
    });
    g.bench_function("rtcmint_peer_token", |b| {
        b.iter(|| verifier.verify(black_box(&theirs)).unwrap())
    });
    g.bench_function("livekit_token", |b| {
        b.iter(|| peer_verifier.verify(black_box(&ours)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
