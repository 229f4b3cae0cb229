//! proto3 JSON messages (LiveKit's `WebhookEvent` and the messages inside it) declared once, read
//! two ways.
//!
//! [`message!`] takes one table per message — each field's Rust name, kind, JSON name and
//! snake_case alias — and generates the struct, its `Serialize`, a serde `Deserialize` (the
//! reference reader: serde_json's tokenizer, the [`flex`](super::flex) value rules, duplicate
//! fields refused, unknown fields ignored) and `read_fast`, a hand-written reader over
//! [`Cursor`]. The fast reader handles the common subset — keys without escapes, strings
//! without `\u` escapes, integers of at most 18 digits, nesting up to [`MAX_DEPTH`] — and returns
//! `None` for anything else (a float, a duplicate field, an agent `job`, bad syntax), so the caller
//! falls back to serde, which accepts or refuses with its usual messages. For every body the fast
//! reader accepts, serde yields the same value (a property test and a fuzz target check this).
//!
//! Field kinds: `Str` (`String`, `null` = empty), `Name` (as `Str`, always serialised), `Int`
//! (`Option<i64>` from a number or a decimal string), `Bool` (`null` = false), `Enum(NAMES)`
//! (`Option<String>`: a name as sent, a number mapped through `NAMES`), `Attrs`
//! (`BTreeMap<String, String>`), `Msg(T)` (`Option<T>`), `Raw` (`Option<Map<String, Value>>`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use super::flex;
use crate::json::read::Cursor;

/// Deepest nesting the fast reader follows; deeper bodies go to serde (whose limit is 128).
pub(super) const MAX_DEPTH: u32 = 32;

/// A key as serde_json hands it over: borrowed from the body unless it had an escape.
pub(super) struct Key<'de>(pub(super) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// `Str` / `Name` through serde.
pub(super) struct Str(pub(super) String);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        flex::string(d).map(Str)
    }
}

/// `Int` through serde.
pub(super) struct Int(pub(super) Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        flex::int(d).map(Int)
    }
}

/// `Bool` through serde.
pub(super) struct Bool(pub(super) bool);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        flex::boolean(d).map(Bool)
    }
}

/// `Attrs` through serde (`null` = empty; a repeated key keeps the last value, as a map does).
pub(super) struct Attrs(pub(super) BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Attrs(
            Option::<BTreeMap<String, String>>::deserialize(d)?.unwrap_or_default(),
        ))
    }
}

/// `Enum(NAMES)` through serde.
pub(super) struct EnumSeed(pub(super) &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for EnumSeed {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        flex::enum_value(d, self.0)
    }
}

/// The fast readers of each kind: `None` means "not in the subset" (never "invalid").
pub(super) mod fast {
    use std::collections::BTreeMap;

    use super::{Cursor, MAX_DEPTH};

    pub(in crate::webhook) fn text(c: &mut Cursor<'_>) -> Option<String> {
        if c.null() {
            return Some(String::new());
        }
        Some(c.string()?.into_owned())
    }

    pub(in crate::webhook) fn int(c: &mut Cursor<'_>) -> Option<Option<i64>> {
        c.skip_ws();
        match c.peek()? {
            b'n' => c.null().then_some(None),
            // The same `str::parse` the serde path uses on the unescaped text.
            b'"' => Some(Some(c.string()?.parse::<i64>().ok()?)),
            _ => Some(Some(c.integer(true)?)),
        }
    }

    pub(in crate::webhook) fn boolean(c: &mut Cursor<'_>) -> Option<bool> {
        if c.null() {
            return Some(false);
        }
        c.boolean()
    }

    pub(in crate::webhook) fn enum_value(
        c: &mut Cursor<'_>,
        names: &'static [&'static str],
    ) -> Option<Option<String>> {
        c.skip_ws();
        match c.peek()? {
            b'n' => c.null().then_some(None),
            b'"' => Some(Some(c.string()?.into_owned())),
            _ => {
                let v = c.integer(true)?;
                let name = usize::try_from(v).ok().and_then(|i| names.get(i));
                Some(Some(
                    name.map_or_else(|| v.to_string(), |n| (*n).to_owned()),
                ))
            }
        }
    }

    pub(in crate::webhook) fn attrs(c: &mut Cursor<'_>) -> Option<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        if c.null() {
            return Some(out);
        }
        c.object(Cursor::string, |k, c| {
            out.insert(k.into_owned(), c.string()?.into_owned());
            Some(())
        })?;
        Some(out)
    }

    /// A message field: `null`, or an object read by `read`.
    pub(in crate::webhook) fn message<T>(
        c: &mut Cursor<'_>,
        depth: u32,
        read: fn(&mut Cursor<'_>, u32) -> Option<T>,
    ) -> Option<Option<T>> {
        c.skip_ws();
        match c.peek()? {
            b'n' => c.null().then_some(None),
            b'{' => read(c, depth + 1).map(Some),
            _ => None,
        }
    }

    /// A raw JSON object field: only `null` is in the subset.
    pub(in crate::webhook) fn raw<T>(c: &mut Cursor<'_>) -> Option<Option<T>> {
        c.null().then_some(None)
    }

    /// Steps over the value of a field the message does not declare, checking its syntax as
    /// serde_json would (anything outside the subset — a float, a `\u` escape — is `None`).
    pub(in crate::webhook) fn skip(c: &mut Cursor<'_>, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        c.skip_ws();
        match c.peek()? {
            b'"' => c.string().map(drop),
            b'{' => c.object(Cursor::string, |_, c| skip(c, depth + 1)),
            b'[' => {
                c.pos += 1;
                c.skip_ws();
                if c.peek()? == b']' {
                    c.pos += 1;
                    return Some(());
                }
                loop {
                    skip(c, depth + 1)?;
                    c.skip_ws();
                    match c.peek()? {
                        b',' => c.pos += 1,
                        b']' => {
                            c.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' | b'f' => c.boolean().map(drop),
            b'n' => c.null().then_some(()),
            _ => c.integer(true).map(drop),
        }
    }
}

/// The Rust type of a field kind.
macro_rules! field_type {
    (Str) => { String };
    (Name) => { String };
    (Int) => { Option<i64> };
    (Bool) => { bool };
    (Enum($names:ident)) => { Option<String> };
    (Attrs) => { std::collections::BTreeMap<String, String> };
    (Msg($t:ident)) => { Option<$t> };
    (Raw) => { Option<serde_json::Map<String, serde_json::Value>> };
}

/// Reads a field's value through serde.
macro_rules! serde_value {
    ($map:ident, Str) => {
        $map.next_value::<$crate::webhook::proto::Str>()?.0
    };
    ($map:ident, Name) => {
        $map.next_value::<$crate::webhook::proto::Str>()?.0
    };
    ($map:ident, Int) => {
        $map.next_value::<$crate::webhook::proto::Int>()?.0
    };
    ($map:ident, Bool) => {
        $map.next_value::<$crate::webhook::proto::Bool>()?.0
    };
    ($map:ident, Enum($names:ident)) => {
        $map.next_value_seed($crate::webhook::proto::EnumSeed($names))?
    };
    ($map:ident, Attrs) => {
        $map.next_value::<$crate::webhook::proto::Attrs>()?.0
    };
    ($map:ident, Msg($t:ident)) => {
        $map.next_value::<Option<$t>>()?
    };
    ($map:ident, Raw) => {
        $map.next_value::<Option<serde_json::Map<String, serde_json::Value>>>()?
    };
}

/// Reads a field's value on the fast path (`?` leaves the subset).
macro_rules! fast_value {
    ($c:ident, $depth:ident, Str) => {
        $crate::webhook::proto::fast::text($c)?
    };
    ($c:ident, $depth:ident, Name) => {
        $crate::webhook::proto::fast::text($c)?
    };
    ($c:ident, $depth:ident, Int) => {
        $crate::webhook::proto::fast::int($c)?
    };
    ($c:ident, $depth:ident, Bool) => {
        $crate::webhook::proto::fast::boolean($c)?
    };
    ($c:ident, $depth:ident, Enum($names:ident)) => {
        $crate::webhook::proto::fast::enum_value($c, $names)?
    };
    ($c:ident, $depth:ident, Attrs) => {
        $crate::webhook::proto::fast::attrs($c)?
    };
    ($c:ident, $depth:ident, Msg($t:ident)) => {
        $crate::webhook::proto::fast::message($c, $depth, $t::read_fast)?
    };
    ($c:ident, $depth:ident, Raw) => {
        $crate::webhook::proto::fast::raw($c)?
    };
}

/// Whether a field is left out of the serialised form (empty, unset; a bool and a `Name` never).
macro_rules! skipped {
    ($v:expr, Str) => {
        $v.is_empty()
    };
    ($v:expr, Name) => {
        false
    };
    ($v:expr, Int) => {
        $v.is_none()
    };
    ($v:expr, Bool) => {
        false
    };
    ($v:expr, Enum($names:ident)) => {
        $v.is_none()
    };
    ($v:expr, Attrs) => {
        $v.is_empty()
    };
    ($v:expr, Msg($t:ident)) => {
        $v.is_none()
    };
    ($v:expr, Raw) => {
        $v.is_none()
    };
}

/// Declares a proto3 JSON message: see the module docs.
macro_rules! message {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $kind:ident $(($arg:ident))? = $json:literal $(| $alias:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $crate::webhook::proto::field_type!($kind $(($arg))?),
            )*
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                let len = 0 $(
                    + usize::from(!$crate::webhook::proto::skipped!(self.$field, $kind $(($arg))?))
                )*;
                let mut st = s.serialize_struct(stringify!($name), len)?;
                $(
                    if $crate::webhook::proto::skipped!(self.$field, $kind $(($arg))?) {
                        st.skip_field($json)?;
                    } else {
                        st.serialize_field($json, &self.$field)?;
                    }
                )*
                st.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a LiveKit ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field = None; )*
                        while let Some(key) = map.next_key::<$crate::webhook::proto::Key<'de>>()? {
                            match key.0.as_ref() {
                                $(
                                    $json $(| $alias)? => {
                                        if $field.is_some() {
                                            return Err(serde::de::Error::duplicate_field($json));
                                        }
                                        $field = Some(
                                            $crate::webhook::proto::serde_value!(map, $kind $(($arg))?)
                                        );
                                    }
                                )*
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok($name { $( $field: $field.unwrap_or_default(), )* })
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl $name {
            /// The fast reader (see the module docs); `None` leaves the decision to serde.
            pub(in crate::webhook) fn read_fast(
                c: &mut $crate::json::read::Cursor<'_>,
                depth: u32,
            ) -> Option<Self> {
                if depth > $crate::webhook::proto::MAX_DEPTH {
                    return None;
                }
                $( let mut $field = None; )*
                c.object($crate::json::read::Cursor::plain_string, |key, c| {
                    match key {
                        $(
                            $json $(| $alias)? => {
                                if $field.is_some() {
                                    return None;
                                }
                                $field = Some(
                                    $crate::webhook::proto::fast_value!(c, depth, $kind $(($arg))?)
                                );
                            }
                        )*
                        _ => $crate::webhook::proto::fast::skip(c, depth + 1)?,
                    }
                    Some(())
                })?;
                Some($name { $( $field: $field.unwrap_or_default(), )* })
            }
        }

        #[cfg(test)]
        impl $name {
            /// The table, for the generator of the agreement test.
            pub(in crate::webhook) const SCHEMA: &'static [$crate::webhook::proto::tests::Field] = &[
                $(
                    $crate::webhook::proto::tests::Field {
                        json: $json,
                        alias: $crate::webhook::proto::schema_alias!($($alias)?),
                        kind: $crate::webhook::proto::schema_kind!($kind $(($arg))?),
                    },
                )*
            ];
        }
    };
}

/// A field kind as the test schema spells it.
#[cfg(test)]
macro_rules! schema_kind {
    (Enum($names:ident)) => {
        $crate::webhook::proto::tests::Kind::Enum($names)
    };
    (Msg($t:ident)) => {
        $crate::webhook::proto::tests::Kind::Msg($t::SCHEMA)
    };
    ($kind:ident) => {
        $crate::webhook::proto::tests::Kind::$kind
    };
}

/// The snake_case alias as the test schema spells it.
#[cfg(test)]
macro_rules! schema_alias {
    () => {
        None
    };
    ($alias:literal) => {
        Some($alias)
    };
}

pub(super) use {fast_value, field_type, message, serde_value, skipped};
#[cfg(test)]
pub(super) use {schema_alias, schema_kind};

#[cfg(test)]
pub(super) mod tests {
    //! The fast reader agrees with serde: on generated `WebhookEvent` bodies (both name
    //! spellings, integers as numbers and strings, enums by name and number, `null`s, escapes,
    //! unknown fields of every JSON type, whitespace, and now and then a duplicate key, a float, a
    //! `\u` escape or a value of the wrong type) the fast reader either steps aside or yields
    //! exactly serde's value, serde's verdict is `LiveKitEvent::parse`'s, and on bodies inside
    //! the subset the fast reader does not step aside.

    use proptest::prelude::*;

    use crate::webhook::LiveKitEvent;

    /// A field of a message table.
    pub(in crate::webhook) struct Field {
        pub(in crate::webhook) json: &'static str,
        pub(in crate::webhook) alias: Option<&'static str>,
        pub(in crate::webhook) kind: Kind,
    }

    /// A field kind (see the module docs).
    pub(in crate::webhook) enum Kind {
        Str,
        Name,
        Int,
        Bool,
        Enum(&'static [&'static str]),
        Attrs,
        Msg(&'static [Field]),
        Raw,
    }

    /// A small deterministic generator (xorshift64*), seeded by proptest.
    struct Gen {
        state: u64,
        /// Whether everything written so far is inside the fast reader's subset.
        plain: bool,
        /// How often (per mille) to leave the subset at each chance.
        odd: u64,
        out: String,
    }

    impl Gen {
        fn next(&mut self) -> u64 {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, per_mille: u64) -> bool {
            self.below(1000) < per_mille
        }
        /// A chance to leave the subset (marks the body as not plain when taken).
        fn odd(&mut self) -> bool {
            let odd = self.chance(self.odd);
            self.plain &= !odd;
            odd
        }
        fn ws(&mut self) {
            if self.chance(150) {
                let ws = [" ", "\n", "\t", "\r\n", "  "];
                let w = ws[self.below(ws.len() as u64) as usize];
                self.out.push_str(w);
            }
        }
        fn string(&mut self) {
            self.out.push('"');
            let n = self.below(12);
            for _ in 0..n {
                let pieces = ["a", "Z", "0", "_", "-", " ", "é", "用户", "😀", "/"];
                let p = pieces[self.below(pieces.len() as u64) as usize];
                self.out.push_str(p);
                if self.chance(40) {
                    let esc = [r#"\""#, r"\\", r"\/", r"\n", r"\t", r"\b", r"\f", r"\r"];
                    let e = esc[self.below(esc.len() as u64) as usize];
                    self.out.push_str(e);
                }
                if self.odd() {
                    let esc = if self.chance(500) {
                        r"\u00e9"
                    } else {
                        r"\ud83d\ude00"
                    };
                    self.out.push_str(esc);
                }
            }
            self.out.push('"');
        }
        fn key(&mut self, name: &str) {
            self.ws();
            if self.odd() {
                // The same name with an escape: serde matches it, the fast reader steps aside.
                let (head, tail) = name.split_at(1);
                self.out.push('"');
                self.out
                    .push_str(&format!("\\u{:04x}", u32::from(head.as_bytes()[0])));
                self.out.push_str(tail);
                self.out.push('"');
            } else {
                self.out.push('"');
                self.out.push_str(name);
                self.out.push('"');
            }
            self.ws();
            self.out.push(':');
            self.ws();
        }
        fn integer(&mut self) {
            let v = match self.below(4) {
                0 => self.below(10) as i64,
                1 => self.below(2_000_000_000_000) as i64,
                2 => -(self.below(1_000_000) as i64) - 1,
                _ => (self.next() >> 8) as i64,
            };
            self.out.push_str(&v.to_string());
        }
        fn wrong(&mut self) {
            let vals = [
                "1.5",
                "1e3",
                "-0",
                "007",
                "true",
                "[]",
                "{}",
                r#""x""#,
                "123456789012345678901",
            ];
            let v = vals[self.below(vals.len() as u64) as usize];
            self.out.push_str(v);
        }
        fn any_value(&mut self, depth: u32) {
            self.ws();
            match self.below(if depth > 3 { 4 } else { 6 }) {
                0 => self.string(),
                1 => self.integer(),
                2 => {
                    let word = ["true", "false", "null"][self.below(3) as usize];
                    self.out.push_str(word);
                }
                3 if self.odd() => self.wrong(),
                3 => self.integer(),
                4 => {
                    self.out.push('{');
                    let n = self.below(3);
                    for i in 0..n {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.ws();
                        self.string();
                        self.out.push(':');
                        self.any_value(depth + 1);
                    }
                    self.out.push('}');
                }
                _ => {
                    self.out.push('[');
                    let n = self.below(3);
                    for i in 0..n {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.any_value(depth + 1);
                    }
                    self.out.push(']');
                }
            }
            self.ws();
        }
        fn value(&mut self, kind: &Kind, depth: u32) {
            if self.chance(50) {
                self.out.push_str("null");
                return;
            }
            if self.odd() {
                self.wrong();
                return;
            }
            match kind {
                Kind::Str | Kind::Name => self.string(),
                Kind::Int => {
                    if self.chance(500) {
                        self.out.push('"');
                        if self.chance(100) {
                            // `str::parse` takes a plus sign (both paths use it).
                            let n = self.below(1 << 40);
                            self.out.push_str(&format!("+{n}"));
                        } else {
                            self.integer();
                        }
                        self.out.push('"');
                    } else {
                        self.integer();
                    }
                }
                Kind::Bool => {
                    let word = if self.chance(500) { "true" } else { "false" };
                    self.out.push_str(word);
                }
                Kind::Enum(names) => {
                    if self.chance(600) {
                        let n = names.len() as u64 + 3;
                        match self.below(n) as usize {
                            i if i < names.len() => {
                                self.out.push_str(&format!("\"{}\"", names[i]));
                            }
                            _ => self.out.push_str(r#""SOMETHING_NEW""#),
                        }
                    } else if self.chance(100) {
                        self.out.push_str("-3");
                    } else {
                        let n = self.below(names.len() as u64 + 3);
                        self.out.push_str(&n.to_string());
                    }
                }
                Kind::Attrs => {
                    self.out.push('{');
                    let n = self.below(4);
                    for i in 0..n {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.ws();
                        // A repeated attribute key keeps the last value on both paths.
                        if self.chance(200) {
                            self.out.push_str(r#""k""#);
                        } else {
                            self.string();
                        }
                        self.out.push(':');
                        self.ws();
                        self.string();
                    }
                    self.out.push('}');
                }
                Kind::Msg(schema) => self.message(schema, depth + 1),
                // Agent jobs are outside the subset.
                Kind::Raw if self.odd() => self.any_value(depth + 1),
                Kind::Raw => self.out.push_str("null"),
            }
        }
        fn message(&mut self, schema: &[Field], depth: u32) {
            self.ws();
            self.out.push('{');
            let mut first = true;
            let mut comma = |g: &mut Gen| {
                if !first {
                    g.out.push(',');
                }
                first = false;
            };
            for field in schema {
                if !self.chance(700) {
                    continue;
                }
                let repeats = if self.odd() { 2 } else { 1 };
                for _ in 0..repeats {
                    comma(self);
                    let name = match field.alias {
                        Some(alias) if self.chance(300) => alias,
                        _ => field.json,
                    };
                    self.key(name);
                    self.value(&field.kind, depth);
                    self.ws();
                }
                if self.chance(150) {
                    comma(self);
                    let names = ["version", "permission", "region", "isPublisher", "x"];
                    let name = names[self.below(names.len() as u64) as usize];
                    self.key(name);
                    self.any_value(depth + 1);
                }
            }
            self.out.push('}');
        }
    }

    fn body(seed: u64, odd: u64) -> (String, bool) {
        let mut g = Gen {
            state: seed | 1,
            plain: true,
            odd,
            out: String::new(),
        };
        g.message(LiveKitEvent::SCHEMA, 0);
        g.ws();
        (g.out, g.plain)
    }

    fn check(text: &str, plain: bool) -> Result<(), TestCaseError> {
        let serde = serde_json::from_str::<LiveKitEvent>(text);
        let fast = LiveKitEvent::parse_fast(text);
        match (&fast, &serde) {
            (Some(f), Ok(s)) => prop_assert_eq!(f, s, "{}", text),
            (Some(_), Err(e)) => {
                prop_assert!(false, "fast path accepted what serde refuses ({e}): {text}")
            }
            (None, _) => prop_assert!(!plain, "fast path stepped aside on a plain body: {text}"),
        }
        let parsed = LiveKitEvent::parse(text);
        prop_assert_eq!(parsed.is_ok(), serde.is_ok(), "{}", text);
        prop_assert_eq!(parsed.ok(), serde.ok());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_path_agrees_with_serde_on_plain_events(seed in any::<u64>()) {
            let (text, plain) = body(seed, 0);
            prop_assert!(plain);
            check(&text, plain)?;
        }

        #[test]
        fn fast_path_agrees_with_serde_on_odd_events(seed in any::<u64>(), odd in 1u64..80) {
            let (text, plain) = body(seed, odd);
            check(&text, plain)?;
        }

        /// Arbitrary truncations and one-byte edits of a plain event: both paths agree.
        #[test]
        fn fast_path_agrees_with_serde_on_damaged_events(seed in any::<u64>(), cut in any::<usize>(), byte in any::<u8>()) {
            let (text, _) = body(seed, 0);
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() {
                let i = cut % bytes.len();
                if byte % 2 == 0 {
                    bytes.truncate(i);
                } else {
                    bytes[i] = b" {}[],:\"\\0-tfn1e."[usize::from(byte / 2) % 17];
                }
            }
            if let Ok(text) = String::from_utf8(bytes) {
                check(&text, false)?;
            }
        }
    }

    #[test]
    fn the_bench_body_takes_the_fast_path() {
        let text = r#"{"event":"participant_joined","room":{"sid":"RM_1","name":"demo","creationTime":"1767225598","numParticipants":2},"participant":{"sid":"PA_1","identity":"alice","state":"ACTIVE","joinedAt":"1767225599","version":2,"permission":{"canSubscribe":true,"canPublish":true},"region":"us-east","attributes":{"role":"host"},"metadata":"m"},"id":"EV_1","createdAt":"1767225600"}"#;
        let fast = LiveKitEvent::parse_fast(text).unwrap();
        assert_eq!(fast, serde_json::from_str::<LiveKitEvent>(text).unwrap());
        assert_eq!(fast.participant.unwrap().state.as_deref(), Some("ACTIVE"));
        // Outside the subset: serde decides.
        for odd in [
            r#"{"event":"x","event":"y"}"#,
            r#"{"createdAt":1.5}"#,
            r#"{"job":{"id":"J"}}"#,
            r#"{"ev\u0065nt":"room_started"}"#,
        ] {
            assert!(LiveKitEvent::parse_fast(odd).is_none(), "{odd}");
        }
        assert_eq!(
            LiveKitEvent::parse(r#"{"ev\u0065nt":"room_started"}"#)
                .unwrap()
                .event,
            "room_started"
        );
        assert!(LiveKitEvent::parse(r#"{"event":"x","event":"y"}"#).is_err());
    }
}
