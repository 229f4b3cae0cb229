//! The JSON extractor of the gateway's POST calls.

use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::body::{DEFAULT_BODY_LIMIT, EmptyAllowed, parse_json};
use super::error::ApiError;

/// The JSON extractor of the gateway: content type checked, body read within the limit, parsed
/// with [`parse_json`]. `Idempotency-Key` is read by the handlers from the headers.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

/// The body limit in force, set by the router as a request extension.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned + EmptyAllowed,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| too_large(limit))?;
        if !(bytes.is_empty() && T::EMPTY_IS_OBJECT) {
            let json = content_type.as_deref().is_some_and(|ct| {
                let essence = ct.split(';').next().unwrap_or_default().trim();
                essence.eq_ignore_ascii_case("application/json")
            });
            if !json {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unsupported_media_type",
                    "the body must be JSON with `Content-Type: application/json`",
                ));
            }
        }
        parse_json(&bytes, T::EMPTY_IS_OBJECT)
            .map(Body)
            .map_err(ApiError::from)
    }
}

/// 400 `body_too_large`.
pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "body_too_large",
        format!("the request body is larger than the limit of {limit} bytes"),
    )
    .with("limit", limit)
}
