//! The `*_into` mint paths allocate nothing per token once warm (counting global allocator).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use rtcmint::agora::{AgoraMinter, RtcRole};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};
use rtcmint::zego::{Mode, Payload, PrivilegePayload, ZegoMinter};
use rtcmint::{FixedClock, TokenMinter, TokenRequest};

const NOW: i64 = 1_767_225_600;
const AGORA_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
const AGORA_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const ZEGO_SECRET: &str = "fa94dd0f974cf2e293728a526b028271";

/// Runs `mint` once to warm thread-local buffers, then counts allocations over 1,000 calls.
fn allocations_per_1000(mut mint: impl FnMut(&mut String)) -> u64 {
    let mut out = String::with_capacity(4096);
    mint(&mut out);
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            out.clear();
            mint(&mut out);
        }
    });
    assert!(!out.is_empty());
    info.count_total
}

fn join_request() -> TokenRequest {
    TokenRequest::new("2882341273")
        .room("my-room")
        .ttl(Duration::from_secs(600))
}

#[test]
fn livekit_encode_into_is_allocation_free() {
    let minter = LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!").unwrap();
    let grants = ClaimGrants::new("alice")
        .with_name("Alice")
        .with_video(VideoGrant::join("my-room"))
        .with_attribute("team", "blue");
    let n = allocations_per_1000(|out| {
        minter
            .encode_into(&grants, NOW, std::time::Duration::from_secs(600), out)
            .unwrap();
    });
    assert_eq!(n, 0, "allocations in 1,000 LiveKit mints");
}

#[test]
fn livekit_neutral_request_into_is_allocation_free() {
    let minter = LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!")
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)));
    let req = join_request().display_name("Alice").admin(true);
    let n = allocations_per_1000(|out| {
        minter.mint_into(&req, out).unwrap();
    });
    assert_eq!(n, 0, "allocations in 1,000 LiveKit neutral mints");
}

#[test]
fn agora_mint_into_is_allocation_free() {
    let minter = AgoraMinter::new(AGORA_APP_ID, AGORA_CERT).unwrap();
    let ttl = Duration::from_secs(3600);
    let n = allocations_per_1000(|out| {
        minter
            .rtc_token_with_uid_into("my-room", 2_882_341_273, RtcRole::Publisher, ttl, ttl, out)
            .unwrap();
    });
    assert_eq!(n, 0, "allocations in 1,000 Agora RTC mints");
    let req = join_request();
    let n = allocations_per_1000(|out| {
        minter.mint_into(&req, out).unwrap();
    });
    assert_eq!(n, 0, "allocations in 1,000 Agora neutral mints");
}

#[test]
fn zego_mint_into_is_allocation_free_in_both_modes() {
    let privilege = Payload::Privilege(
        PrivilegePayload::new("room-4711")
            .publish_stream(true)
            .stream_ids(["stream-1"]),
    );
    for mode in [Mode::Cbc, Mode::Gcm] {
        let minter = ZegoMinter::new(1_234_567_890, ZEGO_SECRET)
            .unwrap()
            .with_mode(mode);
        for payload in [&Payload::Identity, &privilege] {
            let n = allocations_per_1000(|out| {
                minter
                    .token_into(
                        "user-12345",
                        std::time::Duration::from_secs(3600),
                        payload,
                        out,
                    )
                    .unwrap();
            });
            assert_eq!(n, 0, "allocations in 1,000 Zego {mode} mints");
        }
        let req = join_request();
        let n = allocations_per_1000(|out| {
            minter.mint_into(&req, out).unwrap();
        });
        assert_eq!(n, 0, "allocations in 1,000 Zego {mode} neutral mints");
    }
}

#[test]
fn every_minter_is_allocation_free_through_the_trait() {
    let minters: Vec<Box<dyn TokenMinter>> = vec![
        Box::new(LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!").unwrap()),
        Box::new(AgoraMinter::new(AGORA_APP_ID, AGORA_CERT).unwrap()),
        Box::new(ZegoMinter::new(1_234_567_890, ZEGO_SECRET).unwrap()),
    ];
    let req = join_request();
    for m in &minters {
        let n = allocations_per_1000(|out| {
            m.mint_into(&req, out).unwrap();
        });
        assert_eq!(n, 0, "allocations in 1,000 {} mints", m.vendor());
    }
}

#[test]
fn the_counter_does_count() {
    // Guards against a counter that silently reports zero.
    let info = allocation_counter::measure(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(64));
        std::hint::black_box(v);
    });
    assert_eq!(info.count_total, 1);
}

#[test]
fn batch_chunks_allocate_nothing_per_line() {
    // `process_chunk` reuses one request and one token buffer for all its lines: a chunk of
    // 1,000 ordinary request lines costs the same few allocations (the buffers' first growth) as
    // a chunk of one.
    let set = rtcmint::batch::MinterSet::new().with(Box::new(
        LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!")
            .unwrap()
            .with_clock(Arc::new(FixedClock(NOW))),
    ));
    let line = |i: usize| {
        format!(
            "{{\"id\":{i},\"vendor\":\"livekit\",\"identity\":\"user-{i}\",\"room\":\"room-{}\",\"ttl\":600}}\n",
            i % 7
        )
    };
    let one = line(0);
    let many: String = (0..1000).map(line).collect();
    let mut out = Vec::with_capacity(1 << 20);
    let count = |chunk: &str, out: &mut Vec<u8>| {
        out.clear();
        let mut counts = None;
        let info = allocation_counter::measure(|| {
            counts = Some(set.process_chunk(1, chunk.as_bytes(), out));
        });
        (info.count_total, counts.unwrap())
    };
    let (for_one, c1) = count(&one, &mut out);
    let (for_many, c1000) = count(&many, &mut out);
    assert_eq!((c1.requests, c1.minted), (1, 1));
    assert_eq!((c1000.requests, c1000.minted), (1000, 1000));
    assert!(
        for_many <= for_one,
        "{for_many} allocations for 1,000 lines against {for_one} for one line"
    );
}
