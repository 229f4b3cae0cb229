//! LiveKit: Twirp `RoomService` and `Egress` over JSON, signed with this crate's JWT minter.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::json;

use super::capabilities::{Capabilities, capabilities};
use super::error::{RemoteError, RemoteResult, not_implemented};
use super::http::{Answer, Call, Http, HttpOptions, join, parse_base_url};
use super::{
    CreateRoomRequest, IdempotencyCache, Origin, Page, PageRequest, Participant, Recording,
    RecordingHandle, RecordingRequest, RecordingStatus, Room, page_locally, refuse_metadata,
    require_name,
};
use crate::clock::{Clock, SystemClock};
use crate::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};
use crate::random::{RandomSource, ThreadRandom};
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::LiveKit;

/// A LiveKit server API client (`RoomService` and `Egress`).
///
/// Each call carries a fresh JWT with only the grants it needs: `roomCreate` for create and
/// delete, `roomList` for get and list, `roomAdmin` scoped to the room for participant calls,
/// `roomRecord` for Egress.
#[derive(Debug)]
pub struct LiveKitClient {
    http: Http,
    base: String,
    minter: LiveKitMinter,
    clock: Arc<dyn Clock>,
    token_ttl_secs: u64,
    started: IdempotencyCache,
}

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
        let base = parse_base_url(V, base_url)?;
        let minter = LiveKitMinter::new(api_key, api_secret)?;
        Ok(LiveKitClient {
            http: Http::new(V, HttpOptions::default(), Arc::new(ThreadRandom))?,
            base,
            minter,
            clock: Arc::new(SystemClock),
            token_ttl_secs: 600,
            started: IdempotencyCache::default(),
        })
    }

    /// Replaces the HTTP options.
    ///
    /// # Errors
    /// [`RemoteError::Config`] when the HTTP client cannot be built.
    pub fn with_http_options(mut self, options: HttpOptions) -> RemoteResult<Self> {
        self.http = Http::new(V, options, Arc::clone(self.http.random()))?;
        Ok(self)
    }

    /// Sets the clock used for the tokens' `nbf`/`exp`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the randomness used for retry jitter.
    #[must_use]
    pub fn with_random(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.http.set_random(random);
        self
    }

    /// Sets the lifetime of the per-call tokens (default 600 s, minimum 1).
    #[must_use]
    pub fn with_token_ttl_secs(mut self, ttl: u64) -> Self {
        self.token_ttl_secs = ttl.max(1);
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
                self.clock.now()?,
                std::time::Duration::from_secs(self.token_ttl_secs),
            )?
            .token)
    }

    async fn twirp<T: DeserializeOwned>(
        &self,
        service: &str,
        method: &str,
        operation: &'static str,
        grant: VideoGrant,
        body: serde_json::Value,
        idempotent: bool,
    ) -> RemoteResult<T> {
        let url = join(V, &self.base, &format!("/twirp/livekit.{service}/{method}"))?;
        let bearer =
            HeaderValue::try_from(format!("Bearer {}", self.token(grant)?)).map_err(|_| {
                RemoteError::Config {
                    vendor: V,
                    reason: "the token is not a valid header value".into(),
                }
            })?;
        let call = Call::new(Method::POST, url, operation)
            .header(AUTHORIZATION, bearer)
            .json(&body)
            .idempotent(idempotent);
        let answer = self.http.send(&call, check).await?;
        serde_json::from_slice(&answer.body).map_err(|e| RemoteError::Decode {
            vendor: V,
            operation,
            message: e.to_string(),
        })
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
            super::set_json(Some(&mut body), "max_participants", json!(m));
        }
        if let Some(t) = request.empty_timeout_secs {
            super::set_json(Some(&mut body), "empty_timeout", json!(t));
        }
        if let Some(m) = &request.metadata {
            super::set_json(Some(&mut body), "metadata", json!(m));
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
    /// implemented). Not retried.
    ///
    /// # Errors
    /// [`RemoteError::Unsupported`] for metadata; `not_found` when the room is not active;
    /// `internal` "egress not connected" without an egress service.
    pub async fn start_recording(&self, request: &RecordingRequest) -> RemoteResult<Recording> {
        require_name(V, "room", &request.room)?;
        refuse_metadata(V, request)?;
        if let Some(uri) = request.output_uri.as_deref()
            && uri.contains("://")
        {
            return Err(not_implemented(
                V,
                "recording.start(output_uri with storage URL)",
                "per-request upload credentials (S3Upload, GCPUpload, ...) are not implemented; configure storage in the egress service and pass a file path",
            ));
        }
        if let Some(key) = request.idempotency_key.as_deref()
            && let Some(done) = self.started.get(key)
        {
            return Ok(done);
        }
        let file_type = if request.audio_only { "OGG" } else { "MP4" };
        let body = json!({
            "room_name": request.room,
            "layout": request.layout.as_deref().unwrap_or("grid"),
            "audio_only": request.audio_only,
            "file_outputs": [{
                "file_type": file_type,
                "filepath": request.output_uri.as_deref().unwrap_or(""),
            }],
        });
        let info: WireEgress = self
            .twirp(
                "Egress",
                "StartRoomCompositeEgress",
                "recording.start",
                record_grant(),
                body,
                false,
            )
            .await?;
        let mut rec = info.into_recording();
        if rec.output_uri.is_none() {
            rec.output_uri.clone_from(&request.output_uri);
        }
        if let Some(key) = request.idempotency_key.as_deref() {
            self.started.put(key, &rec);
        }
        Ok(rec)
    }

    /// `Egress/StopEgress`. Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's handle; `failed_precondition` for
    /// a finished egress; `not_found`; server and transport errors.
    pub async fn stop_recording(&self, handle: &RecordingHandle) -> RemoteResult<Recording> {
        let RecordingHandle::LiveKit { egress_id } = handle else {
            return Err(RemoteError::InvalidRequest {
                vendor: V,
                field: "handle",
                reason: "not a LiveKit recording handle".into(),
            });
        };
        require_name(V, "egress_id", egress_id)?;
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
        Ok(info.into_recording())
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

super::forward_room_service!(LiveKitClient);

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
    if a.status == 401 || a.status == 403 {
        return Some(RemoteError::Auth {
            vendor: V,
            status: a.status,
            code,
            message,
        });
    }
    Some(RemoteError::Api {
        vendor: V,
        status: a.status,
        code,
        message,
        request_id: a.request_id.clone(),
    })
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
    fn into_recording(self) -> Recording {
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
        Recording {
            recording: self.egress_id.clone(),
            room: self.room_name,
            status,
            output_uri,
            handle: RecordingHandle::LiveKit {
                egress_id: self.egress_id,
            },
        }
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
        assert_eq!(e.into_recording().status, RecordingStatus::Stopping);
    }
}
