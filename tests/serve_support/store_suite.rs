//! The store test suite: every case takes a fresh, empty store, so the same suite runs against
//! any [`Store`] implementation. Use it with
//!
//! ```ignore
//! mod serve_support;
//! serve_support::store_suite!(async || -> Arc<dyn Store> { /* a fresh, empty store */ });
//! ```
//!
//! (`tests/serve_store.rs` does this for SQLite; a PostgreSQL test file does the same with a
//! throwaway database.)

use std::sync::Arc;

use rtcmint::Vendor;
use rtcmint::remote::{RecordingHandle, RecordingId};
use rtcmint::serve::store::{
    IdempotencyBegin, IdempotencyClaim, IdempotencyKey, ParticipantRecord, PresenceChange,
    PresenceEvent, PresenceRecord, RecordingChange, RecordingRecord, RoomRecord, Store,
    StoredResponse, WebhookChange, WebhookDelivery,
};

fn room(id: &str, vendor: Vendor, name: &str) -> RoomRecord {
    RoomRecord {
        id: id.to_owned(),
        vendor,
        name: name.to_owned(),
        max_participants: Some(8),
        empty_timeout_s: Some(300),
        metadata: Some(r#"{"team":"a"}"#.to_owned()),
        created_at: 1_700_000_000,
    }
}

fn key<'a>(scope: &'a str, k: &'a str) -> IdempotencyKey<'a> {
    IdempotencyKey { scope, key: k }
}

/// A claim of `key` for the request `fingerprint`, at `now` until `expires_at`.
pub fn claim<'a>(
    key: IdempotencyKey<'a>,
    fingerprint: &'a str,
    now: i64,
    expires_at: i64,
) -> IdempotencyClaim<'a> {
    IdempotencyClaim {
        key,
        fingerprint,
        now,
        expires_at,
    }
}

pub async fn ping_and_backend(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    assert!(!store.backend().is_empty());
}

pub async fn rooms_round_trip(store: Arc<dyn Store>) {
    let a = room("r1.agora.a", Vendor::Agora, "a");
    store.put_room(&a).await.unwrap();
    assert_eq!(store.get_room("r1.agora.a").await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_room("r1.agora.zz").await.unwrap(), None);
    // Replace keeps one row with the new values.
    let mut a2 = a.clone();
    a2.max_participants = None;
    a2.metadata = None;
    store.put_room(&a2).await.unwrap();
    assert_eq!(store.get_room("r1.agora.a").await.unwrap(), Some(a2));
    assert!(store.delete_room("r1.agora.a").await.unwrap());
    assert!(!store.delete_room("r1.agora.a").await.unwrap());
    assert_eq!(store.get_room("r1.agora.a").await.unwrap(), None);
}

pub async fn rooms_list_pages_by_vendor(store: Arc<dyn Store>) {
    for i in 0..7 {
        store
            .put_room(&room(
                &format!("r1.zego.{i}"),
                Vendor::Zego,
                &format!("z{i}"),
            ))
            .await
            .unwrap();
    }
    store
        .put_room(&room("r1.agora.x", Vendor::Agora, "x"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_rooms(Vendor::Zego, after.as_deref(), 3)
            .await
            .unwrap();
        assert!(page.len() <= 3);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| r.id.clone());
        seen.extend(page.into_iter().map(|r| r.id));
    }
    let expected: Vec<String> = (0..7).map(|i| format!("r1.zego.{i}")).collect();
    assert_eq!(
        seen, expected,
        "ordered by id, no duplicates, no other vendor"
    );
    let agora = store.list_rooms(Vendor::Agora, None, 10).await.unwrap();
    assert_eq!(agora.len(), 1);
    assert!(
        store
            .list_rooms(Vendor::LiveKit, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn recordings_upsert(store: Arc<dyn Store>) {
    let rec = RecordingRecord {
        id: "rec1.x".into(),
        vendor: Vendor::LiveKit,
        room_id: "r1.livekit.cg".into(),
        status: "starting".into(),
        output_uri: Some("s3://bucket/a.mp4".into()),
        created_at: 100,
        updated_at: 100,
        webhook_at: None,
    };
    store.put_recording(&rec).await.unwrap();
    assert_eq!(
        store.get_recording("rec1.x").await.unwrap(),
        Some(rec.clone())
    );
    let update = RecordingRecord {
        status: "complete".into(),
        output_uri: None,
        created_at: 999,
        updated_at: 200,
        ..rec.clone()
    };
    store.put_recording(&update).await.unwrap();
    let got = store.get_recording("rec1.x").await.unwrap().unwrap();
    assert_eq!(got.status, "complete");
    assert_eq!(got.created_at, 100, "created_at is kept");
    assert_eq!(got.updated_at, 200);
    assert_eq!(
        got.output_uri.as_deref(),
        Some("s3://bucket/a.mp4"),
        "a known output is kept"
    );
    assert_eq!(store.get_recording("rec1.none").await.unwrap(), None);
}

pub async fn idempotency_sequential(store: Arc<dyn Store>) {
    let k = key("scope-a", "key-1");
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp1", 1000, 2000))
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp1", 1001, 2001))
            .await
            .unwrap(),
        IdempotencyBegin::InProgress
    );
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp2", 1001, 2001))
            .await
            .unwrap(),
        IdempotencyBegin::Mismatch
    );
    let resp = StoredResponse {
        status: 200,
        body: br#"{"room":"r1"}"#.to_vec(),
    };
    assert!(
        !store.idempotency_complete(k, "fp2", &resp).await.unwrap(),
        "wrong fingerprint"
    );
    assert!(store.idempotency_complete(k, "fp1", &resp).await.unwrap());
    assert!(
        !store.idempotency_complete(k, "fp1", &resp).await.unwrap(),
        "only once"
    );
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp1", 1002, 2002))
            .await
            .unwrap(),
        IdempotencyBegin::Replay(resp.clone())
    );
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp2", 1002, 2002))
            .await
            .unwrap(),
        IdempotencyBegin::Mismatch
    );
    // Another scope does not see it.
    assert_eq!(
        store
            .idempotency_begin(claim(key("scope-b", "key-1"), "fp2", 1002, 2002))
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    // Abandon releases only an in-progress claim.
    assert!(
        !store.idempotency_abandon(k, "fp1").await.unwrap(),
        "done keys stay"
    );
    let k2 = key("scope-a", "key-2");
    assert_eq!(
        store
            .idempotency_begin(claim(k2, "fp1", 1000, 2000))
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    assert!(store.idempotency_abandon(k2, "fp1").await.unwrap());
    assert_eq!(
        store
            .idempotency_begin(claim(k2, "fp9", 1000, 2000))
            .await
            .unwrap(),
        IdempotencyBegin::Started,
        "a released key is free for any request"
    );
}

pub async fn idempotency_concurrent_claims(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            s.idempotency_begin(claim(key("scope", "same"), "fp", 10, 20))
                .await
                .unwrap()
        }));
    }
    let mut started = 0;
    for t in tasks {
        match t.await.unwrap() {
            IdempotencyBegin::Started => started += 1,
            IdempotencyBegin::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(started, 1, "exactly one concurrent caller owns the key");
}

pub async fn idempotency_expiry_reclaims(store: Arc<dyn Store>) {
    let k = key("s", "k");
    store
        .idempotency_begin(claim(k, "fp1", 100, 110))
        .await
        .unwrap();
    let resp = StoredResponse {
        status: 201,
        body: b"{}".to_vec(),
    };
    store.idempotency_complete(k, "fp1", &resp).await.unwrap();
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp2", 109, 119))
            .await
            .unwrap(),
        IdempotencyBegin::Mismatch
    );
    assert_eq!(
        store
            .idempotency_begin(claim(k, "fp2", 110, 120))
            .await
            .unwrap(),
        IdempotencyBegin::Started,
        "an expired key is free again"
    );
}

pub async fn idempotency_purge_in_batches(store: Arc<dyn Store>) {
    for i in 0..1100 {
        let k = format!("old-{i}");
        store
            .idempotency_begin(claim(key("s", &k), "fp", 0, 50))
            .await
            .unwrap();
    }
    store
        .idempotency_begin(claim(key("s", "live"), "fp", 0, 1000))
        .await
        .unwrap();
    assert_eq!(
        store.purge_expired_idempotency(100, 500).await.unwrap(),
        500
    );
    assert_eq!(
        store.purge_expired_idempotency(100, 500).await.unwrap(),
        500
    );
    assert_eq!(
        store.purge_expired_idempotency(100, 500).await.unwrap(),
        100
    );
    assert_eq!(store.purge_expired_idempotency(100, 500).await.unwrap(), 0);
    assert_eq!(
        store
            .idempotency_begin(claim(key("s", "live"), "fp", 100, 1000))
            .await
            .unwrap(),
        IdempotencyBegin::InProgress,
        "unexpired keys survive the purge"
    );
}

fn delivery(vendor: Vendor, id: &str, at: i64, change: WebhookChange) -> WebhookDelivery {
    WebhookDelivery {
        vendor,
        event_id: id.to_owned(),
        received_at: at,
        expires_at: at + 100,
        change,
    }
}

fn presence(room: &str, at: i64, event: PresenceEvent) -> WebhookChange {
    WebhookChange::Presence(PresenceChange {
        room_id: room.to_owned(),
        at,
        event,
    })
}

fn joined(identity: &str, name: Option<&str>, seq: i64) -> PresenceEvent {
    PresenceEvent::Joined {
        identity: identity.to_owned(),
        display_name: name.map(str::to_owned),
        seq,
    }
}

fn left(identity: &str, seq: i64) -> PresenceEvent {
    PresenceEvent::Left {
        identity: identity.to_owned(),
        seq,
    }
}

async fn identities(store: &Arc<dyn Store>, room: &str) -> Vec<String> {
    store
        .list_participants(room, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.identity)
        .collect()
}

pub async fn webhooks_dedupe_by_event_id(store: Arc<dyn Store>) {
    let d = delivery(Vendor::LiveKit, "EV_1", 1000, WebhookChange::Nothing);
    assert!(store.record_webhook(&d).await.unwrap(), "first delivery");
    assert!(!store.record_webhook(&d).await.unwrap(), "redelivery");
    // Ids are per vendor.
    let other = WebhookDelivery {
        vendor: Vendor::Agora,
        ..d.clone()
    };
    assert!(store.record_webhook(&other).await.unwrap());
    // A duplicate's change is not applied.
    let room = "r1.agora.ZHVw";
    let j = delivery(
        Vendor::Agora,
        "n-1",
        1000,
        presence(room, 1000, joined("7", None, 1)),
    );
    assert!(store.record_webhook(&j).await.unwrap());
    let mut again = j.clone();
    again.change = presence(room, 1001, joined("8", None, 2));
    assert!(!store.record_webhook(&again).await.unwrap());
    assert_eq!(identities(&store, room).await, ["7"]);
    // Once expired (`expires_at <= received_at`), the id is free again.
    let late = delivery(Vendor::LiveKit, "EV_1", 1100, WebhookChange::Nothing);
    assert!(store.record_webhook(&late).await.unwrap());
    assert!(
        !store
            .record_webhook(&delivery(
                Vendor::LiveKit,
                "EV_1",
                1101,
                WebhookChange::Nothing
            ))
            .await
            .unwrap()
    );
}

pub async fn webhooks_presence_in_order(store: Arc<dyn Store>) {
    let room = "r1.zego.cm9vbQ";
    assert_eq!(store.room_presence(room).await.unwrap(), None);
    let mut n = 0;
    let mut rec = |at: i64, event: PresenceEvent| {
        n += 1;
        delivery(
            Vendor::Zego,
            &format!("e{n}"),
            at,
            presence(room, at, event),
        )
    };
    for d in [
        rec(100, PresenceEvent::RoomStarted),
        rec(101, joined("alice", Some("Alice"), 10)),
        rec(102, joined("bob", None, 5)),
    ] {
        assert!(store.record_webhook(&d).await.unwrap());
    }
    assert_eq!(
        store.room_presence(room).await.unwrap(),
        Some(PresenceRecord {
            occupancy: 2,
            active: true,
            as_of: 102
        })
    );
    assert_eq!(
        store.list_participants(room, None, 10).await.unwrap(),
        [
            ParticipantRecord {
                identity: "alice".into(),
                display_name: Some("Alice".into()),
                joined_at: Some(101),
            },
            ParticipantRecord {
                identity: "bob".into(),
                display_name: None,
                joined_at: Some(102),
            },
        ]
    );
    // An older leave (by seq) arriving late changes nothing; a newer one removes alice.
    store
        .record_webhook(&rec(103, left("alice", 9)))
        .await
        .unwrap();
    assert_eq!(identities(&store, room).await, ["alice", "bob"]);
    store
        .record_webhook(&rec(104, left("alice", 11)))
        .await
        .unwrap();
    assert_eq!(identities(&store, room).await, ["bob"]);
    // ... and her older join, arriving after, cannot bring her back.
    store
        .record_webhook(&rec(105, joined("alice", None, 10)))
        .await
        .unwrap();
    assert_eq!(identities(&store, room).await, ["bob"]);
    // A rejoin keeps the name and gets a new joined_at; an event with an older time does not
    // move as_of back.
    store
        .record_webhook(&rec(90, joined("alice", None, 12)))
        .await
        .unwrap();
    let alice = store.list_participants(room, None, 1).await.unwrap();
    assert_eq!(alice[0].display_name.as_deref(), Some("Alice"));
    assert_eq!(alice[0].joined_at, Some(90));
    assert_eq!(store.room_presence(room).await.unwrap().unwrap().as_of, 105);
    // Paging by identity.
    let page = store
        .list_participants(room, Some("alice"), 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].identity, "bob");
    // The room ends: everybody has left; it is no longer active.
    store
        .record_webhook(&rec(200, PresenceEvent::RoomFinished))
        .await
        .unwrap();
    assert_eq!(
        store.room_presence(room).await.unwrap(),
        Some(PresenceRecord {
            occupancy: 0,
            active: false,
            as_of: 200
        })
    );
    assert!(identities(&store, room).await.is_empty());
    // Other rooms are separate.
    assert_eq!(store.room_presence("r1.zego.b3RoZXI").await.unwrap(), None);
}

fn livekit_recording(egress: &str) -> String {
    RecordingId::new(RecordingHandle::LiveKit {
        egress_id: egress.to_owned(),
    })
    .unwrap()
    .to_string()
}

pub async fn webhooks_update_recordings(store: Arc<dyn Store>) {
    let id = livekit_recording("EG_1");
    let rec = RecordingRecord {
        id: id.clone(),
        vendor: Vendor::LiveKit,
        room_id: "r1.livekit.cm9vbQ".into(),
        status: "starting".into(),
        output_uri: None,
        created_at: 100,
        updated_at: 100,
        webhook_at: None,
    };
    store.put_recording(&rec).await.unwrap();
    let change = |status: &str, uri: Option<&str>, at: i64| {
        WebhookChange::Recording(RecordingChange {
            vendor_recording_id: "EG_1".into(),
            status: status.into(),
            output_uri: uri.map(str::to_owned),
            at,
        })
    };
    let d = delivery(Vendor::LiveKit, "EV_a", 110, change("active", None, 109));
    store.record_webhook(&d).await.unwrap();
    let got = store.get_recording(&id).await.unwrap().unwrap();
    assert_eq!(got.status, "active");
    assert_eq!(got.webhook_at, Some(109));
    assert_eq!(got.updated_at, 110);
    assert_eq!(got.created_at, 100);
    let d = delivery(
        Vendor::LiveKit,
        "EV_b",
        120,
        change("complete", Some("s3://b/x.mp4"), 119),
    );
    store.record_webhook(&d).await.unwrap();
    // A late, running status does not undo the end.
    let d = delivery(Vendor::LiveKit, "EV_c", 130, change("active", None, 115));
    store.record_webhook(&d).await.unwrap();
    let got = store.get_recording(&id).await.unwrap().unwrap();
    assert_eq!(got.status, "complete");
    assert_eq!(got.output_uri.as_deref(), Some("s3://b/x.mp4"));
    assert_eq!(got.webhook_at, Some(119));
    // Nor does a stop answer that raced the end ...
    let stop = RecordingRecord {
        status: "stopping".into(),
        updated_at: 140,
        ..rec.clone()
    };
    store.put_recording(&stop).await.unwrap();
    let got = store.get_recording(&id).await.unwrap().unwrap();
    assert_eq!(got.status, "complete");
    assert_eq!(got.webhook_at, Some(119));
    assert_eq!(got.updated_at, 140);
    // ... while a final answer of the gateway's own replaces it.
    let failed = RecordingRecord {
        status: "failed".into(),
        updated_at: 150,
        ..rec.clone()
    };
    store.put_recording(&failed).await.unwrap();
    let got = store.get_recording(&id).await.unwrap().unwrap();
    assert_eq!((got.status.as_str(), got.webhook_at), ("failed", None));
    // Events for recordings the gateway did not start, or of another vendor, change nothing.
    let d = delivery(Vendor::Agora, "EV_d", 160, change("complete", None, 160));
    assert!(store.record_webhook(&d).await.unwrap());
    assert_eq!(
        store.get_recording(&id).await.unwrap().unwrap().status,
        "failed"
    );
}

pub async fn webhooks_purge(store: Arc<dyn Store>) {
    let room = "r1.agora.cHVyZ2U";
    // Delivered at 0..10, kept until 100..110.
    for i in 0..10 {
        let d = delivery(
            Vendor::Agora,
            &format!("n{i}"),
            i,
            presence(room, i, joined(&format!("u{i}"), None, i)),
        );
        store.record_webhook(&d).await.unwrap();
    }
    store
        .record_webhook(&delivery(
            Vendor::Agora,
            "n-left",
            10,
            presence(room, 10, left("u0", 99)),
        ))
        .await
        .unwrap();
    let live = "r1.agora.bGl2ZQ";
    store
        .record_webhook(&delivery(
            Vendor::Agora,
            "n-live",
            500,
            presence(live, 500, joined("x", None, 1)),
        ))
        .await
        .unwrap();
    // Nothing has expired at 50.
    assert_eq!(store.purge_expired_webhooks(50, 500).await.unwrap(), 0);
    // At 200 the old room's ids, participants and presence go; the live room stays.
    let mut purged = 0;
    loop {
        let n = store.purge_expired_webhooks(200, 4).await.unwrap();
        if n == 0 {
            break;
        }
        purged += n;
    }
    // 11 ids + 10 participants + 1 room.
    assert_eq!(purged, 22);
    assert_eq!(store.room_presence(room).await.unwrap(), None);
    assert!(identities(&store, room).await.is_empty());
    assert_eq!(
        store.room_presence(live).await.unwrap().unwrap().occupancy,
        1
    );
    // A purged id is free again.
    assert!(
        store
            .record_webhook(&delivery(Vendor::Agora, "n0", 201, WebhookChange::Nothing))
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_webhook(&delivery(
                Vendor::Agora,
                "n-live",
                201,
                WebhookChange::Nothing
            ))
            .await
            .unwrap()
    );
}

/// Runs every case of the suite against stores made by `$make` (an expression evaluating to a
/// closure returning a future of `Arc<dyn Store>`, each call a fresh, empty store).
/// `store_suite!(optional $make)` takes a closure returning `Option<Arc<dyn Store>>` instead; a
/// case whose store is `None` (no server to test against; the maker says why) returns at once.
#[macro_export]
macro_rules! store_suite {
    (optional $make:expr) => {
        $crate::store_suite!(@all @optional $make);
    };
    ($make:expr) => {
        $crate::store_suite!(@all @cases $make);
    };
    (@all @ $mode:ident $make:expr) => {
        $crate::store_suite!(@ $mode $make;
            ping_and_backend,
            rooms_round_trip,
            rooms_list_pages_by_vendor,
            recordings_upsert,
            idempotency_sequential,
            idempotency_concurrent_claims,
            idempotency_expiry_reclaims,
            idempotency_purge_in_batches,
            webhooks_dedupe_by_event_id,
            webhooks_presence_in_order,
            webhooks_update_recordings,
            webhooks_purge
        );
    };
    (@cases $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let make = $make;
                let store = make().await;
                $crate::serve_support::store_suite::$case(store).await;
            }
        )*
    };
    (@optional $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let make = $make;
                let Some(store) = make(stringify!($case)).await else {
                    return;
                };
                $crate::serve_support::store_suite::$case(store).await;
            }
        )*
    };
}
