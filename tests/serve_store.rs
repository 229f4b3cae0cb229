//! The store test suite against SQLite: a fresh database file per case, plus what only a file
//! shows (reopening keeps everything; migrations are recorded once).
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod serve_support;

use std::sync::Arc;

use rtcmint::serve::store::{IdempotencyBegin, IdempotencyKey, SqliteStore, Store, StoredResponse};
use serve_support::store_suite::claim;

async fn fresh_sqlite() -> Arc<dyn Store> {
    let dir = serve_support::temp_dir("store");
    let url = format!("sqlite://{}", dir.join("gateway.db").display());
    Arc::new(SqliteStore::open(&url).await.unwrap())
}

store_suite!(|| fresh_sqlite());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_reopen_and_migrates_once() {
    let dir = serve_support::temp_dir("reopen");
    let url = format!("sqlite://{}", dir.join("gateway.db").display());
    let k = IdempotencyKey {
        scope: "s",
        key: "k",
    };
    let resp = StoredResponse {
        status: 200,
        body: b"{\"ok\":true}".to_vec(),
    };
    {
        let s = SqliteStore::open(&url).await.unwrap();
        assert_eq!(
            s.idempotency_begin(claim(k, "fp", 1, 100)).await.unwrap(),
            IdempotencyBegin::Started
        );
        assert!(s.idempotency_complete(k, "fp", &resp).await.unwrap());
        s.close().await;
    }
    let s = SqliteStore::open(&url).await.unwrap();
    assert_eq!(
        s.idempotency_begin(claim(k, "fp", 2, 100)).await.unwrap(),
        IdempotencyBegin::Replay(resp)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("gateway.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the database is private: {mode:o}");
    }
    // WAL mode is on.
    assert!(dir.join("gateway.db-wal").exists() || dir.join("gateway.db-shm").exists());
}

#[tokio::test]
async fn unknown_database_urls_are_refused() {
    let e = rtcmint::serve::store::open("mysql://x").await.unwrap_err();
    assert!(e.to_string().contains("sqlite://"), "{e}");
}
