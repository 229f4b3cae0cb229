//! Randomness as an input.
//!
//! Salts, nonces and IVs come from a [`RandomSource`]. The default, [`ThreadRandom`], is the
//! thread-local CSPRNG of the `rand` crate (ChaCha seeded from the OS; about 10 ns per fill, where
//! a `getrandom` syscall per token would cost about 400 ns). [`FixedRandom`] replays given bytes so
//! that vendor vectors can be reproduced.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::Rng as _;

/// `with_random`, the one setter of a builder-style type with a `random: Arc<dyn RandomSource>`
/// field (the minters), documented by `$doc`. Used inside the type's `impl`.
macro_rules! with_random {
    ($doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn with_random(mut self, random: std::sync::Arc<dyn $crate::RandomSource>) -> Self {
            self.random = random;
            self
        }
    };
}
pub(crate) use with_random;

/// A source of random bytes.
pub trait RandomSource: Send + Sync + fmt::Debug {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]);

    /// A random `u32`, built from [`RandomSource::fill`].
    fn next_u32(&self) -> u32 {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        u32::from_le_bytes(b)
    }
}

/// The thread-local cryptographically secure generator (`rand::rng()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadRandom;

impl RandomSource for ThreadRandom {
    #[inline]
    fn fill(&self, dest: &mut [u8]) {
        rand::rng().fill_bytes(dest);
    }
}

/// Replays a fixed byte sequence, cycling when it runs out. For tests and vectors only: it is not
/// random at all.
pub struct FixedRandom {
    bytes: Vec<u8>,
    pos: AtomicUsize,
}

impl FixedRandom {
    /// A source that returns `bytes` in order and then starts over. An empty sequence yields zeros.
    #[must_use]
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FixedRandom {
            bytes: bytes.into(),
            pos: AtomicUsize::new(0),
        }
    }
}

impl fmt::Debug for FixedRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedRandom")
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl RandomSource for FixedRandom {
    fn fill(&self, dest: &mut [u8]) {
        if self.bytes.is_empty() {
            dest.fill(0);
            return;
        }
        let start = self.pos.fetch_add(dest.len(), Ordering::Relaxed);
        for (i, d) in dest.iter_mut().enumerate() {
            let idx = start.wrapping_add(i) % self.bytes.len();
            *d = self.bytes.get(idx).copied().unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_random_cycles() {
        let r = FixedRandom::new([1u8, 2, 3]);
        let mut a = [0u8; 5];
        r.fill(&mut a);
        assert_eq!(a, [1, 2, 3, 1, 2]);
        let mut b = [0u8; 2];
        r.fill(&mut b);
        assert_eq!(b, [3, 1]);
    }

    #[test]
    fn thread_random_is_not_constant() {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        ThreadRandom.fill(&mut a);
        ThreadRandom.fill(&mut b);
        assert_ne!(a, b);
    }
}
