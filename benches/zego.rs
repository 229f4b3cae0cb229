//! zego benchmarks: token04 mint (CBC, GCM) and decode + verify.
//!
//! Quick run: `cargo bench --bench zego -- --warm-up-time 1 --measurement-time 2`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rtcmint::zego::{Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{TokenMinter, TokenRequest};

const SECRET: &str = "fa94dd0f974cf2e293728a526b028271";
const APP_ID: u32 = 1_234_567_890;

fn bench(c: &mut Criterion) {
    let strict = Payload::Privilege(
        PrivilegePayload::new("room-4711")
            .publish_stream(true)
            .stream_ids(["stream-1"]),
    );
    for mode in [Mode::Cbc, Mode::Gcm] {
        let minter = ZegoMinter::new(APP_ID, SECRET).unwrap().with_mode(mode);
        let verifier = ZegoVerifier::new(SECRET).unwrap();
        let mut out = String::with_capacity(512);

        c.bench_function(&format!("zego/{mode}/mint_into/identity"), |b| {
            b.iter(|| {
                out.clear();
                minter
                    .token_into(
                        black_box("user-12345"),
                        std::time::Duration::from_secs(3600),
                        &Payload::Identity,
                        &mut out,
                    )
                    .unwrap();
                black_box(&out);
            })
        });
        c.bench_function(&format!("zego/{mode}/mint_into/privilege"), |b| {
            b.iter(|| {
                out.clear();
                minter
                    .token_into(
                        black_box("user-12345"),
                        std::time::Duration::from_secs(3600),
                        &strict,
                        &mut out,
                    )
                    .unwrap();
                black_box(&out);
            })
        });
        let request = TokenRequest::new("user-12345").room("room-4711");
        c.bench_function(&format!("zego/{mode}/mint_request_into"), |b| {
            b.iter(|| {
                out.clear();
                black_box(minter.mint_into(black_box(&request), &mut out).unwrap());
            })
        });
        c.bench_function(&format!("zego/{mode}/TokenMinter::mint"), |b| {
            b.iter(|| black_box(minter.mint(black_box(&request)).unwrap()))
        });

        let token = minter
            .token("user-12345", std::time::Duration::from_secs(3600), &strict)
            .unwrap();
        let now = verifier.decode(&token).unwrap().issued_at;
        c.bench_function(&format!("zego/{mode}/decode_verify"), |b| {
            b.iter(|| black_box(verifier.verify_at(black_box(&token), now).unwrap()))
        });
        let plain = minter
            .token(
                "user-12345",
                std::time::Duration::from_secs(3600),
                &Payload::Identity,
            )
            .unwrap();
        c.bench_function(&format!("zego/{mode}/decode_verify/identity"), |b| {
            b.iter(|| black_box(verifier.verify_at(black_box(&plain), now).unwrap()))
        });
        c.bench_function(&format!("zego/{mode}/verify_fn_with_key_setup"), |b| {
            b.iter(|| {
                black_box(
                    rtcmint::zego::ZegoVerifier::new(SECRET)
                        .and_then(|v| v.verify_at(black_box(&token), now))
                        .unwrap(),
                )
            })
        });
    }
    // The stack wipe every ZEGO mint and decrypt ends with (`src/zego/key.rs`, `scrub_stack`:
    // 1024 zeroed words in release builds), alone: the cost the secret-hygiene fix adds per token.
    c.bench_function("zego/stack_wipe_8k", |b| b.iter(stack_wipe_8k));
}

/// The same code as `scrub_stack` (private to the crate): 8 KiB of stack zeroed and kept alive.
#[inline(never)]
fn stack_wipe_8k() {
    let wipe = [0u64; 1024];
    black_box(&wipe);
}

criterion_group!(benches, bench);
criterion_main!(benches);
