//! Verifying and reading the webhooks (server callbacks) LiveKit, Agora and ZEGO servers send.
//!
//! Every vendor calls the customer's backend back: LiveKit webhooks, Agora's Notification Center
//! Service (NCS), ZEGO's server callbacks. Each verifier takes the **raw body bytes** and the
//! request headers, checks the vendor's proof of origin first and only then parses the body; a
//! body is never re-serialised before it is checked.
//!
//! | vendor | proof | body covered |
//! | --- | --- | --- |
//! | LiveKit ([`LiveKitWebhookVerifier`]) | `Authorization`: HS256 JWT with a `sha256` claim = base64(SHA-256(body)) | yes |
//! | Agora ([`AgoraWebhookVerifier`]) | `Agora-Signature-V2` = hex HMAC-SHA256(secret, body); `Agora-Signature` = hex HMAC-SHA1 | yes |
//! | ZEGO ([`ZegoWebhookVerifier`]) | body fields `signature` = hex SHA-1 of sorted(secret, `timestamp`, `nonce`) | **no** |
//!
//! **ZEGO does not sign the body.** Only the callback secret, the timestamp and the nonce are
//! hashed, so whoever has seen one callback can attach its three fields to a forged body. A ZEGO
//! [`Webhook`] therefore has `body_authenticated == false`: bound the timestamp age
//! ([`ZegoWebhookVerifier::with_max_age`]), remember nonces (the [`Webhook::id`] is built from
//! them), use HTTPS, and cross-check important facts with ZEGO's server API.
//!
//! A verified delivery is a [`Webhook`]: the vendor's event name, a vendor-neutral
//! [`EventKind`] (rooms started/finished, participants joined/left, tracks published, recordings
//! started/updated/ended), the room, participant and recording it concerns, the typed
//! vendor-specific view in [`Webhook::details`], and the body exactly as received
//! ([`Webhook::raw`]). Events a verifier does not know are [`EventKind::Other`] and keep all
//! their content in the raw body.
//!
//! ```
//! use rtcmint::webhook::{AgoraWebhookVerifier, EventKind};
//!
//! let body = br#"{"noticeId":"n1","productId":1,"eventType":101,"notifyMs":1767225600000,"payload":{"channelName":"demo","ts":1767225599}}"#;
//! let verifier = AgoraWebhookVerifier::new("ncs-secret")?;
//! let signature = verifier.sign_v2(body); // what Agora's servers put in Agora-Signature-V2
//! let headers = [("Agora-Signature-V2", signature.as_str())];
//! let hook = verifier.verify_at(body, &headers[..], 1_767_225_601)?;
//! assert_eq!(hook.kind, EventKind::RoomStarted);
//! assert_eq!(hook.room.as_deref(), Some("demo"));
//! assert_eq!(hook.id.as_deref(), Some("n1"));
//! # Ok::<(), rtcmint::Error>(())
//! ```

mod agora;
mod error;
mod flex;
mod livekit;
mod proto;
mod zego;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use subtle::ConstantTimeEq as _;

pub use agora::{AgoraEvent, AgoraPayload, AgoraWebhookVerifier, HeaderCheck};
pub use error::WebhookError;
pub use livekit::{
    EgressInfo, IngressInfo, LiveKitEvent, LiveKitWebhookVerifier, ParticipantInfo, RoomInfo,
    TrackInfo,
};
pub use zego::{ZegoEvent, ZegoWebhookVerifier};

use crate::clock::{Clock, SystemClock};
use crate::vendor::Vendor;

/// Largest body a verifier accepts by default (4 MiB; LiveKit participant metadata alone may be
/// 512 KiB). Change it with each verifier's `with_max_body`.
pub const DEFAULT_MAX_BODY: usize = 4 << 20;

/// Request headers as the verifiers read them: every value of one header name, compared ASCII
/// case-insensitively. Implemented for slices, arrays and `Vec`s of `(name, value)` pairs and for
/// string maps; an HTTP server implements it for its own header map.
pub trait Headers {
    /// Every value of the header `name` (ASCII case-insensitive), in the order received.
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]>;

    /// The first value of `name` and how many values it has (0, 1, or "more": any number above
    /// 1). The default asks [`Headers::header_values`]; implement it to avoid that `Vec`.
    fn header_value<'a>(&'a self, name: &str) -> (Option<&'a [u8]>, usize) {
        let values = self.header_values(name);
        (values.first().copied(), values.len())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for [(K, V)] {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.iter()
            .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .collect()
    }

    fn header_value<'a>(&'a self, name: &str) -> (Option<&'a [u8]>, usize) {
        let mut found = self
            .iter()
            .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref());
        let first = found.next();
        let more = found.next().map_or(0, |_| 1 + found.count());
        (first, usize::from(first.is_some()) + more)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for Vec<(K, V)> {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.as_slice().header_values(name)
    }

    fn header_value<'a>(&'a self, name: &str) -> (Option<&'a [u8]>, usize) {
        self.as_slice().header_value(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> Headers for [(K, V); N] {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.as_slice().header_values(name)
    }

    fn header_value<'a>(&'a self, name: &str) -> (Option<&'a [u8]>, usize) {
        self.as_slice().header_value(name)
    }
}

impl<V: AsRef<[u8]>> Headers for BTreeMap<String, V> {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .collect()
    }
}

impl<V: AsRef<[u8]>, S: std::hash::BuildHasher> Headers for HashMap<String, V, S> {
    fn header_values<'a>(&'a self, name: &str) -> Vec<&'a [u8]> {
        self.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .collect()
    }
}

/// The one value of header `name`: `None` when absent, an error when sent twice or not UTF-8.
pub(crate) fn single_header<'a, H: Headers + ?Sized>(
    headers: &'a H,
    vendor: Vendor,
    name: &'static str,
) -> Result<Option<&'a str>, WebhookError> {
    match headers.header_value(name) {
        (None, _) => Ok(None),
        (Some(one), 1) => std::str::from_utf8(one)
            .map(Some)
            .map_err(|_| WebhookError::field(vendor, name, "is not valid UTF-8")),
        (Some(_), n) => Err(WebhookError::field(
            vendor,
            name,
            format!("sent {n} times; expected once"),
        )),
    }
}

/// What a delivery says happened, across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A room (channel) was created: LiveKit `room_started`, Agora 101, ZEGO `room_create`.
    RoomStarted,
    /// A room (channel) ended: LiveKit `room_finished`, Agora 102, ZEGO `room_close`.
    RoomFinished,
    /// A participant joined: LiveKit `participant_joined`, Agora 103/105/107, ZEGO
    /// `room_login`.
    ParticipantJoined,
    /// A participant left: LiveKit `participant_left` / `participant_connection_aborted`,
    /// Agora 104/106/108, ZEGO `room_logout`.
    ParticipantLeft,
    /// A participant changed role (Agora 111/112).
    ParticipantUpdated,
    /// A track or stream was published: LiveKit `track_published`, ZEGO `stream_create`.
    TrackPublished,
    /// A track or stream was unpublished: LiveKit `track_unpublished`, ZEGO `stream_close`.
    TrackUnpublished,
    /// An ingress (external stream into a room) started: LiveKit `ingress_started`.
    IngressStarted,
    /// An ingress ended: LiveKit `ingress_ended`.
    IngressEnded,
    /// A recording (egress) started: LiveKit `egress_started`, Agora Cloud Recording 40.
    RecordingStarted,
    /// A recording reported progress or status: LiveKit `egress_updated`, Agora Cloud Recording
    /// status/upload events, ZEGO Cloud Recording status.
    RecordingUpdated,
    /// A recording ended (completed or failed; see [`Recording::state`]): LiveKit
    /// `egress_ended`, Agora Cloud Recording 11/41, ZEGO `record` and Cloud Recording 2/5.
    RecordingEnded,
    /// Anything else; the content is in [`Webhook::raw`] and [`Webhook::details`].
    Other,
}

/// The state of a recording as an event reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordingState {
    /// Starting up.
    Starting,
    /// Recording.
    Active,
    /// Stopping.
    Ending,
    /// Finished normally (including a time or size limit reached).
    Complete,
    /// Failed or aborted.
    Failed,
    /// The event says something happened to the recording but not its state.
    Unknown,
}

/// The recording an event concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// The vendor's recording id: LiveKit egress id, Agora recording `sid`, ZEGO `task_id` (or
    /// the stream alias of a CDN recording).
    pub id: String,
    /// Its state.
    pub state: RecordingState,
    /// The vendor's own status text, when it sends one (`EGRESS_COMPLETE`, `uploaded`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The vendor-specific typed view of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "vendor", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Details {
    /// A LiveKit `WebhookEvent`.
    #[serde(rename = "livekit")]
    LiveKit(Box<LiveKitEvent>),
    /// An Agora NCS notification.
    Agora(Box<AgoraEvent>),
    /// A ZEGO server callback.
    Zego(Box<ZegoEvent>),
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    /// Who sent it.
    pub vendor: Vendor,
    /// The de-duplication key: LiveKit event `id`, Agora `noticeId`, ZEGO
    /// `timestamp:nonce` (a retry resends the same fields; a replayed signature reuses them).
    pub id: Option<String>,
    /// The vendor's event name as sent (`room_started`, Agora's `eventType` number as text,
    /// `room_create`, ZEGO Cloud Recording's `event_type`).
    pub name: String,
    /// What happened.
    pub kind: EventKind,
    /// The room (LiveKit room name, Agora channel name, ZEGO room id).
    pub room: Option<String>,
    /// The participant (LiveKit identity, Agora uid, ZEGO user id / account).
    pub participant: Option<String>,
    /// The track or stream (LiveKit track sid, ZEGO stream id).
    pub track: Option<String>,
    /// The recording, for recording events.
    pub recording: Option<Recording>,
    /// When the vendor says it happened or sent it, Unix milliseconds.
    pub occurred_at_ms: Option<i64>,
    /// Whether the signature covers the body (false for ZEGO: see the module docs).
    pub body_authenticated: bool,
    /// The typed vendor view.
    pub details: Details,
    /// The body exactly as received (UTF-8). Not serialised (it would repeat the whole body).
    #[serde(skip)]
    pub raw: String,
}

impl Webhook {
    /// The body as received.
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// Lower-case hex of `bytes` into `out` (which must be twice as long): the crate's one encoder.
pub(crate) use crate::hex::encode_into as hex_lower;

/// The lower-case hex text of a digest, as a signer puts it on the wire.
pub(crate) use crate::hex::lower as hex_string;

/// Whether `sig` is exactly the lower-case hex of `digest` (at most 32 bytes), in constant time.
pub(crate) fn hex_matches(sig: &str, digest: &[u8]) -> bool {
    let mut hex = [0u8; 64];
    let hex = hex.get_mut(..2 * digest.len()).unwrap_or_default();
    hex_lower(digest, hex);
    ct_eq(sig.as_bytes(), hex)
}

/// Constant-time equality of two byte strings (the length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The body as UTF-8 text, or a body error.
pub(crate) fn body_text(vendor: Vendor, body: &[u8]) -> Result<&str, WebhookError> {
    std::str::from_utf8(body).map_err(|e| WebhookError::body(vendor, format!("not UTF-8: {e}")))
}

/// The limits a verifier applies besides the signature: the body size, and for the vendors
/// whose deliveries carry their own time (Agora `notifyMs`, ZEGO `timestamp`) an optional age
/// bound read against a clock.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) vendor: Vendor,
    pub(crate) max_body: usize,
    pub(crate) max_age: Option<u64>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Limits {
    pub(crate) fn new(vendor: Vendor) -> Self {
        Limits {
            vendor,
            max_body: DEFAULT_MAX_BODY,
            max_age: None,
            clock: Arc::new(SystemClock),
        }
    }

    pub(crate) fn check_size(&self, body: &[u8]) -> Result<(), WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::TooLarge {
                vendor: self.vendor,
                len: body.len(),
                max: self.max_body,
            });
        }
        Ok(())
    }

    /// The clock's time, Unix seconds.
    pub(crate) fn now(&self) -> Result<i64, WebhookError> {
        self.clock.now().map_err(WebhookError::Token)
    }

    /// Refuses a delivery sent (`sent_ms`, Unix milliseconds, read only when a bound is set)
    /// more than the bound away from `now` (Unix seconds).
    pub(crate) fn check_age(
        &self,
        now: i64,
        sent_ms: impl FnOnce() -> Result<i64, WebhookError>,
    ) -> Result<(), WebhookError> {
        let Some(max) = self.max_age else {
            return Ok(());
        };
        let sent = sent_ms()?;
        let age_ms = i128::from(now) * 1000 - i128::from(sent);
        if age_ms.unsigned_abs() > u128::from(max) * 1000 {
            return Err(WebhookError::OutsideWindow {
                vendor: self.vendor,
                sent_at_ms: sent,
                now,
                max_age_secs: max,
            });
        }
        Ok(())
    }
}

/// The builder methods and `verify` every verifier with [`Limits`] in `self.limits` shares.
/// `$age` says what the age bound reads.
macro_rules! limit_methods {
    ($ty:ident, $age:literal) => {
        #[doc = concat!("Refuses a delivery whose own time (", $age, ") is more than `max_age`")]
        /// away from the clock: the vendor documents no freshness rule, and this bounds
        /// replays. Sub-second parts of `max_age` are dropped.
        #[must_use]
        pub fn with_max_age(mut self, max_age: std::time::Duration) -> Self {
            self.limits.max_age = Some(max_age.as_secs());
            self
        }

        /// Reads the time from `clock` (used only for the age bound).
        #[must_use]
        pub fn with_clock(mut self, clock: std::sync::Arc<dyn $crate::clock::Clock>) -> Self {
            self.limits.clock = clock;
            self
        }

        $crate::webhook::max_body_method!();

        /// Verifies and parses a delivery now (by the verifier's clock).
        ///
        /// # Errors
        #[doc = concat!("As [`", stringify!($ty), "::verify_at`], plus [`WebhookError::Token`]")]
        /// wrapping a clock error.
        pub fn verify<H: Headers + ?Sized>(
            &self,
            body: &[u8],
            headers: &H,
        ) -> Result<Webhook, WebhookError> {
            let now = self.limits.now()?;
            self.verify_at(body, headers, now)
        }
    };
}
pub(crate) use limit_methods;

/// `with_max_body`, for a verifier with [`Limits`] in `self.limits`.
macro_rules! max_body_method {
    () => {
        /// Sets the largest body accepted (default
        /// [`DEFAULT_MAX_BODY`](crate::webhook::DEFAULT_MAX_BODY)).
        #[must_use]
        pub fn with_max_body(mut self, max: usize) -> Self {
            self.limits.max_body = max;
            self
        }
    };
}
pub(crate) use max_body_method;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_and_counted() {
        let h = [("authorization", "a"), ("X", "1"), ("x", "2")];
        assert_eq!(
            single_header(&h[..], Vendor::LiveKit, "Authorization").unwrap(),
            Some("a")
        );
        assert!(single_header(&h[..], Vendor::LiveKit, "X").is_err());
        assert_eq!(single_header(&h[..], Vendor::LiveKit, "Y").unwrap(), None);
        let mut m = BTreeMap::new();
        m.insert("Agora-Signature".to_owned(), "v".to_owned());
        assert_eq!(
            Headers::header_values(&m, "agora-signature"),
            vec![b"v".as_slice()]
        );
    }

    #[test]
    fn hex_and_ct_eq() {
        let mut out = [0u8; 4];
        hex_lower(&[0xab, 0x01], &mut out);
        assert_eq!(&out, b"ab01");
        assert!(ct_eq(b"ab", b"ab"));
        assert!(!ct_eq(b"ab", b"aB"));
        assert!(!ct_eq(b"ab", b"abc"));
    }
}
