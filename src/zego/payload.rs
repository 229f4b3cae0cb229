//! The `payload` claim: empty (identity token), the privilege ("strict") payload, or raw text.

use serde::{Deserialize, Serialize};

use crate::error::{Error, MalformedCause, Result};
use crate::fields::{Field, Shape};
use crate::json;
use crate::vendor::Vendor;

/// The privilege ("strict") payload of a "user privilege token":
/// `{"room_id":"…","privilege":{"1":0|1,"2":0|1},"stream_id_list":null|["…"]}`.
///
/// Privilege key `"1"` is loginRoom and `"2"` is publishStream. It is serialised compactly with
/// the keys in that order (the style of ZEGO's Node sample and the vectors). The privilege check
/// only takes effect once ZEGO support enables it for the AppID.
///
/// ```
/// use rtcmint::zego::PrivilegePayload;
/// let p = PrivilegePayload::new("room1").publish_stream(true).stream_ids(["stream1"]);
/// assert_eq!(
///     p.to_json(),
///     r#"{"room_id":"room1","privilege":{"1":1,"2":1},"stream_id_list":["stream1"]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PrivilegePayload {
    /// The only room the token may log in to; `""` means no room restriction.
    pub room_id: String,
    /// Privilege `"1"`: may log in to the room.
    pub login_room: bool,
    /// Privilege `"2"`: may publish streams.
    pub publish_stream: bool,
    /// When non-empty, the only stream ids the user may publish; `None` (JSON `null`) means
    /// unrestricted.
    pub stream_id_list: Option<Vec<String>>,
}

impl PrivilegePayload {
    /// A payload for `room_id` that allows logging in and does not allow publishing, with no
    /// stream id restriction. Use the builder methods to change that.
    #[must_use]
    pub fn new(room_id: impl Into<String>) -> Self {
        PrivilegePayload {
            room_id: room_id.into(),
            login_room: true,
            publish_stream: false,
            stream_id_list: None,
        }
    }

    /// Sets the loginRoom privilege (`"1"`).
    #[must_use]
    pub fn login_room(mut self, yes: bool) -> Self {
        self.login_room = yes;
        self
    }

    /// Sets the publishStream privilege (`"2"`).
    #[must_use]
    pub fn publish_stream(mut self, yes: bool) -> Self {
        self.publish_stream = yes;
        self
    }

    /// Restricts publishing to these stream ids.
    #[must_use]
    pub fn stream_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.stream_id_list = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The payload JSON, exactly as it is embedded in the `payload` claim.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out);
        // Only UTF-8 input and ASCII syntax went in, so this cannot fail; stay panic-free anyway.
        String::from_utf8(out).unwrap_or_default()
    }

    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        write_privilege(
            out,
            &self.room_id,
            self.login_room,
            self.publish_stream,
            self.stream_id_list.as_deref(),
        );
    }

    /// Parses a payload string as a privilege payload. Whitespace and key order do not matter
    /// (Python's `json.dumps` style parses too); missing privilege keys count as 0; unknown keys
    /// are ignored; a key written twice in one object is refused (readers disagree on which
    /// one counts).
    ///
    /// # Errors
    /// [`Error::Malformed`] when the text is not JSON, repeats a key, or is not of this shape
    /// (`room_id` a string, privilege values 0 or 1, `stream_id_list` null or an array of
    /// strings).
    pub fn parse(payload: &str) -> Result<Self> {
        // The fast path refuses a repeated key itself (and hands it to serde below).
        if let Some(p) = super::fast::privilege(payload) {
            return Ok(p);
        }
        refuse_duplicate_keys(payload)?;
        Self::parse_with_serde(payload)
    }

    /// Reads a privilege payload a caller hands to a minter, in its wire form
    /// (`{"room_id":"r","privilege":{"1":1,"2":0},"stream_id_list":null}`). Unlike
    /// [`PrivilegePayload::parse`] (the decoder's reading, which tolerates what ZEGO's server
    /// tolerates), a key the payload does not define, at the top or inside `privilege` (only
    /// `"1"` and `"2"` exist), is refused with the closest known key, and so is a key written
    /// twice.
    ///
    /// # Errors
    /// [`Error::UnknownField`] for an unknown key; [`Error::InvalidRequest`] (field `payload`)
    /// for a repeated key or text that is not a privilege payload.
    pub fn from_json(text: &str) -> Result<Self> {
        refuse_duplicate_keys_in_request(text)?;
        let value = crate::fields::object_value(text, Some(Vendor::Zego), "payload")?;
        crate::fields::refuse_unknown(&value, &SHAPE, Some(Vendor::Zego), "privilege payload")?;
        Self::parse_with_serde(text).map_err(as_request)
    }

    /// The payload keys this type does not define (for decoders: kept and listed, not refused).
    pub(crate) fn unknown_keys(payload: &str) -> Vec<crate::fields::UnknownKey> {
        serde_json::from_str::<serde_json::Value>(payload)
            .map(|v| crate::fields::unknown_keys(&v, &SHAPE))
            .unwrap_or_default()
    }

    /// [`PrivilegePayload::parse`] through serde_json only (the general path, and the reference
    /// the fast path is tested against).
    pub(super) fn parse_with_serde(payload: &str) -> Result<Self> {
        let raw: RawPrivilege = serde_json::from_str(payload).map_err(|e| {
            if e.is_data() {
                Error::malformed(
                    Vendor::Zego,
                    MalformedCause::BadClaims,
                    "the payload is JSON but not a privilege payload (`room_id` string, `privilege` object with 0/1 values, `stream_id_list` null or strings)",
                )
            } else {
                Error::malformed(
                    Vendor::Zego,
                    MalformedCause::BadJson,
                    "the payload is not JSON, so it is not a privilege payload",
                )
            }
        })?;
        let flag = |v: Option<u8>| match v {
            None | Some(0) => Ok(false),
            Some(1) => Ok(true),
            Some(_) => Err(Error::malformed(
                Vendor::Zego,
                MalformedCause::BadClaims,
                "privilege values must be 0 or 1",
            )),
        };
        Ok(PrivilegePayload {
            room_id: raw.room_id,
            login_room: flag(raw.privilege.login_room)?,
            publish_stream: flag(raw.privilege.publish_stream)?,
            stream_id_list: raw.stream_id_list,
        })
    }
}

/// A payload that repeats a key in one object is refused: rtcmint, serde_json's `Value` (last
/// wins) and ZEGO's server could each read different privileges from it.
///
/// # Errors
/// [`Error::Malformed`] (decoders) naming the repeated key's path.
pub(crate) fn refuse_duplicate_keys(payload: &str) -> Result<()> {
    match duplicate_key_reason(payload) {
        None => Ok(()),
        Some(reason) => Err(Error::malformed(
            Vendor::Zego,
            MalformedCause::BadClaims,
            format!("the payload {reason}"),
        )),
    }
}

/// As [`refuse_duplicate_keys`], for a payload handed to a minter: [`Error::InvalidRequest`]
/// (field `payload`).
pub(crate) fn refuse_duplicate_keys_in_request(payload: &str) -> Result<()> {
    match duplicate_key_reason(payload) {
        None => Ok(()),
        Some(reason) => Err(Error::request(Vendor::Zego, "payload", reason)),
    }
}

fn duplicate_key_reason(payload: &str) -> Option<String> {
    json::unique::duplicate_key(payload).map(|path| {
        format!(
            "has the key `{path}` twice; readers disagree on which one counts, so it is refused"
        )
    })
}

/// A decoder's refusal as a minter's: the request field `payload`.
fn as_request(e: Error) -> Error {
    match e {
        Error::Malformed { reason, .. } => Error::request(Vendor::Zego, "payload", reason),
        other => other,
    }
}

static FLAGS: Shape = Shape::Object(&[Field::leaf("1"), Field::leaf("2")]);

/// The keys of the wire form.
static SHAPE: Shape = Shape::Object(&[
    Field::leaf("room_id"),
    Field::nested("privilege", None, &FLAGS),
    Field::leaf("stream_id_list"),
]);

/// The wire shape of a privilege payload, for parsing (unknown keys are ignored).
#[derive(Deserialize)]
struct RawPrivilege {
    room_id: String,
    privilege: RawFlags,
    #[serde(default)]
    stream_id_list: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawFlags {
    #[serde(rename = "1", default)]
    login_room: Option<u8>,
    #[serde(rename = "2", default)]
    publish_stream: Option<u8>,
}

/// Appends a privilege payload JSON from borrowed parts (no intermediate strings).
pub(crate) fn write_privilege<S: AsRef<str>>(
    out: &mut Vec<u8>,
    room_id: &str,
    login_room: bool,
    publish_stream: bool,
    stream_id_list: Option<&[S]>,
) {
    out.extend_from_slice(b"{\"room_id\":");
    json::write_str(out, room_id.as_bytes());
    out.extend_from_slice(b",\"privilege\":{\"1\":");
    out.push(if login_room { b'1' } else { b'0' });
    out.extend_from_slice(b",\"2\":");
    out.push(if publish_stream { b'1' } else { b'0' });
    out.extend_from_slice(b"},\"stream_id_list\":");
    match stream_id_list {
        None => out.extend_from_slice(b"null"),
        Some(ids) => {
            out.push(b'[');
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json::write_str(out, id.as_ref().as_bytes());
            }
            out.push(b']');
        }
    }
    out.push(b'}');
}

/// The `payload` claim of a token to mint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// `""`: a plain "user identity token" (what ZIM and most apps use).
    #[default]
    Identity,
    /// A "user privilege token" with the typed privilege payload.
    Privilege(PrivilegePayload),
    /// Any other payload string, embedded verbatim (ZEGO rejects non-JSON payloads at login with
    /// error 1002075 — use [`Payload::raw_json`] to check). Minting refuses only JSON that
    /// repeats a key in one object, which the decoder refuses too.
    Raw(String),
}

impl Payload {
    /// A raw payload that must be valid JSON, without a key written twice in one object.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] (field `payload`) when `text` is not JSON or repeats a key.
    pub fn raw_json(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        refuse_duplicate_keys_in_request(&text)?;
        serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|_| {
            Error::request(
                Vendor::Zego,
                "payload",
                "must be a JSON document (ZEGO rejects non-JSON payloads with error 1002075)",
            )
        })?;
        Ok(Payload::Raw(text))
    }
}

impl From<PrivilegePayload> for Payload {
    fn from(p: PrivilegePayload) -> Self {
        Payload::Privilege(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_styles() {
        assert_eq!(
            PrivilegePayload::new("room1").to_json(),
            r#"{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}"#
        );
        let p = PrivilegePayload::new("房间1")
            .publish_stream(true)
            .stream_ids(["流1", "流2"]);
        assert_eq!(
            p.to_json(),
            r#"{"room_id":"房间1","privilege":{"1":1,"2":1},"stream_id_list":["流1","流2"]}"#
        );
        assert_eq!(PrivilegePayload::parse(&p.to_json()).unwrap(), p);
        let py = r#"{"room_id": "\u623f\u95f41", "privilege": {"1": 1, "2": 1}, "stream_id_list": ["s1"]}"#;
        assert_eq!(
            PrivilegePayload::parse(py).unwrap(),
            PrivilegePayload::new("房间1")
                .publish_stream(true)
                .stream_ids(["s1"])
        );
        assert!(PrivilegePayload::parse("hello world").is_err());
        assert!(Payload::raw_json("hello").is_err());
        assert!(Payload::raw_json("{}").is_ok());
    }

    #[test]
    fn from_json_refuses_unknown_keys() {
        let ok = PrivilegePayload::from_json(
            r#"{"room_id":"r","privilege":{"1":1,"2":1},"stream_id_list":null}"#,
        )
        .unwrap();
        assert_eq!(ok, PrivilegePayload::new("r").publish_stream(true));
        for (text, path, closest) in [
            (
                r#"{"room_id":"r","privilege":{"1":1,"3":1}}"#,
                "privilege.3",
                "1",
            ),
            (r#"{"room":"r","privilege":{}}"#, "room", "room_id"),
            (
                r#"{"room_id":"r","privilege":{},"stream_ids":[]}"#,
                "stream_ids",
                "stream_id_list",
            ),
        ] {
            let e = PrivilegePayload::from_json(text).unwrap_err();
            assert!(
                matches!(&e, Error::UnknownField { path: p, closest: Some(c), .. } if p == path && *c == closest),
                "{text}: {e:?}"
            );
            // The decoder's reading keeps tolerating them.
            assert!(
                PrivilegePayload::parse(text).is_ok() || path == "room",
                "{text}"
            );
        }
        assert!(matches!(
            PrivilegePayload::from_json(r#"{"room_id":"r","privilege":{"1":2}}"#),
            Err(Error::InvalidRequest {
                field: "payload",
                ..
            })
        ));
    }
}
