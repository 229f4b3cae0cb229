//! zego benchmarks.
fn main() {}
