//! Agora AccessToken2 benchmarks: mint (stored and deflate), decode, decode + verify.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rtcmint::agora::{self, AccessToken2, AgoraMinter, Compression, RtcRole};
use rtcmint::{TokenMinter, TokenRequest};

const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const CHANNEL: &str = "7d72365eb983485397e3e3f9d460bdda";
/// The Python reference's token for the same inputs (C zlib, dynamic Huffman block).
const PY_TOKEN: &str = "007eJxTYDhuGCT90E3Yo2+N3efJV5hX1K1MZAqae/Sa8UP9VXvOhfArMFiaGzg7GpumpJoZJJuYmJmYJiUlplokGhmaGpgZJhkbu38RYIhgYmBgZABhRgYWIAbxmcAkM5hkAZMKDOYp5kbGZqapSZYWxiYWpsaW5qnGqcZplikmZgZJKSmJXAxGFhZGxiaGRubGAKizJcs=";

/// The floor: the three HMAC-SHA256 of the AccessToken2 key chain and signature.
fn hmac_floor(c: &mut Criterion) {
    use hmac::{Hmac, KeyInit, Mac};
    type H = Hmac<sha2::Sha256>;
    let signing_info = [7u8; 122];
    c.bench_function("agora/floor: 3x HMAC-SHA256", |b| {
        b.iter(|| {
            let mut m =
                <H as KeyInit>::new_from_slice(&black_box(1_111_111u32).to_le_bytes()).unwrap();
            m.update(CERT.as_bytes());
            let k1 = m.finalize().into_bytes();
            let mut m = <H as KeyInit>::new_from_slice(&black_box(1u32).to_le_bytes()).unwrap();
            m.update(&k1);
            let k = m.finalize().into_bytes();
            let mut m = <H as KeyInit>::new_from_slice(&k).unwrap();
            m.update(black_box(&signing_info));
            black_box(m.finalize().into_bytes())
        });
    });
}

fn bench(c: &mut Criterion) {
    let minter = AgoraMinter::new(APP_ID, CERT).unwrap();
    let ttl = Duration::from_secs(3600);
    let mut out = String::with_capacity(512);

    c.bench_function("agora/mint_rtc_uid_into (stored)", |b| {
        b.iter(|| {
            out.clear();
            minter
                .rtc_token_with_uid_into(
                    black_box(CHANNEL),
                    black_box(2_882_341_273),
                    RtcRole::Publisher,
                    ttl,
                    ttl,
                    &mut out,
                )
                .unwrap();
            black_box(out.len())
        });
    });

    let req = TokenRequest::new("2882341273").room(CHANNEL).ttl(ttl);
    c.bench_function("agora/mint_into TokenRequest (stored)", |b| {
        b.iter(|| {
            out.clear();
            black_box(minter.mint_into(black_box(&req), &mut out).unwrap());
        });
    });

    // The same request with a new issue second on every call: the key-chain cache never hits,
    // so this is the cost without it (plus the cache update).
    let mut moving = req.clone().issued_at(1_767_225_600);
    c.bench_function(
        "agora/mint_into TokenRequest (stored, new second each call)",
        |b| {
            b.iter(|| {
                moving.issued_at = moving.issued_at.map(|t| t + 1);
                out.clear();
                black_box(minter.mint_into(black_box(&moving), &mut out).unwrap());
            });
        },
    );

    let deflating = minter.clone().with_compression(Compression::Deflate(1));
    c.bench_function("agora/mint_rtc_uid_into (deflate L1)", |b| {
        b.iter(|| {
            out.clear();
            deflating
                .rtc_token_with_uid_into(
                    black_box(CHANNEL),
                    black_box(2_882_341_273),
                    RtcRole::Publisher,
                    ttl,
                    ttl,
                    &mut out,
                )
                .unwrap();
            black_box(out.len())
        });
    });

    let ours = minter
        .rtc_token_with_uid(CHANNEL, 2_882_341_273, RtcRole::Publisher, ttl, ttl)
        .unwrap();
    let now = AccessToken2::decode(&ours).unwrap().token.issue_ts;
    c.bench_function("agora/decode (stored)", |b| {
        b.iter(|| black_box(AccessToken2::decode(black_box(&ours)).unwrap()));
    });
    c.bench_function("agora/decode+verify (stored)", |b| {
        b.iter(|| {
            black_box(
                agora::AgoraVerifier::new(CERT)
                    .and_then(|v| {
                        v.with_expected_app_id(APP_ID)
                            .verify_at(black_box(&ours), i64::from(now))
                    })
                    .unwrap(),
            )
        });
    });
    c.bench_function("agora/verify_str (stored, no decoded struct)", |b| {
        b.iter(|| {
            black_box(
                AccessToken2::verify_str(black_box(&ours), CERT, Some(APP_ID), i64::from(now))
                    .unwrap(),
            )
        });
    });
    c.bench_function("agora/decode+verify (C zlib reference token)", |b| {
        b.iter(|| {
            let d = AccessToken2::decode(black_box(PY_TOKEN)).unwrap();
            d.verify_signature(CERT).unwrap();
            black_box(d)
        });
    });
}

criterion_group!(benches, hmac_floor, bench);
criterion_main!(benches);
