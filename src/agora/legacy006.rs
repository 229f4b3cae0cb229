//! Legacy AccessToken "006" (the official SDKs' `AccessToken`): decode and verify only.
//!
//! `"006"` + the 32-character app id in clear + standard base64 (no compression) of
//! `Bytes(signature) ‖ u32 crc32(channel) ‖ u32 crc32(uid_text) ‖ Bytes(message)` with
//! `message = u32 salt ‖ u32 ts ‖ PrivMap`. The signature is
//! `HMAC-SHA256(key = certificate text, msg = app_id ‖ channel ‖ uid_text ‖ message)`: the channel
//! and uid are *not* in the token (only their CRC32s), so verifying needs them. Unlike 007, `ts`
//! and every privilege value are **absolute** Unix timestamps (0 = no limit). Minting 006 is not
//! offered: new Agora projects use AccessToken2.

use std::borrow::Cow;

use crate::b64::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::check_hex32;
use super::pack::Reader;
use crate::error::{Error, MalformedCause, Result};
use crate::hex;
use crate::vendor::Vendor;

/// The version prefix of legacy tokens.
pub const VERSION_006: &str = "006";

/// 006 privilege ids.
pub mod privilege {
    /// Join channel.
    pub const JOIN_CHANNEL: u16 = 1;
    /// Publish audio.
    pub const PUBLISH_AUDIO_STREAM: u16 = 2;
    /// Publish video.
    pub const PUBLISH_VIDEO_STREAM: u16 = 3;
    /// Publish data stream.
    pub const PUBLISH_DATA_STREAM: u16 = 4;
    /// RTM login (the account is in the channel field, the uid is empty).
    pub const RTM_LOGIN: u16 = 1000;
}

/// The name of a 006 privilege id, when known.
#[must_use]
pub fn privilege_name(id: u16) -> Option<&'static str> {
    Some(match id {
        1 => "join_channel",
        2 => "publish_audio_stream",
        3 => "publish_video_stream",
        4 => "publish_data_stream",
        1000 => "rtm_login",
        _ => return None,
    })
}

/// One 006 privilege: id and **absolute** expiry (Unix seconds, 0 = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Privilege006 {
    /// Privilege id.
    pub id: u16,
    /// Name of the privilege, when known.
    pub name: Option<&'static str>,
    /// Absolute expiry, Unix seconds (0 = no limit).
    pub expire_ts: u32,
}

/// A decoded legacy 006 token (also its inspection view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessToken006 {
    /// Always `"006"`.
    pub version: &'static str,
    /// The app id (clear text in the token).
    pub app_id: String,
    /// The embedded signature, lowercase hex.
    pub signature_hex: String,
    /// CRC32 of the channel name that was signed.
    pub crc_channel_name: u32,
    /// CRC32 of the uid text that was signed (`""` for uid 0, so 0).
    pub crc_uid: u32,
    /// The salt.
    pub salt: u32,
    /// The token's own deadline, absolute Unix seconds (the builders use now + 24 h).
    pub ts: u32,
    /// `ts` as i64: when the token expires, Unix seconds.
    pub expires_at: i64,
    /// Privileges with absolute expiries.
    pub privileges: Vec<Privilege006>,
    #[serde(skip)]
    signature: Vec<u8>,
    #[serde(skip)]
    message: Vec<u8>,
}

fn malformed(cause: MalformedCause, reason: impl Into<Cow<'static, str>>) -> Error {
    Error::malformed(Vendor::Agora, cause, reason)
}

impl AccessToken006 {
    /// Decodes a "006" token strictly (canonical base64, no bytes after the message).
    ///
    /// # Errors
    /// [`Error::Malformed`] with the cause [`MalformedCause::BadVersion`], `BadBase64`,
    /// `Truncated` or `BadLayout` (bytes after the message).
    pub fn decode(token: &str) -> Result<Self> {
        let Some(rest) = token.strip_prefix(VERSION_006) else {
            return Err(malformed(
                MalformedCause::BadVersion,
                "bad version: a legacy AccessToken starts with \"006\"",
            ));
        };
        let (app_id, body) = rest
            .split_at_checked(32)
            .filter(|(a, _)| a.is_ascii())
            .ok_or_else(|| {
                malformed(
                    MalformedCause::Truncated,
                    "truncated: a 006 token has a 32-character app id after \"006\"",
                )
            })?;
        let raw = STANDARD.decode(body).map_err(|e| {
            malformed(
                MalformedCause::BadBase64,
                format!(
                    "bad base64 after the app id ({e}); expected standard base64 with '=' padding"
                ),
            )
        })?;
        let mut r = Reader::new(&raw);
        let signature = r.bytes("the signature")?.to_vec();
        let crc_channel_name = r.u32("the channel CRC")?;
        let crc_uid = r.u32("the uid CRC")?;
        let message = r.bytes("the message")?;
        if !r.rest().is_empty() {
            return Err(malformed(
                MalformedCause::BadLayout,
                format!("{} unsigned bytes after the message", r.rest().len()),
            ));
        }
        let mut m = Reader::new(message);
        let salt = m.u32("the salt")?;
        let ts = m.u32("ts")?;
        let n = m.u16("the privilege count")?;
        let mut privileges = Vec::with_capacity(usize::from(n).min(8));
        for _ in 0..n {
            let id = m.u16("a privilege id")?;
            let expire_ts = m.u32("a privilege expiry")?;
            privileges.push(Privilege006 {
                id,
                name: privilege_name(id),
                expire_ts,
            });
        }
        Ok(AccessToken006 {
            version: VERSION_006,
            app_id: app_id.to_owned(),
            signature_hex: hex::lower(&signature),
            crc_channel_name,
            crc_uid,
            salt,
            ts,
            expires_at: i64::from(ts),
            privileges,
            signature,
            message: message.to_vec(),
        })
    }

    /// Checks the signature. `channel` and `uid` must be exactly what was signed: the channel
    /// name and the uid text (`""` for uid 0, decimal otherwise, or the account). For RTM 006
    /// tokens the account is the `channel` and `uid` is `""`.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] for a certificate that is not 32 hex characters;
    /// [`Error::SignatureMismatch`] when the CRCs or the HMAC do not match.
    pub fn verify_signature(&self, app_certificate: &str, channel: &str, uid: &str) -> Result<()> {
        check_hex32(app_certificate, true)?;
        let mismatch = Error::SignatureMismatch {
            vendor: Vendor::Agora,
        };
        if crc32fast::hash(channel.as_bytes()) != self.crc_channel_name
            || crc32fast::hash(uid.as_bytes()) != self.crc_uid
        {
            return Err(mismatch);
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(app_certificate.as_bytes())
            .map_err(|_| Error::credentials(Vendor::Agora, "app certificate", "unusable key"))?;
        mac.update(self.app_id.as_bytes());
        mac.update(channel.as_bytes());
        mac.update(uid.as_bytes());
        mac.update(&self.message);
        mac.verify_slice(&self.signature).map_err(|_| mismatch)
    }

    /// Fails with [`Error::Expired`] when `now >= ts`.
    ///
    /// # Errors
    /// [`Error::Expired`].
    pub fn check_expiry(&self, now: i64) -> Result<()> {
        if now >= self.expires_at {
            return Err(Error::Expired {
                vendor: Vendor::Agora,
                expired_at: self.expires_at,
                now,
            });
        }
        Ok(())
    }
}
