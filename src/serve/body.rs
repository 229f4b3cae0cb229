//! Request bodies: the JSON of every POST call, parsed strictly.
//!
//! Unknown fields, missing fields, wrong types and malformed JSON are refused with a 400 that
//! names the problem (serde's message: field name, line and column). The parsers are plain
//! functions of bytes so that the fuzz target (`fuzz/fuzz_targets/gateway_body.rs`) and
//! `tests/fuzz_replay.rs` drive exactly what the handlers run.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::vendor::Vendor;

/// Why a body was refused: a stable code (`invalid_json`, `invalid_request`) and a message that
/// names the problem. The gateway answers it as a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    /// Stable code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BodyError {}

/// `POST /v1/rtc/room/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRoomBody {
    /// Room name.
    pub name: String,
    /// Participant cap.
    pub max_participants: Option<u32>,
    /// Seconds an empty room stays open.
    pub empty_timeout_s: Option<u32>,
    /// Metadata object.
    pub metadata: Option<Map<String, Value>>,
    /// Record the room automatically.
    pub enable_recording: Option<bool>,
    /// Region.
    pub region: Option<String>,
    /// Vendor pin.
    pub vendor: Option<Vendor>,
    /// Idempotency key (or the `Idempotency-Key` header).
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// `POST /v1/rtc/token/issue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenBody {
    /// Room id (from room.create).
    pub room: String,
    /// Participant identity.
    pub identity: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Lifetime, seconds.
    pub ttl_s: Option<u64>,
    /// May publish.
    pub can_publish: Option<bool>,
    /// May subscribe.
    pub can_subscribe: Option<bool>,
    /// May publish data.
    pub can_publish_data: Option<bool>,
    /// Room administrator.
    pub is_admin: Option<bool>,
    /// Vendor pin (must match the room's).
    pub vendor: Option<Vendor>,
    /// Participant metadata object.
    pub metadata: Option<Map<String, Value>>,
    /// Idempotency key (optional here: minting twice calls no vendor).
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// `POST /v1/rtc/recording/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRecordingBody {
    /// Room id.
    pub room: String,
    /// Layout.
    pub layout: Option<String>,
    /// Audio only.
    pub audio_only: Option<bool>,
    /// Output location.
    pub output_uri: Option<String>,
    /// Vendor pin.
    pub vendor: Option<Vendor>,
    /// Recording metadata.
    pub metadata: Option<Map<String, Value>>,
    /// Idempotency key.
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// `POST /v1/rtc/recording/stop/{recording}`: `{}` (an empty body is `{}` too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopRecordingBody {
    /// Idempotency key.
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// `POST /v1/rtc/participant/kick/{room}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KickBody {
    /// Room id (must equal the path's when given).
    pub room: Option<String>,
    /// Identity to remove.
    pub identity: String,
    /// Vendor pin.
    pub vendor: Option<Vendor>,
    /// Idempotency key.
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// LiveKit's standard token endpoint, `POST /createToken` (snake_case, and the older
/// camelCase `roomName` / `participantName`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenBody {
    /// Room name.
    #[serde(default, alias = "roomName")]
    pub room_name: Option<String>,
    /// Identity.
    #[serde(default, alias = "participantIdentity")]
    pub participant_identity: Option<String>,
    /// Display name.
    #[serde(default, alias = "participantName")]
    pub participant_name: Option<String>,
    /// Metadata (opaque text).
    #[serde(default, alias = "participantMetadata")]
    pub participant_metadata: Option<String>,
    /// Attributes.
    #[serde(default, alias = "participantAttributes")]
    pub participant_attributes: Option<BTreeMap<String, String>>,
    /// Room configuration (LiveKit `RoomConfiguration`).
    #[serde(default, alias = "roomConfig")]
    pub room_config: Option<Value>,
}

/// The largest accepted request body, bytes, by default.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Parses a JSON body into `T`, with the gateway's 400 errors. An empty body is read as `{}`
/// when `empty_is_object`.
///
/// # Errors
/// `invalid_json` (syntax, wrong type, unknown or missing field).
pub fn parse_json<T: DeserializeOwned>(
    bytes: &[u8],
    empty_is_object: bool,
) -> Result<T, BodyError> {
    let bytes: &[u8] = if empty_is_object && bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "invalid request body",
            serde_json::error::Category::Eof => "truncated JSON body",
            _ => "malformed JSON body",
        };
        BodyError {
            code: "invalid_json",
            message: format!("{what}: {e}"),
        }
    })
}

/// Every body parser, by name: what the fuzz target and its replay test run.
///
/// # Errors
/// The parser's error, or `invalid_request` for an unknown parser name.
pub fn parse_any(kind: &str, bytes: &[u8]) -> Result<(), BodyError> {
    match kind {
        "room.create" => parse_json::<CreateRoomBody>(bytes, false).map(drop),
        "token.issue" => parse_json::<IssueTokenBody>(bytes, false).map(drop),
        "recording.start" => parse_json::<StartRecordingBody>(bytes, false).map(drop),
        "recording.stop" => parse_json::<StopRecordingBody>(bytes, true).map(drop),
        "participant.kick" => parse_json::<KickBody>(bytes, false).map(drop),
        "createToken" => parse_json::<CreateTokenBody>(bytes, false).map(drop),
        _ => Err(BodyError {
            code: "invalid_request",
            message: "unknown body kind".into(),
        }),
    }
}

/// The names [`parse_any`] knows.
pub const BODY_KINDS: [&str; 6] = [
    "room.create",
    "token.issue",
    "recording.start",
    "recording.stop",
    "participant.kick",
    "createToken",
];

/// Bodies that may be empty (read as `{}`).
pub trait EmptyAllowed {
    /// Whether an empty body means `{}`.
    const EMPTY_IS_OBJECT: bool = false;
}

impl EmptyAllowed for CreateRoomBody {}
impl EmptyAllowed for IssueTokenBody {}
impl EmptyAllowed for StartRecordingBody {}
impl EmptyAllowed for KickBody {}
impl EmptyAllowed for CreateTokenBody {}
impl EmptyAllowed for StopRecordingBody {
    const EMPTY_IS_OBJECT: bool = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_the_problem() {
        let e = parse_json::<IssueTokenBody>(br#"{"room":"r","identity":"a","bogus":1}"#, false)
            .unwrap_err();
        assert!(e.message.contains("unknown field `bogus`"), "{}", e.message);
        let e = parse_json::<IssueTokenBody>(br#"{"room":"r"}"#, false).unwrap_err();
        assert!(
            e.message.contains("missing field `identity`"),
            "{}",
            e.message
        );
        let e = parse_json::<IssueTokenBody>(br#"{"room":"#, false).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        assert!(parse_json::<StopRecordingBody>(b"", true).is_ok());
        let t: CreateTokenBody =
            parse_json(br#"{"roomName":"r","participantName":"n"}"#, false).unwrap();
        assert_eq!(t.room_name.as_deref(), Some("r"));
        for k in BODY_KINDS {
            assert!(parse_any(k, b"[").is_err());
        }
    }
}
