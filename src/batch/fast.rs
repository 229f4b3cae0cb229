//! The fast path for batch request lines.
//!
//! Nearly every line a batch run reads is a flat object of plain values, such as
//! `{"vendor":"livekit","identity":"user-1","room":"room-1","ttl":600}`. serde_json parses it into
//! owned `String`s with generic field dispatch, which cost about as much as the rest of the line
//! but the mint. This reader handles exactly that subset and borrows from the line: the known keys
//! except `metadata`, each at most once, in any order; strings with short escapes only (`vendor`
//! and `id` without any escape); integers of at most 18 digits without fraction or exponent; a
//! `ttl` string the duration parser accepts; `null` where the schema allows it. Anything else (an
//! unknown or duplicate key, `metadata`, a `\u` escape, an unknown vendor, bad syntax) makes it
//! return `None`, and the caller parses the line with serde_json ([`check_line`]), which accepts
//! or refuses it with its usual record. So the fast path changes speed, never the verdict: for
//! every line it accepts, [`check_line`] gives the same request (a property test checks this on
//! generated lines, and the `batch_line` fuzz target compares both on every input).
//!
//! [`check_line`]: super::check_line

use std::borrow::Cow;
use std::time::Duration;

use super::Options;
use crate::duration::parse_duration;
use crate::json::read::{Cursor, first_time};
use crate::vendor::Vendor;

/// A request line read by the fast path; strings borrow from the line where they have no escape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FastLine<'a> {
    /// The `id` value's JSON text exactly as in the line: an integer or a string without escapes,
    /// whose serde_json serialisation is that same text.
    pub(crate) id: Option<&'a str>,
    pub(crate) vendor: Vendor,
    pub(crate) identity: Cow<'a, str>,
    pub(crate) room: Option<Cow<'a, str>>,
    pub(crate) display_name: Option<Cow<'a, str>>,
    pub(crate) options: Options,
}

/// `null` (as `None`), or what `read` reads.
fn nullable<'a, T>(
    c: &mut Cursor<'a>,
    read: impl FnOnce(&mut Cursor<'a>) -> Option<T>,
) -> Option<Option<T>> {
    if c.null() {
        Some(None)
    } else {
        read(c).map(Some)
    }
}

/// The `id`: `null`, an integer or a string without escapes, as its JSON text.
fn id<'a>(c: &mut Cursor<'a>) -> Option<Option<&'a str>> {
    if c.null() {
        return Some(None);
    }
    c.skip_ws();
    let start = c.pos;
    if c.peek()? == b'"' {
        c.plain_string()?;
    } else {
        c.integer(true)?;
    }
    c.text.get(start..c.pos).map(Some)
}

fn ttl(c: &mut Cursor<'_>) -> Option<Duration> {
    c.skip_ws();
    if c.peek()? == b'"' {
        // A string the duration parser refuses is left to serde's path for its message.
        parse_duration(c.plain_string()?).ok()
    } else {
        let secs = c.integer(false)?;
        Some(Duration::from_secs(u64::try_from(secs).ok()?))
    }
}

/// Reads `line` if it is in the subset above.
pub(crate) fn parse(line: &str) -> Option<FastLine<'_>> {
    let mut c = Cursor::new(line);
    let mut seen = 0u32;
    let mut id_text = None;
    let mut vendor = None;
    let mut identity = None;
    let mut room = None;
    let mut display_name = None;
    let mut o = Options::default();
    c.object(Cursor::plain_string, |key, c| {
        match key {
            "id" => {
                first_time(&mut seen, 0)?;
                id_text = id(c)?;
            }
            "vendor" => {
                first_time(&mut seen, 1)?;
                vendor = Some(c.plain_string()?.parse::<Vendor>().ok()?);
            }
            "identity" => {
                first_time(&mut seen, 2)?;
                identity = Some(c.string()?);
            }
            "room" => {
                first_time(&mut seen, 3)?;
                room = nullable(c, Cursor::string)?;
            }
            "display_name" => {
                first_time(&mut seen, 4)?;
                display_name = nullable(c, Cursor::string)?;
            }
            "ttl" => {
                first_time(&mut seen, 5)?;
                o.ttl = nullable(c, ttl)?;
            }
            "issued_at" => {
                first_time(&mut seen, 6)?;
                o.issued_at = nullable(c, |c| c.integer(true))?;
            }
            _ => {
                let (bit, slot) = match key {
                    "can_publish" => (7, &mut o.can_publish),
                    "can_subscribe" => (8, &mut o.can_subscribe),
                    "can_publish_data" => (9, &mut o.can_publish_data),
                    "is_admin" => (10, &mut o.is_admin),
                    // `metadata` and unknown keys: serde's path.
                    _ => return None,
                };
                first_time(&mut seen, bit)?;
                *slot = nullable(c, Cursor::boolean)?;
            }
        }
        Some(())
    })?;
    if !c.at_end() {
        return None;
    }
    Some(FastLine {
        id: id_text,
        vendor: vendor?,
        identity: identity?,
        room,
        display_name,
        options: o,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{BatchRequest, check_line};
    use super::*;

    /// The request the batch mints for a line the fast path read.
    fn as_request(f: &FastLine<'_>) -> BatchRequest {
        let mut s = super::super::Scratch::default();
        s.fill(f);
        BatchRequest {
            id: f.id.map(|t| serde_json::from_str(t).unwrap()),
            vendor: f.vendor,
            request: s.request,
        }
    }

    /// The fast path either declines or agrees with serde's path, and an `id` it echoes
    /// verbatim is what serde_json would write.
    fn agrees(line: &str) -> bool {
        let Some(f) = parse(line) else {
            return false;
        };
        let slow = check_line(line)
            .unwrap_or_else(|e| panic!("fast path accepted {line:?}, serde refused: {e:?}"));
        assert_eq!(as_request(&f), slow, "{line:?}");
        if let (Some(text), Some(value)) = (f.id, &slow.id) {
            assert_eq!(serde_json::to_string(value).unwrap(), text, "{line:?}");
        }
        true
    }

    #[test]
    fn reads_the_common_shape() {
        let line = r#"{"vendor":"livekit","identity":"user-1","room":"room-1","ttl":600}"#;
        let f = parse(line).unwrap();
        assert_eq!(f.vendor, Vendor::LiveKit);
        assert_eq!(f.identity, "user-1");
        assert!(matches!(f.identity, Cow::Borrowed(_)));
        assert_eq!(f.room.as_deref(), Some("room-1"));
        assert_eq!(f.options.ttl, Some(Duration::from_secs(600)));
        for line in [
            line,
            r#" { "id" : 7 , "vendor" : "ZEGO" , "identity" : "b\"o\\b" , "room" : null } "#,
            r#"{"id":"x-1","vendor":"agora","identity":"42","room":"c","ttl":"1h30m","can_publish":false,"can_subscribe":true,"can_publish_data":null,"is_admin":false,"issued_at":-5,"display_name":"Al"}"#,
            r#"{"id":null,"vendor":"zegocloud","identity":"é","ttl":null,"issued_at":null}"#,
            r#"{"identity":"a","vendor":"livekit","id":-12}"#,
        ] {
            assert!(agrees(line), "{line}");
        }
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for line in [
            "",
            "{",
            "[]",
            "{}",
            r#"{"identity":"a"}"#,
            r#"{"vendor":"livekit"}"#,
            r#"{"vendor":"twilio","identity":"a"}"#,
            r#"{"vendor":"livekit","identity":"a","roomm":"typo"}"#,
            r#"{"vendor":"livekit","identity":"a","room":"r","room":"s"}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":"forever"}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":-1}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":1.5}"#,
            r#"{"vendor":"livekit","identity":"a","ttl":1e3}"#,
            r#"{"vendor":"livekit","identity":"a","metadata":{}}"#,
            r#"{"vendor":"livekit","identity":"a\u0041"}"#,
            r#"{"vendor":"liv\u0065kit","identity":"a"}"#,
            r#"{"vendor":"livekit","identity":"a","id":"a\nb"}"#,
            r#"{"vendor":"livekit","identity":"a","id":[1]}"#,
            r#"{"vendor":"livekit","identity":"a","id":007}"#,
            r#"{"vendor":"livekit","identity":"a","id":-0}"#,
            r#"{"vendor":"livekit","identity":"a","issued_at":9999999999999999999}"#,
            r#"{"vendor":"livekit","identity":"a","can_publish":1}"#,
            r#"{"vendor":"livekit","identity":"a","can_publish":truex}"#,
            r#"{"vendor":"livekit","identity":"a"} x"#,
            r#"{"vendor":"livekit","identity":"a",}"#,
            r#"{"vendor":"livekit","identity":null}"#,
        ] {
            assert!(parse(line).is_none(), "{line}");
        }
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "null",
                "true",
                "false",
                "{}",
                r#"{"k":[1,"x"]}"#,
                "[1]"
            ])
            .prop_map(str::to_owned),
            any::<i64>().prop_map(|v| v.to_string()),
            any::<u64>().prop_map(|v| v.to_string()),
            "-?[0-9]{1,3}(\\.[0-9])?(e[0-9])?",
            // Strings: plain, with short and \u escapes, durations and vendor names.
            r#""([a-zA-Z0-9 é_-]|\\[nt"\\/]|\\u00[0-9a-f]{2}){0,8}""#,
            r#""[0-9]{1,3}[smhd]""#,
            r#""(livekit|LiveKit|agora|zego|ZEGOCLOUD|twilio)""#,
        ]
    }

    fn key() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            8 => prop::sample::select(super::super::FIELDS.to_vec()),
            1 => prop::sample::select(vec!["roomm", "canPublish", "", "Vendor"]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn agrees_with_serde_on_generated_lines(
            members in prop::collection::vec((key(), value()), 0..8),
            vendor in r#""(livekit|agora|Zego)""#,
            identity in r#""([a-z0-9]|\\n){1,6}""#,
            ws in prop::sample::select(vec!["", " ", "\t", " \r "]),
        ) {
            // Usually a valid request with some extra members, sometimes anything at all.
            let mut parts = vec![format!(r#""vendor":{vendor}"#), format!(r#""identity":{identity}"#)];
            parts.extend(members.iter().map(|(k, v)| format!("\"{k}\"{ws}:{ws}{v}")));
            let line = format!("{ws}{{{ws}{}{ws}}}{ws}", parts.join(","));
            agrees(&line);
            let bare: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            agrees(&format!("{{{}}}", bare.join(",")));
        }

        #[test]
        fn never_accepts_what_serde_refuses(line in r#"\{("[a-z_]{1,16}":("[a-z0-9\\]{0,4}"|-?[0-9]{1,4}|true|null),?){0,6}\}"#) {
            agrees(&line);
        }
    }
}
