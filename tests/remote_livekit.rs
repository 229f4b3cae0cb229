//! LiveKit client against the local LiveKit double (no network beyond 127.0.0.1).
#![cfg(feature = "remote")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)]

mod remote_support;

use std::sync::Arc;
use std::time::Duration;

use remote_support::livekit::{KEY, LiveKitDouble, SECRET};
use remote_support::{Fault, within};
use rtcmint::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};
use rtcmint::remote::{
    CreateRoomRequest, HttpOptions, LiveKitClient, Operation, Origin, PageRequest, Recording,
    RecordingHandle, RecordingId, RecordingRequest, RecordingStatus, RemoteError, RoomService,
    Support, UnsupportedReason,
};

fn fast() -> HttpOptions {
    HttpOptions::default()
        .timeout(Duration::from_millis(800))
        .max_retries(2)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn egress_id(rec: &Recording) -> String {
    match rec.handle() {
        RecordingHandle::LiveKit { egress_id } => egress_id.clone(),
        other => panic!("{other:?}"),
    }
}

fn client(base: &str) -> LiveKitClient {
    LiveKitClient::new(base, KEY, SECRET)
        .unwrap()
        .with_http_options(fast())
        .unwrap()
}

#[tokio::test]
async fn rooms_lifecycle() {
    within(20, async {
        let (double, server) = LiveKitDouble::start().await;
        let c = client(&server.base_url);
        let room = c
            .create_room(
                &CreateRoomRequest::new("standup")
                    .max_participants(8)
                    .metadata("m1"),
            )
            .await
            .unwrap();
        assert!(room.room.starts_with("RM_"), "{room:?}");
        assert_eq!(room.name, "standup");
        assert_eq!(room.max_participants, Some(8));
        assert_eq!(room.metadata.as_deref(), Some("m1"));
        assert_eq!(room.origin, Origin::Vendor);
        assert!(room.created_at.unwrap() > 1_700_000_000);
        // Idempotent: same sid, settings overwritten.
        let again = c
            .create_room(&CreateRoomRequest::new("standup").max_participants(9))
            .await
            .unwrap();
        assert_eq!(again.room, room.room);
        assert_eq!(again.max_participants, Some(9));

        let got = c.get_room("standup").await.unwrap();
        assert_eq!(got.room, room.room);
        assert_eq!(got.origin, Origin::Derived);
        let missing = c.get_room("nope").await.unwrap_err();
        assert!(
            matches!(missing, RemoteError::NotFound { what: "room", .. }),
            "{missing}"
        );

        for n in ["a", "b", "c"] {
            c.create_room(&CreateRoomRequest::new(n)).await.unwrap();
        }
        let p1 = c.list_rooms(&PageRequest::first().limit(2)).await.unwrap();
        assert_eq!(
            p1.items.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let p2 = c
            .list_rooms(
                &PageRequest::first()
                    .limit(2)
                    .cursor(p1.next_cursor.unwrap()),
            )
            .await
            .unwrap();
        assert_eq!(
            p2.items.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["c", "standup"]
        );
        assert_eq!(p2.next_cursor, None);

        c.delete_room("a").await.unwrap();
        let e = c.delete_room("a").await.unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(e.code(), Some("not_found"));
        assert_eq!(e.status(), Some(404));
        assert!(
            e.to_string().contains("requested room does not exist"),
            "{e}"
        );
        assert_eq!(
            double.common.hits("DeleteRoom"),
            2,
            "not_found is not retried"
        );
    })
    .await;
}

#[tokio::test]
async fn participants_and_kick() {
    within(20, async {
        let (double, server) = LiveKitDouble::start().await;
        double.join("standup", "alice", "Alice");
        double.join("standup", "bob", "");
        let c = client(&server.base_url);
        let page = c
            .list_participants("standup", &PageRequest::first())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].identity, "alice");
        assert_eq!(page.items[0].display_name.as_deref(), Some("Alice"));
        assert!(page.items[0].joined_at.is_some());
        assert_eq!(page.items[1].display_name, None);
        let empty = c
            .list_participants("ghost-room", &PageRequest::first())
            .await
            .unwrap();
        assert!(empty.items.is_empty());

        c.kick_participant("standup", "alice").await.unwrap();
        let page = c
            .list_participants("standup", &PageRequest::first())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let e = c.kick_participant("standup", "alice").await.unwrap_err();
        assert!(e.is_not_found());
        assert!(e.to_string().contains("participant does not exist"));
    })
    .await;
}

#[tokio::test]
async fn recording_start_stop_and_errors() {
    within(20, async {
        let (double, server) = LiveKitDouble::start().await;
        double.join("standup", "alice", "Alice");
        let c = client(&server.base_url);
        let req = RecordingRequest::new("standup").layout("speaker").output_uri("rec/{room_name}-{time}.mp4");
        let rec = c.start_recording(&req).await.unwrap();
        assert!(egress_id(&rec).starts_with("EG_"));
        assert_eq!(rec.status, RecordingStatus::Starting);
        assert_eq!(rec.room, "standup");
        {
            let s = double.state.lock().unwrap();
            let e = s.egress.get(&egress_id(&rec)).unwrap();
            assert_eq!(e.request["layout"], "speaker");
            assert_eq!(e.request["file_outputs"][0]["file_type"], "MP4");
            assert_eq!(e.filepath, "rec/{room_name}-{time}.mp4");
        }
        let stopped = c.stop_recording(&rec.recording).await.unwrap();
        assert_eq!(stopped.status, RecordingStatus::Stopping);
        assert_eq!(stopped.output_uri.as_deref(), Some("s3://bucket/rec/{room_name}-{time}.mp4"));
        let e = c.stop_recording(&rec.recording).await.unwrap_err();
        assert_eq!(e.code(), Some("failed_precondition"));
        assert_eq!(e.status(), Some(412));
        assert!(e.to_string().contains("EGRESS_COMPLETE cannot be stopped"), "{e}");

        // Audio only → OGG; unknown room → not_found.
        let a = c.start_recording(&RecordingRequest::new("standup").audio_only(true)).await.unwrap();
        assert_eq!(
            double.state.lock().unwrap().egress[&egress_id(&a)].request["file_outputs"][0]["file_type"],
            "OGG"
        );
        let e = c.start_recording(&RecordingRequest::new("nope")).await.unwrap_err();
        assert!(e.is_not_found());

        // Idempotency key: the second call returns the first result, no second egress.
        let keyed = RecordingRequest::new("standup").idempotency_key("k-1");
        let r1 = c.start_recording(&keyed).await.unwrap();
        let r2 = c.start_recording(&keyed).await.unwrap();
        assert_eq!(r1, r2);
        assert_eq!(double.state.lock().unwrap().egress.len(), 3);

        // No egress service deployed.
        double.state.lock().unwrap().egress_disconnected = true;
        let e = c.start_recording(&RecordingRequest::new("standup")).await.unwrap_err();
        assert_eq!(e.code(), Some("internal"));
        assert!(e.to_string().contains("egress not connected"));
        // The server's own `internal` answer is definite (not an unknown outcome); the start is
        // retried with the same request id, which the server would answer with the same egress.
        assert_eq!(double.common.hits("StartRoomCompositeEgress"), 7);
        let ids = double.state.lock().unwrap().request_ids.clone();
        let last: Vec<&str> = ids.iter().rev().take(3).map(|(_, id)| id.as_str()).collect();
        assert!(last.iter().all(|id| *id == last[0] && id.starts_with("RQ_")), "{last:?}");

        let wrong = RecordingId::new(RecordingHandle::Zego { task_id: "x".into(), room: "r".into() }).unwrap();
        let e = c.stop_recording(&wrong).await.unwrap_err();
        assert!(matches!(e, RemoteError::InvalidRequest { field: "recording", .. }), "{e:?}");
        assert!(e.to_string().contains("belongs to zego"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn unsupported_is_typed_and_honest() {
    within(10, async {
        let (_double, server) = LiveKitDouble::start().await;
        let c = client(&server.base_url);
        let e = c
            .start_recording(&RecordingRequest::new("standup").metadata("x"))
            .await
            .unwrap_err();
        match &e {
            RemoteError::Unsupported {
                operation, reason, ..
            } => {
                assert_eq!(*operation, "recording.start(metadata)");
                assert_eq!(*reason, UnsupportedReason::VendorLacks);
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("does not offer"));
        let e = c
            .start_recording(&RecordingRequest::new("standup").output_uri("s3://b/k.mp4"))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            RemoteError::Unsupported {
                reason: UnsupportedReason::NotImplemented,
                ..
            }
        ));
        assert!(e.to_string().contains("rtcmint does not implement"), "{e}");
        let caps = RoomService::capabilities(&c);
        assert_eq!(caps.support(Operation::RoomCreate), Support::Real);
        assert_eq!(caps.support(Operation::RoomGet), Support::Derived);
    })
    .await;
}

#[tokio::test]
async fn auth_error_shapes() {
    within(10, async {
        let (double, server) = LiveKitDouble::start().await;
        // Wrong secret → plain-text 401 from the auth middleware.
        let bad = LiveKitClient::new(&server.base_url, KEY, "wrong-secret-wrong-secret-wrong-secret")
            .unwrap()
            .with_http_options(fast())
            .unwrap();
        let e = bad.list_rooms(&PageRequest::first()).await.unwrap_err();
        match &e {
            RemoteError::Auth { status: 401, code: None, message, .. } => {
                assert!(message.starts_with("invalid authorization token"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        // Unknown key.
        let unknown = LiveKitClient::new(&server.base_url, "other-key", SECRET).unwrap();
        let e = unknown.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(matches!(&e, RemoteError::Auth { code: None, message, .. } if message == "invalid API key"), "{e:?}");
        // Expired token: the client's clock is an hour behind.
        let late = client(&server.base_url).with_clock(Arc::new(rtcmint::FixedClock(
            double.common.now() - 3600,
        )));
        let e = late.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(matches!(e, RemoteError::Auth { status: 401, .. }), "{e:?}");
        // A Twirp-JSON 401 (missing grant) keeps its code.
        double.common.push_fault(Fault::json(401, r#"{"code":"unauthenticated","msg":"permissions denied"}"#));
        let e = client(&server.base_url).list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(matches!(&e, RemoteError::Auth { code: Some(c), message, .. } if c == "unauthenticated" && message == "permissions denied"), "{e:?}");
        assert!(!format!("{e} {e:?}").contains(SECRET));
    })
    .await;
}

/// The double enforces the per-RPC grants itself (checked with tokens minted here).
#[tokio::test]
async fn double_enforces_grants_and_routes() {
    within(10, async {
        let (double, server) = LiveKitDouble::start().await;
        double.join("standup", "alice", "");
        let minter = LiveKitMinter::new(KEY, SECRET).unwrap();
        let now = double.common.now();
        let token = |video: VideoGrant| {
            let g = ClaimGrants {
                video: Some(video),
                ..ClaimGrants::default()
            };
            minter
                .encode(&g, now, std::time::Duration::from_secs(600))
                .unwrap()
        };
        let http = reqwest::Client::new();
        let post = |path: &str, tok: Option<String>, body: &str, ct: &str| {
            let mut r = http
                .post(format!("{}{path}", server.base_url))
                .header("content-type", ct)
                .body(body.to_owned());
            if let Some(t) = tok {
                r = r.header("authorization", t);
            }
            r.send()
        };
        // Admin of another room.
        let wrong_room = token(VideoGrant {
            room_admin: true,
            room: "other".into(),
            ..Default::default()
        });
        let r = post(
            "/twirp/livekit.RoomService/ListParticipants",
            Some(format!("Bearer {wrong_room}")),
            r#"{"room":"standup"}"#,
            "application/json",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.text().await.unwrap(),
            r#"{"code":"unauthenticated","msg":"permissions denied"}"#
        );
        // roomAdmin does not allow DeleteRoom (needs roomCreate).
        let admin = token(VideoGrant {
            room_admin: true,
            room: "standup".into(),
            ..Default::default()
        });
        let r = post(
            "/twirp/livekit.RoomService/DeleteRoom",
            Some(format!("Bearer {admin}")),
            r#"{"room":"standup"}"#,
            "application/json",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 401);
        // camelCase request names are accepted.
        let r = post(
            "/twirp/livekit.RoomService/ListParticipants",
            Some(format!("Bearer {admin}")),
            r#"{"room":"standup"}"#,
            "application/json;charset=UTF-8",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        // Not Bearer → plain text.
        let r = post(
            "/twirp/livekit.RoomService/ListRooms",
            Some("Basic abc".into()),
            "{}",
            "application/json",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 401);
        assert!(
            r.text()
                .await
                .unwrap()
                .starts_with("invalid authorization header")
        );
        // Bad content type, bad route, bad JSON.
        let r = post(
            "/twirp/livekit.RoomService/ListRooms",
            None,
            "{}",
            "text/plain",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 404);
        let r = post("/twirp/livekit.Nope/X", None, "{}", "application/json")
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "bad_route");
        let lister = token(VideoGrant {
            room_list: true,
            ..Default::default()
        });
        let r = post(
            "/twirp/livekit.RoomService/ListRooms",
            Some(format!("Bearer {lister}")),
            "{nope",
            "application/json",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 400);
        let r = http
            .get(format!(
                "{}/twirp/livekit.RoomService/ListRooms",
                server.base_url
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn lenient_decoding_of_camel_case() {
    within(10, async {
        let (double, server) = LiveKitDouble::start().await;
        double.state.lock().unwrap().camel_case = true;
        double.join("standup", "alice", "Alice");
        let c = client(&server.base_url);
        let r = c.get_room("standup").await.unwrap();
        assert_eq!(r.num_participants, Some(1));
        assert!(r.created_at.is_some());
        let p = c
            .list_participants("standup", &PageRequest::first())
            .await
            .unwrap();
        assert!(p.items[0].joined_at.is_some());
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        assert!(egress_id(&rec).starts_with("EG_"));
    })
    .await;
}

#[tokio::test]
async fn retries_timeouts_and_faults() {
    within(20, async {
        let (double, server) = LiveKitDouble::start().await;
        let c = client(&server.base_url);
        // 503 twice, then success: an idempotent call is retried.
        double.common.push_fault(Fault::json(503, r#"{"code":"unavailable","msg":"try later"}"#));
        double.common.push_fault(Fault::json(429, r#"{"code":"resource_exhausted","msg":"slow down"}"#).with_retry_after(0));
        c.list_rooms(&PageRequest::first()).await.unwrap();
        assert_eq!(double.common.hits("ListRooms"), 3);
        // Three failures exhaust the 2 retries and surface the vendor error.
        for _ in 0..3 {
            double.common.push_fault(Fault::json(500, r#"{"code":"internal","msg":"boom"}"#));
        }
        let e = c.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert_eq!(e.code(), Some("internal"));
        assert_eq!(double.common.hits("ListRooms"), 6);
        // Non-idempotent calls are not retried.
        c.create_room(&CreateRoomRequest::new("x")).await.unwrap();
        double.common.push_fault(Fault::json(503, r#"{"code":"unavailable","msg":"x"}"#));
        let e = c.delete_room("x").await.unwrap_err();
        assert_eq!(e.status(), Some(503));
        assert_eq!(double.common.hits("DeleteRoom"), 1);
        // Plain-text 5xx body (e.g. a proxy).
        double.common.push_fault(Fault::text(502, "bad gateway"));
        let e = c.delete_room("x").await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { status: 502, code: None, message, request_id: Some(_), .. } if message == "bad gateway"), "{e:?}");
        // Slow answer: timeout, then the retry succeeds.
        double.common.push_fault(Fault::Slow(Duration::from_millis(2000)));
        c.list_rooms(&PageRequest::first()).await.unwrap();
        // With no retries the timeout surfaces.
        let once = client(&server.base_url)
            .with_http_options(fast().max_retries(0).timeout(Duration::from_millis(200)))
            .unwrap();
        double.common.push_fault(Fault::Slow(Duration::from_millis(1500)));
        let e = once.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(matches!(e, RemoteError::Timeout { .. }), "{e:?}");
        // Malformed JSON.
        double.common.push_fault(Fault::Malformed);
        let e = c.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(matches!(e, RemoteError::Decode { operation: "room.list", .. }), "{e:?}");
        // Connection reset: retried when idempotent, surfaced otherwise.
        double.common.reset_next_connections(1);
        c.list_rooms(&PageRequest::first()).await.unwrap();
        double.common.reset_next_connections(1);
        let e = c.delete_room("x").await.unwrap_err();
        assert!(matches!(e, RemoteError::Transport { .. }), "{e:?}");
        // Connection refused (nothing listening): transport error, retried, then surfaced.
        drop(server);
        tokio::time::sleep(Duration::from_millis(50)).await;
    })
    .await;
}

#[tokio::test]
async fn connection_refused_is_transport() {
    within(10, async {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        let e = client(&base)
            .list_rooms(&PageRequest::first())
            .await
            .unwrap_err();
        assert!(matches!(e, RemoteError::Transport { .. }), "{e:?}");
        assert!(e.is_retryable());
    })
    .await;
}

#[tokio::test]
async fn works_as_dyn_room_service() {
    within(10, async {
        let (_double, server) = LiveKitDouble::start().await;
        let svc: Box<dyn RoomService> = Box::new(client(&server.base_url));
        assert_eq!(svc.vendor(), rtcmint::Vendor::LiveKit);
        let r = svc
            .create_room(&CreateRoomRequest::new("dyn"))
            .await
            .unwrap();
        assert_eq!(r.name, "dyn");
        svc.delete_room("dyn").await.unwrap();
    })
    .await;
}
