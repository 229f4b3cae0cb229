//! Idempotency keys on POST calls (the IETF httpapi `Idempotency-Key` draft, Stripe's
//! semantics).
//!
//! - The key comes from the `Idempotency-Key` header or the body's `idempotency_key` (both given
//!   and different: 400). Keys are scoped per API key.
//! - The request's fingerprint is SHA-256 of the route and the parsed request (without the key):
//!   the same key with a different request answers 422 `idempotency_key_reused`.
//! - The first request claims the key in the store (one atomic statement, so exactly one of any
//!   number of concurrent duplicates, on any instance sharing the store, wins). The operation
//!   then runs in its own task, so a client that disconnects cannot cancel it half-way, and its
//!   response (status and body bytes) is stored; every later duplicate gets those bytes back
//!   with `Idempotent-Replayed: true`, also after a restart.
//! - A duplicate arriving while the first runs polls the store for up to `idempotency_wait`, then
//!   answers 409 `in_progress`.
//! - An answer that proves nothing happened at the vendor (a request refused before any vendor
//!   call, or refused by the vendor with 429/503) releases the key instead, so a retry may run.
//!   Everything else, including timeouts whose outcome is unknown, is kept for the key's
//!   lifetime: a call that may have happened is never repeated blindly.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Serialize;
use serde_json::Value;

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::extract::Post;
use super::store::{IdempotencyBegin, IdempotencyClaim, IdempotencyKey, StoredResponse};

/// The header of the draft.
pub const HEADER: &str = "idempotency-key";
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// The idempotency key of a request, from the header or the body field.
///
/// # Errors
/// 400 for an empty, too long or non-printable key, or header and body disagreeing.
pub fn request_key(headers: &HeaderMap, body_key: Option<&str>) -> ApiResult<Option<String>> {
    let header_key = match headers.get(HEADER) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| {
                    ApiError::field(
                        "idempotency_key",
                        "the Idempotency-Key header must be printable ASCII",
                    )
                })?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    let key = match (header_key, body_key) {
        (Some(h), Some(b)) if h != b => {
            return Err(ApiError::field(
                "idempotency_key",
                "the Idempotency-Key header and the body's idempotency_key differ",
            ));
        }
        (Some(h), _) => h,
        (None, Some(b)) => b.to_owned(),
        (None, None) => return Ok(None),
    };
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| (0x21..0x7f).contains(&b))
    {
        return Err(ApiError::field(
            "idempotency_key",
            format!(
                "an idempotency key must be 1 to {MAX_KEY_LEN} printable ASCII characters without spaces"
            ),
        ));
    }
    Ok(Some(key))
}

fn fingerprint<T: Serialize>(route: &str, request: &T) -> ApiResult<String> {
    use sha2::Digest as _;
    let json = serde_json::to_vec(request)
        .map_err(|e| ApiError::internal(format!("cannot fingerprint the request: {e}")))?;
    let mut h = sha2::Sha256::new();
    h.update(route.as_bytes());
    h.update([0u8]);
    h.update(&json);
    let digest = h.finalize();
    let mut s = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
    }
    Ok(s)
}

/// Whether an error answer proves the vendor did nothing (so the key may be released).
fn nothing_happened(e: &ApiError) -> bool {
    match e.code {
        "vendor_unavailable" => e.detail.contains_key("vendor_status"),
        "invalid_request"
        | "invalid_json"
        | "unsupported"
        | "vendor_required"
        | "vendor_not_configured"
        | "vendor_mismatch"
        | "vendor_misconfigured"
        | "store_unavailable"
        | "not_found"
        | "vendor_rejected" => true,
        _ => false,
    }
}

/// An error's body with the request id filled in.
pub(crate) fn error_bytes(e: &ApiError, request_id: &str) -> Vec<u8> {
    let mut body = e.body();
    if let Some(obj) = body.get_mut("error").and_then(Value::as_object_mut) {
        obj.insert("request_id".into(), Value::from(request_id));
    }
    serde_json::to_vec(&body).unwrap_or_default()
}

fn json_response(status: StatusCode, body: Vec<u8>, replayed: Option<bool>) -> Response {
    let mut r = Response::new(axum::body::Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(replayed) = replayed {
        r.headers_mut().insert(
            "idempotent-replayed",
            HeaderValue::from_static(if replayed { "true" } else { "false" }),
        );
    }
    r
}

fn render<A: Serialize>(
    result: &ApiResult<(StatusCode, A)>,
    request_id: &str,
) -> (StatusCode, Vec<u8>, Option<u64>) {
    match result {
        Ok((status, v)) => (*status, answer_bytes(v), None),
        Err(e) => (e.status, error_bytes(e, request_id), e.retry_after),
    }
}

/// When a duplicate stops waiting for the first request: `now + wait`, or `None` (no deadline)
/// for a configured wait beyond what the clock can represent (`Instant + Duration` would panic).
fn wait_deadline(wait: Duration) -> Option<tokio::time::Instant> {
    tokio::time::Instant::now().checked_add(wait)
}

/// Whether sleeping `pause` more would pass `deadline` (never, without one).
fn wait_is_over(deadline: Option<tokio::time::Instant>, pause: Duration) -> bool {
    deadline.is_some_and(|d| {
        tokio::time::Instant::now()
            .checked_add(pause)
            .is_none_or(|t| t > d)
    })
}

/// The JSON bytes of an answer (token answers are ~450 bytes: one allocation).
fn answer_bytes<A: Serialize>(answer: &A) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    // Writing the gateway's own answers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut out, answer);
    out
}

/// How one POST call meets idempotency: its route name (part of the fingerprint), where its
/// body carries `idempotency_key`, and what of the request is fingerprinted.
pub(crate) struct Call<R, P> {
    /// The route's name in the fingerprint (`token.issue`, ...).
    pub(crate) route: &'static str,
    /// The body's `idempotency_key`, if the call's body has one.
    pub(crate) body_key: fn(&R) -> Option<&str>,
    /// What identifies the request (the same value means the same request).
    pub(crate) fingerprint: fn(&R) -> P,
}

/// Runs the operation `op` of a POST call on `request`: without an idempotency key (header or
/// body) directly, with no store and no task; with one, under the key (claim, own task, store,
/// replay; see the module docs).
pub(crate) async fn run<R, P, A, F, Fut>(
    state: &Arc<AppState>,
    post: Post<R>,
    call: &Call<R, P>,
    op: F,
) -> Response
where
    P: Serialize,
    A: Serialize + Send + 'static,
    F: FnOnce(Arc<AppState>, R, Option<&str>) -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, A)>> + Send + 'static,
{
    let Post {
        caller,
        headers,
        body: request,
    } = post;
    let key = match request_key(&headers, (call.body_key)(&request)) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let Some(key) = key else {
        return match op(Arc::clone(state), request, None).await {
            Ok((status, v)) => json_response(status, answer_bytes(&v), None),
            Err(e) => e.into_response(),
        };
    };
    let request_id = headers
        .get(super::layers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fp = (call.fingerprint)(&request);
    let op = op(Arc::clone(state), request, Some(&key));
    match claim_and_run(state, &caller, request_id, call.route, &key, &fp, op).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn claim_and_run<T, A, Fut>(
    state: &Arc<AppState>,
    caller: &Caller,
    request_id: &str,
    route: &'static str,
    key: &str,
    request: &T,
    op: Fut,
) -> ApiResult<Response>
where
    T: Serialize,
    A: Serialize + Send + 'static,
    Fut: Future<Output = ApiResult<(StatusCode, A)>> + Send + 'static,
{
    let fp = fingerprint(route, request)?;
    let ikey = IdempotencyKey {
        scope: &caller.scope,
        key,
    };
    let deadline = wait_deadline(state.config.idempotency_wait);
    let mut pause = Duration::from_millis(5);
    loop {
        let now = state.now()?;
        let ttl = i64::try_from(state.config.idempotency_ttl.as_secs()).unwrap_or(i64::MAX);
        let begin = state
            .store
            .idempotency_begin(IdempotencyClaim {
                key: ikey,
                fingerprint: &fp,
                now,
                expires_at: now.saturating_add(ttl),
            })
            .await?;
        match begin {
            IdempotencyBegin::Started => break,
            IdempotencyBegin::Replay(stored) => {
                state.metrics.replayed();
                let status = StatusCode::from_u16(stored.status)
                    .map_err(|_| ApiError::internal("stored response has a bad status"))?;
                return Ok(json_response(status, stored.body, Some(true)));
            }
            IdempotencyBegin::Mismatch => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "this idempotency key was used for a different request; use a new key",
                ));
            }
            IdempotencyBegin::InProgress => {
                if wait_is_over(deadline, pause) {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "in_progress",
                        "a request with this idempotency key is still running; retry later with the same key",
                    )
                    .retry_after(1));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
        }
    }
    // The operation and the storing of its answer run to completion even if this request is
    // dropped (client gone, server timeout).
    let task_state = Arc::clone(state);
    let scope = Arc::clone(&caller.scope);
    let key_owned = key.to_owned();
    let rid = request_id.to_owned();
    let task = tokio::spawn(async move {
        let result = op.await;
        let (status, body, retry_after) = render(&result, &rid);
        let k = IdempotencyKey {
            scope: &scope,
            key: &key_owned,
        };
        let release = matches!(&result, Err(e) if nothing_happened(e));
        let stored = if release {
            task_state
                .store
                .idempotency_abandon(k, &fp)
                .await
                .map(|_| ())
        } else {
            task_state
                .store
                .idempotency_complete(
                    k,
                    &fp,
                    &StoredResponse {
                        status: status.as_u16(),
                        body: body.clone(),
                    },
                )
                .await
                .map(|_| ())
        };
        if let Err(e) = stored {
            // The answer still reaches this caller; duplicates will see `in_progress` until
            // the key expires (the outcome is not lost, and not repeated).
            tracing::error!(request_id = %rid, error = %e, "cannot store the idempotent response");
        }
        (status, body, retry_after)
    });
    let (status, body, retry_after) = task
        .await
        .map_err(|_| ApiError::internal("the request task failed"))?;
    let mut response = json_response(status, body, Some(false));
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_beyond_the_clock_is_no_deadline_not_a_panic() {
        // `--idempotency-wait 9300000000000000000s` parses; `Instant + Duration` would panic.
        assert!(wait_deadline(Duration::MAX).is_none());
        assert!(!wait_is_over(None, Duration::from_millis(5)));
        assert!(!wait_is_over(wait_deadline(Duration::MAX), Duration::MAX));
        let soon = wait_deadline(Duration::ZERO);
        assert!(soon.is_some());
        assert!(wait_is_over(soon, Duration::from_millis(5)));
        assert!(wait_is_over(soon, Duration::MAX));
        assert!(!wait_is_over(
            wait_deadline(Duration::from_secs(3600)),
            Duration::from_millis(5)
        ));
    }
}
