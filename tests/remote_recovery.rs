//! No orphaned recordings: every failure of a start, injected into the test doubles, ends in a
//! stoppable recording or in `OutcomeUnknown` carrying what finds and stops it. Also the paging
//! signals and the rate-limit floors of issue 14.
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

use remote_support::{Fault, within};
use rtcmint::remote::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, AgoraStreamTypes, AgoraVideoProfile,
    HttpOptions, LiveKitClient, LiveKitEncoding, LiveKitPreset, LiveKitRecordingOptions,
    PageRequest, RecordingHandle, RecordingId, RecordingRecovery, RecordingRequest,
    RecordingStatus, RemoteError, ZegoClient, ZegoRecordingOptions, ZegoStorage,
};

fn fast() -> HttpOptions {
    HttpOptions::default()
        .timeout(Duration::from_millis(400))
        .max_retries(2)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn gateway_timeout() -> Fault {
    Fault::text(504, "upstream request timeout")
}

// ------------------------------------------------------------------------------- LiveKit

mod lk {
    use super::*;
    use remote_support::livekit::{KEY, LiveKitDouble, SECRET};

    pub fn client(base: &str) -> LiveKitClient {
        LiveKitClient::new(base, KEY, SECRET)
            .unwrap()
            .with_http_options(fast())
            .unwrap()
    }

    pub fn starts(d: &LiveKitDouble) -> Vec<String> {
        d.state
            .lock()
            .unwrap()
            .request_ids
            .iter()
            .filter(|(rpc, _)| rpc == "StartRoomCompositeEgress")
            .map(|(_, id)| id.clone())
            .collect()
    }
}

#[tokio::test]
async fn livekit_start_that_happened_behind_a_504_is_retried_with_the_same_request_id() {
    within(20, async {
        let (double, server) = remote_support::livekit::LiveKitDouble::start().await;
        double.join("standup", "alice", "");
        let c = lk::client(&server.base_url);
        double
            .common
            .push_fault_after_on("StartRoomCompositeEgress", gateway_timeout());
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let ids = lk::starts(&double);
        assert_eq!(ids.len(), 2, "one retry");
        assert_eq!(
            ids[0], ids[1],
            "the retry carries the same X-Livekit-Request-Id"
        );
        assert_eq!(double.state.lock().unwrap().egress.len(), 1, "one egress");
        // The client timed out after the server started the egress: same story.
        double.common.push_fault_after_on(
            "StartRoomCompositeEgress",
            Fault::Slow(Duration::from_millis(700)),
        );
        let again = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        assert_ne!(again.recording, rec.recording);
        assert_eq!(double.state.lock().unwrap().egress.len(), 2);
        // Every call, not only starts, carries a request id; distinct calls get distinct ids.
        c.list_rooms(&PageRequest::first()).await.unwrap();
        let all = double.state.lock().unwrap().request_ids.clone();
        assert!(
            all.iter()
                .all(|(_, id)| id.starts_with("RQ_") && id.len() == 27)
        );
        let ids = lk::starts(&double);
        assert_ne!(ids[0], ids[2]);
    })
    .await;
}

#[tokio::test]
async fn livekit_unknown_outcome_is_recovered_by_repeating_with_the_key() {
    within(20, async {
        let (double, server) = remote_support::livekit::LiveKitDouble::start().await;
        double.join("standup", "alice", "");
        let c = lk::client(&server.base_url);
        for _ in 0..3 {
            double
                .common
                .push_fault_after_on("StartRoomCompositeEgress", gateway_timeout());
        }
        let keyed = RecordingRequest::new("standup").idempotency_key("job-7");
        let e = c.start_recording(&keyed).await.unwrap_err();
        let RemoteError::OutcomeUnknown { recovery, .. } = &e else {
            panic!("{e:?}")
        };
        let RecordingRecovery::LiveKit { room, request_id } = recovery.as_ref() else {
            panic!("{recovery:?}")
        };
        assert_eq!(room, "standup");
        assert!(
            e.to_string()
                .contains("outcome of recording.start is unknown"),
            "{e}"
        );
        assert!(e.to_string().contains(request_id.as_str()), "{e}");
        assert_eq!(
            double.state.lock().unwrap().egress.len(),
            1,
            "the vendor did start one"
        );
        // Another process, same key: the same request id, so the server's egress comes back.
        let rec = lk::client(&server.base_url)
            .start_recording(&keyed)
            .await
            .unwrap();
        assert_eq!(
            double.state.lock().unwrap().egress.len(),
            1,
            "still one egress"
        );
        assert_eq!(lk::starts(&double).last().unwrap(), request_id);
        // ... and it is stoppable from the id alone.
        let id: RecordingId = rec.recording.to_string().parse().unwrap();
        c.stop_recording(&id).await.unwrap();
        // A definite refusal is not an unknown outcome.
        let e = c
            .start_recording(&RecordingRequest::new("no-such-room"))
            .await
            .unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn livekit_encoding_options_reach_the_wire() {
    within(20, async {
        let (double, server) = remote_support::livekit::LiveKitDouble::start().await;
        double.join("standup", "alice", "");
        let c = lk::client(&server.base_url).with_recording_options(
            LiveKitRecordingOptions::default()
                .encoding(LiveKitEncoding::Preset(LiveKitPreset::H264_1080p30)),
        );
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let RecordingHandle::LiveKit { egress_id } = rec.handle() else {
            panic!()
        };
        let req = double.state.lock().unwrap().egress[egress_id]
            .request
            .clone();
        assert_eq!(req["preset"], "H264_1080P_30");
        // The default sends no encoding (the egress service's own default).
        let plain = lk::client(&server.base_url)
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let RecordingHandle::LiveKit { egress_id } = plain.handle() else {
            panic!()
        };
        let req = double.state.lock().unwrap().egress[egress_id]
            .request
            .clone();
        assert!(
            req.get("preset").is_none() && req.get("advanced").is_none(),
            "{req}"
        );
    })
    .await;
}

// --------------------------------------------------------------------------------- Agora

mod ag {
    use super::*;
    pub use remote_support::agora::{APP_ID, AgoraDouble, CUSTOMER_ID, CUSTOMER_SECRET};

    pub fn config() -> AgoraRecordingConfig {
        AgoraRecordingConfig::new(AgoraStorage::new(1, 0, "bucket", "AK", "SK"))
    }

    pub fn client(base: &str, config: AgoraRecordingConfig) -> AgoraClient {
        AgoraClient::new(base, APP_ID, CUSTOMER_ID, CUSTOMER_SECRET)
            .unwrap()
            .with_http_options(fast())
            .unwrap()
            .with_recording(config)
    }

    pub fn running(d: &AgoraDouble) -> usize {
        d.state
            .lock()
            .unwrap()
            .sessions
            .values()
            .filter(|s| !s.stopped)
            .count()
    }
}

#[tokio::test]
async fn agora_start_behind_a_504_then_code_7_gives_a_stoppable_recording() {
    within(20, async {
        let (double, server) = ag::AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        let c = ag::client(&server.base_url, ag::config());
        // The issue's case: start times out (504) after Agora started; the retry gets code 7.
        double
            .common
            .push_fault_after_on("/start", gateway_timeout());
        let rec = c
            .start_recording(&RecordingRequest::new("standup").idempotency_key("k1"))
            .await
            .unwrap();
        assert_eq!(double.common.hits("/start"), 2);
        assert_eq!(
            double.common.hits("/query"),
            1,
            "the running session was confirmed"
        );
        assert_eq!(rec.status, RecordingStatus::Active);
        assert_eq!(ag::running(&double), 1);
        // Another process stops it with the id alone.
        let other = AgoraClient::new(
            &server.base_url,
            ag::APP_ID,
            ag::CUSTOMER_ID,
            ag::CUSTOMER_SECRET,
        )
        .unwrap();
        let id: RecordingId = rec.recording.as_str().parse().unwrap();
        let stopped = other.stop_recording(&id).await.unwrap();
        assert_eq!(stopped.status, RecordingStatus::Complete);
        assert_eq!(ag::running(&double), 0);

        // A timeout after Agora started behaves the same.
        double
            .common
            .push_fault_after_on("/start", Fault::Slow(Duration::from_millis(700)));
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        assert_eq!(ag::running(&double), 1);
        c.stop_recording(&rec.recording).await.unwrap();
        // A reset before the handler ran: nothing started, the retry starts it once.
        double
            .common
            .push_fault_on("/start", Fault::text(502, "bad gateway"));
        c.start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        assert_eq!(ag::running(&double), 1);
    })
    .await;
}

#[tokio::test]
async fn agora_unknown_outcomes_carry_what_finds_and_stops_the_recording() {
    within(20, async {
        let (double, server) = ag::AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        double.state.lock().unwrap().errors_omit_session = true;
        let c = ag::client(&server.base_url, ag::config());
        double
            .common
            .push_fault_after_on("/start", gateway_timeout());
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        let RemoteError::OutcomeUnknown {
            recovery, reason, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert!(reason.contains("code 7"), "{reason}");
        let RecordingRecovery::Agora {
            cname,
            uid,
            mode,
            resource_id,
            sid,
        } = recovery.as_ref()
        else {
            panic!("{recovery:?}")
        };
        assert_eq!(
            (cname.as_str(), mode.as_str(), sid),
            ("standup", "mix", &None)
        );
        let running = {
            let s = double.state.lock().unwrap();
            let x = s.sessions.values().find(|x| !x.stopped).unwrap();
            (x.uid.clone(), x.resource_id.clone())
        };
        assert_eq!((&running.0, &running.1), (uid, resource_id));
        assert!(recovery.recording_id().is_none());
        assert!(e.to_string().contains(uid.as_str()), "{e}");

        // Every attempt ends without an answer: unknown, no sid, never a blind new start.
        double.state.lock().unwrap().errors_omit_session = false;
        for _ in 0..3 {
            double
                .common
                .push_fault_after_on("/start", gateway_timeout());
        }
        let before = double.common.hits("/start");
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        assert!(matches!(e, RemoteError::OutcomeUnknown { .. }), "{e:?}");
        assert_eq!(double.common.hits("/start") - before, 3);
        assert_eq!(
            double.common.hits("/acquire"),
            2,
            "one acquire per start call"
        );

        // The session is named but the query fails (Agora failover 404): the id is in the error.
        double
            .common
            .push_fault_after_on("/start", gateway_timeout());
        double.common.push_fault_on(
            "/query",
            Fault::json(
                404,
                r#"{"code":404,"serverResponse":{"message":"failed to find worker"}}"#,
            ),
        );
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        let RemoteError::OutcomeUnknown { recovery, .. } = &e else {
            panic!("{e:?}")
        };
        let id = recovery.recording_id().expect("sid known");
        assert!(e.to_string().contains(id.as_str()), "{e}");
        c.stop_recording(&id).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn agora_definite_refusals_are_plain_errors() {
    within(20, async {
        let (double, server) = ag::AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        let c = ag::client(&server.base_url, ag::config());
        double.common.push_fault_on(
            "/start",
            Fault::json(400, r#"{"code":2,"reason":"invalid parameter"}"#),
        );
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("2"), "{e:?}");
        assert_eq!(ag::running(&double), 0);
        // Code 65 (network jitter) is retried on the same resource id.
        double.common.push_fault_on(
            "/start",
            Fault::json(400, r#"{"code":65,"reason":"request not completed"}"#),
        );
        c.start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        assert_eq!(ag::running(&double), 1);
    })
    .await;
}

#[tokio::test]
async fn agora_recording_options_reach_the_wire() {
    within(20, async {
        let (double, server) = ag::AgoraDouble::start().await;
        double.seed("standup", 1, &[1001], &[]);
        let storage = AgoraStorage::new(11, 0, "bucket", "AK", "SK").endpoint("https://s3.example");
        let config = AgoraRecordingConfig::new(storage)
            .max_idle_time_secs(600)
            .stream_types(AgoraStreamTypes::Video)
            .video(AgoraVideoProfile::new(1280, 720, 30, 1500));
        let c = ag::client(&server.base_url, config);
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let RecordingHandle::Agora { sid, .. } = rec.handle() else {
            panic!()
        };
        let req = double.state.lock().unwrap().sessions[sid.as_str()].request["clientRequest"].clone();
        let rc = &req["recordingConfig"];
        assert_eq!(rc["maxIdleTime"], 600);
        assert_eq!(rc["streamTypes"], 1);
        assert!(rc.get("subscribeAudioUids").is_none());
        assert_eq!(rc["transcodingConfig"]["width"], 1280);
        assert_eq!(rc["transcodingConfig"]["fps"], 30);
        assert_eq!(req["storageConfig"]["extensionParams"]["endpoint"], "https://s3.example");
        // Contradictions and missing endpoints are refused before any call.
        let e = c
            .start_recording(&RecordingRequest::new("standup").audio_only(true))
            .await
            .unwrap_err();
        assert!(matches!(e, RemoteError::InvalidRequest { field: "audio_only", .. }), "{e:?}");
        let no_endpoint = ag::client(
            &server.base_url,
            AgoraRecordingConfig::new(AgoraStorage::new(11, 0, "b", "AK", "SK")),
        );
        let e = no_endpoint
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        assert!(matches!(&e, RemoteError::Config { reason, .. } if reason.contains("endpoint")), "{e:?}");
        // The recorder certificate never shows in Debug.
        let cert = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let with_cert = ag::config().recorder_certificate(cert);
        let c2 = ag::client(&server.base_url, with_cert.clone());
        assert!(!format!("{with_cert:?} {c2:?}").contains(cert));
        // Defaults are today's values.
        let d = ag::client(&server.base_url, ag::config())
            .start_recording(&RecordingRequest::new("standup").idempotency_key("d"))
            .await
            .unwrap();
        let RecordingHandle::Agora { sid, .. } = d.handle() else {
            panic!()
        };
        let req = double.state.lock().unwrap().sessions[sid.as_str()].request["clientRequest"].clone();
        assert_eq!(req["recordingConfig"]["maxIdleTime"], 30);
        assert_eq!(req["recordingConfig"]["streamTypes"], 2);
        assert_eq!(
            req["recordingConfig"]["transcodingConfig"],
            serde_json::json!({"width": 640, "height": 360, "fps": 15, "bitrate": 500, "mixedVideoLayout": 1})
        );
        assert!(req["storageConfig"].get("extensionParams").is_none());
    })
    .await;
}

#[tokio::test]
async fn agora_counts_use_audience_total_and_lists_honour_the_limit() {
    within(20, async {
        let (double, server) = ag::AgoraDouble::start().await;
        let audience: Vec<u32> = (2000..2012).collect();
        double.seed("live", 2, &[7, 8], &audience);
        double.state.lock().unwrap().audience_cap = Some(5);
        let c = ag::client(&server.base_url, ag::config());
        let room = c.get_room("live").await.unwrap();
        assert_eq!(
            room.num_participants,
            Some(14),
            "2 hosts + audience_total 12"
        );
        let p1 = c
            .list_participants("live", &PageRequest::first().limit(4))
            .await
            .unwrap();
        assert_eq!(p1.items.len(), 4);
        assert_eq!((p1.total, p1.truncated), (Some(14), true));
        assert_eq!(p1.next_cursor.as_deref(), Some("4"));
        let p2 = c
            .list_participants("live", &PageRequest::first().limit(4).cursor("4"))
            .await
            .unwrap();
        // 2 hosts + 5 listed audience = 7 listed; the rest Agora did not return.
        assert_eq!(p2.items.len(), 3);
        assert_eq!(p2.next_cursor, None);
        assert!(p2.truncated);
        let all = c
            .list_participants("live", &PageRequest::first())
            .await
            .unwrap();
        assert_eq!(all.items.len(), 7);
        double.state.lock().unwrap().audience_cap = None;
        let all = c
            .list_participants("live", &PageRequest::first())
            .await
            .unwrap();
        assert_eq!((all.items.len(), all.truncated), (14, false));
        assert!(matches!(
            c.list_participants("live", &PageRequest::first().cursor("x"))
                .await
                .unwrap_err(),
            RemoteError::InvalidRequest {
                field: "cursor",
                ..
            }
        ));
    })
    .await;
}

// ---------------------------------------------------------------------------------- ZEGO

mod zg {
    use super::*;
    pub use remote_support::zego::{APP_ID, SERVER_SECRET, ZegoDouble};

    pub fn client(base: &str) -> ZegoClient {
        ZegoClient::new(base, base, APP_ID, SERVER_SECRET)
            .unwrap()
            .with_http_options(fast())
            .unwrap()
            .with_recording(ZegoStorage::new(1, "us-east-1", "bucket", "AK", "SK"))
    }
}

#[tokio::test]
async fn zego_start_is_never_retried_and_an_unknown_outcome_names_the_room() {
    within(20, async {
        let (double, server) = zg::ZegoDouble::start().await;
        double.login("standup", "alice", "");
        let c = zg::client(&server.base_url);
        double
            .common
            .push_fault_after_on("StartRecord", gateway_timeout());
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        let RemoteError::OutcomeUnknown { recovery, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            recovery.as_ref(),
            &RecordingRecovery::Zego {
                room: "standup".into()
            }
        );
        assert_eq!(
            double.common.hits("POST /"),
            1,
            "StartRecord is never retried"
        );
        assert_eq!(
            double.state.lock().unwrap().tasks.len(),
            1,
            "ZEGO did start it"
        );
        // A timeout after ZEGO acted: unknown too.
        double
            .common
            .push_fault_after_on("StartRecord", Fault::Slow(Duration::from_millis(700)));
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        assert!(matches!(e, RemoteError::OutcomeUnknown { .. }), "{e:?}");
        // A definite refusal (non-zero Code) is a plain error.
        double.common.push_fault_on(
            "StartRecord",
            Fault::json(
                200,
                r#"{"Code":2,"Message":"bad parameter","RequestId":"r"}"#,
            ),
        );
        let e = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("2"));
        // The id carries the room, so stop reports it.
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let id: RecordingId = rec.recording.to_string().parse().unwrap();
        assert_eq!(c.stop_recording(&id).await.unwrap().room, "standup");
    })
    .await;
}

#[tokio::test]
async fn zego_recording_options_and_rate_limited_retries() {
    within(20, async {
        let (double, server) = zg::ZegoDouble::start().await;
        double.login("standup", "alice", "");
        let c = zg::client(&server.base_url).with_recording_options(
            ZegoRecordingOptions::default()
                .resolution(1920, 1080)
                .fps(30)
                .bitrate(3_000_000)
                .max_idle_time_secs(120),
        );
        let rec = c
            .start_recording(&RecordingRequest::new("standup"))
            .await
            .unwrap();
        let RecordingHandle::Zego { task_id, .. } = rec.handle() else {
            panic!()
        };
        let body = double.state.lock().unwrap().tasks[task_id].2.clone();
        assert_eq!(
            body["RecordInputParams"]["MixConfig"]["MixOutputVideoConfig"],
            serde_json::json!({"Width": 1920, "Height": 1080, "Fps": 30, "Bitrate": 3_000_000})
        );
        assert_eq!(body["RecordInputParams"]["MaxIdleTime"], 120);
        let too_big = zg::client(&server.base_url)
            .with_recording_options(ZegoRecordingOptions::default().resolution(2560, 1440));
        assert!(matches!(
            too_big
                .start_recording(&RecordingRequest::new("standup"))
                .await
                .unwrap_err(),
            RemoteError::InvalidRequest {
                field: "resolution",
                ..
            }
        ));

        // DescribeUserList allows 1 call/s per room: a QPS answer is retried no sooner.
        let before = double.common.log().len();
        double.common.push_fault_on(
            "DescribeUserList",
            Fault::json(
                200,
                r#"{"Code":7,"Message":"QPS exceeded","RequestId":"r"}"#,
            ),
        );
        c.list_participants("standup", &PageRequest::first())
            .await
            .unwrap();
        assert_eq!(double.common.log().len(), before + 2);
        assert!(double.common.gap(before, before + 1) >= Duration::from_secs(1));
    })
    .await;
}
