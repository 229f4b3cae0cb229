//! The first link of the AccessToken2 key chain, cached per minter for the current issue second.
//!
//! The signing key is `HMAC(u32le(salt), HMAC(u32le(issue_ts), certificate))`. The inner HMAC
//! depends only on the certificate and the issue second, so a minter that mints many tokens in the
//! same second computes it once (a fresh-key HMAC, about a fifth of a mint) and reuses it until the
//! second changes. The cached value is key material derived from the certificate: it lives only
//! inside the minter, is never printed (`Debug` shows nothing of it), is not copied by `Clone`
//! (a clone starts empty), and is overwritten with zeros when the minter is dropped, like the
//! certificate itself.
//!
//! Shared by every thread that uses the minter (`&self` minting), without a lock: a sequence
//! counter guards the five words (the tag and the 32-byte key). Readers never write; a writer
//! that finds another write in progress simply does not cache. A reader that sees a write in
//! progress, a torn read or another second computes the HMAC itself, so the result is always the
//! HMAC of the right second.

use std::sync::atomic::{AtomicU64, Ordering, compiler_fence, fence};

/// `tag` = `VALID | issue_ts` when `words` hold `HMAC(u32le(issue_ts), certificate)`.
const VALID: u64 = 1 << 32;

#[derive(Default)]
pub(crate) struct KeyChainCache {
    /// Even: stable; odd: a write is in progress.
    seq: AtomicU64,
    tag: AtomicU64,
    words: [AtomicU64; 4],
}

impl KeyChainCache {
    /// Writes the cached inner key for `issue_ts` into `key` (the caller's zeroizing buffer) and
    /// returns true, if it is the one held; otherwise leaves `key` zeroed and returns false.
    pub(crate) fn get_into(&self, issue_ts: u32, key: &mut [u8; 32]) -> bool {
        let s1 = self.seq.load(Ordering::Acquire);
        if s1 & 1 == 1 {
            return false;
        }
        let tag = self.tag.load(Ordering::Relaxed);
        for (dst, w) in key.chunks_exact_mut(8).zip(&self.words) {
            dst.copy_from_slice(&w.load(Ordering::Relaxed).to_le_bytes());
        }
        fence(Ordering::Acquire);
        let s2 = self.seq.load(Ordering::Relaxed);
        if s1 != s2 || tag != VALID | u64::from(issue_ts) {
            key.fill(0);
            return false;
        }
        true
    }

    /// Caches `key` as the inner key of `issue_ts`, unless another thread is writing.
    pub(crate) fn put(&self, issue_ts: u32, key: &[u8; 32]) {
        let s = self.seq.load(Ordering::Relaxed);
        if s & 1 == 1
            || self
                .seq
                .compare_exchange(s, s.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        self.tag
            .store(VALID | u64::from(issue_ts), Ordering::Relaxed);
        for (src, w) in key.chunks_exact(8).zip(&self.words) {
            let mut b = [0u8; 8];
            b.copy_from_slice(src);
            w.store(u64::from_le_bytes(b), Ordering::Relaxed);
        }
        self.seq.store(s.wrapping_add(2), Ordering::Release);
    }

    /// Whether any key is held (for the tests).
    #[cfg(test)]
    fn holds_a_key(&self) -> bool {
        self.tag.load(Ordering::Relaxed) != 0
            || self.words.iter().any(|w| w.load(Ordering::Relaxed) != 0)
    }

    fn wipe(&mut self) {
        *self.tag.get_mut() = 0;
        for w in &mut self.words {
            *w.get_mut() = 0;
        }
        // Keep the stores: the memory is freed right after.
        compiler_fence(Ordering::SeqCst);
    }
}

impl Drop for KeyChainCache {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// A clone starts empty: derived key material is not copied around.
impl Clone for KeyChainCache {
    fn clone(&self) -> Self {
        KeyChainCache::default()
    }
}

impl std::fmt::Debug for KeyChainCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyChainCache").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_one_second_at_a_time() {
        let c = KeyChainCache::default();
        let get = |c: &KeyChainCache, ts| {
            let mut k = [0u8; 32];
            c.get_into(ts, &mut k).then_some(k)
        };
        assert_eq!(
            get(&c, 0),
            None,
            "an empty cache holds nothing, not even second 0"
        );
        c.put(7, &[0xab; 32]);
        assert_eq!(get(&c, 7), Some([0xab; 32]));
        assert_eq!(get(&c, 8), None);
        c.put(8, &[0xcd; 32]);
        assert_eq!(get(&c, 7), None);
        assert_eq!(get(&c, 8), Some([0xcd; 32]));
        assert!(!c.clone().holds_a_key(), "a clone starts empty");
        assert_eq!(format!("{c:?}"), "KeyChainCache { .. }");
        let mut c = c;
        c.wipe();
        assert!(!c.holds_a_key());
    }

    #[test]
    fn concurrent_readers_and_writers_never_see_a_torn_key() {
        let c = KeyChainCache::default();
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let c = &c;
                s.spawn(move || {
                    for i in 0..20_000u32 {
                        let ts = i % 3;
                        let byte = u8::try_from(ts)
                            .unwrap_or(0)
                            .wrapping_mul(17)
                            .wrapping_add(1);
                        if (i + u32::from(t)) % 2 == 0 {
                            c.put(ts, &[byte; 32]);
                        } else {
                            let mut k = [0u8; 32];
                            if c.get_into(ts, &mut k) {
                                assert_eq!(k, [byte; 32]);
                            }
                        }
                    }
                });
            }
        });
    }
}

#[cfg(test)]
mod minter_tests {
    use crate::agora::{AccessToken2, AgoraMinter};
    use crate::{TokenMinter as _, TokenRequest};

    const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
    const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

    #[test]
    fn cached_and_fresh_key_chains_sign_alike() {
        let m = AgoraMinter::new(APP_ID, CERT).unwrap();
        // Hits, misses and returns to an earlier second, on one minter and on a clone.
        for ts in [
            1_767_225_600,
            1_767_225_600,
            1_767_225_601,
            1_767_225_600,
            1_767_225_600,
        ] {
            for minter in [&m, &m.clone()] {
                let r = TokenRequest::new("42").room("c").issued_at(ts);
                let token = minter.mint(&r).unwrap().token;
                AccessToken2::verify_str(&token, CERT, None, ts + 1).unwrap();
                assert!(
                    AccessToken2::verify_str(
                        &token,
                        "00112233445566778899AABBCCDDEEFF",
                        None,
                        ts + 1
                    )
                    .is_err()
                );
            }
        }
    }
}
