//! livekit benchmarks.
fn main() {}
