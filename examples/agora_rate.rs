//! Single-thread Agora AccessToken2 mint time (`AgoraMinter::rtc_token_with_uid_into`, the
//! request of `benches/agora.rs`: uid 2882341273, publisher, 1 h, stored zlib), in nanoseconds per
//! token: the median of `reps` timed runs of `n` mints, as wall time and as the thread's CPU time
//! (`/proc/thread-self/schedstat`; on a busy machine the wall time includes time off the CPU).
//! A quick check beside `cargo bench --bench agora`, and the loop to profile
//! (`perf record -g target/release/examples/agora_rate`).
//!
//! Usage: `cargo run --release --example agora_rate -- [n] [reps]` (defaults 200000, 7).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use rtcmint::agora::{AgoraMinter, RtcRole};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let minter = AgoraMinter::new(
        "970CA35de60c44645bbae8a215061b33",
        "5CFd2fd1755d40ecb72977518be15d3b",
    )
    .unwrap();
    let ttl = Duration::from_secs(3600);
    let mut out = String::with_capacity(512);
    let (mut wall, mut cpu) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let cpu_start = on_cpu_ns();
        let start = Instant::now();
        let mut sum = 0usize;
        for _ in 0..n {
            out.clear();
            minter
                .rtc_token_with_uid_into(
                    std::hint::black_box("7d72365eb983485397e3e3f9d460bdda"),
                    std::hint::black_box(2_882_341_273),
                    RtcRole::Publisher,
                    ttl,
                    ttl,
                    &mut out,
                )
                .unwrap();
            sum += out.len();
        }
        std::hint::black_box(sum);
        let w = start.elapsed().as_nanos() as f64 / n as f64;
        wall.push(w);
        cpu.push(match (cpu_start, on_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / n as f64,
            _ => w,
        });
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    println!(
        "agora mint_rtc_uid_into: {:.1} ns wall, {:.1} ns on CPU (median of {reps} x {n})",
        wall[reps / 2],
        cpu[reps / 2]
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
