-- rtcmint gateway store, version 2 (PostgreSQL): what verified vendor webhooks say. The same
-- tables, columns and meaning as migrations/sqlite/0002_webhooks.sql, in PostgreSQL's types.
-- Times are Unix seconds (BIGINT). Rows hold no secret and no signature: event ids, room ids,
-- the vendors' user ids and nicknames, recording statuses. Portable as version 1 (plain tables,
-- B-tree indexes, CHECK constraints).

-- Event ids of the deliveries already recorded, kept for the retention window so that a
-- redelivered or replayed event is acknowledged once and applied once (across instances and
-- restarts).
CREATE TABLE webhook_events (
    vendor      TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (vendor, event_id)
);
CREATE INDEX webhook_events_expires ON webhook_events (expires_at);

-- Rooms (Agora channels, ZEGO rooms) some webhook spoke of: whether live, and the time of the
-- latest event (`as_of`). Purged with their participants when no event came for the window.
CREATE TABLE room_presence (
    room_id    TEXT     PRIMARY KEY NOT NULL,
    vendor     TEXT     NOT NULL,
    active     BIGINT   NOT NULL CHECK (active IN (0, 1)),
    as_of      BIGINT   NOT NULL,
    expires_at BIGINT   NOT NULL
);
CREATE INDEX room_presence_expires ON room_presence (expires_at);

-- Participants by room, as joined/left events report them. Left rows stay for the window, so
-- that a late, older join (by `seq`) cannot bring a participant back. `COLLATE "C"` on the
-- identity: pages in byte order, as SQLite.
CREATE TABLE participants (
    room_id      TEXT   NOT NULL,
    identity     TEXT   COLLATE "C" NOT NULL,
    display_name TEXT,
    state        TEXT   NOT NULL CHECK (state IN ('joined', 'left')),
    seq          BIGINT NOT NULL,
    joined_at    BIGINT,
    updated_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (room_id, identity)
);
CREATE INDEX participants_expires ON participants (expires_at);

-- Recordings: the vendor's own id (what recording events name) and when a webhook last set the
-- status. Rows stored before this version have no vendor id and are not updated by webhooks.
ALTER TABLE recordings ADD COLUMN vendor_recording_id TEXT;
ALTER TABLE recordings ADD COLUMN webhook_at BIGINT;
CREATE INDEX recordings_vendor_id ON recordings (vendor, vendor_recording_id);
