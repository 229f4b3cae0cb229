//! The gateway's identifiers: room ids that carry vendor and name (so token.issue needs no
//! database), and recording ids that carry everything stop needs.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::remote::{Recording, RecordingId};
use crate::vendor::Vendor;

/// The longest room name accepted (LiveKit's limit; Agora's and ZEGO's are shorter and checked
/// by their minters and clients).
pub const MAX_ROOM_NAME: usize = 256;

/// A room id: `r1.<vendor>.<base64url(name)>`, URL-safe, versioned (`r1`), opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoomId {
    /// The vendor.
    pub vendor: Vendor,
    /// The room name at the vendor.
    pub name: String,
}

/// Why an id could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError(pub &'static str);

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for IdError {}

fn vendor_code(v: Vendor) -> &'static str {
    v.as_str()
}

fn vendor_from_code(s: &str) -> Option<Vendor> {
    match s {
        "livekit" => Some(Vendor::LiveKit),
        "agora" => Some(Vendor::Agora),
        "zego" => Some(Vendor::Zego),
        _ => None,
    }
}

impl RoomId {
    /// The id of room `name` at `vendor`.
    #[must_use]
    pub fn new(vendor: Vendor, name: impl Into<String>) -> Self {
        RoomId {
            vendor,
            name: name.into(),
        }
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "r1.{}.{}",
            vendor_code(self.vendor),
            URL_SAFE_NO_PAD.encode(self.name.as_bytes())
        )
    }
}

impl FromStr for RoomId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const BAD: IdError = IdError(
            "not a room id of this gateway: pass the `room` that room.create returned (r1.VENDOR.NAME)",
        );
        if s.len() > 16 + MAX_ROOM_NAME * 4 / 3 + 4 {
            return Err(IdError("room id too long"));
        }
        let rest = s.strip_prefix("r1.").ok_or(BAD)?;
        let (vendor, name) = rest.split_once('.').ok_or(BAD)?;
        let vendor = vendor_from_code(vendor).ok_or(IdError(
            "room id names an unknown vendor (livekit, agora, zego)",
        ))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(name)
            .map_err(|_| IdError("room id: the name part is not base64url"))?;
        let name = String::from_utf8(bytes).map_err(|_| IdError("room id: name is not UTF-8"))?;
        if name.is_empty() {
            return Err(IdError("room id: empty name"));
        }
        // Canonical form only, so one room has one id.
        if URL_SAFE_NO_PAD.encode(name.as_bytes()) != name_part(s) {
            return Err(BAD);
        }
        Ok(RoomId { vendor, name })
    }
}

fn name_part(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or_default()
}

/// The recording id of a started recording: `remote`'s [`RecordingId`], everything stop needs.
///
/// This and [`parse_recording_id`] are the only places the gateway touches the id's format.
#[must_use]
pub fn recording_id(recording: &Recording) -> String {
    recording.recording.to_string()
}

/// The recording id in a path.
///
/// # Errors
/// The parser's message, naming what is wrong.
pub fn parse_recording_id(id: &str) -> Result<RecordingId, String> {
    id.parse::<RecordingId>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_round_trip_and_are_canonical() {
        for (v, n) in [
            (Vendor::LiveKit, "standup"),
            (Vendor::Agora, "a b/c?d"),
            (Vendor::Zego, "ünï"),
        ] {
            let id = RoomId::new(v, n);
            let s = id.to_string();
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            );
            assert_eq!(s.parse::<RoomId>().unwrap(), id);
        }
        assert!("standup".parse::<RoomId>().is_err());
        assert!("r1.nope.YQ".parse::<RoomId>().is_err());
        assert!("r1.livekit.".parse::<RoomId>().is_err());
        assert!("r1.livekit.YR".parse::<RoomId>().is_err(), "non-canonical");
    }
}
