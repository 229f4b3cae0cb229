//! Agora: the RESTful API (channel queries, kicking rules) and Cloud Recording, with HTTP Basic
//! auth (Customer ID / Customer Secret).

use std::sync::Arc;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::capabilities::{Capabilities, capabilities};
use super::error::{RemoteError, RemoteResult, vendor_lacks};
use super::http::{Answer, Call, Http, HttpOptions, join, parse_base_url, segment};
use super::{
    CreateRoomRequest, IdempotencyCache, Origin, Page, PageRequest, Participant, Recording,
    RecordingHandle, RecordingRequest, RecordingStatus, Room, refuse_metadata, require_name,
};
use crate::random::{RandomSource, ThreadRandom};
use crate::secret::Secret;
use crate::vendor::Vendor;

const V: Vendor = Vendor::Agora;

/// Where Agora Cloud Recording uploads files (`storageConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgoraStorage {
    /// Storage vendor: 1 Amazon S3, 2 Alibaba Cloud, 3 Tencent Cloud, 5 Microsoft Azure,
    /// 6 Google Cloud, 7 Huawei Cloud, 8 Baidu AI Cloud, 11 S3-compatible.
    pub vendor: u32,
    /// The vendor-specific region number.
    pub region: u32,
    /// Bucket name.
    pub bucket: String,
    /// Access key.
    pub access_key: String,
    /// Secret key (never printed).
    pub secret_key: Secret,
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
        }
    }
}

/// Cloud Recording settings of an [`AgoraClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgoraRecordingConfig {
    /// Where files go.
    pub storage: AgoraStorage,
    /// The recorder's uid (a 32-bit integer no real user has). `None`: derived from the
    /// idempotency key when there is one, else random.
    pub recorder_uid: Option<u32>,
    /// An RTC token for the recorder uid, needed when the app certificate is enabled (it must
    /// be minted for `recorder_uid`, which must then be set).
    pub recorder_token: Option<Secret>,
    /// Channel profile: `false` communication (0), `true` live broadcasting (1).
    pub live_channel: bool,
}

impl AgoraRecordingConfig {
    /// Recording into `storage`, communication profile, uid chosen per recording.
    #[must_use]
    pub fn new(storage: AgoraStorage) -> Self {
        AgoraRecordingConfig {
            storage,
            recorder_uid: None,
            recorder_token: None,
            live_channel: false,
        }
    }

    /// Fixes the recorder uid (and the token minted for it, if the channel needs one).
    #[must_use]
    pub fn recorder(mut self, uid: u32, token: Option<Secret>) -> Self {
        self.recorder_uid = Some(uid);
        self.recorder_token = token;
        self
    }

    /// Selects the live-broadcasting channel profile.
    #[must_use]
    pub fn live_channel(mut self, live: bool) -> Self {
        self.live_channel = live;
        self
    }
}

/// An Agora RESTful API and Cloud Recording client.
pub struct AgoraClient {
    http: Http,
    base: String,
    recording_base: String,
    app_id: String,
    customer_id: String,
    customer_secret: Secret,
    recording: Option<AgoraRecordingConfig>,
    started: IdempotencyCache,
}

impl std::fmt::Debug for AgoraClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgoraClient")
            .field("base", &self.base)
            .field("recording_base", &self.recording_base)
            .field("app_id", &self.app_id)
            .field("customer_id", &self.customer_id)
            .field("customer_secret", &self.customer_secret)
            .field("recording", &self.recording)
            .finish_non_exhaustive()
    }
}

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
        let base = parse_base_url(V, base_url)?;
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
            http: Http::new(V, HttpOptions::default(), Arc::new(ThreadRandom))?,
            recording_base: base.clone(),
            base,
            app_id,
            customer_id,
            customer_secret,
            recording: None,
            started: IdempotencyCache::default(),
        })
    }

    /// Sets the Cloud Recording host.
    ///
    /// # Errors
    /// [`RemoteError::Config`] for a bad URL.
    pub fn with_recording_base_url(mut self, base_url: &str) -> RemoteResult<Self> {
        self.recording_base = parse_base_url(V, base_url)?;
        Ok(self)
    }

    /// Enables recording with these settings.
    #[must_use]
    pub fn with_recording(mut self, config: AgoraRecordingConfig) -> Self {
        self.recording = Some(config);
        self
    }

    /// Replaces the HTTP options.
    ///
    /// # Errors
    /// [`RemoteError::Config`] when the HTTP client cannot be built.
    pub fn with_http_options(mut self, options: HttpOptions) -> RemoteResult<Self> {
        self.http = Http::new(V, options, Arc::clone(self.http.random()))?;
        Ok(self)
    }

    /// Sets the randomness (retry jitter, recorder uids).
    #[must_use]
    pub fn with_random(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.http.set_random(random);
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

    async fn call(
        &self,
        method: Method,
        base: &str,
        path: &str,
        body: Option<Value>,
        idempotent: bool,
        operation: &'static str,
    ) -> RemoteResult<Value> {
        let url = join(V, base, path)?;
        let mut call = Call::new(method, url, operation)
            .header(AUTHORIZATION, self.auth()?)
            .idempotent(idempotent);
        if let Some(body) = &body {
            call = call.json(body);
        }
        let answer = self.http.send(&call, check).await?;
        serde_json::from_slice(&answer.body).map_err(|e| RemoteError::Decode {
            vendor: V,
            operation,
            message: e.to_string(),
        })
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
        if request.max_participants.is_some()
            || request.empty_timeout_secs.is_some()
            || request.metadata.is_some()
        {
            return Err(vendor_lacks(
                V,
                "room.create(settings)",
                "Agora channels have no stored settings (max participants, empty timeout, metadata)",
            ));
        }
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
            .call(Method::GET, &self.base, &path, None, true, op)
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
        let count = data
            .get("total")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| users_of(&data).len() as u64);
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
            .call(Method::GET, &self.base, &path, None, true, "room.list")
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
        Ok(Page { items, next_cursor })
    }

    async fn kicking_rule(&self, body: Value, op: &'static str) -> RemoteResult<()> {
        let v = self
            .call(
                Method::POST,
                &self.base,
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
    /// with their role). Agora does not page: everything comes in one page.
    ///
    /// # Errors
    /// API and transport errors.
    pub async fn list_participants(
        &self,
        room: &str,
        _page: &PageRequest,
    ) -> RemoteResult<Page<Participant>> {
        check_channel(room)?;
        let data = self.user_list(room, "participant.list").await?;
        Ok(Page {
            items: users_of(&data),
            next_cursor: None,
        })
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
                let digest = Sha256::digest(format!("{}\0{key}", request.room).as_bytes());
                let mut b = [0u8; 4];
                for (dst, src) in b.iter_mut().zip(digest.iter()) {
                    *dst = *src;
                }
                u32::from_be_bytes(b)
            }
            None => self.http.random().next_u32(),
        };
        1_000_000_000 + raw % 3_000_000_000
    }

    /// Cloud Recording `acquire` + `start` in `mix` mode (composite). With an idempotency key
    /// the recorder uid is derived from it, so Agora refuses a duplicate start (code 53) and
    /// `start` is retried on 429/5xx; without one, `start` is not retried.
    ///
    /// # Errors
    /// [`RemoteError::Config`] without [`AgoraClient::with_recording`];
    /// [`RemoteError::Unsupported`] for metadata; [`RemoteError::InvalidRequest`] for an
    /// unknown layout or a bad output path; API (`{code, reason}`) and transport errors.
    pub async fn start_recording(&self, request: &RecordingRequest) -> RemoteResult<Recording> {
        check_channel(&request.room)?;
        refuse_metadata(V, request)?;
        let config = self.recording.as_ref().ok_or_else(|| RemoteError::Config {
            vendor: V,
            reason: "recording needs storage settings: call with_recording(AgoraRecordingConfig::new(..))".into(),
        })?;
        if let Some(key) = request.idempotency_key.as_deref()
            && let Some(done) = self.started.get(key)
        {
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
        let uid = self.recorder_uid(config, request).to_string();
        let base = format!("/v1/apps/{}/cloud_recording", self.app());
        let acquired = self
            .call(
                Method::POST,
                &self.recording_base,
                &format!("{base}/acquire"),
                Some(json!({"cname": request.room, "uid": uid, "clientRequest": {"scene": 0, "resourceExpiredHour": 24}})),
                true,
                "recording.start(acquire)",
            )
            .await?;
        let resource_id = str_field(&acquired, "resourceId", "recording.start(acquire)")?;
        let storage = &config.storage;
        let mut client_request = json!({
            "recordingConfig": {
                "channelType": u8::from(config.live_channel),
                "streamTypes": if request.audio_only { 0 } else { 2 },
                "maxIdleTime": 30,
                "subscribeAudioUids": ["#allstream#"],
                "transcodingConfig": {"width": 640, "height": 360, "fps": 15, "bitrate": 500, "mixedVideoLayout": layout},
            },
            "recordingFileConfig": {"avFileType": if request.audio_only { json!(["hls"]) } else { json!(["hls", "mp4"]) }},
            "storageConfig": {
                "vendor": storage.vendor,
                "region": storage.region,
                "bucket": storage.bucket,
                "accessKey": storage.access_key,
                "secretKey": storage.secret_key.expose(),
                "fileNamePrefix": prefix,
            },
        });
        if !request.audio_only {
            super::set_json(
                client_request.get_mut("recordingConfig"),
                "subscribeVideoUids",
                json!(["#allstream#"]),
            );
        }
        if let Some(token) = &config.recorder_token {
            super::set_json(Some(&mut client_request), "token", json!(token.expose()));
        }
        let started = self
            .call(
                Method::POST,
                &self.recording_base,
                &format!("{base}/resourceid/{}/mode/mix/start", segment(&resource_id)),
                Some(json!({"cname": request.room, "uid": uid, "clientRequest": client_request})),
                request.idempotency_key.is_some(),
                "recording.start",
            )
            .await?;
        let sid = str_field(&started, "sid", "recording.start")?;
        let rec = Recording {
            recording: sid.clone(),
            room: request.room.clone(),
            status: RecordingStatus::Starting,
            output_uri: request.output_uri.clone(),
            handle: RecordingHandle::Agora {
                resource_id,
                sid,
                mode: "mix".into(),
                cname: request.room.clone(),
                uid,
            },
        };
        if let Some(key) = request.idempotency_key.as_deref() {
            self.started.put(key, &rec);
        }
        Ok(rec)
    }

    /// Cloud Recording `stop`. Code 435 (nobody published) gives
    /// [`RecordingStatus::NothingRecorded`] rather than an error. Not retried.
    ///
    /// # Errors
    /// [`RemoteError::InvalidRequest`] for another vendor's handle; HTTP 404 when the session
    /// is not running; API and transport errors.
    pub async fn stop_recording(&self, handle: &RecordingHandle) -> RemoteResult<Recording> {
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
                field: "handle",
                reason: "not an Agora recording handle".into(),
            });
        };
        let path = format!(
            "/v1/apps/{}/cloud_recording/resourceid/{}/sid/{}/mode/{}/stop",
            self.app(),
            segment(resource_id),
            segment(sid),
            segment(mode)
        );
        let body = json!({"cname": cname, "uid": uid, "clientRequest": {"async_stop": false}});
        let mut rec = Recording {
            recording: sid.clone(),
            room: cname.clone(),
            status: RecordingStatus::Complete,
            output_uri: None,
            handle: handle.clone(),
        };
        match self
            .call(
                Method::POST,
                &self.recording_base,
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

super::forward_room_service!(AgoraClient);

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

fn users_of(data: &Value) -> Vec<Participant> {
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
    let person = |identity: String, role: Option<&str>| Participant {
        identity,
        display_name: None,
        joined_at: None,
        role: role.map(str::to_owned),
    };
    if data.get("mode").and_then(Value::as_u64) == Some(2) {
        let mut out: Vec<Participant> = uids("broadcasters")
            .into_iter()
            .map(|u| person(u, Some("host")))
            .collect();
        out.extend(
            uids("audience")
                .into_iter()
                .map(|u| person(u, Some("audience"))),
        );
        out
    } else {
        uids("users").into_iter().map(|u| person(u, None)).collect()
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
