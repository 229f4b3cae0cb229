//! Prometheus metrics from one registry, rendered in the text format at `/metrics`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::AppState;
use crate::vendor::Vendor;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VendorLabels {
    vendor: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    vendor: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    vendor: &'static str,
    operation: &'static str,
    outcome: &'static str,
}

/// The gateway's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    tokens: Family<VendorLabels, Counter>,
    vendor_calls: Family<CallLabels, Counter>,
    webhooks: Family<WebhookLabels, Counter>,
    auth_failures: Counter,
    rate_limited: Counter,
    idempotent_replays: Counter,
}

fn latency_histogram() -> Histogram {
    // 50 µs … ~13 s, doubling.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.000_05, 2.0, 19,
    ))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The known routes, as `'static` labels (anything else is `unmatched`).
const ROUTES: [&str; 15] = [
    "/v1/rtc/room/create",
    "/v1/rtc/room/get/{room}",
    "/v1/rtc/room/list",
    "/v1/rtc/room/delete/{room}",
    "/v1/rtc/token/issue",
    "/v1/rtc/recording/start",
    "/v1/rtc/recording/stop/{recording}",
    "/v1/rtc/recording/get/{recording}",
    "/v1/rtc/participant/list/{room}",
    "/v1/rtc/participant/kick/{room}",
    "/createToken",
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/rtc/webhooks/{vendor}",
];

fn route_label(path: Option<&str>) -> &'static str {
    path.and_then(|p| ROUTES.iter().find(|r| **r == p).copied())
        .unwrap_or("unmatched")
}

fn method_label(m: &axum::http::Method) -> &'static str {
    match *m {
        axum::http::Method::GET => "GET",
        axum::http::Method::POST => "POST",
        axum::http::Method::DELETE => "DELETE",
        axum::http::Method::PUT => "PUT",
        axum::http::Method::OPTIONS => "OPTIONS",
        axum::http::Method::HEAD => "HEAD",
        axum::http::Method::PATCH => "PATCH",
        _ => "other",
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("rtcmint");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let tokens = Family::<VendorLabels, Counter>::default();
        let vendor_calls = Family::<CallLabels, Counter>::default();
        let webhooks = Family::<WebhookLabels, Counter>::default();
        let auth_failures = Counter::default();
        let rate_limited = Counter::default();
        let idempotent_replays = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "tokens_minted",
            "Join tokens minted by vendor",
            tokens.clone(),
        );
        registry.register(
            "vendor_calls",
            "Vendor API calls by vendor, operation and outcome",
            vendor_calls.clone(),
        );
        registry.register(
            "webhooks",
            "Webhook deliveries by vendor and outcome (ok, duplicate, bad_signature, expired, malformed, not_configured, error)",
            webhooks.clone(),
        );
        registry.register(
            "auth_failures",
            "Requests refused for a missing or unknown API key",
            auth_failures.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by the per-key rate limit",
            rate_limited.clone(),
        );
        registry.register(
            "idempotent_replays",
            "Responses replayed for a repeated idempotency key",
            idempotent_replays.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            tokens,
            vendor_calls,
            webhooks,
            auth_failures,
            rate_limited,
            idempotent_replays,
        }
    }

    /// Counts a minted token.
    pub fn token_minted(&self, vendor: Vendor) {
        self.tokens
            .get_or_create(&VendorLabels {
                vendor: vendor.as_str(),
            })
            .inc();
    }

    /// Counts a vendor call (`ok`, `not_found`, `unsupported`, `error`, `timeout`, ...).
    pub fn vendor_call(&self, vendor: Vendor, operation: &'static str, outcome: &'static str) {
        self.vendor_calls
            .get_or_create(&CallLabels {
                vendor: vendor.as_str(),
                operation,
                outcome,
            })
            .inc();
    }

    /// Counts a webhook delivery by outcome.
    pub fn webhook(&self, vendor: Vendor, outcome: &'static str) {
        self.webhooks
            .get_or_create(&WebhookLabels {
                vendor: vendor.as_str(),
                outcome,
            })
            .inc();
    }

    /// Counts a refused key.
    pub fn auth_failure(&self) {
        self.auth_failures.inc();
    }

    /// Counts a rate-limited request.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Counts a replayed idempotent response.
    pub fn replayed(&self) {
        self.idempotent_replays.inc();
    }

    /// The text exposition.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The metrics layer: counts every request by route, method and status, and times it.
pub(crate) async fn track(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let route = route_label(
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let method = method_label(req.method());
    let start = Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { route })
        .observe(start.elapsed().as_secs_f64());
    response
}
