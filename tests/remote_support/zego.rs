//! ZEGO double: `rtc-api` room actions and `cloudrecord-api`, with the MD5 signature check,
//! the 10-minute timestamp window and HTTP 200 + `Code` answers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use md5::{Digest as _, Md5};
use serde_json::{Value, json};

use super::{Common, Running, json as json_resp, query_pairs, serve};

pub const APP_ID: u32 = 1_234_567_890;
pub const SERVER_SECRET: &str = "00112233445566778899aabbccddeeff";

#[derive(Debug, Default)]
pub struct ZegoState {
    /// Room → users (UserId, UserName), in login order.
    pub rooms: BTreeMap<String, Vec<(String, String)>>,
    /// Whether ZEGO "enabled" DescribeRoomList for the app.
    pub room_list_enabled: bool,
    /// TaskId → (room, status 1..=3, request body).
    pub tasks: HashMap<String, (String, u8, Value)>,
    next_id: u64,
}

pub struct ZegoDouble {
    pub common: Common,
    pub state: Mutex<ZegoState>,
}

impl ZegoDouble {
    pub async fn start() -> (Arc<Self>, Running) {
        let double = Arc::new(ZegoDouble {
            common: Common::default(),
            state: Mutex::new(ZegoState::default()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&double));
        let running = serve(router, &double.common).await;
        (double, running)
    }

    pub fn login(&self, room: &str, user: &str, name: &str) {
        self.state
            .lock()
            .unwrap()
            .rooms
            .entry(room.to_owned())
            .or_default()
            .push((user.to_owned(), name.to_owned()));
    }
}

fn answer(code: u64, message: &str, data: Option<Value>) -> Response {
    let mut v = json!({"Code": code, "Message": message, "RequestId": "zego-req-1"});
    if let Some(d) = data {
        v["Data"] = d;
    }
    // ZEGO always answers HTTP 200 and puts the outcome in `Code`.
    json_resp(200, &v)
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn handle(
    State(d): State<Arc<ZegoDouble>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = handle_inner(Arc::clone(&d), method, uri.clone(), headers, body).await;
    d.common.after(&uri, r).await
}

async fn handle_inner(
    d: Arc<ZegoDouble>,
    method: Method,
    uri: Uri,
    _headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = d.common.before(&method, &uri).await {
        return r;
    }
    let pairs = query_pairs(&uri);
    let one = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let many = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    // Common parameters, in the gateway's order.
    let Some(action) = one("Action").filter(|a| !a.is_empty()) else {
        return answer(100_000_006, "Action is missing", None);
    };
    let Some(app) = one("AppId") else {
        return answer(100_000_001, "AppId is invalid", None);
    };
    let Ok(app) = app.parse::<u32>() else {
        return answer(100_000_001, "AppId is invalid", None);
    };
    if app != APP_ID {
        return answer(100_000_010, "app does not exist", None);
    }
    let Some(ts) = one("Timestamp") else {
        return answer(100_000_002, "Timestamp is missing", None);
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return answer(100_000_003, "Timestamp is malformed", None);
    };
    match one("SignatureVersion").as_deref() {
        None => return answer(100_000_013, "SignatureVersion is missing", None),
        Some("2.0") => {}
        Some(_) => return answer(100_000_014, "SignatureVersion is unsupported", None),
    }
    let Some(nonce) =
        one("SignatureNonce").filter(|n| n.len() == 16 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return answer(
            100_000_008,
            "SignatureNonce is missing or not 16 hex characters",
            None,
        );
    };
    let Some(sig) = one("Signature") else {
        return answer(100_000_009, "Signature is missing", None);
    };
    if (ts - d.common.now()).abs() > 600 {
        return answer(100_000_004, "signature expired", None);
    }
    if sig != md5_hex(&format!("{app}{nonce}{SERVER_SECRET}{ts}")) {
        return answer(100_000_005, "invalid signature", None);
    }

    let mut s = d.state.lock().unwrap();
    let room_gone = |code| answer(code, "room not exist", None);
    match (method.as_str(), action.as_str()) {
        ("GET", "DescribeUserNum") => {
            let ids = many("RoomId[]");
            if ids.is_empty() || ids.len() > 10 {
                return answer(2, "RoomId[] must hold 1 to 10 rooms", None);
            }
            let list: Vec<Value> = ids
                .iter()
                .map(|r| json!({"RoomId": r, "UserCount": s.rooms.get(r).map_or(0, Vec::len), "AdminUserCount": 0}))
                .collect();
            answer(0, "success", Some(json!({ "UserCountList": list })))
        }
        ("GET", "DescribeUserList") => {
            let Some(room) = one("RoomId").filter(|r| !r.is_empty()) else {
                return answer(2, "RoomId is required", None);
            };
            let limit: usize = one("Limit").and_then(|l| l.parse().ok()).unwrap_or(200);
            if !(1..=200).contains(&limit) {
                return answer(2, "Limit must be at most 200", None);
            }
            let start: usize = match one("Marker").filter(|m| !m.is_empty()) {
                None => 0,
                Some(m) => match m.strip_prefix("mk-").and_then(|n| n.parse().ok()) {
                    Some(n) => n,
                    None => return answer(2, "Marker is invalid", None),
                },
            };
            let users = s.rooms.get(&room).cloned().unwrap_or_default();
            let page: Vec<Value> = users
                .iter()
                .skip(start)
                .take(limit)
                .map(|(id, name)| json!({"UserId": id, "UserName": name, "UserRole": 0}))
                .collect();
            let marker = if start + limit < users.len() {
                format!("mk-{}", start + limit)
            } else {
                String::new()
            };
            answer(
                0,
                "success",
                Some(json!({"Marker": marker, "UserList": page})),
            )
        }
        ("GET", "KickoutUser") => {
            let Some(room) = one("RoomId").filter(|r| !r.is_empty()) else {
                return answer(2, "RoomId is required", None);
            };
            let ids = many("UserId[]");
            if ids.is_empty() || ids.len() > 5 {
                return answer(2, "UserId[] must hold 1 to 5 users", None);
            }
            let Some(users) = s.rooms.get_mut(&room) else {
                return room_gone(50_001);
            };
            users.retain(|(u, _)| !ids.contains(u));
            if users.is_empty() {
                s.rooms.remove(&room);
            }
            answer(0, "success", None)
        }
        ("GET", "CloseRoom") => {
            let Some(room) = one("RoomId").filter(|r| !r.is_empty()) else {
                return answer(2, "RoomId is required", None);
            };
            if s.rooms.remove(&room).is_none() {
                return room_gone(5024);
            }
            answer(0, "success", None)
        }
        ("GET", "DescribeRoomList") if s.room_list_enabled => {
            let index: usize = one("PageIndex").and_then(|p| p.parse().ok()).unwrap_or(1);
            let size: usize = one("PageSize").and_then(|p| p.parse().ok()).unwrap_or(100);
            if index == 0 || !(1..=200).contains(&size) {
                return answer(2, "PageIndex/PageSize out of range", None);
            }
            let mut all: Vec<(&String, usize)> =
                s.rooms.iter().map(|(r, u)| (r, u.len())).collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let list: Vec<Value> = all
                .iter()
                .skip((index - 1) * size)
                .take(size)
                .map(|(r, n)| json!({"RoomId": r, "UserCount": n}))
                .collect();
            answer(
                0,
                "success",
                Some(json!({"TotalCount": all.len(), "RoomList": list})),
            )
        }
        ("POST", "StartRecord") => {
            let Ok(b) = serde_json::from_slice::<Value>(&body) else {
                return answer(2, "invalid JSON body", None);
            };
            let room = b.get("RoomId").and_then(Value::as_str).unwrap_or("");
            let mode = b
                .pointer("/RecordInputParams/RecordMode")
                .and_then(Value::as_u64);
            if room.is_empty() || !matches!(mode, Some(1 | 2)) {
                return answer(
                    2,
                    "RoomId and RecordInputParams.RecordMode are required",
                    None,
                );
            }
            if mode == Some(2)
                && b.pointer("/RecordInputParams/MixConfig/MixOutputStreamId")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                return answer(
                    2,
                    "MixConfig.MixOutputStreamId is required in mixed mode",
                    None,
                );
            }
            let st = b.get("StorageParams");
            let vendor = st.and_then(|s| s.get("Vendor")).and_then(Value::as_u64);
            let bucket_ok = st
                .and_then(|s| s.get("Bucket"))
                .and_then(Value::as_str)
                .is_some_and(|b| !b.is_empty());
            if !matches!(vendor, Some(1..=10))
                || !bucket_ok
                || (vendor == Some(10) && st.and_then(|s| s.get("EndPoint")).is_none())
            {
                return answer(2, "StorageParams are invalid", None);
            }
            s.next_id += 1;
            let task = format!("{:016x}", 0xabc0_0000_0000_0000u64 + s.next_id);
            s.tasks
                .insert(task.clone(), (room.to_owned(), 2, b.clone()));
            answer(0, "succeed", Some(json!({ "TaskId": task })))
        }
        ("POST", "StopRecord") => {
            let Ok(b) = serde_json::from_slice::<Value>(&body) else {
                return answer(2, "invalid JSON body", None);
            };
            let task = b.get("TaskId").and_then(Value::as_str).unwrap_or("");
            match s.tasks.get_mut(task) {
                Some(t) if t.1 == 2 => {
                    t.1 = 3;
                    answer(0, "succeed", None)
                }
                Some(_) => answer(2, "task already ended", None),
                None => answer(2, "task does not exist", None),
            }
        }
        _ => answer(100_000_007, "unsupported Action", None),
    }
}
