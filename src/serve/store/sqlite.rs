//! The embedded SQLite store (sqlx): WAL journal, a busy timeout so writers queue instead of
//! failing, and single-statement idempotency claims.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use super::shared::{Sql, rows};
use super::{
    IdempotencyBegin, IdempotencyClaim, IdempotencyKey, ParticipantRecord, PresenceRecord, RecordingRecord,
    RoomRecord, Store, StoreError, StoreResult, StoredResponse, WebhookDelivery, migrator,
};
use crate::remote::BoxFuture;
use crate::vendor::Vendor;

/// The versioned migrations, embedded from `migrations/sqlite/` (applied in order at open;
/// an applied migration whose text changed is an error, never a silent re-run).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "webhooks",
        include_str!("../../../migrations/sqlite/0002_webhooks.sql"),
    ),
];

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::unavailable(format!("database unavailable: {e}"))
        }
        other => StoreError::query(format!("database error: {other}")),
    }
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`: `sqlite://PATH`,
    /// `sqlite:PATH` or `sqlite::memory:` (one shared in-memory database for the pool).
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or a migration fails.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let memory = url == "sqlite::memory:" || url == "sqlite://:memory:";
        if !memory {
            create_private(url)?;
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::query(format!("bad sqlite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            // One connection for an in-memory database: each connection would get its own.
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::unavailable(format!("cannot open the sqlite database: {e}"))
            })?;
        migrator(MIGRATIONS)
            .run(&pool)
            .await
            .map_err(|e| StoreError::query(format!("migrating the sqlite database failed: {e}")))?;
        Ok(SqliteStore { pool })
    }

    /// Closes the pool (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the database file readable by its owner only (0600), before SQLite creates it with
/// the umask's mode: it holds idempotent answers, which for token.issue include tokens. SQLite
/// gives the `-wal` and `-shm` files the main file's mode.
fn create_private(url: &str) -> StoreResult<()> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || std::path::Path::new(path).exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::unavailable(format!(
            "cannot create the sqlite database file: {e}"
        ))),
    }
}

/// The shared statements over SQLite.
type Q = Sql<Sqlite>;

impl SqliteStore {
    async fn begin(&self, request: IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin> {
        let IdempotencyClaim {
            key,
            fingerprint,
            now,
            expires_at,
        } = request;
        // A purge may delete an expired row between the claim and the read; then claim again.
        for _ in 0..3 {
            let claimed = sqlx::query::<Sqlite>(
                "INSERT INTO idempotency_keys \
                     (scope, key, fingerprint, state, status, body, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, 'in_progress', NULL, NULL, ?4, ?5) \
                 ON CONFLICT (scope, key) DO UPDATE SET \
                     fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, \
                     body = NULL, created_at = excluded.created_at, \
                     expires_at = excluded.expires_at \
                 WHERE idempotency_keys.expires_at <= ?4",
            )
            .bind(key.scope)
            .bind(key.key)
            .bind(fingerprint)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
            if claimed.rows_affected() == 1 {
                return Ok(IdempotencyBegin::Started);
            }
            let row = sqlx::query::<Sqlite>(
                "SELECT fingerprint, state, status, body FROM idempotency_keys \
                 WHERE scope = ?1 AND key = ?2",
            )
            .bind(key.scope)
            .bind(key.key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
            let Some(row) = row else { continue };
            let stored_fp: String = row.try_get("fingerprint").map_err(db_err)?;
            if stored_fp != fingerprint {
                return Ok(IdempotencyBegin::Mismatch);
            }
            let state: String = row.try_get("state").map_err(db_err)?;
            if state != "done" {
                return Ok(IdempotencyBegin::InProgress);
            }
            let status: Option<i64> = row.try_get("status").map_err(db_err)?;
            let body: Option<Vec<u8>> = row.try_get("body").map_err(db_err)?;
            let status = status
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| StoreError::query("stored idempotent response has no status"))?;
            return Ok(IdempotencyBegin::Replay(StoredResponse {
                status,
                body: body.unwrap_or_default(),
            }));
        }
        Err(StoreError::query(
            "idempotency key changed state three times while being claimed",
        ))
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        Box::pin(async move {
            sqlx::query::<Sqlite>("SELECT 1")
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(db_err)
        })
    }

    fn put_room<'a>(&'a self, room: &'a RoomRecord) -> BoxFuture<'a, StoreResult<()>> {
        Box::pin(async move { Q::put_room(&self.pool, room).await.map_err(db_err) })
    }

    fn get_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<Option<RoomRecord>>> {
        Box::pin(async move {
            let row = Q::get_room(&self.pool, id).await.map_err(db_err)?;
            row.as_ref().map(Q::room_from_row).transpose()
        })
    }

    fn list_rooms<'a>(
        &'a self,
        vendor: Vendor,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, StoreResult<Vec<RoomRecord>>> {
        Box::pin(async move {
            let found = Q::list_rooms(&self.pool, vendor, after, limit).await;
            rows(&found.map_err(db_err)?, Q::room_from_row)
        })
    }

    fn delete_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move { Q::delete_room(&self.pool, id).await.map_err(db_err) })
    }

    fn put_recording<'a>(
        &'a self,
        recording: &'a RecordingRecord,
    ) -> BoxFuture<'a, StoreResult<()>> {
        Box::pin(async move {
            Q::put_recording(&self.pool, recording)
                .await
                .map_err(db_err)
        })
    }

    fn get_recording<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<RecordingRecord>>> {
        Box::pin(async move {
            let row = Q::get_recording(&self.pool, id).await.map_err(db_err)?;
            row.as_ref().map(Q::recording_from_row).transpose()
        })
    }

    fn idempotency_begin<'a>(
        &'a self,
        claim: IdempotencyClaim<'a>,
    ) -> BoxFuture<'a, StoreResult<IdempotencyBegin>> {
        Box::pin(self.begin(claim))
    }

    fn idempotency_complete<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
        response: &'a StoredResponse,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            sqlx::query::<Sqlite>(
                "UPDATE idempotency_keys SET state = 'done', status = ?4, body = ?5 \
                 WHERE scope = ?1 AND key = ?2 AND fingerprint = ?3 AND state = 'in_progress'",
            )
            .bind(key.scope)
            .bind(key.key)
            .bind(fingerprint)
            .bind(i64::from(response.status))
            .bind(&response.body)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected() == 1)
            .map_err(db_err)
        })
    }

    fn idempotency_abandon<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            sqlx::query::<Sqlite>(
                "DELETE FROM idempotency_keys \
                 WHERE scope = ?1 AND key = ?2 AND fingerprint = ?3 AND state = 'in_progress'",
            )
            .bind(key.scope)
            .bind(key.key)
            .bind(fingerprint)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected() == 1)
            .map_err(db_err)
        })
    }

    fn purge_expired_idempotency(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move {
            sqlx::query::<Sqlite>(
                "DELETE FROM idempotency_keys WHERE rowid IN \
                     (SELECT rowid FROM idempotency_keys WHERE expires_at <= ?1 LIMIT ?2)",
            )
            .bind(now)
            .bind(i64::from(limit))
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
        })
    }

    fn record_webhook<'a>(
        &'a self,
        delivery: &'a WebhookDelivery,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            Q::record_webhook(&self.pool, delivery)
                .await
                .map_err(db_err)
        })
    }

    fn room_presence<'a>(
        &'a self,
        room_id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<PresenceRecord>>> {
        Box::pin(async move {
            let row = Q::room_presence(&self.pool, room_id)
                .await
                .map_err(db_err)?;
            row.as_ref().map(Q::presence_from_row).transpose()
        })
    }

    fn list_participants<'a>(
        &'a self,
        room_id: &'a str,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, StoreResult<Vec<ParticipantRecord>>> {
        Box::pin(async move {
            let found = Q::list_participants(&self.pool, room_id, after, limit).await;
            rows(&found.map_err(db_err)?, Q::participant_from_row)
        })
    }

    fn purge_expired_webhooks(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move {
            Q::purge_webhooks(&self.pool, now, limit)
                .await
                .map_err(db_err)
        })
    }
}
