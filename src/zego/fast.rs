//! A fast path for reading the decrypted claims and the privilege payload.
//!
//! Decoding a privilege token spent a third of its time in serde_json: the claims parse (with the
//! escaped `payload` string copied through serde's scratch buffer), then a second parse of the
//! payload into `PrivilegePayload`. Every generator writes both documents with a fixed set of keys
//! and plain values, so this reader handles exactly that subset: the known keys, each once, in any
//! order; integers of at most 18 digits without fraction or exponent (and a sign only where the
//! field is signed); strings whose escapes are the short ones (`\" \\ \/ \b \f \n \r \t`), without
//! raw control characters; privilege values `0` or `1`. Anything else (an unknown or duplicate key,
//! a `\u` escape, `null` where serde would reject it or a number it would read differently, bad
//! syntax) makes it return `None`, and the caller parses with serde_json, which accepts or rejects
//! with its usual messages. So the fast path changes speed, never the verdict: for every input it
//! accepts, serde_json yields the same value (a test checks this on generated documents).

use std::borrow::Cow;

use super::claims::Claims;
use super::payload::PrivilegePayload;
use crate::json::read::{Cursor, first_time};

/// Reads the claims JSON if it is in the subset described in the module docs.
pub(super) fn claims(json: &str) -> Option<Claims> {
    let mut c = Cursor::new(json);
    let (mut app_id, mut user_id) = (None, None);
    let (mut nonce, mut ctime, mut expire) = (None, None, None);
    let mut payload = None;
    let mut seen = 0u32;
    c.object(Cursor::plain_string, |key, c| {
        match key {
            "app_id" => {
                first_time(&mut seen, 0)?;
                app_id = Some(c.integer(false)?);
            }
            "user_id" => {
                first_time(&mut seen, 1)?;
                user_id = Some(c.string()?.into_owned());
            }
            "nonce" => {
                first_time(&mut seen, 2)?;
                nonce = Some(c.integer(true)?);
            }
            "ctime" => {
                first_time(&mut seen, 3)?;
                ctime = Some(c.integer(true)?);
            }
            "expire" => {
                first_time(&mut seen, 4)?;
                expire = Some(c.integer(true)?);
            }
            "payload" => {
                first_time(&mut seen, 5)?;
                if !c.null() {
                    payload = Some(c.string()?.into_owned());
                }
            }
            _ => return None,
        }
        Some(())
    })?;
    if !c.at_end() {
        return None;
    }
    Some(Claims {
        app_id: u64::try_from(app_id?).ok()?,
        user_id: user_id?,
        nonce: nonce?,
        ctime: ctime?,
        expire: expire?,
        payload,
    })
}

/// Reads a privilege payload if it is in the subset described in the module docs.
pub(super) fn privilege(json: &str) -> Option<PrivilegePayload> {
    let mut c = Cursor::new(json);
    let mut room_id = None;
    let mut flags = None;
    let mut stream_id_list = None;
    let mut seen = 0u32;
    c.object(Cursor::plain_string, |key, c| {
        match key {
            "room_id" => {
                first_time(&mut seen, 0)?;
                room_id = Some(c.string()?.into_owned());
            }
            "privilege" => {
                first_time(&mut seen, 1)?;
                let (mut login, mut publish) = (false, false);
                let mut seen_flag = 0u32;
                c.object(Cursor::plain_string, |key, c| {
                    let (bit, target) = match key {
                        "1" => (0, &mut login),
                        "2" => (1, &mut publish),
                        _ => return None,
                    };
                    first_time(&mut seen_flag, bit)?;
                    *target = match c.integer(false)? {
                        0 => false,
                        1 => true,
                        _ => return None,
                    };
                    Some(())
                })?;
                flags = Some((login, publish));
            }
            "stream_id_list" => {
                first_time(&mut seen, 2)?;
                if c.null() {
                    return Some(());
                }
                stream_id_list = Some(c.array(|c| c.string().map(Cow::into_owned))?);
            }
            _ => return None,
        }
        Some(())
    })?;
    if !c.at_end() {
        return None;
    }
    let (login_room, publish_stream) = flags?;
    Some(PrivilegePayload {
        room_id: room_id?,
        login_room,
        publish_stream,
        stream_id_list,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use proptest::prelude::*;

    use super::super::claims::write_claims;
    use super::super::payload::write_privilege;
    use super::*;
    use crate::json::read::find_special;

    const UINTS: &[&str] = &["0", "1", "1234567890", "4294967296", "123456789012345678"];
    const SINTS: &[&str] = &[
        "0",
        "-0",
        "-1",
        "1700003600",
        "-2147483648",
        "-123456789012345678",
    ];
    const BAD_INTS: &[&str] = &[
        "01",
        "-01",
        "-",
        "1.5",
        "1e3",
        "1234567890123456789",
        "\"1\"",
        "null",
        "true",
    ];
    const STRS: &[&str] = &[
        "\"\"",
        "\"user1\"",
        "\"caf\u{e9} \u{623f}\u{1f600}\"",
        "\"a\\\"b\\\\c\\/d\"",
        "\"\\b\\f\\n\\r\\t\"",
        "\"\\\\\"",
    ];
    const BAD_STRS: &[&str] = &[
        "\"\\u623f\"",
        "\"tab\there\"",
        "\"x",
        "\"\\q\"",
        "\"a\\\"",
        "1",
        "null",
    ];
    const FLAGS: &[&str] = &["0", "1"];
    const BAD_FLAGS: &[&str] = &["2", "255", "null", "true", "01", "1.0", "-1", "\"1\""];
    const LISTS: &[&str] = &[
        "null",
        "[]",
        "[ ]",
        "[\"stream-1\"]",
        "[\"a\", \"b\\\"c\",\"\u{6d41}1\"]",
    ];
    const BAD_LISTS: &[&str] = &["[1]", "[\"a\",]", "[null]", "{}", "\"s\"", "[\"\\u0061\"]"];

    fn pick(
        good: &'static [&'static str],
        bad: &'static [&'static str],
    ) -> impl Strategy<Value = String> {
        prop_oneof![
            6 => prop::sample::select(good),
            1 => prop::sample::select(bad),
        ]
        .prop_map(str::to_owned)
    }

    /// An object from `members`: shuffled, sometimes one member dropped or an extra one added,
    /// with varying whitespace around the separators.
    fn object(
        members: impl Strategy<Value = Vec<String>>,
        extra: &'static [&'static str],
    ) -> impl Strategy<Value = String> {
        (
            members,
            prop::option::weighted(0.15, prop::sample::select(extra)),
            prop::option::weighted(0.1, any::<prop::sample::Index>()),
            prop::sample::select(vec!["", "", "", " ", "\n "]),
            any::<bool>(),
        )
            .prop_flat_map(|(mut members, extra, drop, ws, spaced_colon)| {
                if let Some(extra) = extra {
                    members.push(extra.to_owned());
                }
                if let Some(i) = drop {
                    members.remove(i.index(members.len()));
                }
                if spaced_colon {
                    members = members
                        .iter()
                        .map(|m| m.replacen("\":", "\" : ", 1))
                        .collect();
                }
                Just(members).prop_shuffle().prop_map(move |members| {
                    format!("{ws}{{{ws}{}{ws}}}", members.join(&format!("{ws},{ws}")))
                })
            })
    }

    fn privilege_doc() -> impl Strategy<Value = String> {
        let flags = prop::collection::vec(
            (
                prop::sample::select(vec!["1", "2", "1", "2", "3"]),
                pick(FLAGS, BAD_FLAGS),
            ),
            0..3,
        )
        .prop_map(|m| {
            let m: Vec<String> = m.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", m.join(","))
        });
        let members = (pick(STRS, BAD_STRS), flags, pick(LISTS, BAD_LISTS)).prop_map(
            |(room, flags, list)| {
                vec![
                    format!("\"room_id\":{room}"),
                    format!("\"privilege\":{flags}"),
                    format!("\"stream_id_list\":{list}"),
                ]
            },
        );
        object(
            members,
            &[
                "\"room_id\":\"dup\"",
                "\"other\":1",
                "\"privilege\":{}",
                "\"stream_id_list\":null",
            ],
        )
    }

    /// The `payload` claim value: `null`, a plain string, a privilege document embedded as an
    /// (escaped) JSON string, or a bad value.
    fn payload_value() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => Just("null".to_owned()),
            2 => pick(STRS, BAD_STRS),
            4 => privilege_doc().prop_map(|doc| {
                let mut out = Vec::new();
                crate::json::write_str(&mut out, doc.as_bytes());
                String::from_utf8(out).unwrap()
            }),
        ]
    }

    fn claims_doc() -> impl Strategy<Value = String> {
        let members = (
            pick(UINTS, BAD_INTS),
            pick(STRS, BAD_STRS),
            pick(SINTS, BAD_INTS),
            pick(SINTS, BAD_INTS),
            pick(SINTS, BAD_INTS),
            payload_value(),
        )
            .prop_map(|(app_id, user_id, nonce, ctime, expire, payload)| {
                vec![
                    format!("\"app_id\":{app_id}"),
                    format!("\"user_id\":{user_id}"),
                    format!("\"nonce\":{nonce}"),
                    format!("\"ctime\":{ctime}"),
                    format!("\"expire\":{expire}"),
                    format!("\"payload\":{payload}"),
                ]
            });
        object(
            members,
            &[
                "\"app_id\":1",
                "\"payload\":\"\"",
                "\"extra\":0",
                "\"user\\u005fid\":\"x\"",
            ],
        )
    }

    fn tail() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", "", "", " \n", "x", ",", "}"])
    }

    static CLAIMS_ACCEPTED: AtomicUsize = AtomicUsize::new(0);
    static PRIVILEGE_ACCEPTED: AtomicUsize = AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn fast_claims_agree_with_serde(doc in claims_doc(), tail in tail()) {
            let json = format!("{doc}{tail}");
            if let Some(fast) = claims(&json) {
                CLAIMS_ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let slow = serde_json::from_str::<Claims>(&json);
                prop_assert_eq!(Some(&fast), slow.as_ref().ok(), "{}", json);
                // The privilege payload inside, through both paths.
                if let Some(p) = fast.payload.as_deref().and_then(privilege) {
                    let slow = PrivilegePayload::parse_with_serde(fast.payload_str());
                    prop_assert_eq!(Some(&p), slow.as_ref().ok(), "{}", json);
                }
            }
        }

        #[test]
        fn fast_privilege_agrees_with_serde(doc in privilege_doc(), tail in tail()) {
            let json = format!("{doc}{tail}");
            if let Some(fast) = privilege(&json) {
                PRIVILEGE_ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let slow = PrivilegePayload::parse_with_serde(&json);
                prop_assert_eq!(Some(&fast), slow.as_ref().ok(), "{}", json);
            }
        }
    }

    proptest! {
        #[test]
        fn find_special_is_a_plain_search(bytes in prop::collection::vec(
            prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>(), 1 => Just(b'"'), 1 => Just(b'\\')],
            0..40,
        )) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(find_special(&bytes), naive);
        }
    }

    #[test]
    fn the_properties_exercise_the_fast_path() {
        fast_claims_agree_with_serde();
        fast_privilege_agrees_with_serde();
        println!(
            "fast path accepted {} claims and {} privilege documents",
            CLAIMS_ACCEPTED.load(Ordering::Relaxed),
            PRIVILEGE_ACCEPTED.load(Ordering::Relaxed)
        );
        // Guards against generators that never produce an accepted document.
        assert!(CLAIMS_ACCEPTED.load(Ordering::Relaxed) > 300);
        assert!(PRIVILEGE_ACCEPTED.load(Ordering::Relaxed) > 300);
    }

    #[test]
    fn minted_shapes_take_the_fast_path() {
        let mut payload = Vec::new();
        write_privilege(&mut payload, "room-4711", true, true, Some(&["stream-1"]));
        let mut json = Vec::new();
        write_claims(
            &mut json,
            1_234_567_890,
            "user-12345",
            42,
            1,
            3601,
            &payload,
        );
        let json = String::from_utf8(json).unwrap();
        let fast = claims(&json).expect("claims in the subset");
        assert_eq!(fast, serde_json::from_str::<Claims>(&json).unwrap());
        let p = privilege(fast.payload_str()).expect("payload in the subset");
        assert_eq!(
            p,
            PrivilegePayload::new("room-4711")
                .publish_stream(true)
                .stream_ids(["stream-1"])
        );
        // Python's `json.dumps` defaults escape non-ASCII as `\u`: outside the subset.
        assert_eq!(
            privilege(r#"{"room_id": "\u623f", "privilege": {"1": 1, "2": 1}}"#),
            None
        );
        // Duplicates and unknown keys go to serde, which decides.
        assert_eq!(claims(r#"{"app_id":1,"app_id":2}"#), None);
        assert_eq!(privilege(r#"{"room_id":"r","privilege":{},"x":1}"#), None);
    }
}
