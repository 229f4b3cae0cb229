//! The batch JSON Lines request parser and line processor: never panics, always writes exactly
//! one JSON result line.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rtcmint::batch::{MinterSet, parse_line};
use rtcmint::livekit::LiveKitMinter;

fn minters() -> &'static MinterSet {
    static SET: OnceLock<MinterSet> = OnceLock::new();
    SET.get_or_init(|| {
        MinterSet::new().with(Box::new(
            LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!")
                .expect("valid credentials"),
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_line(line);
    let mut out = Vec::new();
    minters().process_line(1, line, &mut out);
    assert_eq!(out.last(), Some(&b'\n'));
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    let _: serde_json_check::Value = serde_json_check::from_slice(&out).expect("result is JSON");
});
