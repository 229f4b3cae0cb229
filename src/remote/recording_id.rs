//! Recording ids: one opaque, versioned, URL-safe string holding everything stop needs.
//!
//! A [`RecordingId`] is what [`RoomService::start_recording`](super::RoomService::start_recording)
//! returns and [`RoomService::stop_recording`](super::RoomService::stop_recording) takes. It
//! names the vendor and carries the vendor's identifiers ([`RecordingHandle`]), so a process
//! that has only the string can stop a recording another process started.
//!
//! Text form, version 1: `rec1.<vendor>.<payload>`, where `<vendor>` is `livekit`, `agora` or
//! `zego` and `<payload>` is unpadded base64url of a compact JSON array of the handle's strings
//! (LiveKit `[egress_id]`; Agora `[resource_id, sid, mode, cname, uid]`; ZEGO
//! `[task_id, room]`). Every character is in `[A-Za-z0-9._-]`, so the id can sit in a URL path
//! segment unescaped. Treat the payload as opaque: parsing accepts only the canonical form this
//! crate writes, and a later version may change it (the `rec1` prefix says which one it is).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::Vendor;

/// The longest accepted recording id, in bytes.
pub const MAX_RECORDING_ID_LEN: usize = 2048;

/// The longest accepted field of a handle, in bytes.
const MAX_FIELD_LEN: usize = 512;

const PREFIX: &str = "rec1";

/// The vendor's identifiers of a recording: the decoded form of a [`RecordingId`].
///
/// Serialises with a `vendor` tag spelled `livekit`, `agora` or `zego`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "vendor", deny_unknown_fields)]
#[non_exhaustive]
pub enum RecordingHandle {
    /// A LiveKit egress.
    #[serde(rename = "livekit")]
    LiveKit {
        /// `EG_…`.
        egress_id: String,
    },
    /// An Agora Cloud Recording session: stop needs all five values.
    #[serde(rename = "agora")]
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
    #[serde(rename = "zego")]
    Zego {
        /// The `TaskId`.
        task_id: String,
        /// The room recorded (ZEGO's `StopRecord` answer does not name it).
        room: String,
    },
}

/// `vendor()` for an enum with one variant per vendor, named as the vendor (`LiveKit`, `Agora`,
/// `Zego`): [`RecordingHandle`] and [`RecordingRecovery`].
macro_rules! vendor_of_variant {
    ($ty:ident) => {
        impl $ty {
            /// The vendor.
            #[must_use]
            pub const fn vendor(&self) -> Vendor {
                match self {
                    $ty::LiveKit { .. } => Vendor::LiveKit,
                    $ty::Agora { .. } => Vendor::Agora,
                    $ty::Zego { .. } => Vendor::Zego,
                }
            }
        }
    };
}

vendor_of_variant!(RecordingHandle);
vendor_of_variant!(RecordingRecovery);

impl RecordingHandle {
    /// The room or channel recorded, when the handle names it (Agora, ZEGO).
    #[must_use]
    pub fn room(&self) -> Option<&str> {
        match self {
            RecordingHandle::LiveKit { .. } => None,
            RecordingHandle::Agora { cname, .. } => Some(cname),
            RecordingHandle::Zego { room, .. } => Some(room),
        }
    }

    fn fields(&self) -> Vec<&str> {
        match self {
            RecordingHandle::LiveKit { egress_id } => vec![egress_id],
            RecordingHandle::Agora {
                resource_id,
                sid,
                mode,
                cname,
                uid,
            } => vec![resource_id, sid, mode, cname, uid],
            RecordingHandle::Zego { task_id, room } => vec![task_id, room],
        }
    }

    fn from_fields(vendor: Vendor, fields: Vec<String>) -> Result<Self, ParseRecordingIdError> {
        let wrong = |n: usize| {
            ParseRecordingIdError::new(format!(
                "a {vendor} recording id holds {n} field(s), this one holds {}",
                fields.len()
            ))
        };
        let handle = match vendor {
            Vendor::LiveKit => {
                let [egress_id] = <[String; 1]>::try_from(fields.clone()).map_err(|_| wrong(1))?;
                RecordingHandle::LiveKit { egress_id }
            }
            Vendor::Agora => {
                let [resource_id, sid, mode, cname, uid] =
                    <[String; 5]>::try_from(fields.clone()).map_err(|_| wrong(5))?;
                RecordingHandle::Agora {
                    resource_id,
                    sid,
                    mode,
                    cname,
                    uid,
                }
            }
            Vendor::Zego => {
                let [task_id, room] =
                    <[String; 2]>::try_from(fields.clone()).map_err(|_| wrong(2))?;
                RecordingHandle::Zego { task_id, room }
            }
        };
        Ok(handle)
    }

    /// Checks what a handle must hold to be stoppable.
    fn validate(&self) -> Result<(), ParseRecordingIdError> {
        for f in self.fields() {
            if f.is_empty() {
                return Err(ParseRecordingIdError::new("a recording id field is empty"));
            }
            if f.len() > MAX_FIELD_LEN {
                return Err(ParseRecordingIdError::new(format!(
                    "a recording id field is longer than {MAX_FIELD_LEN} bytes"
                )));
            }
        }
        if let RecordingHandle::Agora { mode, uid, .. } = self {
            if !matches!(mode.as_str(), "mix" | "individual" | "web") {
                return Err(ParseRecordingIdError::new(
                    "the Agora recording mode must be mix, individual or web",
                ));
            }
            let canonical = uid
                .parse::<u32>()
                .ok()
                .filter(|u| *u != 0 && u.to_string() == *uid);
            if canonical.is_none() {
                return Err(ParseRecordingIdError::new(
                    "the Agora recorder uid must be a decimal number from 1 to 4294967295",
                ));
            }
        }
        Ok(())
    }
}

/// A recording id: the opaque, versioned, URL-safe string of a [`RecordingHandle`].
/// `Display` writes it, `FromStr` and `Deserialize` read it back (strictly: only the canonical
/// form round-trips), `Serialize` writes the string.
///
/// Text form, version 1: `rec1.<vendor>.<payload>`, where `<vendor>` is `livekit`, `agora` or
/// `zego` and `<payload>` is unpadded base64url of a compact JSON array of the handle's strings
/// (LiveKit `[egress_id]`; Agora `[resource_id, sid, mode, cname, uid]`; ZEGO
/// `[task_id, room]`). Every character is in `[A-Za-z0-9._-]`, so the id can sit in a URL path
/// segment unescaped. Treat the payload as opaque; the `rec1` prefix names the version.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RecordingId {
    handle: RecordingHandle,
    text: String,
}

impl RecordingId {
    /// The id of `handle`.
    ///
    /// # Errors
    /// [`ParseRecordingIdError`] when a field is empty or longer than 512 bytes, an Agora mode
    /// is not `mix`/`individual`/`web`, an Agora uid is not a decimal `u32` other than 0, or the
    /// id would exceed [`MAX_RECORDING_ID_LEN`].
    pub fn new(handle: RecordingHandle) -> Result<Self, ParseRecordingIdError> {
        handle.validate()?;
        let json = serde_json::to_string(&handle.fields())
            .map_err(|e| ParseRecordingIdError::new(format!("cannot encode the handle: {e}")))?;
        let text = format!(
            "{PREFIX}.{}.{}",
            handle.vendor().as_str(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.as_bytes())
        );
        if text.len() > MAX_RECORDING_ID_LEN {
            return Err(ParseRecordingIdError::new(format!(
                "the recording id would be longer than {MAX_RECORDING_ID_LEN} bytes"
            )));
        }
        Ok(RecordingId { handle, text })
    }

    /// The vendor that holds the recording.
    #[must_use]
    pub const fn vendor(&self) -> Vendor {
        self.handle.vendor()
    }

    /// The vendor's identifiers.
    #[must_use]
    pub fn handle(&self) -> &RecordingHandle {
        &self.handle
    }

    /// The id as text (the same as `to_string()`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for RecordingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for RecordingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RecordingId").field(&self.text).finish()
    }
}

impl FromStr for RecordingId {
    type Err = ParseRecordingIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_RECORDING_ID_LEN {
            return Err(ParseRecordingIdError::new(format!(
                "a recording id is at most {MAX_RECORDING_ID_LEN} bytes"
            )));
        }
        let mut parts = s.splitn(3, '.');
        let (Some(version), Some(vendor), Some(payload)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseRecordingIdError::new(
                "a recording id reads rec1.<vendor>.<payload>",
            ));
        };
        if version != PREFIX {
            return Err(ParseRecordingIdError::new(
                match version.strip_prefix("rec") {
                    Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => format!(
                        "recording id version {v} is not supported (this rtcmint reads version 1)"
                    ),
                    _ => "not a recording id: it must start with rec1.".to_owned(),
                },
            ));
        }
        let vendor: Vendor = match vendor {
            "livekit" => Vendor::LiveKit,
            "agora" => Vendor::Agora,
            "zego" => Vendor::Zego,
            _ => {
                return Err(ParseRecordingIdError::new(
                    "the recording id's vendor must be livekit, agora or zego",
                ));
            }
        };
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| {
                ParseRecordingIdError::new("the recording id's payload is not unpadded base64url")
            })?;
        let fields: Vec<String> = serde_json::from_slice(&json).map_err(|_| {
            ParseRecordingIdError::new("the recording id's payload is not a list of strings")
        })?;
        let id = RecordingId::new(RecordingHandle::from_fields(vendor, fields)?)?;
        if id.text != s {
            return Err(ParseRecordingIdError::new(
                "the recording id is not in canonical form (it was not written by rtcmint)",
            ));
        }
        Ok(id)
    }
}

impl Serialize for RecordingId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for RecordingId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl TryFrom<RecordingHandle> for RecordingId {
    type Error = ParseRecordingIdError;

    fn try_from(handle: RecordingHandle) -> Result<Self, Self::Error> {
        RecordingId::new(handle)
    }
}

/// Why a string is not a [`RecordingId`] (or a handle cannot become one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRecordingIdError {
    reason: String,
}

impl ParseRecordingIdError {
    fn new(reason: impl Into<String>) -> Self {
        ParseRecordingIdError {
            reason: reason.into(),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ParseRecordingIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid recording id: {}", self.reason)
    }
}

impl std::error::Error for ParseRecordingIdError {}

/// What is known about a recording start whose outcome is unknown: enough to find it and stop
/// it (carried by [`RemoteError::OutcomeUnknown`](super::RemoteError::OutcomeUnknown)).
///
/// Serialises with a `vendor` tag spelled `livekit`, `agora` or `zego`. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "vendor", deny_unknown_fields)]
#[non_exhaustive]
pub enum RecordingRecovery {
    /// LiveKit: the egress may have started.
    #[serde(rename = "livekit")]
    LiveKit {
        /// The room.
        room: String,
        /// The `X-Livekit-Request-Id` every attempt carried. Repeating the start with the same
        /// idempotency key sends the same id again, and livekit-server answers with the egress
        /// it started rather than a second one.
        request_id: String,
    },
    /// Agora: the session may be running.
    #[serde(rename = "agora")]
    Agora {
        /// The channel.
        cname: String,
        /// The recorder uid (decimal): a recording instance is (app, channel, uid).
        uid: String,
        /// The recording mode.
        mode: String,
        /// The resource id `start` was called with.
        resource_id: String,
        /// The session id, when Agora named it: then [`RecordingRecovery::recording_id`] is
        /// the id to stop (or query) it with.
        sid: Option<String>,
    },
    /// ZEGO: the task may have started.
    #[serde(rename = "zego")]
    Zego {
        /// The room.
        room: String,
    },
}

impl RecordingRecovery {
    /// The id to stop the recording with, when everything stop needs is known (Agora, once the
    /// sid is known).
    #[must_use]
    pub fn recording_id(&self) -> Option<RecordingId> {
        match self {
            RecordingRecovery::Agora {
                cname,
                uid,
                mode,
                resource_id,
                sid: Some(sid),
            } => RecordingId::new(RecordingHandle::Agora {
                resource_id: resource_id.clone(),
                sid: sid.clone(),
                mode: mode.clone(),
                cname: cname.clone(),
                uid: uid.clone(),
            })
            .ok(),
            _ => None,
        }
    }

    /// What to do, in one sentence.
    #[must_use]
    pub fn hint(&self) -> String {
        match self {
            RecordingRecovery::LiveKit { room, request_id } => format!(
                "repeat the start with the same idempotency key (it resends X-Livekit-Request-Id {request_id}, which livekit-server answers with the egress it already started), or list the egresses of room {room:?} (Egress/ListEgress) and stop the one you do not want"
            ),
            RecordingRecovery::Agora {
                cname,
                uid,
                resource_id,
                sid: Some(_),
                ..
            } => format!(
                "query or stop it with the recording id in this error (channel {cname:?}, recorder uid {uid}, resource id {resource_id})"
            ),
            RecordingRecovery::Agora { cname, uid, .. } => format!(
                "a recording of channel {cname:?} by recorder uid {uid} may be running: repeat the start with the same idempotency key (same uid: Agora refuses a second instance and names the running one when it can), or remove uid {uid} from the channel with a kicking rule; it also stops by itself after the max idle time once the channel is empty"
            ),
            RecordingRecovery::Zego { room } => format!(
                "a ZEGO recording task of room {room:?} may be running and ZEGO has no idempotency: look it up (DescribeTaskList or the ZEGO console) before starting again"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agora() -> RecordingHandle {
        RecordingHandle::Agora {
            resource_id: "RID-abc_1".into(),
            sid: "SID9".into(),
            mode: "mix".into(),
            cname: "stand up/ü".into(),
            uid: "1234567890".into(),
        }
    }

    #[test]
    fn round_trips_and_is_url_safe() {
        for h in [
            RecordingHandle::LiveKit {
                egress_id: "EG_x1".into(),
            },
            agora(),
            RecordingHandle::Zego {
                task_id: "abc0000000000001".into(),
                room: "r".into(),
            },
        ] {
            let id = RecordingId::new(h.clone()).unwrap();
            let text = id.to_string();
            assert!(text.starts_with(&format!("rec1.{}.", h.vendor())), "{text}");
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
                "{text}"
            );
            let back: RecordingId = text.parse().unwrap();
            assert_eq!(back.handle(), &h);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<RecordingId>(&json).unwrap(), id);
        }
    }

    #[test]
    fn handle_tags_are_vendor_names() {
        let v = serde_json::to_value(agora()).unwrap();
        assert_eq!(v["vendor"], "agora");
        let lk = serde_json::to_value(RecordingHandle::LiveKit {
            egress_id: "EG_1".into(),
        })
        .unwrap();
        assert_eq!(lk["vendor"], "livekit");
        let back: RecordingHandle = serde_json::from_value(v).unwrap();
        assert_eq!(back, agora());
        assert!(
            serde_json::from_str::<RecordingHandle>(
                r#"{"vendor":"livekit","egress_id":"EG_1","x":1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn refuses_bad_ids() {
        let good = RecordingId::new(agora()).unwrap().to_string();
        let payload = good.rsplit('.').next().unwrap().to_owned();
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        for (bad, why) in [
            ("", "rec1.<vendor>"),
            ("rec2.agora.x", "version 2"),
            ("foo.agora.x", "start with rec1"),
            ("rec1.twilio.x", "vendor"),
            (&format!("rec1.agora.{payload}="), "base64url"),
            (&format!("rec1.agora.{}", b64("{}")), "list of strings"),
            (&format!("rec1.livekit.{payload}"), "holds 1 field"),
            (&format!("rec1.zego.{}", b64(r#"["",""]"#)), "empty"),
            (
                &format!("rec1.agora.{}", b64(r#"["r","s","audio","c","1"]"#)),
                "mode",
            ),
            (
                &format!("rec1.agora.{}", b64(r#"["r","s","mix","c","01"]"#)),
                "uid",
            ),
            (
                &format!("rec1.agora.{}", b64(r#"["r","s","mix","c","0"]"#)),
                "uid",
            ),
            (
                &format!("rec1.livekit.{}", b64(r#"[ "EG_1"]"#)),
                "canonical",
            ),
            (&"a".repeat(MAX_RECORDING_ID_LEN + 1), "at most"),
        ] {
            let e = bad.parse::<RecordingId>().unwrap_err();
            assert!(e.to_string().contains(why), "{bad:?}: {e}");
        }
        assert!(
            RecordingId::new(RecordingHandle::LiveKit {
                egress_id: "x".repeat(MAX_FIELD_LEN + 1)
            })
            .is_err()
        );
    }

    #[test]
    fn recovery_gives_an_id_once_the_sid_is_known() {
        let mut r = RecordingRecovery::Agora {
            cname: "c".into(),
            uid: "1000000001".into(),
            mode: "mix".into(),
            resource_id: "RID".into(),
            sid: None,
        };
        assert!(r.recording_id().is_none());
        assert!(r.hint().contains("1000000001"));
        if let RecordingRecovery::Agora { sid, .. } = &mut r {
            *sid = Some("SID".into());
        }
        let id = r.recording_id().unwrap();
        assert_eq!(id.vendor(), Vendor::Agora);
        assert_eq!(serde_json::to_value(&r).unwrap()["vendor"], "agora");
    }
}
