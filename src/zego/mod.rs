//! ZEGOCLOUD token04 (AES-256-CBC and AES-256-GCM).
//!
//! A token04 is `"04"` followed by standard base64 (with padding) of a big-endian container that
//! holds the AES-256-encrypted JSON claims `app_id, user_id, nonce, ctime, expire, payload`. The
//! AES key is the raw UTF-8 bytes of the 32-character ServerSecret.
//!
//! | mode | container | who emits it |
//! |---|---|---|
//! | [`Mode::Cbc`] (default) | `expire:i64 │ 16:u16 │ iv[16] │ ctlen:u16 │ AES-256-CBC/PKCS#7` | every official generator in ZEGO's public `zego_server_assistant` repositories, and the UIKit test helper |
//! | [`Mode::Gcm`] | `expire:i64 │ 12:u16 │ nonce[12] │ ctlen:u16 │ ciphertext‖tag16 │ 0x01` | the newer generator revision ZEGO marks "recommended" |
//!
//! **Why CBC is the default:** it is the mode every public upstream generator writes and that the
//! browser UIKit still mints, so it is the one every ZEGO deployment is known to accept. GCM is the
//! better cipher (authenticated, so tampering is detected) and is the one to pick when your
//! deployment accepts it: `ZegoMinter::new(app_id, secret)?.with_mode(Mode::Gcm)`.
//!
//! Neither mode authenticates the outer `expire` header; the verifier compares it with the
//! encrypted claim. CBC has no integrity at all: a CBC token that decrypts is *decrypted*, not
//! *authenticated* ([`DecodedToken::authenticated`] says which).
//!
//! Entry points:
//! - [`ZegoMinter`]: built once per `(app_id, server secret)`, mints with `&self`; implements
//!   [`TokenMinter`](crate::TokenMinter). [`ZegoMinter::token_into`] appends to a caller buffer
//!   without heap allocation in steady state; [`ZegoMinter::encode_into`] takes time, nonce and
//!   IV explicitly (vendor vectors).
//! - [`ZegoVerifier`] and [`decode`]: decrypt and check a token with the secret.
//! - [`decode_container`] and [`detect_mode`]: read the public container header without the
//!   secret.
//! - [`Payload`] and [`PrivilegePayload`]: the privilege ("strict") payload as a typed builder, or
//!   a raw payload string.

mod claims;
mod container;
mod fast;
mod key;
mod minter;
mod payload;
mod unpad;
mod verify;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use claims::Claims;
pub use container::{ContainerInfo, decode_container, detect_mode};
pub use minter::{MintInputs, ZegoMinter};
pub use payload::{Payload, PrivilegePayload};
pub use verify::{DecodeWarning, DecodedToken, ZegoVerifier, decode};

/// The version prefix of every token04 string.
pub const VERSION: &str = "04";

/// Length of a ZEGO ServerSecret in bytes (32 ASCII characters; the AES-256 key).
pub const SECRET_LEN: usize = 32;

/// The SDK / server limit on `user_id`, in UTF-8 bytes. The minter refuses longer ids by default
/// (see [`ZegoMinter::with_max_user_id_len`]).
pub const MAX_USER_ID_LEN: usize = 64;

/// The largest ciphertext the container's unsigned 16-bit length field can describe. Larger
/// tokens are refused (the official generators silently wrap the length and emit corrupt tokens).
pub const MAX_CIPHERTEXT_LEN: usize = u16::MAX as usize;

/// CBC IV length in bytes.
pub const CBC_IV_LEN: usize = 16;

/// GCM nonce length in bytes.
pub const GCM_NONCE_LEN: usize = 12;

/// GCM tag length in bytes (appended to the ciphertext).
pub const GCM_TAG_LEN: usize = 16;

/// The token04 container variant (encryption mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// AES-256-CBC with PKCS#7 padding, 16-byte IV, no trailing mode byte (legacy; what the public
    /// official generators emit). Not authenticated. The default: the most widely accepted.
    #[default]
    Cbc,
    /// AES-256-GCM, 12-byte nonce, 16-byte tag appended to the ciphertext, trailing mode byte `1`
    /// (the newer revision ZEGO recommends). Authenticated.
    Gcm,
}

impl Mode {
    /// The IV / nonce length this mode uses (16 for CBC, 12 for GCM).
    #[must_use]
    pub const fn iv_len(self) -> usize {
        match self {
            Mode::Cbc => CBC_IV_LEN,
            Mode::Gcm => GCM_NONCE_LEN,
        }
    }

    /// The lower-case name (`cbc` / `gcm`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Cbc => "cbc",
            Mode::Gcm => "gcm",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks a ServerSecret: exactly 32 ASCII characters (32 bytes, the AES-256 key).
fn check_secret(secret: &crate::Secret) -> crate::Result<()> {
    let bytes = secret.as_bytes();
    if !bytes.is_ascii() {
        return Err(crate::Error::credentials(
            crate::Vendor::Zego,
            "server secret",
            "must be 32 ASCII characters (the secret from the ZEGO console); it contains non-ASCII characters",
        ));
    }
    if bytes.len() != SECRET_LEN {
        return Err(crate::Error::credentials(
            crate::Vendor::Zego,
            "server secret",
            format!(
                "must be exactly 32 characters (the ServerSecret from the ZEGO console), got {}",
                bytes.len()
            ),
        ));
    }
    Ok(())
}
