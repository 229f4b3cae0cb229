//! Agora double: RESTful channel queries, kicking rules and Cloud Recording, with Basic auth.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Common, Running, header, json as json_resp, query_pairs, serve};

pub const APP_ID: &str = "0123456789abcdef0123456789abcdef";
pub const CUSTOMER_ID: &str = "cust_key_123";
pub const CUSTOMER_SECRET: &str = "cust_secret_456";

#[derive(Debug, Clone, Default)]
pub struct Channel {
    /// 1 communication, 2 live broadcasting.
    pub mode: u8,
    pub users: Vec<u32>,
    pub audience: Vec<u32>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub cname: String,
    pub uid: String,
    pub acquired_at: i64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub resource_id: String,
    pub cname: String,
    pub uid: String,
    pub mode: String,
    pub stopped: bool,
    pub request: Value,
}

#[derive(Debug, Default)]
pub struct AgoraState {
    pub channels: BTreeMap<String, Channel>,
    pub rules: Vec<Value>,
    pub resources: HashMap<String, Resource>,
    pub sessions: HashMap<String, Session>,
    /// Seconds the double's clock jumps right after an acquire (to test the 5-minute window).
    pub jump_after_acquire: i64,
    /// Leave `resourceId`/`sid` out of the code 7 and 53 answers (the real service names the
    /// running session in its error bodies; this tests the case where it does not).
    pub errors_omit_session: bool,
    /// The longest audience list returned (Agora: 10,000); `audience_total` has the real count.
    pub audience_cap: Option<usize>,
    next_id: u64,
}

pub struct AgoraDouble {
    pub common: Common,
    pub state: Mutex<AgoraState>,
}

impl AgoraDouble {
    pub async fn start() -> (Arc<Self>, Running) {
        let double = Arc::new(AgoraDouble {
            common: Common::default(),
            state: Mutex::new(AgoraState::default()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&double));
        let running = serve(router, &double.common).await;
        (double, running)
    }

    pub fn seed(&self, cname: &str, mode: u8, users: &[u32], audience: &[u32]) {
        self.state.lock().unwrap().channels.insert(
            cname.to_owned(),
            Channel {
                mode,
                users: users.to_vec(),
                audience: audience.to_vec(),
            },
        );
    }
}

fn msg(status: u16, message: &str) -> Response {
    json_resp(status, &json!({ "message": message }))
}

fn code(status: u16, code: u32, reason: &str) -> Response {
    json_resp(status, &json!({ "code": code, "reason": reason }))
}

async fn handle(
    State(d): State<Arc<AgoraDouble>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = handle_inner(Arc::clone(&d), method, uri.clone(), headers, body).await;
    d.common.after(&uri, r).await
}

async fn handle_inner(
    d: Arc<AgoraDouble>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = d.common.before(&method, &uri).await {
        return r;
    }
    // Gateway: Basic auth first.
    let Some(auth) = header(&headers, "authorization") else {
        return msg(401, "Unauthorized");
    };
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{CUSTOMER_ID}:{CUSTOMER_SECRET}"))
    );
    if auth != expected {
        return msg(401, "Invalid authentication credentials");
    }
    let path = uri.path().to_owned();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let body_json = || -> Result<Value, Response> {
        if header(&headers, "content-type").map(|c| c.starts_with("application/json")) != Some(true)
        {
            return Err(msg(415, "Unsupported Media Type"));
        }
        serde_json::from_slice(&body).map_err(|_| code(400, 2, "invalid JSON body"))
    };
    let mut s = d.state.lock().unwrap();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["dev", "v1", "channel", appid]) => {
            if *appid != APP_ID {
                return msg(400, "invalid appid");
            }
            let q: HashMap<String, String> = query_pairs(&uri).into_iter().collect();
            let page_no: usize = q.get("page_no").and_then(|p| p.parse().ok()).unwrap_or(0);
            let size: usize = q
                .get("page_size")
                .and_then(|p| p.parse().ok())
                .unwrap_or(100);
            if !(1..=500).contains(&size) {
                return code(400, 2, "page_size must be in [1, 500]");
            }
            let online: Vec<(&String, &Channel)> = s
                .channels
                .iter()
                .filter(|(_, c)| !c.users.is_empty() || !c.audience.is_empty())
                .collect();
            let channels: Vec<Value> = online
                .iter()
                .skip(page_no * size)
                .take(size)
                .map(|(n, c)| json!({"channel_name": n, "user_count": c.users.len() + c.audience.len()}))
                .collect();
            json_resp(
                200,
                &json!({"success": true, "data": {"channels": channels, "total_size": online.len()}}),
            )
        }
        ("GET", ["dev", "v1", "channel", "user", appid, cname]) => {
            if *appid != APP_ID {
                return msg(400, "invalid appid");
            }
            let hosts_only = query_pairs(&uri).iter().any(|(k, _)| k == "hosts_only");
            match s.channels.get(*cname) {
                Some(c) if !c.users.is_empty() || !c.audience.is_empty() => {
                    if c.mode == 2 {
                        let audience: &[u32] = if hosts_only { &[] } else { &c.audience };
                        let cap = s.audience_cap.unwrap_or(10_000).min(audience.len());
                        json_resp(
                            200,
                            &json!({"success": true, "data": {
                            "channel_exist": true, "mode": 2, "broadcasters": c.users,
                            "audience": &audience[..cap], "audience_total": audience.len()}}),
                        )
                    } else {
                        json_resp(
                            200,
                            &json!({"success": true, "data": {
                            "channel_exist": true, "mode": 1, "total": c.users.len(), "users": c.users}}),
                        )
                    }
                }
                _ => json_resp(
                    200,
                    &json!({"success": true, "data": {"channel_exist": false}}),
                ),
            }
        }
        ("POST", ["dev", "v1", "kicking-rule"]) => {
            let b = match body_json() {
                Ok(b) => b,
                Err(r) => return r,
            };
            if b.get("appid").and_then(Value::as_str) != Some(APP_ID) {
                return msg(400, "invalid appid");
            }
            let privileges: Vec<&str> = b
                .get("privileges")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if privileges.is_empty()
                || privileges
                    .iter()
                    .any(|p| !["join_channel", "publish_audio", "publish_video"].contains(p))
            {
                return code(400, 2, "invalid privileges");
            }
            let cname = b.get("cname").and_then(Value::as_str).map(str::to_owned);
            let uid = b.get("uid").and_then(Value::as_u64);
            if uid == Some(0) || (cname.is_none() && uid.is_none() && b.get("ip").is_none()) {
                return code(400, 2, "a rule needs cname, uid or ip (uid must not be 0)");
            }
            // time (minutes) [1,1440], time_in_seconds [10,86430] wins; absent → 60 min; 0 → kick once.
            let secs = match (
                b.get("time_in_seconds").and_then(Value::as_u64),
                b.get("time").and_then(Value::as_u64),
            ) {
                (Some(0), _) | (None, Some(0)) => 0,
                (Some(t), _) => t.clamp(10, 86_430),
                (None, Some(t)) => t.clamp(1, 1440) * 60,
                (None, None) => 3600,
            };
            if privileges.contains(&"join_channel") {
                let targets: Vec<String> = match &cname {
                    Some(c) => vec![c.clone()],
                    None => s.channels.keys().cloned().collect(),
                };
                for c in targets {
                    if let Some(ch) = s.channels.get_mut(&c) {
                        match uid {
                            Some(u) => {
                                ch.users.retain(|x| u64::from(*x) != u);
                                ch.audience.retain(|x| u64::from(*x) != u);
                            }
                            None => {
                                ch.users.clear();
                                ch.audience.clear();
                            }
                        }
                    }
                }
            }
            s.next_id += 1;
            let id = 1000 + s.next_id;
            s.rules.push(json!({"id": id, "appid": APP_ID, "uid": uid, "cname": cname, "seconds": secs, "privileges": privileges}));
            json_resp(200, &json!({"status": "success", "id": id}))
        }
        (
            "GET",
            [
                "v1",
                "apps",
                appid,
                "cloud_recording",
                "resourceid",
                rid,
                "sid",
                sid,
                "mode",
                mode,
                "query",
            ],
        ) => {
            if *appid != APP_ID {
                return msg(400, "invalid appid");
            }
            match s.sessions.get(*sid) {
                Some(x) if !x.stopped && x.resource_id == *rid && x.mode == *mode => json_resp(
                    200,
                    &json!({"resourceId": rid, "sid": sid, "serverResponse": {"status": 5, "fileListMode": "string", "fileList": "", "sliceStartTime": 0}}),
                ),
                _ => json_resp(
                    404,
                    &json!({"resourceId": rid, "sid": sid, "code": 404,
                    "serverResponse": {"message": "failed to find worker"}}),
                ),
            }
        }
        ("POST", ["v1", "apps", appid, "cloud_recording", rest @ ..]) => {
            if *appid != APP_ID {
                return msg(400, "invalid appid");
            }
            let b = match body_json() {
                Ok(b) => b,
                Err(r) => return r,
            };
            let cname = b
                .get("cname")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let Some(uid) = b.get("uid").and_then(Value::as_str).map(str::to_owned) else {
                return code(400, 2, "uid must be a string");
            };
            if cname.is_empty() || uid.parse::<u32>().is_err() {
                return code(400, 2, "invalid cname or uid");
            }
            let now = d.common.now();
            match rest {
                ["acquire"] => {
                    let hours = b
                        .pointer("/clientRequest/resourceExpiredHour")
                        .and_then(Value::as_u64)
                        .unwrap_or(72);
                    if !(1..=720).contains(&hours) {
                        return code(400, 2, "Acquire: invalid resourceExpiredHour value!");
                    }
                    s.next_id += 1;
                    let rid = format!("RID{:040}", s.next_id);
                    s.resources.insert(
                        rid.clone(),
                        Resource {
                            cname,
                            uid,
                            acquired_at: now,
                            used: false,
                        },
                    );
                    if s.jump_after_acquire != 0 {
                        d.common.set_now(now + s.jump_after_acquire);
                    }
                    json_resp(200, &json!({ "resourceId": rid }))
                }
                ["resourceid", rid, "mode", mode, "start"] => {
                    if !["mix", "individual", "web"].contains(mode) {
                        return code(400, 2, "invalid mode");
                    }
                    let Some(res) = s.resources.get(*rid).cloned() else {
                        return code(400, 1001, "failed to decrypt resourceId");
                    };
                    if now - res.acquired_at > 300 {
                        return code(400, 433, "resourceId expired");
                    }
                    if res.cname != cname || res.uid != uid {
                        return code(400, 432, "parameters do not match the resourceId");
                    }
                    let omit = s.errors_omit_session;
                    let running = |code: u32, reason: &str, rid: &str, sid: &str| {
                        let mut v = json!({"code": code, "reason": reason});
                        if !omit {
                            v["resourceId"] = json!(rid);
                            v["sid"] = json!(sid);
                        }
                        json_resp(400, &v)
                    };
                    if res.used {
                        let sid = s
                            .sessions
                            .iter()
                            .find(|(_, x)| x.resource_id == *rid)
                            .map(|(k, _)| k.clone())
                            .unwrap_or_default();
                        return running(
                            7,
                            "recording is already running with this resourceId",
                            rid,
                            &sid,
                        );
                    }
                    if let Some((sid, x)) = s
                        .sessions
                        .iter()
                        .find(|(_, x)| !x.stopped && x.cname == cname && x.uid == uid)
                    {
                        return running(
                            53,
                            "recording is already running: use another uid",
                            &x.resource_id,
                            sid,
                        );
                    }
                    let st = b.pointer("/clientRequest/storageConfig");
                    let ok = st.is_some_and(|st| {
                        ["vendor", "region"]
                            .iter()
                            .all(|k| st.get(*k).and_then(Value::as_u64).is_some())
                            && ["bucket", "accessKey", "secretKey"].iter().all(|k| {
                                st.get(*k)
                                    .and_then(Value::as_str)
                                    .is_some_and(|v| !v.is_empty())
                            })
                    });
                    if !ok {
                        return code(400, 2, "invalid storageConfig");
                    }
                    s.resources.get_mut(*rid).unwrap().used = true;
                    s.next_id += 1;
                    let sid = format!("SID{:029}", s.next_id);
                    s.sessions.insert(
                        sid.clone(),
                        Session {
                            resource_id: rid.to_string(),
                            cname: cname.clone(),
                            uid: uid.clone(),
                            mode: mode.to_string(),
                            stopped: false,
                            request: b.clone(),
                        },
                    );
                    json_resp(
                        200,
                        &json!({"cname": cname, "uid": uid, "resourceId": rid, "sid": sid}),
                    )
                }
                ["resourceid", rid, "sid", sid, "mode", mode, "stop"] => {
                    let has_publisher = s.channels.get(&cname).is_some_and(|c| !c.users.is_empty());
                    match s.sessions.get_mut(*sid) {
                        Some(x) if !x.stopped && x.resource_id == *rid && x.mode == *mode => {
                            x.stopped = true;
                            if !has_publisher {
                                return json_resp(
                                    400,
                                    &json!({"resourceId": rid, "sid": sid, "code": 435, "reason": "no recorded file created"}),
                                );
                            }
                            json_resp(
                                200,
                                &json!({"cname": cname, "uid": uid, "resourceId": rid, "sid": sid,
                                "serverResponse": {"fileListMode": "string", "fileList": format!("{sid}_{cname}.m3u8"), "uploadingStatus": "uploaded"}}),
                            )
                        }
                        _ => json_resp(
                            404,
                            &json!({"resourceId": rid, "sid": sid, "code": 404,
                            "serverResponse": {"message": "failed to find worker"}}),
                        ),
                    }
                }
                _ => msg(404, "no Route matched with those values"),
            }
        }
        _ => msg(404, "no Route matched with those values"),
    }
}
