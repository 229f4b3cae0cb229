//! Batch minting: one JSON token request per line in, one JSON result per line out.
//!
//! The request schema is the neutral [`TokenRequest`] plus a `vendor` tag and an optional `id`
//! that is echoed back:
//!
//! ```json
//! {"vendor":"livekit","identity":"alice","room":"my-room","ttl":600}
//! {"id":7,"vendor":"zego","identity":"bob","room":"r1","can_publish":false}
//! ```
//!
//! Fields: `vendor` (`livekit`, `agora`, `zego`; required), `identity` (required), `room`,
//! `display_name`, `ttl` (seconds, or a string such as `"10m"`; default 6 h), `can_publish`,
//! `can_subscribe`, `can_publish_data` (default `true`), `is_admin` (default `false`),
//! `metadata` (a JSON object), `issued_at` (Unix seconds), `id` (any JSON value). Unknown fields
//! are refused, so a typo does not silently mint a different token.
//!
//! Each result line carries the 1-based input line number:
//!
//! ```json
//! {"line":1,"ok":true,"vendor":"livekit","token":"eyJ…","identity":"alice","room":"my-room","issued_at":1767225600,"expires_at":1767226200}
//! {"line":2,"id":7,"ok":false,"error":"zego tokens cannot express `display_name`: …"}
//! ```

use std::cell::RefCell;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use crate::duration::parse_duration;
use crate::error::{Error, Result};
use crate::json;
use crate::minter::{DEFAULT_TTL, TokenMinter, TokenRequest};
use crate::vendor::Vendor;

/// One parsed request line.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchRequest {
    /// The caller's correlation id, echoed in the result.
    pub id: Option<serde_json::Value>,
    /// The vendor to mint for.
    pub vendor: Vendor,
    /// The neutral request.
    pub request: TokenRequest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    id: Option<serde_json::Value>,
    vendor: String,
    identity: String,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "ttl")]
    ttl: Option<Duration>,
    #[serde(default)]
    can_publish: Option<bool>,
    #[serde(default)]
    can_subscribe: Option<bool>,
    #[serde(default)]
    can_publish_data: Option<bool>,
    #[serde(default)]
    is_admin: Option<bool>,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    issued_at: Option<i64>,
}

fn ttl<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Duration>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Option<Duration>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(
                "a ttl: whole seconds (a non-negative integer) or a duration such as \"10m\"",
            )
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(Duration::from_secs(v)))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            u64::try_from(v)
                .map(|s| Some(Duration::from_secs(s)))
                .map_err(|_| E::custom(format!("ttl must not be negative, got {v}")))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            parse_duration(v).map(Some).map_err(E::custom)
        }
    }
    d.deserialize_any(V)
}

/// Parses a vendor name (`livekit`, `agora`, `zego`; case-insensitive).
///
/// # Errors
/// [`Error::InvalidInput`] for any other name.
pub fn parse_vendor(name: &str) -> Result<Vendor> {
    name.parse().map_err(Error::from)
}

/// Parses one request line.
///
/// # Errors
/// [`Error::InvalidInput`] for a line that is not a JSON object of the schema above.
pub fn parse_line(line: &str) -> Result<BatchRequest> {
    let l: Line = serde_json::from_str(line).map_err(|e| Error::InvalidInput {
        what: "batch request",
        reason: e.to_string().into(),
    })?;
    let vendor = parse_vendor(&l.vendor)?;
    let mut request = TokenRequest::new(l.identity);
    request.room = l.room;
    request.display_name = l.display_name;
    request.ttl = l.ttl.unwrap_or(DEFAULT_TTL);
    request.can_publish = l.can_publish.unwrap_or(true);
    request.can_subscribe = l.can_subscribe.unwrap_or(true);
    request.can_publish_data = l.can_publish_data.unwrap_or(true);
    request.is_admin = l.is_admin.unwrap_or(false);
    request.metadata = l.metadata;
    request.issued_at = l.issued_at;
    Ok(BatchRequest {
        id: l.id,
        vendor,
        request,
    })
}

/// The minters a batch run may use, one per vendor.
#[derive(Default)]
pub struct MinterSet {
    livekit: Option<Box<dyn TokenMinter>>,
    agora: Option<Box<dyn TokenMinter>>,
    zego: Option<Box<dyn TokenMinter>>,
}

impl std::fmt::Debug for MinterSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinterSet")
            .field("livekit", &self.livekit.is_some())
            .field("agora", &self.agora.is_some())
            .field("zego", &self.zego.is_some())
            .finish()
    }
}

#[derive(Serialize)]
struct Failure<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a serde_json::Value>,
    ok: bool,
    error: String,
}

impl MinterSet {
    /// An empty set: every line fails until minters are added.
    #[must_use]
    pub fn new() -> Self {
        MinterSet::default()
    }

    /// Adds (or replaces) the minter for its vendor.
    #[must_use]
    pub fn with(mut self, minter: Box<dyn TokenMinter>) -> Self {
        match minter.vendor() {
            Vendor::LiveKit => self.livekit = Some(minter),
            Vendor::Agora => self.agora = Some(minter),
            Vendor::Zego => self.zego = Some(minter),
        }
        self
    }

    /// The minter for `vendor`, if configured.
    #[must_use]
    pub fn get(&self, vendor: Vendor) -> Option<&dyn TokenMinter> {
        match vendor {
            Vendor::LiveKit => self.livekit.as_deref(),
            Vendor::Agora => self.agora.as_deref(),
            Vendor::Zego => self.zego.as_deref(),
        }
    }

    /// Processes one input line (`line_no` is 1-based) and appends exactly one JSON result line
    /// (with its `\n`) to `out`. Returns whether a token was minted.
    pub fn process_line(&self, line_no: usize, line: &str, out: &mut Vec<u8>) -> bool {
        let parsed = parse_line(line);
        let id = parsed.as_ref().ok().and_then(|r| r.id.as_ref());
        // The token goes into a reused per-thread buffer, and the success record is written by
        // hand (the same bytes serde_json writes for `Success`): no allocation per line.
        TOKEN.with_borrow_mut(|token| {
            token.clear();
            let minted = parsed.as_ref().map_err(Clone::clone).and_then(|r| {
                let minter = self.get(r.vendor).ok_or_else(|| Error::InvalidInput {
                    what: "batch request",
                    reason: format!(
                        "no credentials were given for {}; pass them to the batch command",
                        r.vendor
                    )
                    .into(),
                })?;
                minter.mint_into(&r.request, token).map(|times| (r, times))
            });
            let ok = match minted {
                Ok((r, times)) => {
                    write_success(
                        out,
                        line_no,
                        id,
                        r,
                        token,
                        times.issued_at,
                        times.expires_at,
                    );
                    true
                }
                Err(e) => {
                    // Serialising this borrowed record cannot fail: every map key is a string.
                    let _ = serde_json::to_writer(
                        &mut *out,
                        &Failure {
                            line: line_no,
                            id,
                            ok: false,
                            error: e.to_string(),
                        },
                    );
                    false
                }
            };
            out.push(b'\n');
            ok
        })
    }
}

thread_local! {
    static TOKEN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes the success record: the fields and bytes of serde_json's `Success` serialisation.
fn write_success(
    out: &mut Vec<u8>,
    line_no: usize,
    id: Option<&serde_json::Value>,
    r: &BatchRequest,
    token: &str,
    issued_at: i64,
    expires_at: i64,
) {
    out.extend_from_slice(b"{\"line\":");
    json::write_u64(out, line_no as u64);
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        // A `Value` always serialises (its map keys are strings).
        let _ = serde_json::to_writer(&mut *out, id);
    }
    out.extend_from_slice(b",\"ok\":true,\"vendor\":");
    json::write_str(out, r.vendor.as_str().as_bytes());
    out.extend_from_slice(b",\"token\":");
    json::write_str(out, token.as_bytes());
    out.extend_from_slice(b",\"identity\":");
    json::write_str(out, r.request.identity.as_bytes());
    out.extend_from_slice(b",\"room\":");
    match &r.request.room {
        Some(room) => json::write_str(out, room.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"issued_at\":");
    json::write_i64(out, issued_at);
    out.extend_from_slice(b",\"expires_at\":");
    json::write_i64(out, expires_at);
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_examples() {
        let r = parse_line(r#"{"vendor":"livekit","identity":"alice","room":"my-room","ttl":600}"#)
            .unwrap();
        assert_eq!(r.vendor, Vendor::LiveKit);
        assert_eq!(
            r.request,
            TokenRequest::new("alice")
                .room("my-room")
                .ttl(Duration::from_secs(600))
        );
        let r = parse_line(
            r#"{"id":7,"vendor":"zego","identity":"bob","room":"r1","can_publish":false,"ttl":"10m"}"#,
        )
        .unwrap();
        assert_eq!(r.id, Some(serde_json::json!(7)));
        assert!(!r.request.can_publish);
        assert_eq!(r.request.ttl, Duration::from_secs(600));
    }

    #[test]
    fn refuses_bad_lines() {
        for bad in [
            "",
            "{",
            "[]",
            r#"{"identity":"a"}"#,
            r#"{"vendor":"twilio","identity":"a"}"#,
            r#"{"vendor":"livekit","identity":"a","roomm":"typo"}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":"forever"}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":-1}"#,
            r#"{"vendor":"livekit","identity":"a","metadata":"not an object"}"#,
        ] {
            assert!(
                matches!(parse_line(bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bad_line_gives_an_error_record() {
        let set = MinterSet::new();
        let mut out = Vec::new();
        assert!(!set.process_line(3, r#"{"id":"x","vendor":"agora","identity":"a"}"#, &mut out));
        assert!(!set.process_line(4, "garbage", &mut out));
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["line"], 3);
        assert_eq!(lines[0]["id"], "x");
        assert_eq!(lines[0]["ok"], false);
        assert!(
            lines[0]["error"]
                .as_str()
                .unwrap()
                .contains("no credentials")
        );
        assert_eq!(lines[1]["line"], 4);
    }

    #[derive(Serialize)]
    struct Success<'a> {
        line: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a serde_json::Value>,
        ok: bool,
        vendor: &'static str,
        token: &'a str,
        identity: &'a str,
        room: Option<&'a str>,
        issued_at: i64,
        expires_at: i64,
    }

    #[test]
    fn success_records_are_serde_json_bytes() {
        let minted = TokenRequest::new("a\"li\u{1}cé");
        for (id, room) in [
            (None, None),
            (Some(serde_json::json!(7)), Some("r\\oom")),
            (Some(serde_json::json!({"k": [1, "x\n"]})), Some("")),
        ] {
            let mut request = minted.clone();
            request.room = room.map(str::to_owned);
            let r = BatchRequest {
                id: id.clone(),
                vendor: Vendor::Zego,
                request,
            };
            let mut ours = Vec::new();
            write_success(
                &mut ours,
                12,
                r.id.as_ref(),
                &r,
                "04AAB+/=",
                -1,
                1_767_225_600,
            );
            let theirs = serde_json::to_vec(&Success {
                line: 12,
                id: r.id.as_ref(),
                ok: true,
                vendor: "zego",
                token: "04AAB+/=",
                identity: &r.request.identity,
                room: r.request.room.as_deref(),
                issued_at: -1,
                expires_at: 1_767_225_600,
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
