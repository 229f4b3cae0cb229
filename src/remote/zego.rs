//! ZEGOCLOUD: the server API (`rtc-api`) and Cloud Recording (`cloudrecord-api`), signed with
//! `MD5(AppId ‖ SignatureNonce ‖ ServerSecret ‖ Timestamp)` in the query string.

use std::time::Duration;

use md5::{Digest as _, Md5};
use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::capabilities::{Capabilities, Operation, Support, capabilities};
use super::client::{
    ClientBase, check_recording_start, client_setters, error_answer, outcome_unknown, own_handle,
    recording_id, refuse_room_settings, require_name, set_json,
};
use super::error::{RemoteError, RemoteResult, UnsupportedReason, unsupported};
use super::http::{Answer, Call, join, parse_base_url};
use super::{
    CreateRoomRequest, Origin, Page, PageRequest, Participant, Recording, RecordingHandle,
    RecordingId, RecordingRecovery, RecordingRequest, RecordingStatus, Room,
};
use crate::Vendor;
use crate::hex;
use crate::secret::Secret;

const V: Vendor = Vendor::Zego;

/// The request signature: lowercase hex of `MD5(decimal(app_id) ‖ nonce ‖ server_secret ‖
/// decimal(timestamp))`, plain concatenation.
#[must_use]
pub fn signature(app_id: u32, nonce: &str, server_secret: &Secret, timestamp: i64) -> String {
    let mut h = Md5::new();
    h.update(app_id.to_string().as_bytes());
    h.update(nonce.as_bytes());
    h.update(server_secret.as_bytes());
    h.update(timestamp.to_string().as_bytes());
    hex::lower(&h.finalize())
}

/// The shortest wait before retrying `action`, from ZEGO's documented rate limit for it
/// (DescribeUserList 1 call/s per room, CloseRoom 1 call/s per app, DescribeUserNum and
/// DescribeRecordStatus 10/s, DescribeRoomList 20/s, KickoutUser, StartRecord and StopRecord
/// 50/s).
#[must_use]
fn min_retry_interval(action: &str) -> Duration {
    match action {
        "DescribeUserList" | "CloseRoom" => Duration::from_secs(1),
        "DescribeUserNum" | "DescribeRecordStatus" => Duration::from_millis(100),
        "DescribeRoomList" => Duration::from_millis(50),
        _ => Duration::from_millis(20),
    }
}

/// The mixed output of a ZEGO recording (`MixOutputVideoConfig`) and its idle limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ZegoRecordingOptions {
    /// Width, pixels (default 1280; W×H at most 1920×1080).
    pub width: u32,
    /// Height, pixels (default 720).
    pub height: u32,
    /// Frames per second (default 15).
    pub fps: u32,
    /// Video bitrate, bits per second (default 1,130,000).
    pub bitrate: u32,
    /// Seconds with no stream after which ZEGO stops the recording (`MaxIdleTime`, 5–86400;
    /// default 30).
    pub max_idle_time_secs: u32,
}

impl Default for ZegoRecordingOptions {
    fn default() -> Self {
        ZegoRecordingOptions {
            width: 1280,
            height: 720,
            fps: 15,
            bitrate: 1_130_000,
            max_idle_time_secs: 30,
        }
    }
}

impl ZegoRecordingOptions {
    /// Sets the resolution.
    #[must_use]
    pub fn resolution(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Sets the frame rate.
    #[must_use]
    pub fn fps(mut self, fps: u32) -> Self {
        self.fps = fps;
        self
    }

    /// Sets the bitrate, bits per second.
    #[must_use]
    pub fn bitrate(mut self, bps: u32) -> Self {
        self.bitrate = bps;
        self
    }

    /// Sets the max idle time, seconds (5–86400).
    #[must_use]
    pub fn max_idle_time_secs(mut self, secs: u32) -> Self {
        self.max_idle_time_secs = secs;
        self
    }

    fn check(&self) -> RemoteResult<()> {
        let bad = |field, reason: &'static str| {
            Err(RemoteError::InvalidRequest {
                vendor: V,
                field,
                reason: reason.into(),
            })
        };
        if self.width == 0
            || self.height == 0
            || self.width.saturating_mul(self.height) > 1920 * 1080
        {
            return bad(
                "resolution",
                "ZEGO mixes at most 1920×1080 pixels, and not 0",
            );
        }
        if self.fps == 0 || self.bitrate == 0 {
            return bad("fps", "frame rate and bitrate must not be 0");
        }
        if !(5..=86_400).contains(&self.max_idle_time_secs) {
            return bad("max_idle_time_secs", "ZEGO accepts 5 to 86400 seconds");
        }
        Ok(())
    }
}

/// Where ZEGO Cloud Recording uploads files (`StorageParams`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ZegoStorage {
    /// 1 Amazon S3, 2 Alibaba OSS, 3 Tencent COS, 4 Qiniu Kodo, 7 Huawei OBS, 8 Google Cloud
    /// Storage, 10 S3-compatible (needs `endpoint`), ...
    pub vendor: u32,
    /// Region.
    pub region: String,
    /// Bucket.
    pub bucket: String,
    /// Access key id.
    pub access_key_id: String,
    /// Access key secret (never printed).
    pub access_key_secret: Secret,
    /// Endpoint, for S3-compatible storage.
    pub endpoint: Option<String>,
}

impl ZegoStorage {
    /// Storage settings.
    #[must_use]
    pub fn new(
        vendor: u32,
        region: impl Into<String>,
        bucket: impl Into<String>,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
    ) -> Self {
        ZegoStorage {
            vendor,
            region: region.into(),
            bucket: bucket.into(),
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            endpoint: None,
        }
    }

    /// Sets the endpoint (S3-compatible storage).
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }
}

/// A ZEGOCLOUD server API and Cloud Recording client.
#[derive(Debug)]
pub struct ZegoClient {
    base: ClientBase,
    rtc_url: String,
    record_url: String,
    app_id: u32,
    server_secret: Secret,
    room_list_enabled: bool,
    storage: Option<ZegoStorage>,
    options: ZegoRecordingOptions,
}

client_setters!(ZegoClient, clock: "`Timestamp`", random: "`SignatureNonce`, retry jitter");

impl ZegoClient {
    /// The vendor.
    pub const VENDOR: Vendor = V;

    /// A client for the room API at `rtc_base_url` (`https://rtc-api.zego.im`) and Cloud
    /// Recording at `record_base_url` (`https://cloudrecord-api.zego.im`), with the App ID and
    /// the 32-character ServerSecret.
    ///
    /// # Errors
    /// [`RemoteError::Config`] for a bad URL, app id 0 or an empty secret.
    pub fn new(
        rtc_base_url: &str,
        record_base_url: &str,
        app_id: u32,
        server_secret: impl Into<Secret>,
    ) -> RemoteResult<Self> {
        let server_secret = server_secret.into();
        if app_id == 0 || server_secret.is_empty() {
            return Err(RemoteError::Config {
                vendor: V,
                reason: "app id must be non-zero and the server secret non-empty (ZEGO console → project)".into(),
            });
        }
        Ok(ZegoClient {
            base: ClientBase::new(V)?,
            rtc_url: parse_base_url(V, rtc_base_url)?,
            record_url: parse_base_url(V, record_base_url)?,
            app_id,
            server_secret,
            room_list_enabled: false,
            storage: None,
            options: ZegoRecordingOptions::default(),
        })
    }

    /// Sets the recording settings (resolution, frame rate, bitrate, max idle time).
    #[must_use]
    pub fn with_recording_options(mut self, options: ZegoRecordingOptions) -> Self {
        self.options = options;
        self
    }

    /// Declares that ZEGO enabled `DescribeRoomList` for this app (it is off by default and
    /// enabled on request), which makes [`ZegoClient::list_rooms`] call it.
    #[must_use]
    pub fn with_room_list(mut self, enabled: bool) -> Self {
        self.room_list_enabled = enabled;
        self
    }

    /// Enables recording into `storage`.
    #[must_use]
    pub fn with_recording(mut self, storage: ZegoStorage) -> Self {
        self.storage = Some(storage);
        self
    }

    /// This client's capability table (room list `Real` once enabled, else `Gated`).
    #[must_use]
    pub fn capabilities(&self) -> Capabilities {
        let mut t = capabilities(V);
        if self.room_list_enabled {
            t.set(Operation::RoomList, Support::Real);
        }
        t
    }

    fn signed_url(&self, base: &str, action: &str, params: &[(&str, &str)]) -> RemoteResult<Url> {
        let mut url = join(V, base, "/")?;
        let timestamp = self.base.now()?;
        let mut nonce_bytes = [0u8; 8];
        self.base.random().fill(&mut nonce_bytes);
        let nonce = hex::lower(&nonce_bytes);
        let sig = signature(self.app_id, &nonce, &self.server_secret, timestamp);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("Action", action)
                .append_pair("AppId", &self.app_id.to_string())
                .append_pair("SignatureNonce", &nonce)
                .append_pair("Timestamp", &timestamp.to_string())
                .append_pair("SignatureVersion", "2.0")
                .append_pair("Signature", &sig);
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }

    async fn rtc(
        &self,
        action: &str,
        params: &[(&str, &str)],
        idempotent: bool,
        operation: &'static str,
    ) -> RemoteResult<Value> {
        let url = self.signed_url(&self.rtc_url, action, params)?;
        let call = Call::new(Method::GET, url, operation)
            .idempotent(idempotent)
            .min_backoff(min_retry_interval(action));
        let answer = self.base.http.send(&call, |a| check(a, operation)).await?;
        data_of(&answer, operation)
    }

    /// A Cloud Recording call (never retried); the error's flag says whether ZEGO may have
    /// acted on it.
    async fn record(
        &self,
        action: &str,
        body: &Value,
        operation: &'static str,
    ) -> Result<Value, (RemoteError, bool)> {
        let fail = |e| (e, false);
        let url = self
            .signed_url(&self.record_url, action, &[])
            .map_err(fail)?;
        let call = Call::new(Method::POST, url, operation)
            .json(body)
            .min_backoff(min_retry_interval(action));
        let answer = self
            .base
            .http
            .send_tracked(&call, |a| check(a, operation))
            .await
            .map_err(|f| (f.error, f.uncertain))?;
        data_of(&answer, operation).map_err(|e| (e, true))
    }

    /// No network call: ZEGO has no room-creation API (a room exists while someone is logged
    /// in). Returns a [`Origin::Synthesized`] record; settings the vendor cannot hold are
    /// refused.
    ///
    /// # Errors
    /// [`RemoteError::Unsupported`] for `max_participants`, `empty_timeout_secs` or
    /// `metadata`; [`RemoteError::InvalidRequest`] for an empty name.
    pub async fn create_room(&self, request: &CreateRoomRequest) -> RemoteResult<Room> {
        require_name(V, "name", &request.name)?;
        refuse_room_settings(V, "ZEGO rooms", request)?;
        Ok(room(&request.name, None, Origin::Synthesized))
    }

    /// `DescribeUserNum`: a [`Origin::Derived`] record with the user count;
    /// [`RemoteError::NotFound`] when the count is 0 (ZEGO cannot tell an empty room from an
    /// absent one).
    ///
    /// # Errors
    /// As above, plus API and transport errors.
    pub async fn get_room(&self, name: &str) -> RemoteResult<Room> {
        require_name(V, "name", name)?;
        let not_found = || RemoteError::NotFound {
            vendor: V,
            what: "room",
            id: name.to_owned(),
        };
        let data = match self
            .rtc("DescribeUserNum", &[("RoomId[]", name)], true, "room.get")
            .await
        {
            Err(e) if e.is_not_found() => return Err(not_found()),
            other => other?,
        };
        let count = data
            .get("UserCountList")
            .and_then(Value::as_array)
            .and_then(|l| {
                l.iter()
                    .find(|r| r.get("RoomId").and_then(Value::as_str) == Some(name))
            })
            .and_then(|r| r.get("UserCount"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if count == 0 {
            return Err(not_found());
        }
        Ok(room(name, u32::try_from(count).ok(), Origin::Derived))
    }

    /// `DescribeRoomList`, only when enabled with [`ZegoClient::with_room_list`] (ZEGO enables
    /// it per app on request). The cursor is the 1-based page index; the limit 1–200 (default
    /// 100).
    ///
    /// # Errors
    /// [`RemoteError::Unsupported`] (vendor lacks it for this app) when not enabled, or when
    /// the gateway answers "unsupported action" / "service not enabled"; API and transport
    /// errors.
    pub async fn list_rooms(&self, page: &PageRequest) -> RemoteResult<Page<Room>> {
        let gated = || {
            unsupported(
                V,
                "room.list",
                UnsupportedReason::VendorLacks,
                "ZEGO enables DescribeRoomList per app on request; once enabled, use ZegoClient::with_room_list(true)",
            )
        };
        if !self.room_list_enabled {
            return Err(gated());
        }
        let index: u64 = match page.cursor.as_deref() {
            None => 1,
            Some(c) => c
                .parse()
                .ok()
                .filter(|i| *i >= 1)
                .ok_or(RemoteError::InvalidRequest {
                    vendor: V,
                    field: "cursor",
                    reason:
                        "a ZEGO room-list cursor is a page index; pass the previous next_cursor"
                            .into(),
                })?,
        };
        let size = u64::from(page.limit.unwrap_or(100).clamp(1, 200));
        let (i, s) = (index.to_string(), size.to_string());
        let data = match self
            .rtc(
                "DescribeRoomList",
                &[("PageIndex", &i), ("PageSize", &s)],
                true,
                "room.list",
            )
            .await
        {
            Err(e) if matches!(e.code(), Some("100000007" | "100000017")) => return Err(gated()),
            other => other?,
        };
        let items = data
            .get("RoomList")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|r| {
                        let id = r.get("RoomId")?.as_str()?;
                        let count = r.get("UserCount").and_then(Value::as_u64);
                        Some(room(
                            id,
                            count.and_then(|c| u32::try_from(c).ok()),
                            Origin::Vendor,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total = data.get("TotalCount").and_then(Value::as_u64).unwrap_or(0);
        let next_cursor = (index.saturating_mul(size) < total).then(|| (index + 1).to_string());
        let mut page = Page::new(items, next_cursor);
        page.total = Some(total);
        Ok(page)
    }

    /// `CloseRoom`: ends the room for everyone. Not retried.
    ///
    /// # Errors
    /// [`RemoteError::NotFound`] when the room does not exist; API and transport errors.
    pub async fn delete_room(&self, name: &str) -> RemoteResult<()> {
        require_name(V, "name", name)?;
        match self
            .rtc("CloseRoom", &[("RoomId", name)], false, "room.delete")
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Err(RemoteError::NotFound {
                vendor: V,
                what: "room",
                id: name.to_owned(),
            }),
            Err(e) => Err(e),
        }
    }

    /// `DescribeUserList`, oldest first; the cursor is ZEGO's `Marker`, the limit at most 200
    /// (ZEGO allows one call per second per room).
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn list_participants(
        &self,
        room_id: &str,
        page: &PageRequest,
    ) -> RemoteResult<Page<Participant>> {
        require_name(V, "room", room_id)?;
        let limit = page.limit.unwrap_or(200).clamp(1, 200).to_string();
        let marker = page.cursor.as_deref().unwrap_or("");
        let data = match self
            .rtc(
                "DescribeUserList",
                &[
                    ("RoomId", room_id),
                    ("Mode", "0"),
                    ("Limit", &limit),
                    ("Marker", marker),
                ],
                true,
                "participant.list",
            )
            .await
        {
            Err(e) if e.is_not_found() => Value::Null,
            other => other?,
        };
        let items = data
            .get("UserList")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|u| {
                        Some(Participant {
                            identity: u.get("UserId")?.as_str()?.to_owned(),
                            display_name: u
                                .get("UserName")
                                .and_then(Value::as_str)
                                .filter(|n| !n.is_empty())
                                .map(str::to_owned),
                            joined_at: None,
                            role: None,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let next_cursor = data
            .get("Marker")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        Ok(Page::new(items, next_cursor))
    }

    /// `KickoutUser` for one user. Not retried.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn kick_participant(&self, room_id: &str, identity: &str) -> RemoteResult<()> {
        require_name(V, "room", room_id)?;
        require_name(V, "identity", identity)?;
        self.rtc(
            "KickoutUser",
            &[("RoomId", room_id), ("UserId[]", identity)],
            false,
            "participant.kick",
        )
        .await?;
        Ok(())
    }

    /// Cloud Recording `StartRecord`, mixed mode (`RecordMode` 2), output stream
    /// `<room>_mix`, MP4 (MP3 when audio only) into `OutputFolder` = `output_uri`, with the
    /// video settings of [`ZegoClient::with_recording_options`] (default 1280×720, 15 fps,
    /// 1.13 Mbps, 30 s max idle time).
    ///
    /// Never retried: ZEGO has no idempotency for `StartRecord`, so a second attempt could
    /// start a second task. When the request was sent but no definite answer came back, the
    /// error is [`RemoteError::OutcomeUnknown`] naming the room. **A repeated start with the
    /// same idempotency key** returns the first recording only from this client's memory;
    /// another process starts a second task.
    ///
    /// # Errors
    /// [`RemoteError::Config`] without [`ZegoClient::with_recording`];
    /// [`RemoteError::Unsupported`] for metadata; [`RemoteError::InvalidRequest`] for an
    /// unknown layout or bad recording options; [`RemoteError::OutcomeUnknown`]; API and
    /// transport errors.
    pub async fn start_recording(&self, request: &RecordingRequest) -> RemoteResult<Recording> {
        const OP: &str = "recording.start";
        check_recording_start(V, request)?;
        let storage = self.storage.as_ref().ok_or_else(|| RemoteError::Config {
            vendor: V,
            reason: "recording needs storage settings: call with_recording(ZegoStorage::new(..))"
                .into(),
        })?;
        self.options.check()?;
        if storage.vendor == 10 && storage.endpoint.is_none() {
            return Err(RemoteError::Config {
                vendor: V,
                reason:
                    "storage vendor 10 (S3-compatible) needs an endpoint: ZegoStorage::endpoint(..)"
                        .into(),
            });
        }
        if let Some(done) = self.base.remembered(request) {
            return Ok(done);
        }
        let mix_mode = match request.layout.as_deref().unwrap_or("grid") {
            "grid" => 2,
            "horizontal" => 3,
            "vertical" => 4,
            "float" | "speaker" => 5,
            other => {
                return Err(RemoteError::InvalidRequest {
                    vendor: V,
                    field: "layout",
                    reason: format!(
                        "ZEGO knows grid, horizontal, vertical and speaker (float), not {other:?}"
                    )
                    .into(),
                });
            }
        };
        let o = self.options;
        let mut mix =
            json!({"MixMode": mix_mode, "MixOutputStreamId": format!("{}_mix", request.room)});
        if !request.audio_only {
            set_json(
                Some(&mut mix),
                "MixOutputVideoConfig",
                json!({"Width": o.width, "Height": o.height, "Fps": o.fps, "Bitrate": o.bitrate}),
            );
        }
        let mut storage_params = json!({
            "Vendor": storage.vendor,
            "Region": storage.region,
            "Bucket": storage.bucket,
            "AccessKeyId": storage.access_key_id,
            "AccessKeySecret": storage.access_key_secret.expose(),
        });
        if let Some(endpoint) = &storage.endpoint {
            set_json(Some(&mut storage_params), "EndPoint", json!(endpoint));
        }
        let mut output =
            json!({"OutputFileFormat": if request.audio_only { "mp3" } else { "mp4" }});
        if let Some(folder) = &request.output_uri {
            set_json(Some(&mut output), "OutputFolder", json!(folder));
        }
        let body = json!({
            "RoomId": request.room,
            "RecordInputParams": {
                "RecordMode": 2,
                "StreamType": if request.audio_only { 1 } else { 3 },
                "MaxIdleTime": o.max_idle_time_secs,
                "MixConfig": mix,
            },
            "RecordOutputParams": output,
            "StorageParams": storage_params,
        });
        let unknown = |reason: String| {
            let room = request.room.clone();
            outcome_unknown(V, reason, RecordingRecovery::Zego { room })
        };
        let data = match self.record("StartRecord", &body, OP).await {
            Ok(d) => d,
            Err((e, true)) => return Err(unknown(e.to_string())),
            Err((e, false)) => return Err(e),
        };
        let task_id = data
            .get("TaskId")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unknown("the answer has no Data.TaskId".into()))?
            .to_owned();
        let handle = RecordingHandle::Zego {
            task_id,
            room: request.room.clone(),
        };
        let recording = recording_id(V, OP, handle).map_err(|e| unknown(e.to_string()))?;
        let rec = Recording {
            recording,
            room: request.room.clone(),
            status: RecordingStatus::Starting,
            output_uri: request.output_uri.clone(),
        };
        self.base.remember(request, &rec);
        Ok(rec)
    }

    /// Cloud Recording `StopRecord` (files upload after stop). Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's id; API and transport errors.
    pub async fn stop_recording(&self, recording: &RecordingId) -> RemoteResult<Recording> {
        let RecordingHandle::Zego { task_id, room } = own_handle(V, recording)? else {
            return Err(RemoteError::InvalidRequest {
                vendor: V,
                field: "recording",
                reason: "not a ZEGO recording id".into(),
            });
        };
        self.record(
            "StopRecord",
            &json!({ "TaskId": task_id }),
            "recording.stop",
        )
        .await
        .map_err(|(e, _)| e)?;
        Ok(Recording {
            recording: recording.clone(),
            room: room.clone(),
            status: RecordingStatus::Stopping,
            output_uri: None,
        })
    }
}

super::service::forward_room_service!(ZegoClient);

fn room(name: &str, count: Option<u32>, origin: Origin) -> Room {
    Room {
        vendor: V,
        room: name.to_owned(),
        name: name.to_owned(),
        max_participants: None,
        created_at: None,
        num_participants: count,
        metadata: None,
        origin,
    }
}

fn data_of(answer: &Answer, operation: &'static str) -> RemoteResult<Value> {
    let v: Value = serde_json::from_slice(&answer.body).map_err(|e| RemoteError::Decode {
        vendor: V,
        operation,
        message: e.to_string(),
    })?;
    Ok(v.get("Data").cloned().unwrap_or(Value::Null))
}

/// ZEGO answers HTTP 200 with `{Code, Message, RequestId, Data}`; success is `Code == 0`.
fn check(a: &Answer, operation: &'static str) -> Option<RemoteError> {
    if !(200..300).contains(&a.status) {
        return Some(error_answer(V, a, None, a.text_snippet()));
    }
    let Some(v) = a.json() else {
        return Some(RemoteError::Decode {
            vendor: V,
            operation,
            message: format!("the answer is not JSON: {}", a.text_snippet()),
        });
    };
    let code = match v.get("Code") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Some(RemoteError::Decode {
                vendor: V,
                operation,
                message: "the answer has no `Code`".into(),
            });
        }
    };
    if code == "0" {
        return None;
    }
    let message = v
        .get("Message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    // Gateway codes: signature expired/invalid/missing, unknown app or secret.
    if matches!(
        code.as_str(),
        "100000004" | "100000005" | "100000008" | "100000009" | "100000010" | "100000011"
    ) {
        return Some(RemoteError::Auth {
            vendor: V,
            status: a.status,
            code: Some(code),
            message,
        });
    }
    Some(RemoteError::Api {
        vendor: V,
        status: a.status,
        code: Some(code),
        message,
        request_id: v
            .get("RequestId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| a.request_id.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_signature_vector() {
        let secret = Secret::new("00112233445566778899aabbccddeeff");
        assert_eq!(
            signature(1_234_567_890, "0123456789abcdef", &secret, 1_700_000_000),
            "408599f97774ba146aa777f429d0514c"
        );
    }
}
