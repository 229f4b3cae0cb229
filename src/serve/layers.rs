//! Small layers of the router: request ids, the error envelope, trace spans.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Span;

use super::error::{ApiError, ErrorBody};

/// Request ids `<process prefix>-<counter>`: unique per process run, cheap.
#[derive(Debug, Clone)]
pub(crate) struct MakeId {
    prefix: u32,
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

impl MakeId {
    pub(crate) fn new() -> Self {
        use crate::random::RandomSource as _;
        let mut b = [0u8; 4];
        crate::random::ThreadRandom.fill(&mut b);
        MakeId {
            prefix: u32::from_be_bytes(b),
        }
    }
}

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Drops a client-sent `x-request-id` that is long or holds anything but `[A-Za-z0-9._:-]`
/// (it goes into logs and bodies), so a fresh one is made.
pub(crate) async fn sanitize_request_id(mut req: Request, next: Next) -> Response {
    let bad = req.headers().get("x-request-id").is_some_and(|v| {
        v.len() > 64
            || !v
                .as_bytes()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(b))
    });
    if bad {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

/// The error envelope: fills `request_id` into every [`ApiError`] body, and turns the bare
/// statuses of layers (timeout) into the same JSON shape.
pub(crate) async fn finish_errors(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut response = next.run(req).await;
    let body = match response.extensions_mut().remove::<ErrorBody>() {
        Some(ErrorBody(body)) => body,
        None => {
            if response.status() == StatusCode::GATEWAY_TIMEOUT
                && !response
                    .headers()
                    .contains_key(axum::http::header::CONTENT_TYPE)
            {
                let e = ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "timeout",
                    "the request took longer than the gateway's request timeout",
                );
                let mut r = e.into_response();
                let Some(ErrorBody(body)) = r.extensions_mut().remove::<ErrorBody>() else {
                    return r;
                };
                response = r;
                body
            } else {
                return response;
            }
        }
    };
    let mut body = body;
    if let Some(obj) = body
        .get_mut("error")
        .and_then(serde_json::Value::as_object_mut)
    {
        obj.insert("request_id".into(), serde_json::Value::from(request_id));
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

/// The span of one request: id, method and path (no headers: they carry the API key).
pub(crate) fn make_span(req: &axum::http::Request<axum::body::Body>) -> Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    )
}

/// One log line per answered request.
pub(crate) fn on_response(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        "answered"
    );
}
