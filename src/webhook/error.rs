//! Why a webhook delivery was refused.

use std::borrow::Cow;
use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::vendor::Vendor;

/// Every reason a webhook (server callback) is refused. Signature failures stay opaque: they
/// never say which byte differed, and no variant carries a secret.
///
/// [`WebhookError::kind`] sorts them into the crate's [`ErrorKind`]s: [`ErrorKind::Signature`]
/// (missing or wrong proof, unknown key), [`ErrorKind::Time`] (expired token, timestamp outside
/// the window) and [`ErrorKind::Malformed`] (a proof or body that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The proof of origin is absent: no `Authorization` header (LiveKit), neither
    /// `Agora-Signature-V2` nor `Agora-Signature` (Agora), no `signature` field (ZEGO).
    MissingSignature {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// The header or body field that is missing.
        what: &'static str,
    },
    /// A field the signature covers is absent (ZEGO `timestamp` or `nonce`).
    MissingField {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// The field name.
        field: &'static str,
    },
    /// A header or signature field is present but unusable: sent twice, not UTF-8, or of the
    /// wrong type.
    InvalidField {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// The header or field name.
        field: &'static str,
        /// What is wrong.
        reason: Cow<'static, str>,
    },
    /// The LiveKit token in `Authorization` was refused by the token verifier (malformed, wrong
    /// algorithm, unknown key, bad signature, expired, not yet valid). The inner error's kind is
    /// this error's kind.
    Token(Error),
    /// The LiveKit token is valid but carries no `sha256` claim, so it does not cover any body.
    MissingBodyHash,
    /// The LiveKit token's `sha256` claim is not the standard base64 SHA-256 of the body: the
    /// body was changed (or re-serialised) after signing.
    BodyHashMismatch,
    /// The signature does not match (wrong secret, changed body, or a differently encoded
    /// signature).
    SignatureMismatch {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
    },
    /// The delivery's timestamp is outside the configured window.
    OutsideWindow {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// The delivery's own time, Unix milliseconds.
        sent_at_ms: i64,
        /// The verification time, Unix seconds.
        now: i64,
        /// The allowed distance, seconds.
        max_age_secs: u64,
    },
    /// The body verified but is not what the vendor sends (not JSON, not an object, a duplicate
    /// key, a field of the wrong type).
    Body {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// What is wrong.
        reason: Cow<'static, str>,
    },
    /// The body is larger than the verifier accepts.
    TooLarge {
        /// The vendor the delivery was checked as.
        vendor: Vendor,
        /// The body length, bytes.
        len: usize,
        /// The limit, bytes.
        max: usize,
    },
}

impl WebhookError {
    /// The broad class of this error (exit code, HTTP status).
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            WebhookError::MissingSignature { .. }
            | WebhookError::MissingBodyHash
            | WebhookError::BodyHashMismatch
            | WebhookError::SignatureMismatch { .. } => ErrorKind::Signature,
            WebhookError::Token(e) => e.kind(),
            WebhookError::OutsideWindow { .. } => ErrorKind::Time,
            WebhookError::MissingField { .. }
            | WebhookError::InvalidField { .. }
            | WebhookError::Body { .. }
            | WebhookError::TooLarge { .. } => ErrorKind::Malformed,
        }
    }

    /// The vendor the delivery was checked as.
    #[must_use]
    pub fn vendor(&self) -> Vendor {
        match self {
            WebhookError::MissingSignature { vendor, .. }
            | WebhookError::MissingField { vendor, .. }
            | WebhookError::InvalidField { vendor, .. }
            | WebhookError::SignatureMismatch { vendor }
            | WebhookError::OutsideWindow { vendor, .. }
            | WebhookError::Body { vendor, .. }
            | WebhookError::TooLarge { vendor, .. } => *vendor,
            WebhookError::Token(_)
            | WebhookError::MissingBodyHash
            | WebhookError::BodyHashMismatch => Vendor::LiveKit,
        }
    }

    /// A short stable category, e.g. `signature_mismatch`, `expired`, `body_parse_error` (for
    /// JSON output and metrics labels).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            WebhookError::MissingSignature { .. } => "missing_signature",
            WebhookError::MissingField { .. } => "missing_signature_field",
            WebhookError::InvalidField { .. } => "invalid_signature_field",
            WebhookError::Token(e) => match e {
                Error::Expired { .. } => "expired",
                Error::NotYetValid { .. } => "not_yet_valid",
                Error::UnknownKey { .. } => "unknown_key",
                Error::SignatureMismatch { .. } => "bad_signature",
                _ => "jwt_malformed",
            },
            WebhookError::MissingBodyHash => "missing_sha256",
            WebhookError::BodyHashMismatch => "sha256_mismatch",
            WebhookError::SignatureMismatch { .. } => "signature_mismatch",
            WebhookError::OutsideWindow { .. } => "outside_window",
            WebhookError::Body { .. } => "body_parse_error",
            WebhookError::TooLarge { .. } => "body_too_large",
        }
    }

    pub(crate) fn body(vendor: Vendor, reason: impl Into<Cow<'static, str>>) -> Self {
        WebhookError::Body {
            vendor,
            reason: reason.into(),
        }
    }

    pub(crate) fn field(
        vendor: Vendor,
        field: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        WebhookError::InvalidField {
            vendor,
            field,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature { vendor, what } => {
                write!(f, "{vendor} webhook is not signed: no {what}")
            }
            WebhookError::MissingField { vendor, field } => {
                write!(f, "{vendor} webhook lacks the signed field `{field}`")
            }
            WebhookError::InvalidField {
                vendor,
                field,
                reason,
            } => write!(f, "{vendor} webhook `{field}`: {reason}"),
            WebhookError::Token(e) => write!(f, "livekit webhook token: {e}"),
            WebhookError::MissingBodyHash => f.write_str(
                "livekit webhook token has no sha256 claim, so it does not cover the body",
            ),
            WebhookError::BodyHashMismatch => f.write_str(
                "livekit webhook body does not match the token's sha256 claim (changed or re-serialised body)",
            ),
            WebhookError::SignatureMismatch { vendor } => write!(
                f,
                "{vendor} webhook signature mismatch (wrong secret or changed body)"
            ),
            WebhookError::OutsideWindow {
                vendor,
                sent_at_ms,
                now,
                max_age_secs,
            } => write!(
                f,
                "{vendor} webhook was sent at {sent_at_ms} ms, more than {max_age_secs} s from the verification time {now}"
            ),
            WebhookError::Body { vendor, reason } => {
                write!(f, "{vendor} webhook body: {reason}")
            }
            WebhookError::TooLarge { vendor, len, max } => write!(
                f,
                "{vendor} webhook body is {len} bytes; refusing more than {max}"
            ),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl From<WebhookError> for Error {
    fn from(e: WebhookError) -> Self {
        Error::Webhook(Box::new(e))
    }
}
