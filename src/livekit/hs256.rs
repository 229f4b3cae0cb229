//! HMAC-SHA256 with the key's pads absorbed once (RFC 2104), for HS256 signatures.
//!
//! `hmac::Hmac<Sha256>` keyed once and cloned per token does the same arithmetic, but every token
//! pays for the clone, the block buffer's copies and its finalisation machinery. Here a token
//! costs the compressions alone: the signed text's whole blocks are compressed straight from
//! where they lie, the last one or two are padded on the stack, and the outer hash is one block.
//! The key states and every per-token copy of them are wiped when dropped.

use sha2::Digest as _;
use sha2::block_api::compress256;
use zeroize::{Zeroize, Zeroizing};

/// SHA-256's initial state.
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

const BLOCK: usize = 64;

/// The SHA-256 states after the key's inner and outer pad blocks (not `Clone`: one copy of the
/// key material per minter or verifier key).
pub(crate) struct Hs256Key {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Drop for Hs256Key {
    fn drop(&mut self) {
        self.inner.as_mut_slice().zeroize();
        self.outer.as_mut_slice().zeroize();
    }
}

impl Hs256Key {
    /// Absorbs the pads of `key` (a key longer than a block is hashed first, as RFC 2104 says).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = Zeroizing::new([0u8; BLOCK]);
        if key.len() > BLOCK {
            let digest = Zeroizing::new(sha2::Sha256::digest(key));
            if let Some(dst) = block.get_mut(..digest.len()) {
                dst.copy_from_slice(&digest);
            }
        } else if let Some(dst) = block.get_mut(..key.len()) {
            dst.copy_from_slice(key);
        }
        let pad = |byte: u8| {
            let mut padded = Zeroizing::new(*block);
            padded.iter_mut().for_each(|b| *b ^= byte);
            let mut state = IV;
            compress256(&mut state, std::slice::from_ref(&*padded));
            state
        };
        Hs256Key {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// The MAC of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let (blocks, tail) = message.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        // The tail, 0x80, zeros, and the bit length of pad block + message, in one or two blocks.
        let mut last = [[0u8; BLOCK]; 2];
        let n = if tail.len() < BLOCK - 8 { 1 } else { 2 };
        let bits = ((BLOCK + message.len()) as u64).wrapping_mul(8);
        let [first, second] = &mut last;
        if let Some(dst) = first.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        if let Some(b) = first.get_mut(tail.len()) {
            *b = 0x80;
        }
        let end = if n == 1 { first } else { second };
        if let Some(dst) = end.get_mut(BLOCK - 8..) {
            dst.copy_from_slice(&bits.to_be_bytes());
        }
        compress256(&mut state, last.get(..n).unwrap_or_default());
        // The outer hash: the inner digest, 0x80, zeros, and the bit length of 64 + 32 bytes.
        let mut block = [0u8; BLOCK];
        for (dst, word) in block.as_chunks_mut::<4>().0.iter_mut().zip(state.iter()) {
            *dst = word.to_be_bytes();
        }
        if let Some(b) = block.get_mut(32) {
            *b = 0x80;
        }
        if let Some(dst) = block.get_mut(BLOCK - 8..) {
            dst.copy_from_slice(&(((BLOCK + 32) * 8) as u64).to_be_bytes());
        }
        let mut outer = self.outer;
        compress256(&mut outer, std::slice::from_ref(&block));
        let mut mac = [0u8; 32];
        for (dst, word) in mac.as_chunks_mut::<4>().0.iter_mut().zip(outer.iter()) {
            *dst = word.to_be_bytes();
        }
        // The per-token states are key-derived: wiped (a plain fill the optimiser keeps).
        state.as_mut_slice().zeroize();
        block.as_mut_slice().zeroize();
        outer.as_mut_slice().zeroize();
        mac
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use hmac::{KeyInit, Mac};
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The same MAC as the `hmac` crate, around every block boundary and key length.
        #[test]
        fn matches_the_hmac_crate(
            key in prop::collection::vec(any::<u8>(), 0..150),
            message in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut reference = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            reference.update(&message);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            prop_assert_eq!(Hs256Key::new(&key).mac(&message), expected);
        }
    }

    #[test]
    fn rfc_4231_case_2() {
        let mac = Hs256Key::new(b"Jefe").mac(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn every_tail_length() {
        let key = Hs256Key::new(b"k");
        for len in 0..=3 * BLOCK {
            let message: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut reference = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
            reference.update(&message);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(key.mac(&message), expected, "{len}");
        }
    }
}
