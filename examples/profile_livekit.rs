//! Loops LiveKit mint and verify, for profilers (`valgrind --tool=callgrind`, `perf`).
//! Usage: `cargo run --release --example profile_livekit -- [mint|verify] [iterations]`.

#![allow(clippy::unwrap_used)]

use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "verify".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let minter = LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!").unwrap();
    let verifier = LiveKitVerifier::new("APIkey", "a-secret-of-at-least-32-characters!!").unwrap();
    let grants = ClaimGrants::new("alice")
        .with_name("Alice Example")
        .with_video(VideoGrant::join("my-room"));
    let token = minter
        .encode(&grants, 1_767_225_600, std::time::Duration::from_secs(600))
        .unwrap();
    let mut out = String::with_capacity(512);
    let mut sum = 0usize;
    for _ in 0..n {
        if what == "mint" {
            out.clear();
            minter
                .encode_into(
                    &grants,
                    1_767_225_600,
                    std::time::Duration::from_secs(600),
                    &mut out,
                )
                .unwrap();
            sum += out.len();
        } else {
            sum += verifier.verify_at(&token, 1_767_225_601).unwrap().exp as usize & 1;
        }
    }
    println!("{sum}");
}
