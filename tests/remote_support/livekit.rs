//! LiveKit double: Twirp `RoomService` + `Egress` over JSON, with the server's auth rules.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use rtcmint::livekit::LiveKitVerifier;
use serde_json::{Value, json};

use super::{Common, Running, header, json as json_resp, respond, serve};

pub const KEY: &str = "APItestkey";
pub const SECRET: &str = "test-secret-with-at-least-32-bytes!!";

#[derive(Debug, Clone)]
pub struct LkParticipant {
    pub sid: String,
    pub identity: String,
    pub name: String,
    pub joined_at: i64,
}

#[derive(Debug, Clone)]
pub struct LkRoom {
    pub sid: String,
    pub empty_timeout: u64,
    pub departure_timeout: u64,
    pub max_participants: u64,
    pub creation_time: i64,
    pub metadata: String,
    pub participants: Vec<LkParticipant>,
}

#[derive(Debug, Clone)]
pub struct LkEgress {
    pub room_name: String,
    pub room_id: String,
    pub status: &'static str,
    pub filepath: String,
    pub request: Value,
}

#[derive(Debug, Default)]
pub struct LkState {
    pub rooms: BTreeMap<String, LkRoom>,
    pub egress: BTreeMap<String, LkEgress>,
    /// Answer Egress RPCs like a server without redis / egress workers.
    pub egress_disconnected: bool,
    /// Emit camelCase names and int64 numbers (like pbjson) instead of the server's defaults.
    pub camel_case: bool,
    /// `(rpc, X-Livekit-Request-Id)` of every request, in order.
    pub request_ids: Vec<(String, String)>,
    /// Start request id → the egress it started: a repeated id gets the same egress back
    /// (what livekit-server does with `X-Livekit-Request-Id`).
    pub egress_by_request: BTreeMap<String, String>,
    next_id: u64,
}

impl LkState {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:012x}", self.next_id)
    }
}

pub struct LiveKitDouble {
    pub common: Common,
    pub state: Mutex<LkState>,
    verifier: LiveKitVerifier,
}

impl LiveKitDouble {
    pub async fn start() -> (Arc<Self>, Running) {
        let double = Arc::new(LiveKitDouble {
            common: Common::default(),
            state: Mutex::new(LkState::default()),
            verifier: LiveKitVerifier::new(KEY, SECRET).unwrap(),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&double));
        let running = serve(router, &double.common).await;
        (double, running)
    }

    /// Seeds a participant (creating the room if needed).
    pub fn join(&self, room: &str, identity: &str, name: &str) {
        let mut s = self.state.lock().unwrap();
        let now = self.common.now();
        if !s.rooms.contains_key(room) {
            let sid = s.id("RM_");
            s.rooms.insert(room.to_owned(), new_room(sid, now));
        }
        let sid = s.id("PA_");
        s.rooms
            .get_mut(room)
            .unwrap()
            .participants
            .push(LkParticipant {
                sid,
                identity: identity.to_owned(),
                name: name.to_owned(),
                joined_at: now,
            });
    }
}

fn new_room(sid: String, now: i64) -> LkRoom {
    LkRoom {
        sid,
        empty_timeout: 300,
        departure_timeout: 20,
        max_participants: 0,
        creation_time: now,
        metadata: String::new(),
        participants: Vec::new(),
    }
}

fn twirp(code: &str, msg: &str) -> Response {
    let status = match code {
        "canceled" | "deadline_exceeded" => 408,
        "invalid_argument" | "malformed" | "out_of_range" => 400,
        "not_found" | "bad_route" => 404,
        "already_exists" | "aborted" => 409,
        "permission_denied" => 403,
        "unauthenticated" => 401,
        "resource_exhausted" => 429,
        "failed_precondition" => 412,
        "unimplemented" => 501,
        "unavailable" => 503,
        _ => 500,
    };
    json_resp(status, &json!({ "code": code, "msg": msg }))
}

fn bad_route(method: &Method, path: &str, msg: &str) -> Response {
    json_resp(
        404,
        &json!({"code": "bad_route", "msg": msg, "meta": {"twirp_invalid_route": format!("{method} {path}")}}),
    )
}

/// Reads a field by proto name or JSON name (the server accepts both).
fn field<'a>(v: &'a Value, snake: &str, camel: &str) -> Option<&'a Value> {
    v.get(snake).or_else(|| v.get(camel))
}

fn str_field(v: &Value, snake: &str, camel: &str) -> String {
    field(v, snake, camel)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// An integer that may arrive as a number or a string.
fn int_field(v: &Value, snake: &str, camel: &str) -> Option<u64> {
    match field(v, snake, camel)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn int64(camel: bool, n: i64) -> Value {
    if camel {
        json!(n)
    } else {
        json!(n.to_string())
    }
}

fn room_json(camel: bool, name: &str, r: &LkRoom) -> Value {
    let v = json!({
        "sid": r.sid, "name": name,
        "empty_timeout": r.empty_timeout, "departure_timeout": r.departure_timeout,
        "max_participants": r.max_participants,
        "creation_time": int64(camel, r.creation_time),
        "creation_time_ms": int64(camel, r.creation_time * 1000),
        "turn_password": "", "enabled_codecs": [{"mime": "audio/opus", "fmtp_line": ""}],
        "metadata": r.metadata, "num_participants": r.participants.len(),
        "num_publishers": 0, "active_recording": false,
        "version": {"unix_micro": int64(camel, r.creation_time * 1_000_000), "ticks": 0},
    });
    if camel { camelize(v) } else { v }
}

fn participant_json(camel: bool, p: &LkParticipant) -> Value {
    let v = json!({
        "sid": p.sid, "identity": p.identity, "state": "ACTIVE", "tracks": [], "metadata": "",
        "joined_at": int64(camel, p.joined_at), "joined_at_ms": int64(camel, p.joined_at * 1000),
        "name": p.name, "version": 1, "permission": null, "region": "", "is_publisher": false,
        "kind": "STANDARD", "attributes": {}, "disconnect_reason": "UNKNOWN_REASON",
        "kind_details": [], "data_tracks": [], "client_protocol": 0, "capabilities": [],
    });
    if camel { camelize(v) } else { v }
}

fn egress_json(camel: bool, id: &str, e: &LkEgress) -> Value {
    let file_results = if matches!(e.status, "EGRESS_ENDING" | "EGRESS_COMPLETE") {
        json!([{"filename": e.filepath, "started_at": "0", "ended_at": "0", "duration": "0", "size": "0", "location": format!("s3://bucket/{}", e.filepath)}])
    } else {
        json!([])
    };
    let v = json!({
        "egress_id": id, "room_id": e.room_id, "room_name": e.room_name,
        "source_type": "EGRESS_SOURCE_TYPE_WEB", "status": e.status,
        "started_at": "0", "ended_at": "0", "updated_at": "0",
        "room_composite": e.request, "stream_results": [], "file_results": file_results,
        "segment_results": [], "image_results": [], "error": "", "error_code": 0,
        "details": "", "manifest_location": "", "backup_storage_used": false, "retry_count": 0,
    });
    if camel { camelize(v) } else { v }
}

/// snake_case keys → lowerCamelCase, recursively.
fn camelize(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let mut out = String::new();
                    let mut up = false;
                    for c in k.chars() {
                        if c == '_' {
                            up = true;
                        } else if up {
                            out.extend(c.to_uppercase());
                            up = false;
                        } else {
                            out.push(c);
                        }
                    }
                    (out, camelize(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(camelize).collect()),
        other => other,
    }
}

async fn handle(
    State(d): State<Arc<LiveKitDouble>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = handle_inner(Arc::clone(&d), method, uri.clone(), headers, body).await;
    d.common.after(&uri, r).await
}

async fn handle_inner(
    d: Arc<LiveKitDouble>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = d.common.before(&method, &uri).await {
        return r;
    }
    let path = uri.path().to_owned();
    if method != Method::POST {
        return bad_route(
            &method,
            &path,
            &format!("unsupported method {method} (only POST is allowed)"),
        );
    }
    let Some((service, rpc)) = path
        .strip_prefix("/twirp/livekit.")
        .and_then(|rest| rest.split_once('/'))
    else {
        return bad_route(&method, &path, &format!("invalid path prefix {path:?}"));
    };
    let ct = header(&headers, "content-type").unwrap_or("");
    let ct_main = ct.split(';').next().unwrap_or("").trim();
    if ct_main != "application/json" {
        return bad_route(&method, &path, &format!("unexpected Content-Type: {ct:?}"));
    }
    // Auth middleware: plain-text 401s for a malformed or invalid token.
    let claims = match header(&headers, "authorization") {
        None => None,
        Some(h) => {
            let Some(token) = h.strip_prefix("Bearer ") else {
                return respond(
                    401,
                    "text/plain; charset=utf-8",
                    "invalid authorization header. Must start with Bearer \n",
                );
            };
            match d.verifier.verify_at(token, d.common.now()) {
                Ok(c) => Some(c),
                Err(rtcmint::Error::UnknownKey { .. }) => {
                    return respond(401, "text/plain; charset=utf-8", "invalid API key\n");
                }
                Err(e) => {
                    return respond(
                        401,
                        "text/plain; charset=utf-8",
                        &format!("invalid authorization token: {e}\n"),
                    );
                }
            }
        }
    };
    let Ok(req) = serde_json::from_slice::<Value>(if body.is_empty() { b"{}" } else { &body })
    else {
        return twirp("malformed", "the json request could not be decoded");
    };
    if !req.is_object() {
        return twirp("malformed", "the json request could not be decoded");
    }
    let video = claims
        .as_ref()
        .and_then(|c| c.grants.video.clone())
        .unwrap_or_default();
    let denied = || twirp("unauthenticated", "permissions denied");
    let room_admin = |room: &str| video.room_admin && video.room == room;

    let mut s = d.state.lock().unwrap();
    let camel = s.camel_case;
    let request_id = header(&headers, "x-livekit-request-id")
        .unwrap_or("")
        .to_owned();
    s.request_ids.push((rpc.to_owned(), request_id.clone()));
    match (service, rpc) {
        ("RoomService", "CreateRoom") => {
            if !video.room_create {
                return denied();
            }
            let name = str_field(&req, "name", "name");
            if name.is_empty() {
                return twirp("invalid_argument", "room name cannot be empty");
            }
            if name.len() > 256 {
                return twirp(
                    "invalid_argument",
                    "room name length exceeds limits: max length 256",
                );
            }
            let now = d.common.now();
            if !s.rooms.contains_key(&name) {
                let sid = s.id("RM_");
                s.rooms.insert(name.clone(), new_room(sid, now));
            }
            let room = s.rooms.get_mut(&name).unwrap();
            // Idempotent: non-zero fields overwrite, the sid stays.
            if let Some(m) =
                int_field(&req, "max_participants", "maxParticipants").filter(|m| *m != 0)
            {
                room.max_participants = m;
            }
            if let Some(t) = int_field(&req, "empty_timeout", "emptyTimeout").filter(|t| *t != 0) {
                room.empty_timeout = t;
            }
            let md = str_field(&req, "metadata", "metadata");
            if !md.is_empty() {
                room.metadata = md;
            }
            json_resp(200, &room_json(camel, &name, room))
        }
        ("RoomService", "ListRooms") => {
            if !video.room_list {
                return denied();
            }
            let names: Vec<String> = field(&req, "names", "names")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let rooms: Vec<Value> = s
                .rooms
                .iter()
                .filter(|(n, _)| names.is_empty() || names.contains(n))
                .map(|(n, r)| room_json(camel, n, r))
                .collect();
            json_resp(200, &json!({ "rooms": rooms }))
        }
        ("RoomService", "DeleteRoom") => {
            if !video.room_create {
                return denied();
            }
            let name = str_field(&req, "room", "room");
            if s.rooms.remove(&name).is_none() {
                return twirp("not_found", "requested room does not exist");
            }
            json_resp(200, &json!({}))
        }
        ("RoomService", "ListParticipants") => {
            let room = str_field(&req, "room", "room");
            if !room_admin(&room) {
                return denied();
            }
            let list: Vec<Value> = s
                .rooms
                .get(&room)
                .map(|r| {
                    r.participants
                        .iter()
                        .map(|p| participant_json(camel, p))
                        .collect()
                })
                .unwrap_or_default();
            json_resp(200, &json!({ "participants": list }))
        }
        ("RoomService", "RemoveParticipant") => {
            let room = str_field(&req, "room", "room");
            if !room_admin(&room) {
                return denied();
            }
            let identity = str_field(&req, "identity", "identity");
            let Some(r) = s.rooms.get_mut(&room) else {
                return twirp("not_found", "participant does not exist");
            };
            let before = r.participants.len();
            r.participants.retain(|p| p.identity != identity);
            if r.participants.len() == before {
                return twirp("not_found", "participant does not exist");
            }
            json_resp(200, &json!({}))
        }
        ("Egress", rpc) => {
            if !video.room_record {
                return denied();
            }
            if s.egress_disconnected {
                return twirp("internal", "egress not connected (redis required)");
            }
            match rpc {
                "StartRoomCompositeEgress" => {
                    if let Some(id) = s.egress_by_request.get(&request_id).cloned() {
                        let e = s.egress.get(&id).unwrap();
                        return json_resp(200, &egress_json(camel, &id, e));
                    }
                    let room_name = str_field(&req, "room_name", "roomName");
                    let Some(room_id) = s.rooms.get(&room_name).map(|r| r.sid.clone()) else {
                        return twirp("not_found", "requested room does not exist");
                    };
                    let outputs = field(&req, "file_outputs", "fileOutputs")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let Some(first) = outputs.first() else {
                        return twirp("invalid_argument", "no outputs provided");
                    };
                    let ft = str_field(first, "file_type", "fileType");
                    if !["", "DEFAULT_FILETYPE", "MP4", "OGG", "MP3"].contains(&ft.as_str()) {
                        return twirp("malformed", "the json request could not be decoded");
                    }
                    let mut filepath = str_field(first, "filepath", "filepath");
                    if filepath.is_empty() {
                        filepath = format!("{room_name}-{{time}}");
                    }
                    let id = s.id("EG_");
                    let e = LkEgress {
                        room_name,
                        room_id,
                        status: "EGRESS_STARTING",
                        filepath,
                        request: req.clone(),
                    };
                    let out = egress_json(camel, &id, &e);
                    if !request_id.is_empty() {
                        s.egress_by_request.insert(request_id.clone(), id.clone());
                    }
                    s.egress.insert(id, e);
                    json_resp(200, &out)
                }
                "StopEgress" => {
                    let id = str_field(&req, "egress_id", "egressId");
                    let Some(e) = s.egress.get_mut(&id) else {
                        return twirp("not_found", "egress does not exist");
                    };
                    if !matches!(e.status, "EGRESS_STARTING" | "EGRESS_ACTIVE") {
                        return twirp(
                            "failed_precondition",
                            &format!("egress with status {} cannot be stopped", e.status),
                        );
                    }
                    e.status = "EGRESS_ENDING";
                    let out = egress_json(camel, &id, e);
                    // The worker finishes the upload right after.
                    e.status = "EGRESS_COMPLETE";
                    json_resp(200, &out)
                }
                _ => bad_route(&method, &path, &format!("no handler for path {path:?}")),
            }
        }
        _ => bad_route(&method, &path, &format!("no handler for path {path:?}")),
    }
}
