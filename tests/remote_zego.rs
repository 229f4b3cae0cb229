//! ZEGO client against the local ZEGO double.
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

use remote_support::zego::{APP_ID, SERVER_SECRET, ZegoDouble};
use remote_support::{Fault, within};
use rtcmint::remote::{
    CreateRoomRequest, HttpOptions, Operation, Origin, PageRequest, Recording, RecordingHandle,
    RecordingId, RecordingRequest, RecordingStatus, RemoteError, RoomService, Support,
    UnsupportedReason, ZegoClient, ZegoStorage, zego_signature,
};
use rtcmint::{FixedClock, FixedRandom, Secret};

fn fast() -> HttpOptions {
    HttpOptions::default()
        .timeout(Duration::from_millis(800))
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn task_id(rec: &Recording) -> String {
    match rec.handle() {
        RecordingHandle::Zego { task_id, .. } => task_id.clone(),
        other => panic!("{other:?}"),
    }
}

fn client(base: &str) -> ZegoClient {
    ZegoClient::new(base, base, APP_ID, SERVER_SECRET)
        .unwrap()
        .with_http_options(fast())
        .unwrap()
        .with_recording(ZegoStorage::new(1, "us-east-1", "bucket", "AK", "SK"))
}

#[test]
fn signature_vector_from_the_spec() {
    let secret = Secret::new("00112233445566778899aabbccddeeff");
    assert_eq!(
        zego_signature(1_234_567_890, "0123456789abcdef", &secret, 1_700_000_000),
        "408599f97774ba146aa777f429d0514c"
    );
}

#[tokio::test]
async fn rooms() {
    within(20, async {
        let (double, server) = ZegoDouble::start().await;
        let c = client(&server.base_url);
        let r = c
            .create_room(&CreateRoomRequest::new("standup"))
            .await
            .unwrap();
        assert_eq!(r.origin, Origin::Synthesized);
        assert!(double.common.log().is_empty());
        assert!(matches!(
            c.create_room(&CreateRoomRequest::new("x").metadata("m"))
                .await
                .unwrap_err(),
            RemoteError::Unsupported {
                reason: UnsupportedReason::VendorLacks,
                ..
            }
        ));
        // Count 0: NotFound (ZEGO cannot tell empty from absent).
        assert!(matches!(
            c.get_room("standup").await.unwrap_err(),
            RemoteError::NotFound { .. }
        ));
        double.login("standup", "alice", "Alice");
        double.login("standup", "bob", "Bob");
        double.login("other", "carol", "");
        let r = c.get_room("standup").await.unwrap();
        assert_eq!((r.origin, r.num_participants), (Origin::Derived, Some(2)));

        // Room list is gated: unsupported until enabled, then real.
        let e = c.list_rooms(&PageRequest::first()).await.unwrap_err();
        assert!(
            matches!(
                e,
                RemoteError::Unsupported {
                    operation: "room.list",
                    reason: UnsupportedReason::VendorLacks,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("with_room_list"), "{e}");
        assert_eq!(
            RoomService::capabilities(&c).support(Operation::RoomList),
            Support::Gated
        );
        let enabled = client(&server.base_url).with_room_list(true);
        assert_eq!(
            RoomService::capabilities(&enabled).support(Operation::RoomList),
            Support::Real
        );
        // Enabled on our side but not by ZEGO: the gateway's "unsupported Action" maps to Unsupported.
        assert!(matches!(
            enabled.list_rooms(&PageRequest::first()).await.unwrap_err(),
            RemoteError::Unsupported { .. }
        ));
        double.state.lock().unwrap().room_list_enabled = true;
        let p1 = enabled
            .list_rooms(&PageRequest::first().limit(1))
            .await
            .unwrap();
        assert_eq!(p1.items[0].name, "standup", "sorted by user count");
        assert_eq!(p1.next_cursor.as_deref(), Some("2"));
        let p2 = enabled
            .list_rooms(&PageRequest::first().limit(1).cursor("2"))
            .await
            .unwrap();
        assert_eq!(p2.items[0].name, "other");
        assert_eq!(p2.next_cursor, None);

        c.delete_room("other").await.unwrap();
        let e = c.delete_room("other").await.unwrap_err();
        assert!(
            matches!(e, RemoteError::NotFound { what: "room", .. }),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn participants_paging_and_kick() {
    within(20, async {
        let (double, server) = ZegoDouble::start().await;
        for i in 0..5 {
            double.login("standup", &format!("u{i}"), &format!("User {i}"));
        }
        let c = client(&server.base_url);
        let mut seen = Vec::new();
        let mut page = PageRequest::first().limit(2);
        for _ in 0..10 {
            let p = c.list_participants("standup", &page).await.unwrap();
            seen.extend(p.items.into_iter().map(|p| p.identity));
            match p.next_cursor {
                Some(m) => page = PageRequest::first().limit(2).cursor(m),
                None => break,
            }
        }
        assert_eq!(seen, ["u0", "u1", "u2", "u3", "u4"]);
        assert!(c.list_participants("nobody", &PageRequest::first()).await.unwrap().items.is_empty());
        c.kick_participant("standup", "u1").await.unwrap();
        assert_eq!(c.list_participants("standup", &PageRequest::first()).await.unwrap().items.len(), 4);
        let e = c.kick_participant("ghost", "u1").await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { status: 200, code: Some(code), request_id: Some(_), .. } if code == "50001"), "{e:?}");
        assert!(e.is_not_found());
    })
    .await;
}

#[tokio::test]
async fn recording() {
    within(20, async {
        let (double, server) = ZegoDouble::start().await;
        double.login("standup", "alice", "");
        let c = client(&server.base_url);
        let rec = c
            .start_recording(&RecordingRequest::new("standup").layout("vertical").output_uri("rec/standup"))
            .await
            .unwrap();
        assert_eq!(task_id(&rec).len(), 16);
        assert_eq!(rec.status, RecordingStatus::Starting);
        {
            let s = double.state.lock().unwrap();
            let body = &s.tasks[&task_id(&rec)].2;
            assert_eq!(body["RecordInputParams"]["MixConfig"]["MixMode"], 4);
            assert_eq!(body["RecordInputParams"]["StreamType"], 3);
            assert_eq!(body["RecordOutputParams"]["OutputFolder"], "rec/standup");
        }
        let stopped = c.stop_recording(&rec.recording).await.unwrap();
        assert_eq!(stopped.status, RecordingStatus::Stopping);
        assert_eq!(double.state.lock().unwrap().tasks[&task_id(&rec)].1, 3);
        let e = c.stop_recording(&rec.recording).await.unwrap_err();
        assert_eq!(e.code(), Some("2"));
        let nope = RecordingId::new(RecordingHandle::Zego { task_id: "nope".into(), room: "standup".into() }).unwrap();
        let e = c.stop_recording(&nope).await.unwrap_err();
        assert!(e.to_string().contains("task does not exist"), "{e}");

        let audio = c.start_recording(&RecordingRequest::new("standup").audio_only(true)).await.unwrap();
        assert_eq!(double.state.lock().unwrap().tasks[&task_id(&audio)].2["RecordOutputParams"]["OutputFileFormat"], "mp3");
        // S3-compatible storage without an endpoint: refused before any call.
        let s3c = ZegoClient::new(&server.base_url, &server.base_url, APP_ID, SERVER_SECRET)
            .unwrap()
            .with_recording(ZegoStorage::new(10, "r", "b", "AK", "SK"));
        let e = s3c.start_recording(&RecordingRequest::new("standup")).await.unwrap_err();
        assert!(matches!(&e, RemoteError::Config { reason, .. } if reason.contains("endpoint")), "{e:?}");
        let bare = ZegoClient::new(&server.base_url, &server.base_url, APP_ID, SERVER_SECRET).unwrap();
        assert!(matches!(bare.start_recording(&RecordingRequest::new("standup")).await.unwrap_err(), RemoteError::Config { .. }));
        let keyed = RecordingRequest::new("standup").idempotency_key("k");
        let a = c.start_recording(&keyed).await.unwrap();
        assert_eq!(c.start_recording(&keyed).await.unwrap(), a);
        assert_eq!(double.common.hits("POST /"), 6, "the keyed repeat made no call");
    })
    .await;
}

#[tokio::test]
async fn signature_and_timestamp_window_are_enforced() {
    within(20, async {
        let (double, server) = ZegoDouble::start().await;
        double.login("standup", "alice", "");
        let now = double.common.now();
        // Client clock 11 minutes off: signature expired.
        let skewed = client(&server.base_url).with_clock(Arc::new(FixedClock(now - 660)));
        let e = skewed.get_room("standup").await.unwrap_err();
        assert!(
            matches!(&e, RemoteError::Auth { status: 200, code: Some(c), .. } if c == "100000004"),
            "{e:?}"
        );
        // 9 minutes off is accepted.
        let ok = client(&server.base_url).with_clock(Arc::new(FixedClock(now - 540)));
        ok.get_room("standup").await.unwrap();
        // Wrong secret: invalid signature. The secret never shows.
        let wrong = ZegoClient::new(
            &server.base_url,
            &server.base_url,
            APP_ID,
            "ffffffffffffffffffffffffffffffff",
        )
        .unwrap();
        let e = wrong.get_room("standup").await.unwrap_err();
        assert_eq!(e.code(), Some("100000005"));
        assert!(!format!("{e} {e:?} {wrong:?}").contains("ffffffff"));
        // Unknown app.
        let other = ZegoClient::new(&server.base_url, &server.base_url, 42, SERVER_SECRET).unwrap();
        let e = other.get_room("standup").await.unwrap_err();
        assert!(
            matches!(&e, RemoteError::Auth { code: Some(c), .. } if c == "100000010"),
            "{e:?}"
        );
        // Deterministic nonce with a fixed random source still signs correctly.
        let fixed =
            client(&server.base_url).with_random(Arc::new(FixedRandom::new(vec![0xab; 64])));
        fixed.get_room("standup").await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn busy_codes_retry_and_faults() {
    within(20, async {
        let (double, server) = ZegoDouble::start().await;
        double.login("standup", "alice", "");
        let c = client(&server.base_url);
        // Code 7 (QPS) in an HTTP 200: retried for a read.
        double.common.push_fault(Fault::json(200, r#"{"Code":7,"Message":"QPS exceeded","RequestId":"r1"}"#));
        c.get_room("standup").await.unwrap();
        assert_eq!(double.common.hits("GET /"), 2);
        // ... but not for a kick.
        double.common.push_fault(Fault::json(200, r#"{"Code":1,"Message":"busy","RequestId":"r2"}"#));
        let e = c.kick_participant("standup", "alice").await.unwrap_err();
        assert!(matches!(&e, RemoteError::Api { code: Some(c), message, request_id: Some(r), .. } if c == "1" && message == "busy" && r == "r2"), "{e:?}");
        // A gateway 502 in front of ZEGO, malformed JSON, a slow answer, a reset.
        double.common.push_fault(Fault::text(502, "Bad Gateway"));
        c.get_room("standup").await.unwrap();
        double.common.push_fault(Fault::Malformed);
        assert!(matches!(c.get_room("standup").await.unwrap_err(), RemoteError::Decode { .. }));
        double.common.push_fault(Fault::Slow(Duration::from_millis(1500)));
        c.get_room("standup").await.unwrap();
        double.common.reset_next_connections(1);
        c.get_room("standup").await.unwrap();
        double.common.reset_next_connections(1);
        assert!(matches!(c.kick_participant("standup", "alice").await.unwrap_err(), RemoteError::Transport { .. }));
    })
    .await;
}
