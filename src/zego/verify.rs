//! Decoding and verification of token04 with the server secret.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use aes::Aes256Dec;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{Array, BlockModeDecrypt as _, InnerIvInit as _};
use aes_gcm::AeadInOut as _;
use serde::Serialize;

use super::claims::Claims;
use super::container::{self, ContainerInfo};
use super::fast;
use super::key::{Schedules, ZegoKey, scrub_stack};
use super::payload::PrivilegePayload;
use super::unpad::plaintext_len;
use super::{CBC_IV_LEN, GCM_NONCE_LEN, GCM_TAG_LEN, MAX_USER_ID_LEN, Mode};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, MalformedCause, Result};
use crate::fields::{self, Field, Shape, UnknownKey};
use crate::secret::Secret;
use crate::vendor::Vendor;

/// Something worth knowing about a token that still decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecodeWarning {
    /// A CBC token: it decrypted, but CBC has no integrity check, so it is not authenticated
    /// (anyone can rewrite its first 16 plaintext bytes through the IV).
    Unauthenticated,
    /// An explicit mode byte 0 (CBC); no known generator emits it.
    ExplicitCbcModeByte,
    /// `app_id` is 0 or larger than `u32::MAX` (ZEGO AppIDs are non-zero u32).
    AppIdOutOfRange,
    /// `user_id` is longer than 64 bytes, the SDK/server limit.
    UserIdTooLong,
    /// `user_id` is empty.
    UserIdEmpty,
    /// The `payload` claim is JSON `null` or absent.
    PayloadNull,
    /// The payload is not empty and not JSON; ZEGO rejects it at login (error 1002075).
    PayloadNotJson,
    /// `ctime` is after `expire`.
    CtimeAfterExpire,
}

impl fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeWarning::Unauthenticated => {
                "CBC token: decrypted but not authenticated (CBC has no integrity check)"
            }
            DecodeWarning::ExplicitCbcModeByte => {
                "explicit mode byte 0 (CBC); no known generator emits this"
            }
            DecodeWarning::AppIdOutOfRange => "app_id outside 1..=4294967295",
            DecodeWarning::UserIdTooLong => "user_id longer than 64 bytes (SDK/server limit)",
            DecodeWarning::UserIdEmpty => "user_id is empty",
            DecodeWarning::PayloadNull => "payload claim is null or absent",
            DecodeWarning::PayloadNotJson => {
                "payload is not JSON (ZEGO rejects it at login with error 1002075)"
            }
            DecodeWarning::CtimeAfterExpire => "ctime is after expire",
        })
    }
}

/// A decrypted token04.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DecodedToken {
    /// The container variant.
    pub mode: Mode,
    /// `true` for GCM (the tag checked out), `false` for CBC (decrypted, not authenticated).
    pub authenticated: bool,
    /// The public container header (outer expire, IV, lengths).
    pub container: ContainerInfo,
    /// The exact decrypted plaintext (the claims JSON as the generator wrote it).
    pub plaintext: String,
    /// The parsed claims.
    pub claims: Claims,
    /// The privilege payload, when the payload parses as one.
    pub privilege: Option<PrivilegePayload>,
    /// Issue time (`ctime`), Unix seconds.
    pub issued_at: i64,
    /// Expiry (`expire`, equal to the outer header), Unix seconds.
    pub expires_at: i64,
    /// Oddities that do not make the token invalid.
    pub warnings: Vec<DecodeWarning>,
}

static CLAIMS: Shape = Shape::Object(&[
    Field::leaf("app_id"),
    Field::leaf("user_id"),
    Field::leaf("nonce"),
    Field::leaf("ctime"),
    Field::leaf("expire"),
    Field::leaf("payload"),
]);

impl DecodedToken {
    /// The outer (and, after decoding, equal inner) expiry, Unix seconds.
    #[must_use]
    pub fn expire(&self) -> i64 {
        self.expires_at
    }

    /// The keys of the plaintext claims, and of a privilege payload, that rtcmint does not know
    /// (kept in [`DecodedToken::plaintext`] and the payload, never dropped). Payload keys are
    /// prefixed `payload.`; a raw (non-privilege) payload is free-form and not checked. Computed
    /// on demand, so verifying stays as fast as before.
    #[must_use]
    pub fn unknown_keys(&self) -> Vec<UnknownKey> {
        let mut out = serde_json::from_str::<serde_json::Value>(&self.plaintext)
            .map(|v| fields::unknown_keys(&v, &CLAIMS))
            .unwrap_or_default();
        if self.privilege.is_some() {
            for mut u in PrivilegePayload::unknown_keys(self.claims.payload_str()) {
                u.path.insert_str(0, "payload.");
                out.push(u);
            }
        }
        out
    }
}

/// Decrypts and verifies token04 for one server secret, with the AES keys expanded once.
///
/// Errors are distinct: [`Error::Malformed`] for the prefix, base64, container layout, claim types
/// (GCM: also a plaintext that is not UTF-8 or JSON) or an outer `expire` that differs from the
/// encrypted one ([`MalformedCause::Inconsistent`]: the header is not authenticated, so this
/// means it was altered); [`Error::SignatureMismatch`] (opaque) for a wrong secret, a GCM tag
/// failure, bad CBC padding or a CBC plaintext that is not JSON; [`Error::Expired`] when
/// `now > expire` (the expiry second itself is still valid); [`Error::UnknownKey`] when an expected
/// app id was set and the token names another.
pub struct ZegoVerifier {
    keys: Box<Schedules<Aes256Dec>>,
    expected_app_id: Option<u32>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for ZegoVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZegoVerifier")
            .field("expected_app_id", &self.expected_app_id)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

thread_local! {
    static BIN: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl ZegoVerifier {
    /// A verifier for the 32-character ServerSecret.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the secret is not exactly 32 ASCII characters.
    pub fn new(server_secret: impl Into<Secret>) -> Result<Self> {
        Ok(Self::from_key(&ZegoKey::new(&server_secret.into())?))
    }

    pub(crate) fn from_key(key: &ZegoKey) -> Self {
        ZegoVerifier {
            keys: Schedules::new(key),
            expected_app_id: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Also require the token's `app_id` to equal `app_id` ([`Error::UnknownKey`] otherwise).
    #[must_use]
    pub fn with_expected_app_id(mut self, app_id: u32) -> Self {
        self.expected_app_id = Some(app_id);
        self
    }

    crate::clock::with_clock!("Uses `clock` for [`ZegoVerifier::verify`].");

    /// Decrypts and checks the token's structure and integrity, **without** checking expiry.
    ///
    /// # Errors
    /// See the type docs; never [`Error::Expired`].
    pub fn decode(&self, token: &str) -> Result<DecodedToken> {
        BIN.with(|cell| match cell.try_borrow_mut() {
            Ok(mut bin) => {
                let r = self.decode_with(token, &mut bin);
                if bin.capacity() > 16 * 1024 {
                    *bin = Vec::new();
                }
                r
            }
            Err(_) => self.decode_with(token, &mut Vec::new()),
        })
    }

    /// [`ZegoVerifier::decode`], then the expiry check at `now` (Unix seconds): expired when
    /// `now > expire`.
    ///
    /// # Errors
    /// See the type docs.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<DecodedToken> {
        // Checked in place: the decoded structure is large, so it is not moved out and back.
        let decoded = self.decode(token);
        if let Ok(d) = &decoded
            && now > d.expires_at
        {
            return Err(Error::Expired {
                vendor: Vendor::Zego,
                expired_at: d.expires_at,
                now,
            });
        }
        decoded
    }

    /// [`ZegoVerifier::verify_at`] with the verifier's clock (default: the system clock).
    ///
    /// # Errors
    /// See the type docs, plus [`Error::Clock`].
    pub fn verify(&self, token: &str) -> Result<DecodedToken> {
        let now = self.clock.now()?;
        self.verify_at(token, now)
    }

    fn decode_with(&self, token: &str, bin: &mut Vec<u8>) -> Result<DecodedToken> {
        container::decode_base64_into(token, bin)?;
        let c = container::parse(bin)?;
        let mismatch = || Error::SignatureMismatch {
            vendor: Vendor::Zego,
        };
        let plaintext: Vec<u8> = match c.mode {
            Mode::Cbc => {
                let iv: [u8; CBC_IV_LEN] = c.iv.try_into().map_err(|_| mismatch())?;
                let mut buf = c.ciphertext.to_vec();
                let dec =
                    cbc::Decryptor::<&Aes256Dec>::inner_iv_init(&self.keys.cbc, &Array::from(iv));
                // Decrypt every block, then unpad and check UTF-8 in one pass of constant shape:
                // a bad padding and a bad byte anywhere get the same work and the same error.
                let decrypted = dec.decrypt_padded::<NoPadding>(&mut buf).map(<[u8]>::len);
                scrub_stack();
                let len = decrypted
                    .ok()
                    .and_then(|n| plaintext_len(buf.get(..n).unwrap_or_default()))
                    .ok_or_else(mismatch)?;
                buf.truncate(len);
                buf
            }
            Mode::Gcm => {
                let nonce: [u8; GCM_NONCE_LEN] = c.iv.try_into().map_err(|_| mismatch())?;
                let split = c.ciphertext.len().saturating_sub(GCM_TAG_LEN);
                let (ct, tag) = c.ciphertext.split_at_checked(split).ok_or_else(mismatch)?;
                let tag: [u8; GCM_TAG_LEN] = tag.try_into().map_err(|_| mismatch())?;
                let mut buf = ct.to_vec();
                let opened = self.keys.gcm.decrypt_inout_detached(
                    &Array::from(nonce),
                    &[],
                    buf.as_mut_slice().into(),
                    &Array::from(tag),
                );
                scrub_stack();
                opened.map_err(|_| mismatch())?;
                buf
            }
        };
        // A CBC plaintext that is not a JSON text is what a wrong key or a flipped bit produces:
        // keep that opaque. A GCM plaintext is authenticated, so garbage there is malformed.
        let garbage = |cause: MalformedCause, why: &'static str| match c.mode {
            Mode::Cbc => mismatch(),
            Mode::Gcm => Error::malformed(Vendor::Zego, cause, why),
        };
        let plaintext = String::from_utf8(plaintext).map_err(|_| {
            garbage(
                MalformedCause::BadUtf8,
                "the decrypted claims are not UTF-8",
            )
        })?;
        let claims = match fast::claims(&plaintext) {
            Some(claims) => claims,
            None => claims_from_serde(&plaintext, garbage)?,
        };
        if claims.expire != c.expire {
            return Err(Error::malformed(
                Vendor::Zego,
                MalformedCause::Inconsistent,
                format!(
                    "the outer expire header ({}) differs from the encrypted expire ({}): the unauthenticated header was altered",
                    c.expire, claims.expire
                ),
            ));
        }
        if let Some(expected) = self.expected_app_id
            && claims.app_id != u64::from(expected)
        {
            return Err(Error::UnknownKey {
                vendor: Vendor::Zego,
                key: claims.app_id.to_string(),
            });
        }

        let mut warnings = Vec::new();
        if c.mode == Mode::Cbc {
            warnings.push(DecodeWarning::Unauthenticated);
            if c.mode_byte == Some(0) {
                warnings.push(DecodeWarning::ExplicitCbcModeByte);
            }
        }
        if claims.app_id == 0 || claims.app_id > u64::from(u32::MAX) {
            warnings.push(DecodeWarning::AppIdOutOfRange);
        }
        if claims.user_id.is_empty() {
            warnings.push(DecodeWarning::UserIdEmpty);
        } else if claims.user_id.len() > MAX_USER_ID_LEN {
            warnings.push(DecodeWarning::UserIdTooLong);
        }
        if claims.ctime > claims.expire {
            warnings.push(DecodeWarning::CtimeAfterExpire);
        }
        let privilege = match claims.payload.as_deref() {
            None => {
                warnings.push(DecodeWarning::PayloadNull);
                None
            }
            Some("") => None,
            Some(p) => match PrivilegePayload::parse(p) {
                Ok(pp) => Some(pp),
                Err(_) => {
                    // Any JSON payload that repeats a key is refused, not shown as "no
                    // privileges": ZEGO's server may read the other value.
                    super::payload::refuse_duplicate_keys(p)?;
                    if serde_json::from_str::<serde::de::IgnoredAny>(p).is_err() {
                        warnings.push(DecodeWarning::PayloadNotJson);
                    }
                    None
                }
            },
        };
        let info = c.info(bin.len());
        Ok(DecodedToken {
            mode: c.mode,
            authenticated: c.mode == Mode::Gcm,
            container: info,
            issued_at: claims.ctime,
            expires_at: claims.expire,
            plaintext,
            claims,
            privilege,
            warnings,
        })
    }
}

/// Decrypts a token04 with the 32-character ServerSecret and checks its structure and integrity,
/// without checking expiry. Builds the keys on every call; keep a [`ZegoVerifier`] for many tokens.
///
/// # Errors
/// [`Error::InvalidCredentials`] for a bad secret, else as [`ZegoVerifier::decode`].
pub fn decode(token: &str, server_secret: &str) -> Result<DecodedToken> {
    ZegoVerifier::new(server_secret)?.decode(token)
}

/// The general claims parser (serde_json), for plaintexts outside the fast path's subset.
fn claims_from_serde(
    plaintext: &str,
    garbage: impl Fn(MalformedCause, &'static str) -> Error,
) -> Result<Claims> {
    serde_json::from_str(plaintext).map_err(|e| {
        if e.is_data() {
            Error::malformed(
                Vendor::Zego,
                MalformedCause::BadClaims,
                format!("the decrypted claims are not token04 claims: {e}"),
            )
        } else {
            garbage(MalformedCause::BadJson, "the decrypted claims are not JSON")
        }
    })
}
