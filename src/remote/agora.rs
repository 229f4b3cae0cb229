//! Agora: the RESTful API (channel queries, kicking rules) and Cloud Recording, with HTTP Basic
//! auth (Customer ID / Customer Secret).

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::{Value, json};

use super::capabilities::{Capabilities, capabilities};
use super::client::{
    ClientBase, check_recording_start, client_setters, error_answer, key_digest, outcome_unknown,
    own_handle, recording_id, refuse_room_settings, require_name, set_json,
};
use super::error::{RemoteError, RemoteResult};
use super::http::{Answer, Call, Failure, join, parse_base_url, segment};
use super::{
    CreateRoomRequest, Origin, Page, PageRequest, Participant, Recording, RecordingHandle,
    RecordingId, RecordingRecovery, RecordingRequest, RecordingStatus, Room,
};
use crate::Vendor;
use crate::secret::Secret;

const V: Vendor = Vendor::Agora;

/// Storage extension parameters (`storageConfig.extensionParams`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgoraStorageExtension {
    /// Server-side encryption (`sse`, e.g. `aws:kms`).
    pub sse: Option<String>,
    /// Object tag (`tag`).
    pub tag: Option<String>,
    /// The endpoint (`endpoint`): required for vendor 11 (S3-compatible storage).
    pub endpoint: Option<String>,
}

/// Where Agora Cloud Recording uploads files (`storageConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgoraStorage {
    /// Storage vendor: 1 Amazon S3, 2 Alibaba Cloud, 3 Tencent Cloud, 5 Microsoft Azure,
    /// 6 Google Cloud, 7 Huawei Cloud, 8 Baidu AI Cloud, 11 S3-compatible (needs an endpoint).
    pub vendor: u32,
    /// The vendor-specific region number.
    pub region: u32,
    /// Bucket name.
    pub bucket: String,
    /// Access key.
    pub access_key: String,
    /// Secret key (never printed).
    pub secret_key: Secret,
    /// Extension parameters (encryption, tag, endpoint).
    pub extension: AgoraStorageExtension,
}

impl AgoraStorage {
    /// Storage settings.
    #[must_use]
    pub fn new(
        vendor: u32,
        region: u32,
        bucket: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<Secret>,
    ) -> Self {
        AgoraStorage {
            vendor,
            region,
            bucket: bucket.into(),
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            extension: AgoraStorageExtension::default(),
        }
    }

    /// Sets the endpoint (`extensionParams.endpoint`, required for vendor 11).
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.extension.endpoint = Some(endpoint.into());
        self
    }

    /// Sets the extension parameters.
    #[must_use]
    pub fn extension(mut self, extension: AgoraStorageExtension) -> Self {
        self.extension = extension;
        self
    }
}

/// Which streams Agora records (`recordingConfig.streamTypes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgoraStreamTypes {
    /// Audio only (0).
    Audio,
    /// Video only (1).
    Video,
    /// Audio and video (2, the default).
    #[default]
    AudioAndVideo,
}

/// The mixed video (`recordingConfig.transcodingConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AgoraVideoProfile {
    /// Width, pixels (default 640).
    pub width: u32,
    /// Height, pixels (default 360).
    pub height: u32,
    /// Frames per second (default 15).
    pub fps: u32,
    /// Bitrate, kbps (default 500).
    pub bitrate: u32,
}

impl Default for AgoraVideoProfile {
    fn default() -> Self {
        AgoraVideoProfile {
            width: 640,
            height: 360,
            fps: 15,
            bitrate: 500,
        }
    }
}

impl AgoraVideoProfile {
    /// A profile.
    #[must_use]
    pub fn new(width: u32, height: u32, fps: u32, bitrate: u32) -> Self {
        AgoraVideoProfile {
            width,
            height,
            fps,
            bitrate,
        }
    }
}

/// Cloud Recording settings of an [`AgoraClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgoraRecordingConfig {
    /// Where files go.
    pub storage: AgoraStorage,
    /// The recorder's uid (a 32-bit integer no real user has). `None`: derived from the room
    /// and the idempotency key when there is one, else random.
    pub recorder_uid: Option<u32>,
    /// An RTC token for the recorder uid, needed when the app certificate is enabled (it must
    /// be minted for `recorder_uid`, which must then be set).
    pub recorder_token: Option<Secret>,
    /// The app certificate, to mint the recorder's RTC token for each recording (channel and
    /// recorder uid, subscriber role, 24 h) when no `recorder_token` is given. Never sent.
    pub recorder_certificate: Option<Secret>,
    /// Channel profile: `false` communication (0), `true` live broadcasting (1).
    pub live_channel: bool,
    /// Seconds with nobody in the channel after which Agora stops the recording
    /// (`maxIdleTime`, 5–259200; default 30).
    pub max_idle_time_secs: u32,
    /// The streams recorded (default audio and video). [`RecordingRequest::audio_only`]
    /// selects audio for one recording.
    pub stream_types: AgoraStreamTypes,
    /// The mixed video (default 640×360, 15 fps, 500 kbps).
    pub video: AgoraVideoProfile,
}

impl AgoraRecordingConfig {
    /// Recording into `storage`, communication profile, uid chosen per recording, today's
    /// defaults (30 s max idle time, audio and video, 640×360 at 15 fps and 500 kbps).
    #[must_use]
    pub fn new(storage: AgoraStorage) -> Self {
        AgoraRecordingConfig {
            storage,
            recorder_uid: None,
            recorder_token: None,
            recorder_certificate: None,
            live_channel: false,
            max_idle_time_secs: 30,
            stream_types: AgoraStreamTypes::default(),
            video: AgoraVideoProfile::default(),
        }
    }

    /// Fixes the recorder uid (and the token minted for it, if the channel needs one).
    #[must_use]
    pub fn recorder(mut self, uid: u32, token: Option<Secret>) -> Self {
        self.recorder_uid = Some(uid);
        self.recorder_token = token;
        self
    }

    /// Mints the recorder's RTC token with this app certificate for each recording (for apps
    /// whose certificate is enabled), so the recorder uid may stay derived or random.
    #[must_use]
    pub fn recorder_certificate(mut self, certificate: impl Into<Secret>) -> Self {
        self.recorder_certificate = Some(certificate.into());
        self
    }

    /// Selects the live-broadcasting channel profile.
    #[must_use]
    pub fn live_channel(mut self, live: bool) -> Self {
        self.live_channel = live;
        self
    }

    /// Sets the max idle time, seconds (5–259200).
    #[must_use]
    pub fn max_idle_time_secs(mut self, secs: u32) -> Self {
        self.max_idle_time_secs = secs;
        self
    }

    /// Sets the streams recorded.
    #[must_use]
    pub fn stream_types(mut self, types: AgoraStreamTypes) -> Self {
        self.stream_types = types;
        self
    }

    /// Sets the mixed video profile.
    #[must_use]
    pub fn video(mut self, video: AgoraVideoProfile) -> Self {
        self.video = video;
        self
    }
}

/// An Agora RESTful API and Cloud Recording client.
pub struct AgoraClient {
    base: ClientBase,
    url: String,
    recording_url: String,
    app_id: String,
    customer_id: String,
    customer_secret: Secret,
    recording: Option<AgoraRecordingConfig>,
}

impl std::fmt::Debug for AgoraClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgoraClient")
            .field("url", &self.url)
            .field("recording_url", &self.recording_url)
            .field("app_id", &self.app_id)
            .field("customer_id", &self.customer_id)
            .field("customer_secret", &self.customer_secret)
            .field("recording", &self.recording)
            .finish_non_exhaustive()
    }
}

client_setters!(AgoraClient, random: "recorder uids, retry jitter");

impl AgoraClient {
    /// The vendor.
    pub const VENDOR: Vendor = V;

    /// A client for `base_url` (`https://api.agora.io`; Cloud Recording uses the same host
    /// unless [`AgoraClient::with_recording_base_url`] says otherwise, e.g.
    /// `https://api.sd-rtn.com`), the App ID, and the RESTful Customer ID / Secret.
    ///
    /// # Errors
    /// [`RemoteError::Config`] for a bad URL or empty credentials.
    pub fn new(
        base_url: &str,
        app_id: impl Into<String>,
        customer_id: impl Into<String>,
        customer_secret: impl Into<Secret>,
    ) -> RemoteResult<Self> {
        let url = parse_base_url(V, base_url)?;
        let app_id = app_id.into();
        let customer_id = customer_id.into();
        let customer_secret = customer_secret.into();
        if app_id.is_empty() || customer_id.is_empty() || customer_secret.is_empty() {
            return Err(RemoteError::Config {
                vendor: V,
                reason: "app id, customer id and customer secret must not be empty (Console → RESTful API)".into(),
            });
        }
        Ok(AgoraClient {
            base: ClientBase::new(V)?,
            recording_url: url.clone(),
            url,
            app_id,
            customer_id,
            customer_secret,
            recording: None,
        })
    }

    /// Sets the Cloud Recording host.
    ///
    /// # Errors
    /// [`RemoteError::Config`] for a bad URL.
    pub fn with_recording_base_url(mut self, base_url: &str) -> RemoteResult<Self> {
        self.recording_url = parse_base_url(V, base_url)?;
        Ok(self)
    }

    /// Enables recording with these settings.
    #[must_use]
    pub fn with_recording(mut self, config: AgoraRecordingConfig) -> Self {
        self.recording = Some(config);
        self
    }

    /// This client's capability table.
    #[must_use]
    pub fn capabilities(&self) -> Capabilities {
        capabilities(V)
    }

    fn auth(&self) -> RemoteResult<HeaderValue> {
        let raw = zeroize::Zeroizing::new(format!(
            "{}:{}",
            self.customer_id,
            self.customer_secret.expose()
        ));
        let encoded = zeroize::Zeroizing::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
        ));
        let mut value =
            HeaderValue::try_from(encoded.as_str()).map_err(|_| RemoteError::Config {
                vendor: V,
                reason: "the customer id cannot be sent in a header".into(),
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn request(
        &self,
        method: Method,
        base: &str,
        path: &str,
        body: Option<&Value>,
        idempotent: bool,
        operation: &'static str,
    ) -> RemoteResult<Call> {
        let url = join(V, base, path)?;
        let mut call = Call::new(method, url, operation)
            .header(AUTHORIZATION, self.auth()?)
            .idempotent(idempotent);
        if let Some(body) = body {
            call = call.json(body);
        }
        Ok(call)
    }

    async fn call(
        &self,
        method: Method,
        base: &str,
        path: &str,
        body: Option<Value>,
        idempotent: bool,
        operation: &'static str,
    ) -> RemoteResult<Value> {
        let call = self.request(method, base, path, body.as_ref(), idempotent, operation)?;
        let answer = self.base.http.send(&call, check).await?;
        json_of(&answer, operation)
    }

    fn app(&self) -> String {
        segment(&self.app_id)
    }

    /// No network call: Agora has no channel-creation API (a channel exists while someone is
    /// in it). Returns a [`Origin::Synthesized`] record; settings the vendor cannot hold are
    /// refused.
    ///
    /// # Errors
    /// [`RemoteError::Unsupported`] for `max_participants`, `empty_timeout_secs` or
    /// `metadata`; [`RemoteError::InvalidRequest`] for a bad channel name.
    pub async fn create_room(&self, request: &CreateRoomRequest) -> RemoteResult<Room> {
        check_channel(&request.name)?;
        refuse_room_settings(V, "Agora channels", request)?;
        Ok(Room {
            vendor: V,
            room: request.name.clone(),
            name: request.name.clone(),
            max_participants: None,
            created_at: None,
            num_participants: None,
            metadata: None,
            origin: Origin::Synthesized,
        })
    }

    async fn user_list(&self, channel: &str, op: &'static str) -> RemoteResult<Value> {
        let path = format!("/dev/v1/channel/user/{}/{}", self.app(), segment(channel));
        let v = self
            .call(Method::GET, &self.url, &path, None, true, op)
            .await?;
        Ok(v.get("data").cloned().unwrap_or(Value::Null))
    }

    /// Channel presence (`GET /dev/v1/channel/user/{appid}/{cname}`): a
    /// [`Origin::Derived`] record with the user count; [`RemoteError::NotFound`] when nobody is
    /// in the channel.
    ///
    /// # Errors
    /// As above, plus API and transport errors.
    pub async fn get_room(&self, name: &str) -> RemoteResult<Room> {
        check_channel(name)?;
        let data = self.user_list(name, "room.get").await?;
        if data.get("channel_exist").and_then(Value::as_bool) != Some(true) {
            return Err(RemoteError::NotFound {
                vendor: V,
                what: "room",
                id: name.to_owned(),
            });
        }
        let count = Users::of(&data).total();
        Ok(Room {
            vendor: V,
            room: name.to_owned(),
            name: name.to_owned(),
            max_participants: None,
            created_at: None,
            num_participants: u32::try_from(count).ok(),
            metadata: None,
            origin: Origin::Derived,
        })
    }

    /// Online channels (`GET /dev/v1/channel/{appid}`); the cursor is the 0-based page number,
    /// the limit the page size (1–500, default 100). Agora warns that paging is unstable while
    /// counts change.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for a bad cursor; API and transport errors.
    pub async fn list_rooms(&self, page: &PageRequest) -> RemoteResult<Page<Room>> {
        let page_no: u64 = parse_cursor(page.cursor.as_deref())?;
        let size = u64::from(page.limit.unwrap_or(100).clamp(1, 500));
        let path = format!(
            "/dev/v1/channel/{}?page_no={page_no}&page_size={size}",
            self.app()
        );
        let v = self
            .call(Method::GET, &self.url, &path, None, true, "room.list")
            .await?;
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let items: Vec<Room> = data
            .get("channels")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        let name = c.get("channel_name")?.as_str()?.to_owned();
                        Some(Room {
                            vendor: V,
                            room: name.clone(),
                            name,
                            max_participants: None,
                            created_at: None,
                            num_participants: c
                                .get("user_count")
                                .and_then(Value::as_u64)
                                .and_then(|n| u32::try_from(n).ok()),
                            metadata: None,
                            origin: Origin::Vendor,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total = data.get("total_size").and_then(Value::as_u64).unwrap_or(0);
        let next_cursor = (page_no.saturating_add(1).saturating_mul(size) < total)
            .then(|| (page_no + 1).to_string());
        let mut page = Page::new(items, next_cursor);
        page.total = Some(total);
        Ok(page)
    }

    async fn kicking_rule(&self, body: Value, op: &'static str) -> RemoteResult<()> {
        let v = self
            .call(
                Method::POST,
                &self.url,
                "/dev/v1/kicking-rule",
                Some(body),
                false,
                op,
            )
            .await?;
        match v.get("status").and_then(Value::as_str) {
            Some("success") => Ok(()),
            _ => Err(RemoteError::Decode {
                vendor: V,
                operation: op,
                message: "kicking rule answer without status \"success\"".into(),
            }),
        }
    }

    /// Evicts everyone: a kicking rule `{cname, privileges:["join_channel"], time:0}`. **Not a
    /// true delete**: users may rejoin at once. Not retried.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn delete_room(&self, name: &str) -> RemoteResult<()> {
        check_channel(name)?;
        self.kicking_rule(
            json!({"appid": self.app_id, "cname": name, "privileges": ["join_channel"], "time": 0}),
            "room.delete",
        )
        .await
    }

    /// Users in a channel (numeric uids as decimal strings; in live mode, hosts then audience
    /// with their role). Agora returns the whole list at once; this pages it by position (the
    /// cursor is the offset of the next item, the limit defaults to all). In live mode Agora
    /// lists at most 10,000 audience members: [`Page::truncated`] says when it left some out,
    /// and [`Page::total`] is `audience_total` plus the hosts.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for a bad cursor; API and transport errors.
    pub async fn list_participants(
        &self,
        room: &str,
        page: &PageRequest,
    ) -> RemoteResult<Page<Participant>> {
        check_channel(room)?;
        let offset = usize::try_from(parse_cursor(page.cursor.as_deref())?).unwrap_or(usize::MAX);
        let data = self.user_list(room, "participant.list").await?;
        let users = Users::of(&data);
        let total = users.total();
        let truncated = users.truncated();
        let all = users.into_participants();
        let limit = page.limit.map_or(usize::MAX, |l| l.max(1) as usize);
        let end = offset.saturating_add(limit).min(all.len());
        let items: Vec<Participant> = all.get(offset..end).map(<[_]>::to_vec).unwrap_or_default();
        let next_cursor = (end < all.len()).then(|| end.to_string());
        let mut out = Page::new(items, next_cursor);
        out.total = Some(total);
        out.truncated = truncated;
        Ok(out)
    }

    /// Kicks a user: a kicking rule `{cname, uid, privileges:["join_channel"], time:0}`.
    /// `identity` must be the numeric uid (users who joined with a string account appear under
    /// their Agora-assigned uid in [`AgoraClient::list_participants`]). Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for a non-numeric or zero uid; API and transport errors.
    pub async fn kick_participant(&self, room: &str, identity: &str) -> RemoteResult<()> {
        check_channel(room)?;
        let uid: u32 = identity.parse().ok().filter(|u| *u != 0).ok_or_else(|| {
            RemoteError::InvalidRequest {
                vendor: V,
                field: "identity",
                reason: "Agora kicks by numeric uid (1..=4294967295); string user accounts cannot be kicked through REST".into(),
            }
        })?;
        self.kicking_rule(
            json!({"appid": self.app_id, "cname": room, "uid": uid, "privileges": ["join_channel"], "time": 0}),
            "participant.kick",
        )
        .await
    }

    fn recorder_uid(&self, config: &AgoraRecordingConfig, request: &RecordingRequest) -> u32 {
        if let Some(uid) = config.recorder_uid {
            return uid;
        }
        // Keep clear of small uids that apps hand out; never 0.
        let raw = match request.idempotency_key.as_deref() {
            Some(key) => {
                let digest = key_digest(&[&request.room, key]);
                let mut b = [0u8; 4];
                for (dst, src) in b.iter_mut().zip(digest.iter()) {
                    *dst = *src;
                }
                u32::from_be_bytes(b)
            }
            None => self.base.random().next_u32(),
        };
        1_000_000_000 + raw % 3_000_000_000
    }

    fn recording_path(&self) -> String {
        format!("/v1/apps/{}/cloud_recording", self.app())
    }

    /// The recorder's RTC token: the configured one, or one minted with the certificate.
    fn recorder_token(
        &self,
        config: &AgoraRecordingConfig,
        channel: &str,
        uid: u32,
    ) -> RemoteResult<Option<Secret>> {
        if let Some(t) = &config.recorder_token {
            return Ok(Some(t.clone()));
        }
        let Some(cert) = &config.recorder_certificate else {
            return Ok(None);
        };
        let day = std::time::Duration::from_secs(86_400);
        let minter =
            crate::agora::AgoraMinter::new(self.app_id.clone(), cert.clone()).map_err(|e| {
                RemoteError::Config {
                    vendor: V,
                    reason: format!("cannot mint the recorder token: {e}").into(),
                }
            })?;
        let token =
            minter.rtc_token_with_uid(channel, uid, crate::agora::RtcRole::Subscriber, day, day)?;
        Ok(Some(Secret::new(token.token)))
    }

    fn client_request(
        config: &AgoraRecordingConfig,
        request: &RecordingRequest,
        layout: u8,
        prefix: Vec<String>,
        token: Option<&Secret>,
    ) -> RemoteResult<Value> {
        let streams = match (request.audio_only, config.stream_types) {
            (true, AgoraStreamTypes::Video) => {
                return Err(RemoteError::InvalidRequest {
                    vendor: V,
                    field: "audio_only",
                    reason: "the client records video only (AgoraRecordingConfig::stream_types); audio_only contradicts it".into(),
                });
            }
            (true, _) | (false, AgoraStreamTypes::Audio) => AgoraStreamTypes::Audio,
            (false, other) => other,
        };
        if !(5..=259_200).contains(&config.max_idle_time_secs) {
            return Err(RemoteError::InvalidRequest {
                vendor: V,
                field: "max_idle_time_secs",
                reason: "Agora accepts a max idle time from 5 to 259200 seconds".into(),
            });
        }
        let storage = &config.storage;
        if storage.vendor == 11 && storage.extension.endpoint.is_none() {
            return Err(RemoteError::Config {
                vendor: V,
                reason: "storage vendor 11 (S3-compatible) needs an endpoint: AgoraStorage::endpoint(..)".into(),
            });
        }
        let (stream_types, audio, video) = match streams {
            AgoraStreamTypes::Audio => (0, true, false),
            AgoraStreamTypes::Video => (1, false, true),
            AgoraStreamTypes::AudioAndVideo => (2, true, true),
        };
        let v = config.video;
        let mut recording_config = json!({
            "channelType": u8::from(config.live_channel),
            "streamTypes": stream_types,
            "maxIdleTime": config.max_idle_time_secs,
            "transcodingConfig": {"width": v.width, "height": v.height, "fps": v.fps, "bitrate": v.bitrate, "mixedVideoLayout": layout},
        });
        if audio {
            set_json(
                Some(&mut recording_config),
                "subscribeAudioUids",
                json!(["#allstream#"]),
            );
        }
        if video {
            set_json(
                Some(&mut recording_config),
                "subscribeVideoUids",
                json!(["#allstream#"]),
            );
        }
        let mut storage_config = json!({
            "vendor": storage.vendor,
            "region": storage.region,
            "bucket": storage.bucket,
            "accessKey": storage.access_key,
            "secretKey": storage.secret_key.expose(),
            "fileNamePrefix": prefix,
        });
        let ext = &storage.extension;
        if ext.sse.is_some() || ext.tag.is_some() || ext.endpoint.is_some() {
            let mut params = json!({});
            for (k, val) in [
                ("sse", &ext.sse),
                ("tag", &ext.tag),
                ("endpoint", &ext.endpoint),
            ] {
                if let Some(val) = val {
                    set_json(Some(&mut params), k, json!(val));
                }
            }
            set_json(Some(&mut storage_config), "extensionParams", params);
        }
        let mut client_request = json!({
            "recordingConfig": recording_config,
            "recordingFileConfig": {"avFileType": if video { json!(["hls", "mp4"]) } else { json!(["hls"]) }},
            "storageConfig": storage_config,
        });
        if let Some(token) = token {
            set_json(Some(&mut client_request), "token", json!(token.expose()));
        }
        Ok(client_request)
    }

    /// Cloud Recording `acquire` + `start` in `mix` mode (composite), with the settings of
    /// [`AgoraClient::with_recording`].
    ///
    /// No start leaves a recording the caller cannot stop:
    /// - `acquire` is retried (it starts nothing). `start` is retried on timeouts, resets, 5xx,
    ///   429 and code 65 with the **same** resource id: a resource id serves one session, so a
    ///   retry cannot start a second one (Agora answers code 7).
    /// - Code 7 after an attempt without an answer means that attempt started the session;
    ///   code 53 means a session of this channel with this recorder uid is already running. In
    ///   both cases the session Agora names in the error (its `resourceId` and `sid`) is queried
    ///   and returned as a stoppable [`Recording`].
    /// - Otherwise, when the outcome cannot be known, the error is
    ///   [`RemoteError::OutcomeUnknown`] with the channel, recorder uid, mode, resource id and
    ///   (when known) sid: query or stop with those, or repeat the start with the same key.
    ///
    /// **Repeated start with the same idempotency key**: the key fixes the recorder uid (from
    /// the room and the key), so from this process or another Agora refuses a second instance
    /// with code 53 and rtcmint returns the running one when Agora names it (else
    /// `OutcomeUnknown`); this client also remembers recent keys and answers from memory.
    ///
    /// # Errors
    /// [`RemoteError::Config`] without [`AgoraClient::with_recording`];
    /// [`RemoteError::Unsupported`] for metadata; [`RemoteError::InvalidRequest`] for an
    /// unknown layout, a bad output path or contradictory settings;
    /// [`RemoteError::OutcomeUnknown`]; API (`{code, reason}`) and transport errors.
    pub async fn start_recording(&self, request: &RecordingRequest) -> RemoteResult<Recording> {
        const OP: &str = "recording.start";
        check_channel(&request.room)?;
        check_recording_start(V, request)?;
        let config = self.recording.as_ref().ok_or_else(|| RemoteError::Config {
            vendor: V,
            reason: "recording needs storage settings: call with_recording(AgoraRecordingConfig::new(..))".into(),
        })?;
        if let Some(done) = self.base.remembered(request) {
            return Ok(done);
        }
        let layout = match request.layout.as_deref().unwrap_or("grid") {
            "float" | "speaker" => 0,
            "grid" | "best-fit" => 1,
            "vertical" => 2,
            other => {
                return Err(RemoteError::InvalidRequest {
                    vendor: V,
                    field: "layout",
                    reason: format!(
                        "Agora knows grid, speaker (float) and vertical, not {other:?}"
                    )
                    .into(),
                });
            }
        };
        let prefix = file_prefix(request.output_uri.as_deref())?;
        let uid_number = self.recorder_uid(config, request);
        let token = self.recorder_token(config, &request.room, uid_number)?;
        let client_request = Self::client_request(config, request, layout, prefix, token.as_ref())?;
        let uid = uid_number.to_string();
        let base = self.recording_path();
        let acquired = self
            .call(
                Method::POST,
                &self.recording_url,
                &format!("{base}/acquire"),
                Some(json!({"cname": request.room, "uid": uid, "clientRequest": {"scene": 0, "resourceExpiredHour": 24}})),
                true,
                "recording.start(acquire)",
            )
            .await?;
        let resource_id = str_field(&acquired, "resourceId", "recording.start(acquire)")?;
        let recovery = |sid: Option<String>, rid: &str| RecordingRecovery::Agora {
            cname: request.room.clone(),
            uid: uid.clone(),
            mode: "mix".into(),
            resource_id: rid.to_owned(),
            sid,
        };
        let unknown = |reason: String, sid: Option<String>, rid: &str| {
            outcome_unknown(V, reason, recovery(sid, rid))
        };
        let body = json!({"cname": request.room, "uid": uid, "clientRequest": client_request});
        let call = self.request(
            Method::POST,
            &self.recording_url,
            &format!("{base}/resourceid/{}/mode/mix/start", segment(&resource_id)),
            Some(&body),
            true,
            OP,
        )?;
        // Codes 7 and 53 say a session runs: read the answer for its ids instead of failing.
        let running = |a: &Answer| matches!(agora_code(a).as_deref(), Some("7" | "53"));
        let sent = self
            .base
            .http
            .send_tracked(&call, |a| if running(a) { None } else { check(a) })
            .await;
        let answer = match sent {
            Ok(a) => a,
            Err(Failure {
                error,
                uncertain: true,
            }) => return Err(unknown(error.to_string(), None, &resource_id)),
            Err(f) => return Err(f.error),
        };
        let handle = |rid: String, sid: String| RecordingHandle::Agora {
            resource_id: rid,
            sid,
            mode: "mix".into(),
            cname: request.room.clone(),
            uid: uid.clone(),
        };
        let rec = if running(&answer) {
            let code = agora_code(&answer).unwrap_or_default();
            let v = answer.json().unwrap_or(Value::Null);
            let named = |k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let rid = named("resourceId").unwrap_or_else(|| resource_id.clone());
            let what = if code == "7" {
                "Agora says the session already runs on this resource id (code 7): an earlier attempt started it"
            } else {
                "Agora says a recording of this channel by this recorder uid already runs (code 53)"
            };
            let Some(sid) = named("sid") else {
                return Err(unknown(
                    format!("{what}, but did not name its sid"),
                    None,
                    &rid,
                ));
            };
            let id = recording_id(V, OP, handle(rid.clone(), sid.clone()))
                .map_err(|e| unknown(e.to_string(), None, &rid))?;
            match self.get_recording(&id).await {
                Ok(mut found) => {
                    found.output_uri.clone_from(&request.output_uri);
                    found
                }
                Err(e) => {
                    return Err(unknown(
                        format!("{what}; querying session {sid} failed: {e}"),
                        Some(sid),
                        &rid,
                    ));
                }
            }
        } else {
            let v = json_of(&answer, OP).map_err(|e| unknown(e.to_string(), None, &resource_id))?;
            let sid =
                str_field(&v, "sid", OP).map_err(|e| unknown(e.to_string(), None, &resource_id))?;
            let id = recording_id(V, OP, handle(resource_id.clone(), sid.clone()))
                .map_err(|e| unknown(e.to_string(), Some(sid), &resource_id))?;
            Recording {
                recording: id,
                room: request.room.clone(),
                status: RecordingStatus::Starting,
                output_uri: request.output_uri.clone(),
            }
        };
        self.base.remember(request, &rec);
        Ok(rec)
    }

    fn session_path(
        &self,
        handle: &RecordingHandle,
        action: &str,
    ) -> RemoteResult<(String, Value)> {
        let RecordingHandle::Agora {
            resource_id,
            sid,
            mode,
            cname,
            uid,
        } = handle
        else {
            return Err(RemoteError::InvalidRequest {
                vendor: V,
                field: "recording",
                reason: "not an Agora recording id".into(),
            });
        };
        let path = format!(
            "{}/resourceid/{}/sid/{}/mode/{}/{action}",
            self.recording_path(),
            segment(resource_id),
            segment(sid),
            segment(mode)
        );
        Ok((path, json!({"cname": cname, "uid": uid})))
    }

    /// Cloud Recording `query`: the session's state (`serverResponse.status`: 0–4 starting,
    /// 5 recording, 6 stopping, 7/8 complete, 20 failed).
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's id; HTTP 404 when the session is
    /// not running (also during up to ~90 s of Agora failover); API and transport errors.
    pub async fn get_recording(&self, recording: &RecordingId) -> RemoteResult<Recording> {
        const OP: &str = "recording.get";
        let handle = own_handle(V, recording)?;
        let (path, _) = self.session_path(handle, "query")?;
        let v = self
            .call(Method::GET, &self.recording_url, &path, None, true, OP)
            .await?;
        let server = v.get("serverResponse").cloned().unwrap_or(Value::Null);
        let status = match server.get("status").and_then(Value::as_u64) {
            Some(0..=4) => RecordingStatus::Starting,
            Some(5) => RecordingStatus::Active,
            Some(6) => RecordingStatus::Stopping,
            Some(7 | 8) => RecordingStatus::Complete,
            Some(20) => RecordingStatus::Failed,
            other => RecordingStatus::Unknown(format!("{other:?}")),
        };
        Ok(Recording {
            recording: recording.clone(),
            room: handle.room().unwrap_or_default().to_owned(),
            status,
            output_uri: first_file(server.get("fileList")),
        })
    }

    /// Cloud Recording `stop`. Code 435 (nobody published) gives
    /// [`RecordingStatus::NothingRecorded`] rather than an error. Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's id; HTTP 404 when the session
    /// is not running; API and transport errors.
    pub async fn stop_recording(&self, recording: &RecordingId) -> RemoteResult<Recording> {
        let handle = own_handle(V, recording)?;
        let (path, mut body) = self.session_path(handle, "stop")?;
        set_json(
            Some(&mut body),
            "clientRequest",
            json!({"async_stop": false}),
        );
        let mut rec = Recording {
            recording: recording.clone(),
            room: handle.room().unwrap_or_default().to_owned(),
            status: RecordingStatus::Complete,
            output_uri: None,
        };
        match self
            .call(
                Method::POST,
                &self.recording_url,
                &path,
                Some(body),
                false,
                "recording.stop",
            )
            .await
        {
            Ok(v) => {
                let server = v.get("serverResponse").cloned().unwrap_or(Value::Null);
                rec.output_uri = first_file(server.get("fileList"));
                if server.get("uploadingStatus").and_then(Value::as_str) == Some("backuped") {
                    // Uploaded to Agora's backup storage; it moves to the bucket later.
                    rec.status = RecordingStatus::Stopping;
                }
                Ok(rec)
            }
            Err(e) if e.code() == Some("435") => {
                rec.status = RecordingStatus::NothingRecorded;
                Ok(rec)
            }
            Err(e) => Err(e),
        }
    }
}

super::service::forward_room_service!(AgoraClient);

fn check_channel(name: &str) -> RemoteResult<()> {
    require_name(V, "room", name)?;
    if name.len() > 64 {
        return Err(RemoteError::InvalidRequest {
            vendor: V,
            field: "room",
            reason: "Agora channel names are at most 64 bytes".into(),
        });
    }
    Ok(())
}

fn parse_cursor(cursor: Option<&str>) -> RemoteResult<u64> {
    match cursor {
        None => Ok(0),
        Some(c) => c.parse().map_err(|_| RemoteError::InvalidRequest {
            vendor: V,
            field: "cursor",
            reason: "an Agora cursor is a page number; pass the next_cursor of the previous page"
                .into(),
        }),
    }
}

fn file_prefix(uri: Option<&str>) -> RemoteResult<Vec<String>> {
    let parts: Vec<String> = uri
        .unwrap_or("")
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if parts
        .iter()
        .any(|p| !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(RemoteError::InvalidRequest {
            vendor: V,
            field: "output_uri",
            reason: "Agora fileNamePrefix directories may contain only letters and digits (e.g. \"recordings/2026\")".into(),
        });
    }
    Ok(parts)
}

fn str_field(v: &Value, field: &str, operation: &'static str) -> RemoteResult<String> {
    v.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| RemoteError::Decode {
            vendor: V,
            operation,
            message: format!("the answer has no `{field}`"),
        })
}

fn first_file(list: Option<&Value>) -> Option<String> {
    match list? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(files) => files
            .iter()
            .find_map(|f| f.get("fileName").and_then(Value::as_str).map(str::to_owned)),
        _ => None,
    }
}

/// The answer of the channel user list.
struct Users {
    live: bool,
    hosts: Vec<String>,
    audience: Vec<String>,
    audience_total: Option<u64>,
    total: Option<u64>,
}

impl Users {
    fn of(data: &Value) -> Self {
        let uids = |key: &str| -> Vec<String> {
            data.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|u| match u {
                            Value::Number(n) => Some(n.to_string()),
                            Value::String(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let live = data.get("mode").and_then(Value::as_u64) == Some(2);
        Users {
            live,
            hosts: uids(if live { "broadcasters" } else { "users" }),
            audience: if live { uids("audience") } else { Vec::new() },
            audience_total: data.get("audience_total").and_then(Value::as_u64),
            total: data.get("total").and_then(Value::as_u64),
        }
    }

    /// Everyone in the channel, counting the audience members the list leaves out.
    fn total(&self) -> u64 {
        let listed = (self.hosts.len() + self.audience.len()) as u64;
        match (self.live, self.audience_total, self.total) {
            (true, Some(a), _) => (self.hosts.len() as u64).saturating_add(a).max(listed),
            (_, _, Some(t)) => t.max(listed),
            _ => listed,
        }
    }

    /// Whether the list leaves some audience members out (Agora lists at most 10,000).
    fn truncated(&self) -> bool {
        self.total() > (self.hosts.len() + self.audience.len()) as u64
    }

    fn into_participants(self) -> Vec<Participant> {
        let person = |identity: String, role: Option<&str>| Participant {
            identity,
            display_name: None,
            joined_at: None,
            role: role.map(str::to_owned),
        };
        let host_role = self.live.then_some("host");
        let mut out: Vec<Participant> = self
            .hosts
            .into_iter()
            .map(|u| person(u, host_role))
            .collect();
        out.extend(
            self.audience
                .into_iter()
                .map(|u| person(u, Some("audience"))),
        );
        out
    }
}

fn json_of(answer: &Answer, operation: &'static str) -> RemoteResult<Value> {
    serde_json::from_slice(&answer.body).map_err(|e| RemoteError::Decode {
        vendor: V,
        operation,
        message: e.to_string(),
    })
}

/// The `code` of a `{code, reason}` error answer.
fn agora_code(a: &Answer) -> Option<String> {
    if (200..300).contains(&a.status) {
        return None;
    }
    match a.json()?.get("code")? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Gateway errors are `{message}`, service errors `{code, reason}`.
fn check(a: &Answer) -> Option<RemoteError> {
    if (200..300).contains(&a.status) {
        return None;
    }
    let (code, message) = match a.json() {
        Some(v) if v.get("code").is_some() => {
            let code = match v.get("code") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let message = v
                .get("reason")
                .or_else(|| v.get("message"))
                .or_else(|| v.get("serverResponse").and_then(|s| s.get("message")))
                .and_then(Value::as_str)
                .map_or_else(|| a.text_snippet(), str::to_owned);
            (Some(code), message)
        }
        Some(v) if v.get("message").is_some() => (
            None,
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        ),
        _ => (None, a.text_snippet()),
    };
    Some(error_answer(V, a, code, message))
}
