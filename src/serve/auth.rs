//! Bearer-key authentication and per-key token-bucket rate limiting, as two middleware layers.
//!
//! Keys are held as SHA-256 digests only. The presented key is hashed once and compared with
//! every configured digest in constant time (no early exit), so neither the match nor its
//! position leaks through timing. A caller's idempotency scope is the hex digest of its key:
//! stable across restarts and across instances, never the key itself.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use subtle::{ConditionallySelectable as _, ConstantTimeEq as _};

use super::AppState;
use super::config::{ApiKeyEntry, RateLimit};
use super::error::ApiError;

/// Who is calling: set by the auth layer as a request extension.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The idempotency scope (hex SHA-256 of the API key, or `anonymous`).
    pub scope: Arc<str>,
    /// The key's index in the configuration (`None` without auth).
    pub key: Option<usize>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The configured keys with their buckets.
#[derive(Debug)]
pub struct Keys {
    digests: Vec<[u8; 32]>,
    scopes: Vec<Arc<str>>,
    limits: Vec<Option<(RateLimit, Mutex<Bucket>)>>,
    insecure: bool,
    anonymous_limit: Option<(RateLimit, Mutex<Bucket>)>,
}

fn bucket(limit: RateLimit) -> (RateLimit, Mutex<Bucket>) {
    (
        limit,
        Mutex::new(Bucket {
            tokens: f64::from(limit.burst),
            last: Instant::now(),
        }),
    )
}

impl Keys {
    /// Keys from the configuration; `default_limit` applies to keys without their own.
    #[must_use]
    pub fn new(entries: &[ApiKeyEntry], default_limit: Option<RateLimit>, insecure: bool) -> Self {
        Keys {
            digests: entries.iter().map(|e| e.digest).collect(),
            scopes: entries
                .iter()
                .map(|e| Arc::from(crate::hex::lower(&e.digest)))
                .collect(),
            limits: entries
                .iter()
                .map(|e| e.rate_limit.or(default_limit).map(bucket))
                .collect(),
            insecure,
            anonymous_limit: if insecure {
                default_limit.map(bucket)
            } else {
                None
            },
        }
    }

    /// How many keys are configured.
    #[must_use]
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether no key is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// The caller of a request with these headers.
    ///
    /// # Errors
    /// 401 `unauthorized`.
    pub fn authenticate(&self, authorization: Option<&[u8]>) -> Result<Caller, ApiError> {
        if self.insecure && self.digests.is_empty() {
            return Ok(Caller {
                scope: Arc::from("anonymous"),
                key: None,
            });
        }
        let unauthorized =
            |m: &'static str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m);
        let value = authorization
            .ok_or_else(|| unauthorized("missing `Authorization: Bearer KEY` header"))?;
        let key = value
            .strip_prefix(b"Bearer ")
            .or_else(|| value.strip_prefix(b"bearer "))
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer KEY`"))?;
        let digest = {
            use sha2::Digest as _;
            let d: [u8; 32] = sha2::Sha256::digest(key).into();
            d
        };
        let mut found = subtle::Choice::from(0);
        let mut index = 0u32;
        for (i, d) in self.digests.iter().enumerate() {
            let hit = d.ct_eq(&digest);
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            index = u32::conditional_select(&index, &i, hit);
            found |= hit;
        }
        if !bool::from(found) {
            return Err(unauthorized("unknown API key"));
        }
        let index = index as usize;
        let scope = self
            .scopes
            .get(index)
            .cloned()
            .ok_or_else(|| ApiError::internal("key index out of range"))?;
        Ok(Caller {
            scope,
            key: Some(index),
        })
    }

    /// Takes one token from the caller's bucket; the seconds to wait when it is empty.
    pub fn take(&self, caller: &Caller) -> Result<(), u64> {
        let slot = match caller.key {
            Some(i) => self.limits.get(i).and_then(Option::as_ref),
            None => self.anonymous_limit.as_ref(),
        };
        let Some((limit, bucket)) = slot else {
            return Ok(());
        };
        let mut b = bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.last = now;
        b.tokens = (b.tokens + elapsed * limit.per_second).min(f64::from(limit.burst));
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) / limit.per_second;
            // Whole seconds, rounded up, at least 1 (Retry-After has no fractions).
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(wait.ceil().clamp(1.0, 86_400.0) as u64)
        }
    }
}

/// What the API routes' layer (`layers::AuthLayer`) decides: the [`Caller`], or the refusal —
/// 401 for a missing or unknown key, then 429 with `Retry-After` when the caller's bucket is
/// empty.
// The refusal is the response itself, moved once.
#[allow(clippy::result_large_err)]
pub(crate) fn admit(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    let auth = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
    let caller = match state.keys.authenticate(auth) {
        Ok(caller) => caller,
        Err(e) => {
            state.metrics.auth_failure();
            return Err(e.into_response());
        }
    };
    match state.keys.take(&caller) {
        Ok(()) => Ok(caller),
        Err(secs) => {
            state.metrics.rate_limited();
            Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("rate limit of this API key exceeded; retry in {secs} s"),
            )
            .retry_after(secs)
            .into_response())
        }
    }
}
