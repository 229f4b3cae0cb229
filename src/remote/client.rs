//! Shared client support: the client base (HTTP, clock, randomness) behind the three clients,
//! their `with_*` setters, the one 401/403 mapping, and small request helpers.

use std::sync::Arc;

use super::error::{RemoteError, RemoteResult, UnsupportedReason, unsupported};
use super::http::{Answer, Http, HttpOptions};
use super::model::{CreateRoomRequest, Page, PageRequest, Recording, RecordingRequest};
use crate::Vendor;
use crate::clock::{Clock, SystemClock};
use crate::random::{RandomSource, ThreadRandom};

/// What every vendor client holds: the HTTP machinery (with its randomness) and the clock.
#[derive(Debug)]
pub(crate) struct ClientBase {
    pub http: Http,
    pub clock: Arc<dyn Clock>,
    /// Recordings started with an idempotency key by this client (in-memory, bounded).
    pub started: IdempotencyCache,
}

impl ClientBase {
    /// A base with the vendor's default HTTP options, the system clock and thread randomness.
    pub(crate) fn new(vendor: Vendor) -> RemoteResult<Self> {
        Ok(ClientBase {
            http: Http::new(
                vendor,
                HttpOptions::for_vendor(vendor),
                Arc::new(ThreadRandom),
            )?,
            clock: Arc::new(SystemClock),
            started: IdempotencyCache::default(),
        })
    }

    pub(crate) fn set_http_options(&mut self, options: HttpOptions) -> RemoteResult<()> {
        self.http = Http::new(self.http.vendor(), options, Arc::clone(self.http.random()))?;
        Ok(())
    }

    pub(crate) fn random(&self) -> &Arc<dyn RandomSource> {
        self.http.random()
    }

    /// The recording this client started for `request`'s room and idempotency key, if any.
    pub(crate) fn remembered(&self, request: &RecordingRequest) -> Option<Recording> {
        let key = request.idempotency_key.as_deref()?;
        self.started.get(&request.room, key)
    }

    /// Remembers `recording` under `request`'s room and idempotency key (if it has one).
    pub(crate) fn remember(&self, request: &RecordingRequest, recording: &Recording) {
        if let Some(key) = request.idempotency_key.as_deref() {
            self.started.put(&request.room, key, recording);
        }
    }

    /// The current time, Unix seconds.
    pub(crate) fn now(&self) -> RemoteResult<i64> {
        Ok(self.clock.now()?)
    }
}

/// The `with_http_options`, `with_random` and (for clients that read the time) `with_clock`
/// setters of a client whose [`ClientBase`] is in the field `base`.
macro_rules! client_setters {
    ($ty:ty, random: $random_doc:literal) => {
        impl $ty {
            /// Replaces the HTTP options (timeouts, retries, backoff). The default is
            /// [`HttpOptions::for_vendor`](crate::remote::HttpOptions::for_vendor).
            ///
            /// # Errors
            /// [`RemoteError::Config`](crate::remote::RemoteError::Config) when the HTTP client
            /// cannot be built.
            pub fn with_http_options(
                mut self,
                options: $crate::remote::HttpOptions,
            ) -> $crate::remote::RemoteResult<Self> {
                self.base.set_http_options(options)?;
                Ok(self)
            }

            #[doc = concat!("Sets the randomness (", $random_doc, ").")]
            #[must_use]
            pub fn with_random(mut self, random: std::sync::Arc<dyn $crate::RandomSource>) -> Self {
                self.base.http.set_random(random);
                self
            }
        }
    };
    ($ty:ty, clock: $clock_doc:literal, random: $random_doc:literal) => {
        $crate::remote::client::client_setters!($ty, random: $random_doc);

        impl $ty {
            #[doc = concat!("Sets the clock (", $clock_doc, ").")]
            #[must_use]
            pub fn with_clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
                self.base.clock = clock;
                self
            }
        }
    };
}
pub(crate) use client_setters;

/// The one mapping of an error answer: HTTP 401 and 403 are [`RemoteError::Auth`] (the vendor
/// refused the credentials or the permissions), anything else [`RemoteError::Api`].
pub(crate) fn error_answer(
    vendor: Vendor,
    answer: &Answer,
    code: Option<String>,
    message: String,
) -> RemoteError {
    if answer.status == 401 || answer.status == 403 {
        return RemoteError::Auth {
            vendor,
            status: answer.status,
            code,
            message,
        };
    }
    RemoteError::Api {
        vendor,
        status: answer.status,
        code,
        message,
        request_id: answer.request_id.clone(),
    }
}

/// Refuses the settings of a room create for a vendor whose rooms (`rooms`: "Agora channels",
/// "ZEGO rooms") store none: max participants, empty timeout, metadata.
pub(crate) fn refuse_room_settings(
    vendor: Vendor,
    rooms: &'static str,
    request: &CreateRoomRequest,
) -> RemoteResult<()> {
    if request.max_participants.is_some()
        || request.empty_timeout_secs.is_some()
        || request.metadata.is_some()
    {
        return Err(unsupported(
            vendor,
            "room.create(settings)",
            UnsupportedReason::VendorLacks,
            format!("{rooms} have no stored settings (max participants, empty timeout, metadata)"),
        ));
    }
    Ok(())
}

/// The checks every client makes of a recording start: a room is named, and no metadata is
/// given (no vendor stores it with a recording).
pub(crate) fn check_recording_start(
    vendor: Vendor,
    request: &RecordingRequest,
) -> RemoteResult<()> {
    require_name(vendor, "room", &request.room)?;
    match request.metadata.as_deref() {
        Some(m) if !m.is_empty() => Err(unsupported(
            vendor,
            "recording.start(metadata)",
            UnsupportedReason::VendorLacks,
            "the vendor stores no metadata with a recording; keep it in your own store keyed by the recording id",
        )),
        _ => Ok(()),
    }
}

/// Pages a complete, vendor-returned list on the client: sorted by `key`, items after the
/// cursor, at most `limit`. Used where the vendor returns everything at once (LiveKit).
pub(crate) fn page_locally<T>(
    mut items: Vec<T>,
    page: &PageRequest,
    key: impl Fn(&T) -> &str,
) -> Page<T> {
    items.sort_by(|a, b| key(a).cmp(key(b)));
    if let Some(cursor) = page.cursor.as_deref() {
        items.retain(|i| key(i) > cursor);
    }
    let limit = page.limit.map_or(usize::MAX, |l| l.max(1) as usize);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| key(i).to_owned())
    } else {
        None
    };
    Page::new(items, next_cursor)
}

/// A small per-client memory of recordings started with an idempotency key.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyCache {
    inner: std::sync::Mutex<std::collections::VecDeque<(String, Recording)>>,
}

impl IdempotencyCache {
    const CAPACITY: usize = 256;

    pub(crate) fn get(&self, room: &str, key: &str) -> Option<Recording> {
        let guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let id = Self::id(room, key);
        guard.iter().find(|(k, _)| *k == id).map(|(_, r)| r.clone())
    }

    fn id(room: &str, key: &str) -> String {
        format!("{room}\0{key}")
    }

    pub(crate) fn put(&self, room: &str, key: &str, recording: &Recording) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.len() >= Self::CAPACITY {
            guard.pop_front();
        }
        guard.push_back((Self::id(room, key), recording.clone()));
    }
}

/// Sets `key` on a JSON object (no-op on anything else; the callers build objects).
pub(crate) fn set_json(
    target: Option<&mut serde_json::Value>,
    key: &str,
    value: serde_json::Value,
) {
    if let Some(serde_json::Value::Object(map)) = target {
        map.insert(key.to_owned(), value);
    }
}

/// Non-empty name check shared by the clients.
pub(crate) fn require_name(vendor: Vendor, field: &'static str, value: &str) -> RemoteResult<()> {
    if value.is_empty() {
        return Err(RemoteError::InvalidRequest {
            vendor,
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}

/// A digest of `parts` (NUL-separated), for values derived from an idempotency key.
pub(crate) fn key_digest(parts: &[&str]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

/// The error for a start whose outcome is unknown.
pub(crate) fn outcome_unknown(
    vendor: Vendor,
    reason: String,
    recovery: super::RecordingRecovery,
) -> RemoteError {
    RemoteError::OutcomeUnknown {
        vendor,
        operation: "recording.start",
        reason,
        recovery: Box::new(recovery),
    }
}

/// The handle of `recording` when it belongs to `vendor`.
pub(crate) fn own_handle(
    vendor: Vendor,
    recording: &super::RecordingId,
) -> RemoteResult<&super::RecordingHandle> {
    if recording.vendor() != vendor {
        return Err(RemoteError::InvalidRequest {
            vendor,
            field: "recording",
            reason: format!(
                "recording id belongs to {}, not {vendor}",
                recording.vendor()
            )
            .into(),
        });
    }
    Ok(recording.handle())
}

/// A vendor-returned handle as an id; a handle the id format refuses is a decode error.
pub(crate) fn recording_id(
    vendor: Vendor,
    operation: &'static str,
    handle: super::RecordingHandle,
) -> RemoteResult<super::RecordingId> {
    super::RecordingId::new(handle).map_err(|e| RemoteError::Decode {
        vendor,
        operation,
        message: e.reason().to_owned(),
    })
}
