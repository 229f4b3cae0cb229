//! Agora AccessToken2 ("007") and legacy AccessToken ("006").
//!
//! * Mint: [`AgoraMinter`] (SDK-style builders for RTC, RTC + RTM, RTM, RTM2, Chat, APaaS /
//!   Education, FPA, ConvoAI, STT, and the [`TokenMinter`](crate::TokenMinter) mapping), or the
//!   low-level [`AccessToken2`] with every input explicit (issue time, salt, services).
//! * Inspect without the certificate: [`inspect`] (007 or 006) → [`TokenInfo`], serializable,
//!   with absolute expiry times.
//! * Verify: [`verify`] (007) and [`verify_006`] (006 signatures also cover the channel and uid).
//!
//! **Expiries in AccessToken2 are seconds relative to the issue time**, both the token's and each
//! privilege's. Legacy 006 used absolute Unix timestamps; mixing the two up is the most common
//! Agora token bug, so the builders take [`Duration`](std::time::Duration)s and refuse anything over
//! 24 h.
//!
//! Wire format (spec §2): `"007"` + standard base64 of a zlib stream of
//! `Bytes(signature) ‖ signing_info`; `signature = HMAC-SHA256(key, signing_info)` with
//! `key = HMAC(u32le(salt), HMAC(u32le(issue_ts), certificate text))`. The zlib layer is written
//! as stored blocks (see [`Compression`] for why); decoding accepts any valid zlib stream.
//!
//! # Example
//!
//! ```rust
//! use std::time::Duration;
//!
//! use rtcmint::agora::{self, AgoraMinter, RtcRole};
//! use rtcmint::{TokenMinter, TokenRequest};
//!
//! fn main() -> Result<(), rtcmint::Error> {
//!     let app_id = "970CA35de60c44645bbae8a215061b33";
//!     let certificate = "5CFd2fd1755d40ecb72977518be15d3b";
//!     let minter = AgoraMinter::new(app_id, certificate)?;
//!     let hour = Duration::from_secs(3600);
//!
//!     // As the official SDKs' buildTokenWithUid: numeric uid, publisher, valid for one hour.
//!     let token = minter.rtc_token_with_uid("my-channel", 2882341273, RtcRole::Publisher, hour, hour)?;
//!
//!     // RTC + RTM in one token, for a string account.
//!     let _both = minter.rtc_rtm_token("my-channel", "alice", RtcRole::Subscriber, hour, hour)?;
//!
//!     // The vendor-neutral request: room → channel, identity → uid or account.
//!     let issued = minter.mint(&TokenRequest::new("alice").room("my-channel").ttl(hour))?;
//!
//!     // Verify with the certificate (and optionally the expected app id) at a given time.
//!     let info = agora::verify(&issued.token, certificate, Some(app_id), issued.issued_at)?;
//!     assert_eq!(info.services[0].name, "rtc");
//!     assert_eq!(info.expires_at, issued.expires_at);
//!
//!     // Inspect any 007 or 006 token without the certificate (Serialize-able, absolute expiries).
//!     let decoded = agora::inspect(&token)?;
//!     println!("{decoded:?}");
//!     Ok(())
//! }
//! ```

mod legacy006;
mod md5;
mod minter;
mod pack;
mod services;
mod token2;
mod zlib;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::vendor::Vendor;

pub use legacy006::{AccessToken006, Privilege006, VERSION_006};
pub use minter::{AgoraMinter, MAX_EXPIRE, RtcPrivilegeExpiry, RtcRole};
pub use services::{
    Privilege, Rtm2Permission, Service, ServiceDetail, privilege, privilege_name, service_name,
    service_type,
};
pub use token2::{
    AccessToken2, AccessToken2Info, DecodedToken2, PrivilegeInfo, ServiceInfo, VERSION_007,
    VerifiedToken2,
};
pub use zlib::Compression;

/// 006 privilege ids and names.
pub mod legacy {
    pub use super::legacy006::privilege;
    pub use super::legacy006::privilege_name;
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 15] {
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    s
}

/// Checks that an app id / certificate is 32 hex characters (case-insensitive; used verbatim).
pub(crate) fn check_hex32(s: &str, is_certificate: bool) -> Result<()> {
    let what = if is_certificate {
        "app certificate"
    } else {
        "app id"
    };
    if s.len() != 32 {
        return Err(Error::credentials(
            Vendor::Agora,
            what,
            format!(
                "must be 32 hex characters as shown in the Agora console, got {} bytes",
                s.len()
            ),
        ));
    }
    if let Some(pos) = s.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(Error::credentials(
            Vendor::Agora,
            what,
            format!(
                "must be 32 hex characters; character {} is not hex",
                pos + 1
            ),
        ));
    }
    Ok(())
}

/// A decoded token of either version, for inspection and JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum TokenInfo {
    /// AccessToken2 ("007").
    AccessToken2(AccessToken2Info),
    /// Legacy AccessToken ("006").
    Legacy006(AccessToken006),
}

impl TokenInfo {
    /// When the token expires, Unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        match self {
            TokenInfo::AccessToken2(i) => i.expires_at,
            TokenInfo::Legacy006(t) => t.expires_at,
        }
    }
}

/// Decodes a "007" or "006" token without the certificate (no signature check, no expiry check).
///
/// # Errors
/// [`Error::Malformed`] (reason starting with `bad version`, `bad base64`, `bad zlib stream` or
/// `truncated`).
pub fn inspect(token: &str) -> Result<TokenInfo> {
    if token.starts_with(VERSION_006) {
        return AccessToken006::decode(token).map(TokenInfo::Legacy006);
    }
    AccessToken2::decode(token).map(|d| TokenInfo::AccessToken2(d.info()))
}

fn check_app_id(actual: &str, expected: Option<&str>) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(Error::UnknownKey {
            vendor: Vendor::Agora,
            key: actual.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Verifies an AccessToken2: decodes it, checks the app id (if `expected_app_id` is given,
/// compared verbatim), the signature with `app_certificate`, and expiry at `now` (Unix seconds;
/// expired when `now >= issue_ts + expire`). Privilege expiries are reported in the result, not
/// enforced.
///
/// # Errors
/// [`Error::Malformed`]; [`Error::InvalidCredentials`] for a certificate that is not 32 hex
/// characters; [`Error::UnknownKey`] for another app id; [`Error::SignatureMismatch`];
/// [`Error::Expired`] with absolute times. A "006" token gives [`Error::InvalidRequest`]
/// pointing to [`verify_006`], because its signature also covers the channel and uid.
pub fn verify(
    token: &str,
    app_certificate: &str,
    expected_app_id: Option<&str>,
    now: i64,
) -> Result<AccessToken2Info> {
    if token.starts_with(VERSION_006) {
        return Err(Error::request(
            Vendor::Agora,
            "token",
            "is a legacy 006 token, whose signature covers the channel name and uid: use \
             agora::verify_006 with them",
        ));
    }
    let decoded = AccessToken2::decode(token)?;
    check_app_id(&decoded.token.app_id, expected_app_id)?;
    decoded.verify_signature(app_certificate)?;
    decoded.check_expiry(now)?;
    Ok(decoded.info())
}

/// As [`verify`], reading `now` from `clock`.
///
/// # Errors
/// As [`verify`], plus [`Error::Clock`].
pub fn verify_with_clock(
    token: &str,
    app_certificate: &str,
    expected_app_id: Option<&str>,
    clock: &dyn crate::Clock,
) -> Result<AccessToken2Info> {
    verify(token, app_certificate, expected_app_id, clock.now()?)
}

/// Verifies a legacy "006" token: app id (if given), CRCs and HMAC over `channel` and `uid`
/// (the uid text: `""` for uid 0; for RTM tokens the account is the `channel` and `uid` is
/// `""`), and expiry (`now >= ts`).
///
/// # Errors
/// As [`verify`].
pub fn verify_006(
    token: &str,
    app_certificate: &str,
    expected_app_id: Option<&str>,
    channel: &str,
    uid: &str,
    now: i64,
) -> Result<AccessToken006> {
    let t = AccessToken006::decode(token)?;
    check_app_id(&t.app_id, expected_app_id)?;
    t.verify_signature(app_certificate, channel, uid)?;
    t.check_expiry(now)?;
    Ok(t)
}
