//! agora benchmarks.
fn main() {}
