//! The binary container: `expire:i64 | ivlen:u16 | iv | ctlen:u16 | ciphertext [| mode:u8]`,
//! big-endian, behind the `"04"` prefix and standard base64.

use crate::b64::STANDARD;
use base64::Engine as _;
use serde::Serialize;

use super::{CBC_IV_LEN, GCM_NONCE_LEN, GCM_TAG_LEN, Mode, VERSION};
use crate::error::{Error, MalformedCause, Result};
use crate::vendor::Vendor;

/// The public (unencrypted) facts of a token04 container, readable without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ContainerInfo {
    /// The container variant.
    pub mode: Mode,
    /// The trailing mode byte: `None` for the legacy CBC container without one, else `0` (CBC) or
    /// `1` (GCM).
    pub mode_byte: Option<u8>,
    /// The outer expiry header, Unix seconds. **Not authenticated** in either mode: only the
    /// encrypted `expire` claim can be trusted.
    pub expire: i64,
    /// The IV (CBC) or nonce (GCM), hex.
    pub iv_hex: String,
    /// The IV / nonce length in bytes (16 CBC, 12 GCM).
    pub iv_len: usize,
    /// The ciphertext field length (CBC: padded length; GCM: plaintext length + 16-byte tag).
    pub ciphertext_len: usize,
    /// The length of the base64-decoded container.
    pub binary_len: usize,
}

/// A parsed container borrowing the decoded bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container<'a> {
    pub(crate) mode: Mode,
    pub(crate) mode_byte: Option<u8>,
    pub(crate) expire: i64,
    pub(crate) iv: &'a [u8],
    pub(crate) ciphertext: &'a [u8],
}

impl Container<'_> {
    pub(crate) fn info(&self, binary_len: usize) -> ContainerInfo {
        ContainerInfo {
            mode: self.mode,
            mode_byte: self.mode_byte,
            expire: self.expire,
            iv_hex: crate::hex::lower(self.iv),
            iv_len: self.iv.len(),
            ciphertext_len: self.ciphertext.len(),
            binary_len,
        }
    }
}

fn malformed(cause: MalformedCause, reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::malformed(Vendor::Zego, cause, reason)
}

/// Strips the `04` prefix and decodes the strict standard base64 body into `out` (cleared first).
pub(crate) fn decode_base64_into(token: &str, out: &mut Vec<u8>) -> Result<()> {
    let body = match token.strip_prefix(VERSION) {
        Some(body) => body,
        None if token.is_empty() => {
            return Err(malformed(MalformedCause::Empty, "the token is empty"));
        }
        None if token.starts_with("03") => {
            return Err(malformed(
                MalformedCause::BadVersion,
                "this is a token03 (legacy room token); only token04 (prefix `04`) is supported",
            ));
        }
        None => {
            return Err(malformed(
                MalformedCause::BadVersion,
                "a token04 starts with `04` followed by base64; this one does not",
            ));
        }
    };
    if body.is_empty() {
        return Err(malformed(
            MalformedCause::Truncated,
            "the token has the `04` prefix but no body",
        ));
    }
    out.clear();
    STANDARD.decode_vec(body, out).map_err(|e| {
        malformed(MalformedCause::BadBase64, format!(
            "the body after `04` is not standard padded base64 ({e}); URL-safe characters, missing `=` padding and whitespace are not accepted"
        ))
    })
}

fn truncated(what: &'static str, need: usize, have: usize) -> Error {
    malformed(
        MalformedCause::Truncated,
        format!("truncated while reading the {what} (need {need} bytes, have {have})"),
    )
}

fn take<'a>(rest: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8]> {
    let (head, tail) = rest
        .split_at_checked(n)
        .ok_or_else(|| truncated(what, n, rest.len()))?;
    *rest = tail;
    Ok(head)
}

fn take_array<const N: usize>(rest: &mut &[u8], what: &'static str) -> Result<[u8; N]> {
    let (head, tail) = rest
        .split_first_chunk::<N>()
        .ok_or_else(|| truncated(what, N, rest.len()))?;
    *rest = tail;
    Ok(*head)
}

fn take_u16(rest: &mut &[u8], what: &'static str) -> Result<usize> {
    take_array(rest, what).map(|b| usize::from(u16::from_be_bytes(b)))
}

/// Parses the binary container strictly (the layouts are in the table of `src/zego/mod.rs`).
pub(crate) fn parse(bin: &[u8]) -> Result<Container<'_>> {
    let mut rest = bin;
    let expire = i64::from_be_bytes(take_array(&mut rest, "expire header")?);
    let iv_len = take_u16(&mut rest, "IV length")?;
    let iv = take(&mut rest, iv_len, "IV")?;
    let ct_len = take_u16(&mut rest, "ciphertext length")?;
    let ciphertext = take(&mut rest, ct_len, "ciphertext")?;
    let (mode, mode_byte) = match rest {
        [] => (Mode::Cbc, None),
        [0] => (Mode::Cbc, Some(0)),
        [1] => (Mode::Gcm, Some(1)),
        [m] => {
            return Err(malformed(
                MalformedCause::BadLayout,
                format!("unknown encryption mode byte {m} (0 = CBC, 1 = GCM)"),
            ));
        }
        more => {
            return Err(malformed(
                MalformedCause::BadLayout,
                format!("{} unexpected bytes after the ciphertext", more.len()),
            ));
        }
    };
    match mode {
        Mode::Cbc => {
            if iv.len() != CBC_IV_LEN {
                return Err(malformed(
                    MalformedCause::BadLayout,
                    format!(
                        "a CBC container needs a 16-byte IV, this one has {} (a GCM token that lost its trailing mode byte looks like this)",
                        iv.len()
                    ),
                ));
            }
            if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
                return Err(malformed(
                    MalformedCause::BadLayout,
                    format!(
                        "a CBC ciphertext must be a positive multiple of 16 bytes, this one has {}",
                        ciphertext.len()
                    ),
                ));
            }
        }
        Mode::Gcm => {
            if iv.len() != GCM_NONCE_LEN {
                return Err(malformed(
                    MalformedCause::BadLayout,
                    format!(
                        "a GCM container needs a 12-byte nonce, this one has {}",
                        iv.len()
                    ),
                ));
            }
            if ciphertext.len() < GCM_TAG_LEN {
                return Err(malformed(
                    MalformedCause::BadLayout,
                    format!(
                        "a GCM ciphertext must hold at least the 16-byte tag, this one has {} bytes",
                        ciphertext.len()
                    ),
                ));
            }
        }
    }
    Ok(Container {
        mode,
        mode_byte,
        expire,
        iv,
        ciphertext,
    })
}

/// Reads the public container header of a token04 without the secret: mode, outer expiry, IV and
/// lengths. Nothing is decrypted or authenticated.
///
/// # Errors
/// [`Error::Malformed`] when the prefix ([`MalformedCause::Empty`], `BadVersion`), the base64
/// (`BadBase64`) or the container layout (`Truncated`, `BadLayout`) is wrong.
pub fn decode_container(token: &str) -> Result<ContainerInfo> {
    let mut bin = Vec::new();
    decode_base64_into(token, &mut bin)?;
    let c = parse(&bin)?;
    Ok(c.info(bin.len()))
}

/// Whether `token` looks like a well-formed token04, and which container mode it has. Modes can be
/// told apart without the secret (trailing mode byte and IV length). This decodes the base64 and
/// checks the layout; it does no cryptography, so a `Some` does not mean the token is valid.
#[must_use]
pub fn detect_mode(token: &str) -> Option<Mode> {
    let body = token.strip_prefix(VERSION)?;
    if body.is_empty() || body.len() % 4 != 0 {
        return None;
    }
    let mut bin = Vec::new();
    decode_base64_into(token, &mut bin).ok()?;
    parse(&bin).ok().map(|c| c.mode)
}
