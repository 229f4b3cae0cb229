//! The records and requests of the remote API: rooms, participants, recordings, paging.

use serde::{Deserialize, Serialize};

use super::recording_id::{RecordingHandle, RecordingId};
use crate::Vendor;

/// Where a record's content comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Origin {
    /// The vendor returned the object.
    Vendor,
    /// Assembled from other vendor calls (presence queries); nothing persistent exists.
    Derived,
    /// Made locally without a network call: the vendor has no such object.
    Synthesized,
}

/// A room (LiveKit room, Agora channel, ZEGO room).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Room {
    /// The vendor.
    pub vendor: Vendor,
    /// The vendor's identifier: LiveKit `sid` (`RM_…`); for Agora and ZEGO, which have no room
    /// ids, the channel / room name.
    pub room: String,
    /// The room name.
    pub name: String,
    /// Participant cap (LiveKit only; 0 there means unlimited).
    pub max_participants: Option<u32>,
    /// Creation time, Unix seconds (LiveKit only).
    pub created_at: Option<i64>,
    /// Participants present, when the vendor reports it.
    pub num_participants: Option<u32>,
    /// Room metadata (LiveKit only).
    pub metadata: Option<String>,
    /// Whether this record came from the vendor, was derived, or was synthesized.
    pub origin: Origin,
}

/// A participant in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Participant {
    /// The identity to kick with: LiveKit `identity`, Agora numeric uid (decimal), ZEGO `UserId`.
    pub identity: String,
    /// Display name, when the vendor reports it (LiveKit `name`, ZEGO `UserName`).
    pub display_name: Option<String>,
    /// Join time, Unix seconds (LiveKit only).
    pub joined_at: Option<i64>,
    /// Role, when the vendor reports it (Agora live mode: `host` / `audience`).
    pub role: Option<String>,
}

/// A recording's state, mapped from each vendor's status values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordingStatus {
    /// Requested, not recording yet.
    Starting,
    /// Recording.
    Active,
    /// Stop requested; files are being finalised or uploaded.
    Stopping,
    /// Finished.
    Complete,
    /// Stopped, but nothing was recorded (Agora code 435: nobody published).
    NothingRecorded,
    /// Failed or aborted.
    Failed,
    /// A status this crate does not know, as the vendor spelt it.
    Unknown(String),
}

/// A recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recording {
    /// The recording id: one opaque, URL-safe string holding everything
    /// [`RoomService::stop_recording`](super::RoomService::stop_recording) needs (see [`RecordingId`]). Another process can stop the
    /// recording with this id alone.
    pub recording: RecordingId,
    /// The room recorded.
    pub room: String,
    /// Its state.
    pub status: RecordingStatus,
    /// Where the output goes or went: the requested path on start; the first reported file
    /// (when the vendor reports one) on stop.
    pub output_uri: Option<String>,
}

impl Recording {
    /// The vendor's own identifiers behind [`Recording::recording`].
    #[must_use]
    pub fn handle(&self) -> &RecordingHandle {
        self.recording.handle()
    }
}

/// A room-creation request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateRoomRequest {
    /// Room name.
    pub name: String,
    /// Participant cap (LiveKit only).
    pub max_participants: Option<u32>,
    /// Seconds an empty room stays open (LiveKit only; the server default is 300).
    pub empty_timeout_secs: Option<u32>,
    /// Room metadata (LiveKit only).
    pub metadata: Option<String>,
}

impl CreateRoomRequest {
    /// A request for room `name` with the vendor's defaults.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        CreateRoomRequest {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Sets the participant cap.
    #[must_use]
    pub fn max_participants(mut self, max: u32) -> Self {
        self.max_participants = Some(max);
        self
    }

    /// Sets the empty timeout, in seconds.
    #[must_use]
    pub fn empty_timeout_secs(mut self, secs: u32) -> Self {
        self.empty_timeout_secs = Some(secs);
        self
    }

    /// Sets the room metadata.
    #[must_use]
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }
}

/// A request to start a composite recording of a room.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordingRequest {
    /// The room to record.
    pub room: String,
    /// Layout: `grid` (default), `speaker`; LiveKit also takes `single-speaker` or a custom
    /// template name; Agora and ZEGO also take `float`, `vertical`; ZEGO `horizontal`.
    pub layout: Option<String>,
    /// Record audio only.
    pub audio_only: bool,
    /// Output path: LiveKit `filepath` (templates like `{room_name}-{time}` allowed); Agora
    /// `fileNamePrefix` (`/`-separated, letters and digits); ZEGO `OutputFolder`.
    pub output_uri: Option<String>,
    /// Recording metadata. None of the vendors stores metadata with a recording, so a
    /// non-empty value fails with [`RemoteError::Unsupported`](super::RemoteError::Unsupported) rather than being dropped.
    pub metadata: Option<String>,
    /// Idempotency key. A repeated start with the same key and room returns the first
    /// recording instead of starting a second one where the vendor makes that possible; what
    /// each vendor does is documented on the clients' `start_recording` (LiveKit: the key fixes
    /// the `X-Livekit-Request-Id`; Agora: it fixes the recorder uid; ZEGO has no vendor-side
    /// idempotency). The same client also remembers recent keys in memory.
    pub idempotency_key: Option<String>,
}

impl RecordingRequest {
    /// A request to record `room` with defaults (grid layout, audio and video).
    #[must_use]
    pub fn new(room: impl Into<String>) -> Self {
        RecordingRequest {
            room: room.into(),
            ..Self::default()
        }
    }

    /// Sets the layout.
    #[must_use]
    pub fn layout(mut self, layout: impl Into<String>) -> Self {
        self.layout = Some(layout.into());
        self
    }

    /// Records audio only.
    #[must_use]
    pub fn audio_only(mut self, audio_only: bool) -> Self {
        self.audio_only = audio_only;
        self
    }

    /// Sets the output path.
    #[must_use]
    pub fn output_uri(mut self, uri: impl Into<String>) -> Self {
        self.output_uri = Some(uri.into());
        self
    }

    /// Sets metadata (refused by every vendor; see the field).
    #[must_use]
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// Paging for list operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageRequest {
    /// Where to continue: the `next_cursor` of the previous page; `None` for the first page.
    pub cursor: Option<String>,
    /// Page size; `None` for the vendor's default. Values over the vendor's maximum are capped.
    pub limit: Option<u32>,
}

impl PageRequest {
    /// The first page, vendor default size.
    #[must_use]
    pub fn first() -> Self {
        Self::default()
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues from a cursor.
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass this as [`PageRequest::cursor`] for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many items the vendor says exist in all, when it says (Agora channel lists and user
    /// lists, ZEGO room lists).
    pub total: Option<u64>,
    /// The vendor returned fewer items than exist and offers no way to fetch the rest (Agora
    /// lists at most 10,000 audience members of a live channel; `total` has the real count).
    pub truncated: bool,
}

impl<T> Page<T> {
    /// A page with these items and cursor, no total, not truncated.
    #[must_use]
    pub fn new(items: Vec<T>, next_cursor: Option<String>) -> Self {
        Page {
            items,
            next_cursor,
            total: None,
            truncated: false,
        }
    }
}
