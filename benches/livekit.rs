//! LiveKit mint and verify benchmarks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
use rtcmint::{FixedClock, TokenMinter, TokenRequest};
use sha2::Sha256;

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
                .encode_into(
                    black_box(&g),
                    black_box(NOW),
                    std::time::Duration::from_secs(600),
                    &mut out,
                )
                .unwrap();
            black_box(out.len())
        })
    });
    group.bench_function("mint_string", |b| {
        b.iter(|| {
            minter
                .encode(
                    black_box(&g),
                    black_box(NOW),
                    std::time::Duration::from_secs(600),
                )
                .unwrap()
        })
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
    group.bench_function("mint_request_into", |b| {
        b.iter(|| {
            out.clear();
            neutral.mint_into(black_box(&req), &mut out).unwrap();
            black_box(out.len())
        })
    });
    let token = minter
        .encode(&g, NOW, std::time::Duration::from_secs(600))
        .unwrap();
    group.bench_function("verify", |b| {
        b.iter(|| verifier.verify_at(black_box(&token), NOW + 1).unwrap())
    });
    group.finish();

    // The floor: what any HS256 minter or verifier must pay for this token.
    let signed = &token[..token.rfind('.').unwrap()];
    let mut floor = c.benchmark_group("livekit_floor");
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    floor.bench_function(format!("hmac_prekeyed_{}B", signed.len()), |b| {
        b.iter(|| {
            let mut m = keyed.clone();
            m.update(black_box(signed.as_bytes()));
            m.finalize().into_bytes()
        })
    });
    let payload = URL_SAFE_NO_PAD
        .decode(signed.split('.').nth(1).unwrap())
        .unwrap();
    let mut b64 = String::with_capacity(512);
    floor.bench_function(format!("base64url_scalar_encode_{}B", payload.len()), |b| {
        b.iter(|| {
            b64.clear();
            URL_SAFE_NO_PAD.encode_string(black_box(&payload), &mut b64);
            b64.len()
        })
    });
    floor.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
