//! The frame of every request, one tower layer: request id, trace span and access line, CORS,
//! the error envelope, metrics and the request timeout. And the API routes' auth layer.
//!
//! One layer instead of a stack of `from_fn` and tower-http layers because `Router::layer`
//! wraps every route's endpoint, and each layer of such a stack clones the rest of the stack
//! below it on every request: with nine layers that was ~200 allocations per token request
//! (BENCHMARKS.md, "Gateway"). The work is the same as the stack's, in the same order.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use tower::{Layer, Service, ServiceExt as _};
use tower_http::cors::CorsLayer;
use tracing::Instrument as _;

use super::AppState;
use super::error::{ApiError, ErrorBody};

/// The request id header, read from clients (when acceptable) and answered on every response.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids `<process prefix>-<counter>`: unique per process run, cheap.
#[derive(Debug)]
struct MakeId {
    prefix: u32,
    counter: AtomicU64,
}

impl MakeId {
    fn new() -> Self {
        use crate::random::RandomSource as _;
        let mut b = [0u8; 4];
        crate::random::ThreadRandom.fill(&mut b);
        MakeId {
            prefix: u32::from_be_bytes(b),
            counter: AtomicU64::new(1),
        }
    }

    /// `{prefix:08x}-{n:x}`, formatted on the stack.
    fn next(&self) -> HeaderValue {
        use std::io::Write as _;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 8 + 1 + 16];
        let len = {
            let mut w: &mut [u8] = &mut buf;
            // 25 bytes hold the longest id.
            let _ = write!(w, "{:08x}-{n:x}", self.prefix);
            25 - w.len()
        };
        HeaderValue::from_bytes(buf.get(..len).unwrap_or_default())
            .unwrap_or(HeaderValue::from_static("0"))
    }
}

/// Whether a client-sent `x-request-id` may be kept: at most 64 bytes of `[A-Za-z0-9._:-]` (it
/// goes into logs and bodies). Anything else is replaced by a fresh id.
fn acceptable_id(v: &HeaderValue) -> bool {
    v.len() <= 64
        && v.as_bytes()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(b))
}

/// What every [`Frame`] shares.
#[derive(Debug)]
struct Shared {
    state: Arc<AppState>,
    ids: MakeId,
    cors: CorsLayer,
    /// The headers `cors` adds to a response whose request has no `Origin` and is not a
    /// preflight (`Vary`, `Access-Control-Expose-Headers`), found by asking `cors` once. `None`
    /// when it could not be found: then every request goes through `cors`.
    cors_plain: Option<HeaderMap>,
    timeout: Duration,
}

/// The frame layer (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct FrameLayer(Arc<Shared>);

impl FrameLayer {
    pub(crate) fn new(state: Arc<AppState>, cors: CorsLayer) -> Self {
        let timeout = state.config.request_timeout;
        let cors_plain = plain_cors_headers(&cors);
        FrameLayer(Arc::new(Shared {
            state,
            ids: MakeId::new(),
            cors,
            cors_plain,
            timeout,
        }))
    }
}

/// The headers `cors` adds to a plain (no `Origin`, not `OPTIONS`) request's response.
fn plain_cors_headers(cors: &CorsLayer) -> Option<HeaderMap> {
    let probe = cors.layer(tower::service_fn(|_: Request| async {
        Ok::<_, Infallible>(Response::new(axum::body::Body::empty()))
    }));
    let req = Request::post("/").body(axum::body::Body::empty()).ok()?;
    let mut fut = std::pin::pin!(probe.oneshot(req));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(r)) => Some(r.headers().clone()),
        _ => None,
    }
}

impl<S> Layer<S> for FrameLayer {
    type Service = Frame<S>;

    fn layer(&self, inner: S) -> Frame<S> {
        Frame {
            inner,
            shared: Arc::clone(&self.0),
        }
    }
}

/// The frame around one route's endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Frame<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for Frame<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The ready service goes into the future; a clone stays for the next call.
        let inner = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, inner);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move { Ok(frame(shared, inner, req).await) })
    }
}

/// One request: id, span, CORS, then [`metered`], then the id on the response and the access
/// line.
async fn frame<S>(shared: Arc<Shared>, inner: S, mut req: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    let start = Instant::now();
    let id = match req.headers().get(REQUEST_ID) {
        Some(v) if acceptable_id(v) => v.clone(),
        _ => {
            let v = shared.ids.next();
            req.headers_mut().insert(REQUEST_ID, v.clone());
            v
        }
    };
    // The span of the request: id, method and path (no headers: they carry the API key).
    let span = tracing::info_span!(
        "request",
        request_id = %id.to_str().unwrap_or_default(),
        method = %req.method(),
        path = %req.uri().path(),
    );
    let plain = match &shared.cors_plain {
        Some(h)
            if req.method() != Method::OPTIONS && !req.headers().contains_key(header::ORIGIN) =>
        {
            Some(h)
        }
        _ => None,
    };
    let mut response = match plain {
        Some(cors_headers) => {
            let mut r = metered(&shared, inner, &id, req)
                .instrument(span.clone())
                .await;
            let h = r.headers_mut();
            for (name, value) in cors_headers {
                if name == header::VARY {
                    h.append(name, value.clone());
                } else {
                    h.insert(name, value.clone());
                }
            }
            r
        }
        None => {
            // A CORS request or a preflight: tower-http's layer decides (a preflight is
            // answered by it alone, as before: not counted, no envelope).
            let s = Arc::clone(&shared);
            let rid = id.clone();
            let svc = tower::service_fn(move |req: Request| {
                let s = Arc::clone(&s);
                let inner = inner.clone();
                let rid = rid.clone();
                async move { Ok::<_, Infallible>(metered(&s, inner, &rid, req).await) }
            });
            match shared
                .cors
                .layer(svc)
                .oneshot(req)
                .instrument(span.clone())
                .await
            {
                Ok(r) => r,
                Err(never) => match never {},
            }
        }
    };
    if !response.headers().contains_key(REQUEST_ID) {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
            "answered"
        );
    });
    response
}

/// The error envelope around the metrics around the timeout around the endpoint.
async fn metered<S>(shared: &Shared, inner: S, id: &HeaderValue, req: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let route = super::metrics::route_index(route);
    let method = super::metrics::method_index(req.method());
    let start = Instant::now();
    let response = match tokio::time::timeout(shared.timeout, inner.oneshot(req)).await {
        Ok(Ok(r)) => r,
        Ok(Err(never)) => match never {},
        Err(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the request took longer than the gateway's request timeout",
        )
        .into_response(),
    };
    shared
        .state
        .metrics
        .request(route, method, response.status(), start.elapsed());
    finish_error(response, id)
}

/// The error envelope: fills `request_id` into the body of an [`ApiError`] answer.
fn finish_error(mut response: Response, id: &HeaderValue) -> Response {
    let Some(ErrorBody(mut body)) = response.extensions_mut().remove::<ErrorBody>() else {
        return response;
    };
    if let Some(obj) = body
        .get_mut("error")
        .and_then(serde_json::Value::as_object_mut)
    {
        obj.insert(
            "request_id".into(),
            serde_json::Value::from(id.to_str().unwrap_or_default()),
        );
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

/// The API routes' layer: bearer-key auth (401), then the caller's rate limit (429); sets
/// [`super::auth::Caller`]. Both decisions are synchronous, so the endpoint's own future is
/// returned (nothing boxed, nothing cloned).
#[derive(Debug, Clone)]
pub(crate) struct AuthLayer(pub(crate) Arc<AppState>);

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            state: Arc::clone(&self.0),
        }
    }
}

/// [`AuthLayer`] around one endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Auth<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S> Service<Request> for Auth<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AuthFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        match super::auth::admit(&self.state, req.headers()) {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
                AuthFuture::Admitted(self.inner.call(req))
            }
            Err(refusal) => AuthFuture::Refused(Some(refusal)),
        }
    }
}

/// The future of [`Auth`]: the refusal, or the endpoint's own future.
#[derive(Debug)]
pub(crate) enum AuthFuture<F> {
    Refused(Option<Response>),
    Admitted(F),
}

impl<F> Future for AuthFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            AuthFuture::Refused(r) => Poll::Ready(Ok(r.take().unwrap_or_else(|| {
                ApiError::internal("auth future polled after completion").into_response()
            }))),
            AuthFuture::Admitted(f) => Pin::new(f).poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_prefix_dash_hex_counter() {
        let ids = MakeId {
            prefix: 0x0a1b_2c3d,
            counter: AtomicU64::new(0),
        };
        assert_eq!(ids.next(), "0a1b2c3d-0");
        assert_eq!(ids.next(), "0a1b2c3d-1");
        ids.counter.store(0xfeed_beef_0123, Ordering::Relaxed);
        assert_eq!(ids.next(), "0a1b2c3d-feedbeef0123");
        ids.counter.store(u64::MAX, Ordering::Relaxed);
        assert_eq!(ids.next(), "0a1b2c3d-ffffffffffffffff");
        assert!(acceptable_id(&ids.next()));
    }

    #[test]
    fn client_request_ids_are_checked() {
        assert!(acceptable_id(&HeaderValue::from_static("abc-123._:")));
        assert!(!acceptable_id(&HeaderValue::from_static("a b")));
        assert!(!acceptable_id(&HeaderValue::from_static("a\"b")));
        assert!(!acceptable_id(
            &HeaderValue::from_bytes(&[b'a'; 65]).unwrap()
        ));
    }

    #[test]
    fn plain_cors_headers_are_what_the_layer_adds() {
        let cors = CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list([
                HeaderValue::from_static("https://app.example"),
            ]))
            .expose_headers([REQUEST_ID]);
        let h = plain_cors_headers(&cors).unwrap();
        assert!(h.contains_key(header::VARY), "{h:?}");
        assert_eq!(h[header::ACCESS_CONTROL_EXPOSE_HEADERS], "x-request-id");
        assert!(
            !h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "{h:?}"
        );
    }
}
