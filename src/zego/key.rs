//! The ZEGO server secret as a checked 32-byte AES-256 key, and key setup that leaves no copy of
//! it behind.
//!
//! [`ZegoKey`] can only be built from a secret that passed [`check_secret`], so AES key setup
//! cannot fail and needs no fallback. Its bytes live in one zeroizing heap buffer, and the
//! expanded key schedules ([`Schedules`]) are built straight into one heap allocation, so moving
//! a minter or verifier (builder methods take `self`) moves pointers, never key material. The
//! stack frames that key setup and each encryption or decryption used are overwritten
//! ([`scrub_stack`]) before returning: an AES-256 key schedule starts with the key itself, and a
//! register spill or a moved temporary would otherwise stay on the stack after the owner is
//! dropped. `tests/zego_zeroize.rs` scans the thread's stack and heap for leftover copies.

use std::hint::black_box;

use aes::cipher::{Key, KeyInit, KeySizeUser, consts::U32};
use aes_gcm::Aes256Gcm;
use zeroize::Zeroizing;

use super::{SECRET_LEN, check_secret};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The 32 bytes of a checked ZEGO ServerSecret, zeroized on drop.
pub(crate) struct ZegoKey(Box<Zeroizing<[u8; SECRET_LEN]>>);

impl ZegoKey {
    /// Checks `secret` (exactly 32 ASCII characters) and copies it into the key buffer.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] from [`check_secret`].
    pub(crate) fn new(secret: &Secret) -> Result<Self> {
        check_secret(secret)?;
        let bytes: &[u8; SECRET_LEN] =
            secret.as_bytes().try_into().map_err(|_| Error::Internal {
                what: "a checked ZEGO server secret is not 32 bytes",
            })?;
        let mut key = Box::new(Zeroizing::new([0u8; SECRET_LEN]));
        key.copy_from_slice(bytes);
        Ok(ZegoKey(key))
    }

    fn aes_key(&self) -> &Key<Aes256Gcm> {
        let bytes: &[u8; SECRET_LEN] = &self.0;
        bytes.into()
    }
}

/// The expanded keys of one secret: the CBC block cipher (`Aes256Enc` to mint, `Aes256Dec` to
/// verify) and AES-256-GCM. Zeroized on drop by the ciphers' own `zeroize` support.
pub(crate) struct Schedules<C> {
    pub(crate) cbc: C,
    pub(crate) gcm: Aes256Gcm,
}

impl<C: KeyInit + KeySizeUser<KeySize = U32>> Schedules<C> {
    /// Expands `key` into a heap allocation, then wipes the stack the expansion used.
    pub(crate) fn new(key: &ZegoKey) -> Box<Self> {
        let schedules = Self::expand(key);
        scrub_stack();
        schedules
    }

    #[inline(never)]
    fn expand(key: &ZegoKey) -> Box<Self> {
        Box::new(Schedules {
            cbc: C::new(key.aes_key()),
            gcm: Aes256Gcm::new(key.aes_key()),
        })
    }
}

/// How much stack [`scrub_stack`] overwrites: more than AES key setup and one CBC or GCM
/// operation use — 8 KiB in release builds, 32 KiB in debug builds (deeper, unoptimised frames),
/// the sizes `tests/zego_zeroize.rs` needs in each (4 KiB in release and 16 KiB in debug still
/// left copies).
const SCRUB_WORDS: usize = if cfg!(debug_assertions) { 4096 } else { 1024 };

/// Overwrites the stack below the caller's frame — where the frames of the functions it just
/// called were — with zeros, so that key material they spilled or moved does not outlive them.
/// Call it right after the call that used the key, from the function that owns the key.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let wipe = [0u64; SCRUB_WORDS];
    // `black_box` makes the compiler assume the zeros are read, so it must write them.
    black_box(&wipe);
}
