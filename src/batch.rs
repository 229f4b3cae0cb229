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
//! are refused, so a typo does not silently mint a different token. A line is at most
//! [`MAX_LINE_BYTES`]; blank lines are skipped (and counted).
//!
//! Each result line carries the 1-based input line number. A failure record keeps the line's
//! `id` (also when the line is not valid JSON, as far as it parses), its `vendor` when it names a
//! known one, and a machine-readable `kind` ([`FailureKind`]) beside the message:
//!
//! ```json
//! {"line":1,"ok":true,"vendor":"livekit","token":"eyJ…","identity":"alice","room":"my-room","issued_at":1767225600,"expires_at":1767226200}
//! {"line":2,"id":7,"ok":false,"vendor":"zego","kind":"unsupported","error":"zego tokens cannot express `display_name`: …"}
//! {"line":3,"id":8,"ok":false,"kind":"unknown_field","error":"unknown field `roomm` (did you mean `room`?)"}
//! ```

use std::cell::RefCell;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::duration::parse_duration;
use crate::error::{Error, Result};
use crate::json;
use crate::minter::{DEFAULT_TTL, TokenMinter, TokenRequest};
use crate::vendor::Vendor;

mod fast;

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
                .map_err(|_| E::custom(format!("must not be negative, got {v}")))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            parse_duration(v)
                .map(Some)
                .map_err(|e| E::custom(reason_of(&e)))
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

/// Longest request line a batch run reads, in bytes (1 MiB). A longer line gets a
/// [`FailureKind::LineTooLong`] record and is skipped without being held in memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The machine-readable class of a failed line, written as the record's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The line is not JSON (or not UTF-8).
    InvalidJson,
    /// The line is longer than [`MAX_LINE_BYTES`].
    LineTooLong,
    /// The request has a field the schema does not know.
    UnknownField,
    /// A field is missing or has a value of the wrong type or range, the line is not an object,
    /// or the vendor refuses the value.
    InvalidRequest,
    /// The vendor's token cannot express a field of the request.
    Unsupported,
    /// No credentials were given for the line's vendor.
    NoCredentials,
    /// The system clock could not be read.
    Clock,
    /// Anything else.
    Other,
}

impl FailureKind {
    /// The name written in the record's `kind` field.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidJson => "invalid_json",
            FailureKind::LineTooLong => "line_too_long",
            FailureKind::UnknownField => "unknown_field",
            FailureKind::InvalidRequest => "invalid_request",
            FailureKind::Unsupported => "unsupported",
            FailureKind::NoCredentials => "no_credentials",
            FailureKind::Clock => "clock",
            FailureKind::Other => "error",
        }
    }

    fn of(e: &Error) -> Self {
        match e {
            Error::InvalidRequest { .. }
            | Error::InvalidInput { .. }
            | Error::InvalidCredentials { .. } => FailureKind::InvalidRequest,
            Error::Unsupported { .. } => FailureKind::Unsupported,
            Error::UnknownField { .. } => FailureKind::UnknownField,
            Error::Clock { .. } => FailureKind::Clock,
            _ => FailureKind::Other,
        }
    }
}

/// Why one line produced no token: what the failure record says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LineFailure {
    /// The line's `id`, when one could be read (also from a line that is not valid JSON, as far
    /// as it goes).
    pub id: Option<serde_json::Value>,
    /// The line's vendor, when it names a known one.
    pub vendor: Option<Vendor>,
    /// The class of failure.
    pub kind: FailureKind,
    /// What is wrong, for the person who wrote the line.
    pub message: String,
    /// For [`FailureKind::UnknownField`]: the key and the closest known one.
    unknown: Option<(String, Option<&'static str>)>,
}

impl LineFailure {
    /// The record for a line longer than [`MAX_LINE_BYTES`]; `prefix` is its beginning (the `id`
    /// is taken from it when it comes first).
    #[must_use]
    pub fn too_long(prefix: &[u8]) -> Self {
        let text = match std::str::from_utf8(prefix) {
            Ok(t) => t,
            // A prefix cut inside a UTF-8 sequence: keep the valid part.
            Err(e) => std::str::from_utf8(prefix.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        let (id, vendor) = salvage(text);
        LineFailure {
            id,
            vendor,
            unknown: None,
            kind: FailureKind::LineTooLong,
            message: format!(
                "the line is longer than {} MiB; a request line is one JSON object of at most that size",
                MAX_LINE_BYTES >> 20
            ),
        }
    }
}

/// Every field of a request line, in schema order.
pub const FIELDS: [&str; 12] = [
    "id",
    "vendor",
    "identity",
    "room",
    "display_name",
    "ttl",
    "can_publish",
    "can_subscribe",
    "can_publish_data",
    "is_admin",
    "metadata",
    "issued_at",
];

/// Parses one request line.
///
/// # Errors
/// [`Error::UnknownField`] for a field the schema does not know, [`Error::InvalidInput`] for any
/// other line that is not a JSON object of the schema above (its reason is the [`LineFailure`]
/// message of [`check_line`]).
pub fn parse_line(line: &str) -> Result<BatchRequest> {
    check_line(line).map_err(|f| match f.unknown {
        Some((path, closest)) => Error::UnknownField {
            vendor: f.vendor,
            what: "batch request",
            path,
            closest,
        },
        None => Error::InvalidInput {
            what: "batch request",
            reason: f.message.into(),
        },
    })
}

/// Parses one request line, or says why it cannot be minted: the failure keeps the line's `id`
/// and vendor where they can be read, a [`FailureKind`] and a message that names the field.
///
/// # Errors
/// A [`LineFailure`] for a line that is not a JSON object of the schema above.
pub fn check_line(line: &str) -> std::result::Result<BatchRequest, LineFailure> {
    // serde would also read a struct from a JSON array of the fields in order: refuse that.
    if !line.trim_start().starts_with('{') {
        return Err(diagnose(line, None));
    }
    let l: Line = match serde_json::from_str(line) {
        Ok(l) => l,
        Err(e) => return Err(diagnose(line, Some(&e))),
    };
    let vendor = parse_vendor(&l.vendor).map_err(|e| LineFailure {
        id: l.id.clone(),
        vendor: None,
        unknown: None,
        kind: FailureKind::InvalidRequest,
        message: format!("`vendor`: {}", reason_of(&e)),
    })?;
    let mut request = TokenRequest::new(l.identity);
    request.room = l.room;
    request.display_name = l.display_name;
    request.metadata = l.metadata;
    Options {
        ttl: l.ttl,
        can_publish: l.can_publish,
        can_subscribe: l.can_subscribe,
        can_publish_data: l.can_publish_data,
        is_admin: l.is_admin,
        issued_at: l.issued_at,
    }
    .apply(&mut request);
    Ok(BatchRequest {
        id: l.id,
        vendor,
        request,
    })
}

/// The scalar fields of a request line, as given (`None`: absent or `null`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Options {
    pub(crate) ttl: Option<Duration>,
    pub(crate) can_publish: Option<bool>,
    pub(crate) can_subscribe: Option<bool>,
    pub(crate) can_publish_data: Option<bool>,
    pub(crate) is_admin: Option<bool>,
    pub(crate) issued_at: Option<i64>,
}

impl Options {
    /// Sets them on `r`, with the schema's defaults for the absent ones.
    fn apply(self, r: &mut TokenRequest) {
        r.ttl = self.ttl.unwrap_or(DEFAULT_TTL);
        r.can_publish = self.can_publish.unwrap_or(true);
        r.can_subscribe = self.can_subscribe.unwrap_or(true);
        r.can_publish_data = self.can_publish_data.unwrap_or(true);
        r.is_admin = self.is_admin.unwrap_or(false);
        r.issued_at = self.issued_at;
    }
}

/// The reason of an input error without its "what:" prefix.
fn reason_of(e: &Error) -> String {
    match e {
        Error::InvalidInput { reason, .. } => reason.to_string(),
        other => other.to_string(),
    }
}

/// serde_json's message without its " at line 1 column N" suffix (a request is one line, and the
/// record carries the input line number).
fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// The failure for a line the fast typed parse refused: re-read it loosely to say which field is
/// wrong and why. Runs only for bad lines.
fn diagnose(line: &str, typed: Option<&serde_json::Error>) -> LineFailure {
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            let (id, vendor) = salvage(line);
            return LineFailure {
                id,
                vendor,
                unknown: None,
                kind: FailureKind::InvalidJson,
                message: format!(
                    "not valid JSON at column {}: {}",
                    e.column(),
                    serde_message(&e)
                ),
            };
        }
    };
    let serde_json::Value::Object(obj) = value else {
        let what = match value {
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return LineFailure {
            id: None,
            vendor: None,
            unknown: None,
            kind: FailureKind::InvalidRequest,
            message: format!(
                "a request must be a JSON object such as {{\"vendor\":\"livekit\",\"identity\":\"alice\"}}, not {what}"
            ),
        };
    };
    let id = obj.get("id").cloned();
    let vendor = obj
        .get("vendor")
        .and_then(serde_json::Value::as_str)
        .and_then(|v| parse_vendor(v).ok());
    let fail = |kind, message| LineFailure {
        id: id.clone(),
        vendor,
        unknown: None,
        kind,
        message,
    };
    if let Some(key) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        let near = crate::fields::closest(key, FIELDS);
        let hint = match near {
            Some(near) => format!("; did you mean `{near}`?"),
            None => String::new(),
        };
        return LineFailure {
            unknown: Some((key.clone(), near)),
            ..fail(
                FailureKind::UnknownField,
                format!("unknown field `{key}`{hint} (unknown fields are refused, not dropped)"),
            )
        };
    }
    for required in ["vendor", "identity"] {
        if !obj.contains_key(required) {
            return fail(
                FailureKind::InvalidRequest,
                format!("missing field `{required}`"),
            );
        }
    }
    for (key, v) in &obj {
        if let Err(why) = check_field(key, v) {
            return fail(FailureKind::InvalidRequest, format!("`{key}`: {why}"));
        }
    }
    let message = typed.map_or_else(|| "not a valid request".to_owned(), serde_message);
    fail(FailureKind::InvalidRequest, message)
}

/// Checks one known field's value against its type, for [`diagnose`].
fn check_field(key: &str, v: &serde_json::Value) -> std::result::Result<(), String> {
    use serde::de::IntoDeserializer as _;
    fn is<T: serde::de::DeserializeOwned>(
        v: &serde_json::Value,
    ) -> std::result::Result<(), String> {
        T::deserialize(v.clone().into_deserializer())
            .map(drop)
            .map_err(|e| e.to_string())
    }
    match key {
        "vendor" => match v.as_str() {
            Some(name) => parse_vendor(name).map(drop).map_err(|e| reason_of(&e)),
            None => Err(format!(
                "expected a vendor name (livekit, agora or zego), got {v}"
            )),
        },
        "identity" => is::<String>(v),
        "room" | "display_name" => is::<Option<String>>(v),
        "ttl" => ttl(v.clone().into_deserializer())
            .map(drop)
            .map_err(|e: serde_json::Error| e.to_string()),
        "can_publish" | "can_subscribe" | "can_publish_data" | "is_admin" => is::<Option<bool>>(v),
        "metadata" => is::<Option<serde_json::Map<String, serde_json::Value>>>(v)
            .map_err(|_| format!("expected a JSON object, got {v}")),
        "issued_at" => is::<Option<i64>>(v),
        _ => Ok(()),
    }
}

/// Reads the top-level `id` and `vendor` of a line that is not (complete) JSON, as far as its
/// keys and values parse: `{"id":7,"vendor":"zego","identity":` still gives 7 and ZEGO.
fn salvage(line: &str) -> (Option<serde_json::Value>, Option<Vendor>) {
    let (mut id, mut vendor) = (None, None);
    let mut rest = line.trim_start();
    let Some(r) = rest.strip_prefix('{') else {
        return (id, vendor);
    };
    rest = r;
    // One JSON value at the start of `s`, and what follows it.
    fn value<T: serde::de::DeserializeOwned>(s: &str) -> Option<(T, &str)> {
        let mut stream = serde_json::Deserializer::from_str(s).into_iter::<T>();
        let v = stream.next()?.ok()?;
        Some((v, s.get(stream.byte_offset()..)?))
    }
    while let Some((key, r)) = value::<String>(rest) {
        let Some(r) = r.trim_start().strip_prefix(':') else {
            break;
        };
        match key.as_str() {
            "id" => match value::<serde_json::Value>(r) {
                Some((v, r)) => {
                    id = Some(v);
                    rest = r;
                }
                None => break,
            },
            "vendor" => match value::<serde_json::Value>(r) {
                Some((v, r)) => {
                    vendor = v.as_str().and_then(|n| parse_vendor(n).ok());
                    rest = r;
                }
                None => break,
            },
            _ => match value::<serde::de::IgnoredAny>(r) {
                Some((_, r)) => rest = r,
                None => break,
            },
        }
        match rest.trim_start().strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    (id, vendor)
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
        // Reused per-thread buffers: no allocation per line for the common request shape.
        self.line_with(&mut crate::scratch::lend::<Scratch>(), line_no, line, out)
    }

    /// As [`MinterSet::process_line`] for raw input bytes: a line that is not UTF-8 or is longer
    /// than [`MAX_LINE_BYTES`] gets a failure record.
    pub fn process_bytes(&self, line_no: usize, line: &[u8], out: &mut Vec<u8>) -> bool {
        self.bytes_with(&mut crate::scratch::lend::<Scratch>(), line_no, line, out)
    }

    /// Processes a chunk of whole input lines (the last one may lack its `\n`) whose first line
    /// is line `first_line` (1-based), appending one result record per request line to `out`, as
    /// [`MinterSet::process_bytes`] does for each. A `\r` before a newline is dropped; lines of
    /// whitespace only are skipped (but counted for the line numbers).
    pub fn process_chunk(&self, first_line: usize, chunk: &[u8], out: &mut Vec<u8>) -> ChunkCounts {
        let mut scratch = Scratch::default();
        let mut counts = ChunkCounts::default();
        let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            counts.requests += 1;
            counts.minted += usize::from(self.bytes_with(&mut scratch, first_line + i, line, out));
        }
        counts
    }

    fn bytes_with(&self, s: &mut Scratch, line_no: usize, line: &[u8], out: &mut Vec<u8>) -> bool {
        if line.len() > MAX_LINE_BYTES {
            let prefix = line.get(..MAX_LINE_BYTES).unwrap_or(line);
            write_failure(out, line_no, &LineFailure::too_long(prefix));
            return false;
        }
        match std::str::from_utf8(line) {
            Ok(text) => self.line_with(s, line_no, text, out),
            Err(e) => {
                let valid = std::str::from_utf8(line.get(..e.valid_up_to()).unwrap_or_default())
                    .unwrap_or_default();
                let (id, vendor) = salvage(valid);
                let failure = LineFailure {
                    id,
                    vendor,
                    unknown: None,
                    kind: FailureKind::InvalidJson,
                    message: format!(
                        "not valid JSON: the line is not UTF-8 (bad byte at column {})",
                        e.valid_up_to() + 1
                    ),
                };
                write_failure(out, line_no, &failure);
                false
            }
        }
    }

    fn line_with(&self, s: &mut Scratch, line_no: usize, line: &str, out: &mut Vec<u8>) -> bool {
        s.token.clear();
        // The common shape borrows from the line into the reused request; anything else goes
        // through serde (`check_line`), which also writes every failure's exact record.
        let (id, vendor, request) = match fast::parse(line) {
            Some(f) => {
                s.fill(&f);
                (f.id.map(Id::Text), f.vendor, &s.request)
            }
            None => match check_line(line) {
                Ok(r) => {
                    s.owned = Some(r);
                    match &s.owned {
                        Some(r) => (r.id.as_ref().map(Id::Value), r.vendor, &r.request),
                        None => return false,
                    }
                }
                Err(f) => {
                    write_failure(out, line_no, &f);
                    return false;
                }
            },
        };
        let fail = |kind, message| LineFailure {
            id: id.and_then(Id::to_value),
            vendor: Some(vendor),
            unknown: None,
            kind,
            message,
        };
        let Some(minter) = self.get(vendor) else {
            let message = format!("no {vendor} credentials were given to this batch run");
            write_failure(out, line_no, &fail(FailureKind::NoCredentials, message));
            return false;
        };
        match minter.mint_into(request, &mut s.token) {
            Ok(times) => {
                let record = Success {
                    id,
                    vendor,
                    token: &s.token,
                    identity: &request.identity,
                    room: request.room.as_deref(),
                    issued_at: times.issued_at,
                    expires_at: times.expires_at,
                };
                write_success(out, line_no, &record);
                true
            }
            Err(e) => {
                write_failure(out, line_no, &fail(FailureKind::of(&e), e.to_string()));
                false
            }
        }
    }
}

/// What [`MinterSet::process_chunk`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkCounts {
    /// Request lines (blank lines not counted); each got one record.
    pub requests: usize,
    /// Lines that got a token.
    pub minted: usize,
}

/// A line's buffers, reused from line to line: the token, and the request the fast path fills
/// (its strings keep their capacity), or the one serde's path built.
struct Scratch {
    token: String,
    request: TokenRequest,
    /// Capacity kept for `request.room` / `request.display_name` while a line has none.
    spare: [String; 2],
    owned: Option<BatchRequest>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            token: String::new(),
            request: TokenRequest::new(String::new()),
            spare: Default::default(),
            owned: None,
        }
    }
}

impl Scratch {
    /// Sets `request` to what the fast path read, reusing its strings.
    fn fill(&mut self, f: &fast::FastLine<'_>) {
        fn set(slot: &mut Option<String>, spare: &mut String, value: Option<&str>) {
            match value {
                Some(v) => {
                    let s = slot.get_or_insert_with(|| std::mem::take(spare));
                    s.clear();
                    s.push_str(v);
                }
                None => {
                    if let Some(s) = slot.take() {
                        *spare = s;
                    }
                }
            }
        }
        let [room, name] = &mut self.spare;
        let r = &mut self.request;
        r.identity.clear();
        r.identity.push_str(&f.identity);
        set(&mut r.room, room, f.room.as_deref());
        set(&mut r.display_name, name, f.display_name.as_deref());
        r.metadata = None;
        f.options.apply(r);
    }
}

thread_local! {
    /// This thread's idle line states, lent through [`crate::scratch`] like its other buffers.
    static SCRATCH: RefCell<Vec<Scratch>> = const { RefCell::new(Vec::new()) };
}

impl crate::scratch::Pooled for Scratch {
    fn pool() -> &'static std::thread::LocalKey<RefCell<Vec<Self>>> {
        &SCRATCH
    }
    fn recycle(&mut self) -> bool {
        // Every field is overwritten by the next line before it is read.
        true
    }
}

/// A record's `id`: serde's value, or the fast path's text (which serde_json would write the same).
#[derive(Clone, Copy)]
enum Id<'a> {
    Value(&'a serde_json::Value),
    Text(&'a str),
}

impl Id<'_> {
    fn to_value(self) -> Option<serde_json::Value> {
        match self {
            Id::Value(v) => Some(v.clone()),
            Id::Text(t) => serde_json::from_str(t).ok(),
        }
    }
}

/// Starts a record: `{"line":N`, then `"id":…` when there is one, then `"ok":true|false`.
fn write_head<'o>(
    out: &'o mut Vec<u8>,
    line_no: usize,
    id: Option<Id<'_>>,
    ok: bool,
) -> json::Object<'o> {
    let mut o = json::Object::new(out);
    o.u64("line", line_no as u64);
    match id {
        // A `Value` always serialises (its map keys are strings).
        Some(Id::Value(v)) => {
            let _ = serde_json::to_writer(o.key("id"), v);
        }
        Some(Id::Text(t)) => {
            o.raw("id", t.as_bytes());
        }
        None => {}
    }
    o.raw("ok", if ok { b"true".as_slice() } else { b"false" });
    o
}

/// Writes a failure record: `{"line":N,"id":…,"ok":false,"vendor":…,"kind":…,"error":…}` (`id`
/// and `vendor` only when known) and its `\n`.
pub fn write_failure(out: &mut Vec<u8>, line_no: usize, f: &LineFailure) {
    let mut o = write_head(out, line_no, f.id.as_ref().map(Id::Value), false);
    if let Some(v) = f.vendor {
        o.str("vendor", v.as_str().as_bytes());
    }
    o.str("kind", f.kind.as_str().as_bytes())
        .str("error", f.message.as_bytes());
    o.close();
    out.push(b'\n');
}

/// A success record's fields.
struct Success<'a> {
    id: Option<Id<'a>>,
    vendor: Vendor,
    token: &'a str,
    identity: &'a str,
    room: Option<&'a str>,
    issued_at: i64,
    expires_at: i64,
}

/// Writes the success record: the fields and bytes of serde_json's serialisation of
/// `{line, id?, ok, vendor, token, identity, room, issued_at, expires_at}`.
fn write_success(out: &mut Vec<u8>, line_no: usize, r: &Success<'_>) {
    let mut o = write_head(out, line_no, r.id, true);
    o.str("vendor", r.vendor.as_str().as_bytes())
        .long_str("token", r.token.as_bytes())
        .str("identity", r.identity.as_bytes())
        .str_or_null("room", r.room.map(str::as_bytes))
        .i64("issued_at", r.issued_at)
        .i64("expires_at", r.expires_at);
    o.close();
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

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
                matches!(
                    parse_line(bad),
                    Err(Error::InvalidInput { .. } | Error::UnknownField { .. })
                ),
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
                .contains("no agora credentials")
        );
        assert_eq!(lines[0]["kind"], "no_credentials");
        assert_eq!(lines[0]["vendor"], "agora");
        assert_eq!(lines[1]["line"], 4);
        assert_eq!(lines[1]["kind"], "invalid_json");
    }

    #[test]
    fn an_array_is_not_a_request() {
        // serde reads a struct from an array of its fields in order; a batch line must be an
        // object.
        let all = r#"[7,"livekit","a","r",null,600,true,true,true,false,null,null]"#;
        let f = check_line(all).unwrap_err();
        assert_eq!(f.kind, FailureKind::InvalidRequest);
        assert!(f.message.contains("must be a JSON object"), "{}", f.message);
    }

    #[test]
    fn salvage_reads_id_and_vendor_as_far_as_the_line_parses() {
        assert_eq!(
            salvage(r#" { "x" : [1,{"a":2}], "vendor":"ZEGO", "id" : {"k":1}, "identity": "#),
            (Some(serde_json::json!({"k": 1})), Some(Vendor::Zego))
        );
        assert_eq!(
            salvage(r#"{"id":7 "vendor":"zego"}"#).0,
            Some(serde_json::json!(7))
        );
        assert_eq!(salvage(r#"{"id":tru"#), (None, None));
        assert_eq!(salvage("garbage"), (None, None));
    }

    #[test]
    fn unknown_fields_are_typed_and_suggest_the_closest_known_one() {
        let f = check_line(r#"{"id":1,"vendor":"zego","identity":"a","roomm":"r"}"#).unwrap_err();
        assert_eq!(f.kind, FailureKind::UnknownField);
        assert!(f.message.contains("did you mean `room`?"), "{}", f.message);
        assert_eq!(
            parse_line(r#"{"vendor":"zego","identity":"a","canPublish":true}"#).unwrap_err(),
            Error::UnknownField {
                vendor: Some(Vendor::Zego),
                what: "batch request",
                path: "canPublish".into(),
                closest: Some("can_publish"),
            }
        );
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
            let record = super::Success {
                id: r.id.as_ref().map(Id::Value),
                vendor: r.vendor,
                token: "04AAB+/=",
                identity: &r.request.identity,
                room: r.request.room.as_deref(),
                issued_at: -1,
                expires_at: 1_767_225_600,
            };
            write_success(&mut ours, 12, &record);
            let mut theirs = serde_json::to_vec(&Success {
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
            theirs.push(b'\n');
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
