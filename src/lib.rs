#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod agora;
mod b64;
pub mod batch;
mod clock;
mod detect;
mod duration;
mod error;
mod fields;
mod hex;
mod json;
pub mod livekit;
mod minter;
mod random;
#[cfg(feature = "remote")]
pub mod remote;
mod secret;
#[cfg(any(feature = "serve", feature = "serve-body"))]
pub mod serve;
pub mod time;
mod vendor;
mod verify;
pub mod webhook;
pub mod zego;

pub use clock::{Clock, FixedClock, SystemClock};
pub use detect::{DecodedAny, TokenFormat, decode_any, detect_format};
pub use duration::parse_duration;
pub use error::{Error, ErrorKind, MalformedCause, Result};
pub use fields::UnknownKey;
pub use minter::{DEFAULT_TTL, IssuedToken, MintedToken, TokenMinter, TokenRequest, TokenTimes};
pub use random::{FixedRandom, RandomSource, ThreadRandom};
pub use secret::Secret;
pub use vendor::{UnknownVendor, Vendor};
pub use verify::{VerifiedToken, VerifierSet, VerifyWarning, verify_any};
