//! Single-thread `TokenMinter::mint_into` time for the batch benchmark's requests (LiveKit,
//! identity `user-N`, room `room-M`, ttl 600 s), in nanoseconds per token: the median of `reps`
//! timed runs of `n` mints each. Used by `benches/batch.sh` to compute the ideal batch time in
//! the same run as the batch itself.
//!
//! Prints two numbers: the wall-clock time per token, and the thread's CPU time per token (from
//! Linux's `/proc/thread-self/schedstat`; the wall time again where that is missing). On a busy
//! machine the thread is not always on a core, so the wall time overstates the mint; the CPU time
//! does not.
//!
//! Usage: `cargo run --release --example mint_rate -- [n] [reps]` (defaults 200000, 7).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::indexing_slicing)]

use std::time::Duration;

use rtcmint::livekit::LiveKitMinter;
use rtcmint::{TokenMinter as _, TokenRequest};

#[path = "support/rate.rs"]
mod rate;

fn main() {
    let (n, reps) = rate::args();
    let minter =
        LiveKitMinter::new("APIbatchBench", "batch-bench-secret-of-at-least-32-chars").unwrap();
    // The requests are built up front (the batch parses its lines; that is not mint time).
    let requests: Vec<TokenRequest> = (0..1000)
        .map(|i| {
            TokenRequest::new(format!("user-{i}"))
                .room(format!("room-{}", i % 1000))
                .ttl(Duration::from_secs(600))
        })
        .collect();
    let mut out = String::with_capacity(512);
    let (wall, cpu) = rate::measure(n, reps, |i| {
        out.clear();
        minter.mint_into(&requests[i % 1000], &mut out).unwrap();
        out.len()
    });
    println!("{wall:.1} {cpu:.1}");
}
