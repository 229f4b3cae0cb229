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
//! A started recording is a [`RecordingId`]: one opaque, URL-safe string that holds everything
//! stop needs, so any process can stop it. A start whose outcome cannot be known (a timeout or
//! a 5xx after the request was sent) fails with [`RemoteError::OutcomeUnknown`], carrying a
//! [`RecordingRecovery`] with what is needed to find and stop the recording.
//!
//! Every client takes a base URL (tests point it at `http://127.0.0.1:…`), [`HttpOptions`]
//! (timeouts, bounded retries with backoff and jitter for idempotent calls only), and injectable
//! clock and randomness.
//!
//! Layout: `model` (records and requests), `recording_id` (ids and recovery), `service` (the
//! trait), `client` (the client base and shared helpers), `http` (transport and retries),
//! `error`, `capabilities`, `config` (the vendors' settings from environment variables, shared by
//! the CLI and the gateway), and one file per vendor.

mod agora;
mod capabilities;
pub(crate) mod client;
pub mod config;
mod error;
mod http;
mod livekit;
mod model;
mod recording_id;
mod service;
mod zego;

pub use agora::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, AgoraStorageExtension, AgoraStreamTypes,
    AgoraVideoProfile,
};
pub use capabilities::{Capabilities, Capability, Operation, Support, capabilities};
pub use error::{RemoteError, RemoteResult, UnsupportedReason};
pub use http::HttpOptions;
pub use livekit::{
    LiveKitAdvancedEncoding, LiveKitClient, LiveKitEncoding, LiveKitPreset, LiveKitRecordingOptions,
};
pub use model::{
    CreateRoomRequest, Origin, Page, PageRequest, Participant, Recording, RecordingRequest,
    RecordingStatus, Room,
};
pub use recording_id::{
    MAX_RECORDING_ID_LEN, ParseRecordingIdError, RecordingHandle, RecordingId, RecordingRecovery,
};
pub use service::{BoxFuture, RoomService};
pub use zego::{ZegoClient, ZegoRecordingOptions, ZegoStorage, signature as zego_signature};

pub use crate::Vendor;
