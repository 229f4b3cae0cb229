//! Agora AccessToken2 ("007") and legacy AccessToken ("006").
//!
//! * Mint: [`AgoraMinter`] (SDK-style builders for RTC, RTC + RTM, RTM, RTM2, Chat, APaaS /
//!   Education, FPA, ConvoAI, STT, and the [`TokenMinter`](crate::TokenMinter) mapping), or the
//!   low-level [`AccessToken2`] with every input explicit (issue time, salt, services).
//! * Decode without the certificate: [`decode`] (007 or 006) → [`TokenInfo`], serializable,
//!   with absolute expiry times.
//! * Verify: [`AgoraVerifier`] (007; 006 signatures also cover the channel and uid).
//!
//! **Expiries in AccessToken2 are seconds relative to the issue time**, both the token's and each
//! privilege's. Legacy 006 used absolute Unix timestamps; mixing the two up is the most common
//! Agora token bug, so the builders take [`Duration`](std::time::Duration)s and refuse anything over
//! 24 h.
//!
//! Wire format: `"007"` + standard base64 of a zlib stream of
//! `Bytes(signature) ‖ signing_info`; `signature = HMAC-SHA256(key, signing_info)` with
//! `key = HMAC(u32le(salt), HMAC(u32le(issue_ts), certificate text))`. The zlib layer is written
//! as stored blocks (see [`Compression`] for why); decoding accepts any valid zlib stream.
//!
//! # Privilege expiry
//!
//! Every privilege has its own expiry besides the token's (007: seconds after the issue time,
//! 0 = none of its own; 006: absolute), and Agora checks each when it is used. [`AgoraVerifier`]
//! (and [`verify_any`](crate::verify_any), [`AccessToken2::verify_str`], `rtcmint verify`) calls a
//! token **expired** when its own expiry has passed ([`Error::Expired`]) or when the **access
//! privilege of every service** has passed ([`Error::PrivilegeExpired`]): RTC `join_channel`;
//! RTM, FPA and RTM2 `login`; for the other services (Chat, APaaS, streaming, FCDN, …), whose
//! privileges are each a way in, all of their privileges. For 006, the RTC privileges and RTM
//! login (1000) are two services. Any other expired privilege — publish audio / video / data, or
//! the join privilege of one service while another service still lets the holder in — leaves the
//! token valid and is a warning: [`TokenInfo::expired_privileges`] and
//! [`VerifiedToken::warnings`](crate::VerifiedToken::warnings). "Passed" is `now >= expiry`, as
//! for the token's own expiry.
//!
//! # Example
//!
//! ```rust
//! use std::time::Duration;
//!
//! use rtcmint::agora::{self, AgoraMinter, AgoraVerifier, RtcRole};
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
//!     let verifier = AgoraVerifier::new(certificate)?.with_expected_app_id(app_id);
//!     let info = verifier.verify_at(&issued.token, issued.issued_at)?;
//!     assert_eq!(info.services[0].name, "rtc");
//!     assert_eq!(info.expires_at, issued.expires_at);
//!
//!     // Decode any 007 or 006 token without the certificate (Serialize-able, absolute expiries).
//!     let decoded = agora::decode(&token)?;
//!     println!("{decoded:?}");
//!     Ok(())
//! }
//! ```

mod expiry;
mod keycache;
mod legacy006;
mod minter;
mod pack;
mod services;
mod token2;
mod zlib;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::clock::{Clock, SystemClock};
use crate::secret::Secret;

use crate::error::{Error, Result};
use crate::vendor::Vendor;

pub use expiry::ExpiredPrivilege;
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
/// [`Error::Malformed`], whose `cause` says which check failed:
/// [`MalformedCause::BadVersion`](crate::MalformedCause::BadVersion), `BadBase64`, `BadZlib`,
/// `Truncated`, `BadUtf8` or (006: bytes after the message) `BadLayout`.
pub fn decode(token: &str) -> Result<TokenInfo> {
    if token.starts_with(VERSION_006) {
        return AccessToken006::decode(token).map(TokenInfo::Legacy006);
    }
    AccessToken2::decode(token).map(|d| TokenInfo::AccessToken2(d.info()))
}

/// Verifies Agora tokens for one app certificate (and, optionally, one app id).
///
/// AccessToken2 ("007"): decoded once, then the app id (compared verbatim), the signature and the
/// expiry: expired when `now >= issue_ts + expire` ([`Error::Expired`]) or when the access
/// privilege of every service has passed ([`Error::PrivilegeExpired`]; see
/// [privilege expiry](crate::agora#privilege-expiry)). Other expired privileges leave the token
/// valid: [`TokenInfo::expired_privileges`] lists them. A legacy "006" token's signature also covers the channel name and uid, which are
/// not in the token: [`AgoraVerifier::verify_006_at`] takes them, or
/// [`AgoraVerifier::with_006_subject`] sets them for [`AgoraVerifier::verify`].
///
/// ```
/// use rtcmint::agora::{AgoraMinter, AgoraVerifier, RtcRole};
/// use std::time::Duration;
///
/// let (app_id, certificate) = ("970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b");
/// let hour = Duration::from_secs(3600);
/// let token = AgoraMinter::new(app_id, certificate)?
///     .rtc_token_with_uid("my-channel", 42, RtcRole::Publisher, hour, hour)?;
/// let verifier = AgoraVerifier::new(certificate)?.with_expected_app_id(app_id);
/// let info = verifier.verify_at(&token, token.issued_at)?;
/// assert_eq!(info.expires_at, token.expires_at);
/// # Ok::<(), rtcmint::Error>(())
/// ```
#[derive(Clone)]
pub struct AgoraVerifier {
    certificate: Secret,
    expected_app_id: Option<String>,
    subject_006: Option<(String, String)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for AgoraVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgoraVerifier")
            .field("app_certificate", &"[redacted]")
            .field("expected_app_id", &self.expected_app_id)
            .field("subject_006", &self.subject_006)
            .field("clock", &self.clock)
            .finish()
    }
}

impl AgoraVerifier {
    /// A verifier for `app_certificate` (32 hex characters, used verbatim as text).
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the certificate is not 32 hex characters.
    pub fn new(app_certificate: impl Into<Secret>) -> Result<Self> {
        let certificate = app_certificate.into();
        check_hex32(certificate.expose(), true)?;
        Ok(AgoraVerifier {
            certificate,
            expected_app_id: None,
            subject_006: None,
            clock: Arc::new(SystemClock),
        })
    }

    /// Also require the token's app id to equal `app_id`, verbatim ([`Error::UnknownKey`]
    /// otherwise).
    #[must_use]
    pub fn with_expected_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.expected_app_id = Some(app_id.into());
        self
    }

    /// The channel and uid text a legacy 006 token is checked against by
    /// [`AgoraVerifier::verify`] (see [`AgoraVerifier::verify_006_at`]).
    #[must_use]
    pub fn with_006_subject(mut self, channel: impl Into<String>, uid: impl Into<String>) -> Self {
        self.subject_006 = Some((channel.into(), uid.into()));
        self
    }

    crate::clock::with_clock!("Uses `clock` for [`AgoraVerifier::verify`].");

    /// The 006 channel and uid set with [`AgoraVerifier::with_006_subject`].
    #[must_use]
    pub fn subject_006(&self) -> Option<(&str, &str)> {
        self.subject_006
            .as_ref()
            .map(|(c, u)| (c.as_str(), u.as_str()))
    }

    fn check_app_id(&self, actual: &str) -> Result<()> {
        match &self.expected_app_id {
            Some(e) if e != actual => Err(Error::UnknownKey {
                vendor: Vendor::Agora,
                key: actual.to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// Verifies a 007 token (or a 006 token when [`AgoraVerifier::with_006_subject`] was set) now,
    /// by the verifier's clock.
    ///
    /// # Errors
    /// As [`AgoraVerifier::verify_any_at`], plus [`Error::Clock`].
    pub fn verify(&self, token: &str) -> Result<TokenInfo> {
        self.verify_any_at(token, self.clock.now()?)
    }

    /// Verifies a 007 token, or a 006 token against the subject set with
    /// [`AgoraVerifier::with_006_subject`], at `now` (Unix seconds).
    ///
    /// # Errors
    /// As [`AgoraVerifier::verify_at`] and [`AgoraVerifier::verify_006_at`]; a 006 token without a
    /// subject gives [`Error::InvalidRequest`].
    pub fn verify_any_at(&self, token: &str, now: i64) -> Result<TokenInfo> {
        if !token.starts_with(VERSION_006) {
            return self.verify_at(token, now).map(TokenInfo::AccessToken2);
        }
        let Some((channel, uid)) = &self.subject_006 else {
            return Err(legacy_needs_subject());
        };
        self.verify_006_at(token, channel, uid, now)
            .map(TokenInfo::Legacy006)
    }

    /// Verifies an AccessToken2 ("007") at `now` (Unix seconds).
    ///
    /// # Errors
    /// [`Error::Malformed`]; [`Error::UnknownKey`] for another app id;
    /// [`Error::SignatureMismatch`]; [`Error::Expired`] with absolute times;
    /// [`Error::PrivilegeExpired`] when the access privilege of every service has passed. A "006" token gives
    /// [`Error::InvalidRequest`] pointing to [`AgoraVerifier::verify_006_at`], because its
    /// signature also covers the channel and uid.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<AccessToken2Info> {
        if token.starts_with(VERSION_006) {
            return Err(legacy_needs_subject());
        }
        let decoded = AccessToken2::decode(token)?;
        self.check_app_id(&decoded.token.app_id)?;
        decoded.verify_signature(self.certificate.expose())?;
        decoded.check_expiry(now)?;
        expiry::check_007(&decoded, now)?;
        Ok(decoded.info())
    }

    /// Verifies a legacy "006" token at `now`: app id (if set), CRCs and HMAC over `channel` and
    /// `uid` (the uid text: `""` for uid 0; for RTM tokens the account is the `channel` and `uid`
    /// is `""`), and expiry: `now >= ts`, or the join_channel / RTM login privileges all passed
    /// ([`Error::PrivilegeExpired`], see [privilege expiry](crate::agora#privilege-expiry)).
    ///
    /// # Errors
    /// As [`AgoraVerifier::verify_at`].
    pub fn verify_006_at(
        &self,
        token: &str,
        channel: &str,
        uid: &str,
        now: i64,
    ) -> Result<AccessToken006> {
        let t = AccessToken006::decode(token)?;
        self.check_app_id(&t.app_id)?;
        t.verify_signature(self.certificate.expose(), channel, uid)?;
        t.check_expiry(now)?;
        expiry::check_006(&t, now)?;
        Ok(t)
    }
}

fn legacy_needs_subject() -> Error {
    Error::request(
        Vendor::Agora,
        "token",
        "is a legacy 006 token, whose signature covers the channel name and uid: use \
         AgoraVerifier::verify_006_at with them",
    )
}
