//! A fast path for reading the claims of ordinary tokens.
//!
//! Verifying spent more time in serde_json (generic field dispatch, per-string UTF-8 checks, moves
//! of the large `WireIn`) than in the HMAC. Join tokens from every SDK use a handful of claims with
//! plain values, so this reader handles exactly that subset: the registered claims, the string
//! claims, and `video` with its booleans, strings and source list; integers without sign, fraction
//! or exponent; strings without escapes or control characters. Anything else (another claim, a
//! duplicate key, `null`, a float date, an escape, bad syntax) makes it return `None`, and the
//! caller parses with serde_json, which accepts or rejects with its usual messages. So the fast path
//! changes speed, never the verdict: for every input it accepts, serde_json yields the same claims
//! (a test checks this on generated payloads).

use super::grants::{ClaimGrants, VideoGrant};
use super::verify::Claims;
use crate::json::read::{Cursor, first_time};

fn video(c: &mut Cursor<'_>) -> Option<VideoGrant> {
    let mut v = VideoGrant::default();
    let mut seen = 0u32;
    c.object(Cursor::plain_string, |key, c| {
        let (bit, target): (u32, &mut bool) = match key {
            "roomCreate" => (0, &mut v.room_create),
            "roomList" => (1, &mut v.room_list),
            "roomRecord" => (2, &mut v.room_record),
            "roomAdmin" => (3, &mut v.room_admin),
            "roomJoin" => (4, &mut v.room_join),
            "ingressAdmin" => (5, &mut v.ingress_admin),
            "hidden" => (6, &mut v.hidden),
            "recorder" => (7, &mut v.recorder),
            "agent" => (8, &mut v.agent),
            _ => {
                let (bit, target): (u32, &mut Option<bool>) = match key {
                    "canPublish" => (9, &mut v.can_publish),
                    "canSubscribe" => (10, &mut v.can_subscribe),
                    "canPublishData" => (11, &mut v.can_publish_data),
                    "canUpdateOwnMetadata" => (12, &mut v.can_update_own_metadata),
                    "canSubscribeMetrics" => (13, &mut v.can_subscribe_metrics),
                    "canManageAgentSession" => (14, &mut v.can_manage_agent_session),
                    "room" => {
                        first_time(&mut seen, 15)?;
                        v.room = c.plain_string()?.to_owned();
                        return Some(());
                    }
                    "destinationRoom" => {
                        first_time(&mut seen, 16)?;
                        v.destination_room = c.plain_string()?.to_owned();
                        return Some(());
                    }
                    "canPublishSources" => {
                        first_time(&mut seen, 17)?;
                        v.can_publish_sources = c.array(|c| c.plain_string().map(str::to_owned))?;
                        return Some(());
                    }
                    _ => return None,
                };
                first_time(&mut seen, bit)?;
                *target = Some(c.boolean()?);
                return Some(());
            }
        };
        first_time(&mut seen, bit)?;
        *target = c.boolean()?;
        Some(())
    })?;
    Some(v)
}

/// Reads `json` if it is in the simple subset described in the module docs.
pub(super) fn parse_claims(json: &str) -> Option<Claims> {
    let mut c = Cursor::new(json);
    // Only leading `{` (no whitespace first), as the caller's pre-check would pass it anyway.
    if c.peek() != Some(b'{') {
        return None;
    }
    let (mut iss, mut sub, mut jti) = (None, None, None);
    let (mut exp, mut nbf, mut iat) = (None, None, None);
    let mut g = ClaimGrants::default();
    let mut seen = 0u32;
    c.object(Cursor::plain_string, |key, c| {
        let (bit, target): (u32, &mut String) = match key {
            "name" => (0, &mut g.name),
            "kind" => (1, &mut g.kind),
            "sha256" => (2, &mut g.sha256),
            "metadata" => (3, &mut g.metadata),
            "roomPreset" => (4, &mut g.room_preset),
            _ => {
                let (bit, target): (u32, &mut Option<&str>) = match key {
                    "iss" => (5, &mut iss),
                    "sub" => (6, &mut sub),
                    "jti" => (7, &mut jti),
                    _ => {
                        let (bit, target): (u32, &mut Option<i64>) = match key {
                            "exp" => (8, &mut exp),
                            "nbf" => (9, &mut nbf),
                            "iat" => (10, &mut iat),
                            "video" => {
                                first_time(&mut seen, 11)?;
                                g.video = Some(video(c)?);
                                return Some(());
                            }
                            _ => return None,
                        };
                        first_time(&mut seen, bit)?;
                        *target = Some(c.integer(false)?);
                        return Some(());
                    }
                };
                first_time(&mut seen, bit)?;
                *target = Some(c.plain_string()?);
                return Some(());
            }
        };
        first_time(&mut seen, bit)?;
        *target = c.plain_string()?.to_owned();
        Some(())
    })?;
    c.skip_ws();
    if c.pos != json.len() {
        return None;
    }
    // The `sub`-or-`jti` rule of `WireIn::into_grants`.
    g.identity = match (sub, jti) {
        (Some(s), _) if !s.is_empty() => s.to_owned(),
        (_, Some(j)) => j.to_owned(),
        _ => String::new(),
    };
    Some(Claims {
        iss: iss.unwrap_or_default().to_owned(),
        nbf,
        exp: exp?,
        iat,
        grants: g,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use proptest::prelude::*;

    use super::super::verify::claims_from_json;
    use super::*;

    const INTS: &[&str] = &["0", "1767225600", "123456789012345678"];
    const BAD_INTS: &[&str] = &[
        "01",
        "-5",
        "1.5",
        "1e3",
        "1234567890123456789",
        "null",
        "\"1\"",
    ];
    const STRS: &[&str] = &["\"\"", "\"alice\"", "\"caf\u{e9} \u{1f600}\""];
    const BAD_STRS: &[&str] = &["\"a\\\"b\"", "\"tab\there\"", "null", "1", "\"x"];
    const VIDEOS: &[&str] = &[
        "{}",
        "{\"roomJoin\":true,\"room\":\"r\"}",
        "{\"canPublish\":false,\"canPublishSources\":[\"camera\",\"microphone\"]}",
        "{\"canPublishSources\":[]}",
        "{ \"roomAdmin\" : true , \"destinationRoom\" : \"d\" , \"hidden\":false}",
        "{\"canSubscribe\":true,\"canUpdateOwnMetadata\":false,\"agent\":true}",
    ];
    const BAD_VIDEOS: &[&str] = &[
        "{\"roomJoin\":true,\"roomJoin\":false}",
        "{\"hidden\":null}",
        "{\"canSubscribe\":null}",
        "{\"room\":\"r\",\"other\":1}",
        "{\"canPublishSources\":[1]}",
        "{\"roomJoin\":true,}",
        "null",
        "[]",
    ];

    /// One `"key":value` member: mostly well-typed values of the subset, sometimes a value just
    /// outside it, a key outside it, or whitespace around the parts.
    fn member() -> impl Strategy<Value = String> {
        let pick = |good: &'static [&'static str], bad: &'static [&'static str]| {
            prop_oneof![
                4 => prop::sample::select(good),
                1 => prop::sample::select(bad),
            ]
        };
        let pair = prop_oneof![
            (
                prop::sample::select(vec!["exp", "nbf", "iat"]),
                pick(INTS, BAD_INTS)
            ),
            (
                prop::sample::select(vec![
                    "iss",
                    "sub",
                    "jti",
                    "name",
                    "kind",
                    "sha256",
                    "metadata",
                    "roomPreset",
                ]),
                pick(STRS, BAD_STRS),
            ),
            (Just("video"), pick(VIDEOS, BAD_VIDEOS)),
            (
                prop::sample::select(vec!["attributes", "unknown", "Exp"]),
                Just("{}")
            ),
        ];
        (pair, prop::sample::select(vec!["", "", "", " ", "\n"]))
            .prop_map(|((k, v), ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
    }

    static ACCEPTED: AtomicUsize = AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_path_agrees_with_serde(
            members in prop::collection::vec(member(), 0..6),
            tail in prop::sample::select(vec!["", "", " ", "x", ","]),
        ) {
            // Mostly start with `exp` (required), so that many payloads are in the subset.
            let json = format!("{{\"exp\":1767226200,{}}}{tail}", members.join(","));
            if let Some(fast) = parse_claims(&json) {
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let slow = claims_from_json(json.as_bytes());
                prop_assert_eq!(Some(fast), slow.ok(), "{}", json);
            }
        }
    }

    #[test]
    fn the_property_exercises_the_fast_path() {
        fast_path_agrees_with_serde();
        // Guards against a generator that never produces an accepted payload.
        assert!(ACCEPTED.load(Ordering::Relaxed) > 200);
    }

    #[test]
    fn sdk_shapes_take_the_fast_path() {
        for json in [
            r#"{"exp":1767226200,"iss":"APIkey","nbf":1767225600,"sub":"alice","name":"Alice","video":{"roomJoin":true,"room":"my-room"}}"#,
            r#"{"exp":1767226200,"iss":"APIkey","nbf":1767225600,"iat":1767225600,"jti":"alice","sub":"alice","video":{"canPublish":true,"canPublishData":true,"canSubscribe":true,"room":"my-room","roomJoin":true},"metadata":""}"#,
        ] {
            let fast = parse_claims(json).expect(json);
            assert_eq!(fast, claims_from_json(json.as_bytes()).unwrap());
        }
    }
}
