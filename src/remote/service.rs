//! The service trait: the eight operations, for any vendor.

use std::future::Future;
use std::pin::Pin;

use super::capabilities::Capabilities;
use super::error::RemoteResult;
use super::model::{
    CreateRoomRequest, Page, PageRequest, Participant, Recording, RecordingRequest, Room,
};
use super::recording_id::RecordingId;
use crate::Vendor;

/// A boxed, `Send` future: what [`RoomService`] methods return, so the trait is usable as
/// `dyn RoomService`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The eight room, recording and participant operations, for any vendor.
///
/// Methods return boxed futures so that `Box<dyn RoomService>` works; each client also has
/// inherent `async fn`s of the same names.
pub trait RoomService: Send + Sync {
    /// The vendor this client talks to.
    fn vendor(&self) -> Vendor;

    /// What this client can do, per operation (see [`capabilities`](super::capabilities())).
    fn capabilities(&self) -> Capabilities;

    /// Creates a room (LiveKit), or synthesizes the record (Agora, ZEGO).
    fn create_room<'a>(
        &'a self,
        request: &'a CreateRoomRequest,
    ) -> BoxFuture<'a, RemoteResult<Room>>;

    /// Looks a room up; [`RemoteError::NotFound`](super::RemoteError::NotFound) when absent.
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

    /// Stops a recording, given only its id (which may come from another process).
    fn stop_recording<'a>(
        &'a self,
        recording: &'a RecordingId,
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
                recording: &'a $crate::remote::RecordingId,
            ) -> $crate::remote::BoxFuture<
                'a,
                $crate::remote::RemoteResult<$crate::remote::Recording>,
            > {
                Box::pin(<$ty>::stop_recording(self, recording))
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
