//! The error type of the `remote` module.
//!
//! Token errors stay in [`crate::Error`]; everything that can go wrong talking to a vendor's HTTP
//! API is a [`RemoteError`]. Vendor errors keep the vendor's own code, message and request id.
//! No variant ever carries a secret (customer secret, server secret, JWT, signature).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use super::recording_id::RecordingRecovery;
use crate::Vendor;

/// Why an operation is [`RemoteError::Unsupported`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnsupportedReason {
    /// The vendor's API has no such operation (or none for this app, e.g. a ZEGO action that
    /// ZEGO has not enabled).
    VendorLacks,
    /// The vendor has the operation but this library does not implement it.
    NotImplemented,
}

impl UnsupportedReason {
    /// A short phrase for messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            UnsupportedReason::VendorLacks => "the vendor's API does not offer it",
            UnsupportedReason::NotImplemented => {
                "the vendor offers it, but rtcmint does not implement it"
            }
        }
    }
}

/// Every error of the `remote` module.
#[derive(Debug)]
#[non_exhaustive]
pub enum RemoteError {
    /// The operation cannot be performed, and says whose limitation that is.
    Unsupported {
        /// The vendor asked.
        vendor: Vendor,
        /// The operation (`room.list`, `recording.start(metadata)`, ...).
        operation: &'static str,
        /// Whose limitation it is.
        reason: UnsupportedReason,
        /// What to do instead, if anything.
        hint: Cow<'static, str>,
    },
    /// The vendor answered with an error.
    Api {
        /// The vendor that answered.
        vendor: Vendor,
        /// The HTTP status (ZEGO answers 200 with a non-zero `Code`).
        status: u16,
        /// The vendor's error code: a Twirp code (`not_found`), an Agora `code`, a ZEGO `Code`.
        /// `None` when the body had none (plain text, Agora `{message}`).
        code: Option<String>,
        /// The vendor's message (or the start of a non-JSON body).
        message: String,
        /// The vendor's request id (`X-Request-ID` header, ZEGO `RequestId`), to quote to support.
        request_id: Option<String>,
    },
    /// The vendor refused the credentials or the permissions (LiveKit 401, Agora 401, ZEGO
    /// signature codes).
    Auth {
        /// The vendor that refused.
        vendor: Vendor,
        /// The HTTP status.
        status: u16,
        /// The vendor's code, when it sent one (`unauthenticated`, `100000005`).
        code: Option<String>,
        /// The vendor's message.
        message: String,
    },
    /// The object does not exist (or, for ZEGO rooms, has nobody in it: the API cannot tell).
    NotFound {
        /// The vendor asked.
        vendor: Vendor,
        /// What was looked for: `room`, `participant`, `recording`.
        what: &'static str,
        /// Its name or id.
        id: String,
    },
    /// The request could not be sent or its answer not received (connection refused or reset,
    /// DNS, TLS).
    Transport {
        /// The vendor called.
        vendor: Vendor,
        /// What happened (never includes the URL, which may carry a signature).
        message: String,
    },
    /// No complete answer arrived within the configured timeout.
    Timeout {
        /// The vendor called.
        vendor: Vendor,
        /// The per-attempt timeout that elapsed.
        after: Duration,
    },
    /// The answer could not be decoded.
    Decode {
        /// The vendor that answered.
        vendor: Vendor,
        /// The operation whose answer it was.
        operation: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A request field is invalid for this vendor.
    InvalidRequest {
        /// The vendor the request was for.
        vendor: Vendor,
        /// The field.
        field: &'static str,
        /// What is wrong and how to fix it.
        reason: Cow<'static, str>,
    },
    /// The client is configured wrongly (base URL, missing storage settings).
    Config {
        /// The vendor client concerned.
        vendor: Vendor,
        /// What is wrong and how to fix it.
        reason: Cow<'static, str>,
    },
    /// Minting the request's credentials failed (LiveKit JWT, clock).
    Token(crate::Error),
    /// The vendor may or may not have done it: the request was sent but no definite answer
    /// came back (timeout, reset, 5xx), or the vendor says a recording is running without
    /// naming it. Never retried blindly; `recovery` says how to find and stop the recording.
    OutcomeUnknown {
        /// The vendor called.
        vendor: Vendor,
        /// The operation (`recording.start`).
        operation: &'static str,
        /// What happened (the last error).
        reason: String,
        /// What is known: enough to find the recording and stop it.
        recovery: Box<RecordingRecovery>,
    },
}

impl RemoteError {
    /// The vendor this error concerns, when there is one.
    #[must_use]
    pub fn vendor(&self) -> Option<Vendor> {
        match self {
            RemoteError::Unsupported { vendor, .. }
            | RemoteError::Api { vendor, .. }
            | RemoteError::Auth { vendor, .. }
            | RemoteError::NotFound { vendor, .. }
            | RemoteError::Transport { vendor, .. }
            | RemoteError::Timeout { vendor, .. }
            | RemoteError::Decode { vendor, .. }
            | RemoteError::InvalidRequest { vendor, .. }
            | RemoteError::Config { vendor, .. }
            | RemoteError::OutcomeUnknown { vendor, .. } => Some(*vendor),
            RemoteError::Token(e) => e.vendor(),
        }
    }

    /// The vendor's error code, for [`RemoteError::Api`] and [`RemoteError::Auth`].
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            RemoteError::Api { code, .. } | RemoteError::Auth { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, for [`RemoteError::Api`] and [`RemoteError::Auth`].
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            RemoteError::Api { status, .. } | RemoteError::Auth { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether this is a [`RemoteError::NotFound`] or a vendor error that means "not found"
    /// (Twirp `not_found`, HTTP 404 from Agora Cloud Recording, ZEGO room codes 104/5024/50001).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        match self {
            RemoteError::NotFound { .. } => true,
            RemoteError::Api {
                vendor: Vendor::Zego,
                code,
                ..
            } => matches!(code.as_deref(), Some("104" | "5024" | "50001" | "50002")),
            RemoteError::Api { status, code, .. } => {
                *status == 404 || code.as_deref() == Some("not_found")
            }
            _ => false,
        }
    }

    /// Whether the vendor may have acted on the request although it answered with this error:
    /// timeouts, and 5xx or 408 answers that are not the service's own error (a proxy's or
    /// gateway's 502/504 carries no vendor code) or whose code says the handler was cut short
    /// (Twirp `deadline_exceeded`, `canceled`, `unknown`).
    #[must_use]
    pub fn may_have_acted(&self) -> bool {
        match self {
            RemoteError::Timeout { .. } => true,
            RemoteError::Api { status, code, .. } if *status >= 500 || *status == 408 => {
                match code.as_deref() {
                    None => true,
                    Some(c) => matches!(c, "deadline_exceeded" | "canceled" | "unknown"),
                }
            }
            _ => false,
        }
    }

    /// Whether the same request may succeed later: HTTP 429 and 5xx, ZEGO's busy/QPS codes,
    /// Agora's network-jitter code 65, timeouts and transport failures. Only idempotent calls are retried automatically.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            RemoteError::Api {
                vendor: Vendor::Zego,
                status: 200,
                code,
                ..
            } => matches!(code.as_deref(), Some("1" | "7" | "206" | "5018")),
            RemoteError::Api {
                vendor: Vendor::Agora,
                code: Some(code),
                ..
            } if code == "65" => true,
            RemoteError::Api { status, .. } => *status == 429 || *status >= 500,
            RemoteError::Timeout { .. } | RemoteError::Transport { .. } => true,
            _ => false,
        }
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteError::Unsupported {
                vendor,
                operation,
                reason,
                hint,
            } => {
                write!(
                    f,
                    "{vendor}: `{operation}` is unsupported: {}",
                    reason.as_str()
                )?;
                if !hint.is_empty() {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            RemoteError::Api {
                vendor,
                status,
                code,
                message,
                request_id,
            } => {
                write!(f, "{vendor} API error (HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, ", code {code}")?;
                }
                write!(f, "): {message}")?;
                if let Some(id) = request_id {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            RemoteError::Auth {
                vendor,
                status,
                code,
                message,
            } => {
                write!(
                    f,
                    "{vendor} refused the credentials or permissions (HTTP {status}"
                )?;
                if let Some(code) = code {
                    write!(f, ", code {code}")?;
                }
                write!(f, "): {message}")
            }
            RemoteError::NotFound { vendor, what, id } => {
                write!(f, "{vendor}: {what} `{id}` not found")
            }
            RemoteError::Transport { vendor, message } => {
                write!(f, "{vendor}: request failed: {message}")
            }
            RemoteError::Timeout { vendor, after } => {
                write!(f, "{vendor}: no answer within {} ms", after.as_millis())
            }
            RemoteError::Decode {
                vendor,
                operation,
                message,
            } => write!(
                f,
                "{vendor}: cannot decode the answer to {operation}: {message}"
            ),
            RemoteError::InvalidRequest {
                vendor,
                field,
                reason,
            } => write!(f, "{vendor} request field `{field}`: {reason}"),
            RemoteError::Config { vendor, reason } => {
                write!(f, "{vendor} client configuration: {reason}")
            }
            RemoteError::Token(e) => write!(f, "cannot sign the request: {e}"),
            RemoteError::OutcomeUnknown {
                vendor,
                operation,
                reason,
                recovery,
            } => {
                write!(
                    f,
                    "{vendor}: the outcome of {operation} is unknown ({reason}); {}",
                    recovery.hint()
                )?;
                if let Some(id) = recovery.recording_id() {
                    write!(f, " [recording id {id}]")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RemoteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RemoteError::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::Error> for RemoteError {
    fn from(e: crate::Error) -> Self {
        RemoteError::Token(e)
    }
}

/// A `Result` with [`RemoteError`].
pub type RemoteResult<T> = std::result::Result<T, RemoteError>;

/// The error for an operation that cannot be performed, saying whose limitation it is.
pub(crate) fn unsupported(
    vendor: Vendor,
    operation: &'static str,
    reason: UnsupportedReason,
    hint: impl Into<Cow<'static, str>>,
) -> RemoteError {
    RemoteError::Unsupported {
        vendor,
        operation,
        reason,
        hint: hint.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_says_whose_limitation() {
        let a = unsupported(
            Vendor::Zego,
            "room.list",
            UnsupportedReason::VendorLacks,
            "",
        );
        assert!(a.to_string().contains("does not offer"), "{a}");
        let b = unsupported(
            Vendor::Agora,
            "recording.query",
            UnsupportedReason::NotImplemented,
            "",
        );
        assert!(b.to_string().contains("rtcmint does not implement"), "{b}");
    }

    #[test]
    fn retryable_classes() {
        let api = |vendor, status, code: &str| RemoteError::Api {
            vendor,
            status,
            code: Some(code.into()),
            message: String::new(),
            request_id: None,
        };
        assert!(api(Vendor::LiveKit, 503, "unavailable").is_retryable());
        assert!(api(Vendor::Agora, 429, "x").is_retryable());
        assert!(!api(Vendor::LiveKit, 404, "not_found").is_retryable());
        assert!(api(Vendor::Zego, 200, "7").is_retryable());
        assert!(!api(Vendor::Zego, 200, "2").is_retryable());
        assert!(api(Vendor::Zego, 200, "50001").is_not_found());
    }
}
