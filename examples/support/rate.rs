//! The timing loop of the `*_rate` examples: `reps` timed runs of `n` calls, reported as the
//! median wall time and the median on-CPU time per call (Linux's `/proc/thread-self/schedstat`;
//! the wall time again where that is missing).

#![allow(clippy::indexing_slicing)]

use std::time::Instant;

/// `n` and `reps` from the command line (defaults 200000, 7).
pub fn args() -> (usize, usize) {
    let mut args = std::env::args().skip(1);
    let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let reps = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    (n, reps)
}

/// Runs `call(i)` for `i` in `0..n`, `reps` times; returns the median wall and on-CPU
/// nanoseconds per call. `call` returns a value that is kept alive (so the work is not elided).
pub fn measure(n: usize, reps: usize, mut call: impl FnMut(usize) -> usize) -> (f64, f64) {
    let (mut wall, mut cpu) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let cpu_start = on_cpu_ns();
        let start = Instant::now();
        let mut sum = 0usize;
        for i in 0..n {
            sum = sum.wrapping_add(call(i));
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
    (wall[reps / 2], cpu[reps / 2])
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
