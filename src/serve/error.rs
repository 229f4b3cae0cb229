//! The one error response of the gateway.
//!
//! Every failure becomes an [`ApiError`], which renders as
//! `{"error": {"code", "message", "request_id", …detail}}` through [`IntoResponse`]. The request
//! id is filled in by the frame layer's error envelope (`layers.rs`), which also answers the
//! request timeout in the same shape.
//!
//! Status mapping:
//!
//! | status | codes |
//! |---|---|
//! | 400 | `invalid_json`, `invalid_request`, `body_too_large`, `unsupported_media_type`, `vendor_required`, `vendor_not_configured`, `vendor_mismatch`, `vendor_rejected`, `webhook_malformed` |
//! | 401 | `unauthorized` (with `WWW-Authenticate: Bearer`); webhooks: `webhook_signature_invalid`, `webhook_expired` (no `WWW-Authenticate`) |
//! | 404 | `not_found`, `route_not_found`, `webhook_not_configured` |
//! | 405 | `method_not_allowed` |
//! | 409 | `in_progress`, `conflict` |
//! | 422 | `idempotency_key_reused` |
//! | 429 | `rate_limited` (with `Retry-After`) |
//! | 500 | `internal` (a bug; never for bad input) |
//! | 501 | `unsupported` (`reason`: `vendor_lacks` or `not_implemented`) |
//! | 502 | `vendor_error`, `vendor_auth_failed` |
//! | 503 | `vendor_unavailable`, `vendor_misconfigured`, `store_unavailable` |
//! | 504 | `vendor_timeout`, `timeout` |

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::body::BodyError;
use super::store::StoreError;
use crate::error::{Error, ErrorKind};
use crate::remote::{RemoteError, UnsupportedReason};
use crate::vendor::Vendor;

/// An error answer: status, stable code, message, and optional detail fields.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// What happened and what to do.
    pub message: Cow<'static, str>,
    /// More fields beside `code` and `message` (vendor detail, `field`, `reason`).
    pub detail: Map<String, Value>,
    /// Seconds for `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

/// The rendered error, left in the response's extensions for the envelope layer.
#[derive(Debug, Clone)]
pub(crate) struct ErrorBody(pub Value);

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            detail: Map::new(),
            retry_after: None,
        }
    }

    /// Adds a detail field.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.to_owned(), value.into());
        self
    }

    /// Sets `Retry-After`.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    /// 400 `invalid_request`.
    pub fn invalid(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 400 `invalid_request` naming a field.
    pub fn field(field: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::invalid(message).with("field", field)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &'static str, id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} `{id}` not found"),
        )
        .with("what", what)
    }

    /// 500 `internal`.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// 501 `unsupported`.
    pub fn unsupported(
        vendor: Vendor,
        operation: &str,
        reason: UnsupportedReason,
        hint: &str,
    ) -> Self {
        let mut message = format!(
            "{vendor}: `{operation}` is unsupported: {}",
            reason.as_str()
        );
        if !hint.is_empty() {
            message.push_str(" (");
            message.push_str(hint);
            message.push(')');
        }
        ApiError::new(StatusCode::NOT_IMPLEMENTED, "unsupported", message)
            .with("vendor", vendor.as_str())
            .with("operation", operation.to_owned())
            .with(
                "reason",
                match reason {
                    UnsupportedReason::VendorLacks => "vendor_lacks",
                    _ => "not_implemented",
                },
            )
    }

    /// The JSON body without the request id.
    pub(crate) fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert("code".into(), Value::from(self.code));
        e.insert("message".into(), Value::from(self.message.as_ref()));
        e.insert("request_id".into(), Value::Null);
        for (k, v) in &self.detail {
            e.insert(k.clone(), v.clone());
        }
        json!({ "error": Value::Object(e) })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (self.status, axum::Json(body.clone())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rtcmint\""),
            );
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(ErrorBody(body));
        response
    }
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, e.code, e.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.unavailable {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                e.to_string(),
            )
            .retry_after(1)
        } else {
            ApiError::internal(e.to_string())
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let vendor = e.vendor();
        let err = match e.kind() {
            ErrorKind::Request => {
                if let Error::Unsupported { .. } = e {
                    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", e.to_string())
                        .with("reason", "vendor_token_cannot_express")
                } else {
                    ApiError::invalid(e.to_string())
                }
            }
            ErrorKind::Credentials => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "vendor_misconfigured",
                e.to_string(),
            ),
            _ => ApiError::internal(e.to_string()),
        };
        match vendor {
            Some(v) => err.with("vendor", v.as_str()),
            None => err,
        }
    }
}

impl From<RemoteError> for ApiError {
    fn from(e: RemoteError) -> Self {
        let message = e.to_string();
        let vendor = e.vendor();
        let err = match &e {
            RemoteError::Unsupported {
                vendor,
                operation,
                reason,
                hint,
            } => ApiError::unsupported(*vendor, operation, *reason, hint),
            _ if e.is_not_found() => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            RemoteError::Api {
                status,
                code,
                request_id,
                ..
            } => {
                let busy = *status == 429 || *status == 503 || (*status == 200 && e.is_retryable());
                let mut err = if busy {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "vendor_unavailable",
                        message,
                    )
                    .retry_after(1)
                } else if matches!(status, 409 | 412) {
                    ApiError::new(StatusCode::CONFLICT, "conflict", message)
                } else if matches!(status, 400 | 422 | 413) {
                    ApiError::new(StatusCode::BAD_REQUEST, "vendor_rejected", message)
                } else {
                    ApiError::new(StatusCode::BAD_GATEWAY, "vendor_error", message)
                };
                err = err.with("vendor_status", *status);
                if let Some(c) = code {
                    err = err.with("vendor_code", c.clone());
                }
                if let Some(r) = request_id {
                    err = err.with("vendor_request_id", r.clone());
                }
                err
            }
            RemoteError::Auth { status, code, .. } => {
                let mut err = ApiError::new(StatusCode::BAD_GATEWAY, "vendor_auth_failed", message)
                    .with("vendor_status", *status);
                if let Some(c) = code {
                    err = err.with("vendor_code", c.clone());
                }
                err
            }
            RemoteError::Transport { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "vendor_unavailable",
                message,
            )
            .retry_after(1),
            RemoteError::Timeout { .. } => {
                ApiError::new(StatusCode::GATEWAY_TIMEOUT, "vendor_timeout", message)
            }
            RemoteError::Decode { .. } => {
                ApiError::new(StatusCode::BAD_GATEWAY, "vendor_error", message)
            }
            RemoteError::InvalidRequest { field, .. } => {
                ApiError::invalid(message).with("field", *field)
            }
            RemoteError::Config { .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "vendor_misconfigured",
                message,
            ),
            RemoteError::Token(inner) => ApiError::from(inner.clone()),
            _ => ApiError::new(StatusCode::BAD_GATEWAY, "vendor_error", message),
        };
        match vendor {
            Some(v) if !err.detail.contains_key("vendor") => err.with("vendor", v.as_str()),
            _ => err,
        }
    }
}

/// A `Result` with [`ApiError`].
pub type ApiResult<T> = std::result::Result<T, ApiError>;
