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
use rtcmint::serve::store::{
    IdempotencyBegin, IdempotencyKey, RecordingRecord, RoomRecord, Store, StoredResponse,
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
        store.idempotency_begin(k, "fp1", 1000, 2000).await.unwrap(),
        IdempotencyBegin::Started
    );
    assert_eq!(
        store.idempotency_begin(k, "fp1", 1001, 2001).await.unwrap(),
        IdempotencyBegin::InProgress
    );
    assert_eq!(
        store.idempotency_begin(k, "fp2", 1001, 2001).await.unwrap(),
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
        store.idempotency_begin(k, "fp1", 1002, 2002).await.unwrap(),
        IdempotencyBegin::Replay(resp.clone())
    );
    assert_eq!(
        store.idempotency_begin(k, "fp2", 1002, 2002).await.unwrap(),
        IdempotencyBegin::Mismatch
    );
    // Another scope does not see it.
    assert_eq!(
        store
            .idempotency_begin(key("scope-b", "key-1"), "fp2", 1002, 2002)
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
            .idempotency_begin(k2, "fp1", 1000, 2000)
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    assert!(store.idempotency_abandon(k2, "fp1").await.unwrap());
    assert_eq!(
        store
            .idempotency_begin(k2, "fp9", 1000, 2000)
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
            s.idempotency_begin(key("scope", "same"), "fp", 10, 20)
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
    store.idempotency_begin(k, "fp1", 100, 110).await.unwrap();
    let resp = StoredResponse {
        status: 201,
        body: b"{}".to_vec(),
    };
    store.idempotency_complete(k, "fp1", &resp).await.unwrap();
    assert_eq!(
        store.idempotency_begin(k, "fp2", 109, 119).await.unwrap(),
        IdempotencyBegin::Mismatch
    );
    assert_eq!(
        store.idempotency_begin(k, "fp2", 110, 120).await.unwrap(),
        IdempotencyBegin::Started,
        "an expired key is free again"
    );
}

pub async fn idempotency_purge_in_batches(store: Arc<dyn Store>) {
    for i in 0..1100 {
        let k = format!("old-{i}");
        store
            .idempotency_begin(key("s", &k), "fp", 0, 50)
            .await
            .unwrap();
    }
    store
        .idempotency_begin(key("s", "live"), "fp", 0, 1000)
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
            .idempotency_begin(key("s", "live"), "fp", 100, 1000)
            .await
            .unwrap(),
        IdempotencyBegin::InProgress,
        "unexpired keys survive the purge"
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
            idempotency_purge_in_batches
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
