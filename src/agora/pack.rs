//! Little-endian primitives of the Agora wire formats (the SDKs' `pack_uint16` / `pack_uint32` /
//! `pack_string` / `pack_map_uint32`): `u16`/`u32`/`i16`,
//! `Bytes` (u16 length + raw bytes) and privilege maps.

use std::borrow::Cow;

use crate::error::{Error, MalformedCause, Result};
use crate::vendor::Vendor;

/// Appends a `u16` (little-endian).
#[inline]
pub(crate) fn put_u16(buf: &mut Vec<u8>, v: u16) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Appends a `u32` (little-endian).
#[inline]
pub(crate) fn put_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Appends an `i16` (little-endian two's complement).
#[inline]
pub(crate) fn put_i16(buf: &mut Vec<u8>, v: i16) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// The length of `bytes` as the u16 length prefix, or an error naming `field`.
#[inline]
pub(crate) fn len_u16(field: &'static str, bytes: &[u8]) -> Result<u16> {
    u16::try_from(bytes.len()).map_err(|_| {
        Error::request(
            Vendor::Agora,
            field,
            format!(
                "is {} bytes long; Agora stores strings with a 16-bit length, so at most 65535 bytes fit",
                bytes.len()
            ),
        )
    })
}

/// Appends `Bytes`: a u16 length, then the raw bytes.
#[inline]
pub(crate) fn put_bytes(buf: &mut Vec<u8>, field: &'static str, bytes: &[u8]) -> Result<()> {
    let len = len_u16(field, bytes)?;
    put_u16(buf, len);
    buf.extend_from_slice(bytes);
    Ok(())
}

/// A bounds-checked little-endian reader. Running out of input is a "truncated" error.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

pub(crate) fn truncated(what: &'static str) -> Error {
    Error::malformed(
        Vendor::Agora,
        MalformedCause::Truncated,
        Cow::Owned(format!("truncated: the payload ends inside {what}")),
    )
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or_else(|| truncated(what))?;
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let head = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(head);
        Ok(a)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16> {
        self.array::<2>(what).map(u16::from_le_bytes)
    }

    pub(crate) fn i16(&mut self, what: &'static str) -> Result<i16> {
        self.array::<2>(what).map(i16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32> {
        self.array::<4>(what).map(u32::from_le_bytes)
    }

    /// Reads `Bytes` (u16 length + bytes).
    pub(crate) fn bytes(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let n = self.u16(what)?;
        self.take(usize::from(n), what)
    }

    /// Reads `Bytes` that must be UTF-8 text.
    pub(crate) fn string(&mut self, what: &'static str) -> Result<String> {
        let b = self.bytes(what)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(Error::malformed(
                Vendor::Agora,
                MalformedCause::BadUtf8,
                Cow::Owned(format!("{what} is not valid UTF-8")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut b = Vec::new();
        put_u16(&mut b, 0x0102);
        put_u32(&mut b, 0x0304_0506);
        put_i16(&mut b, -1);
        put_bytes(&mut b, "x", b"hi").unwrap();
        assert_eq!(b, [2, 1, 6, 5, 4, 3, 0xff, 0xff, 2, 0, b'h', b'i']);
        let mut r = Reader::new(&b);
        assert_eq!(r.u16("a").unwrap(), 0x0102);
        assert_eq!(r.u32("b").unwrap(), 0x0304_0506);
        assert_eq!(r.i16("c").unwrap(), -1);
        assert_eq!(r.string("d").unwrap(), "hi");
        assert!(r.u16("e").is_err());
        assert!(put_bytes(&mut b, "big", &vec![0u8; 65536]).is_err());
    }
}
