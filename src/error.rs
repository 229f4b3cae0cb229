//! The crate-wide error type.
//!
//! One `#[non_exhaustive]` enum for every vendor. Input errors say what to fix; signature and
//! decryption failures stay opaque ("signature mismatch"), never which byte differed. No variant
//! ever carries a secret.

use std::borrow::Cow;
use std::fmt;

use crate::vendor::{UnknownVendor, Vendor};

/// Broad classes of [`Error`], stable enough to map to exit codes or HTTP statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A credential (key, secret, app id, certificate) is missing or malformed.
    Credentials,
    /// A mint request field is invalid, or the vendor cannot express it.
    Request,
    /// The token cannot be parsed: bad prefix, encoding, structure or claim types.
    Malformed,
    /// The signature does not match, the key is unknown, or decryption failed.
    Signature,
    /// The token is expired or not yet valid.
    Time,
    /// The environment failed (system clock before 1970, I/O).
    Environment,
    /// An internal invariant broke: a bug in rtcmint, never caused by input.
    Internal,
}

/// Which check a malformed token failed: the `cause` of [`Error::Malformed`], for callers that
/// branch on it (the message, `reason`, says the same in words and names the detail). New causes
/// may be added, so a `match` needs a catch-all arm.
///
/// ```
/// use rtcmint::{Error, MalformedCause};
///
/// match rtcmint::agora::decode("007%%%") {
///     Err(Error::Malformed { cause: MalformedCause::BadBase64, .. }) => {} // e.g. percent-decode
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MalformedCause {
    /// No token at all: the input is empty.
    Empty,
    /// Not a token of any format this crate knows (no vendor could be detected).
    UnknownFormat,
    /// The version prefix is not the expected one (Agora `007` / `006`, ZEGO `04`), or names a
    /// legacy format this call does not read.
    BadVersion,
    /// A segment or body is not base64 in the format's exact alphabet and padding.
    BadBase64,
    /// The Agora zlib stream is invalid (header, blocks, checksum, size, extra bytes).
    BadZlib,
    /// The input ends inside a field.
    Truncated,
    /// The layout is wrong: the number of JWT segments, bytes after the end, a length or mode
    /// byte of the ZEGO container.
    BadLayout,
    /// A text field is not UTF-8.
    BadUtf8,
    /// A part that must be a JSON object is not JSON text (LiveKit, which checks for an object
    /// first: or not an object).
    BadJson,
    /// The JSON is well formed but the claims (or a ZEGO privilege payload) are not of the
    /// format's shape: a required claim missing, a value of the wrong type.
    BadClaims,
    /// The JWT header is refused: an algorithm other than HS256, critical extensions.
    BadHeader,
    /// Two copies of one fact disagree (ZEGO's unauthenticated outer `expire` and the encrypted
    /// one): the token was altered.
    Inconsistent,
    /// Longer than the format allows or this crate reads.
    TooLong,
}

impl MalformedCause {
    /// A stable snake-case name (`bad_base64`, …), for JSON output and metrics.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MalformedCause::Empty => "empty",
            MalformedCause::UnknownFormat => "unknown_format",
            MalformedCause::BadVersion => "bad_version",
            MalformedCause::BadBase64 => "bad_base64",
            MalformedCause::BadZlib => "bad_zlib",
            MalformedCause::Truncated => "truncated",
            MalformedCause::BadLayout => "bad_layout",
            MalformedCause::BadUtf8 => "bad_utf8",
            MalformedCause::BadJson => "bad_json",
            MalformedCause::BadClaims => "bad_claims",
            MalformedCause::BadHeader => "bad_header",
            MalformedCause::Inconsistent => "inconsistent",
            MalformedCause::TooLong => "too_long",
        }
    }
}

impl fmt::Display for MalformedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every error this crate returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A credential is missing or malformed. `what` names it ("api secret", "app certificate").
    InvalidCredentials {
        /// The vendor whose credential was refused.
        vendor: Vendor,
        /// Which credential.
        what: &'static str,
        /// What is wrong and how to fix it. Never contains the secret itself.
        reason: Cow<'static, str>,
    },
    /// A request field has a value the vendor (or this crate) refuses.
    InvalidRequest {
        /// The vendor the request was for.
        vendor: Vendor,
        /// The field name, as in the request type.
        field: &'static str,
        /// What is wrong and how to fix it.
        reason: Cow<'static, str>,
    },
    /// The vendor's token format has no way to express this field of a request. The minter
    /// refuses rather than silently dropping it.
    Unsupported {
        /// The vendor that cannot express the field.
        vendor: Vendor,
        /// The field name, as in the request type.
        field: &'static str,
        /// Why, and what to do instead.
        reason: Cow<'static, str>,
    },
    /// A JSON object handed to a minter (grants, room configuration, a request, a privilege
    /// payload) holds a key the token format does not define. Refused rather than dropped, so a
    /// typo never silently changes what a token grants.
    UnknownField {
        /// The vendor whose input it is, if vendor-specific.
        vendor: Option<Vendor>,
        /// Which input ("grants", "room configuration", "request", "privilege payload").
        what: &'static str,
        /// The key, as a dotted path (`video.canPublsh`, `agents[0].agentNme`).
        path: String,
        /// The known key closest to it, if any.
        closest: Option<&'static str>,
    },
    /// A vendor-neutral input (a duration, a batch request line) cannot be read.
    InvalidInput {
        /// What was being read.
        what: &'static str,
        /// What is wrong and how to fix it.
        reason: Cow<'static, str>,
    },
    /// The token is not well formed. Match on `cause`; `reason` is for people.
    Malformed {
        /// The vendor whose format was expected, if known.
        vendor: Option<Vendor>,
        /// Which check failed.
        cause: MalformedCause,
        /// What is wrong with it, in words (the text of the message).
        reason: Cow<'static, str>,
    },
    /// The signature (or AEAD tag, or decrypted content) does not match the credentials. Opaque on
    /// purpose.
    SignatureMismatch {
        /// The vendor of the token.
        vendor: Vendor,
    },
    /// The token names a key (issuer / app id) that the verifier was not given.
    UnknownKey {
        /// The vendor of the token.
        vendor: Vendor,
        /// The key id or app id the token names (public information).
        key: String,
    },
    /// The token has expired.
    Expired {
        /// The vendor of the token.
        vendor: Vendor,
        /// When it expired, Unix seconds.
        expired_at: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The token's own expiry has not passed, but the access privilege of every one of its
    /// services has (Agora: RTC join_channel, RTM / FPA / RTM2 login, every privilege of the other
    /// services; see [`agora`](crate::agora#privilege-expiry)): nothing lets its holder in any
    /// more. Other expired privileges are warnings, not this error.
    PrivilegeExpired {
        /// The vendor of the token.
        vendor: Vendor,
        /// The service of the access privilege that expired last (`rtc`, `rtm`, …).
        service: &'static str,
        /// That privilege (`join_channel`, `login`, …).
        privilege: &'static str,
        /// How many services the token has (the access privileges of all of them expired).
        services: usize,
        /// When the last of them expired, Unix seconds.
        expired_at: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The token is not valid yet (`nbf` in the future beyond the leeway).
    NotYetValid {
        /// The vendor of the token.
        vendor: Vendor,
        /// When it becomes valid, Unix seconds.
        not_before: i64,
        /// The verification time, Unix seconds.
        now: i64,
    },
    /// The system clock could not be read as Unix time.
    Clock {
        /// What went wrong.
        reason: Cow<'static, str>,
    },
    /// An invariant the types should guarantee broke: a bug in rtcmint (please report it). It is
    /// returned instead of a wrong result or a panic; no input is meant to cause it.
    Internal {
        /// Which invariant.
        what: &'static str,
    },
    /// A webhook (server callback) was refused; its [`kind`](crate::webhook::WebhookError::kind)
    /// is this error's kind.
    Webhook(Box<crate::webhook::WebhookError>),
}

impl Error {
    /// The broad class of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidCredentials { .. } => ErrorKind::Credentials,
            Error::InvalidRequest { .. }
            | Error::Unsupported { .. }
            | Error::InvalidInput { .. }
            | Error::UnknownField { .. } => ErrorKind::Request,
            Error::Malformed { .. } => ErrorKind::Malformed,
            Error::SignatureMismatch { .. } | Error::UnknownKey { .. } => ErrorKind::Signature,
            Error::Expired { .. } | Error::PrivilegeExpired { .. } | Error::NotYetValid { .. } => {
                ErrorKind::Time
            }
            Error::Clock { .. } => ErrorKind::Environment,
            Error::Internal { .. } => ErrorKind::Internal,
            Error::Webhook(e) => e.kind(),
        }
    }

    /// The vendor this error concerns, when there is one.
    #[must_use]
    pub fn vendor(&self) -> Option<Vendor> {
        match self {
            Error::InvalidCredentials { vendor, .. }
            | Error::InvalidRequest { vendor, .. }
            | Error::Unsupported { vendor, .. }
            | Error::SignatureMismatch { vendor }
            | Error::UnknownKey { vendor, .. }
            | Error::Expired { vendor, .. }
            | Error::PrivilegeExpired { vendor, .. }
            | Error::NotYetValid { vendor, .. } => Some(*vendor),
            Error::Malformed { vendor, .. } | Error::UnknownField { vendor, .. } => *vendor,
            Error::Webhook(e) => Some(e.vendor()),
            Error::Clock { .. } | Error::InvalidInput { .. } | Error::Internal { .. } => None,
        }
    }

    /// Which check failed, when this is [`Error::Malformed`].
    #[must_use]
    pub fn malformed_cause(&self) -> Option<MalformedCause> {
        match self {
            Error::Malformed { cause, .. } => Some(*cause),
            _ => None,
        }
    }

    pub(crate) fn credentials(
        vendor: Vendor,
        what: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidCredentials {
            vendor,
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn request(
        vendor: Vendor,
        field: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidRequest {
            vendor,
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(
        vendor: Vendor,
        field: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::Unsupported {
            vendor,
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn malformed(
        vendor: Vendor,
        cause: MalformedCause,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::Malformed {
            vendor: Some(vendor),
            cause,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidCredentials {
                vendor,
                what,
                reason,
            } => write!(f, "{vendor} {what}: {reason}"),
            Error::InvalidRequest {
                vendor,
                field,
                reason,
            } => write!(f, "{vendor} request field `{field}`: {reason}"),
            Error::Unsupported {
                vendor,
                field,
                reason,
            } => write!(f, "{vendor} tokens cannot express `{field}`: {reason}"),
            Error::InvalidInput { what, reason } => write!(f, "{what}: {reason}"),
            Error::UnknownField {
                vendor,
                what,
                path,
                closest,
            } => {
                if let Some(v) = vendor {
                    write!(f, "{v} ")?;
                }
                write!(f, "{what}: unknown key `{path}`")?;
                match closest {
                    Some(c) => write!(
                        f,
                        "; did you mean `{c}`? (unknown keys are refused, not dropped)"
                    ),
                    None => f.write_str(" (unknown keys are refused, not dropped)"),
                }
            }
            Error::Malformed {
                vendor: Some(vendor),
                reason,
                ..
            } => write!(f, "malformed {vendor} token: {reason}"),
            Error::Malformed {
                vendor: None,
                reason,
                ..
            } => write!(f, "malformed token: {reason}"),
            Error::SignatureMismatch { vendor } => {
                write!(
                    f,
                    "{vendor} token signature mismatch (wrong secret or tampered token)"
                )
            }
            Error::UnknownKey { vendor, key } => {
                write!(
                    f,
                    "{vendor} token was issued for key `{key}`, which the verifier does not have"
                )
            }
            Error::Expired {
                vendor,
                expired_at,
                now,
            } => write!(
                f,
                "{vendor} token expired at {} (Unix {expired_at}), {} before the verification time {} (Unix {now})",
                crate::time::utc(*expired_at),
                crate::time::span(now.abs_diff(*expired_at)),
                crate::time::utc(*now),
            ),
            Error::PrivilegeExpired {
                vendor,
                service,
                privilege,
                services,
                expired_at,
                now,
            } => {
                if *services == 1 {
                    write!(
                        f,
                        "{vendor} token's {service} {privilege} privilege expired"
                    )?;
                } else {
                    write!(
                        f,
                        "{vendor} token's access privileges of all {services} services expired, the last ({service} {privilege})"
                    )?;
                }
                write!(
                    f,
                    " at {} (Unix {expired_at}), {} before the verification time {} (Unix {now})",
                    crate::time::utc(*expired_at),
                    crate::time::span(now.abs_diff(*expired_at)),
                    crate::time::utc(*now),
                )
            }
            Error::NotYetValid {
                vendor,
                not_before,
                now,
            } => write!(
                f,
                "{vendor} token is not valid before {} (Unix {not_before}), {} after the verification time {} (Unix {now})",
                crate::time::utc(*not_before),
                crate::time::span(not_before.abs_diff(*now)),
                crate::time::utc(*now),
            ),
            Error::Clock { reason } => write!(f, "system clock: {reason}"),
            Error::Internal { what } => write!(
                f,
                "internal error ({what}): this is a bug in rtcmint; please report it with the command or call that caused it"
            ),
            Error::Webhook(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<UnknownVendor> for Error {
    fn from(e: UnknownVendor) -> Self {
        Error::InvalidInput {
            what: "vendor",
            reason: e.to_string().into(),
        }
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_what_to_fix() {
        let e = Error::credentials(
            Vendor::Agora,
            "app certificate",
            "must be 32 hex characters, got 31",
        );
        assert_eq!(
            e.to_string(),
            "agora app certificate: must be 32 hex characters, got 31"
        );
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert_eq!(e.vendor(), Some(Vendor::Agora));
    }

    #[test]
    fn time_errors_report_distance() {
        let e = Error::Expired {
            vendor: Vendor::LiveKit,
            expired_at: 100,
            now: 160,
        };
        assert_eq!(
            e.to_string(),
            "livekit token expired at 1970-01-01T00:01:40Z (Unix 100), 1 min before the verification time 1970-01-01T00:02:40Z (Unix 160)"
        );
        assert_eq!(e.kind(), ErrorKind::Time);
    }
}
