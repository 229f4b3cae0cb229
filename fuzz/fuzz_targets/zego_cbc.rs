//! ZEGO token04 in CBC mode: decode / verify / inspect never panic; decoded tokens re-mint to
//! the same claims; arbitrary user ids and payloads mint tokens that decode back to them (see
//! `rtcmint_fuzz::zego_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcmint::zego::Mode;

fuzz_target!(|data: &[u8]| rtcmint_fuzz::zego_target(Mode::Cbc, data));
