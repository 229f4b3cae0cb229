//! Agora Notification Center Service (NCS) callbacks: `Agora-Signature-V2` is the lower-case hex
//! HMAC-SHA256 of the raw body keyed with the NCS secret, `Agora-Signature` the lower-case hex
//! HMAC-SHA1. There is no timestamp or nonce in the MAC.
//!
//! Policy (the shared vectors'): at least one of the two headers is present and every present one
//! matches (constant time, exact lower-case hex); then the body must be a JSON object. The
//! per-header results are reported in [`AgoraEvent::signature_v2`] and
//! [`AgoraEvent::signature_v1`].

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::Sha256;

use super::flex::{self, int_of, text_of};
use super::{
    Details, EventKind, Headers, Limits, Recording, RecordingState, Webhook, WebhookError,
    body_text, hex_matches, hex_string, limit_methods, single_header,
};
use crate::error::Error;
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::Agora;

type HmacSha1 = Hmac<Sha1>;
type HmacSha256 = Hmac<Sha256>;

/// The result of checking one signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderCheck {
    /// The header matched the body.
    Match,
    /// The header did not match. A verified delivery never has one (every present header must
    /// match); [`AgoraWebhookVerifier::header_checks`] reports it for a refused one.
    Mismatch,
    /// The header was not sent.
    Absent,
}

/// The fields of an NCS `payload` that RTC channel and Cloud Recording events carry. Every field
/// is optional and read leniently (numbers as numbers or decimal strings); the full payload stays
/// in the raw body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgoraPayload {
    /// Channel name (`channelName`, or `cname` in Cloud Recording events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_name: Option<String>,
    /// User id (`uid`: a number in RTC events, a string in Cloud Recording events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// User account (`account`), when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Platform (1 Android, 2 iOS, 5 Windows, 6 Linux, 7 Web, 8 macOS, 0 other).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<i64>,
    /// Client type (Linux only: 3 on-premise recording, 10 cloud recording).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_type: Option<i64>,
    /// Per-user sequence number: order a user's events by it, not by arrival.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_seq: Option<i64>,
    /// Why the user left (104/106/108).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<i64>,
    /// Seconds in the channel (leave events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Event time, Unix seconds (`ts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Cloud Recording id (`sid` inside the payload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_sid: Option<String>,
    /// Cloud Recording notification sequence (from 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
    /// Cloud Recording send time, Unix milliseconds (`sendts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sendts: Option<i64>,
    /// Cloud Recording service type (0 cloud recording, 1 recorder, 2 uploader, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_type: Option<i64>,
    /// Cloud Recording `details.msgName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_name: Option<String>,
}

impl AgoraPayload {
    fn read(p: &Map<String, Value>) -> Self {
        let text = |k: &str| p.get(k).and_then(text_of);
        let int = |k: &str| p.get(k).and_then(int_of);
        AgoraPayload {
            channel_name: text("channelName").or_else(|| text("cname")),
            uid: text("uid"),
            account: text("account"),
            platform: int("platform"),
            client_type: int("clientType"),
            client_seq: int("clientSeq"),
            reason: int("reason"),
            duration: int("duration"),
            ts: int("ts"),
            recording_sid: text("sid"),
            sequence: int("sequence"),
            sendts: int("sendts"),
            service_type: int("serviceType"),
            msg_name: p
                .get("details")
                .and_then(Value::as_object)
                .and_then(|d| d.get("msgName"))
                .and_then(text_of),
        }
    }
}

/// An Agora NCS notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgoraEvent {
    /// Notification id (`noticeId`), the de-duplication key.
    pub notice_id: String,
    /// Product (`productId`: 1 RTC, 3 Cloud Recording, 4 Media Pull, 5 Media Push, …).
    pub product_id: Option<i64>,
    /// Event type (`eventType`), per product.
    pub event_type: Option<i64>,
    /// Send time, Unix milliseconds (`notifyMs`; updated on each retry).
    pub notify_ms: Option<i64>,
    /// Event time, Unix milliseconds (`eventMs`), when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ms: Option<i64>,
    /// Session id (`sid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The documented name of the event (`channel create`, `uploaded`, …), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// The payload fields this crate reads.
    pub payload: AgoraPayload,
    /// Result of `Agora-Signature-V2` (HMAC-SHA256).
    pub signature_v2: HeaderCheck,
    /// Result of `Agora-Signature` (HMAC-SHA1).
    pub signature_v1: HeaderCheck,
}

/// The documented name of an RTC channel event (product 1).
fn rtc_name(event_type: i64) -> Option<&'static str> {
    Some(match event_type {
        101 => "channel create",
        102 => "channel destroy",
        103 => "broadcaster join channel",
        104 => "broadcaster leave channel",
        105 => "audience join channel",
        106 => "audience leave channel",
        107 => "user join channel with communication mode",
        108 => "user leave channel with communication mode",
        111 => "client role change to broadcaster",
        112 => "client role change to audience",
        _ => return None,
    })
}

/// The documented `msgName` of a Cloud Recording event (product 3).
fn recording_name(event_type: i64) -> Option<&'static str> {
    Some(match event_type {
        1 => "cloud_recording_error",
        2 => "cloud_recording_warning",
        3 => "cloud_recording_status_update",
        4 => "cloud_recording_file_infos",
        11 => "session_exit",
        12 => "session_failover",
        30 => "uploader_started",
        31 => "uploaded",
        32 => "backuped",
        33 => "uploading_progress",
        40 => "recorder_started",
        41 => "recorder_leave",
        42 => "recorder_slice_start",
        43 => "recorder_audio_stream_state_changed",
        44 => "recorder_video_stream_state_changed",
        60 => "vod_started",
        61 => "vod_triggered",
        70 => "web_recorder_started",
        71 => "web_recorder_stopped",
        72 => "web_recorder_capability_limit",
        73 => "web_recorder_reload",
        _ => return None,
    })
}

impl AgoraEvent {
    fn read(
        obj: &Map<String, Value>,
        v2: HeaderCheck,
        v1: HeaderCheck,
    ) -> Result<Self, WebhookError> {
        let payload = match obj.get("payload") {
            None | Some(Value::Null) => AgoraPayload::default(),
            Some(Value::Object(p)) => AgoraPayload::read(p),
            Some(_) => return Err(WebhookError::body(V, "`payload` is not an object")),
        };
        let product_id = obj.get("productId").and_then(int_of);
        let event_type = obj.get("eventType").and_then(int_of);
        let event_name = match (product_id, event_type) {
            (Some(1), Some(t)) => rtc_name(t).map(str::to_owned),
            (Some(3), Some(t)) => payload
                .msg_name
                .clone()
                .or_else(|| recording_name(t).map(str::to_owned)),
            _ => None,
        };
        Ok(AgoraEvent {
            notice_id: obj.get("noticeId").and_then(text_of).unwrap_or_default(),
            product_id,
            event_type,
            notify_ms: obj.get("notifyMs").and_then(int_of),
            event_ms: obj.get("eventMs").and_then(int_of),
            sid: obj.get("sid").and_then(text_of),
            event_name,
            payload,
            signature_v2: v2,
            signature_v1: v1,
        })
    }

    fn into_webhook(self, raw: String) -> Webhook {
        let p = &self.payload;
        let kind = match (self.product_id, self.event_type) {
            (Some(1), Some(101)) => EventKind::RoomStarted,
            (Some(1), Some(102)) => EventKind::RoomFinished,
            (Some(1), Some(103 | 105 | 107)) => EventKind::ParticipantJoined,
            (Some(1), Some(104 | 106 | 108)) => EventKind::ParticipantLeft,
            (Some(1), Some(111 | 112)) => EventKind::ParticipantUpdated,
            (Some(3), Some(40 | 70)) => EventKind::RecordingStarted,
            (Some(3), Some(11 | 41 | 71)) => EventKind::RecordingEnded,
            (Some(3), Some(_)) => EventKind::RecordingUpdated,
            _ => EventKind::Other,
        };
        let recording = (self.product_id == Some(3)).then(|| Recording {
            id: p.recording_sid.clone().unwrap_or_default(),
            state: match self.event_type {
                Some(40 | 70) => RecordingState::Active,
                Some(41) => RecordingState::Ending,
                Some(11 | 71) => RecordingState::Complete,
                _ => RecordingState::Unknown,
            },
            status: self.event_name.clone(),
        });
        let name = self.event_name.clone().unwrap_or_else(|| {
            self.event_type
                .map_or_else(String::new, |t| format!("eventType {t}"))
        });
        let occurred_at_ms =
            p.ts.map(|s| s.saturating_mul(1000))
                .or(p.sendts)
                .or(self.event_ms)
                .or(self.notify_ms);
        Webhook {
            vendor: V,
            id: (!self.notice_id.is_empty()).then(|| self.notice_id.clone()),
            name,
            kind,
            room: p.channel_name.clone(),
            participant: p.uid.clone(),
            track: None,
            recording,
            occurred_at_ms,
            body_authenticated: true,
            details: Details::Agora(Box::new(self)),
            raw,
        }
    }
}

struct Key {
    v1: HmacSha1,
    v2: HmacSha256,
    _secret: Secret,
}

/// Verifies Agora NCS callbacks with the NCS secret(s) of a project's notification configuration.
///
/// Several secrets may be configured (rotation, or one per product): a delivery verifies when
/// every signature header it carries matches under one of them.
pub struct AgoraWebhookVerifier {
    keys: Vec<Key>,
    limits: Limits,
}

impl std::fmt::Debug for AgoraWebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgoraWebhookVerifier")
            .field("secrets", &format_args!("[{} redacted]", self.keys.len()))
            .field("limits", &self.limits)
            .finish()
    }
}

impl AgoraWebhookVerifier {
    /// A verifier for one NCS secret, no age bound, the system clock.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the secret is empty.
    pub fn new(secret: impl Into<Secret>) -> Result<Self, Error> {
        AgoraWebhookVerifier {
            keys: Vec::new(),
            limits: Limits::new(V),
        }
        .with_secret(secret)
    }

    /// Adds another NCS secret.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the secret is empty.
    pub fn with_secret(mut self, secret: impl Into<Secret>) -> Result<Self, Error> {
        let secret = secret.into();
        if secret.is_empty() {
            return Err(Error::InvalidCredentials {
                vendor: V,
                what: "webhook secret",
                reason: "must not be empty (set AGORA_WEBHOOK_SECRET to the NCS secret)".into(),
            });
        }
        let bad = || Error::InvalidCredentials {
            vendor: V,
            what: "webhook secret",
            reason: "cannot key HMAC".into(),
        };
        let v1 = HmacSha1::new_from_slice(secret.as_bytes()).map_err(|_| bad())?;
        let v2 = HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| bad())?;
        self.keys.push(Key {
            v1,
            v2,
            _secret: secret,
        });
        Ok(self)
    }

    limit_methods!(AgoraWebhookVerifier, "`notifyMs`");

    /// The `Agora-Signature-V2` value for `body` under the first secret (for tests and senders).
    #[must_use]
    pub fn sign_v2(&self, body: &[u8]) -> String {
        self.keys
            .first()
            .map_or_else(String::new, |k| hex_string(&mac(k.v2.clone(), body)))
    }

    /// The `Agora-Signature` value (HMAC-SHA1) for `body` under the first secret.
    #[must_use]
    pub fn sign_v1(&self, body: &[u8]) -> String {
        self.keys
            .first()
            .map_or_else(String::new, |k| hex_string(&mac(k.v1.clone(), body)))
    }

    /// Checks each signature header against the body under each secret and reports the best
    /// result per header (`Match` if any secret matches it), without deciding or parsing: for
    /// diagnostics of a refused delivery.
    ///
    /// # Errors
    /// [`WebhookError::InvalidField`] for a header sent twice or not UTF-8;
    /// [`WebhookError::TooLarge`].
    pub fn header_checks<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
    ) -> Result<(HeaderCheck, HeaderCheck), WebhookError> {
        self.limits.check_size(body)?;
        let v2 = single_header(headers, V, "Agora-Signature-V2")?;
        let v1 = single_header(headers, V, "Agora-Signature")?;
        let any = |sig: Option<&str>, one: &dyn Fn(&Key, &str) -> bool| match sig {
            None => HeaderCheck::Absent,
            Some(s) if self.keys.iter().any(|k| one(k, s)) => HeaderCheck::Match,
            Some(_) => HeaderCheck::Mismatch,
        };
        Ok((
            any(v2, &|k, s| v2_matches(k, body, s)),
            any(v1, &|k, s| v1_matches(k, body, s)),
        ))
    }

    /// Verifies and parses a delivery at `now` (Unix seconds; only used for the age bound).
    ///
    /// # Errors
    /// [`WebhookError::MissingSignature`] without either header;
    /// [`WebhookError::SignatureMismatch`] when a present header does not match;
    /// [`WebhookError::Body`] when the verified body is not a JSON object (or repeats a key);
    /// [`WebhookError::OutsideWindow`] past the age bound; [`WebhookError::TooLarge`].
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
        now: i64,
    ) -> Result<Webhook, WebhookError> {
        self.limits.check_size(body)?;
        let v2 = single_header(headers, V, "Agora-Signature-V2")?;
        let v1 = single_header(headers, V, "Agora-Signature")?;
        if v1.is_none() && v2.is_none() {
            return Err(WebhookError::MissingSignature {
                vendor: V,
                what: "Agora-Signature-V2 or Agora-Signature header",
            });
        }
        let check = |present: bool, ok: bool| match (present, ok) {
            (false, _) => HeaderCheck::Absent,
            (true, true) => HeaderCheck::Match,
            (true, false) => HeaderCheck::Mismatch,
        };
        let mut verified = None;
        for key in &self.keys {
            // V2 first: it is the preferred header.
            let ok2 = v2.is_none_or(|sig| v2_matches(key, body, sig));
            let ok1 = v1.is_none_or(|sig| v1_matches(key, body, sig));
            if ok1 && ok2 {
                verified = Some((check(v2.is_some(), ok2), check(v1.is_some(), ok1)));
                break;
            }
        }
        let (c2, c1) = verified.ok_or(WebhookError::SignatureMismatch { vendor: V })?;
        let text = body_text(V, body)?;
        let obj = flex::object(text).map_err(|e| WebhookError::body(V, e))?;
        let event = AgoraEvent::read(&obj, c2, c1)?;
        self.limits.check_age(now, || {
            event.notify_ms.ok_or(WebhookError::MissingField {
                vendor: V,
                field: "notifyMs",
            })
        })?;
        Ok(event.into_webhook(text.to_owned()))
    }
}

fn v2_matches(key: &Key, body: &[u8], sig: &str) -> bool {
    hex_matches(sig, &mac(key.v2.clone(), body))
}

fn v1_matches(key: &Key, body: &[u8], sig: &str) -> bool {
    hex_matches(sig, &mac(key.v1.clone(), body))
}

fn mac<M: Mac>(mut m: M, body: &[u8]) -> Vec<u8> {
    m.update(body);
    m.finalize().into_bytes().to_vec()
}
