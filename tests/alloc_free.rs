//! The `*_into` mint paths allocate nothing per token once warm (counting global allocator).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcmint::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};

const NOW: i64 = 1_767_225_600;

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

#[test]
fn livekit_encode_into_is_allocation_free() {
    let minter = LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!").unwrap();
    let grants = ClaimGrants::new("alice")
        .with_name("Alice")
        .with_video(VideoGrant::join("my-room"))
        .with_attribute("team", "blue");
    let n = allocations_per_1000(|out| minter.encode_into(&grants, NOW, 600, out).unwrap());
    assert_eq!(n, 0, "allocations in 1,000 LiveKit mints");
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
