//! Telling the vendor of a token from its text alone.

use serde::Serialize;

use crate::error::Vendor;

/// The token formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenFormat {
    /// A LiveKit access token: a compact JWS (`header.payload.signature`).
    #[serde(rename = "livekit_jwt")]
    LiveKitJwt,
    /// Agora AccessToken2: `007` + base64.
    #[serde(rename = "agora_007")]
    Agora007,
    /// Agora legacy AccessToken: `006` + app id + base64.
    #[serde(rename = "agora_006")]
    Agora006,
    /// ZEGOCLOUD token04: `04` + base64.
    #[serde(rename = "zego_04")]
    Zego04,
}

impl TokenFormat {
    /// The vendor that issues this format.
    #[must_use]
    pub const fn vendor(self) -> Vendor {
        match self {
            TokenFormat::LiveKitJwt => Vendor::LiveKit,
            TokenFormat::Agora007 | TokenFormat::Agora006 => Vendor::Agora,
            TokenFormat::Zego04 => Vendor::Zego,
        }
    }
}

/// Guesses the format of `token` from its prefix and shape, without decoding it. `None` when it
/// looks like none of them. Surrounding whitespace is not trimmed: pass the token exactly.
///
/// ```
/// use rtcmint::{TokenFormat, detect_format};
/// assert_eq!(detect_format("007eJxTYBBn..."), Some(TokenFormat::Agora007));
/// assert_eq!(detect_format("04AAAAAGk..."), Some(TokenFormat::Zego04));
/// assert_eq!(detect_format("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"), Some(TokenFormat::LiveKitJwt));
/// assert_eq!(detect_format("hello"), None);
/// ```
#[must_use]
pub fn detect_format(token: &str) -> Option<TokenFormat> {
    if token.starts_with("007") {
        Some(TokenFormat::Agora007)
    } else if token.starts_with("006") {
        Some(TokenFormat::Agora006)
    } else if token.starts_with("04") {
        Some(TokenFormat::Zego04)
    } else if token.starts_with("eyJ") && token.bytes().filter(|&b| b == b'.').count() == 2 {
        Some(TokenFormat::LiveKitJwt)
    } else {
        None
    }
}
