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

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use super::proto::message;
use super::{
    Details, EventKind, Headers, Limits, Recording, RecordingState, Webhook, WebhookError,
    body_text, ct_eq, max_body_method, single_header,
};
use crate::b64::STANDARD;
use crate::clock::Clock;
use crate::error::Error;
use crate::json::read::Cursor;
use crate::livekit::LiveKitVerifier;
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::LiveKit;

/// `ParticipantInfo.state` names, by number.
const PARTICIPANT_STATE: &[&str] = &["JOINING", "JOINED", "ACTIVE", "DISCONNECTED"];
/// `ParticipantInfo.kind` names.
const PARTICIPANT_KIND: &[&str] = &["STANDARD", "INGRESS", "EGRESS", "SIP", "AGENT"];
/// `DisconnectReason` names.
const DISCONNECT_REASON: &[&str] = &[
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
];
/// `TrackType` names.
const TRACK_TYPE: &[&str] = &["AUDIO", "VIDEO", "DATA"];
/// `TrackSource` names.
const TRACK_SOURCE: &[&str] = &[
    "UNKNOWN",
    "CAMERA",
    "MICROPHONE",
    "SCREEN_SHARE",
    "SCREEN_SHARE_AUDIO",
];
/// `EgressStatus` names.
const EGRESS_STATUS: &[&str] = &[
    "EGRESS_STARTING",
    "EGRESS_ACTIVE",
    "EGRESS_ENDING",
    "EGRESS_COMPLETE",
    "EGRESS_FAILED",
    "EGRESS_ABORTED",
    "EGRESS_LIMIT_REACHED",
];
/// `IngressState.Status` names.
const INGRESS_STATUS: &[&str] = &[
    "ENDPOINT_INACTIVE",
    "ENDPOINT_BUFFERING",
    "ENDPOINT_PUBLISHING",
    "ENDPOINT_ERROR",
    "ENDPOINT_COMPLETE",
];

message! {
    /// `Room` of a LiveKit webhook (the fields a join service uses; others stay in the raw body).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct RoomInfo {
        /// Room sid (`RM_…`).
        sid: Str = "sid",
        /// Room name.
        name: Str = "name",
        /// Seconds an empty room is kept.
        empty_timeout: Int = "emptyTimeout" | "empty_timeout",
        /// Seconds a room is kept after the last participant left.
        departure_timeout: Int = "departureTimeout" | "departure_timeout",
        /// Participant cap.
        max_participants: Int = "maxParticipants" | "max_participants",
        /// Creation time, Unix seconds.
        creation_time: Int = "creationTime" | "creation_time",
        /// Creation time, Unix milliseconds.
        creation_time_ms: Int = "creationTimeMs" | "creation_time_ms",
        /// Room metadata.
        metadata: Str = "metadata",
        /// Participants in the room.
        num_participants: Int = "numParticipants" | "num_participants",
        /// Publishers in the room.
        num_publishers: Int = "numPublishers" | "num_publishers",
        /// Whether a recording is running.
        active_recording: Bool = "activeRecording" | "active_recording",
    }
}

message! {
    /// `ParticipantInfo` of a LiveKit webhook.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ParticipantInfo {
        /// Participant sid (`PA_…`).
        sid: Str = "sid",
        /// Identity.
        identity: Str = "identity",
        /// Display name.
        name: Str = "name",
        /// State name (`JOINING`, `JOINED`, `ACTIVE`, `DISCONNECTED`; unknown names as sent).
        state: Enum(PARTICIPANT_STATE) = "state",
        /// Join time, Unix seconds.
        joined_at: Int = "joinedAt" | "joined_at",
        /// Join time, Unix milliseconds.
        joined_at_ms: Int = "joinedAtMs" | "joined_at_ms",
        /// Participant metadata.
        metadata: Str = "metadata",
        /// Kind name (`STANDARD`, `INGRESS`, `EGRESS`, `SIP`, `AGENT`, …).
        kind: Enum(PARTICIPANT_KIND) = "kind",
        /// Why the participant left (`participant_left`).
        disconnect_reason: Enum(DISCONNECT_REASON) = "disconnectReason" | "disconnect_reason",
        /// Attributes.
        attributes: Attrs = "attributes",
    }
}

message! {
    /// `TrackInfo` of a LiveKit webhook.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct TrackInfo {
        /// Track sid (`TR_…`).
        sid: Str = "sid",
        /// Type name (`AUDIO`, `VIDEO`, `DATA`).
        kind: Enum(TRACK_TYPE) = "type",
        /// Track name.
        name: Str = "name",
        /// Source name (`CAMERA`, `MICROPHONE`, `SCREEN_SHARE`, …).
        source: Enum(TRACK_SOURCE) = "source",
        /// MIME type.
        mime_type: Str = "mimeType" | "mime_type",
        /// Muted.
        muted: Bool = "muted",
        /// Video width.
        width: Int = "width",
        /// Video height.
        height: Int = "height",
    }
}

message! {
    /// `EgressInfo` (recording) of a LiveKit webhook.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct EgressInfo {
        /// Egress id (`EG_…`), the recording id.
        egress_id: Str = "egressId" | "egress_id",
        /// Room sid.
        room_id: Str = "roomId" | "room_id",
        /// Room name.
        room_name: Str = "roomName" | "room_name",
        /// Status name (`EGRESS_STARTING` … `EGRESS_LIMIT_REACHED`); absent means the proto
        /// default `EGRESS_STARTING`.
        status: Enum(EGRESS_STATUS) = "status",
        /// Start, Unix nanoseconds.
        started_at: Int = "startedAt" | "started_at",
        /// End, Unix nanoseconds.
        ended_at: Int = "endedAt" | "ended_at",
        /// Last update, Unix nanoseconds.
        updated_at: Int = "updatedAt" | "updated_at",
        /// Error text of a failed egress.
        error: Str = "error",
    }
}

message! {
    /// The `state` of an `IngressInfo`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct IngressState {
        /// Status name (`ENDPOINT_INACTIVE`, `ENDPOINT_BUFFERING`, `ENDPOINT_PUBLISHING`, …).
        status: Enum(INGRESS_STATUS) = "status",
        /// Error text.
        error: Str = "error",
    }
}

message! {
    /// `IngressInfo` of a LiveKit webhook.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct IngressInfo {
        /// Ingress id (`IN_…`).
        ingress_id: Str = "ingressId" | "ingress_id",
        /// Ingress name.
        name: Str = "name",
        /// Room name.
        room_name: Str = "roomName" | "room_name",
        /// Identity the ingress publishes as.
        participant_identity: Str = "participantIdentity" | "participant_identity",
        /// State.
        state: Msg(IngressState) = "state",
    }
}

message! {
    /// A LiveKit `WebhookEvent` (the fields a join service uses; the raw body keeps the rest).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LiveKitEvent {
        /// Event name (`room_started`, `participant_joined`, …; empty in a body `{}`).
        event: Name = "event",
        /// Unique event id (the de-duplication key).
        id: Str = "id",
        /// When the event was created, Unix seconds.
        created_at: Int = "createdAt" | "created_at",
        /// The room.
        room: Msg(RoomInfo) = "room",
        /// The participant (`participant_*`, `track_*`).
        participant: Msg(ParticipantInfo) = "participant",
        /// The track (`track_*`).
        track: Msg(TrackInfo) = "track",
        /// The egress (`egress_*`).
        egress_info: Msg(EgressInfo) = "egressInfo" | "egress_info",
        /// The ingress (`ingress_*`).
        ingress_info: Msg(IngressInfo) = "ingressInfo" | "ingress_info",
        /// The agent job (`agent_job_*`), as sent.
        job: Raw = "job",
        /// Deprecated count of dropped events.
        num_dropped: Int = "numDropped" | "num_dropped",
    }
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
        if let Some(event) = Self::parse_fast(body) {
            return Ok(event);
        }
        serde_json::from_str(body)
            .map_err(|e| WebhookError::body(V, format!("not a LiveKit WebhookEvent: {e}")))
    }

    /// The fast reader over the whole body: `None` when the body is outside its subset (then
    /// serde decides, with the same result for every body the fast reader accepts).
    pub(in crate::webhook) fn parse_fast(body: &str) -> Option<Self> {
        let mut c = Cursor::new(body);
        let event = Self::read_fast(&mut c, 0)?;
        c.at_end().then_some(event)
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
    limits: Limits,
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
            limits: Limits::new(V),
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

    max_body_method!();

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
        self.limits.check_size(body)?;
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

    /// Verifies and parses a delivery whose body the caller owns, at `now` (Unix seconds): as
    /// [`LiveKitWebhookVerifier::verify_at`], but the body moves into [`Webhook::raw`] instead of
    /// being copied there.
    ///
    /// # Errors
    /// As [`LiveKitWebhookVerifier::verify_at`].
    pub fn verify_owned_at<H: Headers + ?Sized>(
        &self,
        body: Vec<u8>,
        headers: &H,
        now: i64,
    ) -> Result<Webhook, WebhookError> {
        let token = self.authorization(&body, headers)?;
        let claims = self
            .tokens
            .verify_at(token, now)
            .map_err(WebhookError::Token)?;
        check_hash(&body, &claims.grants.sha256)?;
        let text = String::from_utf8(body)
            .map_err(|e| WebhookError::body(V, format!("not UTF-8: {}", e.utf8_error())))?;
        Ok(LiveKitEvent::parse(&text)?.into_webhook(text))
    }

    /// Compares the claim with the body's hash, then parses the body.
    fn finish(&self, body: &[u8], claim: &str) -> Result<Webhook, WebhookError> {
        check_hash(body, claim)?;
        let text = body_text(V, body)?;
        Ok(LiveKitEvent::parse(text)?.into_webhook(text.to_owned()))
    }
}

/// The `sha256` claim must be exactly the standard padded base64 of SHA-256 of the body.
fn check_hash(body: &[u8], claim: &str) -> Result<(), WebhookError> {
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
    Ok(())
}
