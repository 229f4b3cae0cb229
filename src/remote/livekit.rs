//! LiveKit: Twirp `RoomService` and `Egress` over JSON, signed with this crate's JWT minter.

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use super::capabilities::{Capabilities, capabilities};
use super::client::{
    ClientBase, check_recording_start, client_setters, error_answer, key_digest, outcome_unknown,
    own_handle, page_locally, recording_id, require_name, set_json,
};
use super::error::{RemoteError, RemoteResult, UnsupportedReason, unsupported};
use super::http::{Answer, Call, Failure, join, parse_base_url};
use super::{
    CreateRoomRequest, Origin, Page, PageRequest, Participant, Recording, RecordingHandle,
    RecordingId, RecordingRecovery, RecordingRequest, RecordingStatus, Room,
};
use crate::Vendor;
use crate::hex;
use crate::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};
use crate::secret::Secret;

const V: Vendor = Vendor::LiveKit;

/// The request-id header of the official server SDKs: one id per logical call, the same on
/// every retry of it; livekit-server uses it so that a retried start does not start twice.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-livekit-request-id");

/// LiveKit's encoding presets (`EncodingOptionsPreset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LiveKitPreset {
    /// 1280×720, 30 fps (the egress default).
    H264_720p30,
    /// 1280×720, 60 fps.
    H264_720p60,
    /// 1920×1080, 30 fps.
    H264_1080p30,
    /// 1920×1080, 60 fps.
    H264_1080p60,
    /// 720×1280, 30 fps.
    Portrait720p30,
    /// 720×1280, 60 fps.
    Portrait720p60,
    /// 1080×1920, 30 fps.
    Portrait1080p30,
    /// 1080×1920, 60 fps.
    Portrait1080p60,
}

impl LiveKitPreset {
    /// The protobuf enum name sent on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LiveKitPreset::H264_720p30 => "H264_720P_30",
            LiveKitPreset::H264_720p60 => "H264_720P_60",
            LiveKitPreset::H264_1080p30 => "H264_1080P_30",
            LiveKitPreset::H264_1080p60 => "H264_1080P_60",
            LiveKitPreset::Portrait720p30 => "PORTRAIT_H264_720P_30",
            LiveKitPreset::Portrait720p60 => "PORTRAIT_H264_720P_60",
            LiveKitPreset::Portrait1080p30 => "PORTRAIT_H264_1080P_30",
            LiveKitPreset::Portrait1080p60 => "PORTRAIT_H264_1080P_60",
        }
    }
}

/// Advanced egress encoding (`EncodingOptions`); a `None` field is left to the egress default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct LiveKitAdvancedEncoding {
    /// Width, pixels.
    pub width: Option<u32>,
    /// Height, pixels.
    pub height: Option<u32>,
    /// Colour depth, bits.
    pub depth: Option<u32>,
    /// Frames per second.
    pub framerate: Option<u32>,
    /// Audio bitrate, kbps.
    pub audio_bitrate: Option<u32>,
    /// Audio sample rate, Hz.
    pub audio_frequency: Option<u32>,
    /// Video bitrate, kbps.
    pub video_bitrate: Option<u32>,
    /// Seconds between key frames.
    pub key_frame_interval: Option<f64>,
}

impl LiveKitAdvancedEncoding {
    /// Width × height at `framerate`, other fields at the egress defaults.
    #[must_use]
    pub fn video(width: u32, height: u32, framerate: u32) -> Self {
        LiveKitAdvancedEncoding {
            width: Some(width),
            height: Some(height),
            framerate: Some(framerate),
            ..Self::default()
        }
    }

    /// Sets the video bitrate (kbps).
    #[must_use]
    pub fn video_bitrate(mut self, kbps: u32) -> Self {
        self.video_bitrate = Some(kbps);
        self
    }

    /// Sets the audio bitrate (kbps).
    #[must_use]
    pub fn audio_bitrate(mut self, kbps: u32) -> Self {
        self.audio_bitrate = Some(kbps);
        self
    }

    fn to_json(self) -> Value {
        let mut v = json!({});
        let ints = [
            ("width", self.width),
            ("height", self.height),
            ("depth", self.depth),
            ("framerate", self.framerate),
            ("audio_bitrate", self.audio_bitrate),
            ("audio_frequency", self.audio_frequency),
            ("video_bitrate", self.video_bitrate),
        ];
        for (k, val) in ints {
            if let Some(n) = val {
                set_json(Some(&mut v), k, json!(n));
            }
        }
        if let Some(k) = self.key_frame_interval {
            set_json(Some(&mut v), "key_frame_interval", json!(k));
        }
        v
    }
}

/// How a LiveKit recording is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub enum LiveKitEncoding {
    /// Send no encoding options: the egress service's default (`H264_720P_30`). The default.
    #[default]
    EgressDefault,
    /// A preset.
    Preset(LiveKitPreset),
    /// Explicit settings.
    Advanced(LiveKitAdvancedEncoding),
}

/// Recording settings of a [`LiveKitClient`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LiveKitRecordingOptions {
    /// The encoding (default: the egress service's).
    pub encoding: LiveKitEncoding,
}

impl LiveKitRecordingOptions {
    /// Sets the encoding.
    #[must_use]
    pub fn encoding(mut self, encoding: LiveKitEncoding) -> Self {
        self.encoding = encoding;
        self
    }
}

/// A LiveKit server API client (`RoomService` and `Egress`).
///
/// Each call carries a fresh JWT with only the grants it needs: `roomCreate` for create and
/// delete, `roomList` for get and list, `roomAdmin` scoped to the room for participant calls,
/// `roomRecord` for Egress; and an `X-Livekit-Request-Id`, one per logical call and the same on
/// its retries, as the official server SDKs send.
#[derive(Debug)]
pub struct LiveKitClient {
    base: ClientBase,
    url: String,
    minter: LiveKitMinter,
    token_ttl_secs: u64,
    recording: LiveKitRecordingOptions,
}

client_setters!(LiveKitClient, clock: "the tokens' `nbf`/`exp`", random: "request ids, retry jitter");

impl LiveKitClient {
    /// The vendor.
    pub const VENDOR: Vendor = V;

    /// A client for the server at `base_url` (`https://<project>.livekit.cloud`,
    /// `http://localhost:7880`; `ws(s)://` is rewritten to `http(s)://`).
    ///
    /// # Errors
    /// [`RemoteError::Config`] for a bad URL; [`RemoteError::Token`] for an empty key or secret.
    pub fn new(
        base_url: &str,
        api_key: impl Into<String>,
        api_secret: impl Into<Secret>,
    ) -> RemoteResult<Self> {
        let url = parse_base_url(V, base_url)?;
        let minter = LiveKitMinter::new(api_key, api_secret)?;
        Ok(LiveKitClient {
            base: ClientBase::new(V)?,
            url,
            minter,
            token_ttl_secs: 600,
            recording: LiveKitRecordingOptions::default(),
        })
    }

    /// Sets the lifetime of the per-call tokens (default 600 s, minimum 1).
    #[must_use]
    pub fn with_token_ttl_secs(mut self, ttl: u64) -> Self {
        self.token_ttl_secs = ttl.max(1);
        self
    }

    /// Sets the recording settings (encoding).
    #[must_use]
    pub fn with_recording_options(mut self, options: LiveKitRecordingOptions) -> Self {
        self.recording = options;
        self
    }

    /// This client's capability table.
    #[must_use]
    pub fn capabilities(&self) -> Capabilities {
        capabilities(V)
    }

    fn token(&self, video: VideoGrant) -> RemoteResult<String> {
        let grants = ClaimGrants {
            video: Some(video),
            ..ClaimGrants::default()
        };
        Ok(self
            .minter
            .encode(
                &grants,
                self.base.now()?,
                std::time::Duration::from_secs(self.token_ttl_secs),
            )?
            .token)
    }

    /// A fresh request id (`RQ_` and 24 hex digits).
    fn new_request_id(&self) -> String {
        let mut b = [0u8; 12];
        self.base.random().fill(&mut b);
        format!("RQ_{}", hex::lower(&b))
    }

    #[allow(clippy::too_many_arguments)]
    async fn twirp_answer(
        &self,
        service: &str,
        method: &str,
        operation: &'static str,
        grant: VideoGrant,
        body: &Value,
        idempotent: bool,
        request_id: &str,
    ) -> Result<Answer, Failure> {
        let fail = |error| Failure {
            error,
            uncertain: false,
        };
        let url =
            join(V, &self.url, &format!("/twirp/livekit.{service}/{method}")).map_err(fail)?;
        let bearer = HeaderValue::try_from(format!("Bearer {}", self.token(grant).map_err(fail)?))
            .map_err(|_| {
                fail(RemoteError::Config {
                    vendor: V,
                    reason: "the token is not a valid header value".into(),
                })
            })?;
        let mut bearer = bearer;
        bearer.set_sensitive(true);
        let rid = HeaderValue::try_from(request_id).map_err(|_| {
            fail(RemoteError::Config {
                vendor: V,
                reason: "the request id is not a valid header value".into(),
            })
        })?;
        let call = Call::new(Method::POST, url, operation)
            .header(AUTHORIZATION, bearer)
            .header(REQUEST_ID, rid)
            .json(body)
            .idempotent(idempotent);
        self.base.http.send_tracked(&call, check).await
    }

    async fn twirp<T: DeserializeOwned>(
        &self,
        service: &str,
        method: &str,
        operation: &'static str,
        grant: VideoGrant,
        body: Value,
        idempotent: bool,
    ) -> RemoteResult<T> {
        let request_id = self.new_request_id();
        let answer = self
            .twirp_answer(
                service,
                method,
                operation,
                grant,
                &body,
                idempotent,
                &request_id,
            )
            .await
            .map_err(|f| f.error)?;
        decode(&answer, operation)
    }

    /// `RoomService/CreateRoom` (idempotent: an existing room keeps its sid, non-zero fields
    /// overwrite its settings).
    ///
    /// # Errors
    /// [`RemoteError`] from the server or the transport.
    pub async fn create_room(&self, request: &CreateRoomRequest) -> RemoteResult<Room> {
        require_name(V, "name", &request.name)?;
        let mut body = json!({ "name": request.name });
        if let Some(m) = request.max_participants {
            set_json(Some(&mut body), "max_participants", json!(m));
        }
        if let Some(t) = request.empty_timeout_secs {
            set_json(Some(&mut body), "empty_timeout", json!(t));
        }
        if let Some(m) = &request.metadata {
            set_json(Some(&mut body), "metadata", json!(m));
        }
        let grant = VideoGrant {
            room_create: true,
            ..VideoGrant::default()
        };
        let room: WireRoom = self
            .twirp(
                "RoomService",
                "CreateRoom",
                "room.create",
                grant,
                body,
                true,
            )
            .await?;
        Ok(room.into_room())
    }

    /// `RoomService/ListRooms{names:[name]}`; [`RemoteError::NotFound`] when the room is not
    /// active.
    ///
    /// # Errors
    /// As above, plus server and transport errors.
    pub async fn get_room(&self, name: &str) -> RemoteResult<Room> {
        require_name(V, "name", name)?;
        let rooms = self
            .list_all(json!({ "names": [name] }), "room.get")
            .await?;
        let mut room =
            rooms
                .into_iter()
                .find(|r| r.name == name)
                .ok_or_else(|| RemoteError::NotFound {
                    vendor: V,
                    what: "room",
                    id: name.to_owned(),
                })?;
        room.origin = Origin::Derived;
        Ok(room)
    }

    async fn list_all(&self, body: serde_json::Value, op: &'static str) -> RemoteResult<Vec<Room>> {
        let grant = VideoGrant {
            room_list: true,
            ..VideoGrant::default()
        };
        let list: WireRooms = self
            .twirp("RoomService", "ListRooms", op, grant, body, true)
            .await?;
        Ok(list.rooms.into_iter().map(WireRoom::into_room).collect())
    }

    /// `RoomService/ListRooms`. The server returns every active room at once; this pages the
    /// result by name (the cursor is the last name returned).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_rooms(&self, page: &PageRequest) -> RemoteResult<Page<Room>> {
        let rooms = self.list_all(json!({}), "room.list").await?;
        Ok(page_locally(rooms, page, |r| r.name.as_str()))
    }

    /// `RoomService/DeleteRoom`: disconnects everyone. Not retried.
    ///
    /// # Errors
    /// `not_found` ([`RemoteError::is_not_found`]) for an unknown room; server and transport
    /// errors.
    pub async fn delete_room(&self, name: &str) -> RemoteResult<()> {
        require_name(V, "name", name)?;
        // The server checks roomCreate here, not roomAdmin.
        let grant = VideoGrant {
            room_create: true,
            ..VideoGrant::default()
        };
        let _: serde_json::Value = self
            .twirp(
                "RoomService",
                "DeleteRoom",
                "room.delete",
                grant,
                json!({ "room": name }),
                false,
            )
            .await?;
        Ok(())
    }

    /// `Egress/StartRoomCompositeEgress` with one file output (MP4, or OGG when audio only) at
    /// `output_uri` (empty: the egress default `{room_name}-{time}`), stored by the egress
    /// service's configured storage (a storage URL such as `s3://…` is refused as not
    /// implemented), encoded as [`LiveKitClient::with_recording_options`] says.
    ///
    /// Every attempt carries the same `X-Livekit-Request-Id`, so timeouts, resets and 5xx are
    /// retried: livekit-server answers a repeated request id with the egress it already started.
    /// With an idempotency key the request id is derived from the room and the key, so **a
    /// repeated start with the same key — from this process or another — sends the same request
    /// id and gets the same egress** (while the server remembers the id; this client also
    /// remembers recent keys). Without a key each call gets a fresh random id.
    ///
    /// # Errors
    /// [`RemoteError::OutcomeUnknown`] when no definite answer came back after the retries
    /// (with the room and request id); [`RemoteError::Unsupported`] for metadata; `not_found`
    /// when the room is not active; `internal` "egress not connected" without an egress
    /// service.
    pub async fn start_recording(&self, request: &RecordingRequest) -> RemoteResult<Recording> {
        const OP: &str = "recording.start";
        check_recording_start(V, request)?;
        if let Some(uri) = request.output_uri.as_deref()
            && uri.contains("://")
        {
            return Err(unsupported(
                V,
                "recording.start(output_uri with storage URL)",
                UnsupportedReason::NotImplemented,
                "per-request upload credentials (S3Upload, GCPUpload, ...) are not implemented; configure storage in the egress service and pass a file path",
            ));
        }
        if let Some(done) = self.base.remembered(request) {
            return Ok(done);
        }
        let file_type = if request.audio_only { "OGG" } else { "MP4" };
        let mut body = json!({
            "room_name": request.room,
            "layout": request.layout.as_deref().unwrap_or("grid"),
            "audio_only": request.audio_only,
            "file_outputs": [{
                "file_type": file_type,
                "filepath": request.output_uri.as_deref().unwrap_or(""),
            }],
        });
        match self.recording.encoding {
            LiveKitEncoding::EgressDefault => {}
            LiveKitEncoding::Preset(p) => set_json(Some(&mut body), "preset", json!(p.as_str())),
            LiveKitEncoding::Advanced(a) => set_json(Some(&mut body), "advanced", a.to_json()),
        }
        let request_id = match request.idempotency_key.as_deref() {
            Some(key) => {
                let d = key_digest(&["livekit-egress", &request.room, key]);
                format!("RQ_{}", hex::lower(d.get(..12).unwrap_or(&d)))
            }
            None => self.new_request_id(),
        };
        let unknown = |reason: String| {
            let recovery = RecordingRecovery::LiveKit {
                room: request.room.clone(),
                request_id: request_id.clone(),
            };
            outcome_unknown(V, reason, recovery)
        };
        let answer = match self
            .twirp_answer(
                "Egress",
                "StartRoomCompositeEgress",
                OP,
                record_grant(),
                &body,
                true,
                &request_id,
            )
            .await
        {
            Ok(a) => a,
            Err(f) if f.uncertain => return Err(unknown(f.error.to_string())),
            Err(f) => return Err(f.error),
        };
        let info: WireEgress = decode(&answer, OP).map_err(|e| unknown(e.to_string()))?;
        let mut rec = info
            .into_recording(OP)
            .map_err(|e| unknown(e.to_string()))?;
        if rec.output_uri.is_none() {
            rec.output_uri.clone_from(&request.output_uri);
        }
        self.base.remember(request, &rec);
        Ok(rec)
    }

    /// `Egress/StopEgress`. Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's id; `failed_precondition` for a
    /// finished egress; `not_found`; server and transport errors.
    pub async fn stop_recording(&self, recording: &RecordingId) -> RemoteResult<Recording> {
        let RecordingHandle::LiveKit { egress_id } = own_handle(V, recording)? else {
            return Err(RemoteError::InvalidRequest {
                vendor: V,
                field: "recording",
                reason: "not a LiveKit recording id".into(),
            });
        };
        let info: WireEgress = self
            .twirp(
                "Egress",
                "StopEgress",
                "recording.stop",
                record_grant(),
                json!({ "egress_id": egress_id }),
                false,
            )
            .await?;
        info.into_recording("recording.stop")
    }

    /// `RoomService/ListParticipants` (an unknown room gives an empty list), paged on the
    /// client by identity.
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_participants(
        &self,
        room: &str,
        page: &PageRequest,
    ) -> RemoteResult<Page<Participant>> {
        require_name(V, "room", room)?;
        let list: WireParticipants = self
            .twirp(
                "RoomService",
                "ListParticipants",
                "participant.list",
                admin_grant(room),
                json!({ "room": room }),
                true,
            )
            .await?;
        let items = list
            .participants
            .into_iter()
            .map(|p| Participant {
                identity: p.identity,
                display_name: Some(p.name).filter(|n| !n.is_empty()),
                joined_at: Some(p.joined_at).filter(|t| *t != 0),
                role: None,
            })
            .collect();
        Ok(page_locally(items, page, |p| p.identity.as_str()))
    }

    /// `RoomService/RemoveParticipant` (the server also revokes the participant's older
    /// tokens). Not retried.
    ///
    /// # Errors
    /// `not_found` for an unknown participant; server and transport errors.
    pub async fn kick_participant(&self, room: &str, identity: &str) -> RemoteResult<()> {
        require_name(V, "room", room)?;
        require_name(V, "identity", identity)?;
        let _: serde_json::Value = self
            .twirp(
                "RoomService",
                "RemoveParticipant",
                "participant.kick",
                admin_grant(room),
                json!({ "room": room, "identity": identity }),
                false,
            )
            .await?;
        Ok(())
    }
}

super::service::forward_room_service!(LiveKitClient);

fn decode<T: DeserializeOwned>(answer: &Answer, operation: &'static str) -> RemoteResult<T> {
    serde_json::from_slice(&answer.body).map_err(|e| RemoteError::Decode {
        vendor: V,
        operation,
        message: e.to_string(),
    })
}

fn record_grant() -> VideoGrant {
    VideoGrant {
        room_record: true,
        ..VideoGrant::default()
    }
}

fn admin_grant(room: &str) -> VideoGrant {
    VideoGrant {
        room_admin: true,
        room: room.to_owned(),
        ..VideoGrant::default()
    }
}

/// Twirp errors are JSON `{code, msg, meta}`; the auth middleware answers plain-text 401s.
fn check(a: &Answer) -> Option<RemoteError> {
    if (200..300).contains(&a.status) {
        return None;
    }
    let twirp = a.json().and_then(|v| {
        let code = v.get("code")?.as_str()?.to_owned();
        let msg = v
            .get("msg")
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_owned();
        Some((code, msg))
    });
    let (code, message) = match twirp {
        Some((code, msg)) => (Some(code), msg),
        None => (None, a.text_snippet()),
    };
    Some(error_answer(V, a, code, message))
}

// Lenient wire types: unknown fields ignored, snake_case or camelCase, int64 as string or number.

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        F(f64),
        S(String),
        Null(()),
    }
    Ok(match Option::<N>::deserialize(d)? {
        Some(N::I(i)) => i,
        #[allow(clippy::cast_possible_truncation)]
        Some(N::F(f)) if f.is_finite() => f as i64,
        Some(N::S(s)) => s.trim().parse().map_err(serde::de::Error::custom)?,
        _ => 0,
    })
}

fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = lenient_i64(d)?;
    u32::try_from(v).map_err(|_| serde::de::Error::custom("expected a 32-bit unsigned integer"))
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct WireRooms {
    #[serde(default)]
    rooms: Vec<WireRoom>,
}

#[derive(Deserialize)]
struct WireRoom {
    #[serde(default, deserialize_with = "lenient_string")]
    sid: String,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, alias = "maxParticipants", deserialize_with = "lenient_u32")]
    max_participants: u32,
    #[serde(default, alias = "creationTime", deserialize_with = "lenient_i64")]
    creation_time: i64,
    #[serde(default, alias = "numParticipants", deserialize_with = "lenient_u32")]
    num_participants: u32,
    #[serde(default, deserialize_with = "lenient_string")]
    metadata: String,
}

impl WireRoom {
    fn into_room(self) -> Room {
        Room {
            vendor: V,
            room: self.sid,
            name: self.name,
            max_participants: Some(self.max_participants),
            created_at: Some(self.creation_time).filter(|t| *t != 0),
            num_participants: Some(self.num_participants),
            metadata: Some(self.metadata),
            origin: Origin::Vendor,
        }
    }
}

#[derive(Deserialize)]
struct WireParticipants {
    #[serde(default)]
    participants: Vec<WireParticipant>,
}

#[derive(Deserialize)]
struct WireParticipant {
    #[serde(default, deserialize_with = "lenient_string")]
    identity: String,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, alias = "joinedAt", deserialize_with = "lenient_i64")]
    joined_at: i64,
}

#[derive(Deserialize)]
struct WireEgress {
    #[serde(default, alias = "egressId", deserialize_with = "lenient_string")]
    egress_id: String,
    #[serde(default, alias = "roomName", deserialize_with = "lenient_string")]
    room_name: String,
    #[serde(default)]
    status: Option<serde_json::Value>,
    #[serde(default, alias = "fileResults")]
    file_results: Option<Vec<WireFile>>,
}

#[derive(Deserialize)]
struct WireFile {
    #[serde(default, deserialize_with = "lenient_string")]
    filename: String,
    #[serde(default, deserialize_with = "lenient_string")]
    location: String,
}

impl WireEgress {
    fn into_recording(self, operation: &'static str) -> RemoteResult<Recording> {
        let status = match &self.status {
            None | Some(serde_json::Value::Null) => RecordingStatus::Starting,
            Some(serde_json::Value::Number(n)) => egress_status_number(n.as_i64()),
            Some(serde_json::Value::String(s)) => egress_status_name(s),
            Some(other) => RecordingStatus::Unknown(other.to_string()),
        };
        let output_uri = self
            .file_results
            .unwrap_or_default()
            .into_iter()
            .find_map(|f| [f.location, f.filename].into_iter().find(|s| !s.is_empty()));
        let recording = recording_id(
            V,
            operation,
            RecordingHandle::LiveKit {
                egress_id: self.egress_id,
            },
        )?;
        Ok(Recording {
            recording,
            room: self.room_name,
            status,
            output_uri,
        })
    }
}

fn egress_status_name(s: &str) -> RecordingStatus {
    match s {
        "EGRESS_STARTING" => RecordingStatus::Starting,
        "EGRESS_ACTIVE" => RecordingStatus::Active,
        "EGRESS_ENDING" => RecordingStatus::Stopping,
        "EGRESS_COMPLETE" | "EGRESS_LIMIT_REACHED" => RecordingStatus::Complete,
        "EGRESS_FAILED" | "EGRESS_ABORTED" => RecordingStatus::Failed,
        other => RecordingStatus::Unknown(other.to_owned()),
    }
}

fn egress_status_number(n: Option<i64>) -> RecordingStatus {
    match n {
        Some(0) => RecordingStatus::Starting,
        Some(1) => RecordingStatus::Active,
        Some(2) => RecordingStatus::Stopping,
        Some(3 | 6) => RecordingStatus::Complete,
        Some(4 | 5) => RecordingStatus::Failed,
        other => RecordingStatus::Unknown(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_room_decoding() {
        let snake: WireRoom = serde_json::from_str(
            r#"{"sid":"RM_1","name":"a","max_participants":5,"creation_time":"1700000000","num_participants":2,"metadata":"m","extra":{}}"#,
        )
        .unwrap();
        let camel: WireRoom = serde_json::from_str(
            r#"{"sid":"RM_1","name":"a","maxParticipants":5,"creationTime":1700000000,"numParticipants":2,"metadata":null}"#,
        )
        .unwrap();
        assert_eq!(snake.creation_time, camel.creation_time);
        assert_eq!(snake.into_room().max_participants, Some(5));
        let e: WireEgress =
            serde_json::from_str(r#"{"egressId":"EG_1","status":2,"roomName":"r"}"#).unwrap();
        assert_eq!(
            e.into_recording("test").unwrap().status,
            RecordingStatus::Stopping
        );
    }
}
