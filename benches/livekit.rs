//! LiveKit mint and verify benchmarks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::{FixedClock, TokenMinter, TokenRequest};

const KEY: &str = "APIvk8Qe3LmT2xRz";
const SECRET: &str = "c9Rf2LwK7pXn4Vt8Hq1Zs6Bm3Jd5Ny0Ga7Ue2Oi9Wk4";
const NOW: i64 = 1_767_225_600;

/// The reference workload of the performance notes: identity, name, roomJoin on a room, ttl 600.
fn grants() -> ClaimGrants {
    ClaimGrants::new("alice")
        .with_name("Alice Example")
        .with_video(VideoGrant::join("my-room"))
}

fn bench(c: &mut Criterion) {
    let minter = LiveKitMinter::new(KEY, SECRET).unwrap();
    let verifier = LiveKitVerifier::new(KEY, SECRET).unwrap();
    let g = grants();
    let mut out = String::with_capacity(512);

    let mut group = c.benchmark_group("livekit");
    group.bench_function("mint_into", |b| {
        b.iter(|| {
            out.clear();
            minter
                .encode_into(black_box(&g), black_box(NOW), 600, &mut out)
                .unwrap();
            black_box(out.len())
        })
    });
    group.bench_function("mint_string", |b| {
        b.iter(|| minter.encode(black_box(&g), black_box(NOW), 600).unwrap())
    });
    let neutral = LiveKitMinter::new(KEY, SECRET)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)));
    let req = TokenRequest::new("alice")
        .room("my-room")
        .display_name("Alice Example")
        .ttl(std::time::Duration::from_secs(600));
    group.bench_function("mint_neutral_request", |b| {
        b.iter(|| neutral.mint(black_box(&req)).unwrap())
    });
    let token = minter.encode(&g, NOW, 600).unwrap();
    group.bench_function("verify", |b| {
        b.iter(|| verifier.verify_at(black_box(&token), NOW + 1).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
