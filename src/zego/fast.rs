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

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace, then consumes `c`.
    fn eat(&mut self, c: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// Skips whitespace, then consumes `word` (`null`).
    fn eat_word(&mut self, word: &str) -> Option<()> {
        self.skip_ws();
        let rest = self.text.get(self.pos..)?;
        rest.starts_with(word).then(|| self.pos += word.len())
    }

    /// Whether the next value (after whitespace) is `null`; consumes it if so.
    fn null(&mut self) -> bool {
        self.eat_word("null").is_some()
    }

    /// A string: borrowed when it has no escape, else unescaped into a new `String` (short escapes
    /// only; `\u` and raw control characters are outside the subset).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.pos;
        let bytes = self.text.as_bytes().get(start..)?;
        // First pass: find the closing quote, stepping over escapes.
        let mut i = 0;
        let mut escaped = false;
        let end = loop {
            i += find_special(bytes.get(i..)?)?;
            match bytes.get(i)? {
                b'"' => break i,
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                _ => return None,
            }
        };
        self.pos = start + end + 1;
        // Both ends are ASCII quotes, so this is on character boundaries.
        let raw = self.text.get(start..start + end)?;
        if !escaped {
            return Some(Cow::Borrowed(raw));
        }
        // Second pass: copy the runs between escapes. Every byte that ends a run is a backslash
        // (the first pass stopped on nothing else), and what follows is one ASCII byte, so the
        // runs are on character boundaries.
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(k) = find_special(rest.as_bytes()) {
            out.push_str(rest.get(..k)?);
            out.push(match rest.as_bytes().get(k + 1)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                _ => return None,
            });
            rest = rest.get(k + 2..)?;
        }
        out.push_str(rest);
        Some(Cow::Owned(out))
    }

    /// A key: a string without escapes of at most 16 bytes, packed as by [`pack`] (longer or
    /// escaped keys are outside the subset).
    fn key(&mut self) -> Option<u128> {
        self.eat(b'"')?;
        let bytes = self.text.as_bytes().get(self.pos..)?;
        let len = find_special(bytes)?;
        if bytes.get(len) != Some(&b'"') || len > 16 {
            return None;
        }
        self.pos += len + 1;
        // One 16-byte load where the text allows (it does for every key but a truncated tail's),
        // masked to the key: cheaper than assembling the bytes, which stalls the load after them.
        let word = match bytes.get(..16) {
            Some(head) => u128::from_le_bytes(head.try_into().ok()?),
            None => pack(bytes.get(..len)?),
        };
        let mask = u128::MAX
            .checked_shr(128 - u32::try_from(8 * len).ok()?)
            .unwrap_or(0);
        Some(word & mask)
    }

    /// An integer of at most 18 digits (so it fits `i64`), no leading zero, fraction or exponent;
    /// a leading `-` only when `signed` (and not `-0`).
    fn integer(&mut self, signed: bool) -> Option<i64> {
        self.skip_ws();
        let negative = signed && self.peek() == Some(b'-');
        let from = self.pos + usize::from(negative);
        let digits = self.text.as_bytes().get(from..)?;
        let mut value = 0i64;
        let mut len = 0;
        for &b in digits.iter().take(19) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value * 10 + i64::from(b - b'0');
            len += 1;
        }
        let next = digits.get(len).copied();
        if len == 0
            || len > 18
            || (len > 1 && digits.first() == Some(&b'0'))
            || matches!(next, Some(b'.' | b'e' | b'E'))
            // serde_json reads `-0` as the float -0.0, which an integer field refuses.
            || (negative && digits.first() == Some(&b'0'))
        {
            return None;
        }
        self.pos = from + len;
        Some(if negative { -value } else { value })
    }

    /// Walks the members of an object, calling `member(key, cursor)` on each with the key packed
    /// (which reads the value and refuses unknown or duplicate keys).
    fn object(&mut self, mut member: impl FnMut(u128, &mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            member(key, self)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Only whitespace is left.
    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }
}

/// The index of the first `"`, `\\` or control character (below 0x20) in `bytes`, eight bytes at
/// a time.
fn find_special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // The classic "has a zero byte" / "has a byte below n" tests: the lowest flagged byte is
        // exact (borrows only spill into higher bytes), which is all a search needs.
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let hits = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | w.wrapping_sub(ONES * 0x20) & !w)
            & HIGH;
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| base + i)
}

/// Packs a key of at most 16 bytes into an integer, little-endian, zero-padded (keys with a zero
/// byte never reach the comparison: raw control characters are outside the subset).
const fn pack(key: &[u8]) -> u128 {
    let mut v = 0u128;
    let mut shift = 0;
    let mut rest = key;
    while let [b, tail @ ..] = rest {
        v |= (*b as u128) << shift;
        shift += 8;
        rest = tail;
    }
    v
}

const APP_ID: u128 = pack(b"app_id");
const USER_ID: u128 = pack(b"user_id");
const NONCE: u128 = pack(b"nonce");
const CTIME: u128 = pack(b"ctime");
const EXPIRE: u128 = pack(b"expire");
const PAYLOAD: u128 = pack(b"payload");
const ROOM_ID: u128 = pack(b"room_id");
const PRIVILEGE: u128 = pack(b"privilege");
const STREAM_ID_LIST: u128 = pack(b"stream_id_list");
const LOGIN_ROOM: u128 = pack(b"1");
const PUBLISH_STREAM: u128 = pack(b"2");

/// Marks bit `bit` of `seen`; `None` if it was already set (a duplicate key).
fn first_time(seen: &mut u32, bit: u32) -> Option<()> {
    let mask = 1u32 << bit;
    (*seen & mask == 0).then(|| *seen |= mask)
}

/// Reads the claims JSON if it is in the subset described in the module docs.
pub(super) fn claims(json: &str) -> Option<Claims> {
    let mut c = Cursor::new(json);
    let (mut app_id, mut user_id) = (None, None);
    let (mut nonce, mut ctime, mut expire) = (None, None, None);
    let mut payload = None;
    let mut seen = 0u32;
    c.object(|key, c| {
        match key {
            APP_ID => {
                first_time(&mut seen, 0)?;
                app_id = Some(c.integer(false)?);
            }
            USER_ID => {
                first_time(&mut seen, 1)?;
                user_id = Some(c.string()?.into_owned());
            }
            NONCE => {
                first_time(&mut seen, 2)?;
                nonce = Some(c.integer(true)?);
            }
            CTIME => {
                first_time(&mut seen, 3)?;
                ctime = Some(c.integer(true)?);
            }
            EXPIRE => {
                first_time(&mut seen, 4)?;
                expire = Some(c.integer(true)?);
            }
            PAYLOAD => {
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
    c.object(|key, c| {
        match key {
            ROOM_ID => {
                first_time(&mut seen, 0)?;
                room_id = Some(c.string()?.into_owned());
            }
            PRIVILEGE => {
                first_time(&mut seen, 1)?;
                let (mut login, mut publish) = (false, false);
                let mut seen_flag = 0u32;
                c.object(|key, c| {
                    let (bit, target) = match key {
                        LOGIN_ROOM => (0, &mut login),
                        PUBLISH_STREAM => (1, &mut publish),
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
            STREAM_ID_LIST => {
                first_time(&mut seen, 2)?;
                if c.null() {
                    return Some(());
                }
                let mut ids = Vec::new();
                c.eat(b'[')?;
                c.skip_ws();
                if c.peek() == Some(b']') {
                    c.pos += 1;
                } else {
                    loop {
                        ids.push(c.string()?.into_owned());
                        c.skip_ws();
                        match c.peek()? {
                            b',' => c.pos += 1,
                            b']' => {
                                c.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                stream_id_list = Some(ids);
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

    proptest! {
        #[test]
        fn keys_pack_whatever_follows(key in "[a-z_0-9]{0,18}", tail in "[:a-z0-9 ]{0,20}") {
            let text = format!("\"{key}\"{tail}");
            let mut c = Cursor::new(&text);
            let packed = c.key();
            if key.len() <= 16 {
                prop_assert_eq!(packed, Some(pack(key.as_bytes())));
                prop_assert_eq!(c.pos, key.len() + 2);
            } else {
                prop_assert_eq!(packed, None);
            }
        }
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
