//! Known-key schemas for the JSON a user hands to a minter, and for the JSON a decoder reads.
//!
//! Minters refuse a key they do not know ([`Error::UnknownField`], naming the key and the closest
//! known one), so a typo such as `canPublsh` never silently mints a more permissive token.
//! Decoders keep unknown keys and list them ([`UnknownKey`]) instead of dropping them.
//!
//! A [`Shape`] describes which keys an object may hold; values are type-checked by serde
//! afterwards. Protobuf-backed objects list both the lowerCamel and the original field name, as
//! the proto3 JSON mapping reads either.

use std::fmt;

use serde_json::Value;

use crate::error::Error;
use crate::vendor::Vendor;

/// One key of an object [`Shape`]: its name, the other spelling the reader accepts (the proto
/// field name of a proto3 JSON message), and the shape of its value.
#[derive(Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub shape: &'static Shape,
}

impl Field {
    pub(crate) const fn leaf(name: &'static str) -> Self {
        Field {
            name,
            alias: None,
            shape: &Shape::Leaf,
        }
    }

    pub(crate) const fn proto(name: &'static str, proto_name: &'static str) -> Self {
        Field {
            name,
            alias: Some(proto_name),
            shape: &Shape::Leaf,
        }
    }

    pub(crate) const fn nested(
        name: &'static str,
        alias: Option<&'static str>,
        shape: &'static Shape,
    ) -> Self {
        Field { name, alias, shape }
    }
}

/// What keys a JSON value may hold.
pub(crate) enum Shape {
    /// A value whose type serde checks; no keys to check.
    Leaf,
    /// An object with exactly these keys (each optional).
    Object(&'static [Field]),
    /// An array of values of this shape.
    Array(&'static Shape),
    /// An object with free keys whose values are strings (attributes, tags).
    StringMap,
    /// Free-form JSON kept verbatim.
    Raw,
}

/// A key a decoder found but does not know, kept and reported instead of dropped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct UnknownKey {
    /// Where it is, as a dotted path with array indices (`video.canPublsh`,
    /// `roomConfig.agents[0].x`); the key itself is the last segment.
    pub path: String,
    /// The known key closest to it, if the object has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<&'static str>,
}

impl UnknownKey {
    /// The unknown key itself (the last segment of the path).
    #[must_use]
    pub fn key(&self) -> &str {
        self.path.rsplit_once('.').map_or(&self.path, |(_, k)| k)
    }
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown key `{}`", self.path)?;
        if let Some(c) = self.closest {
            write!(f, " (closest known key: `{c}`)")?;
        }
        Ok(())
    }
}

/// Every key of `value` that `shape` does not know, in document order of the parsed value.
pub(crate) fn unknown_keys(value: &Value, shape: &Shape) -> Vec<UnknownKey> {
    let mut out = Vec::new();
    walk(value, shape, "", &mut out);
    out
}

/// The first unknown key of `value` as the error a minter returns.
pub(crate) fn refuse_unknown(
    value: &Value,
    shape: &Shape,
    vendor: Option<Vendor>,
    what: &'static str,
) -> Result<(), Error> {
    match unknown_keys(value, shape).into_iter().next() {
        None => Ok(()),
        Some(u) => Err(Error::UnknownField {
            vendor,
            what,
            path: u.path,
            closest: u.closest,
        }),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk(value: &Value, shape: &Shape, path: &str, out: &mut Vec<UnknownKey>) {
    match (shape, value) {
        (Shape::Object(fields), Value::Object(map)) => {
            for (key, v) in map {
                match fields
                    .iter()
                    .find(|f| f.name == key || f.alias == Some(key.as_str()))
                {
                    Some(f) => walk(v, f.shape, &join(path, key), out),
                    None => out.push(UnknownKey {
                        path: join(path, key),
                        closest: closest(key, fields.iter().map(|f| f.name)),
                    }),
                }
            }
        }
        (Shape::Array(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The candidate closest to `key` by edit distance, comparing case-insensitively and ignoring
/// `_` (so `can_publish` is closest to `canPublish`).
pub(crate) fn closest<'a>(
    key: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let norm = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let k = norm(key);
    candidates
        .into_iter()
        .map(|c| (distance(&k, &norm(c)), c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// Parses `text` as a JSON object value (for the key check), with `what` in the error.
pub(crate) fn object_value(
    text: &str,
    vendor: Option<Vendor>,
    field: &'static str,
) -> Result<Value, Error> {
    let bad = |reason: String| match vendor {
        Some(v) => Error::request(v, field, reason),
        None => Error::InvalidInput {
            what: field,
            reason: reason.into(),
        },
    };
    if text.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{') {
        return Err(bad("must be a JSON object".into()));
    }
    serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    static INNER: Shape = Shape::Object(&[Field::leaf("canPublish"), Field::leaf("room")]);
    static OUTER: Shape = Shape::Object(&[
        Field::nested("video", None, &INNER),
        Field::nested("list", None, &LIST),
        Field::nested("attributes", None, &Shape::StringMap),
        Field::proto("agentName", "agent_name"),
    ]);
    static LIST: Shape = Shape::Array(&INNER);

    #[test]
    fn finds_unknown_keys_with_the_closest_known_one() {
        let v: Value = serde_json::from_str(
            r#"{"video":{"canPublsh":false,"room":"r"},"list":[{},{"rom":1}],"attributes":{"free":"x"},"agent_name":"a","zzz":1}"#,
        )
        .unwrap();
        let u = unknown_keys(&v, &OUTER);
        let got: Vec<_> = u.iter().map(|u| (u.path.as_str(), u.closest)).collect();
        assert_eq!(
            got,
            [
                ("list[1].rom", Some("room")),
                ("video.canPublsh", Some("canPublish")),
                ("zzz", Some("list")),
            ]
        );
        assert_eq!(u.get(1).unwrap().key(), "canPublsh");
    }

    #[test]
    fn closest_ignores_case_and_underscores() {
        assert_eq!(
            closest("can_publish", ["room", "canPublish", "canSubscribe"]),
            Some("canPublish")
        );
        assert_eq!(closest("x", []), None);
    }
}
