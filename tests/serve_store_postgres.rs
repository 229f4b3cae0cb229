//! The PostgreSQL store against a real server: what only a shared database has (several
//! instances migrating and claiming at once, dropped connections, lock and statement timeouts,
//! purges that never wait for a request), and the store suite shared with SQLite
//! (`tests/serve_support/store_suite.rs`), each case on a database of its own.
//!
//! Needs `RTCMINT_TEST_DATABASE_URL` (set by `.ci/run`); without it each test prints that it was
//! skipped, and under CI it fails.
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod pg_support;
mod serve_support;

use std::sync::Arc;
use std::time::Duration;

use rtcmint::Vendor;
use rtcmint::serve::store::{
    IdempotencyBegin, IdempotencyKey, PgStore, PgStoreOptions, RoomRecord, Store, StoredResponse,
};
use serve_support::store_suite::claim;
use sqlx::{Connection as _, Row as _};

/// A store on a fresh database, or `None` (skipped) without a server.
async fn fresh_pg(case: &'static str) -> Option<Arc<dyn Store>> {
    let db = pg_support::fresh_database(case).await?;
    Some(Arc::new(PgStore::open(&db.url).await.unwrap()))
}

store_suite!(optional | case | fresh_pg(case));

const KEY: IdempotencyKey<'static> = IdempotencyKey {
    scope: "scope-a",
    key: "key-1",
};

fn room(id: &str) -> RoomRecord {
    RoomRecord {
        id: id.to_owned(),
        vendor: Vendor::Agora,
        name: format!("name-{id}"),
        max_participants: Some(4_000_000_000),
        empty_timeout_s: Some(300),
        metadata: Some(r#"{"a":1}"#.to_owned()),
        created_at: 1_700_000_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let Some(db) = pg_support::fresh_database("instances_starting_together_migrate_once").await
    else {
        return;
    };
    let opens = (0..6).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move { PgStore::open(&url).await })
    });
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.unwrap().expect("every instance opens"));
    }
    let mut conn = pg_support::connect(&db.url).await;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert_eq!(applied, [1, 2]);
    // Every instance sees the same rows.
    stores[0].put_room(&room("r1")).await.unwrap();
    for s in &stores {
        assert_eq!(s.get_room("r1").await.unwrap(), Some(room("r1")));
    }
    // Opening again (a restart) applies nothing and keeps the data.
    let again = PgStore::open(&db.url).await.unwrap();
    assert_eq!(again.get_room("r1").await.unwrap(), Some(room("r1")));
    for s in &stores {
        s.close().await;
    }
    again.close().await;
    let _ = conn.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_applied_migration_is_refused() {
    let Some(db) = pg_support::fresh_database("a_changed_applied_migration_is_refused").await
    else {
        return;
    };
    PgStore::open(&db.url).await.unwrap().close().await;
    let mut conn = pg_support::connect(&db.url).await;
    sqlx::query("UPDATE _sqlx_migrations SET checksum = '\\x00'::bytea WHERE version = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = PgStore::open(&db.url).await.unwrap_err();
    assert!(err.message.contains("migrat"), "{err}");
    let _ = conn.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_from_two_instances_have_one_winner() {
    let Some(db) =
        pg_support::fresh_database("concurrent_claims_from_two_instances_have_one_winner").await
    else {
        return;
    };
    let a: Arc<dyn Store> = Arc::new(PgStore::open(&db.url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(PgStore::open(&db.url).await.unwrap());
    for round in 0..5 {
        let key = format!("key-{round}");
        let tasks = (0..16).map(|i| {
            let store = Arc::clone(if i % 2 == 0 { &a } else { &b });
            let key = key.clone();
            tokio::spawn(async move {
                let k = IdempotencyKey {
                    scope: "scope-a",
                    key: &key,
                };
                store
                    .idempotency_begin(claim(k, "fp", 100, 200))
                    .await
                    .unwrap()
            })
        });
        let mut started = 0;
        for t in tasks {
            match t.await.unwrap() {
                IdempotencyBegin::Started => started += 1,
                IdempotencyBegin::InProgress => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(started, 1, "round {round}");
        let k = IdempotencyKey {
            scope: "scope-a",
            key: &key,
        };
        let response = StoredResponse {
            status: 201,
            body: format!("{{\"round\":{round}}}").into_bytes(),
        };
        assert!(a.idempotency_complete(k, "fp", &response).await.unwrap());
        // The other instance replays it; a different request is refused.
        assert_eq!(
            b.idempotency_begin(claim(k, "fp", 101, 201)).await.unwrap(),
            IdempotencyBegin::Replay(response.clone())
        );
        assert_eq!(
            b.idempotency_begin(claim(k, "other", 101, 201))
                .await
                .unwrap(),
            IdempotencyBegin::Mismatch
        );
    }
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_are_replaced() {
    let Some(db) = pg_support::fresh_database("dropped_connections_are_replaced").await else {
        return;
    };
    let s = PgStore::open(&db.url).await.unwrap();
    s.put_room(&room("r1")).await.unwrap();
    let mut admin = pg_support::connect(&db.url).await;
    // The server ends every session of the store (as a restart or a failover would).
    let killed: i64 = sqlx::query(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = 'rtcmint' \
           AND pid <> pg_backend_pid()) t",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap()
    .get(0);
    assert!(killed >= 1);
    for _ in 0..3 {
        assert_eq!(s.get_room("r1").await.unwrap(), Some(room("r1")));
        s.ping().await.unwrap();
    }
    let _ = admin.close().await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_waiting_on_a_lock_times_out_as_unavailable() {
    let Some(db) =
        pg_support::fresh_database("a_statement_waiting_on_a_lock_times_out_as_unavailable").await
    else {
        return;
    };
    for (opts, what) in [
        (
            PgStoreOptions {
                lock_timeout: Duration::from_millis(200),
                ..PgStoreOptions::default()
            },
            "lock_timeout",
        ),
        (
            PgStoreOptions {
                lock_timeout: Duration::from_secs(60),
                statement_timeout: Duration::from_millis(300),
                ..PgStoreOptions::default()
            },
            "statement_timeout",
        ),
    ] {
        let s = PgStore::open_with(&db.url, &opts).await.unwrap();
        s.put_room(&room("locked")).await.unwrap();
        let mut holder = pg_support::connect(&db.url).await;
        let mut tx = holder.begin().await.unwrap();
        sqlx::query("SELECT id FROM rooms WHERE id = 'locked' FOR UPDATE")
            .execute(&mut *tx)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let err = s.delete_room("locked").await.unwrap_err();
        assert!(err.unavailable, "{what}: {err}");
        assert!(err.message.contains("timeout"), "{what}: {err}");
        // Bounded, not a hang (the lock is held for the whole test).
        assert!(started.elapsed() < Duration::from_secs(30), "{what}");
        tx.rollback().await.unwrap();
        assert!(s.delete_room("locked").await.unwrap(), "{what}");
        let _ = holder.close().await;
        s.close().await;
    }
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_skips_rows_a_request_holds() {
    let Some(db) = pg_support::fresh_database("purge_skips_rows_a_request_holds").await else {
        return;
    };
    let s = PgStore::open(&db.url).await.unwrap();
    for i in 0..5 {
        let key = format!("k{i}");
        let k = IdempotencyKey {
            scope: "s",
            key: &key,
        };
        assert_eq!(
            s.idempotency_begin(claim(k, "fp", 10, 20)).await.unwrap(),
            IdempotencyBegin::Started
        );
    }
    // Another session (a request on another instance) holds one expired row.
    let mut holder = pg_support::connect(&db.url).await;
    let mut tx = holder.begin().await.unwrap();
    sqlx::query("SELECT key FROM idempotency_keys WHERE key = 'k0' FOR UPDATE")
        .execute(&mut *tx)
        .await
        .unwrap();
    // The purge does not wait for it: it deletes the other four, in batches.
    assert_eq!(s.purge_expired_idempotency(30, 3).await.unwrap(), 3);
    assert_eq!(s.purge_expired_idempotency(30, 3).await.unwrap(), 1);
    assert_eq!(s.purge_expired_idempotency(30, 3).await.unwrap(), 0);
    tx.rollback().await.unwrap();
    assert_eq!(s.purge_expired_idempotency(30, 3).await.unwrap(), 1);
    // Unexpired keys stay.
    assert_eq!(
        s.idempotency_begin(claim(KEY, "fp", 10, 100))
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    assert_eq!(s.purge_expired_idempotency(30, 10).await.unwrap(), 0);
    let _ = holder.close().await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_order_is_bytewise_whatever_the_collation() {
    // An ICU English collation sorts `a` before `B`; the cursor needs byte order.
    let Some(db) = pg_support::fresh_database_with(
        "list_order_is_bytewise_whatever_the_collation",
        "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",
    )
    .await
    else {
        return;
    };
    let s = PgStore::open(&db.url).await.unwrap();
    let ids = ["b", "B", "a", "_x", "a-1", "a_1", "Z"];
    for id in ids {
        s.put_room(&room(id)).await.unwrap();
    }
    let mut expected: Vec<&str> = ids.to_vec();
    expected.sort_unstable();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s
            .list_rooms(Vendor::Agora, after.as_deref(), 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| r.id.clone());
        seen.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(seen, expected);
    s.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_tls_to_the_database() {
    let Some(db) = pg_support::fresh_database("verified_tls_to_the_database").await else {
        return;
    };
    let Some(ca) = pg_support::ca_file("verified_tls_to_the_database") else {
        return;
    };
    let s = PgStore::open(&format!("{}?sslmode=verify-full&sslrootcert={ca}", db.url))
        .await
        .unwrap();
    s.put_room(&room("tls")).await.unwrap();
    let mut admin = pg_support::connect(&db.url).await;
    let ssl: Vec<bool> = sqlx::query_scalar(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.datname = current_database() AND a.application_name = 'rtcmint'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!ssl.is_empty() && ssl.iter().all(|&on| on), "{ssl:?}");
    // Without the CA the server's certificate is not trusted: refused, not downgraded.
    let err = PgStore::open(&format!("{}?sslmode=verify-full", db.url))
        .await
        .unwrap_err();
    assert!(err.unavailable, "{err}");
    let _ = admin.close().await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn errors_never_show_the_password() {
    // Nothing listens on port 1: the connection fails, and the message must not carry the URL.
    let err = PgStore::open("postgres://user:hunter2-secret@127.0.0.1:1/db")
        .await
        .unwrap_err();
    assert!(err.unavailable, "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    let err = PgStore::open("postgres://user:hunter2-secret@127.0.0.1:notaport/db")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
