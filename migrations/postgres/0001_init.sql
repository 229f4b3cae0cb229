-- rtcmint gateway store, version 1 (PostgreSQL). The same tables, columns and meaning as
-- migrations/sqlite/0001_init.sql, in PostgreSQL's types; one version number per change, in both
-- directories. Times are Unix seconds (BIGINT). Rows never hold a secret, a token or an API key:
-- idempotency scopes are SHA-256 digests of API keys, and response bodies are the gateway's own
-- JSON answers.
--
-- Portable on purpose: plain tables, B-tree indexes, CHECK constraints; no sequences, triggers,
-- extensions, stored procedures or partial indexes (see README "Distributed SQL engines").

-- Rooms created through the gateway. For Agora and ZEGO (no room object at the vendor) this is the
-- only record of the settings; LiveKit rooms are kept too so that list and delete know them.
-- `COLLATE "C"` on the id: list pages by id in byte order (as SQLite does) whatever the
-- database's default collation, and the index serves that order.
CREATE TABLE rooms (
    id               TEXT   COLLATE "C" PRIMARY KEY NOT NULL,
    vendor           TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    max_participants BIGINT CHECK (max_participants BETWEEN 0 AND 4294967295),
    empty_timeout_s  BIGINT CHECK (empty_timeout_s BETWEEN 0 AND 4294967295),
    metadata         TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX rooms_vendor_id ON rooms (vendor, id);

-- Recordings started (or stopped) through the gateway. The id is self-contained: it carries
-- everything stop needs, so a row is a record, not a requirement for stop.
CREATE TABLE recordings (
    id         TEXT   PRIMARY KEY NOT NULL,
    vendor     TEXT   NOT NULL,
    room_id    TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    output_uri TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX recordings_room ON recordings (room_id);

-- Idempotency keys (IETF httpapi Idempotency-Key draft, Stripe semantics), per API key scope.
-- `claim` is a random value written by the claiming call, so that a claim retried after a dropped
-- connection recognises its own row (PostgreSQL store only; SQLite has no such retry).
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('in_progress', 'done')),
    status      INTEGER CHECK (status BETWEEN 100 AND 599),
    body        BYTEA,
    claim       TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
