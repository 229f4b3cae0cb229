//! The HTTP layer shared by the vendor clients: one `reqwest` client (rustls), per-attempt
//! timeouts, and bounded retries with exponential backoff and jitter for idempotent calls.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::error::{RemoteError, RemoteResult};
use crate::Vendor;
use crate::random::RandomSource;

/// HTTP settings of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpOptions {
    /// Timeout for one attempt, from sending to the last byte of the answer. Default 10 s
    /// ([`HttpOptions::for_vendor`] gives each vendor its own).
    pub timeout: Duration,
    /// Timeout for establishing a connection. Default 5 s.
    pub connect_timeout: Duration,
    /// Retries after the first attempt, for idempotent calls only (and for connection failures,
    /// where nothing was sent). Capped at 10. Default 2.
    pub max_retries: u32,
    /// The first backoff delay; it doubles per retry up to `max_backoff`, and a random
    /// jitter of up to half of it is subtracted. Default 200 ms.
    pub initial_backoff: Duration,
    /// The longest backoff delay (also the cap on a `Retry-After` header). Default 5 s.
    pub max_backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl HttpOptions {
    /// The largest accepted `max_retries`.
    pub const MAX_RETRIES: u32 = 10;

    /// The defaults for `vendor`, following the vendor's advice: LiveKit 10 s per attempt (as
    /// its server SDKs), Agora 20 s (Agora advises at least 20 s for kicking-rule calls, and
    /// Cloud Recording `start` may take seconds), ZEGO 10 s. The rest as [`HttpOptions::default`].
    #[must_use]
    pub fn for_vendor(vendor: Vendor) -> Self {
        let base = HttpOptions::default();
        match vendor {
            Vendor::Agora => base.timeout(Duration::from_secs(20)),
            Vendor::LiveKit | Vendor::Zego => base,
        }
    }

    /// Sets the per-attempt timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the retry count (capped at [`HttpOptions::MAX_RETRIES`]).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries.min(Self::MAX_RETRIES);
        self
    }

    /// Sets the backoff bounds.
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The delay before retry number `retry` (0-based), with `jitter` in `[0, 1)`, or the
    /// server's `Retry-After` when given (both capped at `max_backoff`), never below `floor`
    /// (a vendor's rate limit for the call).
    pub(crate) fn delay(
        &self,
        retry: u32,
        jitter: f64,
        retry_after: Option<Duration>,
        floor: Duration,
    ) -> Duration {
        self.backoff_delay(retry, jitter, retry_after).max(floor)
    }

    fn backoff_delay(&self, retry: u32, jitter: f64, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_backoff);
        }
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        full.saturating_sub(full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0))
    }
}

/// One request, ready to send (and to resend).
#[derive(Debug)]
pub(crate) struct Call {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// Safe to repeat: retried on 429/5xx/timeouts.
    pub idempotent: bool,
    /// For error messages.
    pub operation: &'static str,
    /// The shortest delay before a retry of this call (the vendor's rate limit for it).
    pub min_backoff: Duration,
}

impl Call {
    pub(crate) fn new(method: Method, url: Url, operation: &'static str) -> Self {
        Call {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: false,
            operation,
            min_backoff: Duration::ZERO,
        }
    }

    /// Waits at least `delay` before each retry (a vendor's per-call rate limit).
    pub(crate) fn min_backoff(mut self, delay: Duration) -> Self {
        self.min_backoff = delay;
        self
    }

    pub(crate) fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    pub(crate) fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(body.to_string().into_bytes());
        self.headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self
    }
}

/// A failed [`Http::send_tracked`].
#[derive(Debug)]
pub(crate) struct Failure {
    /// The last attempt's error.
    pub error: RemoteError,
    /// Some attempt may have been acted on by the vendor.
    pub uncertain: bool,
}

/// A complete answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    /// The body as JSON, or `None`.
    pub(crate) fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text, shortened for messages.
    pub(crate) fn text_snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let trimmed = text.trim();
        match trimmed.char_indices().nth(200) {
            Some((cut, _)) => format!("{}…", trimmed.get(..cut).unwrap_or(trimmed)),
            None => trimmed.to_owned(),
        }
    }
}

/// The shared HTTP machinery of one vendor client.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    pub options: HttpOptions,
    vendor: Vendor,
    random: Arc<dyn RandomSource>,
}

impl Http {
    pub(crate) fn new(
        vendor: Vendor,
        options: HttpOptions,
        random: Arc<dyn RandomSource>,
    ) -> RemoteResult<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("rtcmint/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::Config {
                vendor,
                reason: format!("cannot build the HTTP client: {}", e.without_url()).into(),
            })?;
        Ok(Http {
            client,
            options,
            vendor,
            random,
        })
    }

    pub(crate) fn vendor(&self) -> Vendor {
        self.vendor
    }

    pub(crate) fn set_random(&mut self, random: Arc<dyn RandomSource>) {
        self.random = random;
    }

    pub(crate) fn random(&self) -> &Arc<dyn RandomSource> {
        &self.random
    }

    /// Sends `call`, retrying as allowed. `check` turns an answer into a vendor error (or
    /// `None` for success).
    pub(crate) async fn send(
        &self,
        call: &Call,
        check: impl Fn(&Answer) -> Option<RemoteError>,
    ) -> RemoteResult<Answer> {
        self.send_tracked(call, check).await.map_err(|f| f.error)
    }

    /// As [`Http::send`], and says whether any attempt may have reached the vendor and been
    /// acted on without a definite answer (a timeout or reset after sending, a 5xx or 408
    /// that is not the service's own error answer: see [`RemoteError::may_have_acted`]).
    pub(crate) async fn send_tracked(
        &self,
        call: &Call,
        check: impl Fn(&Answer) -> Option<RemoteError>,
    ) -> Result<Answer, Failure> {
        let retries = self.options.max_retries.min(HttpOptions::MAX_RETRIES);
        let mut attempt: u32 = 0;
        let mut uncertain = false;
        loop {
            let (err, retry_after, nothing_sent) = match self.attempt(call).await {
                Ok(answer) => match check(&answer) {
                    None => return Ok(answer),
                    Some(e) => {
                        uncertain |= e.may_have_acted();
                        (e, answer.retry_after, false)
                    }
                },
                Err((e, connect)) => {
                    uncertain |= !connect;
                    (e, None, connect)
                }
            };
            let allowed = call.idempotent || nothing_sent;
            if attempt >= retries || !allowed || !err.is_retryable() {
                return Err(Failure {
                    error: err,
                    uncertain,
                });
            }
            let jitter = f64::from(self.random.next_u32()) / (f64::from(u32::MAX) + 1.0);
            let delay = self
                .options
                .delay(attempt, jitter, retry_after, call.min_backoff);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt. The error's flag says whether the connection failed before anything was
    /// sent.
    async fn attempt(&self, call: &Call) -> Result<Answer, (RemoteError, bool)> {
        let mut request = self
            .client
            .request(call.method.clone(), call.url.clone())
            .headers(call.headers.clone())
            .timeout(self.options.timeout);
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.map_err(&e, call.operation))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.map_err(&e, call.operation))?;
        Ok(Answer {
            status,
            body: body.to_vec(),
            request_id,
            retry_after,
        })
    }

    fn map_err(&self, e: &reqwest::Error, operation: &str) -> (RemoteError, bool) {
        if e.is_timeout() {
            return (
                RemoteError::Timeout {
                    vendor: self.vendor,
                    after: self.options.timeout,
                },
                false,
            );
        }
        let mut message = format!("{operation}: {e}");
        let mut source = std::error::Error::source(e);
        // reqwest's own text is terse ("error sending request"); the cause says what happened.
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        if let Some(url) = e.url() {
            // Never echo the URL: ZEGO signs in the query string.
            message = message.replace(url.as_str(), "<url>");
        }
        (
            RemoteError::Transport {
                vendor: self.vendor,
                message,
            },
            e.is_connect(),
        )
    }
}

/// Parses and checks a base URL (`http` or `https`, no query), trimming a trailing `/`.
pub(crate) fn parse_base_url(vendor: Vendor, base: &str) -> RemoteResult<String> {
    let url = Url::parse(base).map_err(|e| RemoteError::Config {
        vendor,
        reason: format!("base URL {base:?} is not a URL: {e}").into(),
    })?;
    let scheme = match url.scheme() {
        // LiveKit SDKs accept the ws(s) URL of the server and rewrite it.
        "ws" => "http",
        "wss" => "https",
        s @ ("http" | "https") => s,
        other => {
            return Err(RemoteError::Config {
                vendor,
                reason: format!("base URL scheme must be http or https, got {other:?}").into(),
            });
        }
    };
    if url.query().is_some() || url.host_str().is_none() {
        return Err(RemoteError::Config {
            vendor,
            reason: "base URL must have a host and no query string".into(),
        });
    }
    let rest = url
        .as_str()
        .split_once("://")
        .map_or("", |(_, r)| r)
        .trim_end_matches('/');
    Ok(format!("{scheme}://{rest}"))
}

/// Joins a base URL and a path (which starts with `/`).
pub(crate) fn join(vendor: Vendor, base: &str, path: &str) -> RemoteResult<Url> {
    Url::parse(&format!("{base}{path}")).map_err(|e| RemoteError::Config {
        vendor,
        reason: format!("cannot build a request URL from the base URL: {e}").into(),
    })
}

/// Percent-encodes one path segment.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let o =
            HttpOptions::default().backoff(Duration::from_millis(100), Duration::from_millis(350));
        let z = Duration::ZERO;
        assert_eq!(o.delay(0, 0.0, None, z), Duration::from_millis(100));
        assert_eq!(o.delay(1, 0.0, None, z), Duration::from_millis(200));
        assert_eq!(o.delay(2, 0.0, None, z), Duration::from_millis(350));
        assert_eq!(o.delay(40, 0.0, None, z), Duration::from_millis(350));
        assert_eq!(o.delay(0, 0.999_999, None, z).as_millis(), 50);
        assert_eq!(
            o.delay(0, 0.0, Some(Duration::from_secs(9)), z),
            Duration::from_millis(350)
        );
        // A vendor's rate limit is a floor, also under Retry-After and jitter.
        let second = Duration::from_secs(1);
        assert_eq!(o.delay(0, 0.999_999, None, second), second);
        assert_eq!(
            o.delay(3, 0.0, Some(Duration::from_millis(1)), second),
            second
        );
    }

    #[test]
    fn vendor_default_timeouts() {
        assert_eq!(
            HttpOptions::for_vendor(Vendor::Agora).timeout,
            Duration::from_secs(20)
        );
        assert_eq!(
            HttpOptions::for_vendor(Vendor::LiveKit).timeout,
            Duration::from_secs(10)
        );
        assert_eq!(
            HttpOptions::for_vendor(Vendor::Zego).timeout,
            Duration::from_secs(10)
        );
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url(Vendor::LiveKit, "wss://x.livekit.cloud/").unwrap(),
            "https://x.livekit.cloud"
        );
        assert_eq!(
            parse_base_url(Vendor::Agora, "http://127.0.0.1:8080/prefix/").unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        assert!(parse_base_url(Vendor::Agora, "ftp://x").is_err());
        assert!(parse_base_url(Vendor::Agora, "not a url").is_err());
        assert_eq!(segment("a b/ü"), "a%20b%2F%C3%BC");
    }
}
