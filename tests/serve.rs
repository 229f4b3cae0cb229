//! The gateway over real HTTP against the in-process vendor test doubles: every call, the error
//! paths, auth, rate limit, idempotency (sequential, concurrent, after restart), metrics and
//! graceful shutdown.
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
mod remote_support;
mod serve_support;

use std::sync::Arc;
use std::time::Duration;

use gw::{Doubles, Gw, KEY, KEY2};
use remote_support::{Fault, within};
use rtcmint::Vendor;
use rtcmint::livekit::LiveKitVerifier;
use rtcmint::serve::ServeConfig;
use serde_json::json;

async fn setup() -> (Doubles, Gw) {
    setup_with(gw::config()).await
}

async fn setup_with(config: ServeConfig) -> (Doubles, Gw) {
    let d = Doubles::start().await;
    let dir = serve_support::temp_dir("gw");
    let store = gw::sqlite(&dir.join("gw.db")).await;
    let g = Gw::start(config, d.vendors(), store).await;
    (d, g)
}

async fn create(g: &Gw, vendor: &str, name: &str) -> String {
    let r = g
        .post(
            "/v1/rtc/room/create",
            json!({"name": name, "vendor": vendor}),
        )
        .await;
    r.expect(200)["room"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_issue_for_every_vendor() {
    within(30, async {
        let (_d, g) = setup().await;
        for vendor in ["livekit", "agora", "zego"] {
            let room = create(&g, vendor, "standup").await;
            assert!(room.starts_with(&format!("r1.{vendor}.")), "{room}");
            let r = g
                .post(
                    "/v1/rtc/token/issue",
                    if vendor == "livekit" {
                        json!({"room": room, "identity": "alice", "display_name": "Alice", "ttl_s": 600,
                               "can_publish": false})
                    } else {
                        json!({"room": room, "identity": "alice", "ttl_s": 600})
                    },
                )
                .await;
            let v = r.expect(200);
            assert_eq!(v["room"], room.as_str());
            assert_eq!(v["identity"], "alice");
            assert_eq!(v["vendor"], vendor);
            assert_eq!(
                v["expires_at"].as_i64().unwrap() - v["issued_at"].as_i64().unwrap(),
                600
            );
            let token = v["token"].as_str().unwrap();
            match vendor {
                "livekit" => {
                    let claims = LiveKitVerifier::new(remote_support::livekit::KEY, remote_support::livekit::SECRET)
                        .unwrap()
                        .verify(token)
                        .unwrap();
                    assert_eq!(claims.grants.identity, "alice");
                    assert_eq!(claims.grants.name, "Alice");
                    let video = claims.grants.video.unwrap();
                    assert_eq!(video.room, "standup");
                    assert_eq!(video.can_publish, Some(false));
                }
                "agora" => assert!(token.starts_with("007"), "{token}"),
                _ => assert!(token.starts_with("04"), "{token}"),
            }
        }
        // Without a room id of this gateway.
        g.post("/v1/rtc/token/issue", json!({"room": "standup", "identity": "a"}))
            .await
            .expect_error(400, "invalid_request");
        // Vendor pin that contradicts the room.
        let room = create(&g, "zego", "z2").await;
        let e = g
            .post(
                "/v1/rtc/token/issue",
                json!({"room": room, "identity": "a", "vendor": "agora"}),
            )
            .await;
        e.expect_error(400, "vendor_mismatch");
        // A value the vendor refuses names the field.
        let e = g
            .post("/v1/rtc/token/issue", json!({"room": room, "identity": "a", "ttl_s": 0}))
            .await;
        e.expect_error(400, "invalid_request");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livekit_create_token_endpoint_both_spellings() {
    within(30, async {
        let (d, g) = setup().await;
        let verifier =
            LiveKitVerifier::new(remote_support::livekit::KEY, remote_support::livekit::SECRET).unwrap();
        let r = g
            .post(
                "/createToken",
                json!({"room_name": "lobby", "participant_identity": "bob", "participant_name": "Bob",
                       "participant_metadata": "{\"x\":1}", "participant_attributes": {"team": "red"},
                       "room_config": {"maxParticipants": 5}}),
            )
            .await;
        let v = r.expect(201);
        assert_eq!(v["server_url"], d.running[0].base_url.as_str());
        let claims = verifier.verify(v["participant_token"].as_str().unwrap()).unwrap();
        assert_eq!(claims.grants.identity, "bob");
        assert_eq!(claims.grants.name, "Bob");
        assert_eq!(claims.grants.metadata, "{\"x\":1}");
        assert_eq!(claims.grants.attributes["team"], "red");
        assert_eq!(claims.grants.video.unwrap().room, "lobby");
        assert_eq!(claims.grants.room_config.unwrap().max_participants, 5);
        // The older camelCase body: participantName is also the identity.
        let r = g
            .post("/createToken", json!({"roomName": "lobby", "participantName": "carol"}))
            .await;
        let claims = verifier
            .verify(r.expect(201)["participant_token"].as_str().unwrap())
            .unwrap();
        assert_eq!(claims.grants.identity, "carol");
        g.post("/createToken", json!({"room_name": "x"}))
            .await
            .expect_error(400, "invalid_request");
        g.post("/createToken", json!({"room_name": "x", "participant_identity": "a", "extra": 1}))
            .await
            .expect_error(400, "invalid_json");
        // Same auth as the API.
        let r = g
            .send(
                g.http.post(g.url("/createToken")).json(&json!({"room_name": "x", "participant_identity": "a"})),
                None,
            )
            .await;
        r.expect_error(401, "unauthorized");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn livekit_rooms_are_real() {
    within(30, async {
        let (d, g) = setup().await;
        let r = g
            .post(
                "/v1/rtc/room/create",
                json!({"name": "standup", "vendor": "livekit", "max_participants": 8,
                       "empty_timeout_s": 120, "metadata": {"topic": "daily"}}),
            )
            .await;
        let v = r.expect(200).clone();
        let id = v["room"].as_str().unwrap().to_owned();
        assert_eq!(v["name"], "standup");
        assert_eq!(v["vendor"], "livekit");
        assert_eq!(v["max_participants"], 8);
        assert_eq!(v["metadata"], json!({"topic": "daily"}));
        assert!(v["created_at"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(
            d.lk.state.lock().unwrap().rooms["standup"].empty_timeout,
            120
        );
        d.lk.join("standup", "alice", "Alice");
        let v = g.get(&format!("/v1/rtc/room/get/{id}")).await;
        assert_eq!(v.expect(200)["occupancy"], 1);
        create(&g, "livekit", "other").await;
        let l = g.get("/v1/rtc/room/list?vendor=livekit&limit=1").await;
        let l = l.expect(200);
        assert_eq!(l["items"].as_array().unwrap().len(), 1);
        let cursor = l["next_cursor"].as_str().unwrap();
        let l2 = g
            .get(&format!(
                "/v1/rtc/room/list?vendor=livekit&limit=1&cursor={cursor}"
            ))
            .await;
        assert_eq!(l2.expect(200)["items"].as_array().unwrap().len(), 1);
        assert_ne!(l["items"][0]["room"], l2.json["items"][0]["room"]);
        // Participants.
        let p = g.get(&format!("/v1/rtc/participant/list/{id}")).await;
        let items = p.expect(200)["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["identity"], "alice");
        assert_eq!(items[0]["display_name"], "Alice");
        assert!(items[0]["joined_at"].as_i64().is_some());
        g.post(
            &format!("/v1/rtc/participant/kick/{id}"),
            json!({"room": id, "identity": "alice"}),
        )
        .await
        .expect(200);
        g.post(
            &format!("/v1/rtc/participant/kick/{id}"),
            json!({"identity": "alice"}),
        )
        .await
        .expect_error(404, "not_found");
        g.post(
            &format!("/v1/rtc/participant/kick/{id}"),
            json!({"room": "r1.livekit.b3RoZXI", "identity": "x"}),
        )
        .await
        .expect_error(400, "invalid_request");
        // Delete, then it is gone.
        assert_eq!(
            g.delete(&format!("/v1/rtc/room/delete/{id}"))
                .await
                .expect(200)["ok"],
            true
        );
        g.get(&format!("/v1/rtc/room/get/{id}"))
            .await
            .expect_error(404, "not_found");
        g.delete(&format!("/v1/rtc/room/delete/{id}"))
            .await
            .expect_error(404, "not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agora_and_zego_rooms_are_synthesized_with_live_occupancy() {
    within(30, async {
        let (d, g) = setup().await;
        let a = g
            .post(
                "/v1/rtc/room/create",
                json!({"name": "chan1", "vendor": "agora", "max_participants": 4,
                       "empty_timeout_s": 60, "metadata": {"k": "v"}}),
            )
            .await;
        let a = a.expect(200).clone();
        assert_eq!(a["origin"], "synthesized");
        assert_eq!(a["max_participants"], 4);
        let aid = a["room"].as_str().unwrap().to_owned();
        d.agora.seed("chan1", 1, &[11, 12], &[]);
        let got = g.get(&format!("/v1/rtc/room/get/{aid}")).await;
        let got = got.expect(200);
        assert_eq!(got["occupancy"], 2);
        assert_eq!(got["metadata"], json!({"k": "v"}));
        assert_eq!(got["empty_timeout_s"], 60);
        assert_eq!(got["created_at"], a["created_at"]);
        let p = g.get(&format!("/v1/rtc/participant/list/{aid}")).await;
        assert_eq!(p.expect(200)["items"].as_array().unwrap().len(), 2);
        g.post(
            &format!("/v1/rtc/participant/kick/{aid}"),
            json!({"identity": "11"}),
        )
        .await
        .expect(200);

        let z = create(&g, "zego", "zroom").await;
        let z2 = create(&g, "zego", "zroom2").await;
        d.zego.login("zroom", "u1", "User 1");
        let l = g.get("/v1/rtc/room/list?vendor=zego&limit=1").await;
        let l = l.expect(200).clone();
        assert_eq!(l["items"][0]["room"], z.as_str());
        assert_eq!(l["items"][0]["occupancy"], 1);
        let l2 = g
            .get(&format!(
                "/v1/rtc/room/list?vendor=zego&limit=1&cursor={}",
                l["next_cursor"].as_str().unwrap()
            ))
            .await;
        let l2 = l2.expect(200);
        assert_eq!(l2["items"][0]["room"], z2.as_str());
        assert_eq!(l2["items"][0]["occupancy"], 0);
        assert!(l2["next_cursor"].is_null());
        let p = g.get(&format!("/v1/rtc/participant/list/{z}")).await;
        let p = p.expect(200);
        assert_eq!(p["items"][0]["identity"], "u1");
        assert_eq!(p["items"][0]["display_name"], "User 1");
        // Delete closes the room at ZEGO and removes the record.
        g.delete(&format!("/v1/rtc/room/delete/{z}"))
            .await
            .expect(200);
        assert!(
            d.zego
                .state
                .lock()
                .unwrap()
                .rooms
                .get("zroom")
                .is_none_or(Vec::is_empty)
        );
        g.get(&format!("/v1/rtc/room/get/{z}"))
            .await
            .expect_error(404, "not_found");
        g.delete(&format!("/v1/rtc/room/delete/{z2}"))
            .await
            .expect(200);
        g.delete(&format!("/v1/rtc/room/delete/{z2}"))
            .await
            .expect_error(404, "not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_start_and_stop_from_the_id_alone_after_restart() {
    within(40, async {
        let d = Doubles::start().await;
        let dir = serve_support::temp_dir("rec");
        let db = dir.join("gw.db");
        let mut ids = Vec::new();
        {
            let g = Gw::start(gw::config(), d.vendors(), gw::sqlite(&db).await).await;
            d.lk.join("lkroom", "alice", "Alice");
            let lk = create(&g, "livekit", "lkroom").await;
            let ag = create(&g, "agora", "agroom").await;
            d.agora.seed("agroom", 1, &[5], &[]);
            let zg = create(&g, "zego", "zgroom").await;
            d.zego.login("zgroom", "u", "U");
            for room in [&lk, &ag, &zg] {
                let r = g
                    .post(
                        "/v1/rtc/recording/start",
                        json!({"room": room, "output_uri": "rec/out", "layout": "grid"}),
                    )
                    .await;
                let v = r.expect(200).clone();
                let id = v["recording"].as_str().unwrap().to_owned();
                assert!(id.starts_with("rec1."), "{id}");
                assert!(
                    id.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                );
                assert_eq!(v["room"], room.as_str());
                ids.push((id, room.clone()));
            }
            g.post(
                "/v1/rtc/recording/start",
                json!({"room": lk, "metadata": {"a": 1}}),
            )
            .await
            .expect_error(501, "unsupported");
        }
        // A fresh gateway with an empty database stops them from the ids alone.
        let g = Gw::start(
            gw::config(),
            d.vendors(),
            gw::sqlite(&dir.join("other.db")).await,
        )
        .await;
        for (id, room) in &ids {
            let r = g
                .post(&format!("/v1/rtc/recording/stop/{id}"), json!({}))
                .await;
            let v = r.expect(200);
            assert_eq!(v["recording"], id.as_str());
            assert_eq!(v["room"], room.as_str(), "the id carries the room");
            assert!(v["status"].as_str().is_some());
        }
        // An empty body is `{}` too; stopping twice is a conflict at LiveKit.
        let r = g
            .send(
                g.http
                    .post(g.url(&format!("/v1/rtc/recording/stop/{}", ids[0].0))),
                Some(KEY),
            )
            .await;
        r.expect_error(409, "conflict");
        g.post("/v1/rtc/recording/stop/EG_123", json!({}))
            .await
            .expect_error(400, "invalid_request");
        // A LiveKit server without egress workers.
        d.lk.state.lock().unwrap().egress_disconnected = true;
        let r = g
            .post("/v1/rtc/recording/start", json!({"room": ids[0].1}))
            .await;
        r.expect_error(502, "vendor_error");
        assert_eq!(r.json["error"]["vendor"], "livekit");
        assert_eq!(r.json["error"]["vendor_code"], "internal");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_400_naming_the_problem() {
    within(30, async {
        let mut c = gw::config();
        c.body_limit = 1024;
        let (_d, g) = setup_with(c).await;
        let e = g
            .post(
                "/v1/rtc/room/create",
                json!({"name": "x", "vendor": "livekit", "colour": 1}),
            )
            .await;
        assert!(
            e.expect_error(400, "invalid_json")["message"]
                .as_str()
                .unwrap()
                .contains("unknown field `colour`")
        );
        let e = g.post("/v1/rtc/token/issue", json!({"room": "r"})).await;
        assert!(
            e.expect_error(400, "invalid_json")["message"]
                .as_str()
                .unwrap()
                .contains("missing field `identity`")
        );
        let e = g.post("/v1/rtc/room/create", json!({"name": 5})).await;
        e.expect_error(400, "invalid_json");
        let e = g
            .send(
                g.http
                    .post(g.url("/v1/rtc/token/issue"))
                    .header("content-type", "application/json")
                    .body("{\"room\": "),
                Some(KEY),
            )
            .await;
        e.expect_error(400, "invalid_json");
        let e = g
            .send(
                g.http
                    .post(g.url("/v1/rtc/token/issue"))
                    .header("content-type", "application/json")
                    .body(format!(
                        "{{\"room\":\"{}\",\"identity\":\"a\"}}",
                        "x".repeat(2000)
                    )),
                Some(KEY),
            )
            .await;
        e.expect_error(400, "body_too_large");
        // Chunked (no Content-Length) is bounded too.
        let raw = raw_chunked(&g, "/v1/rtc/token/issue", &[&[b' '; 800], &[b' '; 800]]).await;
        assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
        assert!(raw.contains("body_too_large"), "{raw}");
        let e = g
            .send(
                g.http
                    .post(g.url("/v1/rtc/token/issue"))
                    .header("content-type", "text/plain")
                    .body("{}"),
                Some(KEY),
            )
            .await;
        e.expect_error(400, "unsupported_media_type");
        g.get("/v1/rtc/room/list?limit=0&vendor=zego")
            .await
            .expect_error(400, "invalid_request");
        g.get("/v1/rtc/room/list?bogus=1")
            .await
            .expect_error(400, "invalid_request");
        g.get("/v1/rtc/room/list?vendor=nope")
            .await
            .expect_error(400, "invalid_request");
        g.get("/v1/rtc/room/list")
            .await
            .expect_error(400, "vendor_required");
        g.get("/v1/rtc/room/get/garbage")
            .await
            .expect_error(400, "invalid_request");
        g.get("/v1/rtc/nope")
            .await
            .expect_error(404, "route_not_found");
        g.delete("/v1/rtc/token/issue")
            .await
            .expect_error(405, "method_not_allowed");
        let e = g
            .post(
                "/v1/rtc/room/create",
                json!({"name": "x", "vendor": "agora", "region": "eu"}),
            )
            .await;
        assert_eq!(e.expect_error(501, "unsupported")["reason"], "vendor_lacks");
        let e = g
            .post(
                "/v1/rtc/room/create",
                json!({"name": "x", "vendor": "livekit", "enable_recording": true}),
            )
            .await;
        assert_eq!(
            e.expect_error(501, "unsupported")["reason"],
            "not_implemented"
        );
        let e = g.get("/v1/rtc/room/list?vendor=livekit&cursor=zzz").await;
        assert_eq!(e.status, 200, "{}", e.text);
        // A client-sent request id is echoed; a hostile one replaced.
        let r = g
            .send(
                g.http
                    .get(g.url("/v1/rtc/nope"))
                    .header("x-request-id", "abc-123"),
                Some(KEY),
            )
            .await;
        assert_eq!(r.json["error"]["request_id"], "abc-123");
        let r = g
            .send(
                g.http
                    .get(g.url("/v1/rtc/nope"))
                    .header("x-request-id", "a b\"c"),
                Some(KEY),
            )
            .await;
        assert_ne!(r.json["error"]["request_id"], "a b\"c");
        r.expect_error(404, "route_not_found");
    })
    .await;
}

/// Sends a chunked POST by hand and returns the raw answer.
async fn raw_chunked(g: &Gw, path: &str, chunks: &[&[u8]]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = g.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {KEY}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    for c in chunks {
        req.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        req.extend_from_slice(c);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    s.write_all(&req).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_failures_map_to_documented_statuses() {
    within(30, async {
        let (d, g) = setup().await;
        let room = create(&g, "livekit", "r").await;
        d.lk.common
            .push_fault(Fault::json(503, r#"{"code":"unavailable","msg":"busy"}"#));
        d.lk.common
            .push_fault(Fault::json(503, r#"{"code":"unavailable","msg":"busy"}"#));
        let e = g.get(&format!("/v1/rtc/room/get/{room}")).await;
        e.expect_error(503, "vendor_unavailable");
        assert!(e.header("retry-after").is_some());
        d.lk.common.push_fault(Fault::Slow(Duration::from_secs(3)));
        d.lk.common.push_fault(Fault::Slow(Duration::from_secs(3)));
        let e = g.get(&format!("/v1/rtc/room/get/{room}")).await;
        e.expect_error(504, "vendor_timeout");
        d.lk.common.push_fault(Fault::text(401, "invalid API key"));
        let e = g.get(&format!("/v1/rtc/room/get/{room}")).await;
        e.expect_error(502, "vendor_auth_failed");
        // A vendor not configured on this gateway.
        let mut env = d.env();
        env.retain(|k, _| k.starts_with("LIVEKIT_"));
        let dir = serve_support::temp_dir("nov");
        let g2 = Gw::start(
            gw::config(),
            gw::vendors_from(&env),
            gw::sqlite(&dir.join("a.db")).await,
        )
        .await;
        g2.post(
            "/v1/rtc/room/create",
            json!({"name": "x", "vendor": "agora"}),
        )
        .await
        .expect_error(400, "vendor_not_configured");
        // Only one vendor: it is the default.
        create(&g2, "livekit", "solo").await;
        let r = g2
            .post("/v1/rtc/room/create", json!({"name": "solo2"}))
            .await;
        assert_eq!(r.expect(200)["vendor"], "livekit");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_keys_and_health_endpoints() {
    within(30, async {
        let mut c = gw::config();
        // A key given only by its digest.
        let digest = {
            use sha2::Digest as _;
            sha2::Sha256::digest(b"hashed-key-0123456789")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        c.api_keys.extend(
            rtcmint::serve::config::parse_api_keys_file(&format!("sha256:{digest}\n")).unwrap(),
        );
        let (_d, g) = setup_with(c).await;
        let path = "/v1/rtc/room/list?vendor=zego";
        let r = g.send(g.http.get(g.url(path)), None).await;
        r.expect_error(401, "unauthorized");
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
        g.send(g.http.get(g.url(path)), Some("wrong-key-0123456789"))
            .await
            .expect_error(401, "unauthorized");
        let r = g
            .send(
                g.http
                    .get(g.url(path))
                    .header("authorization", format!("Basic {KEY}")),
                None,
            )
            .await;
        r.expect_error(401, "unauthorized");
        for k in [KEY, KEY2, "hashed-key-0123456789"] {
            g.send(g.http.get(g.url(path)), Some(k)).await.expect(200);
        }
        for p in ["/healthz", "/readyz"] {
            let r = g.send(g.http.get(g.url(p)), None).await;
            r.expect(200);
        }
        assert_eq!(
            g.send(g.http.get(g.url("/readyz")), None).await.json["store"],
            "sqlite"
        );
        // Starting without keys is refused unless explicitly insecure.
        let d = Doubles::start().await;
        let dir = serve_support::temp_dir("nokeys");
        let store = gw::sqlite(&dir.join("a.db")).await;
        let e =
            rtcmint::serve::Gateway::new(ServeConfig::default(), d.vendors(), Arc::clone(&store))
                .unwrap_err();
        assert!(e.to_string().contains("--insecure-no-auth"), "{e}");
        let mut insecure = ServeConfig::default();
        insecure.insecure_no_auth = true;
        let g3 = Gw::start(insecure, d.vendors(), store).await;
        g3.send(g3.http.get(g3.url(path)), None).await.expect(200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_per_key_with_retry_after() {
    within(30, async {
        let mut c = gw::config();
        c.rate_limit = Some(rtcmint::serve::RateLimit::parse("1/min", Some(3)).unwrap());
        let (_d, g) = setup_with(c).await;
        let path = "/v1/rtc/room/list?vendor=zego";
        for _ in 0..3 {
            g.send(g.http.get(g.url(path)), Some(KEY)).await.expect(200);
        }
        let r = g.send(g.http.get(g.url(path)), Some(KEY)).await;
        r.expect_error(429, "rate_limited");
        let secs: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&secs), "{secs}");
        // Another key has its own bucket.
        g.send(g.http.get(g.url(path)), Some(KEY2))
            .await
            .expect(200);
        let m = g.send(g.http.get(g.url("/metrics")), None).await;
        assert!(
            m.text.contains("rtcmint_rate_limited_total 1"),
            "{}",
            m.text
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_replays_rejects_reuse_and_scopes_per_key() {
    within(30, async {
        let (d, g) = setup().await;
        let body = json!({"name": "idem", "vendor": "livekit"});
        let first = g
            .post_with("/v1/rtc/room/create", body.clone(), Some("k-1"), Some(KEY))
            .await;
        first.expect(200);
        assert_eq!(first.header("idempotent-replayed"), Some("false"));
        let again = g
            .post_with("/v1/rtc/room/create", body.clone(), Some("k-1"), Some(KEY))
            .await;
        assert_eq!(again.status, 200);
        assert_eq!(again.text, first.text, "same body, byte for byte");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        // The key in the body means the same.
        let mut with_field = body.clone();
        with_field["idempotency_key"] = json!("k-1");
        let third = g.post("/v1/rtc/room/create", with_field).await;
        assert_eq!(third.text, first.text);
        assert_eq!(d.lk.common.hits("CreateRoom"), 1, "one vendor call");
        // Different request, same key.
        let other = g
            .post_with(
                "/v1/rtc/room/create",
                json!({"name": "other", "vendor": "livekit"}),
                Some("k-1"),
                Some(KEY),
            )
            .await;
        other.expect_error(422, "idempotency_key_reused");
        // Header and body disagree.
        let mut wrong = body.clone();
        wrong["idempotency_key"] = json!("k-2");
        g.post_with("/v1/rtc/room/create", wrong, Some("k-1"), Some(KEY))
            .await
            .expect_error(400, "invalid_request");
        // Another API key has its own key space.
        let mine = g
            .post_with("/v1/rtc/room/create", body.clone(), Some("k-1"), Some(KEY2))
            .await;
        assert_eq!(mine.header("idempotent-replayed"), Some("false"));
        assert_eq!(d.lk.common.hits("CreateRoom"), 2);
        // A request refused before any vendor call releases the key.
        let bad = json!({"name": "", "vendor": "livekit"});
        g.post_with("/v1/rtc/room/create", bad, Some("k-3"), Some(KEY))
            .await
            .expect_error(400, "invalid_request");
        g.post_with(
            "/v1/rtc/room/create",
            json!({"name": "fixed", "vendor": "livekit"}),
            Some("k-3"),
            Some(KEY),
        )
        .await
        .expect(200);
        // An error from the vendor after the call is replayed, not retried.
        let room = first.json["room"].as_str().unwrap().to_owned();
        d.lk.state.lock().unwrap().egress_disconnected = true;
        let e1 = g
            .post_with(
                "/v1/rtc/recording/start",
                json!({"room": room}),
                Some("k-4"),
                Some(KEY),
            )
            .await;
        e1.expect_error(502, "vendor_error");
        d.lk.state.lock().unwrap().egress_disconnected = false;
        let e2 = g
            .post_with(
                "/v1/rtc/recording/start",
                json!({"room": room}),
                Some("k-4"),
                Some(KEY),
            )
            .await;
        assert_eq!(e2.text, e1.text);
        assert_eq!(e2.header("idempotent-replayed"), Some("true"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_make_one_vendor_call() {
    within(40, async {
        let (d, g) = setup().await;
        let g = Arc::new(g);
        d.lk.join("busy", "alice", "Alice");
        let room = create(&g, "livekit", "busy").await;
        d.lk.common
            .push_fault(Fault::Slow(Duration::from_millis(400)));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let g = Arc::clone(&g);
            let room = room.clone();
            tasks.push(tokio::spawn(async move {
                g.post_with(
                    "/v1/rtc/recording/start",
                    json!({"room": room}),
                    Some("dup"),
                    Some(KEY),
                )
                .await
            }));
        }
        let mut bodies = Vec::new();
        for t in tasks {
            let r = t.await.unwrap();
            assert_eq!(r.status, 200, "{}", r.text);
            bodies.push(r.text);
        }
        assert!(
            bodies.windows(2).all(|w| w[0] == w[1]),
            "every answer is the first one"
        );
        assert_eq!(d.lk.common.hits("StartRoomCompositeEgress"), 1);
        assert_eq!(d.lk.state.lock().unwrap().egress.len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_that_cannot_wait_gets_409_in_progress() {
    within(30, async {
        let mut c = gw::config();
        c.idempotency_wait = Duration::ZERO;
        let (d, g) = setup_with(c).await;
        let g = Arc::new(g);
        d.lk.common
            .push_fault(Fault::Slow(Duration::from_millis(800)));
        let g1 = Arc::clone(&g);
        let first = tokio::spawn(async move {
            g1.post_with(
                "/v1/rtc/room/create",
                json!({"name": "slow", "vendor": "livekit"}),
                Some("slow-key"),
                Some(KEY),
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let dup = g
            .post_with(
                "/v1/rtc/room/create",
                json!({"name": "slow", "vendor": "livekit"}),
                Some("slow-key"),
                Some(KEY),
            )
            .await;
        dup.expect_error(409, "in_progress");
        assert!(dup.header("retry-after").is_some());
        first.await.unwrap().expect(200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_replay_after_restart() {
    within(30, async {
        let d = Doubles::start().await;
        let dir = serve_support::temp_dir("restart");
        let db = dir.join("gw.db");
        let room;
        let first;
        {
            let mut g = Gw::start(gw::config(), d.vendors(), gw::sqlite(&db).await).await;
            d.lk.join("rr", "a", "A");
            room = create(&g, "livekit", "rr").await;
            first = g
                .post_with(
                    "/v1/rtc/recording/start",
                    json!({"room": room}),
                    Some("restart-1"),
                    Some(KEY),
                )
                .await;
            first.expect(200);
            g.shutdown().await.unwrap();
        }
        let g = Gw::start(gw::config(), d.vendors(), gw::sqlite(&db).await).await;
        let again = g
            .post_with(
                "/v1/rtc/recording/start",
                json!({"room": room}),
                Some("restart-1"),
                Some(KEY),
            )
            .await;
        assert_eq!(again.text, first.text);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(d.lk.common.hits("StartRoomCompositeEgress"), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_routes_tokens_and_vendor_calls() {
    within(30, async {
        let (_d, g) = setup().await;
        let room = create(&g, "zego", "m").await;
        g.post("/v1/rtc/token/issue", json!({"room": room, "identity": "a"}))
            .await
            .expect(200);
        g.get(&format!("/v1/rtc/room/get/{room}")).await.expect(200);
        let m = g.send(g.http.get(g.url("/metrics")), None).await;
        assert_eq!(m.status, 200);
        let t = &m.text;
        assert!(t.contains(r#"rtcmint_http_requests_total{route="/v1/rtc/token/issue",method="POST",status="200"} 1"#), "{t}");
        assert!(t.contains(r#"rtcmint_tokens_minted_total{vendor="zego"} 1"#), "{t}");
        assert!(t.contains(r#"rtcmint_vendor_calls_total{vendor="zego",operation="room.get",outcome="not_found"} 1"#), "{t}");
        assert!(t.contains("rtcmint_http_request_duration_seconds_bucket"), "{t}");
        assert!(!t.contains(KEY), "no key in metrics");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_calls() {
    within(30, async {
        let (d, mut g) = setup().await;
        let room = create(&g, "livekit", "gs").await;
        d.lk.common
            .push_fault(Fault::Slow(Duration::from_millis(700)));
        let http = g.http.clone();
        let url = g.url(&format!("/v1/rtc/room/get/{room}"));
        let inflight = tokio::spawn(async move {
            http.get(url)
                .bearer_auth(KEY)
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        g.signal_shutdown();
        assert_eq!(
            inflight.await.unwrap().unwrap(),
            200,
            "the in-flight call completes"
        );
        g.shutdown().await.unwrap();
        // No new connections.
        let e = reqwest::Client::new()
            .get(g.url("/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        assert!(e.is_err(), "{e:?}");
        let _ = Vendor::LiveKit;
    })
    .await;
}

/// Resident memory of this process, KiB (Linux).
fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_soak_mixed_load_no_errors_memory_flat() {
    within(60, async {
        let (d, g) = setup().await;
        let g = Arc::new(g);
        d.lk.join("soak", "alice", "Alice");
        let lk = create(&g, "livekit", "soak").await;
        let zg = create(&g, "zego", "soakz").await;
        let phase = |secs: u64| {
            let g = Arc::clone(&g);
            let (lk, zg) = (lk.clone(), zg.clone());
            async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
                let mut tasks = Vec::new();
                for w in 0..8u32 {
                    let g = Arc::clone(&g);
                    let (lk, zg) = (lk.clone(), zg.clone());
                    tasks.push(tokio::spawn(async move {
                        let mut n = 0u64;
                        while tokio::time::Instant::now() < deadline {
                            let r = match (n + u64::from(w)) % 5 {
                                0 | 1 => g.post("/v1/rtc/token/issue", json!({"room": lk, "identity": format!("u{n}")})).await,
                                2 => g.post("/v1/rtc/token/issue", json!({"room": zg, "identity": format!("u{n}")})).await,
                                3 => g.post("/createToken", json!({"room_name": "soak", "participant_identity": format!("c{n}")})).await,
                                _ => g.get(&format!("/v1/rtc/room/get/{lk}")).await,
                            };
                            assert!(r.status == 200 || r.status == 201, "{}", r.text);
                            n += 1;
                        }
                        n
                    }));
                }
                let mut total = 0;
                for t in tasks {
                    total += t.await.unwrap();
                }
                total
            }
        };
        let warm = phase(2).await;
        let before = rss_kib();
        let n = phase(4).await;
        let after = rss_kib();
        assert!(warm > 0 && n > 0);
        if let (Some(b), Some(a)) = (before, after) {
            // Flat: no per-request growth (the bound is far below what a leak of even a few
            // bytes per request over these requests would add).
            assert!(a < b + 16 * 1024, "RSS grew from {b} KiB to {a} KiB over {n} requests");
        }
        let m = g.send(g.http.get(g.url("/metrics")), None).await;
        assert!(!m.text.contains("status=\"5"), "no 5xx during the soak: {}", m.text);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allow_list_preflight_and_plain_requests() {
    within(30, async {
        let mut c = gw::config();
        c.cors_origins = vec!["https://app.example".into()];
        let (_d, g) = setup_with(c).await;
        let issue = |origin: Option<&'static str>| {
            let mut r = g
                .http
                .post(g.url("/createToken"))
                .json(&json!({"room_name": "lobby", "participant_identity": "alice"}));
            if let Some(o) = origin {
                r = r.header("origin", o);
            }
            r
        };
        // A listed origin is allowed, and sees the exposed headers.
        let r = g.send(issue(Some("https://app.example")), Some(KEY)).await;
        r.expect(201);
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("https://app.example")
        );
        let exposed = r.header("access-control-expose-headers").unwrap();
        assert!(exposed.contains("x-request-id"), "{exposed}");
        assert!(r.header("vary").unwrap().contains("origin"));
        // Another origin gets the answer but no permission to read it.
        let r = g.send(issue(Some("https://evil.example")), Some(KEY)).await;
        r.expect(201);
        assert_eq!(r.header("access-control-allow-origin"), None);
        // No origin: the same Vary and exposed headers, no permission.
        let r = g.send(issue(None), Some(KEY)).await;
        r.expect(201);
        assert_eq!(r.header("access-control-allow-origin"), None);
        assert!(r.header("vary").unwrap().contains("origin"));
        assert!(
            r.header("access-control-expose-headers")
                .unwrap()
                .contains("x-request-id")
        );
        assert!(r.header("x-request-id").is_some());
        // A preflight is answered by the CORS layer (no key needed), with the request id.
        let r = g
            .send(
                g.http
                    .request(reqwest::Method::OPTIONS, g.url("/v1/rtc/token/issue"))
                    .header("origin", "https://app.example")
                    .header("access-control-request-method", "POST")
                    .header(
                        "access-control-request-headers",
                        "authorization,content-type",
                    ),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("https://app.example")
        );
        let methods = r.header("access-control-allow-methods").unwrap();
        assert!(methods.contains("POST"), "{methods}");
        let headers = r.header("access-control-allow-headers").unwrap();
        assert!(headers.contains("authorization"), "{headers}");
        assert!(r.header("x-request-id").is_some());
    })
    .await;
}
