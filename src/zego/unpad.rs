//! The CBC rejection path of constant shape: PKCS#7 unpadding and UTF-8 validation of a
//! decrypted token04 in one pass whose work depends only on the ciphertext length.
//!
//! A CBC token has no integrity check, so an attacker who can time the verifier may learn from
//! *where* a forged plaintext is refused (the classic padding oracle: bad padding returned sooner
//! than good padding followed by bad UTF-8). Here every byte is visited once whatever it holds,
//! padding and UTF-8 validity are computed without data-dependent branches or early exits, and
//! the caller turns any failure into one opaque error. What CBC can still leak is in SECURITY.md.

use subtle::{ConditionallySelectable as _, ConstantTimeEq as _, ConstantTimeLess as _};

use super::CBC_IV_LEN;

/// The length of the plaintext in `buf` (a whole number of decrypted blocks) if its PKCS#7
/// padding is valid and the plaintext before it is UTF-8, else `None`. The same operations run
/// for every `buf` of a given length; only the final `Option` depends on the content.
pub(crate) fn plaintext_len(buf: &[u8]) -> Option<usize> {
    let len = buf.len();
    if len < CBC_IV_LEN || !len.is_multiple_of(CBC_IV_LEN) {
        return None; // public: the ciphertext length
    }
    let (head, last) = buf.split_at(len - CBC_IV_LEN);
    // Padding: the last byte `p` must be 1..=16 and the last `p` bytes must all equal it.
    let pad = last.last().copied().unwrap_or(0);
    let mut pad_ok = !pad.ct_eq(&0) & pad.ct_lt(&17);
    for (j, &b) in last.iter().rev().enumerate() {
        let j = u8::try_from(j).unwrap_or(u8::MAX); // j < 16
        let in_pad = j.ct_lt(&pad);
        pad_ok &= !in_pad | b.ct_eq(&pad);
    }
    // With bad padding any length would do; take the whole last block as padding.
    let pad_len = u8::conditional_select(&16, &pad, pad_ok);
    let keep = CBC_IV_LEN - usize::from(pad_len); // bytes of `last` that are plaintext
    // UTF-8 over the head (always plaintext), then over `last` with the padding masked to NUL,
    // which keeps a complete sequence valid and makes a truncated one invalid.
    let mut state = Utf8::ACCEPT;
    for &b in head {
        state = Utf8::step(state, b);
    }
    for (i, &b) in last.iter().enumerate() {
        // 1 when i < keep (the top bit of i - keep, both below 17), else 0, without a branch.
        let bit = u8::from((i.wrapping_sub(keep) >> (usize::BITS - 1)) == 1);
        state = Utf8::step(state, b & bit.wrapping_neg());
    }
    let ok = pad_ok & state.ct_eq(&Utf8::ACCEPT);
    bool::from(ok).then_some(len - usize::from(pad_len))
}

/// A table-driven UTF-8 validator (RFC 3629: no overlong forms, no surrogates, nothing above
/// U+10FFFF): one table lookup per byte, no branch on the data.
struct Utf8;

impl Utf8 {
    const ACCEPT: u8 = 0;
    const REJECT: u8 = 1;

    /// The byte's class: 0 ASCII, 1 80–8F, 2 90–9F, 3 A0–BF, 4 never valid (C0, C1, F5–FF),
    /// 5 C2–DF, 6 E0, 7 E1–EC and EE–EF, 8 ED, 9 F0, 10 F1–F3, 11 F4.
    // Built at compile time: an out-of-bounds index would be a compile error, not a panic.
    #[allow(clippy::indexing_slicing)]
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = match b {
                0x00..=0x7f => 0,
                0x80..=0x8f => 1,
                0x90..=0x9f => 2,
                0xa0..=0xbf => 3,
                0xc2..=0xdf => 5,
                0xe0 => 6,
                0xe1..=0xec | 0xee..=0xef => 7,
                0xed => 8,
                0xf0 => 9,
                0xf1..=0xf3 => 10,
                0xf4 => 11,
                _ => 4,
            };
            b += 1;
        }
        t
    };

    /// States: 0 accept, 1 reject (sink), 2 one continuation byte to go, 3 two to go, 4 after E0
    /// (A0–BF next), 5 after ED (80–9F next), 6 three to go, 7 after F0 (90–BF next), 8 after F4
    /// (80–8F next).
    const NEXT: [[u8; 12]; 9] = {
        const R: u8 = Utf8::REJECT;
        [
            // ascii 80-8F 90-9F A0-BF bad C2-DF E0 E1.. ED F0 F1-F3 F4
            [0, R, R, R, R, 2, 4, 3, 5, 7, 6, 8], // accept
            [R, R, R, R, R, R, R, R, R, R, R, R], // reject
            [R, 0, 0, 0, R, R, R, R, R, R, R, R], // 1 to go
            [R, 2, 2, 2, R, R, R, R, R, R, R, R], // 2 to go
            [R, R, R, 2, R, R, R, R, R, R, R, R], // after E0
            [R, 2, 2, R, R, R, R, R, R, R, R, R], // after ED
            [R, 3, 3, 3, R, R, R, R, R, R, R, R], // 3 to go
            [R, R, 3, 3, R, R, R, R, R, R, R, R], // after F0
            [R, 3, R, R, R, R, R, R, R, R, R, R], // after F4
        ]
    };

    fn step(state: u8, byte: u8) -> u8 {
        #[cfg(test)]
        tests::STEPS.with(|n| n.set(n.get() + 1));
        let class = Self::CLASS.get(usize::from(byte)).copied().unwrap_or(4);
        Self::NEXT
            .get(usize::from(state))
            .and_then(|row| row.get(usize::from(class)))
            .copied()
            .unwrap_or(Self::REJECT)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    thread_local! {
        /// Validator steps taken on this thread (the unit of work of the one pass).
        pub(super) static STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn steps_for(buf: &[u8]) -> (Option<usize>, usize) {
        STEPS.with(|n| n.set(0));
        let r = plaintext_len(buf);
        (r, STEPS.with(std::cell::Cell::get))
    }

    /// The work does not depend on where (or whether) the plaintext is refused: a bad padding,
    /// a bad byte at the start, in the middle, just before the padding, and a valid plaintext of
    /// the same length all take one validator step per byte.
    #[test]
    fn same_work_wherever_the_failure_is() {
        let good = padded(&[b'a'; 40]);
        let mut cases = vec![("valid", good.clone())];
        let mut bad_pad = good.clone();
        *bad_pad.last_mut().unwrap() = 0;
        cases.push(("bad padding", bad_pad));
        let mut bad_pad_byte = good.clone();
        bad_pad_byte[44] = 3;
        cases.push(("bad padding byte", bad_pad_byte));
        for at in [0, 20, 39] {
            let mut bad = good.clone();
            bad[at] = 0xff;
            cases.push(("bad UTF-8", bad));
        }
        for (what, buf) in &cases {
            let (r, steps) = steps_for(buf);
            assert_eq!(r.is_some(), *what == "valid", "{what}");
            assert_eq!(steps, good.len(), "{what}: {steps} steps");
        }
    }

    /// The reference: std's unpad-then-validate, with early exits.
    fn reference(buf: &[u8]) -> Option<usize> {
        let len = buf.len();
        if len < 16 || !len.is_multiple_of(16) {
            return None;
        }
        let pad = usize::from(buf[len - 1]);
        if pad == 0 || pad > 16 || buf[len - pad..].iter().any(|&b| usize::from(b) != pad) {
            return None;
        }
        std::str::from_utf8(&buf[..len - pad]).ok().map(|s| s.len())
    }

    fn padded(text: &[u8]) -> Vec<u8> {
        let pad = 16 - text.len() % 16;
        let mut v = text.to_vec();
        v.extend(std::iter::repeat_n(u8::try_from(pad).unwrap(), pad));
        v
    }

    #[test]
    fn known_cases() {
        assert_eq!(plaintext_len(&padded(b"{\"a\":1}")), Some(7));
        assert_eq!(plaintext_len(&padded(&[b'x'; 16])), Some(16));
        assert_eq!(plaintext_len(&padded("é€😀".as_bytes())), Some(9));
        // A sequence cut by the padding, a lone continuation byte, overlong, surrogate, > U+10FFFF.
        for bad in [
            &b"ab\xe2\x82"[..],
            b"\x80",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
        ] {
            assert_eq!(plaintext_len(&padded(bad)), None, "{bad:?}");
        }
        let mut bad_pad = padded(b"hello");
        bad_pad[14] ^= 1;
        assert_eq!(plaintext_len(&bad_pad), None);
        assert_eq!(plaintext_len(&[0u8; 16]), None);
        assert_eq!(plaintext_len(&[17u8; 32]), None);
        assert_eq!(plaintext_len(&[1u8; 15]), None);
    }

    proptest! {
        #[test]
        fn agrees_with_std(text in proptest::collection::vec(any::<u8>(), 0..64), tail in any::<u8>()) {
            let mut buf = padded(&text);
            prop_assert_eq!(plaintext_len(&buf), reference(&buf));
            // A corrupted last byte.
            let n = buf.len();
            buf[n - 1] = tail;
            prop_assert_eq!(plaintext_len(&buf), reference(&buf));
        }

        #[test]
        fn agrees_with_std_on_text(text in ".{0,40}") {
            let buf = padded(text.as_bytes());
            prop_assert_eq!(plaintext_len(&buf), Some(text.len()));
        }
    }
}
