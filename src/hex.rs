//! Lower-case hexadecimal: the one hex encoder of the crate (signatures and IVs in decoded
//! tokens, the MD5 name in Agora's APaaS token, webhook and remote-API signatures, derived ids).

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two lower-case hex digits of `b`.
#[inline]
fn pair(b: u8) -> [u8; 2] {
    let digit = |n: u8| DIGITS.get(usize::from(n & 0x0f)).copied().unwrap_or(b'0');
    [digit(b >> 4), digit(b)]
}

/// Writes the lower-case hex of `bytes` into `out`, two digits per byte, without allocating.
/// `out` should be twice as long as `bytes`; only the digits that fit are written.
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (b, dst) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        dst.copy_from_slice(&pair(*b));
    }
}

/// Appends the lower-case hex of `bytes` to `out`.
pub(crate) fn push(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        let [hi, lo] = pair(b);
        out.push(char::from(hi));
        out.push(char::from(lo));
    }
}

/// The lower-case hex of `bytes`.
#[must_use]
pub(crate) fn lower(bytes: &[u8]) -> String {
    let mut s = String::new();
    push(bytes, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_value() {
        let all: Vec<u8> = (0..=255).collect();
        let s = lower(&all);
        assert_eq!(s.len(), 512);
        for (i, b) in all.iter().enumerate() {
            assert_eq!(s.get(2 * i..2 * i + 2), Some(format!("{b:02x}").as_str()));
        }
        let mut out = [0u8; 6];
        encode_into(&[0xab, 0x01, 0xf0], &mut out);
        assert_eq!(&out, b"ab01f0");
        assert_eq!(lower(&[]), "");
    }
}
