//! Agora client against the local Agora double.
#![cfg(feature = "remote")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)]

mod remote_support;

use std::time::Duration;

use remote_support::agora::{APP_ID, AgoraDouble, CUSTOMER_ID, CUSTOMER_SECRET};
use remote_support::{Fault, within};
use rtcmint::remote::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, CreateRoomRequest, HttpOptions, Operation,
    Origin, PageRequest, RecordingHandle, RecordingRequest, RecordingStatus, RemoteError,
    RoomService, Support,
};

fn fast() -> HttpOptions {
    HttpOptions::default()
        .timeout(Duration::from_millis(800))
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn client(base: &str) -> AgoraClient {
    AgoraClient::new(base, APP_ID, CUSTOMER_ID, CUSTOMER_SECRET)
        .unwrap()
        .with_http_options(fast())
        .unwrap()
        .with_recording(AgoraRecordingConfig::new(AgoraStorage::new(
            1,
            0,
            "bucket",
            "AK",
            "SK-secret",
        )))
}

#[test]
fn basic_auth_vector() {
    // From the spec: cust_key_123:cust_secret_456.
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode("cust_key_123:cust_secret_456"),
        "Y3VzdF9rZXlfMTIzOmN1c3Rfc2VjcmV0XzQ1Ng=="
    );
}

#[tokio::test]
async fn rooms_are_synthesized_or_derived() {
    within(20, async {
        let (double, server) = AgoraDouble::start().await;
        let c = client(&server.base_url);
        let r = c
            .create_room(&CreateRoomRequest::new("standup"))
            .await
            .unwrap();
        assert_eq!(r.origin, Origin::Synthesized);
        assert!(
            double.common.log().is_empty(),
            "create makes no network call"
        );
        let e = c
            .create_room(&CreateRoomRequest::new("x").max_participants(3))
            .await
            .unwrap_err();
        assert!(matches!(e, RemoteError::Unsupported { .. }), "{e}");

        let e = c.get_room("standup").await.unwrap_err();
        assert!(matches!(e, RemoteError::NotFound { .. }));
        double.seed("standup", 1, &[1001, 1002], &[]);
        double.seed("live", 2, &[7], &[2001, 2002]);
        double.seed("zzz", 1, &[5], &[]);
        let r = c.get_room("standup").await.unwrap();
        assert_eq!((r.origin, r.num_participants), (Origin::Derived, Some(2)));
        assert_eq!(c.get_room("live").await.unwrap().num_participants, Some(3));

        let p1 = c.list_rooms(&PageRequest::first().limit(2)).await.unwrap();
        assert_eq!(p1.items.len(), 2);
        assert_eq!(p1.next_cursor.as_deref(), Some("1"));
        let p2 = c
            .list_rooms(&PageRequest::first().limit(2).cursor("1"))
            .await
            .unwrap();
        assert_eq!(p2.items.len(), 1);
        assert_eq!(p2.next_cursor, None);
        assert!(matches!(
            c.list_rooms(&PageRequest::first().cursor("abc"))
                .await
                .unwrap_err(),
            RemoteError::InvalidRequest {
                field: "cursor",
                ..
            }
        ));

        // Delete = kicking rule with time 0 on the channel.
        c.delete_room("standup").await.unwrap();
        assert!(c.get_room("standup").await.unwrap_err().is_not_found());
        let rule = double.state.lock().unwrap().rules.last().cloned().unwrap();
        assert_eq!(rule["seconds"], 0);
        assert_eq!(rule["uid"], serde_json::Value::Null);
    })
    .await;
}

#[tokio::test]
async fn participants_and_kick() {
    within(20, async {
        let (double, server) = AgoraDouble::start().await;
        double.seed("live", 2, &[7], &[2001, 2002]);
        let c = client(&server.base_url);
        let p = c
            .list_participants("live", &PageRequest::first())
            .await
            .unwrap();
        let ids: Vec<_> = p
            .items
            .iter()
            .map(|p| (p.identity.as_str(), p.role.as_deref()))
            .collect();
        assert_eq!(
            ids,
            [
                ("7", Some("host")),
                ("2001", Some("audience")),
                ("2002", Some("audience"))
            ]
        );
        assert!(
            c.list_participants("none", &PageRequest::first())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        c.kick_participant("live", "2001").await.unwrap();
        assert_eq!(
            c.list_participants("live", &PageRequest::first())
                .await
                .unwrap()
                .items
                .len(),
            2
        );
        let e = c.kick_participant("live", "alice").await.unwrap_err();
        assert!(matches!(
            e,
            RemoteError::InvalidRequest {
                field: "identity",
                ..
            }
        ));
        assert!(c.kick_participant("live", "0").await.is_err());
        assert_eq!(
            double.common.hits("kicking-rule"),
            1,
            "invalid uids never reach the vendor"
        );
    })
    .await;
}

#[tokio::test]
async fn recording_lifecycle() {
    within(20, async {
        let (double, server) = AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        let c = client(&server.base_url);
        let rec = c
            .start_recording(&RecordingRequest::new("standup").layout("vertical").output_uri("rec/2026"))
            .await
            .unwrap();
        assert_eq!(rec.status, RecordingStatus::Starting);
        let RecordingHandle::Agora { mode, uid, sid, .. } = rec.handle() else { panic!() };
        assert_eq!(mode, "mix");
        assert!(uid.parse::<u32>().unwrap() >= 1_000_000_000);
        {
            let s = double.state.lock().unwrap();
            let req = &s.sessions[sid.as_str()].request["clientRequest"];
            assert_eq!(req["recordingConfig"]["transcodingConfig"]["mixedVideoLayout"], 2);
            assert_eq!(req["storageConfig"]["fileNamePrefix"], serde_json::json!(["rec", "2026"]));
            assert_eq!(req["storageConfig"]["secretKey"], "SK-secret");
        }
        let stopped = c.stop_recording(&rec.recording).await.unwrap();
        assert_eq!(stopped.status, RecordingStatus::Complete);
        assert!(stopped.output_uri.unwrap().ends_with(".m3u8"));
        // Stopping again: HTTP 404 with a serverResponse message.
        let e = c.stop_recording(&rec.recording).await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { status: 404, code: Some(c), message, .. } if c == "404" && message == "failed to find worker"), "{e:?}");
        assert!(e.is_not_found());

        // Nobody published: 435 is "nothing recorded", not an error.
        double.seed("empty", 1, &[], &[]);
        let rec = c.start_recording(&RecordingRequest::new("empty").audio_only(true)).await.unwrap();
        let stopped = c.stop_recording(&rec.recording).await.unwrap();
        assert_eq!(stopped.status, RecordingStatus::NothingRecorded);

        // Idempotency key: same result without a second acquire; uid derived from the key.
        let keyed = RecordingRequest::new("standup").idempotency_key("job-42");
        let a = c.start_recording(&keyed).await.unwrap();
        let acquires = double.common.hits("/acquire");
        assert_eq!(c.start_recording(&keyed).await.unwrap(), a);
        assert_eq!(double.common.hits("/acquire"), acquires);
        // A second client (another process) with the same key: Agora refuses a second
        // instance (53) and names the running one, which is queried and returned.
        let other = client(&server.base_url).start_recording(&keyed).await.unwrap();
        assert_eq!(other.recording, a.recording);
        assert_eq!(other.status, RecordingStatus::Active);
        assert_eq!(double.state.lock().unwrap().sessions.values().filter(|s| !s.stopped).count(), 1);

        // Bad inputs.
        assert!(matches!(
            c.start_recording(&RecordingRequest::new("standup").layout("mosaic")).await.unwrap_err(),
            RemoteError::InvalidRequest { field: "layout", .. }
        ));
        assert!(matches!(
            c.start_recording(&RecordingRequest::new("standup").output_uri("a/b-c")).await.unwrap_err(),
            RemoteError::InvalidRequest { field: "output_uri", .. }
        ));
        let bare = AgoraClient::new(&server.base_url, APP_ID, CUSTOMER_ID, CUSTOMER_SECRET).unwrap();
        assert!(matches!(
            bare.start_recording(&RecordingRequest::new("standup")).await.unwrap_err(),
            RemoteError::Config { .. }
        ));
        assert!(matches!(
            c.start_recording(&RecordingRequest::new("standup").metadata("m")).await.unwrap_err(),
            RemoteError::Unsupported { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn resource_expiry_and_error_shapes() {
    within(20, async {
        let (double, server) = AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        let c = client(&server.base_url);
        // {code, reason}: the resourceId expired (the double's clock jumps between acquire and start).
        double.state.lock().unwrap().jump_after_acquire = 301;
        let e = c.start_recording(&RecordingRequest::new("standup")).await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { status: 400, code: Some(c), message, .. } if c == "433" && message == "resourceId expired"), "{e:?}");
        double.state.lock().unwrap().jump_after_acquire = 0;
        double.common.set_now(0);

        // {message} 401s.
        let wrong = AgoraClient::new(&server.base_url, APP_ID, CUSTOMER_ID, "nope").unwrap();
        let e = wrong.get_room("standup").await.unwrap_err();
        assert!(matches!(&e, RemoteError::Auth { status: 401, code: None, message, .. } if message == "Invalid authentication credentials"), "{e:?}");
        assert!(!format!("{e} {e:?} {wrong:?}").contains("nope\""));
        assert!(format!("{wrong:?}").contains("redacted"));
        // {message} 400 invalid appid.
        let other = AgoraClient::new(&server.base_url, "ffff", CUSTOMER_ID, CUSTOMER_SECRET).unwrap();
        let e = other.get_room("standup").await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { status: 400, code: None, message, request_id: Some(_), .. } if message == "invalid appid"), "{e:?}");

        // 429 {message} on an idempotent query: retried.
        double.common.push_fault(Fault::json(429, r#"{"message":"API rate limit exceeded"}"#));
        c.get_room("standup").await.unwrap();
        // 429 on a kick: not retried, surfaced with the message.
        double.common.push_fault(Fault::json(429, r#"{"message":"API rate limit exceeded"}"#));
        let e = c.kick_participant("standup", "1001").await.unwrap_err();
        assert!(e.is_retryable());
        assert!(e.to_string().contains("API rate limit exceeded"));
        // 5xx then success on acquire (idempotent); start without a key is not retried.
        double.common.push_fault(Fault::text(500, "internal"));
        let rec = c.start_recording(&RecordingRequest::new("standup")).await.unwrap();
        assert_eq!(rec.room, "standup");
        // Malformed JSON and a reset.
        double.common.push_fault(Fault::Malformed);
        assert!(matches!(c.get_room("standup").await.unwrap_err(), RemoteError::Decode { .. }));
        double.common.reset_next_connections(1);
        c.get_room("standup").await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn capabilities_table() {
    let caps = rtcmint::remote::capabilities(rtcmint::Vendor::Agora);
    assert_eq!(caps.support(Operation::RoomCreate), Support::Synthesized);
    assert_eq!(caps.support(Operation::RoomDelete), Support::Derived);
    assert_eq!(caps.support(Operation::RecordingStart), Support::Real);
    let c = AgoraClient::new("http://127.0.0.1:9", APP_ID, CUSTOMER_ID, CUSTOMER_SECRET).unwrap();
    assert_eq!(RoomService::capabilities(&c), caps);
    let json = serde_json::to_value(&caps).unwrap();
    assert_eq!(json["vendor"], "agora");
    assert_eq!(json["rows"][0]["operation"], "room.create");
}
