//! Finding an object key written twice, for the readers that must refuse one.
//!
//! JSON leaves duplicate keys undefined: serde_json's `Value` keeps the last, a derived struct
//! errs, other parsers keep the first. Where two readers of one document may differ (a ZEGO
//! privilege payload read by rtcmint and by ZEGO's server), a duplicate is refused instead.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The path of the first key serde_json meets twice in one object of `text` (`room_id`,
/// `privilege.1`, `list[2].a`; keys compared after unescaping, so `"room\u005fid"` repeats
/// `"room_id"`), or `None` when every object's keys are unique or the text is not JSON before a
/// repeat is met.
pub(crate) fn duplicate_key(text: &str) -> Option<String> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    // The walk stops (with an error) at the first duplicate; any other error only means the text
    // is not JSON, which the callers judge on their own.
    let _ = Walk {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de);
    found.into_inner()
}

/// Visits any JSON value, remembering where it is.
struct Walk<'f> {
    path: String,
    found: &'f RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let item = Walk {
                path: format!("{}[{i}]", self.path),
                found: self.found,
            };
            if seq.next_element_seed(item)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !keys.insert(key) {
                *self.found.borrow_mut() = Some(path);
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value_seed(Walk {
                path,
                found: self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn finds_the_first_repeat_at_any_depth() {
        assert_eq!(duplicate_key(r#"{"a":1,"b":2}"#), None);
        assert_eq!(
            duplicate_key(r#"{"room_id":"a","room_id":"b"}"#).as_deref(),
            Some("room_id")
        );
        assert_eq!(
            duplicate_key(r#"{"privilege":{"1":1,"2":0,"1":0}}"#).as_deref(),
            Some("privilege.1")
        );
        assert_eq!(
            duplicate_key(r#"{"l":[{"x":1},{"y":1,"y":2}]}"#).as_deref(),
            Some("l[1].y")
        );
        // Escapes are compared after unescaping.
        assert_eq!(
            duplicate_key(r#"{"room_id":"a","room\u005fid":"b"}"#).as_deref(),
            Some("room_id")
        );
        // The same key in two objects is no repeat; not JSON is no repeat.
        assert_eq!(duplicate_key(r#"[{"a":1},{"a":2}]"#), None);
        assert_eq!(duplicate_key("hello"), None);
        assert_eq!(duplicate_key(""), None);
        // Deep nesting hits serde_json's recursion limit, not the stack.
        let deep = "[".repeat(100_000);
        assert_eq!(duplicate_key(&deep), None);
    }
}
