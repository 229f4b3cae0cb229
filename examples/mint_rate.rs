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

use std::time::{Duration, Instant};

use rtcmint::livekit::LiveKitMinter;
use rtcmint::{TokenMinter as _, TokenRequest};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
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
    let mut samples = Vec::with_capacity(reps);
    let mut cpu_samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let cpu_start = on_cpu_ns();
        let start = Instant::now();
        let mut sum = 0usize;
        for i in 0..n {
            out.clear();
            minter.mint_into(&requests[i % 1000], &mut out).unwrap();
            sum += out.len();
        }
        std::hint::black_box(sum);
        let wall = start.elapsed().as_nanos() as f64 / n as f64;
        samples.push(wall);
        cpu_samples.push(match (cpu_start, on_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / n as f64,
            _ => wall,
        });
    }
    samples.sort_by(f64::total_cmp);
    cpu_samples.sort_by(f64::total_cmp);
    println!(
        "{:.1} {:.1}",
        samples[samples.len() / 2],
        cpu_samples[cpu_samples.len() / 2]
    );
}

/// Nanoseconds this thread has spent on a CPU (the first field of its schedstat).
fn on_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
