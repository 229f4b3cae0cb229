//! The handlers of the nine calls, LiveKit's `/createToken`, and the health endpoints. Each is
//! small: parse, pick the vendor, call, shape the answer. Errors are [`ApiError`]s.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::AppState;
use super::body::{
    CreateRoomBody, CreateTokenBody, IssueTokenBody, KickBody, StartRecordingBody,
    StopRecordingBody,
};
use super::error::{ApiError, ApiResult};
use super::extract::Post;
use super::idempotency;
use super::ids::{self, MAX_ROOM_NAME, RoomId};
use super::store::{RecordingRecord, RoomRecord};
use super::webhooks::{self, Source};
use crate::livekit::{ClaimGrants, RoomConfiguration, VideoGrant};
use crate::remote::{
    CreateRoomRequest, Origin, PageRequest, Recording, RecordingRequest, RecordingStatus,
    RemoteError, RemoteResult, Room, RoomService, UnsupportedReason,
};
use crate::vendor::Vendor;
use crate::{DEFAULT_TTL, TokenRequest};

fn ok(v: Value) -> ApiResult<(StatusCode, Value)> {
    Ok((StatusCode::OK, v))
}

// ---------------------------------------------------------------------------------------------
// Vendor choice

impl AppState {
    /// The vendor of a call that names no room: the pin, else `--default-vendor`, else the only
    /// configured vendor.
    fn pick_vendor(&self, pinned: Option<Vendor>) -> ApiResult<Vendor> {
        if let Some(v) = pinned.or(self.config.default_vendor) {
            return Ok(v);
        }
        match self.vendors.configured().as_slice() {
            [only] => Ok(*only),
            [] => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "vendor_not_configured",
                "no vendor is configured on this gateway (set LIVEKIT_*, AGORA_* or ZEGO_* credentials)",
            )),
            _ => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "vendor_required",
                "several vendors are configured: pass `vendor` (or start the gateway with --default-vendor)",
            )
            .with("field", "vendor")),
        }
    }

    /// The room service of `vendor`, or 400 `vendor_not_configured`.
    fn service(&self, vendor: Vendor) -> ApiResult<Arc<dyn RoomService>> {
        self.vendors.service(vendor).cloned().ok_or_else(|| {
            let how = match vendor {
                Vendor::LiveKit => "LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET",
                Vendor::Agora => "AGORA_APP_ID, AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET",
                Vendor::Zego => "ZEGO_APP_ID and ZEGO_SERVER_SECRET",
            };
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "vendor_not_configured",
                format!("{vendor} API credentials are not configured on this gateway (set {how})"),
            )
            .with("vendor", vendor.as_str())
        })
    }

    /// Runs a vendor call and counts its outcome.
    async fn call<T>(
        &self,
        vendor: Vendor,
        operation: &'static str,
        fut: impl Future<Output = RemoteResult<T>>,
    ) -> RemoteResult<T> {
        let r = fut.await;
        let outcome = match &r {
            Ok(_) => "ok",
            Err(e) if e.is_not_found() => "not_found",
            Err(RemoteError::Unsupported { .. }) => "unsupported",
            Err(RemoteError::Timeout { .. }) => "timeout",
            Err(RemoteError::Transport { .. }) => "transport",
            Err(RemoteError::Auth { .. }) => "auth",
            Err(_) => "error",
        };
        self.metrics.vendor_call(vendor, operation, outcome);
        r
    }
}

/// A room id from a path or body, or 400 naming the field.
fn parse_room(field: &'static str, s: &str) -> ApiResult<RoomId> {
    s.parse::<RoomId>()
        .map_err(|e| ApiError::field(field, e.to_string()))
}

fn check_pin(room: &RoomId, pinned: Option<Vendor>) -> ApiResult<()> {
    match pinned {
        Some(v) if v != room.vendor => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "vendor_mismatch",
            format!(
                "`vendor` is {v} but the room belongs to {}; omit `vendor` or pass the room's",
                room.vendor
            ),
        )
        .with("field", "vendor")),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Rooms

fn metadata_value(text: Option<&str>) -> Value {
    match text {
        None | Some("") => Value::Null,
        Some(t) => match serde_json::from_str::<Value>(t) {
            Ok(v @ Value::Object(_)) => v,
            _ => Value::from(t),
        },
    }
}

fn origin_str(o: Origin) -> &'static str {
    match o {
        Origin::Vendor => "vendor",
        Origin::Derived => "derived",
        _ => "synthesized",
    }
}

/// The Room answer of a LiveKit room.
fn livekit_room_json(room: &Room) -> Value {
    json!({
        "room": RoomId::new(Vendor::LiveKit, room.name.clone()).to_string(),
        "name": room.name,
        "vendor": "livekit",
        "max_participants": room.max_participants,
        "empty_timeout_s": Value::Null,
        "metadata": metadata_value(room.metadata.as_deref()),
        "created_at": room.created_at,
        "occupancy": room.num_participants,
        "origin": origin_str(room.origin),
    })
}

/// A room's occupancy and where it came from (`webhooks`, `vendor_api`, or nowhere).
#[derive(Debug, Clone, Copy)]
struct Occupancy {
    count: Option<u32>,
    source: Option<&'static str>,
    as_of: Option<i64>,
}

/// The Room answer of a stored (synthesized) record merged with the occupancy.
fn record_json(rec: &RoomRecord, occ: Occupancy, origin: &str) -> Value {
    json!({
        "room": rec.id,
        "name": rec.name,
        "vendor": rec.vendor.as_str(),
        "max_participants": rec.max_participants,
        "empty_timeout_s": rec.empty_timeout_s,
        "metadata": metadata_value(rec.metadata.as_deref()),
        "created_at": rec.created_at,
        "occupancy": occ.count,
        "occupancy_source": occ.source,
        "occupancy_as_of": occ.as_of,
        "origin": origin,
    })
}

/// Occupancy of an Agora/ZEGO room: from the webhooks when they may answer (see
/// [`webhooks::presence`]), else live from the vendor (`Some(0)` when the vendor says nobody is
/// there), else unknown (no API credentials).
async fn occupancy(
    state: &AppState,
    id: &RoomId,
    room_id: &str,
    source: Source,
) -> ApiResult<Occupancy> {
    if let Some((count, as_of)) = webhooks::presence(state, id.vendor, room_id, source).await? {
        return Ok(Occupancy {
            count: Some(count),
            source: Some("webhooks"),
            as_of: Some(as_of),
        });
    }
    let unknown = Occupancy {
        count: None,
        source: None,
        as_of: None,
    };
    let service = match state.vendors.service(id.vendor).cloned() {
        Some(s) if source != Source::Webhooks => s,
        _ => return Ok(unknown),
    };
    let count = match state
        .call(id.vendor, "room.get", service.get_room(&id.name))
        .await
    {
        Ok(room) => room.num_participants.unwrap_or(0),
        Err(e) if e.is_not_found() => 0,
        Err(e) => return Err(e.into()),
    };
    Ok(Occupancy {
        count: Some(count),
        source: Some("vendor_api"),
        as_of: Some(state.now()?),
    })
}

const ROOM_CREATE: idempotency::Call<CreateRoomBody, CreateRoomBody> = idempotency::Call {
    route: "room.create",
    body_key: |b| b.idempotency_key.as_deref(),
    fingerprint: CreateRoomBody::clone,
};

pub(crate) async fn room_create(
    State(state): State<Arc<AppState>>,
    post: Post<CreateRoomBody>,
) -> Response {
    idempotency::run(&state, post, &ROOM_CREATE, |st, body, _| async move {
        create_room(&st, body).await
    })
    .await
}

async fn create_room(state: &AppState, body: CreateRoomBody) -> ApiResult<(StatusCode, Value)> {
    if body.name.is_empty() {
        return Err(ApiError::field("name", "`name` must not be empty"));
    }
    if body.name.len() > MAX_ROOM_NAME {
        return Err(ApiError::field(
            "name",
            format!("`name` is longer than {MAX_ROOM_NAME} bytes"),
        ));
    }
    let vendor = state.pick_vendor(body.vendor)?;
    if body.region.is_some() {
        return Err(ApiError::unsupported(
            vendor,
            "room.create(region)",
            UnsupportedReason::VendorLacks,
            "the region is chosen by the vendor's URL / project and the client SDK, not per room",
        )
        .with("field", "region"));
    }
    if body.enable_recording == Some(true) {
        let (reason, hint) = match vendor {
            Vendor::LiveKit => (
                UnsupportedReason::NotImplemented,
                "LiveKit can auto-record a room (RoomEgress); call recording.start instead",
            ),
            _ => (
                UnsupportedReason::VendorLacks,
                "there is no room object to attach a recording to; call recording.start once participants have joined",
            ),
        };
        return Err(
            ApiError::unsupported(vendor, "room.create(enable_recording)", reason, hint)
                .with("field", "enable_recording"),
        );
    }
    let metadata = body
        .metadata
        .as_ref()
        .map(|m| Value::Object(m.clone()).to_string());
    let id = RoomId::new(vendor, body.name.clone()).to_string();
    if vendor == Vendor::LiveKit {
        let service = state.service(vendor)?;
        let mut req = CreateRoomRequest::new(body.name.clone());
        req.max_participants = body.max_participants;
        req.empty_timeout_secs = body.empty_timeout_s;
        req.metadata = metadata;
        let room = state
            .call(vendor, "room.create", service.create_room(&req))
            .await?;
        let mut v = livekit_room_json(&room);
        if let (Some(obj), Some(t)) = (v.as_object_mut(), body.empty_timeout_s) {
            obj.insert("empty_timeout_s".into(), Value::from(t));
        }
        return ok(v);
    }
    // Agora and ZEGO: no room object at the vendor. The client validates the name (no network
    // call); the gateway keeps the record.
    if let Some(service) = state.vendors.service(vendor).cloned() {
        state
            .call(
                vendor,
                "room.create",
                service.create_room(&CreateRoomRequest::new(body.name.clone())),
            )
            .await?;
    } else if state.vendors.minter(vendor).is_none() {
        return Err(state
            .service(vendor)
            .err()
            .unwrap_or_else(|| ApiError::internal("vendor check failed")));
    }
    let rec = RoomRecord {
        id,
        vendor,
        name: body.name,
        max_participants: body.max_participants,
        empty_timeout_s: body.empty_timeout_s,
        metadata,
        created_at: state.now()?,
    };
    state.store.put_room(&rec).await?;
    let none = Occupancy {
        count: None,
        source: None,
        as_of: None,
    };
    ok(record_json(&rec, none, "synthesized"))
}

/// `?source=auto|webhooks|vendor_api` of room.get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceQuery {
    source: Option<Source>,
}

pub(crate) async fn room_get(
    State(state): State<Arc<AppState>>,
    Path(room): Path<String>,
    q: Result<Query<SourceQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let source = query(q)?.source.unwrap_or(Source::Auto);
    let id = parse_room("room", &room)?;
    if id.vendor == Vendor::LiveKit {
        let service = state.service(id.vendor)?;
        let r = state
            .call(id.vendor, "room.get", service.get_room(&id.name))
            .await?;
        return Ok(Json(livekit_room_json(&r)));
    }
    let rec = state.store.get_room(&room).await?;
    let occ = occupancy(&state, &id, &room, source).await?;
    match rec {
        Some(rec) => Ok(Json(record_json(&rec, occ, "synthesized"))),
        // Not created through the gateway, but live at the vendor (or in the webhooks).
        None if occ.count.is_some_and(|n| n > 0) => Ok(Json(json!({
            "room": room,
            "name": id.name,
            "vendor": id.vendor.as_str(),
            "max_participants": Value::Null,
            "empty_timeout_s": Value::Null,
            "metadata": Value::Null,
            "created_at": Value::Null,
            "occupancy": occ.count,
            "occupancy_source": occ.source,
            "occupancy_as_of": occ.as_of,
            "origin": "derived",
        }))),
        None => Err(ApiError::not_found("room", &room)),
    }
}

/// `?cursor&limit` (and `vendor` for room.list).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    cursor: Option<String>,
    limit: Option<u32>,
    vendor: Option<Vendor>,
    /// participant.list: `auto`, `webhooks` or `vendor_api`.
    source: Option<Source>,
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::invalid(format!("invalid query string: {}", e.body_text())))
}

const MAX_PAGE: u32 = 100;
const DEFAULT_PAGE: u32 = 20;

fn page_limit(limit: Option<u32>) -> ApiResult<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(0) => Err(ApiError::field("limit", "`limit` must be at least 1")),
        Some(n) if n > MAX_PAGE => Err(ApiError::field(
            "limit",
            format!("`limit` must be at most {MAX_PAGE}"),
        )),
        Some(n) => Ok(n),
    }
}

pub(crate) async fn room_list(
    State(state): State<Arc<AppState>>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let limit = page_limit(q.limit)?;
    let vendor = state.pick_vendor(q.vendor)?;
    if vendor == Vendor::LiveKit {
        let service = state.service(vendor)?;
        let mut page = PageRequest::first().limit(limit);
        page.cursor = q.cursor;
        let p = state
            .call(vendor, "room.list", service.list_rooms(&page))
            .await?;
        let items: Vec<Value> = p.items.iter().map(livekit_room_json).collect();
        return Ok(Json(json!({"items": items, "next_cursor": p.next_cursor})));
    }
    let mut recs = state
        .store
        .list_rooms(vendor, q.cursor.as_deref(), limit + 1)
        .await?;
    let next_cursor = if recs.len() > limit as usize {
        recs.truncate(limit as usize);
        recs.last().map(|r| r.id.clone())
    } else {
        None
    };
    let mut items = Vec::with_capacity(recs.len());
    for rec in &recs {
        let id = RoomId::new(vendor, rec.name.clone());
        let occ = occupancy(&state, &id, &rec.id, Source::Auto).await?;
        items.push(record_json(rec, occ, "synthesized"));
    }
    Ok(Json(json!({"items": items, "next_cursor": next_cursor})))
}

pub(crate) async fn room_delete(
    State(state): State<Arc<AppState>>,
    Path(room): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_room("room", &room)?;
    if id.vendor == Vendor::LiveKit {
        let service = state.service(id.vendor)?;
        state
            .call(id.vendor, "room.delete", service.delete_room(&id.name))
            .await?;
        state.store.delete_room(&room).await?;
        return Ok(Json(json!({"ok": true})));
    }
    let existed = state.store.get_room(&room).await?.is_some();
    let mut at_vendor = false;
    if let Some(service) = state.vendors.service(id.vendor).cloned() {
        match state
            .call(id.vendor, "room.delete", service.delete_room(&id.name))
            .await
        {
            Ok(()) => at_vendor = true,
            // Nobody in it: nothing to evict.
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let deleted = state.store.delete_room(&room).await?;
    if !(existed || deleted || at_vendor) {
        return Err(ApiError::not_found("room", &room));
    }
    Ok(Json(json!({"ok": true})))
}

// ---------------------------------------------------------------------------------------------
// Tokens

const TOKEN_ISSUE: idempotency::Call<IssueTokenBody, IssueTokenBody> = idempotency::Call {
    route: "token.issue",
    body_key: |b| b.idempotency_key.as_deref(),
    fingerprint: IssueTokenBody::clone,
};

/// The hot path: without an idempotency key no store and no task (`idempotency::run`).
pub(crate) async fn token_issue(
    State(state): State<Arc<AppState>>,
    post: Post<IssueTokenBody>,
) -> Response {
    idempotency::run(&state, post, &TOKEN_ISSUE, |st, body, _| async move {
        issue_token(&st, body).map(|a| (StatusCode::OK, a))
    })
    .await
}

/// The answer of token.issue (fields in the order the JSON object had before it was typed).
#[derive(Debug, Serialize)]
struct IssuedAnswer {
    expires_at: i64,
    identity: String,
    issued_at: i64,
    room: String,
    token: String,
    vendor: &'static str,
}

fn issue_token(state: &AppState, body: IssueTokenBody) -> ApiResult<IssuedAnswer> {
    let room = parse_room("room", &body.room)?;
    check_pin(&room, body.vendor)?;
    let minter = state.vendors.minter(room.vendor).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "vendor_not_configured",
            format!(
                "{} token credentials are not configured on this gateway",
                room.vendor
            ),
        )
        .with("vendor", room.vendor.as_str())
    })?;
    let vendor = room.vendor;
    let mut req = TokenRequest::new(body.identity).room(room.name);
    req.display_name = body.display_name;
    req.ttl = body.ttl_s.map_or(DEFAULT_TTL, Duration::from_secs);
    req.can_publish = body.can_publish.unwrap_or(true);
    req.can_subscribe = body.can_subscribe.unwrap_or(true);
    req.can_publish_data = body.can_publish_data.unwrap_or(true);
    req.is_admin = body.is_admin.unwrap_or(false);
    req.metadata = body.metadata;
    let mut token = String::with_capacity(512);
    let times = minter.mint_into(&req, &mut token)?;
    state.metrics.token_minted(vendor);
    Ok(IssuedAnswer {
        expires_at: times.expires_at,
        identity: req.identity,
        issued_at: times.issued_at,
        room: body.room,
        token,
        vendor: vendor.as_str(),
    })
}

const CREATE_TOKEN: idempotency::Call<CreateTokenBody, CreateTokenBody> = idempotency::Call {
    route: "createToken",
    body_key: |_| None,
    fingerprint: CreateTokenBody::clone,
};

/// LiveKit's standard token endpoint.
pub(crate) async fn create_token(
    State(state): State<Arc<AppState>>,
    post: Post<CreateTokenBody>,
) -> Response {
    idempotency::run(&state, post, &CREATE_TOKEN, |st, body, _| async move {
        livekit_token(&st, &body).map(|a| (StatusCode::CREATED, a))
    })
    .await
}

/// The answer of `/createToken`.
#[derive(Debug, Serialize)]
struct CreatedToken {
    participant_token: String,
    server_url: String,
}

fn livekit_token(state: &AppState, body: &CreateTokenBody) -> ApiResult<CreatedToken> {
    let minter = state.vendors.livekit.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "vendor_not_configured",
            "LiveKit credentials are not configured (LIVEKIT_API_KEY, LIVEKIT_API_SECRET)",
        )
        .with("vendor", "livekit")
    })?;
    let server_url = state.vendors.livekit_url.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "vendor_misconfigured",
            "LIVEKIT_URL is not set, so there is no server_url to answer",
        )
    })?;
    let room = body
        .room_name
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::field("room_name", "`room_name` is required"))?;
    let identity = body
        .participant_identity
        .as_deref()
        .or(body.participant_name.as_deref())
        .filter(|i| !i.is_empty())
        .ok_or_else(|| {
            ApiError::field(
                "participant_identity",
                "`participant_identity` (or `participant_name`) is required",
            )
        })?;
    let mut grants = ClaimGrants::new(identity).with_video(VideoGrant::join(room));
    if let Some(name) = &body.participant_name {
        grants = grants.with_name(name.clone());
    }
    if let Some(m) = &body.participant_metadata {
        grants = grants.with_metadata(m.clone());
    }
    if let Some(a) = &body.participant_attributes {
        grants.attributes.clone_from(a);
    }
    if let Some(rc) = &body.room_config {
        let config: RoomConfiguration = serde_json::from_value(rc.clone())
            .map_err(|e| ApiError::field("room_config", format!("invalid `room_config`: {e}")))?;
        grants.room_config = Some(config);
    }
    let issued = minter.mint_grants(&grants, DEFAULT_TTL)?;
    state.metrics.token_minted(Vendor::LiveKit);
    Ok(CreatedToken {
        participant_token: issued.token,
        server_url: server_url.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// Recordings

fn status_str(s: &RecordingStatus) -> String {
    match s {
        RecordingStatus::Starting => "starting".into(),
        RecordingStatus::Active => "active".into(),
        RecordingStatus::Stopping => "stopping".into(),
        RecordingStatus::Complete => "complete".into(),
        RecordingStatus::NothingRecorded => "nothing_recorded".into(),
        RecordingStatus::Failed => "failed".into(),
        RecordingStatus::Unknown(s) => s.clone(),
        #[allow(unreachable_patterns)]
        _ => "unknown".into(),
    }
}

fn recording_json(id: &str, room: Option<&str>, vendor: Vendor, rec: &Recording) -> Value {
    json!({
        "recording": id,
        "room": room,
        "vendor": vendor.as_str(),
        "status": status_str(&rec.status),
        "output_uri": rec.output_uri,
    })
}

/// A short, stable digest of the caller's scope and key, handed to the vendor client (LiveKit
/// request id, Agora recorder uid) so the vendor side also recognises a repeated start.
fn vendor_key(scope: &str, key: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(format!("{scope}\0{key}").as_bytes());
    d.iter()
        .take(16)
        .fold(String::with_capacity(32), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

const RECORDING_START: idempotency::Call<StartRecordingBody, StartRecordingBody> =
    idempotency::Call {
        route: "recording.start",
        body_key: |b| b.idempotency_key.as_deref(),
        fingerprint: StartRecordingBody::clone,
    };

pub(crate) async fn recording_start(
    State(state): State<Arc<AppState>>,
    post: Post<StartRecordingBody>,
) -> Response {
    let scope = Arc::clone(&post.caller.scope);
    idempotency::run(
        &state,
        post,
        &RECORDING_START,
        move |st, body, key: Option<&str>| {
            let vkey = key.map(|k| vendor_key(&scope, k));
            async move { start_recording(&st, body, vkey).await }
        },
    )
    .await
}

async fn start_recording(
    state: &AppState,
    body: StartRecordingBody,
    vendor_key: Option<String>,
) -> ApiResult<(StatusCode, Value)> {
    let room = parse_room("room", &body.room)?;
    check_pin(&room, body.vendor)?;
    let service = state.service(room.vendor)?;
    let mut req =
        RecordingRequest::new(room.name.clone()).audio_only(body.audio_only.unwrap_or(false));
    req.layout = body.layout;
    req.output_uri = body.output_uri;
    req.metadata = body.metadata.map(|m| Value::Object(m).to_string());
    req.idempotency_key = vendor_key;
    let rec = state
        .call(
            room.vendor,
            "recording.start",
            service.start_recording(&req),
        )
        .await?;
    let id = ids::recording_id(&rec);
    let now = state.now()?;
    let record = RecordingRecord {
        id: id.clone(),
        vendor: room.vendor,
        room_id: body.room.clone(),
        status: status_str(&rec.status),
        output_uri: rec.output_uri.clone(),
        created_at: now,
        updated_at: now,
        webhook_at: None,
    };
    if let Err(e) = state.store.put_recording(&record).await {
        // The recording runs and its id is self-contained: answer it rather than lose it.
        tracing::error!(error = %e, recording = %id, "cannot store the recording record");
    }
    ok(recording_json(&id, Some(&body.room), room.vendor, &rec))
}

/// The recording id of the path, and the body (`{}` or just the key).
type StopRequest = (String, StopRecordingBody);

const RECORDING_STOP: idempotency::Call<StopRequest, Value> = idempotency::Call {
    route: "recording.stop",
    body_key: |(_, b)| b.idempotency_key.as_deref(),
    fingerprint: |(recording, _)| json!({"recording": recording}),
};

pub(crate) async fn recording_stop(
    State(state): State<Arc<AppState>>,
    Path(recording): Path<String>,
    post: Post<StopRecordingBody>,
) -> Response {
    idempotency::run(
        &state,
        post.map(|body| (recording, body)),
        &RECORDING_STOP,
        |st, (recording, _), _| async move { stop_recording(&st, recording).await },
    )
    .await
}

async fn stop_recording(state: &AppState, id: String) -> ApiResult<(StatusCode, Value)> {
    let rid = ids::parse_recording_id(&id).map_err(|e| ApiError::field("recording", e))?;
    let vendor = rid.vendor();
    let service = state.service(vendor)?;
    let rec = match state
        .call(vendor, "recording.stop", service.stop_recording(&rid))
        .await
    {
        Ok(rec) => rec,
        // Already reported finished by a webhook: stopping it again is not an error.
        Err(e) => match webhooks::ended_by_webhook(state, &id).await {
            Some(v) => return ok(v),
            None => return Err(e.into()),
        },
    };
    let stored = state.store.get_recording(&id).await.ok().flatten();
    // The room: from the record of the start, else as the vendor reports it (ZEGO's stop
    // answer names none: then it is null).
    let room_id = stored.as_ref().map(|r| r.room_id.clone()).or_else(|| {
        (!rec.room.is_empty()).then(|| RoomId::new(vendor, rec.room.clone()).to_string())
    });
    let now = state.now()?;
    let record = RecordingRecord {
        id: id.clone(),
        vendor,
        room_id: room_id.clone().unwrap_or_default(),
        status: status_str(&rec.status),
        output_uri: rec.output_uri.clone(),
        created_at: stored.as_ref().map_or(now, |r| r.created_at),
        updated_at: now,
        webhook_at: None,
    };
    if let Err(e) = state.store.put_recording(&record).await {
        tracing::error!(error = %e, recording = %id, "cannot store the recording record");
    }
    let mut v = recording_json(&id, room_id.as_deref(), vendor, &rec);
    if rec.output_uri.is_none()
        && let (Some(obj), Some(uri)) = (v.as_object_mut(), stored.and_then(|s| s.output_uri))
    {
        obj.insert("output_uri".into(), Value::from(uri));
    }
    ok(v)
}

// ---------------------------------------------------------------------------------------------
// Participants

pub(crate) async fn participant_list(
    State(state): State<Arc<AppState>>,
    Path(room): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let id = parse_room("room", &room)?;
    check_pin(&id, q.vendor)?;
    let source = q.source.unwrap_or(Source::Auto);
    let limit = page_limit(q.limit)?;
    if let Some(v) =
        webhooks::participant_page(&state, &id, &room, source, q.cursor.as_deref(), limit).await?
    {
        return Ok(Json(v));
    }
    if source == Source::Webhooks {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no webhook has reported on room `{room}` (or its vendor's webhooks are off)"),
        )
        .with("what", "room"));
    }
    let service = state.service(id.vendor)?;
    let mut page = PageRequest::first();
    page.limit = q.limit;
    page.cursor = q.cursor;
    let p = state
        .call(
            id.vendor,
            "participant.list",
            service.list_participants(&id.name, &page),
        )
        .await?;
    let items: Vec<Value> = p
        .items
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("identity".into(), Value::from(p.identity.clone()));
            m.insert("display_name".into(), json!(p.display_name));
            m.insert("joined_at".into(), json!(p.joined_at));
            if let Some(role) = &p.role {
                m.insert("role".into(), Value::from(role.clone()));
            }
            Value::Object(m)
        })
        .collect();
    Ok(Json(json!({
        "items": items,
        "next_cursor": p.next_cursor,
        "source": "vendor_api",
        "as_of": state.now()?,
    })))
}

/// The room of the path, and the body.
type KickRequest = (String, KickBody);

const PARTICIPANT_KICK: idempotency::Call<KickRequest, Value> = idempotency::Call {
    route: "participant.kick",
    body_key: |(_, b)| b.idempotency_key.as_deref(),
    fingerprint: |(room, body)| json!({"path_room": room, "body": body}),
};

pub(crate) async fn participant_kick(
    State(state): State<Arc<AppState>>,
    Path(room): Path<String>,
    post: Post<KickBody>,
) -> Response {
    idempotency::run(
        &state,
        post.map(|body| (room, body)),
        &PARTICIPANT_KICK,
        |st, (room, body), _| async move { kick(&st, &room, &body).await },
    )
    .await
}

async fn kick(state: &AppState, room: &str, body: &KickBody) -> ApiResult<(StatusCode, Value)> {
    let id = parse_room("room", room)?;
    if body.room.as_deref().is_some_and(|r| r != room) {
        return Err(ApiError::field(
            "room",
            "the body's `room` differs from the room in the path",
        ));
    }
    check_pin(&id, body.vendor)?;
    if body.identity.is_empty() {
        return Err(ApiError::field("identity", "`identity` must not be empty"));
    }
    let service = state.service(id.vendor)?;
    state
        .call(
            id.vendor,
            "participant.kick",
            service.kick_participant(&id.name, &body.identity),
        )
        .await?;
    ok(json!({"ok": true}))
}

// ---------------------------------------------------------------------------------------------
// Operations

pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> ApiResult<Json<Value>> {
    state.store.ping().await?;
    Ok(Json(
        json!({"status": "ready", "store": state.store.backend()}),
    ))
}

pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        "no such route (the calls are under /v1/rtc/)",
    )
}
