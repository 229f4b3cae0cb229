//! Lenient readers for proto3 JSON and the vendors' loosely typed callback fields: integers as
//! JSON numbers or decimal strings, enums by name or number, `null` as "not set", and an object
//! reader that refuses duplicate keys.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// An integer sent as a JSON number (integral) or a decimal string (proto3 JSON int64).
struct FlexInt(i64);

impl<'de> Deserialize<'de> for FlexInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FlexInt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer (JSON number or decimal string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FlexInt, E> {
                Ok(FlexInt(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FlexInt, E> {
                i64::try_from(v)
                    .map(FlexInt)
                    .map_err(|_| E::custom("integer out of range"))
            }
            #[allow(clippy::cast_possible_truncation)] // integral and range checked
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FlexInt, E> {
                // proto3 JSON accepts an integral number written with an exponent or `.0`.
                if v.fract() == 0.0 && (-9.0e18..9.0e18).contains(&v) {
                    Ok(FlexInt(v as i64))
                } else {
                    Err(E::custom("expected an integer"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexInt, E> {
                v.parse::<i64>()
                    .map(FlexInt)
                    .map_err(|_| E::custom(format!("{v:?} is not an integer")))
            }
        }
        d.deserialize_any(V)
    }
}

/// `Option<i64>` from a number, a decimal string or `null`.
pub(super) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<FlexInt>::deserialize(d)?.map(|v| v.0))
}

/// A string, `null` meaning empty.
pub(super) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A bool, `null` meaning false.
pub(super) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or_default())
}

/// An enum sent by name (kept as sent, unknown names included) or by number (mapped to its name
/// through `names`, indexed by value; unknown numbers kept as their decimal text).
pub(super) fn enum_value<'de, D: Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<Option<String>, D::Error> {
    struct V(&'static [&'static str]);
    impl Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an enum name or number")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
            let name = usize::try_from(v).ok().and_then(|i| self.0.get(i));
            Ok(Some(
                name.map_or_else(|| v.to_string(), |n| (*n).to_owned()),
            ))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
            match i64::try_from(v) {
                Ok(i) => self.visit_i64(i),
                Err(_) => Err(E::custom("enum number out of range")),
            }
        }
    }
    d.deserialize_any(V(names))
}

/// A JSON object whose keys are unique (serde_json's `Map` silently keeps the last duplicate).
pub(super) struct UniqueObject(pub(super) Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueObject, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(format!("duplicate key {key:?}")));
                    }
                    let value: Value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses `text` as one JSON object with unique top-level keys.
pub(super) fn object(text: &str) -> Result<Map<String, Value>, String> {
    if text.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{') {
        return Err("not a JSON object".into());
    }
    serde_json::from_str::<UniqueObject>(text)
        .map(|o| o.0)
        .map_err(|e| format!("not valid JSON: {e}"))
}

/// A string value, or the decimal text of an integral number.
pub(super) fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// An integer value: an integral number or a decimal string.
pub(super) fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "int")]
        n: Option<i64>,
    }

    #[test]
    fn ints_from_numbers_and_strings() {
        let t: T = serde_json::from_str(r#"{"n":"1767225600"}"#).unwrap();
        assert_eq!(t.n, Some(1_767_225_600));
        let t: T = serde_json::from_str(r#"{"n":5}"#).unwrap();
        assert_eq!(t.n, Some(5));
        let t: T = serde_json::from_str(r#"{"n":null}"#).unwrap();
        assert_eq!(t.n, None);
        assert!(serde_json::from_str::<T>(r#"{"n":"x"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n":1.5}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n":true}"#).is_err());
    }

    #[test]
    fn objects_refuse_duplicates() {
        assert!(object(r#"{"a":1,"a":2}"#).is_err());
        assert!(object("[1]").is_err());
        assert!(object("ok").is_err());
        assert_eq!(object(r#" {"a":1}"#).unwrap().len(), 1);
    }
}
