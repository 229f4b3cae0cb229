//! Telling the vendor of a token from its text alone.

use serde::Serialize;

use crate::vendor::Vendor;

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

/// What [`decode_any`] found inside a token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DecodedAny {
    /// A LiveKit JWT (header and claims; signature not checked).
    LiveKit(Box<crate::livekit::DecodedToken>),
    /// An Agora 007 or 006 token (signature not checked).
    Agora(crate::agora::TokenInfo),
    /// A ZEGO token04 decrypted with the server secret (expiry not checked).
    Zego(Box<crate::zego::DecodedToken>),
    /// A ZEGO token04 read without the secret: only the unencrypted container.
    ZegoContainer(crate::zego::ContainerInfo),
}

impl DecodedAny {
    /// The vendor of the token.
    #[must_use]
    pub fn vendor(&self) -> Vendor {
        match self {
            DecodedAny::LiveKit(_) => Vendor::LiveKit,
            DecodedAny::Agora(_) => Vendor::Agora,
            DecodedAny::Zego(_) | DecodedAny::ZegoContainer(_) => Vendor::Zego,
        }
    }

    /// The token format.
    #[must_use]
    pub fn format(&self) -> TokenFormat {
        match self {
            DecodedAny::LiveKit(_) => TokenFormat::LiveKitJwt,
            DecodedAny::Agora(crate::agora::TokenInfo::Legacy006(_)) => TokenFormat::Agora006,
            DecodedAny::Agora(_) => TokenFormat::Agora007,
            DecodedAny::Zego(_) | DecodedAny::ZegoContainer(_) => TokenFormat::Zego04,
        }
    }

    /// The expiry, Unix seconds. For a ZEGO container read without the secret this is the
    /// outer, unauthenticated header.
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        match self {
            DecodedAny::LiveKit(d) => d.claims.exp,
            DecodedAny::Agora(i) => i.expires_at(),
            DecodedAny::Zego(d) => d.expires_at,
            DecodedAny::ZegoContainer(c) => c.expire,
        }
    }
}

/// Detects the vendor of `token` and decodes it without verifying it: LiveKit and Agora tokens
/// need no secret; a ZEGO token04 is decrypted when `zego_server_secret` is given (decryption
/// needs it) and otherwise only its container is read. This is what `rtcmint decode` prints.
///
/// # Errors
/// [`Error::Malformed`](crate::Error::Malformed) for a token of no known format or one that
/// does not parse; for ZEGO with a secret, the errors of
/// [`ZegoVerifier::decode`](crate::zego::ZegoVerifier::decode).
pub fn decode_any(token: &str, zego_server_secret: Option<&str>) -> crate::Result<DecodedAny> {
    match detect_format(token) {
        Some(TokenFormat::LiveKitJwt) => {
            crate::livekit::decode(token).map(|d| DecodedAny::LiveKit(Box::new(d)))
        }
        Some(TokenFormat::Agora007 | TokenFormat::Agora006) => {
            crate::agora::decode(token).map(DecodedAny::Agora)
        }
        Some(TokenFormat::Zego04) => match zego_server_secret {
            Some(secret) => {
                crate::zego::decode(token, secret).map(|d| DecodedAny::Zego(Box::new(d)))
            }
            None => crate::zego::decode_container(token).map(DecodedAny::ZegoContainer),
        },
        None => Err(no_format()),
    }
}

/// The error for a token of no known format.
pub(crate) fn no_format() -> crate::Error {
    crate::Error::Malformed {
        vendor: None,
        cause: crate::MalformedCause::UnknownFormat,
        reason: "not a LiveKit JWT (eyJ…), Agora 007/006 or ZEGO 04 token".into(),
    }
}
