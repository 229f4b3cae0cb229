//! What each vendor can do, queryable at run time.

use serde::Serialize;

use super::error::UnsupportedReason;
use crate::vendor::Vendor;

/// The eight operations of [`RoomService`](super::RoomService).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Operation {
    /// `room.create`.
    #[serde(rename = "room.create")]
    RoomCreate,
    /// `room.get`.
    #[serde(rename = "room.get")]
    RoomGet,
    /// `room.list`.
    #[serde(rename = "room.list")]
    RoomList,
    /// `room.delete`.
    #[serde(rename = "room.delete")]
    RoomDelete,
    /// `recording.start`.
    #[serde(rename = "recording.start")]
    RecordingStart,
    /// `recording.stop`.
    #[serde(rename = "recording.stop")]
    RecordingStop,
    /// `participant.list`.
    #[serde(rename = "participant.list")]
    ParticipantList,
    /// `participant.kick`.
    #[serde(rename = "participant.kick")]
    ParticipantKick,
}

impl Operation {
    /// Every operation, in table order.
    pub const ALL: [Operation; 8] = [
        Operation::RoomCreate,
        Operation::RoomGet,
        Operation::RoomList,
        Operation::RoomDelete,
        Operation::RecordingStart,
        Operation::RecordingStop,
        Operation::ParticipantList,
        Operation::ParticipantKick,
    ];

    /// The dotted name (`room.create`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::RoomCreate => "room.create",
            Operation::RoomGet => "room.get",
            Operation::RoomList => "room.list",
            Operation::RoomDelete => "room.delete",
            Operation::RecordingStart => "recording.start",
            Operation::RecordingStop => "recording.stop",
            Operation::ParticipantList => "participant.list",
            Operation::ParticipantKick => "participant.kick",
        }
    }
}

/// How a vendor supports an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Support {
    /// One vendor call with matching semantics.
    Real,
    /// Real vendor calls, but the result is assembled or the semantics approximated.
    Derived,
    /// No network call: the record is made locally because the vendor has no such object.
    Synthesized,
    /// The API exists but the vendor must enable it per app; unsupported until configured.
    Gated,
    /// Not available; says whose limitation it is.
    Unsupported(UnsupportedReason),
}

impl Support {
    /// Whether a call can succeed (everything except `Gated` and `Unsupported`).
    #[must_use]
    pub const fn is_available(self) -> bool {
        matches!(
            self,
            Support::Real | Support::Derived | Support::Synthesized
        )
    }
}

/// One row of a vendor's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Capability {
    /// The operation.
    pub operation: Operation,
    /// How it is supported.
    pub support: Support,
    /// The vendor call(s) used.
    pub vendor_call: &'static str,
    /// Caveats.
    pub note: &'static str,
}

/// A vendor's capability table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Capabilities {
    /// The vendor.
    pub vendor: Vendor,
    /// One row per operation, in [`Operation::ALL`] order.
    pub rows: Vec<Capability>,
}

impl Capabilities {
    /// The row for `operation`.
    #[must_use]
    pub fn get(&self, operation: Operation) -> Option<&Capability> {
        self.rows.iter().find(|r| r.operation == operation)
    }

    /// How `operation` is supported (`Unsupported(NotImplemented)` if the table lacks it).
    #[must_use]
    pub fn support(&self, operation: Operation) -> Support {
        self.get(operation).map_or(
            Support::Unsupported(UnsupportedReason::NotImplemented),
            |r| r.support,
        )
    }

    pub(crate) fn set(&mut self, operation: Operation, support: Support) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.operation == operation) {
            row.support = support;
        }
    }
}

const fn row(
    operation: Operation,
    support: Support,
    vendor_call: &'static str,
    note: &'static str,
) -> Capability {
    Capability {
        operation,
        support,
        vendor_call,
        note,
    }
}

/// The default capability table of `vendor` (clients report their configured table through
/// [`RoomService::capabilities`](super::RoomService::capabilities); ZEGO's room list turns
/// `Real` there once enabled).
#[must_use]
pub fn capabilities(vendor: Vendor) -> Capabilities {
    use Operation as O;
    use Support as S;
    let rows = match vendor {
        Vendor::LiveKit => vec![
            row(
                O::RoomCreate,
                S::Real,
                "RoomService/CreateRoom",
                "idempotent: an existing room is returned with its sid",
            ),
            row(
                O::RoomGet,
                S::Derived,
                "RoomService/ListRooms{names:[name]}",
                "no room is returned when it is not active",
            ),
            row(
                O::RoomList,
                S::Real,
                "RoomService/ListRooms",
                "active rooms only; the server does not page, rtcmint pages by name",
            ),
            row(
                O::RoomDelete,
                S::Real,
                "RoomService/DeleteRoom",
                "disconnects everyone",
            ),
            row(
                O::RecordingStart,
                S::Real,
                "Egress/StartRoomCompositeEgress",
                "needs an egress service deployed",
            ),
            row(O::RecordingStop, S::Real, "Egress/StopEgress", ""),
            row(
                O::ParticipantList,
                S::Real,
                "RoomService/ListParticipants",
                "an unknown room gives an empty list",
            ),
            row(
                O::ParticipantKick,
                S::Real,
                "RoomService/RemoveParticipant",
                "also revokes the participant's older tokens",
            ),
        ],
        Vendor::Agora => vec![
            row(
                O::RoomCreate,
                S::Synthesized,
                "(none)",
                "no create API: a channel exists while someone is in it",
            ),
            row(
                O::RoomGet,
                S::Derived,
                "GET /dev/v1/channel/user/{appid}/{cname}",
                "presence only: channel_exist, counts",
            ),
            row(
                O::RoomList,
                S::Real,
                "GET /dev/v1/channel/{appid}",
                "online channels only; page numbers as cursor",
            ),
            row(
                O::RoomDelete,
                S::Derived,
                "POST /dev/v1/kicking-rule {cname, time:0}",
                "evicts everyone; users may rejoin",
            ),
            row(
                O::RecordingStart,
                S::Real,
                "Cloud Recording acquire + start (mix)",
                "needs Cloud Recording enabled and storage",
            ),
            row(
                O::RecordingStop,
                S::Real,
                "Cloud Recording stop",
                "code 435 (nobody published) maps to NothingRecorded",
            ),
            row(
                O::ParticipantList,
                S::Real,
                "GET /dev/v1/channel/user/{appid}/{cname}",
                "numeric uids; hosts and audience in live mode",
            ),
            row(
                O::ParticipantKick,
                S::Real,
                "POST /dev/v1/kicking-rule {cname, uid, time:0}",
                "numeric uids only",
            ),
        ],
        Vendor::Zego => vec![
            row(
                O::RoomCreate,
                S::Synthesized,
                "(none)",
                "no create API: a room exists while someone is logged in",
            ),
            row(
                O::RoomGet,
                S::Derived,
                "DescribeUserNum",
                "count 0 is NotFound: the API cannot tell empty from absent",
            ),
            row(
                O::RoomList,
                S::Gated,
                "DescribeRoomList",
                "ZEGO must enable it for the app; then use with_room_list(true)",
            ),
            row(O::RoomDelete, S::Real, "CloseRoom", ""),
            row(
                O::RecordingStart,
                S::Real,
                "cloudrecord StartRecord (RecordMode 2)",
                "needs Cloud Recording enabled and storage",
            ),
            row(O::RecordingStop, S::Real, "cloudrecord StopRecord", ""),
            row(
                O::ParticipantList,
                S::Real,
                "DescribeUserList",
                "Marker paging, at most 200 per page, 1 call/s per room",
            ),
            row(
                O::ParticipantKick,
                S::Real,
                "KickoutUser",
                "at most 5 users per call",
            ),
        ],
    };
    Capabilities { vendor, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_every_operation() {
        for v in [Vendor::LiveKit, Vendor::Agora, Vendor::Zego] {
            let t = capabilities(v);
            for op in Operation::ALL {
                assert!(t.get(op).is_some(), "{v} {}", op.as_str());
            }
        }
        assert_eq!(
            capabilities(Vendor::Zego).support(Operation::RoomList),
            Support::Gated
        );
    }
}
