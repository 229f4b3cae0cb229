-- rtcmint gateway store, version 1 (SQLite).
-- Times are Unix seconds. Rows never hold a secret, a token or an API key: idempotency scopes are
-- SHA-256 digests of API keys, and response bodies are the gateway's own JSON answers.

-- Rooms created through the gateway. For Agora and ZEGO (no room object at the vendor) this is the
-- only record of the settings; LiveKit rooms are kept too so that list and delete know them.
CREATE TABLE rooms (
    id               TEXT    PRIMARY KEY NOT NULL,
    vendor           TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    max_participants INTEGER,
    empty_timeout_s  INTEGER,
    metadata         TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX rooms_vendor_id ON rooms (vendor, id);

-- Recordings started (or stopped) through the gateway. The id is self-contained: it carries
-- everything stop needs, so a row is a record, not a requirement for stop.
CREATE TABLE recordings (
    id         TEXT    PRIMARY KEY NOT NULL,
    vendor     TEXT    NOT NULL,
    room_id    TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    output_uri TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX recordings_room ON recordings (room_id);

-- Idempotency keys (IETF httpapi Idempotency-Key draft, Stripe semantics), per API key scope.
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('in_progress', 'done')),
    status      INTEGER,
    body        BLOB,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
