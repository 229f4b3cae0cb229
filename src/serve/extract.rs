//! The extractor of the gateway's POST calls.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::Caller;
use super::body::{EmptyAllowed, parse_json};
use super::error::ApiError;

/// A POST call: the caller (set by the auth layer), the request headers (moved, not copied) and
/// the JSON body — content type checked, read within the gateway's body limit, parsed with
/// [`parse_json`]. `Idempotency-Key` is read by the handlers from the headers.
#[derive(Debug)]
pub struct Post<T> {
    /// The authenticated caller.
    pub caller: Caller,
    /// The request headers.
    pub headers: HeaderMap,
    /// The parsed body.
    pub body: T,
}

impl<T> Post<T> {
    /// The same call with its body turned into `f(body)` (e.g. paired with a path parameter).
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Post<U> {
        Post {
            caller: self.caller,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

impl<T> FromRequest<Arc<AppState>> for Post<T>
where
    T: DeserializeOwned + EmptyAllowed,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let limit = state.config.body_limit;
        let (mut parts, body) = req.into_parts();
        let caller = parts
            .extensions
            .remove::<Caller>()
            .ok_or_else(|| ApiError::internal("the auth layer did not run on this route"))?;
        let json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let essence = ct.split(';').next().unwrap_or_default().trim();
                essence.eq_ignore_ascii_case("application/json")
            });
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| too_large(limit))?;
        if !(json || bytes.is_empty() && T::EMPTY_IS_OBJECT) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_media_type",
                "the body must be JSON with `Content-Type: application/json`",
            ));
        }
        let body = parse_json(&bytes, T::EMPTY_IS_OBJECT).map_err(ApiError::from)?;
        Ok(Post {
            caller,
            headers: parts.headers,
            body,
        })
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
