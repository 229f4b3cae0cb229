//! ZEGOCLOUD server callbacks: the fields `signature`, `timestamp` and `nonce` travel **inside the
//! body** (JSON, or a form when `Content-Type` is `application/x-www-form-urlencoded`), and
//! `signature` is the lower-case hex SHA-1 of the three strings callback secret, `timestamp` and
//! `nonce` sorted in byte order and concatenated.
//!
//! **The body is not signed.** Whoever has seen one callback can reuse its three fields on a
//! forged body, so a verified ZEGO [`Webhook`] has `body_authenticated == false`. Bound the
//! timestamp age with [`ZegoWebhookVerifier::with_max_age`], remember nonces (the webhook's `id` is
//! `timestamp:nonce`), use HTTPS, and confirm important facts with ZEGO's server API.
//!
//! Since the proof is in the body, the body is read (JSON or form, duplicate keys refused) before
//! the signature is checked; nothing in it is trusted or returned until the signature matched.

use serde::Serialize;
use serde_json::{Map, Value};
use sha1::{Digest as _, Sha1};

use super::flex::{self, int_of, text_of};
use super::{
    Details, EventKind, Headers, Limits, Recording, RecordingState, Webhook, WebhookError,
    body_text, hex_matches, hex_string, limit_methods, single_header,
};
use crate::error::Error;
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::Zego;

/// A ZEGO server callback: its fields as received (form values as strings, JSON values as sent)
/// and the ones this crate reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ZegoEvent {
    /// The event name (`event`: `room_create`, `room_login`, `stream_create`, `record`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Cloud Recording's numeric `event_type` (1 upload status, 2 abnormal end, 5 completed, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<i64>,
    /// The app id (`appid` or `app_id`), as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The signed `timestamp`, exactly as sent (seconds; milliseconds for AI Agent callbacks).
    pub timestamp: String,
    /// The signed `nonce`, exactly as sent.
    pub nonce: String,
    /// Every field of the callback, as received (a form's values are strings).
    pub fields: Map<String, Value>,
}

impl ZegoEvent {
    fn text(&self, key: &str) -> Option<String> {
        self.fields.get(key).and_then(text_of)
    }

    fn into_webhook(self, raw: String) -> Webhook {
        let task = self.text("task_id");
        let (kind, recording) = match (self.event.as_deref(), self.event_type) {
            (Some("room_create"), _) => (EventKind::RoomStarted, None),
            (Some("room_close"), _) => (EventKind::RoomFinished, None),
            (Some("room_login"), _) => (EventKind::ParticipantJoined, None),
            (Some("room_logout"), _) => (EventKind::ParticipantLeft, None),
            (Some("stream_create"), _) => (EventKind::TrackPublished, None),
            (Some("stream_close"), _) => (EventKind::TrackUnpublished, None),
            (Some("record"), _) => {
                // A CDN recording file was generated: the recording of that stream is done.
                let id = self
                    .text("stream_alias")
                    .or_else(|| self.text("stream_id"))
                    .unwrap_or_default();
                let rec = Recording {
                    id,
                    state: RecordingState::Complete,
                    status: Some("record".into()),
                };
                (EventKind::RecordingEnded, Some(rec))
            }
            (None, Some(t)) if task.is_some() => {
                let (kind, state) = match t {
                    2 => (EventKind::RecordingEnded, RecordingState::Failed),
                    5 => (EventKind::RecordingEnded, RecordingState::Complete),
                    _ => (EventKind::RecordingUpdated, RecordingState::Unknown),
                };
                let rec = Recording {
                    id: task.clone().unwrap_or_default(),
                    state,
                    status: Some(format!("event_type {t}")),
                };
                (kind, Some(rec))
            }
            _ => (EventKind::Other, None),
        };
        let name = self.event.clone().unwrap_or_else(|| {
            self.event_type
                .map_or_else(String::new, |t| format!("event_type {t}"))
        });
        let participant = self
            .text("user_account")
            .or_else(|| self.text("user_id"))
            .or_else(|| self.text("id_name"))
            .filter(|_| {
                matches!(
                    kind,
                    EventKind::ParticipantJoined
                        | EventKind::ParticipantLeft
                        | EventKind::TrackPublished
                        | EventKind::TrackUnpublished
                )
            });
        let track = self
            .text("stream_id")
            .or_else(|| self.text("stream_alias"))
            .filter(|_| {
                matches!(
                    kind,
                    EventKind::TrackPublished | EventKind::TrackUnpublished
                )
            });
        let occurred_at_ms = self.timestamp.parse::<i64>().ok().map(to_ms);
        Webhook {
            vendor: V,
            id: Some(format!("{}:{}", self.timestamp, self.nonce)),
            name,
            kind,
            room: self.text("room_id"),
            participant,
            track,
            recording,
            occurred_at_ms,
            body_authenticated: false,
            details: Details::Zego(Box::new(self)),
            raw,
        }
    }
}

/// A timestamp in seconds or milliseconds (AI Agent callbacks) as milliseconds.
fn to_ms(t: i64) -> i64 {
    if t.unsigned_abs() >= 100_000_000_000 {
        t
    } else {
        t.saturating_mul(1000)
    }
}

/// Verifies ZEGO server callbacks with the project's CallbackSecret.
pub struct ZegoWebhookVerifier {
    secret: Secret,
    limits: Limits,
}

impl std::fmt::Debug for ZegoWebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZegoWebhookVerifier")
            .field("secret", &self.secret)
            .field("limits", &self.limits)
            .finish()
    }
}

impl ZegoWebhookVerifier {
    /// A verifier for the callback secret, with no timestamp window (ZEGO documents none) and the
    /// system clock.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the secret is empty.
    pub fn new(callback_secret: impl Into<Secret>) -> Result<Self, Error> {
        let secret = callback_secret.into();
        if secret.is_empty() {
            return Err(Error::InvalidCredentials {
                vendor: V,
                what: "callback secret",
                reason:
                    "must not be empty (set ZEGO_CALLBACK_SECRET to the console's CallbackSecret)"
                        .into(),
            });
        }
        Ok(ZegoWebhookVerifier {
            secret,
            limits: Limits::new(V),
        })
    }

    limit_methods!(
        ZegoWebhookVerifier,
        "`timestamp`; 12 digits or more are read as milliseconds"
    );

    /// The `signature` for `timestamp` and `nonce` (for tests and senders).
    #[must_use]
    pub fn sign(&self, timestamp: &str, nonce: &str) -> String {
        hex_string(&self.digest(timestamp, nonce))
    }

    fn digest(&self, timestamp: &str, nonce: &str) -> [u8; 20] {
        let mut parts = [self.secret.expose(), timestamp, nonce];
        parts.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut h = Sha1::new();
        for p in parts {
            h.update(p.as_bytes());
        }
        h.finalize().into()
    }

    /// Verifies and parses a callback at `now` (Unix seconds; only used for the window).
    ///
    /// # Errors
    /// [`WebhookError::Body`] for a body that is neither a JSON object nor a form (or repeats a
    /// field); [`WebhookError::MissingSignature`] without `signature`;
    /// [`WebhookError::MissingField`] without `timestamp` or `nonce`;
    /// [`WebhookError::InvalidField`] when one of them is not a string or integer, or is sent
    /// under two spellings; [`WebhookError::SignatureMismatch`];
    /// [`WebhookError::OutsideWindow`]; [`WebhookError::TooLarge`].
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
        now: i64,
    ) -> Result<Webhook, WebhookError> {
        self.limits.check_size(body)?;
        let content_type = single_header(headers, V, "Content-Type")?.unwrap_or_default();
        let text = body_text(V, body)?;
        let fields = if is_form(content_type, text) {
            form(text)?
        } else {
            flex::object(text).map_err(|e| WebhookError::body(V, e))?
        };
        let signature = field(&fields, "signature")?.ok_or(WebhookError::MissingSignature {
            vendor: V,
            what: "signature field",
        })?;
        let timestamp = field(&fields, "timestamp")?.ok_or(WebhookError::MissingField {
            vendor: V,
            field: "timestamp",
        })?;
        let nonce = field(&fields, "nonce")?.ok_or(WebhookError::MissingField {
            vendor: V,
            field: "nonce",
        })?;
        if !hex_matches(&signature, &self.digest(&timestamp, &nonce)) {
            return Err(WebhookError::SignatureMismatch { vendor: V });
        }
        self.limits.check_age(now, || {
            timestamp.parse::<i64>().map(to_ms).map_err(|_| {
                WebhookError::field(V, "timestamp", "is not an integer, so its age is unknown")
            })
        })?;
        let event = ZegoEvent {
            event: lookup(&fields, "event").and_then(text_of),
            event_type: fields.get("event_type").and_then(int_of),
            app_id: fields
                .get("appid")
                .or_else(|| fields.get("app_id"))
                .and_then(text_of),
            timestamp,
            nonce,
            fields,
        };
        Ok(event.into_webhook(text.to_owned()))
    }
}

fn is_form(content_type: &str, text: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.is_empty() {
        // No Content-Type: a JSON object starts with `{`; anything else is read as a form.
        return text.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{');
    }
    media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// The value under `name` in any letter case (`nonce`, `Nonce`); two spellings are refused.
fn lookup<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A signed field as the exact text that was hashed.
fn field(fields: &Map<String, Value>, name: &'static str) -> Result<Option<String>, WebhookError> {
    let mut found = fields.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
    let Some((_, value)) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(WebhookError::field(V, name, "sent under two spellings"));
    }
    text_of(value)
        .map(Some)
        .ok_or_else(|| WebhookError::field(V, name, "must be a string or an integer"))
}

/// Decodes an `application/x-www-form-urlencoded` body; repeated names are refused.
fn form(text: &str) -> Result<Map<String, Value>, WebhookError> {
    let mut out = Map::new();
    for pair in text
        .trim_end_matches(['\r', '\n'])
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k)?;
        let v = percent_decode(v)?;
        if out.contains_key(&k) {
            return Err(WebhookError::body(
                V,
                format!("form field {k:?} is repeated"),
            ));
        }
        out.insert(k, Value::String(v));
    }
    if out.is_empty() {
        return Err(WebhookError::body(V, "neither a JSON object nor a form"));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Result<String, WebhookError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| WebhookError::body(V, "form has a bad %-escape"))?;
                out.push(hex);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| WebhookError::body(V, "form value is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_example() {
        let v = ZegoWebhookVerifier::new("secret").unwrap();
        assert_eq!(
            v.sign("1470820198", "123412"),
            "5bd59fd62953a8059fb7eaba95720f66d19e4517"
        );
    }

    #[test]
    fn forms_decode_once() {
        let f = form("a=x%252By+z&b=&c").unwrap();
        assert_eq!(f["a"], "x%2By z");
        assert_eq!(f["b"], "");
        assert_eq!(f["c"], "");
        assert!(form("a=1&a=2").is_err());
        assert!(form("a=%zz").is_err());
        assert!(form("a=%4").is_err());
        assert!(form("a=%ff").is_err());
    }

    #[test]
    fn milliseconds_are_recognised() {
        assert_eq!(to_ms(1_767_225_600), 1_767_225_600_000);
        assert_eq!(to_ms(1_767_225_600_000), 1_767_225_600_000);
    }
}
