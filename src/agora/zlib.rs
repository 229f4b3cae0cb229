//! The zlib (RFC 1950) layer of AccessToken2.
//!
//! **Encoding: stored blocks by default.** Agora's parsers accept any valid zlib stream (the
//! official SDKs all emit different bytes, and the official Rust SDK itself emits stored blocks;
//! `tests/agora_vectors.rs` replays tokens of several SDKs). A token payload is ~140–230 bytes of
//! mostly high-entropy data (a 32-byte HMAC, the app id, a hex channel name...), so deflate gains
//! little: on 400 realistic payloads C zlib gets 159.4 → 153.0 bytes on average, i.e. about 4 %
//! (9 base64 characters) against a stored block's 170.4. Deflating costs ~2.6 µs even with a
//! reused zlib-rs state at level 1, three times the rest of the mint (~0.75 µs); a stored block
//! plus Adler-32 costs ~60 ns. So [`Compression::Stored`] is the default and
//! [`Compression::Deflate`] is offered for callers who prefer shorter strings over throughput.
//!
//! **Decoding accepts every valid zlib stream** (stored, fixed and dynamic Huffman blocks, any
//! level, sync-flush markers), as the official parsers do, but strictly: exactly one complete
//! stream, correct Adler-32, no bytes after it, no preset dictionary. Streams made only of stored
//! blocks (ours, and the official Rust SDK's) take a copy-only fast path; anything else goes to a
//! reused `flate2::Decompress` (zlib-rs backend).

use std::borrow::Cow;

use flate2::{Compress, Decompress, FlushCompress, FlushDecompress, Status};

use crate::error::{Error, MalformedCause, Result};
use crate::vendor::Vendor;

/// Upper bound for an inflated payload. Real tokens are a few hundred bytes; the bound only stops
/// decompression bombs (deflate expands up to ~1000:1).
pub(crate) const MAX_PAYLOAD: usize = 1 << 20;

/// How the minter wraps the payload in zlib. Every choice yields a token all Agora parsers accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// Stored (uncompressed) deflate blocks: ~60 ns, tokens ~4 % (about 9 characters) longer than
    /// deflated ones. The default, because deflating would triple the cost of a mint.
    #[default]
    Stored,
    /// Real deflate at this level (1–9, clamped) with a reused thread-local zlib-rs compressor:
    /// ~2.6 µs at level 1. Output differs from C zlib's (and from the Python reference tokens) but
    /// decodes to the same payload.
    Deflate(u8),
}

fn bad_zlib(reason: &'static str) -> Error {
    Error::malformed(
        Vendor::Agora,
        MalformedCause::BadZlib,
        Cow::Owned(format!("bad zlib stream: {reason}")),
    )
}

/// Adler-32 (RFC 1950 §9), as stored big-endian at the end of the stream.
///
/// Sixteen bytes at a time: over a block `x_0..x_15`, `a` grows by `Σ x_i` and `b` by
/// `16·a + Σ (16 − i)·x_i`, so the per-byte dependency of `b` on `a` disappears and the block sums
/// vectorise (about a third of the byte-by-byte loop's time on a token payload). The values at
/// block boundaries are those of the byte-by-byte definition, so the overflow bound is the same.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // 5552 is the largest n with 255·n(n+1)/2 + (n+1)(MOD−1) < 2^32: no overflow before reducing.
    // It is a multiple of 16.
    const NMAX: usize = 5552;
    const WEIGHTS: [u32; 16] = [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        let mut blocks = chunk.chunks_exact(16);
        for block in blocks.by_ref() {
            let (mut sum, mut weighted) = (0u32, 0u32);
            for (&x, w) in block.iter().zip(WEIGHTS) {
                sum += u32::from(x);
                weighted += w * u32::from(x);
            }
            b += 16 * a + weighted;
            a += sum;
        }
        for &byte in blocks.remainder() {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Appends a zlib stream holding `payload` in stored blocks (≤ 65535 bytes each).
pub(crate) fn wrap_stored(payload: &[u8], out: &mut Vec<u8>) {
    // CMF 0x78 = deflate, 32 KiB window; FLG 0x01 makes (CMF·256 + FLG) a multiple of 31 and
    // announces "fastest" compression, which is what a stored stream is.
    out.reserve(payload.len() + 11 + 5 * (payload.len() / 65_535));
    out.extend_from_slice(&[0x78, 0x01]);
    let mut rest = payload;
    loop {
        // A stored block holds at most 65535 bytes: the saturating conversion is the chunking
        // (an empty payload is one empty final block).
        let len = u16::try_from(rest.len()).unwrap_or(u16::MAX);
        let (chunk, tail) = rest.split_at(usize::from(len));
        let last = tail.is_empty();
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
        rest = tail;
        if last {
            break;
        }
    }
    out.extend_from_slice(&adler32(payload).to_be_bytes());
}

/// Appends a deflated zlib stream of `payload` using (and reusing) `slot`'s compressor.
pub(crate) fn wrap_deflate(
    payload: &[u8],
    level: u8,
    slot: &mut Option<(u8, Compress)>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let level = level.clamp(1, 9);
    let c = match slot {
        Some((l, c)) if *l == level => {
            c.reset();
            c
        }
        _ => {
            let c = Compress::new(flate2::Compression::new(u32::from(level)), true);
            &mut slot.insert((level, c)).1
        }
    };
    let start_in = c.total_in();
    loop {
        out.reserve(payload.len() / 2 + 64);
        let internal = || Error::Internal {
            what: "the zlib compressor consumed more input than it was given",
        };
        let consumed = usize::try_from(c.total_in() - start_in).map_err(|_| internal())?;
        let rest = payload.get(consumed..).ok_or_else(internal)?;
        match c.compress_vec(rest, out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return Ok(()),
            Ok(_) => {}
            Err(_) => {
                *slot = None;
                return Err(Error::request(
                    Vendor::Agora,
                    "compression",
                    "the zlib compressor failed; use Compression::Stored",
                ));
            }
        }
    }
}

/// Inflates exactly one complete zlib stream from `input`, appending the data to `out`.
pub(crate) fn inflate(
    input: &[u8],
    out: &mut Vec<u8>,
    slot: &mut Option<Decompress>,
) -> Result<()> {
    let start = out.len();
    match inflate_stored(input, out) {
        Some(r) => r,
        None => {
            out.truncate(start);
            inflate_general(input, out, slot)
        }
    }
}

fn check_header(input: &[u8]) -> Result<()> {
    let (&cmf, &flg) = match input {
        [cmf, flg, ..] => (cmf, flg),
        _ => return Err(bad_zlib("shorter than the 2-byte zlib header")),
    };
    if cmf & 0x0f != 8 || cmf >> 4 > 7 {
        return Err(bad_zlib(
            "not a zlib header (raw deflate and gzip are not accepted)",
        ));
    }
    if (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(bad_zlib("header check bits are wrong"));
    }
    if flg & 0x20 != 0 {
        return Err(bad_zlib("a preset dictionary is not allowed"));
    }
    Ok(())
}

/// Copy-only path for streams made of stored blocks. `None` when a compressed block shows up.
fn inflate_stored(input: &[u8], out: &mut Vec<u8>) -> Option<Result<()>> {
    if let Err(e) = check_header(input) {
        return Some(Err(e));
    }
    let start = out.len();
    let mut rest = input.get(2..).unwrap_or(&[]);
    loop {
        let (&hdr, tail) = rest.split_first()?; // truncated: let the general inflater report it
        if (hdr >> 1) & 3 != 0 {
            return None;
        }
        let (lens, tail) = tail.split_at_checked(4)?;
        let (len, nlen) = match lens {
            [a, b, c, d] => (u16::from_le_bytes([*a, *b]), u16::from_le_bytes([*c, *d])),
            _ => return None,
        };
        if len != !nlen {
            return Some(Err(bad_zlib("stored block length check failed")));
        }
        let (data, tail) = tail.split_at_checked(usize::from(len))?;
        if out.len() - start + data.len() > MAX_PAYLOAD {
            return Some(Err(bad_zlib("inflated payload is larger than 1 MiB")));
        }
        out.extend_from_slice(data);
        rest = tail;
        if hdr & 1 == 1 {
            break;
        }
    }
    let (sum, tail) = rest.split_at_checked(4)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(sum);
    if u32::from_be_bytes(a) != adler32(out.get(start..).unwrap_or(&[])) {
        return Some(Err(bad_zlib("Adler-32 checksum mismatch")));
    }
    if !tail.is_empty() {
        return Some(Err(bad_zlib(
            "extra bytes after the end of the zlib stream",
        )));
    }
    Some(Ok(()))
}

fn inflate_general(input: &[u8], out: &mut Vec<u8>, slot: &mut Option<Decompress>) -> Result<()> {
    check_header(input)?;
    let d = match slot {
        Some(d) => {
            d.reset(true);
            d
        }
        None => slot.insert(Decompress::new(true)),
    };
    let start = out.len();
    loop {
        if out.capacity() - out.len() < 256 {
            out.reserve((out.len() - start).max(512));
        }
        let consumed = usize::try_from(d.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(consumed..).unwrap_or(&[]);
        let produced_before = out.len();
        let status = d
            .decompress_vec(rest, out, FlushDecompress::Finish)
            .map_err(|_| bad_zlib("corrupt deflate data or Adler-32 checksum mismatch"))?;
        let consumed_after = usize::try_from(d.total_in()).unwrap_or(usize::MAX);
        if out.len() - start > MAX_PAYLOAD {
            return Err(bad_zlib("inflated payload is larger than 1 MiB"));
        }
        match status {
            Status::StreamEnd => {
                if consumed_after != input.len() {
                    return Err(bad_zlib("extra bytes after the end of the zlib stream"));
                }
                return Ok(());
            }
            Status::Ok | Status::BufError => {
                let progress = consumed_after != consumed || out.len() != produced_before;
                if !progress && out.capacity() > out.len() {
                    return Err(bad_zlib(
                        "the stream ends before its final block and checksum",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference computed the slow way.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(u64::from(adler32(&big)), (b << 16) | a);
    }

    #[test]
    fn adler_matches_the_byte_by_byte_definition_at_every_length() {
        let data: Vec<u8> = (0..12_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | (u8::from(i % 5 == 0) * 0xf0))
            .collect();
        for n in (0..300).chain([5551, 5552, 5553, 11_104, 11_105, 12_000]) {
            let part = &data[..n];
            let (mut a, mut b) = (1u64, 0u64);
            for &x in part {
                a = (a + u64::from(x)) % 65_521;
                b = (b + a) % 65_521;
            }
            assert_eq!(u64::from(adler32(part)), (b << 16) | a, "length {n}");
        }
    }

    #[test]
    fn stored_round_trips_every_size() {
        let mut slot = None;
        for n in [0usize, 1, 200, 65_535, 65_536, 140_000] {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            let mut z = Vec::new();
            wrap_stored(&data, &mut z);
            let mut back = Vec::new();
            inflate(&z, &mut back, &mut slot).unwrap();
            assert_eq!(back, data);
            // flate2 agrees it is a valid stream.
            let mut back2 = Vec::new();
            inflate_general(&z, &mut back2, &mut slot).unwrap();
            assert_eq!(back2, data);
        }
    }

    #[test]
    fn deflate_round_trips_and_rejects_garbage() {
        let mut c = None;
        let mut d = None;
        let data = b"hello hello hello hello agora".repeat(10);
        for level in [1u8, 6, 9] {
            let mut z = Vec::new();
            wrap_deflate(&data, level, &mut c, &mut z).unwrap();
            let mut back = Vec::new();
            inflate(&z, &mut back, &mut d).unwrap();
            assert_eq!(back, data);
            z.push(0);
            assert!(inflate(&z, &mut Vec::new(), &mut d).is_err());
            z.pop();
            z.pop();
            assert!(inflate(&z, &mut Vec::new(), &mut d).is_err());
        }
    }
}
