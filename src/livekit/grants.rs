//! LiveKit claim types: every grant the vendors' SDKs and server define.
//!
//! Field names follow the wire (camelCase). Defaults are left out of the JSON, as the Go server
//! and the Rust SDK do: `false` plain booleans, empty strings, empty lists and maps are not
//! written; tri-state permissions (`Option<bool>`) are written only when set. Maps are
//! `BTreeMap`s so the output is reproducible.

use std::collections::BTreeMap;

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result as CrateResult};
use crate::fields;
use crate::vendor::Vendor;

fn is_false(b: &bool) -> bool {
    !*b
}

/// Room permissions (`video` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VideoGrant {
    /// May create rooms (`CreateRoom`).
    #[serde(skip_serializing_if = "is_false")]
    pub room_create: bool,
    /// May list rooms.
    #[serde(skip_serializing_if = "is_false")]
    pub room_list: bool,
    /// May record rooms (Egress).
    #[serde(skip_serializing_if = "is_false")]
    pub room_record: bool,
    /// May administer the room named in `room`.
    #[serde(skip_serializing_if = "is_false")]
    pub room_admin: bool,
    /// May join the room named in `room`.
    #[serde(skip_serializing_if = "is_false")]
    pub room_join: bool,
    /// The room these permissions apply to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub room: String,
    /// Target room of a forward/move (`ForwardParticipant`, `MoveParticipant`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub destination_room: String,
    /// May publish tracks; the server's default when absent is `true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_publish: Option<bool>,
    /// May subscribe; the server's default when absent is `true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_subscribe: Option<bool>,
    /// May publish data; the server follows `can_publish` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_publish_data: Option<bool>,
    /// Sources the participant may publish (`camera`, `microphone`, `screen_share`,
    /// `screen_share_audio`); empty means any. See [`TrackSource`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub can_publish_sources: Vec<String>,
    /// May update its own name, metadata and attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_update_own_metadata: Option<bool>,
    /// May manage ingress.
    #[serde(skip_serializing_if = "is_false")]
    pub ingress_admin: bool,
    /// Hidden from other participants.
    #[serde(skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// Marks the participant as a recorder.
    #[serde(skip_serializing_if = "is_false")]
    pub recorder: bool,
    /// May register as an Agents worker.
    #[serde(skip_serializing_if = "is_false")]
    pub agent: bool,
    /// May subscribe to metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_subscribe_metrics: Option<bool>,
    /// May manage agent sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_manage_agent_session: Option<bool>,
}

impl VideoGrant {
    /// A grant to join `room` with the server's default permissions.
    #[must_use]
    pub fn join(room: impl Into<String>) -> Self {
        VideoGrant {
            room_join: true,
            room: room.into(),
            ..VideoGrant::default()
        }
    }

    /// Whether the participant may publish, as the server reads it (absent = `true`).
    #[must_use]
    pub fn effective_can_publish(&self) -> bool {
        self.can_publish.unwrap_or(true)
    }

    /// Whether the participant may subscribe, as the server reads it (absent = `true`).
    #[must_use]
    pub fn effective_can_subscribe(&self) -> bool {
        self.can_subscribe.unwrap_or(true)
    }

    /// Whether the participant may publish data, as the server reads it (absent = `can_publish`).
    #[must_use]
    pub fn effective_can_publish_data(&self) -> bool {
        self.can_publish_data
            .unwrap_or_else(|| self.effective_can_publish())
    }
}

/// Track sources for [`VideoGrant::can_publish_sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrackSource {
    /// `camera`
    Camera,
    /// `microphone`
    Microphone,
    /// `screen_share`
    ScreenShare,
    /// `screen_share_audio`
    ScreenShareAudio,
}

impl TrackSource {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TrackSource::Camera => "camera",
            TrackSource::Microphone => "microphone",
            TrackSource::ScreenShare => "screen_share",
            TrackSource::ScreenShareAudio => "screen_share_audio",
        }
    }

    /// Parses a wire name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "camera" => Some(TrackSource::Camera),
            "microphone" => Some(TrackSource::Microphone),
            "screen_share" => Some(TrackSource::ScreenShare),
            "screen_share_audio" => Some(TrackSource::ScreenShareAudio),
            _ => None,
        }
    }
}

/// SIP permissions (`sip` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SipGrant {
    /// May manage SIP trunks and dispatch rules.
    #[serde(skip_serializing_if = "is_false")]
    pub admin: bool,
    /// May make outbound SIP calls.
    #[serde(skip_serializing_if = "is_false")]
    pub call: bool,
}

/// Agent permissions (`agent` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentGrant {
    /// Agent administration.
    #[serde(skip_serializing_if = "is_false")]
    pub admin: bool,
    /// May run agent simulations.
    #[serde(skip_serializing_if = "is_false")]
    pub simulation_admin: bool,
    /// Agent database administration.
    #[serde(skip_serializing_if = "is_false")]
    pub database_admin: bool,
    /// May manage agent dispatch.
    #[serde(skip_serializing_if = "is_false")]
    pub dispatch_admin: bool,
}

/// Agent endpoint permissions (`agentEndpoint` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentEndpointGrant {
    /// May call the endpoint.
    #[serde(skip_serializing_if = "is_false")]
    pub call: bool,
    /// The agent name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub agent_name: String,
    /// The deployment.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub deployment: String,
}

/// Agent thread permissions (`agentThread` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentThreadGrant {
    /// Access to all threads.
    #[serde(skip_serializing_if = "is_false")]
    pub all: bool,
    /// The thread scope.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// The thread ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thread_ids: Vec<String>,
    /// May list threads.
    #[serde(skip_serializing_if = "is_false")]
    pub list: bool,
    /// May create threads.
    #[serde(skip_serializing_if = "is_false")]
    pub create: bool,
    /// May write to threads.
    #[serde(skip_serializing_if = "is_false")]
    pub write: bool,
    /// May read threads.
    #[serde(skip_serializing_if = "is_false")]
    pub read: bool,
    /// May delete threads.
    #[serde(skip_serializing_if = "is_false")]
    pub delete: bool,
}

/// Inference permissions (`inference` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InferenceGrant {
    /// May perform inference.
    #[serde(skip_serializing_if = "is_false")]
    pub perform: bool,
}

/// Observability permissions (`observability` claim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObservabilityGrant {
    /// May write observability data.
    #[serde(skip_serializing_if = "is_false")]
    pub write: bool,
}

/// Restart policy of a dispatched agent job (`restartPolicy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum JobRestartPolicy {
    /// Restart on failure (the default, not written).
    #[default]
    #[serde(rename = "JRP_ON_FAILURE")]
    OnFailure,
    /// Never restart (LiveKit Cloud only).
    #[serde(rename = "JRP_NEVER")]
    Never,
}

impl JobRestartPolicy {
    fn is_default(&self) -> bool {
        *self == JobRestartPolicy::OnFailure
    }
}

/// proto3 JSON: the enum by name (`"JRP_NEVER"`) or by number (`1`).
impl<'de> Deserialize<'de> for JobRestartPolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JobRestartPolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JobRestartPolicy: \"JRP_ON_FAILURE\" (0) or \"JRP_NEVER\" (1)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JobRestartPolicy, E> {
                match v {
                    "JRP_ON_FAILURE" => Ok(JobRestartPolicy::OnFailure),
                    "JRP_NEVER" => Ok(JobRestartPolicy::Never),
                    _ => Err(E::custom(format!(
                        "unknown restartPolicy {v:?}; expected JRP_ON_FAILURE (0) or JRP_NEVER (1)"
                    ))),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JobRestartPolicy, E> {
                match v {
                    0 => Ok(JobRestartPolicy::OnFailure),
                    1 => Ok(JobRestartPolicy::Never),
                    _ => Err(E::custom(format!(
                        "unknown restartPolicy {v}; expected JRP_ON_FAILURE (0) or JRP_NEVER (1)"
                    ))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JobRestartPolicy, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("unknown restartPolicy {v}")))
                    .and_then(|v| self.visit_u64(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// proto3 JSON integers: a JSON number or a decimal string (`600` or `"600"`).
fn proto_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an unsigned 32-bit integer (a JSON number or a decimal string)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v)
                .map_err(|_| E::custom(format!("{v} does not fit an unsigned 32-bit integer")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v)
                .map_err(|_| E::custom(format!("{v} does not fit an unsigned 32-bit integer")))
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked integral and in range
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
            // proto3 JSON accepts an integral float such as 1e3.
            if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
                Ok(v as u32)
            } else {
                Err(E::custom(format!("{v} is not an unsigned 32-bit integer")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
            v.parse::<u32>()
                .map_err(|_| E::custom(format!("{v:?} is not an unsigned 32-bit integer")))
        }
    }
    d.deserialize_any(V)
}

/// An agent to dispatch when the room is created (`roomConfig.agents[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoomAgentDispatch {
    /// The agent name; empty means the default agent.
    #[serde(skip_serializing_if = "String::is_empty", alias = "agent_name")]
    pub agent_name: String,
    /// Metadata handed to the job.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Restart policy.
    #[serde(
        skip_serializing_if = "JobRestartPolicy::is_default",
        alias = "restart_policy"
    )]
    pub restart_policy: JobRestartPolicy,
    /// The deployment.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub deployment: String,
    /// Job attributes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// The room configuration applied when this participant creates the room (`roomConfig`), in
/// proto3 JSON. `egress` is kept as raw JSON (`RoomCompositeEgressRequest`, `AutoParticipantEgress`,
/// `AutoTrackEgress`): anyone holding the token can read it, so never put storage credentials in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoomConfiguration {
    /// Room name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Seconds to keep an empty room open.
    #[serde(
        skip_serializing_if = "is_zero",
        alias = "empty_timeout",
        deserialize_with = "proto_u32"
    )]
    pub empty_timeout: u32,
    /// Seconds to keep the room after the last participant leaves.
    #[serde(
        skip_serializing_if = "is_zero",
        alias = "departure_timeout",
        deserialize_with = "proto_u32"
    )]
    pub departure_timeout: u32,
    /// Maximum participants (0 = no limit).
    #[serde(
        skip_serializing_if = "is_zero",
        alias = "max_participants",
        deserialize_with = "proto_u32"
    )]
    pub max_participants: u32,
    /// Automatic egress (`{room?, participant?, tracks?}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress: Option<serde_json::Map<String, serde_json::Value>>,
    /// Minimum playout delay, ms.
    #[serde(
        skip_serializing_if = "is_zero",
        alias = "min_playout_delay",
        deserialize_with = "proto_u32"
    )]
    pub min_playout_delay: u32,
    /// Maximum playout delay, ms.
    #[serde(
        skip_serializing_if = "is_zero",
        alias = "max_playout_delay",
        deserialize_with = "proto_u32"
    )]
    pub max_playout_delay: u32,
    /// Synchronise streams.
    #[serde(skip_serializing_if = "is_false", alias = "sync_streams")]
    pub sync_streams: bool,
    /// Agents to dispatch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<RoomAgentDispatch>,
    /// Room metadata.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Room tags.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl RoomConfiguration {
    /// Reads a room configuration from proto3 JSON, as `--room-config` takes it: lowerCamel or
    /// proto field names (`maxParticipants` or `max_participants`), enums by name or number,
    /// integers as JSON numbers or decimal strings. A key `RoomConfiguration` (or
    /// `RoomAgentDispatch`) does not define is refused, naming the closest known one; the three
    /// `egress` messages are kept verbatim.
    ///
    /// # Errors
    /// [`Error::UnknownField`] for an unknown key; [`Error::InvalidRequest`] (field
    /// `room_config`) for text that is not a JSON object of this shape.
    pub fn from_json(text: &str) -> CrateResult<Self> {
        let value = fields::object_value(text, Some(Vendor::LiveKit), "room_config")?;
        fields::refuse_unknown(
            &value,
            &super::schema::ROOM_CONFIG,
            Some(Vendor::LiveKit),
            "room configuration",
        )?;
        serde_json::from_str(text).map_err(|e| {
            Error::request(
                Vendor::LiveKit,
                "room_config",
                format!("invalid room configuration: {e}"),
            )
        })
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// The LiveKit claims of a token besides the registered ones (`iss`, `nbf`, `exp`): the identity
/// (`sub`) and every grant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimGrants {
    /// Participant identity (`sub`). Required when `video.room_join` is set.
    pub identity: String,
    /// Display name (`name`).
    pub name: String,
    /// Participant kind (`kind`): `standard`, `ingress`, `egress`, `sip`, `agent`, `connector`,
    /// `bridge`. Empty means standard.
    pub kind: String,
    /// Kind details (`kindDetails`, Go only): `cloud_agent`, `forwarded`, ...
    pub kind_details: Vec<String>,
    /// Room permissions.
    pub video: Option<VideoGrant>,
    /// SIP permissions.
    pub sip: Option<SipGrant>,
    /// Agent permissions.
    pub agent: Option<AgentGrant>,
    /// Agent endpoint permissions.
    pub agent_endpoint: Option<AgentEndpointGrant>,
    /// Agent thread permissions.
    pub agent_thread: Option<AgentThreadGrant>,
    /// Inference permissions.
    pub inference: Option<InferenceGrant>,
    /// Observability permissions.
    pub observability: Option<ObservabilityGrant>,
    /// Standard base64 SHA-256 of an HTTP body (webhooks).
    pub sha256: String,
    /// Participant metadata (opaque text, often JSON).
    pub metadata: String,
    /// Participant attributes.
    pub attributes: BTreeMap<String, String>,
    /// A LiveKit Cloud room preset name.
    pub room_preset: String,
    /// Room configuration applied if this participant creates the room.
    pub room_config: Option<RoomConfiguration>,
}

impl ClaimGrants {
    /// Grants for `identity` with nothing else set.
    #[must_use]
    pub fn new(identity: impl Into<String>) -> Self {
        ClaimGrants {
            identity: identity.into(),
            ..ClaimGrants::default()
        }
    }

    /// Sets the room permissions.
    #[must_use]
    pub fn with_video(mut self, video: VideoGrant) -> Self {
        self.video = Some(video);
        self
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the metadata.
    #[must_use]
    pub fn with_metadata(mut self, metadata: impl Into<String>) -> Self {
        self.metadata = metadata.into();
        self
    }

    /// Adds one attribute.
    #[must_use]
    pub fn with_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(key.into(), value.into());
        self
    }

    /// Sets the participant kind.
    #[must_use]
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = kind.into();
        self
    }
}

/// The wire layout of a minted token's payload: the Rust SDK's key order with the later claims
/// appended. Borrowing, so serialising allocates nothing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireClaims<'a> {
    pub exp: i64,
    pub iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub sub: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub kind: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub kind_details: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<&'a VideoGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip: Option<&'a SipGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<&'a AgentGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_endpoint: Option<&'a AgentEndpointGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_thread: Option<&'a AgentThreadGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference: Option<&'a InferenceGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observability: Option<&'a ObservabilityGrant>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub sha256: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub metadata: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub room_preset: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_config: Option<&'a RoomConfiguration>,
}

impl<'a> WireClaims<'a> {
    pub(crate) fn new(grants: &'a ClaimGrants, iss: &'a str, nbf: Option<i64>, exp: i64) -> Self {
        WireClaims {
            exp,
            iss,
            nbf,
            iat: None,
            sub: &grants.identity,
            name: &grants.name,
            kind: &grants.kind,
            kind_details: &grants.kind_details,
            video: grants.video.as_ref(),
            sip: grants.sip.as_ref(),
            agent: grants.agent.as_ref(),
            agent_endpoint: grants.agent_endpoint.as_ref(),
            agent_thread: grants.agent_thread.as_ref(),
            inference: grants.inference.as_ref(),
            observability: grants.observability.as_ref(),
            sha256: &grants.sha256,
            metadata: &grants.metadata,
            attributes: &grants.attributes,
            room_preset: &grants.room_preset,
            room_config: grants.room_config.as_ref(),
        }
    }
}
