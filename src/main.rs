//! The `rtcmint` command-line tool.
fn main() {}
