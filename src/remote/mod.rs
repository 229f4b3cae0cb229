//! Vendor HTTP APIs: rooms, recording and participants (feature `remote`).
//!
//! One trait, [`RoomService`], covers the eight operations of the product: room create, get,
//! list and delete; recording start and stop; participant list and kick. Three clients implement
//! it:
//!
//! - [`LiveKitClient`]: Twirp `RoomService` and `Egress` over JSON, each call signed with a
//!   short-lived JWT from this crate's [`LiveKitMinter`](crate::livekit::LiveKitMinter) carrying
//!   exactly the grants the call needs.
//! - [`AgoraClient`]: the RESTful API with HTTP Basic auth (channel list, channel user list,
//!   kicking rules) and Cloud Recording (acquire → start → stop).
//! - [`ZegoClient`]: the server API with its MD5 signature (user list, kick, close room, room
//!   list where ZEGO enabled it) and Cloud Recording (`StartRecord` / `StopRecord`).
//!
//! Agora channels and ZEGO rooms have no persistent object: they exist while someone is in them.
//! `create_room` on those vendors makes no network call and returns a record with
//! [`Origin::Synthesized`]; `get_room` is [`Origin::Derived`] from presence queries. What a vendor
//! lacks, or what this crate does not implement, fails with [`RemoteError::Unsupported`], whose
//! message says which of the two it is. [`capabilities`] gives the table at run time.
//!
//! Every client takes a base URL (tests point it at `http://127.0.0.1:…`), [`HttpOptions`]
//! (timeouts, bounded retries with backoff and jitter for idempotent calls only), and injectable
//! clock and randomness.

mod agora;
mod capabilities;
mod error;
mod http;
mod livekit;
mod zego;

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

pub use agora::{AgoraClient, AgoraRecordingConfig, AgoraStorage};
pub use capabilities::{Capabilities, Capability, Operation, Support, capabilities};
pub use error::{RemoteError, RemoteResult, UnsupportedReason};
pub use http::HttpOptions;
pub use livekit::LiveKitClient;
pub use zego::{ZegoClient, ZegoStorage, signature as zego_signature};

pub use crate::vendor::Vendor;

/// A boxed, `Send` future: what [`RoomService`] methods return, so the trait is usable as
/// `dyn RoomService`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// What [`RoomService::stop_recording`] needs to find a recording again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "vendor", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordingHandle {
    /// A LiveKit egress.
    LiveKit {
        /// `EG_…`.
        egress_id: String,
    },
    /// An Agora Cloud Recording session: stop needs all five values.
    Agora {
        /// From `acquire`.
        resource_id: String,
        /// From `start`.
        sid: String,
        /// `mix`, `individual` or `web`.
        mode: String,
        /// The channel.
        cname: String,
        /// The recorder's uid (a decimal string).
        uid: String,
    },
    /// A ZEGO cloud recording task.
    Zego {
        /// The 16-character `TaskId`.
        task_id: String,
    },
}

/// A recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Recording {
    /// The vendor's id: LiveKit `egress_id`, Agora `sid`, ZEGO `TaskId`.
    pub recording: String,
    /// The room recorded.
    pub room: String,
    /// Its state.
    pub status: RecordingStatus,
    /// Where the output goes or went: the requested path on start; the first reported file
    /// (when the vendor reports one) on stop.
    pub output_uri: Option<String>,
    /// What stop needs.
    pub handle: RecordingHandle,
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
    /// non-empty value fails with [`RemoteError::Unsupported`] rather than being dropped.
    pub metadata: Option<String>,
    /// Idempotency key: a repeated start with the same key on the same client returns the first
    /// result instead of starting a second recording; on Agora the key also fixes the recorder
    /// uid, so the vendor itself refuses a duplicate (code 53) and `start` may be retried.
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
}

/// The eight room, recording and participant operations, for any vendor.
///
/// Methods return boxed futures so that `Box<dyn RoomService>` works; each client also has
/// inherent `async fn`s of the same names.
pub trait RoomService: Send + Sync {
    /// The vendor this client talks to.
    fn vendor(&self) -> Vendor;

    /// What this client can do, per operation (see [`capabilities`]).
    fn capabilities(&self) -> Capabilities;

    /// Creates a room (LiveKit), or synthesizes the record (Agora, ZEGO).
    fn create_room<'a>(
        &'a self,
        request: &'a CreateRoomRequest,
    ) -> BoxFuture<'a, RemoteResult<Room>>;

    /// Looks a room up; [`RemoteError::NotFound`] when absent.
    fn get_room<'a>(&'a self, name: &'a str) -> BoxFuture<'a, RemoteResult<Room>>;

    /// Lists active rooms, one page at a time.
    fn list_rooms<'a>(&'a self, page: &'a PageRequest) -> BoxFuture<'a, RemoteResult<Page<Room>>>;

    /// Deletes a room (Agora: evicts everyone; they may rejoin).
    fn delete_room<'a>(&'a self, name: &'a str) -> BoxFuture<'a, RemoteResult<()>>;

    /// Starts a composite recording.
    fn start_recording<'a>(
        &'a self,
        request: &'a RecordingRequest,
    ) -> BoxFuture<'a, RemoteResult<Recording>>;

    /// Stops a recording.
    fn stop_recording<'a>(
        &'a self,
        handle: &'a RecordingHandle,
    ) -> BoxFuture<'a, RemoteResult<Recording>>;

    /// Lists the participants of a room, one page at a time (an unknown room gives an empty
    /// list, as every vendor does).
    fn list_participants<'a>(
        &'a self,
        room: &'a str,
        page: &'a PageRequest,
    ) -> BoxFuture<'a, RemoteResult<Page<Participant>>>;

    /// Removes a participant from a room.
    fn kick_participant<'a>(
        &'a self,
        room: &'a str,
        identity: &'a str,
    ) -> BoxFuture<'a, RemoteResult<()>>;
}

/// Implements [`RoomService`] by forwarding to the client's inherent methods.
macro_rules! forward_room_service {
    ($ty:ty) => {
        impl $crate::remote::RoomService for $ty {
            fn vendor(&self) -> $crate::remote::Vendor {
                <$ty>::VENDOR
            }
            fn capabilities(&self) -> $crate::remote::Capabilities {
                <$ty>::capabilities(self)
            }
            fn create_room<'a>(
                &'a self,
                request: &'a $crate::remote::CreateRoomRequest,
            ) -> $crate::remote::BoxFuture<'a, $crate::remote::RemoteResult<$crate::remote::Room>>
            {
                Box::pin(<$ty>::create_room(self, request))
            }
            fn get_room<'a>(
                &'a self,
                name: &'a str,
            ) -> $crate::remote::BoxFuture<'a, $crate::remote::RemoteResult<$crate::remote::Room>>
            {
                Box::pin(<$ty>::get_room(self, name))
            }
            fn list_rooms<'a>(
                &'a self,
                page: &'a $crate::remote::PageRequest,
            ) -> $crate::remote::BoxFuture<
                'a,
                $crate::remote::RemoteResult<$crate::remote::Page<$crate::remote::Room>>,
            > {
                Box::pin(<$ty>::list_rooms(self, page))
            }
            fn delete_room<'a>(
                &'a self,
                name: &'a str,
            ) -> $crate::remote::BoxFuture<'a, $crate::remote::RemoteResult<()>> {
                Box::pin(<$ty>::delete_room(self, name))
            }
            fn start_recording<'a>(
                &'a self,
                request: &'a $crate::remote::RecordingRequest,
            ) -> $crate::remote::BoxFuture<
                'a,
                $crate::remote::RemoteResult<$crate::remote::Recording>,
            > {
                Box::pin(<$ty>::start_recording(self, request))
            }
            fn stop_recording<'a>(
                &'a self,
                handle: &'a $crate::remote::RecordingHandle,
            ) -> $crate::remote::BoxFuture<
                'a,
                $crate::remote::RemoteResult<$crate::remote::Recording>,
            > {
                Box::pin(<$ty>::stop_recording(self, handle))
            }
            fn list_participants<'a>(
                &'a self,
                room: &'a str,
                page: &'a $crate::remote::PageRequest,
            ) -> $crate::remote::BoxFuture<
                'a,
                $crate::remote::RemoteResult<$crate::remote::Page<$crate::remote::Participant>>,
            > {
                Box::pin(<$ty>::list_participants(self, room, page))
            }
            fn kick_participant<'a>(
                &'a self,
                room: &'a str,
                identity: &'a str,
            ) -> $crate::remote::BoxFuture<'a, $crate::remote::RemoteResult<()>> {
                Box::pin(<$ty>::kick_participant(self, room, identity))
            }
        }
    };
}
pub(crate) use forward_room_service;

/// Refuses recording metadata: no vendor stores it with a recording.
pub(crate) fn refuse_metadata(vendor: Vendor, request: &RecordingRequest) -> RemoteResult<()> {
    match request.metadata.as_deref() {
        Some(m) if !m.is_empty() => Err(error::vendor_lacks(
            vendor,
            "recording.start(metadata)",
            "the vendor stores no metadata with a recording; keep it in your own store keyed by the recording id",
        )),
        _ => Ok(()),
    }
}

/// Pages a complete, vendor-returned list on the client: sorted by `key`, items after the
/// cursor, at most `limit`. Used where the vendor returns everything at once (LiveKit).
pub(crate) fn page_locally<T>(
    mut items: Vec<T>,
    page: &PageRequest,
    key: impl Fn(&T) -> &str,
) -> Page<T> {
    items.sort_by(|a, b| key(a).cmp(key(b)));
    if let Some(cursor) = page.cursor.as_deref() {
        items.retain(|i| key(i) > cursor);
    }
    let limit = page.limit.map_or(usize::MAX, |l| l.max(1) as usize);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| key(i).to_owned())
    } else {
        None
    };
    Page { items, next_cursor }
}

/// A small per-client memory of recordings started with an idempotency key.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyCache {
    inner: std::sync::Mutex<std::collections::VecDeque<(String, Recording)>>,
}

impl IdempotencyCache {
    const CAPACITY: usize = 256;

    pub(crate) fn get(&self, key: &str) -> Option<Recording> {
        let guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.iter().find(|(k, _)| k == key).map(|(_, r)| r.clone())
    }

    pub(crate) fn put(&self, key: &str, recording: &Recording) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.len() >= Self::CAPACITY {
            guard.pop_front();
        }
        guard.push_back((key.to_owned(), recording.clone()));
    }
}

/// Sets `key` on a JSON object (no-op on anything else; the callers build objects).
pub(crate) fn set_json(
    target: Option<&mut serde_json::Value>,
    key: &str,
    value: serde_json::Value,
) {
    if let Some(serde_json::Value::Object(map)) = target {
        map.insert(key.to_owned(), value);
    }
}

/// Non-empty name check shared by the clients.
pub(crate) fn require_name(vendor: Vendor, field: &'static str, value: &str) -> RemoteResult<()> {
    if value.is_empty() {
        return Err(RemoteError::InvalidRequest {
            vendor,
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}
