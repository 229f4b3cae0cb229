//! Prometheus metrics from one registry, rendered in the text format at `/metrics`.

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

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
    handles: Handles,
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

/// The index of a matched route in [`ROUTES`]; `ROUTES.len()` for anything else (`unmatched`).
pub(crate) fn route_index(path: Option<&str>) -> usize {
    path.and_then(|p| ROUTES.iter().position(|r| *r == p))
        .unwrap_or(ROUTES.len())
}

fn route_label(index: usize) -> &'static str {
    ROUTES.get(index).copied().unwrap_or("unmatched")
}

const METHODS: [&str; 8] = [
    "GET", "POST", "DELETE", "PUT", "OPTIONS", "HEAD", "PATCH", "other",
];

/// The index of a method's label in [`METHODS`].
pub(crate) fn method_index(m: &axum::http::Method) -> usize {
    match *m {
        axum::http::Method::GET => 0,
        axum::http::Method::POST => 1,
        axum::http::Method::DELETE => 2,
        axum::http::Method::PUT => 3,
        axum::http::Method::OPTIONS => 4,
        axum::http::Method::HEAD => 5,
        axum::http::Method::PATCH => 6,
        _ => 7,
    }
}

/// Handles of the request counters of the two success statuses (200, 201) per route and
/// method, and of the latency histogram per route, taken from the families on first use: the
/// same series, created at the same moment as without them, but counted without the families'
/// lock and label hashing.
#[derive(Debug)]
struct Handles {
    ok: Vec<[OnceLock<Counter>; 2]>,
    latency: Vec<OnceLock<Histogram>>,
    tokens: [OnceLock<Counter>; 3],
}

impl Handles {
    fn new() -> Self {
        Handles {
            ok: (0..=ROUTES.len() * METHODS.len())
                .map(|_| Default::default())
                .collect(),
            latency: (0..=ROUTES.len()).map(|_| OnceLock::new()).collect(),
            tokens: Default::default(),
        }
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
            handles: Handles::new(),
        }
    }

    /// Counts and times one answered request (`route` from [`route_index`], `method` from
    /// [`method_index`]).
    pub(crate) fn request(
        &self,
        route: usize,
        method: usize,
        status: axum::http::StatusCode,
        elapsed: std::time::Duration,
    ) {
        let labels = || RequestLabels {
            route: route_label(route),
            method: METHODS.get(method).copied().unwrap_or("other"),
            status: status.as_u16(),
        };
        let slot = match status.as_u16() {
            200 => Some(0),
            201 => Some(1),
            _ => None,
        };
        match slot.and_then(|i| self.handles.ok.get(route * METHODS.len() + method)?.get(i)) {
            Some(cell) => cell
                .get_or_init(|| self.requests.get_or_create(&labels()).clone())
                .inc(),
            None => self.requests.get_or_create(&labels()).inc(),
        };
        let secs = elapsed.as_secs_f64();
        match self.handles.latency.get(route) {
            Some(cell) => cell
                .get_or_init(|| {
                    self.latency
                        .get_or_create(&RouteLabels {
                            route: route_label(route),
                        })
                        .clone()
                })
                .observe(secs),
            None => self
                .latency
                .get_or_create(&RouteLabels {
                    route: route_label(route),
                })
                .observe(secs),
        }
    }

    /// Counts a minted token.
    pub fn token_minted(&self, vendor: Vendor) {
        let i = match vendor {
            Vendor::LiveKit => 0,
            Vendor::Agora => 1,
            Vendor::Zego => 2,
        };
        let labels = VendorLabels {
            vendor: vendor.as_str(),
        };
        if let Some(cell) = self.handles.tokens.get(i) {
            cell.get_or_init(|| self.tokens.get_or_create(&labels).clone())
                .inc();
        } else {
            self.tokens.get_or_create(&labels).inc();
        }
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
