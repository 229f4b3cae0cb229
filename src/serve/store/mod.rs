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
mod shared;
mod sqlite;

use std::borrow::Cow;
use std::fmt;

use sqlx::migrate::{Migration, MigrationType, Migrator};

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
    /// When a verified vendor webhook last set `status` (`None`: the status is the gateway's
    /// own, from its start or stop call). Read only: [`Store::put_recording`] ignores it.
    pub webhook_at: Option<i64>,
}

/// A stored HTTP response: what an idempotent replay answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The JSON body, as sent the first time.
    pub body: Vec<u8>,
}

/// What [`Store::idempotency_begin`] claims: a key, for one request, from `now` until
/// `expires_at` (Unix seconds). Named fields, so that the two times cannot be swapped unseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyClaim<'a> {
    /// The key claimed.
    pub key: IdempotencyKey<'a>,
    /// A digest of the request (route and body): the same key with another request is a
    /// [`IdempotencyBegin::Mismatch`].
    pub fingerprint: &'a str,
    /// The time of the claim; a stored key with `expires_at <= now` is free again.
    pub now: i64,
    /// When this claim (and the response stored under it) expires.
    pub expires_at: i64,
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

/// A verified webhook delivery, reduced to what the gateway records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Who sent it.
    pub vendor: Vendor,
    /// The de-duplication key ([`Webhook::id`](crate::webhook::Webhook::id), or a digest of
    /// the body when the vendor sent none).
    pub event_id: String,
    /// When it arrived, Unix seconds.
    pub received_at: i64,
    /// Until when its id is kept (duplicates arriving before are ignored), Unix seconds.
    pub expires_at: i64,
    /// What it changes.
    pub change: WebhookChange,
}

/// What a delivery changes in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookChange {
    /// Nothing (an event the gateway does not record): only the id is kept.
    Nothing,
    /// Who is in a room.
    Presence(PresenceChange),
    /// The status of a recording started through the gateway.
    Recording(RecordingChange),
}

/// A change of a room's presence, as an Agora or ZEGO event reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceChange {
    /// The gateway room id (`r1.<vendor>.<name>`).
    pub room_id: String,
    /// When the vendor says it happened, Unix seconds (the presence's `as_of`).
    pub at: i64,
    /// What happened.
    pub event: PresenceEvent,
}

/// What happened in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceEvent {
    /// The room (channel) was created.
    RoomStarted,
    /// The room ended: everybody in it has left.
    RoomFinished,
    /// A participant joined.
    Joined {
        /// The vendor's user id (Agora uid or account, ZEGO user id).
        identity: String,
        /// The nickname, when the vendor sends one.
        display_name: Option<String>,
        /// The order of this user's events (Agora `clientSeq`, ZEGO `login_time`, else the
        /// event time in ms): an event older than the one recorded is ignored.
        seq: i64,
    },
    /// A participant left.
    Left {
        /// As in `Joined`.
        identity: String,
        /// As in `Joined`.
        seq: i64,
    },
}

/// A recording's status, as a LiveKit egress, Agora Cloud Recording or ZEGO recording event
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingChange {
    /// The vendor's recording id: LiveKit egress id, Agora `sid`, ZEGO task id.
    pub vendor_recording_id: String,
    /// The gateway's status word (`starting`, `active`, `stopping`, `complete`, `failed`).
    pub status: String,
    /// Where the output went, when the event says.
    pub output_uri: Option<String>,
    /// When the vendor says it happened, Unix seconds.
    pub at: i64,
}

/// A participant as the webhooks reported them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    /// The vendor's user id.
    pub identity: String,
    /// The nickname, when known.
    pub display_name: Option<String>,
    /// When they joined, Unix seconds.
    pub joined_at: Option<i64>,
}

/// What the webhooks say about a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceRecord {
    /// Participants in the room now.
    pub occupancy: u32,
    /// Whether the room is live (false after a room-finished event).
    pub active: bool,
    /// The time of the latest event recorded for the room, Unix seconds.
    pub as_of: i64,
}

/// Statuses a recording never leaves: a later non-final event does not overwrite them.
pub const FINAL_RECORDING_STATUSES: [&str; 3] = ["complete", "failed", "nothing_recorded"];

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
        claim: IdempotencyClaim<'a>,
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

    /// Records a verified webhook delivery, atomically: if its `(vendor, event_id)` is new, the
    /// id is kept until `expires_at` and its change applied, in one transaction, and `true` is
    /// returned; a duplicate changes nothing and returns `false`. Presence changes older than
    /// what is recorded for a participant (by `seq`) are ignored; a recording change never
    /// moves a final status ([`FINAL_RECORDING_STATUSES`]) back to a running one, and touches
    /// only recordings started through the gateway.
    fn record_webhook<'a>(
        &'a self,
        delivery: &'a WebhookDelivery,
    ) -> BoxFuture<'a, StoreResult<bool>>;

    /// What the webhooks say about room `room_id`; `None` when nothing was recorded for it (or
    /// it was purged).
    fn room_presence<'a>(
        &'a self,
        room_id: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<PresenceRecord>>>;

    /// The participants in room `room_id` by identity (byte order), those after `after`, at
    /// most `limit`.
    fn list_participants<'a>(
        &'a self,
        room_id: &'a str,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, StoreResult<Vec<ParticipantRecord>>>;

    /// Deletes at most `limit` expired webhook records (event ids, rooms whose latest event is
    /// older than the retention window with their participants, participants who left); how
    /// many rows.
    fn purge_expired_webhooks(&self, now: i64, limit: u32) -> BoxFuture<'_, StoreResult<u64>>;
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

/// The vendor's own id of a gateway recording id (LiveKit egress id, Agora `sid`, ZEGO task
/// id): what recording webhooks name. `None` for an id that does not parse.
pub(crate) fn vendor_recording_id(id: &str) -> Option<String> {
    use crate::remote::RecordingHandle;
    let parsed = super::ids::parse_recording_id(id).ok()?;
    Some(match parsed.handle() {
        RecordingHandle::LiveKit { egress_id } => egress_id.clone(),
        RecordingHandle::Agora { sid, .. } => sid.clone(),
        RecordingHandle::Zego { task_id, .. } => task_id.clone(),
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

/// The migrator over embedded migrations `(version, description, sql)`, with sqlx's lock
/// (PostgreSQL's advisory lock, so instances starting at once migrate once; a no-op on SQLite).
pub(crate) fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = migrations
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        locking: true,
        ..Migrator::DEFAULT
    }
}

/// A stored integer that must fit a `u32`.
pub(crate) fn to_u32(v: Option<i64>, what: &'static str) -> StoreResult<Option<u32>> {
    v.map(|n| u32::try_from(n).map_err(|_| StoreError::query(format!("{what} out of range: {n}"))))
        .transpose()
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
