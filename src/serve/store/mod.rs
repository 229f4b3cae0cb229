//! The gateway's storage: one [`Store`] trait, one implementation per database.
//!
//! What is stored: the synthesized room records (Agora and ZEGO have no room object; LiveKit
//! rooms are recorded too), the recordings started or stopped through the gateway, and the
//! idempotency keys with the first response of each. Nothing on the token hot path touches the
//! store (a room id encodes vendor and name).
//!
//! Every time is an explicit `now` argument (Unix seconds), so expiry is testable; an
//! implementation never reads the clock itself. Implementations must be correct under
//! concurrent calls from many tasks (and, for a shared database, many processes): the
//! idempotency operations in particular are single atomic statements.
//!
//! The same test suite runs against every implementation: `tests/serve_store.rs` (SQLite) and
//! `tests/serve_store_postgres.rs` (PostgreSQL; see
//! `tests/serve_support/store_suite.rs`).

mod postgres;
mod sqlite;

use std::borrow::Cow;
use std::fmt;

pub use postgres::{PgStore, PgStoreOptions};
pub use sqlite::SqliteStore;

use crate::remote::BoxFuture;
use crate::vendor::Vendor;

/// A room created through the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRecord {
    /// The gateway's room id (see [`RoomId`](super::ids::RoomId)).
    pub id: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The room name at the vendor.
    pub name: String,
    /// Participant cap as requested.
    pub max_participants: Option<u32>,
    /// Empty timeout as requested, seconds.
    pub empty_timeout_s: Option<u32>,
    /// Metadata: the JSON text of an object.
    pub metadata: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A recording started or stopped through the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRecord {
    /// The recording id (self-contained: everything stop needs).
    pub id: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The gateway room id.
    pub room_id: String,
    /// The last known status (`starting`, `active`, `complete`, ...).
    pub status: String,
    /// Output location, when known.
    pub output_uri: Option<String>,
    /// When it was first stored, Unix seconds.
    pub created_at: i64,
    /// When it was last updated, Unix seconds.
    pub updated_at: i64,
}

/// A stored HTTP response: what an idempotent replay answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The JSON body, as sent the first time.
    pub body: Vec<u8>,
}

/// The outcome of [`Store::idempotency_begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// The key was free (or expired): this caller owns it and must
    /// [`complete`](Store::idempotency_complete) or [`abandon`](Store::idempotency_abandon) it.
    Started,
    /// The same request already finished: answer this.
    Replay(StoredResponse),
    /// The same request is still running (here or on another instance).
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Which idempotency key: the scope (a digest of the caller's API key) and the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyKey<'a> {
    /// The caller's scope: keys of different API keys never collide.
    pub scope: &'a str,
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
}

/// A storage failure. The message never holds a secret (database URLs are not included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What failed.
    pub message: Cow<'static, str>,
    /// Whether the database was unreachable (pool timeout, I/O), as opposed to a query error.
    pub unavailable: bool,
}

impl StoreError {
    /// A query or data error.
    #[must_use]
    pub fn query(message: impl Into<Cow<'static, str>>) -> Self {
        StoreError {
            message: message.into(),
            unavailable: false,
        }
    }

    /// The database cannot be reached.
    #[must_use]
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        StoreError {
            message: message.into(),
            unavailable: true,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// A `Result` with [`StoreError`].
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The gateway's storage. Object safe (`Arc<dyn Store>`): methods return boxed futures, as
/// [`RoomService`](crate::remote::RoomService) does.
pub trait Store: Send + Sync + fmt::Debug {
    /// `sqlite`, `postgres`.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers (`/readyz`).
    fn ping(&self) -> BoxFuture<'_, StoreResult<()>>;

    /// Inserts a room, or replaces the record with the same id.
    fn put_room<'a>(&'a self, room: &'a RoomRecord) -> BoxFuture<'a, StoreResult<()>>;

    /// The room with this id.
    fn get_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<Option<RoomRecord>>>;

    /// Rooms of `vendor` ordered by id, those with an id greater than `after`, at most `limit`.
    fn list_rooms<'a>(
        &'a self,
        vendor: Vendor,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, StoreResult<Vec<RoomRecord>>>;

    /// Deletes the room; whether it existed.
    fn delete_room<'a>(&'a self, id: &'a str) -> BoxFuture<'a, StoreResult<bool>>;

    /// Inserts a recording, or updates status, output and `updated_at` of the one with this id
    /// (keeping its `created_at`; an existing non-null `output_uri` is kept when the new one is
    /// `None`).
    fn put_recording<'a>(
        &'a self,
        recording: &'a RecordingRecord,
    ) -> BoxFuture<'a, StoreResult<()>>;

    /// The recording with this id.
    fn get_recording<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<RecordingRecord>>>;

    /// Claims an idempotency key for a request with this `fingerprint`, atomically: a free or
    /// expired (`expires_at <= now`) key is (re)claimed and [`IdempotencyBegin::Started`]
    /// returned; otherwise the stored state is reported. Exactly one of any number of
    /// concurrent callers with the same key gets `Started`.
    fn idempotency_begin<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
        now: i64,
        expires_at: i64,
    ) -> BoxFuture<'a, StoreResult<IdempotencyBegin>>;

    /// Stores the response of a claimed key (only if it is still in progress with this
    /// fingerprint); whether it was stored.
    fn idempotency_complete<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
        response: &'a StoredResponse,
    ) -> BoxFuture<'a, StoreResult<bool>>;

    /// Releases a claimed key whose request never reached a vendor (so a retry may run); only
    /// if still in progress with this fingerprint. Whether it was released.
    fn idempotency_abandon<'a>(
        &'a self,
        key: IdempotencyKey<'a>,
        fingerprint: &'a str,
    ) -> BoxFuture<'a, StoreResult<bool>>;

    /// Deletes at most `limit` expired keys (`expires_at <= now`); how many. Called
    /// periodically in small batches so that it never holds locks for long.
    fn purge_expired_idempotency(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>>;
}

/// Opens the store a `--database` URL names: `sqlite://PATH` (created and migrated) or
/// `sqlite::memory:`, or `postgres://USER:PASS@HOST:PORT/DB` (connected, migrated).
///
/// # Errors
/// [`StoreError`] for an unknown scheme, or a database that cannot be opened or migrated.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await?;
        return Ok(std::sync::Arc::new(store));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::open(url).await?;
        return Ok(std::sync::Arc::new(store));
    }
    Err(StoreError::query(
        "unknown database URL scheme: expected sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB",
    ))
}

/// The vendor's name as stored.
pub(crate) fn vendor_to_str(v: Vendor) -> &'static str {
    v.as_str()
}

/// The vendor from its stored name.
pub(crate) fn vendor_from_str(s: &str) -> StoreResult<Vendor> {
    s.parse::<Vendor>()
        .map_err(|_| StoreError::query(format!("unknown vendor `{s}` in the database")))
}
