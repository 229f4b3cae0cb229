//! `POST /v1/rtc/webhooks/{vendor}` over real HTTP: the shared webhook vectors through the
//! gateway, duplicates (also across instances and after a restart), refusals and their metrics,
//! and what the events change: Agora and ZEGO presence in room.get / participant.list, LiveKit
//! egress status in recording.get / recording.stop. Every store-touching test runs on SQLite
//! and, when `RTCMINT_TEST_DATABASE_URL` is set, on PostgreSQL too.
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::too_many_lines,
    clippy::result_large_err,
    clippy::field_reassign_with_default
)]

#[path = "serve_support/gateway.rs"]
mod gw;
mod pg_support;
mod remote_support;
mod serve_support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use gw::{Doubles, Gw, Resp};
use remote_support::within;
use rtcmint::FixedClock;
use rtcmint::livekit::{ClaimGrants, LiveKitMinter};
use rtcmint::serve::store::{PgStore, Store};
use rtcmint::webhook::{AgoraWebhookVerifier, LiveKitWebhookVerifier, ZegoWebhookVerifier};
use serde_json::{Value, json};

/// The vectors' clock.
const NOW: i64 = 1_767_225_601;

fn vectors(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/vectors/webhooks/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn case<'a>(cases: &'a [Value], id: &str) -> &'a Value {
    cases.iter().find(|c| c["id"] == id).unwrap()
}

/// The stores each test runs on: a fresh SQLite file, and a fresh PostgreSQL database when a
/// server is configured (`name` says which test asked).
async fn stores(name: &'static str) -> Vec<(&'static str, Arc<dyn Store>)> {
    let dir = serve_support::temp_dir("wh");
    let mut out: Vec<(&'static str, Arc<dyn Store>)> =
        vec![("sqlite", gw::sqlite(&dir.join("gw.db")).await)];
    if let Some(db) = pg_support::fresh_database(name).await {
        out.push(("postgres", Arc::new(PgStore::open(&db.url).await.unwrap())));
    }
    out
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The secrets of the vector files.
fn vector_env() -> HashMap<String, String> {
    let lk = vectors("livekit_node.json")[0]["inputs"].clone();
    let ag = case(&vectors("agora_doc_derived.json"), "rtc_101")["inputs"].clone();
    let zg = case(&vectors("zego_doc_derived.json"), "room_create")["inputs"].clone();
    env(&[
        ("LIVEKIT_API_KEY", lk["key"].as_str().unwrap()),
        ("LIVEKIT_API_SECRET", lk["secret"].as_str().unwrap()),
        ("AGORA_WEBHOOK_SECRET", ag["secret"].as_str().unwrap()),
        ("ZEGO_CALLBACK_SECRET", zg["secret"].as_str().unwrap()),
    ])
}

async fn start_at(env: &HashMap<String, String>, store: Arc<dyn Store>, now: i64) -> Gw {
    Gw::start_with_clock(
        gw::config(),
        gw::vendors_from(env),
        store,
        Arc::new(FixedClock(now)),
    )
    .await
}

/// Posts a delivery: the exact body and headers, no API key.
async fn deliver(g: &Gw, vendor: &str, body: &[u8], headers: &[(String, String)]) -> Resp {
    let mut r = g
        .http
        .post(g.url(&format!("/v1/rtc/webhooks/{vendor}")))
        .body(body.to_vec());
    for (k, v) in headers {
        r = r.header(k.as_str(), v.as_str());
    }
    g.send(r, None).await
}

async fn deliver_case(g: &Gw, vendor: &str, c: &Value) -> Resp {
    let inputs = &c["inputs"];
    let headers: Vec<(String, String)> = inputs["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    deliver(
        g,
        vendor,
        inputs["body"].as_str().unwrap().as_bytes(),
        &headers,
    )
    .await
}

async fn metrics(g: &Gw) -> String {
    g.send(g.http.get(g.url("/metrics")), None).await.text
}

/// `rtcmint_webhooks_total{vendor,outcome}` (0 when absent).
fn webhook_count(metrics: &str, vendor: &str, outcome: &str) -> u64 {
    let prefix = format!(r#"rtcmint_webhooks_total{{vendor="{vendor}",outcome="{outcome}"}} "#);
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map_or(0, |n| n.trim().parse().unwrap())
}

fn vendor_calls(metrics: &str, vendor: &str, operation: &str) -> u64 {
    let prefix =
        format!(r#"rtcmint_vendor_calls_total{{vendor="{vendor}",operation="{operation}","#);
    metrics
        .lines()
        .filter(|l| l.starts_with(prefix.as_str()))
        .filter_map(|l| l.rsplit(' ').next())
        .map(|n| n.parse::<u64>().unwrap())
        .sum()
}

/// The verdict the gateway gives a vector case: the spec's recommended one, except where the
/// library deliberately differs (a `Bearer ` prefix is tolerated) and where the gateway adds a
/// policy (ZEGO's timestamp window of 10 minutes).
fn accepted(vendor: &str, c: &Value) -> bool {
    match (vendor, c["id"].as_str().unwrap()) {
        ("livekit", "header_bearer_prefix") => true,
        ("zego", "old_timestamp_replay") => false,
        ("livekit", _) => c["recommended"] == "accept",
        _ => c["expected"]["valid"] == true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vectors_through_the_gateway() {
    within(90, async {
        for (backend, store) in stores("vectors_through_the_gateway").await {
            let g = start_at(&vector_env(), store, NOW).await;
            let mut accepted_ids = Vec::new();
            for (vendor, file) in [
                ("livekit", "livekit_node.json"),
                ("agora", "agora_doc_derived.json"),
                ("zego", "zego_doc_derived.json"),
            ] {
                for c in vectors(file) {
                    let id = c["id"].as_str().unwrap();
                    // Cases of another secret or clock than the file's own (ZEGO's old timestamp
                    // is checked against the gateway's window).
                    if id.starts_with("doc_example")
                        || (vendor == "livekit" && c["kind"] == "clock")
                    {
                        continue;
                    }
                    let r = deliver_case(&g, vendor, &c).await;
                    if accepted(vendor, &c) {
                        let v = r.expect(200);
                        assert_eq!(v["ok"], true, "{backend} {vendor} {id}: {}", r.text);
                        let event_id = v["event_id"].as_str().unwrap().to_owned();
                        let dup = accepted_ids.contains(&(vendor, event_id.clone()));
                        assert_eq!(v["duplicate"], dup, "{backend} {vendor} {id}: {}", r.text);
                        accepted_ids.push((vendor, event_id));
                    } else {
                        assert!(
                            r.status == 401 || r.status == 400,
                            "{backend} {vendor} {id}: {} {}",
                            r.status,
                            r.text
                        );
                        let code = r.code().to_owned();
                        assert!(
                            [
                                "webhook_signature_invalid",
                                "webhook_expired",
                                "webhook_malformed"
                            ]
                            .contains(&code.as_str()),
                            "{backend} {vendor} {id}: {}",
                            r.text
                        );
                        r.expect_error(r.status, &code);
                        assert!(r.json["error"]["reason"].as_str().is_some(), "{}", r.text);
                        assert!(
                            r.header("www-authenticate").is_none(),
                            "no bearer challenge on a webhook"
                        );
                    }
                }
            }
            // The LiveKit ids are the events' own; a ZEGO id is timestamp:nonce.
            assert!(accepted_ids.contains(&("livekit", "EV_Ee9Uj0Ik1Ol2".to_owned())));
            assert!(accepted_ids.contains(&("agora", "2000001428:4330:101".to_owned())));
            assert!(
                accepted_ids
                    .iter()
                    .any(|(v, id)| *v == "zego" && id == "1767225600:350176")
            );
            // ZEGO's unsigned body: a forged body with a seen timestamp/nonce is a duplicate.
            let zego = vectors("zego_doc_derived.json");
            let forged = case(&zego, "body_field_changed_signature_still_valid");
            let r = deliver_case(&g, "zego", forged).await;
            assert_eq!(r.expect(200)["duplicate"], true, "{}", r.text);
            // Every redelivery is a duplicate, counted as one.
            let m0 = metrics(&g).await;
            let lk = vectors("livekit_node.json");
            let r = deliver_case(&g, "livekit", case(&lk, "valid_room_started")).await;
            assert_eq!(r.expect(200)["duplicate"], true);
            let m1 = metrics(&g).await;
            assert_eq!(
                webhook_count(&m1, "livekit", "duplicate"),
                webhook_count(&m0, "livekit", "duplicate") + 1
            );
            assert_eq!(
                webhook_count(&m1, "livekit", "ok"),
                webhook_count(&m0, "livekit", "ok")
            );
            assert!(webhook_count(&m1, "livekit", "bad_signature") >= 3, "{m1}");
            assert!(webhook_count(&m1, "agora", "bad_signature") >= 3, "{m1}");
            assert!(webhook_count(&m1, "zego", "expired") >= 1, "{m1}");
            assert!(webhook_count(&m1, "livekit", "malformed") >= 1, "{m1}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_their_metrics() {
    within(60, async {
        let lk = vectors("livekit_node.json");
        let good = case(&lk, "valid_room_started");
        // Only LiveKit configured; a small body limit.
        let mut e = vector_env();
        e.remove("AGORA_WEBHOOK_SECRET");
        e.remove("ZEGO_CALLBACK_SECRET");
        let mut config = gw::config();
        config.webhook_body_limit = 4096;
        let dir = serve_support::temp_dir("wh-refuse");
        let g = Gw::start_with_clock(
            config,
            gw::vendors_from(&e),
            gw::sqlite(&dir.join("gw.db")).await,
            Arc::new(FixedClock(NOW)),
        )
        .await;
        // No API key is needed (nor checked): the signature is the authentication.
        deliver_case(&g, "livekit", good).await.expect(200);
        // A bad signature: 401, counted once.
        let m0 = metrics(&g).await;
        let r = deliver_case(&g, "livekit", case(&lk, "wrong_secret")).await;
        r.expect_error(401, "webhook_signature_invalid");
        assert!(r.header("www-authenticate").is_none());
        let m1 = metrics(&g).await;
        assert_eq!(
            webhook_count(&m1, "livekit", "bad_signature"),
            webhook_count(&m0, "livekit", "bad_signature") + 1,
            "{m1}"
        );
        // Unconfigured vendors: 404 naming the variable; unknown vendors: 404.
        let r = deliver(&g, "agora", b"{}", &[]).await;
        let e = r.expect_error(404, "webhook_not_configured");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("AGORA_WEBHOOK_SECRET")
        );
        deliver(&g, "zego", b"{}", &[])
            .await
            .expect_error(404, "webhook_not_configured");
        deliver(&g, "twilio", b"{}", &[])
            .await
            .expect_error(404, "route_not_found");
        let m2 = metrics(&g).await;
        assert_eq!(webhook_count(&m2, "agora", "not_configured"), 1, "{m2}");
        // Oversized: 400 before any verification.
        let big = vec![b' '; 5000];
        deliver(&g, "livekit", &big, &[])
            .await
            .expect_error(400, "body_too_large");
        // No Authorization at all: 401; an expired token: 401 webhook_expired.
        deliver(
            &g,
            "livekit",
            good["inputs"]["body"].as_str().unwrap().as_bytes(),
            &[],
        )
        .await
        .expect_error(401, "webhook_signature_invalid");
        let later = start_at(
            &vector_env(),
            gw::sqlite(&dir.join("later.db")).await,
            NOW + 3600,
        )
        .await;
        let r = deliver_case(&later, "livekit", good).await;
        let e = r.expect_error(401, "webhook_expired");
        assert_eq!(e["reason"], "expired");
        assert_eq!(
            webhook_count(&metrics(&later).await, "livekit", "expired"),
            1
        );
        // GET is not a delivery.
        let r = g
            .send(g.http.get(g.url("/v1/rtc/webhooks/livekit")), None)
            .await;
        r.expect_error(405, "method_not_allowed");
        // The route is counted under its pattern.
        let m = metrics(&g).await;
        assert!(
            m.contains(r#"route="/v1/rtc/webhooks/{vendor}",method="POST",status="401""#),
            "{m}"
        );
        assert!(!m.contains(good["inputs"]["secret"].as_str().unwrap()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_across_instances_and_restarts() {
    within(60, async {
        let lk = vectors("livekit_node.json");
        let c = case(&lk, "valid_participant_joined");
        for (backend, store) in stores("duplicates_across_instances_and_restarts").await {
            let a = start_at(&vector_env(), Arc::clone(&store), NOW).await;
            let b = start_at(&vector_env(), Arc::clone(&store), NOW).await;
            let r = deliver_case(&a, "livekit", c).await;
            assert_eq!(r.expect(200)["duplicate"], false, "{backend}");
            let r = deliver_case(&b, "livekit", c).await;
            assert_eq!(r.expect(200)["duplicate"], true, "{backend}: {}", r.text);
            drop(a);
            drop(b);
            let again = start_at(&vector_env(), store, NOW + 30).await;
            let r = deliver_case(&again, "livekit", c).await;
            assert_eq!(
                r.expect(200)["duplicate"],
                true,
                "{backend}: after a restart"
            );
        }
        // Concurrent redeliveries: exactly one is new.
        let dir = serve_support::temp_dir("wh-conc");
        let g = start_at(&vector_env(), gw::sqlite(&dir.join("gw.db")).await, NOW).await;
        let g = Arc::new(g);
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let g = Arc::clone(&g);
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                deliver_case(&g, "livekit", &c).await.json["duplicate"] == false
            }));
        }
        let mut fresh = 0;
        for t in tasks {
            fresh += u32::from(t.await.unwrap());
        }
        assert_eq!(fresh, 1);
    })
    .await;
}

/// Agora NCS deliveries signed with `secret`.
fn agora_event(
    v: &AgoraWebhookVerifier,
    notice: &str,
    event_type: i64,
    payload: &Value,
) -> (Vec<u8>, Vec<(String, String)>) {
    let body = json!({
        "noticeId": notice, "productId": 1, "eventType": event_type,
        "notifyMs": NOW * 1000, "payload": payload,
    })
    .to_string()
    .into_bytes();
    let headers = vec![("Agora-Signature-V2".to_owned(), v.sign_v2(&body))];
    (body, headers)
}

/// ZEGO callbacks signed with `secret` (nonce `n`).
fn zego_event(v: &ZegoWebhookVerifier, nonce: &str, mut fields: Value) -> Vec<u8> {
    let ts = NOW.to_string();
    fields["timestamp"] = Value::from(ts.clone());
    fields["nonce"] = Value::from(nonce);
    fields["signature"] = Value::from(v.sign(&ts, nonce));
    fields["appid"] = Value::from(1_234_567_890);
    fields.to_string().into_bytes()
}

fn json_ct() -> Vec<(String, String)> {
    vec![("Content-Type".to_owned(), "application/json".to_owned())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_from_webhooks_answers_room_get_and_participant_list() {
    within(90, async {
        for (backend, store) in
            stores("presence_from_webhooks_answers_room_get_and_participant_list").await
        {
            let d = Doubles::start().await;
            let mut e = d.env();
            e.insert("AGORA_WEBHOOK_SECRET".into(), "agora-ncs-secret".into());
            e.insert("ZEGO_CALLBACK_SECRET".into(), "zego-callback-secret".into());
            let g = start_at(&e, store, NOW).await;
            let agora = AgoraWebhookVerifier::new("agora-ncs-secret").unwrap();
            let zego = ZegoWebhookVerifier::new("zego-callback-secret").unwrap();

            // Agora: before any webhook, occupancy is live from the vendor's API.
            let room = g
                .post(
                    "/v1/rtc/room/create",
                    json!({"name": "standup", "vendor": "agora"}),
                )
                .await
                .expect(200)["room"]
                .as_str()
                .unwrap()
                .to_owned();
            d.agora.seed("standup", 1, &[42], &[]);
            let v = g.get(&format!("/v1/rtc/room/get/{room}")).await;
            let v = v.expect(200);
            assert_eq!(v["occupancy_source"], "vendor_api", "{backend}: {v}");
            assert_eq!(v["occupancy"], 1);

            let ch = |uid: i64, seq: i64| {
                json!({"channelName": "standup", "uid": uid, "platform": 1, "clientSeq": seq, "ts": NOW - 5})
            };
            for (notice, t, p) in [
                ("n-101", 101, json!({"channelName": "standup", "ts": NOW - 10})),
                ("n-103", 103, ch(7, 1)),
                ("n-105", 105, ch(8, 2)),
            ] {
                let (body, h) = agora_event(&agora, notice, t, &p);
                let r = deliver(&g, "agora", &body, &h).await;
                assert_eq!(r.expect(200)["duplicate"], false, "{backend}: {}", r.text);
            }
            let m0 = metrics(&g).await;
            let v = g.get(&format!("/v1/rtc/room/get/{room}")).await;
            let v = v.expect(200).clone();
            assert_eq!(v["occupancy"], 2, "{backend}: {v}");
            assert_eq!(v["occupancy_source"], "webhooks");
            assert_eq!(v["occupancy_as_of"], NOW - 5);
            let p = g.get(&format!("/v1/rtc/participant/list/{room}")).await;
            let p = p.expect(200).clone();
            assert_eq!(p["source"], "webhooks", "{p}");
            assert_eq!(p["as_of"], NOW - 5);
            let ids: Vec<&str> = p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["identity"].as_str().unwrap())
                .collect();
            assert_eq!(ids, ["7", "8"]);
            assert_eq!(p["items"][0]["joined_at"], NOW - 5);
            // Paging.
            let p = g
                .get(&format!("/v1/rtc/participant/list/{room}?limit=1"))
                .await;
            assert_eq!(p.expect(200)["next_cursor"], "7");
            let p = g
                .get(&format!(
                    "/v1/rtc/participant/list/{room}?limit=1&cursor=7"
                ))
                .await;
            assert_eq!(p.expect(200)["items"][0]["identity"], "8");
            // The store answered: no vendor presence call was made.
            let m1 = metrics(&g).await;
            assert_eq!(
                vendor_calls(&m1, "agora", "room.get"),
                vendor_calls(&m0, "agora", "room.get"),
                "{m1}"
            );
            assert_eq!(
                vendor_calls(&m1, "agora", "participant.list"),
                vendor_calls(&m0, "agora", "participant.list")
            );
            // `?source=vendor_api` asks the vendor anyway.
            let v = g
                .get(&format!("/v1/rtc/room/get/{room}?source=vendor_api"))
                .await;
            assert_eq!(v.expect(200)["occupancy_source"], "vendor_api");
            let p = g
                .get(&format!("/v1/rtc/participant/list/{room}?source=vendor_api"))
                .await;
            assert_eq!(p.expect(200)["source"], "vendor_api");
            g.get(&format!("/v1/rtc/room/get/{room}?source=sometimes"))
                .await
                .expect_error(400, "invalid_request");

            // A leave, delivered twice: counted once.
            let (body, h) = agora_event(&agora, "n-104", 104, &ch(7, 3));
            assert_eq!(deliver(&g, "agora", &body, &h).await.expect(200)["duplicate"], false);
            assert_eq!(deliver(&g, "agora", &body, &h).await.expect(200)["duplicate"], true);
            let v = g.get(&format!("/v1/rtc/room/get/{room}")).await;
            assert_eq!(v.expect(200)["occupancy"], 1, "{backend}");
            // An older join (by clientSeq) arriving late does not bring uid 7 back.
            let (body, h) = agora_event(&agora, "n-103-late", 103, &ch(7, 1));
            deliver(&g, "agora", &body, &h).await.expect(200);
            let v = g.get(&format!("/v1/rtc/room/get/{room}")).await;
            assert_eq!(v.expect(200)["occupancy"], 1);

            // ZEGO: logins and a logout.
            let zroom = g
                .post(
                    "/v1/rtc/room/create",
                    json!({"name": "zroom", "vendor": "zego"}),
                )
                .await
                .expect(200)["room"]
                .as_str()
                .unwrap()
                .to_owned();
            for (nonce, fields) in [
                ("1", json!({"event": "room_create", "room_id": "zroom"})),
                ("2", json!({"event": "room_login", "room_id": "zroom", "user_account": "alice", "user_nickname": "Alice", "login_time": "1767225590000"})),
                ("3", json!({"event": "room_login", "room_id": "zroom", "user_account": "bob", "user_nickname": "Bob", "login_time": "1767225591000"})),
                ("4", json!({"event": "room_logout", "room_id": "zroom", "user_account": "bob", "logout_time": "1767225595000"})),
            ] {
                let body = zego_event(&zego, nonce, fields);
                let r = deliver(&g, "zego", &body, &json_ct()).await;
                assert_eq!(r.expect(200)["duplicate"], false, "{backend}: {}", r.text);
            }
            let v = g.get(&format!("/v1/rtc/room/get/{zroom}")).await;
            let v = v.expect(200).clone();
            assert_eq!(v["occupancy"], 1, "{backend}: {v}");
            assert_eq!(v["occupancy_source"], "webhooks");
            let p = g.get(&format!("/v1/rtc/participant/list/{zroom}")).await;
            let p = p.expect(200).clone();
            assert_eq!(p["source"], "webhooks");
            assert_eq!(p["items"], json!([{"identity": "alice", "display_name": "Alice", "joined_at": NOW}]));
            // The room closes: nobody is left.
            let body = zego_event(&zego, "5", json!({"event": "room_close", "room_id": "zroom"}));
            deliver(&g, "zego", &body, &json_ct()).await.expect(200);
            let v = g.get(&format!("/v1/rtc/room/get/{zroom}")).await;
            assert_eq!(v.expect(200)["occupancy"], 0);
            // A room the webhooks never spoke of still asks the vendor.
            let other = g
                .post(
                    "/v1/rtc/room/create",
                    json!({"name": "quiet", "vendor": "zego"}),
                )
                .await
                .expect(200)["room"]
                .as_str()
                .unwrap()
                .to_owned();
            let v = g.get(&format!("/v1/rtc/room/get/{other}")).await;
            assert_eq!(v.expect(200)["occupancy_source"], "vendor_api");
            g.get(&format!("/v1/rtc/participant/list/{other}?source=webhooks"))
                .await
                .expect_error(404, "not_found");
        }
    })
    .await;
}

fn livekit_event(body: &[u8], now: i64) -> Vec<(String, String)> {
    let mut grants = ClaimGrants::new("");
    grants.sha256 = LiveKitWebhookVerifier::body_hash(body);
    let token = LiveKitMinter::new(
        remote_support::livekit::KEY,
        remote_support::livekit::SECRET,
    )
    .unwrap()
    .encode(&grants, now, Duration::from_secs(300))
    .unwrap()
    .token;
    vec![
        ("Authorization".to_owned(), token),
        (
            "Content-Type".to_owned(),
            "application/webhook+json".to_owned(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn egress_events_update_the_recording() {
    within(90, async {
        for (backend, store) in stores("egress_events_update_the_recording").await {
            let d = Doubles::start().await;
            let now = rtcmint::Clock::now(&rtcmint::SystemClock).unwrap();
            let g = start_at(&d.env(), store, now).await;
            d.lk.join("egroom", "alice", "Alice");
            let room = g
                .post(
                    "/v1/rtc/room/create",
                    json!({"name": "egroom", "vendor": "livekit"}),
                )
                .await
                .expect(200)["room"]
                .as_str()
                .unwrap()
                .to_owned();
            let r = g
                .post("/v1/rtc/recording/start", json!({"room": room}))
                .await;
            let rec = r.expect(200)["recording"].as_str().unwrap().to_owned();
            let egress = d.lk.state.lock().unwrap().egress.keys().next().unwrap().clone();
            let v = g.get(&format!("/v1/rtc/recording/get/{rec}")).await;
            assert_eq!(v.expect(200)["status_source"], "gateway", "{backend}");

            let event = |id: &str, name: &str, status: &str, extra: Value| {
                let mut info = json!({"egressId": egress, "roomName": "egroom", "status": status});
                if let (Some(o), Value::Object(x)) = (info.as_object_mut(), extra) {
                    o.extend(x);
                }
                json!({"event": name, "egressInfo": info, "id": id, "createdAt": now.to_string()})
                    .to_string()
                    .into_bytes()
            };
            let body = event("EV_up", "egress_updated", "EGRESS_ACTIVE", json!({}));
            deliver(&g, "livekit", &body, &livekit_event(&body, now))
                .await
                .expect(200);
            let v = g.get(&format!("/v1/rtc/recording/get/{rec}")).await;
            let v = v.expect(200).clone();
            assert_eq!(v["status"], "active", "{backend}: {v}");
            assert_eq!(v["status_source"], "webhooks");
            assert_eq!(v["status_at"], now);
            assert_eq!(v["room"], room.as_str());

            // The worker finishes; the server says so.
            d.lk.state.lock().unwrap().egress.get_mut(&egress).unwrap().status = "EGRESS_COMPLETE";
            let body = event(
                "EV_end",
                "egress_ended",
                "EGRESS_COMPLETE",
                json!({"fileResults": [{"filename": "a.mp4", "location": "s3://bucket/egroom.mp4"}]}),
            );
            deliver(&g, "livekit", &body, &livekit_event(&body, now))
                .await
                .expect(200);
            // A late update does not undo the end.
            let body = event("EV_late", "egress_updated", "EGRESS_ACTIVE", json!({}));
            deliver(&g, "livekit", &body, &livekit_event(&body, now))
                .await
                .expect(200);
            let v = g.get(&format!("/v1/rtc/recording/get/{rec}")).await;
            let v = v.expect(200).clone();
            assert_eq!(v["status"], "complete", "{backend}: {v}");
            assert_eq!(v["output_uri"], "s3://bucket/egroom.mp4");
            // Stopping what the webhooks reported finished answers the record, not 409.
            let r = g
                .post(&format!("/v1/rtc/recording/stop/{rec}"), json!({}))
                .await;
            let v = r.expect(200).clone();
            assert_eq!(v["status"], "complete", "{backend}: {v}");
            assert_eq!(v["status_source"], "webhooks");
            assert_eq!(v["output_uri"], "s3://bucket/egroom.mp4");
            // recording.get needs the API key and a known recording.
            let r = g
                .send(
                    g.http.get(g.url(&format!("/v1/rtc/recording/get/{rec}"))),
                    None,
                )
                .await;
            r.expect_error(401, "unauthorized");
            g.get("/v1/rtc/recording/get/nope")
                .await
                .expect_error(400, "invalid_request");
        }
    })
    .await;
}
