//! The PostgreSQL store (sqlx): the second implementation of [`Store`], for several gateway
//! instances sharing one database.
//!
//! - **Pool.** A [`PgPool`] that pings a connection before handing it out, so connections the
//!   server dropped (restart, failover, idle timeouts of a proxy) are replaced instead of failing
//!   a request.
//! - **Timeouts.** Every session gets a `statement_timeout` and a `lock_timeout`
//!   ([`PgStoreOptions`]); a URL that sets its own (`?options=-c statement_timeout=...`) keeps
//!   its value. Acquiring a connection is bounded too.
//! - **Retries.** A statement that failed with a serialization failure (`40001`), a deadlock
//!   (`40P01`), a connection error (`08…`, server shutdown `57P01`–`57P03`) or an I/O error is
//!   retried a few times with a short backoff. Each statement is written so that running it twice
//!   is harmless: upserts, conditional updates, and an idempotency claim that carries a random
//!   `claim` value so a claim whose reply was lost recognises its own row.
//! - **Migrations.** The same versioned migrations as SQLite, in PostgreSQL's types
//!   (`migrations/postgres/`), applied at open on a dedicated connection under sqlx's advisory
//!   lock: instances starting at once apply them exactly once; the connection is closed
//!   afterwards, which releases the lock even when a migration failed.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection as _, PgConnection, PgPool, Postgres, Row as _};

use super::shared::{Sql, rows};
use super::{
    IdempotencyBegin, IdempotencyClaim, IdempotencyKey, ParticipantRecord, PresenceRecord, RecordingRecord,
    RoomRecord, Store, StoreError, StoreResult, StoredResponse, WebhookDelivery, migrator,
};
use crate::random::{RandomSource as _, ThreadRandom};
use crate::remote::BoxFuture;
use crate::vendor::Vendor;

/// The versioned migrations, embedded from `migrations/postgres/`: the same version numbers and
/// descriptions as the SQLite ones (an applied migration whose text changed is an error, never a
/// silent re-run).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "webhooks",
        include_str!("../../../migrations/postgres/0002_webhooks.sql"),
    ),
];

/// Tuning of the PostgreSQL store. [`Default`] is what `--database postgres://…` uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgStoreOptions {
    /// Connections per instance (the database's `max_connections` must cover all instances).
    pub max_connections: u32,
    /// How long a request waits for a free connection before the store reports unavailable.
    pub acquire_timeout: Duration,
    /// `statement_timeout` of each session.
    pub statement_timeout: Duration,
    /// `lock_timeout` of each session.
    pub lock_timeout: Duration,
    /// How long one instance waits for another one's migrations (the advisory lock).
    pub migration_timeout: Duration,
    /// Retries of a statement after a transient failure (so at most `retries + 1` attempts).
    pub retries: u32,
}

impl Default for PgStoreOptions {
    fn default() -> Self {
        PgStoreOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(2),
            migration_timeout: Duration::from_secs(120),
            retries: 3,
        }
    }
}

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    retries: u32,
}

/// What a failed statement means for a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// Rolled back by the server (serialization failure, deadlock): run it again.
    Conflict,
    /// The connection failed or the server is going away: run it again on another connection.
    Connection,
    /// Not transient (bad data, constraint, statement timeout, pool exhausted).
    Final,
}

/// Classifies a SQLSTATE.
fn classify_sqlstate(code: &str) -> Failure {
    match code {
        // serialization_failure, deadlock_detected
        "40001" | "40P01" => Failure::Conflict,
        // admin_shutdown, crash_shutdown, cannot_connect_now
        "57P01" | "57P02" | "57P03" => Failure::Connection,
        // connection_exception and its subclasses
        c if c.starts_with("08") => Failure::Connection,
        _ => Failure::Final,
    }
}

fn classify(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::Database(db) => db.code().map_or(Failure::Final, |c| classify_sqlstate(&c)),
        sqlx::Error::Io(_) => Failure::Connection,
        _ => Failure::Final,
    }
}

/// The store error for a failed statement. Connection trouble, an exhausted pool and a statement
/// or lock timeout (`57014`, `55P03`) are "unavailable" (503); the rest are query errors. The URL (it may hold a
/// password) is never part of a message.
fn db_err(e: &sqlx::Error) -> StoreError {
    // query_canceled (statement_timeout), lock_not_available (lock_timeout)
    let timeout = matches!(e, sqlx::Error::Database(db)
        if matches!(db.code().as_deref(), Some("57014" | "55P03")));
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            StoreError::unavailable(format!("database unavailable: {e}"))
        }
        _ if timeout => StoreError::unavailable(format!("database timeout: {e}")),
        _ if classify(e) == Failure::Connection => {
            StoreError::unavailable(format!("database unavailable: {e}"))
        }
        _ => StoreError::query(format!("database error: {e}")),
    }
}

/// Backoff before retry `attempt` (1-based): 25 ms, 50 ms, 100 ms, … capped at 400 ms.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(25u64 << attempt.saturating_sub(1).min(4))
}

/// Milliseconds for a PostgreSQL setting (at least 1: `0` would mean "no timeout").
fn millis(d: Duration) -> String {
    d.as_millis().clamp(1, i32::MAX as u128).to_string()
}

impl PgStore {
    /// Connects to `url` (`postgres://USER:PASS@HOST:PORT/DB` or `postgresql://…`) with
    /// [`PgStoreOptions::default`] and applies the migrations.
    ///
    /// # Errors
    /// [`StoreError`] when the URL is malformed, the server cannot be reached or a migration
    /// fails.
    pub async fn open(url: &str) -> StoreResult<Self> {
        Self::open_with(url, &PgStoreOptions::default()).await
    }

    /// [`PgStore::open`] with explicit options.
    ///
    /// # Errors
    /// As [`PgStore::open`].
    pub async fn open_with(url: &str, opts: &PgStoreOptions) -> StoreResult<Self> {
        let base = PgConnectOptions::from_str(url)
            // The parser's messages name the part, not the URL's text.
            .map_err(|e| StoreError::query(format!("bad PostgreSQL URL: {e}")))?;
        let base = if base.get_application_name().is_some() {
            base
        } else {
            base.application_name("rtcmint")
        };
        let given = base.get_options().unwrap_or("").to_owned();
        let mut settings = Vec::new();
        if !given.contains("statement_timeout") {
            settings.push(("statement_timeout", millis(opts.statement_timeout)));
        }
        if !given.contains("lock_timeout") {
            settings.push(("lock_timeout", millis(opts.lock_timeout)));
        }
        let pooled = base.clone().options(settings);

        Self::migrate(&base, opts).await?;

        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .test_before_acquire(true)
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_with(pooled)
            .await
            .map_err(|e| {
                StoreError::unavailable(format!("cannot connect to the PostgreSQL database: {e}"))
            })?;
        Ok(PgStore {
            pool,
            retries: opts.retries,
        })
    }

    /// Applies the migrations on a connection of its own, closed afterwards: the advisory lock
    /// sqlx takes is a session lock, so closing the session releases it on every path.
    async fn migrate(base: &PgConnectOptions, opts: &PgStoreOptions) -> StoreResult<()> {
        let options = base.clone().options([
            ("statement_timeout", millis(opts.migration_timeout)),
            ("lock_timeout", millis(opts.migration_timeout)),
        ]);
        let mut conn = PgConnection::connect_with(&options).await.map_err(|e| {
            StoreError::unavailable(format!("cannot connect to the PostgreSQL database: {e}"))
        })?;
        let result = migrator(MIGRATIONS).run_direct(&mut conn).await;
        // Closing is best effort: dropping the connection ends the session too.
        let _ = conn.close().await;
        result.map_err(|e| {
            StoreError::query(format!("migrating the PostgreSQL database failed: {e}"))
        })
    }

    /// Closes the pool (waits for connections in use to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs `op` (one statement) with retries on transient failures.
    async fn run<T, F, Fut>(&self, mut op: F) -> StoreResult<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        let mut attempt = 0;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) if attempt < self.retries && classify(&e) != Failure::Final => {
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(e) => return Err(db_err(&e)),
            }
        }
    }

    async fn begin(&self, request: IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin> {
        let IdempotencyClaim {
            key,
            fingerprint,
            now,
            expires_at,
        } = request;
        let claim = new_claim();
        // A purge may delete an expired row between the claim and the read; then claim again.
        for _ in 0..3 {
            // One statement claims a free or expired key; in READ COMMITTED a concurrent claim
            // of the same key waits for the first one's commit and then sees it unexpired.
            let claimed = self
                .run(|| {
                    sqlx::query::<Postgres>(
                        "INSERT INTO idempotency_keys \
                             (scope, key, fingerprint, state, status, body, claim, created_at, \
                              expires_at) \
                         VALUES ($1, $2, $3, 'in_progress', NULL, NULL, $4, $5, $6) \
                         ON CONFLICT (scope, key) DO UPDATE SET \
                             fingerprint = excluded.fingerprint, state = 'in_progress', \
                             status = NULL, body = NULL, claim = excluded.claim, \
                             created_at = excluded.created_at, expires_at = excluded.expires_at \
                         WHERE idempotency_keys.expires_at <= $5",
                    )
                    .bind(key.scope)
                    .bind(key.key)
                    .bind(fingerprint)
                    .bind(&claim)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&self.pool)
                })
                .await?;
            if claimed.rows_affected() == 1 {
                return Ok(IdempotencyBegin::Started);
            }
            let row = self
                .run(|| {
                    sqlx::query::<Postgres>(
                        "SELECT fingerprint, state, status, body, claim FROM idempotency_keys \
                         WHERE scope = $1 AND key = $2",
                    )
                    .bind(key.scope)
                    .bind(key.key)
                    .fetch_optional(&self.pool)
                })
                .await?;
            let Some(row) = row else { continue };
            return begin_outcome(&row, fingerprint, &claim);
        }
        Err(StoreError::query(
            "idempotency key changed state three times while being claimed",
        ))
    }
}

/// A fresh claim value: 128 random bits, hex.
fn new_claim() -> String {
    let mut bytes = [0u8; 16];
    ThreadRandom.fill(&mut bytes);
    crate::hex::lower(&bytes)
}

/// What an existing idempotency row means for a caller with `fingerprint` and `claim`.
fn begin_outcome(row: &PgRow, fingerprint: &str, claim: &str) -> StoreResult<IdempotencyBegin> {
    let stored_fp: String = get(row, "fingerprint")?;
    if stored_fp != fingerprint {
        return Ok(IdempotencyBegin::Mismatch);
    }
    let state: String = get(row, "state")?;
    if state != "done" {
        let stored_claim: String = get(row, "claim")?;
        // Our own claim, committed but its answer lost with the connection: we own it.
        if stored_claim == claim {
            return Ok(IdempotencyBegin::Started);
        }
        return Ok(IdempotencyBegin::InProgress);
    }
    let status: Option<i32> = get(row, "status")?;
    let body: Option<Vec<u8>> = get(row, "body")?;
    let status = status
        .and_then(|s| u16::try_from(s).ok())
        .ok_or_else(|| StoreError::query("stored idempotent response has no status"))?;
    Ok(IdempotencyBegin::Replay(StoredResponse {
        status,
        body: body.unwrap_or_default(),
    }))
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(column).map_err(|e| db_err(&e))
}

/// The shared statements over PostgreSQL.
type Q = Sql<Postgres>;

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        Box::pin(async move {
            self.run(|| sqlx::query::<Postgres>("SELECT 1").execute(&self.pool))
                .await
                .map(|_| ())
        })
    }

    fn put_room<'a>(&'a self, room: &'a RoomRecord) -> BoxFuture<'a, StoreResult<()>> {
        Box::pin(self.run(|| Q::put_room(&self.pool, room)))
    }

    fn get_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<Option<RoomRecord>>> {
        Box::pin(async move {
            let row = self.run(|| Q::get_room(&self.pool, id)).await?;
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
            let found = self.run(|| Q::list_rooms(&self.pool, vendor, after, limit));
            rows(&found.await?, Q::room_from_row)
        })
    }

    fn delete_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(self.run(|| Q::delete_room(&self.pool, id)))
    }

    fn put_recording<'a>(
        &'a self,
        recording: &'a RecordingRecord,
    ) -> BoxFuture<'a, StoreResult<()>> {
        Box::pin(self.run(|| Q::put_recording(&self.pool, recording)))
    }

    fn get_recording<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<RecordingRecord>>> {
        Box::pin(async move {
            let row = self.run(|| Q::get_recording(&self.pool, id)).await?;
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
            // Retried after a lost reply, the UPDATE finds the row done and answers false; the
            // response is stored all the same (the gateway needs no more than that).
            self.run(|| {
                sqlx::query::<Postgres>(
                    "UPDATE idempotency_keys SET state = 'done', status = $4, body = $5 \
                     WHERE scope = $1 AND key = $2 AND fingerprint = $3 \
                       AND state = 'in_progress'",
                )
                .bind(key.scope)
                .bind(key.key)
                .bind(fingerprint)
                .bind(i32::from(response.status))
                .bind(&response.body)
                .execute(&self.pool)
            })
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    fn idempotency_abandon<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            self.run(|| {
                sqlx::query::<Postgres>(
                    "DELETE FROM idempotency_keys \
                     WHERE scope = $1 AND key = $2 AND fingerprint = $3 \
                       AND state = 'in_progress'",
                )
                .bind(key.scope)
                .bind(key.key)
                .bind(fingerprint)
                .execute(&self.pool)
            })
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    fn purge_expired_idempotency(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(async move {
            // SKIP LOCKED: rows a request is claiming right now, or another instance is purging,
            // are left for the next round instead of waited for.
            self.run(|| {
                sqlx::query::<Postgres>(
                    "DELETE FROM idempotency_keys WHERE (scope, key) IN \
                         (SELECT scope, key FROM idempotency_keys WHERE expires_at <= $1 \
                          LIMIT $2 FOR UPDATE SKIP LOCKED)",
                )
                .bind(now)
                .bind(i64::from(limit))
                .execute(&self.pool)
            })
            .await
            .map(|r| r.rows_affected())
        })
    }

    fn record_webhook<'a>(
        &'a self,
        delivery: &'a WebhookDelivery,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(self.run(|| Q::record_webhook(&self.pool, delivery)))
    }

    fn room_presence<'a>(
        &'a self,
        room_id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<PresenceRecord>>> {
        Box::pin(async move {
            let row = self.run(|| Q::room_presence(&self.pool, room_id)).await?;
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
            let found = self.run(|| Q::list_participants(&self.pool, room_id, after, limit));
            rows(&found.await?, Q::participant_from_row)
        })
    }

    fn purge_expired_webhooks(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(self.run(move || Q::purge_webhooks(&self.pool, now, limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_that_are_retried() {
        assert_eq!(classify_sqlstate("40001"), Failure::Conflict);
        assert_eq!(classify_sqlstate("40P01"), Failure::Conflict);
        assert_eq!(classify_sqlstate("08006"), Failure::Connection);
        assert_eq!(classify_sqlstate("08003"), Failure::Connection);
        assert_eq!(classify_sqlstate("57P01"), Failure::Connection);
        assert_eq!(classify_sqlstate("57P03"), Failure::Connection);
        // statement timeout, unique violation, undefined table: never retried
        assert_eq!(classify_sqlstate("57014"), Failure::Final);
        assert_eq!(classify_sqlstate("23505"), Failure::Final);
        assert_eq!(classify_sqlstate("42P01"), Failure::Final);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(25));
        assert_eq!(backoff(2), Duration::from_millis(50));
        assert_eq!(backoff(3), Duration::from_millis(100));
        assert_eq!(backoff(9), Duration::from_millis(400));
    }

    #[test]
    fn claims_are_distinct_hex() {
        let a = new_claim();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, new_claim());
    }

    #[test]
    fn timeouts_in_milliseconds_never_zero() {
        assert_eq!(millis(Duration::from_secs(5)), "5000");
        assert_eq!(millis(Duration::ZERO), "1");
    }
}
