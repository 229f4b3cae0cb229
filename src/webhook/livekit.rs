//! LiveKit webhooks: the `Authorization` header is an HS256 JWT whose `sha256` claim is the
//! standard (padded) base64 of SHA-256 of the exact body bytes.
//!
//! The token is checked by the crate's [`LiveKitVerifier`] (HS256 only, `exp` required, `iss`
//! looked up among the configured keys, 60 s default leeway, empty secrets refused), then the
//! claim is compared as a string, in constant time, with the body's hash computed here: no other
//! encoding (url-safe, unpadded, hex, non-canonical last character, surrounding whitespace) is
//! accepted. Only then is the body parsed, leniently as proto3 JSON (unknown fields and enum
//! names kept or ignored, camelCase and snake_case names, 64-bit integers as strings or numbers)
//! but refusing duplicate keys and wrong types.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest as _, Sha256};

use super::flex;
use super::{
    DEFAULT_MAX_BODY, Details, EventKind, Headers, Recording, RecordingState, Webhook,
    WebhookError, body_text, check_size, ct_eq, single_header,
};
use crate::b64::STANDARD;
use crate::clock::Clock;
use crate::error::Error;
use crate::livekit::LiveKitVerifier;
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::LiveKit;

macro_rules! enum_reader {
    ($fn_name:ident, [$($name:literal),* $(,)?]) => {
        fn $fn_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            flex::enum_value(d, &[$($name),*])
        }
    };
}

enum_reader!(
    participant_state,
    ["JOINING", "JOINED", "ACTIVE", "DISCONNECTED"]
);
enum_reader!(
    participant_kind,
    ["STANDARD", "INGRESS", "EGRESS", "SIP", "AGENT"]
);
enum_reader!(
    disconnect_reason,
    [
        "UNKNOWN_REASON",
        "CLIENT_INITIATED",
        "DUPLICATE_IDENTITY",
        "SERVER_SHUTDOWN",
        "PARTICIPANT_REMOVED",
        "ROOM_DELETED",
        "STATE_MISMATCH",
        "JOIN_FAILURE",
        "MIGRATION",
        "SIGNAL_CLOSE",
        "ROOM_CLOSED",
        "USER_UNAVAILABLE",
        "USER_REJECTED",
        "SIP_TRUNK_FAILURE",
        "CONNECTION_TIMEOUT",
        "MEDIA_FAILURE",
    ]
);
enum_reader!(track_type, ["AUDIO", "VIDEO", "DATA"]);
enum_reader!(
    track_source,
    [
        "UNKNOWN",
        "CAMERA",
        "MICROPHONE",
        "SCREEN_SHARE",
        "SCREEN_SHARE_AUDIO"
    ]
);
enum_reader!(
    egress_status,
    [
        "EGRESS_STARTING",
        "EGRESS_ACTIVE",
        "EGRESS_ENDING",
        "EGRESS_COMPLETE",
        "EGRESS_FAILED",
        "EGRESS_ABORTED",
        "EGRESS_LIMIT_REACHED",
    ]
);
enum_reader!(
    ingress_status,
    [
        "ENDPOINT_INACTIVE",
        "ENDPOINT_BUFFERING",
        "ENDPOINT_PUBLISHING",
        "ENDPOINT_ERROR",
        "ENDPOINT_COMPLETE",
    ]
);

fn attributes<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default())
}

/// `Room` of a LiveKit webhook (the fields a join service uses; others stay in the raw body).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoomInfo {
    /// Room sid (`RM_…`).
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub sid: String,
    /// Room name.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Seconds an empty room is kept.
    #[serde(
        default,
        alias = "empty_timeout",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub empty_timeout: Option<i64>,
    /// Seconds a room is kept after the last participant left.
    #[serde(
        default,
        alias = "departure_timeout",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub departure_timeout: Option<i64>,
    /// Participant cap.
    #[serde(
        default,
        alias = "max_participants",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_participants: Option<i64>,
    /// Creation time, Unix seconds.
    #[serde(
        default,
        alias = "creation_time",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time: Option<i64>,
    /// Creation time, Unix milliseconds.
    #[serde(
        default,
        alias = "creation_time_ms",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time_ms: Option<i64>,
    /// Room metadata.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub metadata: String,
    /// Participants in the room.
    #[serde(
        default,
        alias = "num_participants",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_participants: Option<i64>,
    /// Publishers in the room.
    #[serde(
        default,
        alias = "num_publishers",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_publishers: Option<i64>,
    /// Whether a recording is running.
    #[serde(
        default,
        alias = "active_recording",
        deserialize_with = "flex::boolean"
    )]
    pub active_recording: bool,
}

/// `ParticipantInfo` of a LiveKit webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ParticipantInfo {
    /// Participant sid (`PA_…`).
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub sid: String,
    /// Identity.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub identity: String,
    /// Display name.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// State name (`JOINING`, `JOINED`, `ACTIVE`, `DISCONNECTED`; unknown names as sent).
    #[serde(
        default,
        deserialize_with = "participant_state",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<String>,
    /// Join time, Unix seconds.
    #[serde(
        default,
        alias = "joined_at",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub joined_at: Option<i64>,
    /// Join time, Unix milliseconds.
    #[serde(
        default,
        alias = "joined_at_ms",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub joined_at_ms: Option<i64>,
    /// Participant metadata.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub metadata: String,
    /// Kind name (`STANDARD`, `INGRESS`, `EGRESS`, `SIP`, `AGENT`, …).
    #[serde(
        default,
        deserialize_with = "participant_kind",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// Why the participant left (`participant_left`).
    #[serde(
        default,
        alias = "disconnect_reason",
        deserialize_with = "disconnect_reason",
        skip_serializing_if = "Option::is_none"
    )]
    pub disconnect_reason: Option<String>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "attributes",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: BTreeMap<String, String>,
}

/// `TrackInfo` of a LiveKit webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrackInfo {
    /// Track sid (`TR_…`).
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub sid: String,
    /// Type name (`AUDIO`, `VIDEO`, `DATA`).
    #[serde(
        default,
        rename = "type",
        deserialize_with = "track_type",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// Track name.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Source name (`CAMERA`, `MICROPHONE`, `SCREEN_SHARE`, …).
    #[serde(
        default,
        deserialize_with = "track_source",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<String>,
    /// MIME type.
    #[serde(
        default,
        alias = "mime_type",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub mime_type: String,
    /// Muted.
    #[serde(default, deserialize_with = "flex::boolean")]
    pub muted: bool,
    /// Video width.
    #[serde(
        default,
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<i64>,
    /// Video height.
    #[serde(
        default,
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<i64>,
}

/// `EgressInfo` (recording) of a LiveKit webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EgressInfo {
    /// Egress id (`EG_…`), the recording id.
    #[serde(
        default,
        alias = "egress_id",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub egress_id: String,
    /// Room sid.
    #[serde(
        default,
        alias = "room_id",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub room_id: String,
    /// Room name.
    #[serde(
        default,
        alias = "room_name",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub room_name: String,
    /// Status name (`EGRESS_STARTING` … `EGRESS_LIMIT_REACHED`); absent means the proto default
    /// `EGRESS_STARTING`.
    #[serde(
        default,
        deserialize_with = "egress_status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    /// Start, Unix nanoseconds.
    #[serde(
        default,
        alias = "started_at",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<i64>,
    /// End, Unix nanoseconds.
    #[serde(
        default,
        alias = "ended_at",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_at: Option<i64>,
    /// Last update, Unix nanoseconds.
    #[serde(
        default,
        alias = "updated_at",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<i64>,
    /// Error text of a failed egress.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub error: String,
}

/// The `state` of an `IngressInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IngressState {
    /// Status name (`ENDPOINT_INACTIVE`, `ENDPOINT_BUFFERING`, `ENDPOINT_PUBLISHING`, …).
    #[serde(
        default,
        deserialize_with = "ingress_status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    /// Error text.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub error: String,
}

/// `IngressInfo` of a LiveKit webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IngressInfo {
    /// Ingress id (`IN_…`).
    #[serde(
        default,
        alias = "ingress_id",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub ingress_id: String,
    /// Ingress name.
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Room name.
    #[serde(
        default,
        alias = "room_name",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub room_name: String,
    /// Identity the ingress publishes as.
    #[serde(
        default,
        alias = "participant_identity",
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub participant_identity: String,
    /// State.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<IngressState>,
}

/// A LiveKit `WebhookEvent` (the fields a join service uses; the raw body keeps the rest).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LiveKitEvent {
    /// Event name (`room_started`, `participant_joined`, …; empty in a body `{}`).
    #[serde(default, deserialize_with = "flex::string")]
    pub event: String,
    /// Unique event id (the de-duplication key).
    #[serde(
        default,
        deserialize_with = "flex::string",
        skip_serializing_if = "String::is_empty"
    )]
    pub id: String,
    /// When the event was created, Unix seconds.
    #[serde(
        default,
        alias = "created_at",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<i64>,
    /// The room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomInfo>,
    /// The participant (`participant_*`, `track_*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<ParticipantInfo>,
    /// The track (`track_*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<TrackInfo>,
    /// The egress (`egress_*`).
    #[serde(
        default,
        alias = "egress_info",
        skip_serializing_if = "Option::is_none"
    )]
    pub egress_info: Option<EgressInfo>,
    /// The ingress (`ingress_*`).
    #[serde(
        default,
        alias = "ingress_info",
        skip_serializing_if = "Option::is_none"
    )]
    pub ingress_info: Option<IngressInfo>,
    /// The agent job (`agent_job_*`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<serde_json::Map<String, serde_json::Value>>,
    /// Deprecated count of dropped events.
    #[serde(
        default,
        alias = "num_dropped",
        deserialize_with = "flex::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_dropped: Option<i64>,
}

impl LiveKitEvent {
    /// Parses a body (already verified) as a `WebhookEvent`.
    ///
    /// # Errors
    /// [`WebhookError::Body`] when it is not a JSON object, repeats a key, or has a field of the
    /// wrong type.
    pub fn parse(body: &str) -> Result<Self, WebhookError> {
        if body.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{') {
            return Err(WebhookError::body(V, "not a JSON object"));
        }
        serde_json::from_str(body)
            .map_err(|e| WebhookError::body(V, format!("not a LiveKit WebhookEvent: {e}")))
    }

    fn into_webhook(self, raw: String) -> Webhook {
        let kind = match self.event.as_str() {
            "room_started" => EventKind::RoomStarted,
            "room_finished" => EventKind::RoomFinished,
            "participant_joined" => EventKind::ParticipantJoined,
            "participant_left" | "participant_connection_aborted" => EventKind::ParticipantLeft,
            "track_published" => EventKind::TrackPublished,
            "track_unpublished" => EventKind::TrackUnpublished,
            "egress_started" => EventKind::RecordingStarted,
            "egress_updated" => EventKind::RecordingUpdated,
            "egress_ended" => EventKind::RecordingEnded,
            "ingress_started" => EventKind::IngressStarted,
            "ingress_ended" => EventKind::IngressEnded,
            _ => EventKind::Other,
        };
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let room = self
            .room
            .as_ref()
            .and_then(|r| non_empty(&r.name))
            .or_else(|| {
                self.egress_info
                    .as_ref()
                    .and_then(|e| non_empty(&e.room_name))
            })
            .or_else(|| {
                self.ingress_info
                    .as_ref()
                    .and_then(|i| non_empty(&i.room_name))
            });
        let participant = self
            .participant
            .as_ref()
            .and_then(|p| non_empty(&p.identity));
        let track = self.track.as_ref().and_then(|t| non_empty(&t.sid));
        let recording = self.egress_info.as_ref().filter(|_| {
            matches!(
                kind,
                EventKind::RecordingStarted
                    | EventKind::RecordingUpdated
                    | EventKind::RecordingEnded
            )
        });
        let recording = recording.map(|e| Recording {
            id: e.egress_id.clone(),
            state: match e.status.as_deref() {
                Some("EGRESS_STARTING") => RecordingState::Starting,
                Some("EGRESS_ACTIVE") => RecordingState::Active,
                Some("EGRESS_ENDING") => RecordingState::Ending,
                Some("EGRESS_COMPLETE" | "EGRESS_LIMIT_REACHED") => RecordingState::Complete,
                Some("EGRESS_FAILED" | "EGRESS_ABORTED") => RecordingState::Failed,
                // Omitted means the proto default, EGRESS_STARTING; only trust it at the start.
                None if kind == EventKind::RecordingStarted => RecordingState::Starting,
                _ => RecordingState::Unknown,
            },
            status: e.status.clone(),
        });
        Webhook {
            vendor: V,
            id: non_empty(&self.id),
            name: self.event.clone(),
            kind,
            room,
            participant,
            track,
            recording,
            occurred_at_ms: self.created_at.map(|s| s.saturating_mul(1000)),
            body_authenticated: true,
            details: Details::LiveKit(Box::new(self)),
            raw,
        }
    }
}

/// Verifies LiveKit webhooks against one or more API key/secret pairs.
///
/// Key rotation, leeway and clock are those of the wrapped [`LiveKitVerifier`] (the secret is
/// looked up by the token's `iss`, as the Go server's receiver does).
///
/// The official receivers reject an `Authorization` value with a `Bearer ` prefix (the server
/// never sends one). This verifier tolerates it by default, since the prefix adds nothing an
/// attacker could use; [`LiveKitWebhookVerifier::strict_authorization`] restores the official
/// behaviour.
///
/// ```
/// use rtcmint::livekit::{ClaimGrants, LiveKitMinter};
/// use rtcmint::webhook::{EventKind, LiveKitWebhookVerifier};
///
/// let (key, secret) = ("APIkey", "a-secret-of-at-least-32-characters!!");
/// let body = br#"{"event":"room_started","room":{"sid":"RM_1","name":"demo"},"id":"EV_1","createdAt":"1767225600"}"#;
/// // What the LiveKit server sends: a token whose sha256 claim hashes the body.
/// let mut grants = ClaimGrants::new("");
/// grants.sha256 = LiveKitWebhookVerifier::body_hash(body);
/// let token = LiveKitMinter::new(key, secret)?.encode(&grants, 1_767_225_600, std::time::Duration::from_secs(300))?;
///
/// let verifier = LiveKitWebhookVerifier::new(key, secret)?;
/// let hook = verifier.verify_at(body, &[("Authorization", token.as_str())][..], 1_767_225_601)?;
/// assert_eq!(hook.kind, EventKind::RoomStarted);
/// assert_eq!(hook.room.as_deref(), Some("demo"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LiveKitWebhookVerifier {
    tokens: LiveKitVerifier,
    bearer: bool,
    max_body: usize,
}

impl LiveKitWebhookVerifier {
    /// A verifier for one key pair (60 s leeway, system clock).
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the key or secret is empty.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<Secret>) -> Result<Self, Error> {
        Ok(Self::from_verifier(LiveKitVerifier::new(
            api_key, api_secret,
        )?))
    }

    /// Wraps a token verifier (its keys, leeway and clock).
    #[must_use]
    pub fn from_verifier(tokens: LiveKitVerifier) -> Self {
        LiveKitWebhookVerifier {
            tokens,
            bearer: true,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Adds another key pair (rotation, or an egress `SigningKey`).
    ///
    /// # Errors
    /// As [`LiveKitVerifier::with_key`].
    pub fn with_key(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        self.tokens = self.tokens.with_key(api_key, api_secret)?;
        Ok(self)
    }

    /// Sets the leeway on `exp` and `nbf` (default 60 s, as the server's receiver).
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.tokens = self.tokens.with_leeway(leeway);
        self
    }

    /// Reads the time from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.tokens = self.tokens.with_clock(clock);
        self
    }

    /// Refuses a `Bearer ` prefix in `Authorization`, as every official receiver does.
    #[must_use]
    pub fn strict_authorization(mut self) -> Self {
        self.bearer = false;
        self
    }

    /// Sets the largest body accepted (default [`DEFAULT_MAX_BODY`]).
    #[must_use]
    pub fn with_max_body(mut self, max: usize) -> Self {
        self.max_body = max;
        self
    }

    /// The `sha256` claim value for `body`: standard padded base64 of its SHA-256.
    #[must_use]
    pub fn body_hash(body: &[u8]) -> String {
        STANDARD.encode(Sha256::digest(body))
    }

    /// Verifies and parses a delivery now (by the verifier's clock).
    ///
    /// # Errors
    /// As [`LiveKitWebhookVerifier::verify_at`], plus a clock error inside
    /// [`WebhookError::Token`].
    pub fn verify<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
    ) -> Result<Webhook, WebhookError> {
        let token = self.authorization(body, headers)?;
        let claims = self.tokens.verify(token).map_err(WebhookError::Token)?;
        self.finish(body, &claims.grants.sha256)
    }

    /// Verifies and parses a delivery at `now` (Unix seconds).
    ///
    /// # Errors
    /// [`WebhookError::MissingSignature`] without `Authorization`; [`WebhookError::Token`] for a
    /// token the token verifier refuses (malformed, not HS256, unknown key, bad signature,
    /// expired, not yet valid); [`WebhookError::MissingBodyHash`] /
    /// [`WebhookError::BodyHashMismatch`] when the token does not cover this body;
    /// [`WebhookError::Body`] when the verified body is not a `WebhookEvent`;
    /// [`WebhookError::TooLarge`].
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
        now: i64,
    ) -> Result<Webhook, WebhookError> {
        let token = self.authorization(body, headers)?;
        let claims = self
            .tokens
            .verify_at(token, now)
            .map_err(WebhookError::Token)?;
        self.finish(body, &claims.grants.sha256)
    }

    /// The token from `Authorization` (size checked first).
    fn authorization<'h, H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &'h H,
    ) -> Result<&'h str, WebhookError> {
        check_size(V, body, self.max_body)?;
        let value = single_header(headers, V, "Authorization")?
            .filter(|v| !v.is_empty())
            .ok_or(WebhookError::MissingSignature {
                vendor: V,
                what: "Authorization header",
            })?;
        if self.bearer
            && let Some(prefix) = value.get(..7)
            && prefix.eq_ignore_ascii_case("bearer ")
        {
            return Ok(value.get(7..).unwrap_or_default());
        }
        Ok(value)
    }

    /// Compares the claim with the body's hash, then parses the body.
    fn finish(&self, body: &[u8], claim: &str) -> Result<Webhook, WebhookError> {
        if claim.is_empty() {
            return Err(WebhookError::MissingBodyHash);
        }
        let mut expected = [0u8; 44];
        let n = STANDARD
            .encode_slice(Sha256::digest(body), &mut expected)
            .map_err(|_| WebhookError::BodyHashMismatch)?;
        if !ct_eq(claim.as_bytes(), expected.get(..n).unwrap_or_default()) {
            return Err(WebhookError::BodyHashMismatch);
        }
        let text = body_text(V, body)?;
        Ok(LiveKitEvent::parse(text)?.into_webhook(text.to_owned()))
    }
}
