//! A tiny JSON writer in the exact style of ZEGO's Python generator (and of `serde_json`): no
//! whitespace, raw UTF-8 for non-ASCII (Python's `ensure_ascii=False`), `/` not escaped, only `"`,
//! `\` and control characters escaped, short escapes `\b \f \n \r \t` and lower-case `\u00xx` for
//! the other control characters. Writes straight into a byte buffer without intermediate strings.

pub(crate) mod read;
pub(crate) mod unique;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// What a byte turns into inside a JSON string: 0 = itself, `u` = `\u00xx`, else `\<byte>`.
#[inline]
const fn escape_of(b: u8) -> u8 {
    match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        0x00..=0x1f => b'u',
        _ => 0,
    }
}

/// Appends `s` as a quoted JSON string. `s` must be UTF-8 (or UTF-8 produced by this module); only
/// ASCII bytes are ever rewritten, so the output stays UTF-8.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    // Almost every string needs no escape; this branch-free scan vectorises.
    if !s.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.extend_from_slice(s);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let esc = escape_of(b);
        if esc == 0 {
            continue;
        }
        if let Some(run) = s.get(start..i) {
            out.extend_from_slice(run);
        }
        if esc == b'u' {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
        } else {
            out.extend_from_slice(&[b'\\', esc]);
        }
        start = i + 1;
    }
    if let Some(run) = s.get(start..) {
        out.extend_from_slice(run);
    }
    out.push(b'"');
}

/// Appends the decimal form of an unsigned integer.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    loop {
        pos -= 1;
        if let Some(slot) = buf.get_mut(pos) {
            // `v % 10` is below 10, so the cast cannot truncate.
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || pos == 0 {
            break;
        }
    }
    if let Some(digits) = buf.get(pos..) {
        out.extend_from_slice(digits);
    }
}

/// Appends the decimal form of a signed integer.
pub(crate) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Writes one JSON object member by member, in the order given: `{` before the first member, `,`
/// between members, `}` at [`Object::close`]. Keys are written verbatim (the callers' keys are
/// ASCII names that need no escape); values as by [`write_str`], [`write_u64`], [`write_i64`].
pub(crate) struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    /// Starts an object at the end of `out`.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Writes `"key":` (after a `,` unless it is the first member) and returns the buffer for the
    /// value.
    pub(crate) fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        &mut *self.out
    }

    /// A string member.
    pub(crate) fn str(&mut self, key: &str, value: &[u8]) -> &mut Self {
        write_str(self.key(key), value);
        self
    }

    /// A string member for a long value that rarely needs an escape (a token): found out eight
    /// bytes at a time, then copied; the same bytes as [`Object::str`].
    pub(crate) fn long_str(&mut self, key: &str, value: &[u8]) -> &mut Self {
        let out = self.key(key);
        if read::find_special(value).is_some() {
            write_str(out, value);
        } else {
            out.reserve(value.len() + 2);
            out.push(b'"');
            out.extend_from_slice(value);
            out.push(b'"');
        }
        self
    }

    /// A string member, or `null`.
    pub(crate) fn str_or_null(&mut self, key: &str, value: Option<&[u8]>) -> &mut Self {
        match value {
            Some(v) => write_str(self.key(key), v),
            None => self.key(key).extend_from_slice(b"null"),
        }
        self
    }

    /// An unsigned integer member.
    pub(crate) fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        write_u64(self.key(key), value);
        self
    }

    /// A signed integer member.
    pub(crate) fn i64(&mut self, key: &str, value: i64) -> &mut Self {
        write_i64(self.key(key), value);
        self
    }

    /// A member whose value is already JSON text.
    pub(crate) fn raw(&mut self, key: &str, json: &[u8]) -> &mut Self {
        self.key(key).extend_from_slice(json);
        self
    }

    /// Ends the object.
    pub(crate) fn close(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, v.as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn matches_serde_json() {
        for v in [
            "",
            "user1",
            "a\"b\\c/d",
            "line1\nline2\t\u{1f}",
            "\u{0}\u{7}\u{8}\u{b}\u{c}\r\u{7f}",
            "用户甲😀",
            "<b>&amp;</b>\u{2028}",
        ] {
            assert_eq!(s(v), serde_json::to_string(v).unwrap(), "{v:?}");
        }
    }

    #[test]
    fn integers() {
        for v in [0i64, 1, -1, 9, 10, 1_700_000_000, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
        let mut out = Vec::new();
        write_u64(&mut out, u64::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), u64::MAX.to_string());
    }

    #[test]
    fn objects_match_serde_json() {
        let mut out = Vec::new();
        Object::new(&mut out).close();
        let mut o = Object::new(&mut out);
        o.u64("a", 1)
            .str("b", b"x\"y")
            .long_str("b2", b"x\\y\n")
            .long_str("b3", b"eyJ.abc-_+/=")
            .i64("c", -2)
            .str_or_null("d", None)
            .str_or_null("e", Some(b""))
            .raw("f", b"[1,2]");
        o.key("g").push(b'7');
        o.close();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{}{"a":1,"b":"x\"y","b2":"x\\y\n","b3":"eyJ.abc-_+/=","c":-2,"d":null,"e":"","f":[1,2],"g":7}"#
        );
    }
}
