//! Webhook verify + parse benchmarks. Target (issue 17): a LiveKit webhook with a 1 KiB body
//! verified and parsed in at most 2 µs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier};
use rtcmint::webhook::{
    AgoraWebhookVerifier, LiveKitEvent, LiveKitWebhookVerifier, ZegoWebhookVerifier,
};

const KEY: &str = "APIwhk5Tq9LmRz2X";
const SECRET: &str = "wZ7kP2qL9vX4nR8tB3mJ6yH1cF5dG0sA7eU2iO9pK4w";
const NOW: i64 = 1_767_225_601;

/// A `participant_joined` event as the server sends it, padded with metadata to exactly 1 KiB.
fn livekit_body() -> Vec<u8> {
    let head = r#"{"event":"participant_joined","room":{"sid":"RM_hycBMAjmt6Ub","name":"demo-room","emptyTimeout":300,"departureTimeout":20,"creationTime":"1767225598","creationTimeMs":"1767225598123","numParticipants":2},"participant":{"sid":"PA_8KgMpXq2Wn7c","identity":"alice","state":"ACTIVE","joinedAt":"1767225599","joinedAtMs":"1767225599456","name":"Alice","version":2,"permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true},"region":"us-east","attributes":{"role":"host","team":"blue"},"metadata":""#;
    let tail = r#""},"id":"EV_Jn4Rt8Wq2Lm0","createdAt":"1767225600"}"#;
    let pad = 1024 - head.len() - tail.len();
    let body = format!("{head}{}{tail}", "m".repeat(pad));
    assert_eq!(body.len(), 1024);
    body.into_bytes()
}

fn bench(c: &mut Criterion) {
    let body = livekit_body();
    let mut grants = ClaimGrants::new("");
    grants.sha256 = LiveKitWebhookVerifier::body_hash(&body);
    let token = LiveKitMinter::new(KEY, SECRET)
        .unwrap()
        .encode(&grants, NOW - 1, std::time::Duration::from_secs(300))
        .unwrap();
    let headers = [("Authorization", token.as_str())];
    let lk = LiveKitWebhookVerifier::new(KEY, SECRET).unwrap();
    assert!(lk.verify_at(&body, &headers[..], NOW).is_ok());

    let mut group = c.benchmark_group("webhook");
    group.bench_function("livekit_verify_parse_1k", |b| {
        b.iter(|| lk.verify_at(black_box(&body), &headers[..], NOW).unwrap())
    });
    // The server owns the body it read: it moves into the Webhook instead of being copied. The
    // copy of the input is made outside the timing; dropping the result is inside it.
    group.bench_function("livekit_verify_parse_owned_1k", |b| {
        b.iter_batched(
            || body.clone(),
            |owned| {
                drop(black_box(
                    lk.verify_owned_at(owned, &headers[..], NOW).unwrap(),
                ))
            },
            BatchSize::SmallInput,
        )
    });

    // The parts: the token alone, the body hash alone, the body parse alone (the fast reader,
    // and serde as it was before the fast reader, interleaved in the same run).
    let tokens = LiveKitVerifier::new(KEY, SECRET).unwrap();
    group.bench_function("livekit_token_verify", |b| {
        b.iter(|| tokens.verify_at(black_box(&token), NOW).unwrap())
    });
    group.bench_function("livekit_body_hash_1k", |b| {
        b.iter(|| LiveKitWebhookVerifier::body_hash(black_box(&body)))
    });
    let text = std::str::from_utf8(&body).unwrap();
    group.bench_function("livekit_parse_1k", |b| {
        b.iter(|| LiveKitEvent::parse(black_box(text)).unwrap())
    });
    group.bench_function("livekit_parse_serde_1k", |b| {
        b.iter(|| serde_json::from_str::<LiveKitEvent>(black_box(text)).unwrap())
    });

    let agora_body = br#"{"noticeId":"2000001428:4330:104","productId":1,"eventType":104,"notifyMs":1767225600000,"sid":"C866467GVJJ54687","payload":{"channelName":"demo-channel","uid":12121212,"platform":1,"clientSeq":1625051030789,"reason":1,"ts":1767229199,"duration":3600}}"#;
    let agora = AgoraWebhookVerifier::new("5f2b8c1e9d7a4036b1e8c2f49a0d6e73").unwrap();
    let sig = agora.sign_v2(agora_body);
    let ah = [("Agora-Signature-V2", sig.as_str())];
    group.bench_function("agora_verify_parse", |b| {
        b.iter(|| {
            agora
                .verify_at(black_box(agora_body), &ah[..], NOW)
                .unwrap()
        })
    });

    let zego = ZegoWebhookVerifier::new("8d3f1a6b0c9e4f27a5b1d8c3e6f09a24").unwrap();
    let zs = zego.sign("1767225600", "350176");
    let zego_body = format!(
        r#"{{"event":"room_login","appid":1234567890,"room_id":"rid_1242649","user_account":"alice","timestamp":1767225600,"nonce":"350176","signature":"{zs}"}}"#
    );
    let zh = [("Content-Type", "application/json")];
    group.bench_function("zego_verify_parse", |b| {
        b.iter(|| {
            zego.verify_at(black_box(zego_body.as_bytes()), &zh[..], NOW)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
