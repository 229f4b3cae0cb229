//! Single-thread Agora AccessToken2 mint time (`AgoraMinter::rtc_token_with_uid_into`, the
//! request of `benches/agora.rs`: uid 2882341273, publisher, 1 h, stored zlib), in nanoseconds per
//! token: the median of `reps` timed runs of `n` mints, as wall time and as the thread's CPU time
//! (`/proc/thread-self/schedstat`; on a busy machine the wall time includes time off the CPU).
//! A quick check beside `cargo bench --bench agora`, and the loop to profile
//! (`perf record -g target/release/examples/agora_rate`).
//!
//! Usage: `cargo run --release --example agora_rate -- [n] [reps]` (defaults 200000, 7).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::Duration;

use rtcmint::agora::{AgoraMinter, RtcRole};

#[path = "support/rate.rs"]
mod rate;

fn main() {
    let (n, reps) = rate::args();
    let minter = AgoraMinter::new(
        "970CA35de60c44645bbae8a215061b33",
        "5CFd2fd1755d40ecb72977518be15d3b",
    )
    .unwrap();
    let ttl = Duration::from_secs(3600);
    let mut out = String::with_capacity(512);
    let (wall, cpu) = rate::measure(n, reps, |_| {
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
        out.len()
    });
    println!(
        "agora mint_rtc_uid_into: {wall:.1} ns wall, {cpu:.1} ns on CPU (median of {reps} x {n})"
    );
}
