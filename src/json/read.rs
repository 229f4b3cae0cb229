//! Reading JSON for the hand-written fast paths (LiveKit claims, ZEGO claims and privilege
//! payload). Each fast path accepts only a narrow subset and returns `None` for anything else, so
//! its caller falls back to serde_json; these are the shared primitives.

use std::borrow::Cow;

/// A position in JSON text.
pub(crate) struct Cursor<'a> {
    pub(crate) text: &'a str,
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace, then consumes `c`.
    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// Skips whitespace, then consumes `word` (`null`).
    pub(crate) fn eat_word(&mut self, word: &str) -> Option<()> {
        self.skip_ws();
        let rest = self.text.get(self.pos..)?;
        rest.starts_with(word).then(|| self.pos += word.len())
    }

    /// Whether the next value (after whitespace) is `null`; consumes it if so.
    pub(crate) fn null(&mut self) -> bool {
        self.eat_word("null").is_some()
    }

    /// A string: borrowed when it has no escape, else unescaped into a new `String` (short escapes
    /// only; `\u` and raw control characters are outside the subset).
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
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

    /// An integer of at most 18 digits (so it fits `i64`), no leading zero, fraction or exponent;
    /// a leading `-` only when `signed` (and not `-0`).
    pub(crate) fn integer(&mut self, signed: bool) -> Option<i64> {
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
            // A 19th digit (refused below) may overflow: wrap rather than panic.
            value = value.wrapping_mul(10).wrapping_add(i64::from(b - b'0'));
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

    /// Walks the members of an object: `key` reads each key, `member(key, cursor)` its value
    /// (refusing unknown or duplicate keys). The keys of a record (known field names) are read
    /// with [`Cursor::plain_string`], the one key style of the fast paths (an escaped key is
    /// outside the subset); free keys of a map (attributes) with [`Cursor::string`].
    pub(crate) fn object<K>(
        &mut self,
        key: impl Fn(&mut Self) -> Option<K>,
        mut member: impl FnMut(K, &mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            let k = key(self)?;
            self.eat(b':')?;
            member(k, self)?;
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

    /// An array whose elements `item` reads (`[]` is empty).
    pub(crate) fn array<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.eat(b'[')?;
        self.skip_ws();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// Only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }

    /// A string without escapes or control characters.
    pub(crate) fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let len = find_special(self.text.as_bytes().get(start..)?)?;
        self.pos = start + len;
        // Stopped on an escape or control character (even whitespace): not in the subset.
        (self.peek()? == b'"').then(|| self.pos += 1)?;
        // Both ends are ASCII quotes, so this is on character boundaries.
        self.text.get(start..start + len)
    }

    pub(crate) fn boolean(&mut self) -> Option<bool> {
        self.skip_ws();
        let rest = self.text.get(self.pos..)?;
        let (value, len) = if rest.starts_with("true") {
            (true, 4)
        } else if rest.starts_with("false") {
            (false, 5)
        } else {
            return None;
        };
        self.pos += len;
        Some(value)
    }
}

/// The index of the first `"`, `\\` or control character (below 0x20) in `bytes`, eight bytes at
/// a time.
pub(crate) fn find_special(bytes: &[u8]) -> Option<usize> {
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

/// Marks bit `bit` of `seen`; `None` if it was already set (a duplicate key).
pub(crate) fn first_time(seen: &mut u32, bit: u32) -> Option<()> {
    let mask = 1u32 << bit;
    (*seen & mask == 0).then(|| *seen |= mask)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// A key is read up to its closing quote whatever follows; an escape or a control
        /// character in it puts it outside the subset.
        #[test]
        fn keys_are_read_whatever_follows(
            key in "[a-z_0-9\\\\\t]{0,24}",
            tail in "[:a-z0-9 \\\"]{0,20}",
        ) {
            let text = format!("\"{key}\"{tail}");
            let mut c = Cursor::new(&text);
            let read = c.plain_string();
            if key.contains(['\\', '\t']) {
                prop_assert_eq!(read, None);
            } else {
                prop_assert_eq!(read, Some(key.as_str()));
                prop_assert_eq!(c.pos, key.len() + 2);
            }
        }
    }

    #[test]
    fn arrays() {
        fn read(text: &str) -> Option<Vec<&str>> {
            Cursor::new(text).array(Cursor::plain_string)
        }
        assert_eq!(read("[]"), Some(vec![]));
        assert_eq!(read(" [ ] "), Some(vec![]));
        assert_eq!(read("[\"a\", \"b\" ]"), Some(vec!["a", "b"]));
        for bad in ["[", "[\"a\",]", "[,]", "[\"a\" \"b\"]", "[1]", "{}", "null"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }
}
