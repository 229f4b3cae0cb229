//! The statements both stores run, written once: `$N` placeholders (PostgreSQL's, which sqlx's
//! SQLite driver reads by number too) and SQL both dialects accept (`ON CONFLICT … DO UPDATE …
//! WHERE`, `CASE`, `COALESCE`; no `GREATEST`/`max(a, b)`). Each function runs over any sqlx
//! executor or pool and returns sqlx's own error, so that the PostgreSQL store can classify it
//! for a retry ([`PgStore`](super::PgStore) reruns a whole function, which is why every one of
//! them is harmless to run twice); the row readers turn rows into records.
//!
//! What stays in the backends: opening, pools, retries, and the idempotency claims (PostgreSQL's
//! carry a `claim` column).

use std::marker::PhantomData;

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::{
    FINAL_RECORDING_STATUSES, ParticipantRecord, PresenceEvent, PresenceRecord, RecordingRecord,
    RoomRecord, StoreError, StoreResult, WebhookChange, WebhookDelivery, to_u32, vendor_from_str,
    vendor_recording_id, vendor_to_str,
};
use crate::vendor::Vendor;

/// `rows_affected` of a backend's query result (sqlx has no trait for it).
pub(super) trait Affected {
    fn affected(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl Affected for sqlx::postgres::PgQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// The shared statements over database `DB` (`Sqlite` or `Postgres`).
pub(super) struct Sql<DB>(PhantomData<DB>);

const ROOM_COLUMNS: &str =
    "id, vendor, name, max_participants, empty_timeout_s, metadata, created_at";
const RECORDING_COLUMNS: &str =
    "id, vendor, room_id, status, output_uri, created_at, updated_at, webhook_at";

/// `status IN ('complete', 'failed', 'nothing_recorded')` for column or parameter `what`.
fn is_final(what: &str) -> String {
    let list = FINAL_RECORDING_STATUSES
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{what} IN ({list})")
}

fn data_err(e: &sqlx::Error) -> StoreError {
    StoreError::query(format!("database error: {e}"))
}

impl<DB> Sql<DB>
where
    DB: Database,
    DB::QueryResult: Affected,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'r> Option<i64>: Decode<'r, DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB>,
    for<'s> &'s str: ColumnIndex<DB::Row>,
{
    fn get<'r, T>(row: &'r DB::Row, column: &str) -> StoreResult<T>
    where
        T: Decode<'r, DB> + Type<DB>,
    {
        row.try_get(column).map_err(|e| data_err(&e))
    }

    // -----------------------------------------------------------------------------------------
    // Rooms

    pub(super) fn room_from_row(row: &DB::Row) -> StoreResult<RoomRecord> {
        let vendor: String = Self::get(row, "vendor")?;
        Ok(RoomRecord {
            id: Self::get(row, "id")?,
            vendor: vendor_from_str(&vendor)?,
            name: Self::get(row, "name")?,
            max_participants: to_u32(Self::get(row, "max_participants")?, "max_participants")?,
            empty_timeout_s: to_u32(Self::get(row, "empty_timeout_s")?, "empty_timeout_s")?,
            metadata: Self::get(row, "metadata")?,
            created_at: Self::get(row, "created_at")?,
        })
    }

    pub(super) async fn put_room(pool: &Pool<DB>, room: &RoomRecord) -> Result<(), sqlx::Error> {
        sqlx::query::<DB>(
            "INSERT INTO rooms \
                 (id, vendor, name, max_participants, empty_timeout_s, metadata, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET vendor = excluded.vendor, name = excluded.name, \
                 max_participants = excluded.max_participants, \
                 empty_timeout_s = excluded.empty_timeout_s, metadata = excluded.metadata, \
                 created_at = excluded.created_at",
        )
        .bind(room.id.as_str())
        .bind(vendor_to_str(room.vendor))
        .bind(room.name.as_str())
        .bind(room.max_participants.map(i64::from))
        .bind(room.empty_timeout_s.map(i64::from))
        .bind(room.metadata.as_deref())
        .bind(room.created_at)
        .execute(pool)
        .await
        .map(|_| ())
    }

    pub(super) async fn get_room(
        pool: &Pool<DB>,
        id: &str,
    ) -> Result<Option<DB::Row>, sqlx::Error> {
        let sql = format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1");
        sqlx::query::<DB>(&sql).bind(id).fetch_optional(pool).await
    }

    /// `rooms.id` is byte-ordered in both backends (`COLLATE "C"` on PostgreSQL), the order
    /// the cursor relies on.
    pub(super) async fn list_rooms(
        pool: &Pool<DB>,
        vendor: Vendor,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DB::Row>, sqlx::Error> {
        let sql = format!(
            "SELECT {ROOM_COLUMNS} FROM rooms WHERE vendor = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        sqlx::query::<DB>(&sql)
            .bind(vendor_to_str(vendor))
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
    }

    pub(super) async fn delete_room(pool: &Pool<DB>, id: &str) -> Result<bool, sqlx::Error> {
        sqlx::query::<DB>("DELETE FROM rooms WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.affected() > 0)
    }

    // -----------------------------------------------------------------------------------------
    // Recordings

    pub(super) fn recording_from_row(row: &DB::Row) -> StoreResult<RecordingRecord> {
        let vendor: String = Self::get(row, "vendor")?;
        Ok(RecordingRecord {
            id: Self::get(row, "id")?,
            vendor: vendor_from_str(&vendor)?,
            room_id: Self::get(row, "room_id")?,
            status: Self::get(row, "status")?,
            output_uri: Self::get(row, "output_uri")?,
            created_at: Self::get(row, "created_at")?,
            updated_at: Self::get(row, "updated_at")?,
            webhook_at: Self::get(row, "webhook_at")?,
        })
    }

    /// Upsert; a final status a webhook set is kept against a running one (the vendor's answer
    /// to a stop that raced the recording's end), and then so is its `webhook_at`.
    pub(super) async fn put_recording(
        pool: &Pool<DB>,
        rec: &RecordingRecord,
    ) -> Result<(), sqlx::Error> {
        let keep = format!(
            "recordings.webhook_at IS NOT NULL AND {} AND NOT {}",
            is_final("recordings.status"),
            is_final("excluded.status")
        );
        let sql = format!(
            "INSERT INTO recordings \
                 (id, vendor, room_id, status, output_uri, created_at, updated_at, \
                  vendor_recording_id, webhook_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) \
             ON CONFLICT (id) DO UPDATE SET \
                 status = CASE WHEN {keep} THEN recordings.status ELSE excluded.status END, \
                 webhook_at = CASE WHEN {keep} THEN recordings.webhook_at ELSE NULL END, \
                 output_uri = COALESCE(excluded.output_uri, recordings.output_uri), \
                 vendor_recording_id = \
                     COALESCE(recordings.vendor_recording_id, excluded.vendor_recording_id), \
                 updated_at = excluded.updated_at"
        );
        let vendor_id = vendor_recording_id(&rec.id);
        sqlx::query::<DB>(&sql)
            .bind(rec.id.as_str())
            .bind(vendor_to_str(rec.vendor))
            .bind(rec.room_id.as_str())
            .bind(rec.status.as_str())
            .bind(rec.output_uri.as_deref())
            .bind(rec.created_at)
            .bind(rec.updated_at)
            .bind(vendor_id.as_deref())
            .execute(pool)
            .await
            .map(|_| ())
    }

    pub(super) async fn get_recording(
        pool: &Pool<DB>,
        id: &str,
    ) -> Result<Option<DB::Row>, sqlx::Error> {
        let sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = $1");
        sqlx::query::<DB>(&sql).bind(id).fetch_optional(pool).await
    }

    // -----------------------------------------------------------------------------------------
    // Webhooks

    /// One transaction: claim the event id (a free or expired one), then apply the change.
    /// Rerun after a lost commit reply, it finds the id taken and answers `false`: the change
    /// is applied once either way.
    pub(super) async fn record_webhook(
        pool: &Pool<DB>,
        d: &WebhookDelivery,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = pool.begin().await?;
        let fresh = sqlx::query::<DB>(
            "INSERT INTO webhook_events (vendor, event_id, received_at, expires_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (vendor, event_id) DO UPDATE SET \
                 received_at = excluded.received_at, expires_at = excluded.expires_at \
             WHERE webhook_events.expires_at <= $3",
        )
        .bind(vendor_to_str(d.vendor))
        .bind(d.event_id.as_str())
        .bind(d.received_at)
        .bind(d.expires_at)
        .execute(&mut *tx)
        .await?
        .affected()
            == 1;
        if fresh {
            match &d.change {
                WebhookChange::Nothing => {}
                WebhookChange::Presence(p) => {
                    Self::apply_presence(&mut tx, d, p).await?;
                }
                WebhookChange::Recording(r) => {
                    let sql = format!(
                        "UPDATE recordings SET status = $3, \
                             output_uri = COALESCE($4, output_uri), updated_at = $5, \
                             webhook_at = $6 \
                         WHERE vendor = $1 AND vendor_recording_id = $2 \
                           AND (NOT {} OR {})",
                        is_final("status"),
                        is_final("$3")
                    );
                    sqlx::query::<DB>(&sql)
                        .bind(vendor_to_str(d.vendor))
                        .bind(r.vendor_recording_id.as_str())
                        .bind(r.status.as_str())
                        .bind(r.output_uri.as_deref())
                        .bind(d.received_at)
                        .bind(r.at)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(fresh)
    }

    /// The room's row (`as_of` only moves forward; `active` follows the newest event), then the
    /// participant's, ordered by `seq`.
    async fn apply_presence(
        tx: &mut sqlx::Transaction<'_, DB>,
        d: &WebhookDelivery,
        p: &super::PresenceChange,
    ) -> Result<(), sqlx::Error> {
        let active = i64::from(!matches!(p.event, PresenceEvent::RoomFinished));
        sqlx::query::<DB>(
            "INSERT INTO room_presence (room_id, vendor, active, as_of, expires_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (room_id) DO UPDATE SET \
                 active = CASE WHEN excluded.as_of >= room_presence.as_of \
                     THEN excluded.active ELSE room_presence.active END, \
                 as_of = CASE WHEN excluded.as_of > room_presence.as_of \
                     THEN excluded.as_of ELSE room_presence.as_of END, \
                 expires_at = CASE WHEN excluded.expires_at > room_presence.expires_at \
                     THEN excluded.expires_at ELSE room_presence.expires_at END",
        )
        .bind(p.room_id.as_str())
        .bind(vendor_to_str(d.vendor))
        .bind(active)
        .bind(p.at)
        .bind(d.expires_at)
        .execute(&mut **tx)
        .await?;
        match &p.event {
            PresenceEvent::RoomStarted => {}
            PresenceEvent::RoomFinished => {
                // Everybody whose latest event is not newer than the end has left.
                sqlx::query::<DB>(
                    "UPDATE participants SET state = 'left', expires_at = $3 \
                     WHERE room_id = $1 AND state = 'joined' AND updated_at <= $2",
                )
                .bind(p.room_id.as_str())
                .bind(p.at)
                .bind(d.expires_at)
                .execute(&mut **tx)
                .await?;
            }
            PresenceEvent::Joined {
                identity,
                display_name,
                seq,
            } => {
                sqlx::query::<DB>(
                    "INSERT INTO participants (room_id, identity, display_name, state, seq, \
                         joined_at, updated_at, expires_at) \
                     VALUES ($1, $2, $3, 'joined', $4, $5, $5, $6) \
                     ON CONFLICT (room_id, identity) DO UPDATE SET \
                         display_name = COALESCE(excluded.display_name, participants.display_name), \
                         joined_at = CASE WHEN participants.state = 'joined' \
                             THEN participants.joined_at ELSE excluded.joined_at END, \
                         state = 'joined', seq = excluded.seq, updated_at = excluded.updated_at, \
                         expires_at = excluded.expires_at \
                     WHERE excluded.seq >= participants.seq",
                )
                .bind(p.room_id.as_str())
                .bind(identity.as_str())
                .bind(display_name.as_deref())
                .bind(*seq)
                .bind(p.at)
                .bind(d.expires_at)
                .execute(&mut **tx)
                .await?;
            }
            PresenceEvent::Left { identity, seq } => {
                sqlx::query::<DB>(
                    "INSERT INTO participants (room_id, identity, display_name, state, seq, \
                         joined_at, updated_at, expires_at) \
                     VALUES ($1, $2, NULL, 'left', $3, NULL, $4, $5) \
                     ON CONFLICT (room_id, identity) DO UPDATE SET \
                         state = 'left', seq = excluded.seq, updated_at = excluded.updated_at, \
                         expires_at = excluded.expires_at \
                     WHERE excluded.seq >= participants.seq",
                )
                .bind(p.room_id.as_str())
                .bind(identity.as_str())
                .bind(*seq)
                .bind(p.at)
                .bind(d.expires_at)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    pub(super) async fn room_presence(
        pool: &Pool<DB>,
        room_id: &str,
    ) -> Result<Option<DB::Row>, sqlx::Error> {
        sqlx::query::<DB>(
            "SELECT active, as_of, \
                 (SELECT COUNT(*) FROM participants \
                  WHERE participants.room_id = room_presence.room_id \
                    AND participants.state = 'joined') AS occupancy \
             FROM room_presence WHERE room_id = $1",
        )
        .bind(room_id)
        .fetch_optional(pool)
        .await
    }

    pub(super) fn presence_from_row(row: &DB::Row) -> StoreResult<PresenceRecord> {
        let occupancy: i64 = Self::get(row, "occupancy")?;
        let active: i64 = Self::get(row, "active")?;
        Ok(PresenceRecord {
            occupancy: to_u32(Some(occupancy), "occupancy")?.unwrap_or_default(),
            active: active != 0,
            as_of: Self::get(row, "as_of")?,
        })
    }

    pub(super) async fn list_participants(
        pool: &Pool<DB>,
        room_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DB::Row>, sqlx::Error> {
        sqlx::query::<DB>(
            "SELECT identity, display_name, joined_at FROM participants \
             WHERE room_id = $1 AND state = 'joined' AND identity > $2 \
             ORDER BY identity LIMIT $3",
        )
        .bind(room_id)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
    }

    pub(super) fn participant_from_row(row: &DB::Row) -> StoreResult<ParticipantRecord> {
        Ok(ParticipantRecord {
            identity: Self::get(row, "identity")?,
            display_name: Self::get(row, "display_name")?,
            joined_at: Self::get(row, "joined_at")?,
        })
    }

    /// One round of the purge: expired event ids, then rooms without an event for the window
    /// (their participants first), then participants who left, each at most `limit` rows.
    pub(super) async fn purge_webhooks(
        pool: &Pool<DB>,
        now: i64,
        limit: u32,
    ) -> Result<u64, sqlx::Error> {
        let limit = i64::from(limit);
        let mut total = 0;
        for sql in [
            "DELETE FROM webhook_events WHERE (vendor, event_id) IN \
                 (SELECT vendor, event_id FROM webhook_events WHERE expires_at <= $1 LIMIT $2)",
            "DELETE FROM participants WHERE room_id IN \
                 (SELECT room_id FROM room_presence WHERE expires_at <= $1 LIMIT $2)",
            // Only rooms whose participants are gone (the statement before may have reached
            // other rooms than this one's LIMIT picks).
            "DELETE FROM room_presence WHERE room_id IN \
                 (SELECT room_id FROM room_presence WHERE expires_at <= $1 AND NOT EXISTS \
                     (SELECT 1 FROM participants \
                      WHERE participants.room_id = room_presence.room_id) \
                  LIMIT $2)",
            "DELETE FROM participants WHERE (room_id, identity) IN \
                 (SELECT room_id, identity FROM participants \
                  WHERE state = 'left' AND expires_at <= $1 LIMIT $2)",
        ] {
            total += sqlx::query::<DB>(sql)
                .bind(now)
                .bind(limit)
                .execute(pool)
                .await?
                .affected();
        }
        Ok(total)
    }
}

/// Maps rows with `read`, stopping at the first error.
pub(super) fn rows<R, T>(rows: &[R], read: fn(&R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(read).collect()
}
