//! AccessToken2 ("007"): the owned token model, encoding (pack → sign → zlib → base64) and
//! strict decoding.

use std::borrow::Cow;

use crate::b64::{STANDARD, encode_append};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::check_hex32;
use super::keycache::KeyChainCache;
use super::pack::{Reader, put_bytes, put_u16, put_u32};
use super::services::{
    Service, ServiceDetail, privilege_name, put_service, read_service, skip_service,
};
use super::zlib::{self, Compression};
use crate::error::{Error, MalformedCause, Result};
use crate::hex;
use crate::scratch::{self, Lent, Zlib};
use crate::vendor::Vendor;

type HmacSha256 = Hmac<Sha256>;

/// The version prefix of AccessToken2 strings.
pub const VERSION_007: &str = "007";

/// The scratch values of a mint or decode (see [`crate::scratch`]), so that the steady state
/// allocates nothing but the caller's output.
pub(crate) struct Scratch {
    pub(crate) payload: Lent<Vec<u8>>,
    pub(crate) stream: Lent<Vec<u8>>,
    pub(crate) zlib: Lent<Zlib>,
}

/// Runs `f` with scratch values borrowed from this thread's pool.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    // Taken in the reverse of the fields' drop order, so that each field gets back the buffer it
    // had last time (see `crate::scratch`): no buffer grows into another's role.
    let zlib = scratch::zlib();
    let stream = scratch::bytes();
    let payload = scratch::bytes();
    f(&mut Scratch {
        payload,
        stream,
        zlib,
    })
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Result<Zeroizing<[u8; 32]>> {
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::credentials(Vendor::Agora, "app certificate", "unusable HMAC key"))?;
    for p in parts {
        m.update(p);
    }
    Ok(Zeroizing::new(m.finalize().into_bytes().into()))
}

/// The signing key: `HMAC(u32le(salt), HMAC(u32le(issue_ts), certificate ASCII))`, as the
/// official SDKs' `AccessToken2` derive it (wire format: `src/agora/mod.rs`).
pub(crate) fn signing_key(cert: &[u8], issue_ts: u32, salt: u32) -> Result<Zeroizing<[u8; 32]>> {
    let k1 = hmac(&issue_ts.to_le_bytes(), &[cert])?;
    hmac(&salt.to_le_bytes(), &[k1.as_slice()])
}

/// [`signing_key`], taking the inner HMAC from a minter's cache when it holds the issue second
/// (and caching it when it does not).
fn signing_key_cached(
    cache: Option<&KeyChainCache>,
    cert: &[u8],
    issue_ts: u32,
    salt: u32,
) -> Result<Zeroizing<[u8; 32]>> {
    let Some(cache) = cache else {
        return signing_key(cert, issue_ts, salt);
    };
    let mut k1 = Zeroizing::new([0u8; 32]);
    if !cache.get_into(issue_ts, &mut k1) {
        k1 = hmac(&issue_ts.to_le_bytes(), &[cert])?;
        cache.put(issue_ts, &k1);
    }
    hmac(&salt.to_le_bytes(), &[k1.as_slice()])
}

/// Length of the signature `Bytes` at the start of a payload we write.
const SIG_FIELD: usize = 2 + 32;

/// What a payload's signing info holds besides the services, and the key it is signed with.
pub(crate) struct PayloadHead<'a> {
    /// The minter's key-chain cache, if it keeps one.
    pub(crate) cache: Option<&'a KeyChainCache>,
    /// The app certificate (the signing secret).
    pub(crate) cert: &'a [u8],
    pub(crate) app_id: &'a str,
    pub(crate) issue_ts: u32,
    pub(crate) expire: u32,
    pub(crate) salt: u32,
    pub(crate) service_count: u16,
}

/// Builds `payload` = `Bytes(signature) ‖ signing_info`; `write_services` appends the services.
pub(crate) fn build_payload(
    payload: &mut Vec<u8>,
    head: &PayloadHead<'_>,
    write_services: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let PayloadHead {
        cache,
        cert,
        app_id,
        issue_ts,
        expire,
        salt,
        service_count,
    } = *head;
    payload.clear();
    put_u16(payload, 32);
    payload.extend_from_slice(&[0u8; 32]);
    put_bytes(payload, "app_id", app_id.as_bytes())?;
    put_u32(payload, issue_ts);
    put_u32(payload, expire);
    put_u32(payload, salt);
    put_u16(payload, service_count);
    write_services(payload)?;
    let key = signing_key_cached(cache, cert, issue_ts, salt)?;
    let internal = || Error::Internal {
        what: "an AccessToken2 payload has no room for its signature",
    };
    let (head, signing_info) = payload
        .split_at_mut_checked(SIG_FIELD)
        .ok_or_else(internal)?;
    let sig = hmac(key.as_slice(), &[signing_info])?;
    let dst = head.get_mut(2..).ok_or_else(internal)?;
    dst.copy_from_slice(sig.as_slice());
    Ok(())
}

/// Mints a token into `out`: pack, sign, wrap in zlib, base64. Appends only on success.
pub(crate) fn encode_parts_into(
    head: &PayloadHead<'_>,
    compression: Compression,
    write_services: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    out: &mut String,
) -> Result<()> {
    with_scratch(|s| {
        build_payload(&mut s.payload, head, write_services)?;
        wrap_payload(s, compression, out)
    })
}

/// Wraps `s.payload` in zlib (into `s.stream`) and appends `"007"` + its base64 to `out`.
fn wrap_payload(s: &mut Scratch, compression: Compression, out: &mut String) -> Result<()> {
    let Scratch {
        payload,
        stream,
        zlib: streams,
    } = s;
    stream.clear();
    match compression {
        Compression::Stored => zlib::wrap_stored(payload, stream),
        Compression::Deflate(level) => {
            zlib::wrap_deflate(payload, level, &mut streams.deflater, stream)?
        }
    }
    out.reserve(VERSION_007.len() + stream.len().div_ceil(3) * 4);
    out.push_str(VERSION_007);
    encode_append(&*STANDARD, stream, out);
    Ok(())
}

/// An AccessToken2: header fields plus services. Used both to mint (low level, every input
/// explicit) and as the result of decoding.
///
/// `expire` and every privilege value are **seconds relative to `issue_ts`**, not Unix
/// timestamps (the 006 convention, and the most common mistake with Agora tokens: passing
/// `now + 3600` here makes a token that claims to live ~55 years). This low-level type does not
/// cap them; the builders of [`AgoraMinter`](super::AgoraMinter) refuse more than 24 h.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessToken2 {
    /// The 32-character app id, used verbatim (case preserved).
    pub app_id: String,
    /// Issue time, Unix seconds.
    pub issue_ts: u32,
    /// Token lifetime in seconds from `issue_ts`.
    pub expire: u32,
    /// Random salt.
    pub salt: u32,
    /// Services; encoded sorted by type (same type kept in insertion order).
    pub services: Vec<Service>,
}

impl AccessToken2 {
    /// A token without services (add at least one before encoding).
    #[must_use]
    pub fn new(app_id: impl Into<String>, issue_ts: u32, expire: u32, salt: u32) -> Self {
        AccessToken2 {
            app_id: app_id.into(),
            issue_ts,
            expire,
            salt,
            services: Vec::new(),
        }
    }

    /// Adds a service.
    #[must_use]
    pub fn with_service(mut self, service: Service) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a service.
    pub fn add_service(&mut self, service: Service) {
        self.services.push(service);
    }

    /// When the token expires, Unix seconds (`issue_ts + expire`).
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        i64::from(self.issue_ts) + i64::from(self.expire)
    }

    fn write_payload(&self, cert: &str, payload: &mut Vec<u8>) -> Result<()> {
        check_hex32(cert, true)?;
        check_hex32(&self.app_id, false)?;
        if self.services.is_empty() {
            return Err(Error::request(
                Vendor::Agora,
                "services",
                "an AccessToken2 needs at least one service",
            ));
        }
        let count = u16::try_from(self.services.len())
            .map_err(|_| Error::request(Vendor::Agora, "services", "more than 65535 services"))?;
        let head = PayloadHead {
            cache: None,
            cert: cert.as_bytes(),
            app_id: &self.app_id,
            issue_ts: self.issue_ts,
            expire: self.expire,
            salt: self.salt,
            service_count: count,
        };
        build_payload(payload, &head, |buf| {
            let sorted = self
                .services
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.service_type() <= b.service_type()));
            if sorted {
                self.services.iter().try_for_each(|s| put_service(buf, s))
            } else {
                let mut order: Vec<&Service> = self.services.iter().collect();
                order.sort_by_key(|s| s.service_type()); // stable
                order.into_iter().try_for_each(|s| put_service(buf, s))
            }
        })
    }

    /// The inflated payload (`Bytes(signature) ‖ signing_info`), the bytes the vectors pin.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the certificate or app id is not 32 hex characters,
    /// [`Error::InvalidRequest`] without services or with a string longer than 65535 bytes.
    pub fn payload(&self, app_certificate: &str) -> Result<Vec<u8>> {
        let mut p = Vec::new();
        self.write_payload(app_certificate, &mut p)?;
        Ok(p)
    }

    /// Encodes the token with stored-block zlib (see [`Compression`]).
    ///
    /// # Errors
    /// As [`AccessToken2::payload`].
    pub fn encode(&self, app_certificate: &str) -> Result<String> {
        let mut s = String::new();
        self.encode_into(app_certificate, Compression::Stored, &mut s)?;
        Ok(s)
    }

    /// Encodes the token with the chosen compression, appending it to `out` (on success only).
    ///
    /// # Errors
    /// As [`AccessToken2::payload`].
    pub fn encode_into(
        &self,
        app_certificate: &str,
        compression: Compression,
        out: &mut String,
    ) -> Result<()> {
        with_scratch(|s| {
            self.write_payload(app_certificate, &mut s.payload)?;
            wrap_payload(s, compression, out)
        })
    }

    /// Decodes a "007" token strictly (see [`DecodedToken2`]); does not verify it.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the cause [`MalformedCause::BadVersion`], `BadBase64`,
    /// `BadZlib`, `Truncated` or `BadUtf8`.
    pub fn decode(token: &str) -> Result<DecodedToken2> {
        let Some(body) = token.strip_prefix(VERSION_007) else {
            return Err(bad_version(token));
        };
        with_scratch(|s| {
            unwrap_into(body, s)?;
            DecodedToken2::from_payload(&s.payload)
        })
    }

    /// Verifies a "007" token without building the decoded structure: no heap allocation in
    /// steady state. Checks the structure as strictly as [`AccessToken2::decode`], the app id (if
    /// `expected_app_id` is given, verbatim), the signature (constant time) and the expiry
    /// (`now >= issue_ts + expire` is expired, and so is a token whose access privilege of every
    /// service has passed: [privilege expiry](crate::agora#privilege-expiry)). Use [`AgoraVerifier`](crate::agora::AgoraVerifier) to also get the
    /// decoded content.
    ///
    /// # Errors
    /// [`Error::Malformed`], [`Error::InvalidCredentials`] (certificate not 32 hex),
    /// [`Error::UnknownKey`], [`Error::SignatureMismatch`], [`Error::Expired`],
    /// [`Error::PrivilegeExpired`].
    pub fn verify_str(
        token: &str,
        app_certificate: &str,
        expected_app_id: Option<&str>,
        now: i64,
    ) -> Result<VerifiedToken2> {
        let Some(body) = token.strip_prefix(VERSION_007) else {
            return Err(bad_version(token));
        };
        check_hex32(app_certificate, true)?;
        with_scratch(|s| {
            unwrap_into(body, s)?;
            let mut r = Reader::new(&s.payload);
            let signature = r.bytes("the signature")?;
            let signing_info = r.rest();
            let app_id = r.bytes("the app id")?;
            if std::str::from_utf8(app_id).is_err() {
                return Err(Error::malformed(
                    Vendor::Agora,
                    MalformedCause::BadUtf8,
                    "the app id is not valid UTF-8",
                ));
            }
            let issue_ts = r.u32("issue_ts")?;
            let expire = r.u32("expire")?;
            let salt = r.u32("salt")?;
            let count = r.u16("the service count")?;
            let mut judge = super::expiry::Judge::new(now);
            for _ in 0..count {
                let ty = r.u16("a service type")?;
                let Some(privileges) = skip_service(&mut r, ty)? else {
                    judge.unknown_service();
                    break;
                };
                judge.service(
                    ty,
                    super::expiry::wire_privileges(privileges)
                        .map(|(id, e)| (id, super::expiry::absolute(issue_ts, e))),
                    |id| super::expiry::is_access(ty, id),
                );
            }
            if let Some(expected) = expected_app_id
                && expected.as_bytes() != app_id
            {
                return Err(Error::UnknownKey {
                    vendor: Vendor::Agora,
                    key: String::from_utf8_lossy(app_id).into_owned(),
                });
            }
            let key = signing_key(app_certificate.as_bytes(), issue_ts, salt)?;
            let mut m = <HmacSha256 as KeyInit>::new_from_slice(key.as_slice()).map_err(|_| {
                Error::credentials(Vendor::Agora, "app certificate", "unusable HMAC key")
            })?;
            m.update(signing_info);
            m.verify_slice(signature)
                .map_err(|_| Error::SignatureMismatch {
                    vendor: Vendor::Agora,
                })?;
            let expires_at = i64::from(issue_ts) + i64::from(expire);
            if now >= expires_at {
                return Err(Error::Expired {
                    vendor: Vendor::Agora,
                    expired_at: expires_at,
                    now,
                });
            }
            judge.finish(privilege_name)?;
            Ok(VerifiedToken2 {
                issue_ts,
                expire,
                expires_at,
                salt,
            })
        })
    }
}

/// base64-decodes `body` into `s.stream`, then inflates it into `s.payload`.
fn unwrap_into(body: &str, s: &mut Scratch) -> Result<()> {
    s.stream.clear();
    STANDARD.decode_vec(body, &mut s.stream).map_err(|e| {
        Error::malformed(
            Vendor::Agora,
            MalformedCause::BadBase64,
            Cow::Owned(format!(
                "bad base64 after \"007\" ({e}); expected standard base64 with '=' padding, \
                 no whitespace (percent-decode tokens taken from URLs)"
            )),
        )
    })?;
    s.payload.clear();
    zlib::inflate(&s.stream, &mut s.payload, &mut s.zlib.inflater)
}

/// The header facts of a token that passed [`AccessToken2::verify_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct VerifiedToken2 {
    /// Issue time, Unix seconds.
    pub issue_ts: u32,
    /// Lifetime in seconds from `issue_ts`.
    pub expire: u32,
    /// `issue_ts + expire`, Unix seconds.
    pub expires_at: i64,
    /// The salt.
    pub salt: u32,
}

pub(crate) fn bad_version(token: &str) -> Error {
    let reason = if token.starts_with("006") {
        "bad version: this is a legacy AccessToken \"006\"; decode it with agora::decode or AccessToken006::decode"
    } else {
        "bad version: an AccessToken2 starts with \"007\""
    };
    Error::malformed(Vendor::Agora, MalformedCause::BadVersion, reason)
}

fn serialize_hex<S: serde::Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::lower(b))
}

/// A decoded (not yet verified) AccessToken2, with the facts a strict decoder surfaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedToken2 {
    /// The header and the services that could be parsed.
    pub token: AccessToken2,
    /// The embedded signature (32 bytes in a well-formed token; any length is read).
    #[serde(serialize_with = "serialize_hex")]
    pub signature: Vec<u8>,
    /// The signed bytes (everything after the signature), exactly as in the token.
    #[serde(serialize_with = "serialize_hex")]
    pub signing_info: Vec<u8>,
    /// A service type this parser does not know; parsing stopped there, as the references do.
    pub unknown_service_type: Option<u16>,
    /// Bytes after the last parsed service (from the unknown service's type field on, if any).
    /// The signature covers them; the references ignore them.
    pub trailing_bytes: usize,
}

impl DecodedToken2 {
    /// Parses an inflated payload.
    ///
    /// # Errors
    /// [`Error::Malformed`] ([`MalformedCause::Truncated`]) when a field is cut off,
    /// ([`MalformedCause::BadUtf8`]) when a string is not UTF-8.
    pub fn from_payload(payload: &[u8]) -> Result<Self> {
        let mut r = Reader::new(payload);
        let signature = r.bytes("the signature")?.to_vec();
        let signing_info = r.rest().to_vec();
        let app_id = r.string("the app id")?;
        let issue_ts = r.u32("issue_ts")?;
        let expire = r.u32("expire")?;
        let salt = r.u32("salt")?;
        let count = r.u16("the service count")?;
        let mut services = Vec::with_capacity(usize::from(count).min(16));
        let mut unknown_service_type = None;
        let mut trailing_bytes = 0;
        for _ in 0..count {
            let before = r.rest().len();
            let ty = r.u16("a service type")?;
            match read_service(&mut r, ty)? {
                Some(s) => services.push(s),
                None => {
                    unknown_service_type = Some(ty);
                    trailing_bytes = before;
                    break;
                }
            }
        }
        if unknown_service_type.is_none() {
            trailing_bytes = r.rest().len();
        }
        Ok(DecodedToken2 {
            token: AccessToken2 {
                app_id,
                issue_ts,
                expire,
                salt,
                services,
            },
            signature,
            signing_info,
            unknown_service_type,
            trailing_bytes,
        })
    }

    /// Whether the app id is 32 hex characters (what Agora issues; npm's verifier requires it).
    #[must_use]
    pub fn app_id_valid_format(&self) -> bool {
        check_hex32(&self.token.app_id, false).is_ok()
    }

    /// Checks the signature with `app_certificate` (32 hex characters, used as text), in constant
    /// time.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] for a malformed certificate, [`Error::SignatureMismatch`].
    pub fn verify_signature(&self, app_certificate: &str) -> Result<()> {
        check_hex32(app_certificate, true)?;
        let key = signing_key(
            app_certificate.as_bytes(),
            self.token.issue_ts,
            self.token.salt,
        )?;
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(key.as_slice()).map_err(|_| {
            Error::credentials(Vendor::Agora, "app certificate", "unusable HMAC key")
        })?;
        m.update(&self.signing_info);
        m.verify_slice(&self.signature)
            .map_err(|_| Error::SignatureMismatch {
                vendor: Vendor::Agora,
            })
    }

    /// Fails with [`Error::Expired`] when `now >= issue_ts + expire`.
    ///
    /// # Errors
    /// [`Error::Expired`].
    pub fn check_expiry(&self, now: i64) -> Result<()> {
        let expired_at = self.token.expires_at();
        if now >= expired_at {
            return Err(Error::Expired {
                vendor: Vendor::Agora,
                expired_at,
                now,
            });
        }
        Ok(())
    }

    /// The bytes the parser could not read: from the unknown service's type field on (or after
    /// the last service), exactly as in the token. The signature covers them.
    #[must_use]
    pub fn unparsed_bytes(&self) -> &[u8] {
        let start = self.signing_info.len().saturating_sub(self.trailing_bytes);
        self.signing_info.get(start..).unwrap_or_default()
    }

    /// The inspection view (names and absolute times), ready to print as JSON.
    #[must_use]
    pub fn info(&self) -> AccessToken2Info {
        let t = &self.token;
        let base = i64::from(t.issue_ts);
        AccessToken2Info {
            version: VERSION_007,
            app_id: t.app_id.clone(),
            app_id_valid_format: self.app_id_valid_format(),
            issue_ts: t.issue_ts,
            expire: t.expire,
            expires_at: t.expires_at(),
            salt: t.salt,
            signature_hex: hex::lower(&self.signature),
            services: t
                .services
                .iter()
                .map(|s| ServiceInfo {
                    service_type: s.service_type(),
                    name: s.name(),
                    privileges: s
                        .privileges
                        .iter()
                        .map(|p| PrivilegeInfo {
                            id: p.id,
                            name: privilege_name(s.service_type(), p.id),
                            expire: p.expire,
                            expires_at: (p.expire != 0).then(|| base + i64::from(p.expire)),
                        })
                        .collect(),
                    detail: s.detail.clone(),
                })
                .collect(),
            unknown_service_type: self.unknown_service_type,
            trailing_bytes: self.trailing_bytes,
            unparsed_hex: (self.trailing_bytes > 0).then(|| hex::lower(self.unparsed_bytes())),
        }
    }
}

/// Inspection view of an AccessToken2, with absolute expiry times. Serializes to JSON in the
/// shape of the vectors' `decoded` objects plus `expires_at` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessToken2Info {
    /// Always `"007"`.
    pub version: &'static str,
    /// The app id text.
    pub app_id: String,
    /// Whether the app id is 32 hex characters.
    pub app_id_valid_format: bool,
    /// Issue time, Unix seconds.
    pub issue_ts: u32,
    /// Lifetime in seconds from `issue_ts`.
    pub expire: u32,
    /// `issue_ts + expire`, Unix seconds.
    pub expires_at: i64,
    /// The salt.
    pub salt: u32,
    /// The embedded signature, lowercase hex.
    pub signature_hex: String,
    /// Services in token order.
    pub services: Vec<ServiceInfo>,
    /// An unknown service type where parsing stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_service_type: Option<u16>,
    /// Unparsed bytes after the last parsed service.
    pub trailing_bytes: usize,
    /// Those bytes (an unknown service with its type, or trailing data), lowercase hex, exactly as
    /// in the token; `None` when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unparsed_hex: Option<String>,
}

/// One service in the inspection view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Wire type number.
    #[serde(rename = "type")]
    pub service_type: u16,
    /// Service name (`"rtc"`, ...).
    pub name: &'static str,
    /// Privileges in token order.
    pub privileges: Vec<PrivilegeInfo>,
    /// The type-specific fields (flattened into this object in JSON).
    #[serde(flatten)]
    pub detail: ServiceDetail,
}

/// One privilege in the inspection view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivilegeInfo {
    /// Privilege id.
    pub id: u16,
    /// Privilege name, when known.
    pub name: Option<&'static str>,
    /// Seconds from `issue_ts` (0 = no separate limit).
    pub expire: u32,
    /// `issue_ts + expire` in Unix seconds; `None` when `expire` is 0.
    pub expires_at: Option<i64>,
}
