//! Decoding and verifying LiveKit access tokens.
//!
//! The rules follow the `recommended` verdicts of `tests/vectors/livekit/negative_vectors.json`:
//! strict base64url, HS256 only, `crit` refused, `exp` required, 60 s leeway on `exp` and `nbf`,
//! `iss` required and matched against the configured keys, empty secrets refused, `iat` and `aud`
//! not validated (but `iat` must be a number), numeric dates as JSON numbers (floats accepted),
//! duplicate claim keys refused.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde::de::{self, IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fast;
use super::grants::{
    AgentEndpointGrant, AgentGrant, AgentThreadGrant, ClaimGrants, InferenceGrant,
    ObservabilityGrant, RoomConfiguration, SipGrant, VideoGrant, WireClaims,
};
use super::mint::HEADER_B64;
use super::{HmacSha256, check_key_and_secret};
use crate::b64::URL_SAFE_NO_PAD;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, MalformedCause, Result};
use crate::fields::UnknownKey;
use crate::secret::Secret;
use crate::vendor::Vendor;

/// The verification leeway the LiveKit server uses on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Longest token accepted (server caps: 512 KiB metadata + 64 KiB attributes, base64-inflated).
const MAX_TOKEN_LEN: usize = 1 << 20;

/// The header values that matter of a decoded token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwtHeader {
    /// The algorithm (`alg`).
    pub alg: String,
    /// The type (`typ`), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// The key id (`kid`), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// The claims of a decoded token.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Issuer: the API key.
    pub iss: String,
    /// Not before, Unix seconds (fractions floored).
    pub nbf: Option<i64>,
    /// Expiry, Unix seconds (fractions floored).
    pub exp: i64,
    /// Issued at (written by the Go SDK only), Unix seconds.
    pub iat: Option<i64>,
    /// Identity and grants. The identity is `sub`, or `jti` when `sub` is empty, as the server
    /// reads it.
    pub grants: ClaimGrants,
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut wire = WireClaims::new(&self.grants, &self.iss, self.nbf, self.exp);
        wire.iat = self.iat;
        wire.serialize(s)
    }
}

/// A token decoded without checking its signature: the token as encoded (the exact header and
/// payload text, every key, explicit defaults and unknown keys included, in token order) and
/// rtcmint's typed reading of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DecodedToken {
    /// The header, typed.
    pub header: JwtHeader,
    /// The claims, typed (what rtcmint understands of the payload).
    pub claims: Claims,
    /// The exact decoded text of the header segment. Serialised as the JSON it holds.
    #[serde(rename = "header_raw", serialize_with = "raw_json")]
    pub header_json: String,
    /// The exact decoded text of the payload segment: every claim as the issuer wrote it.
    /// Serialised as the JSON it holds, in token order.
    #[serde(rename = "claims_raw", serialize_with = "raw_json")]
    pub payload_json: String,
    /// Header parameters and claims (at any depth) that rtcmint does not know, kept in
    /// [`DecodedToken::payload_json`] and listed here; header ones are prefixed `header.`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_keys: Vec<UnknownKey>,
}

/// Serialises JSON text as the JSON value it holds (keeping its key order), or as a string if it
/// somehow is not JSON.
fn raw_json<S: Serializer>(text: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    match serde_json::value::RawValue::from_string(text.trim().to_owned()) {
        Ok(raw) => raw.serialize(s),
        Err(_) => s.serialize_str(text),
    }
}

/// A JSON number read as whole Unix seconds (RFC 7519 NumericDate; fractions are floored).
struct NumericDate(i64);

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumericDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON number of seconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<NumericDate, E> {
                Ok(NumericDate(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<NumericDate, E> {
                i64::try_from(v)
                    .map(NumericDate)
                    .map_err(|_| E::custom("numeric date out of range"))
            }
            #[allow(clippy::cast_possible_truncation)] // range checked just before
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<NumericDate, E> {
                // 2^63 is exactly representable; anything at or past it does not fit.
                if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v) {
                    Ok(NumericDate(v.floor() as i64))
                } else {
                    Err(E::custom("numeric date out of range"))
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireHeader {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireIn {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    nbf: Option<NumericDate>,
    #[serde(default)]
    exp: Option<NumericDate>,
    #[serde(default)]
    iat: Option<NumericDate>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    kind_details: Option<Vec<String>>,
    #[serde(default)]
    video: Option<VideoGrant>,
    #[serde(default)]
    sip: Option<SipGrant>,
    #[serde(default)]
    agent: Option<AgentGrant>,
    #[serde(default)]
    agent_endpoint: Option<AgentEndpointGrant>,
    #[serde(default)]
    agent_thread: Option<AgentThreadGrant>,
    #[serde(default)]
    inference: Option<InferenceGrant>,
    #[serde(default)]
    observability: Option<ObservabilityGrant>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    metadata: Option<String>,
    #[serde(default)]
    attributes: Option<BTreeMap<String, String>>,
    #[serde(default)]
    room_preset: Option<String>,
    #[serde(default)]
    room_config: Option<RoomConfiguration>,
}

impl WireIn {
    fn into_grants(self) -> ClaimGrants {
        let mut identity = self.sub.unwrap_or_default();
        if identity.is_empty() {
            identity = self.jti.unwrap_or_default();
        }
        ClaimGrants {
            identity,
            name: self.name.unwrap_or_default(),
            kind: self.kind.unwrap_or_default(),
            kind_details: self.kind_details.unwrap_or_default(),
            video: self.video,
            sip: self.sip,
            agent: self.agent,
            agent_endpoint: self.agent_endpoint,
            agent_thread: self.agent_thread,
            inference: self.inference,
            observability: self.observability,
            sha256: self.sha256.unwrap_or_default(),
            metadata: self.metadata.unwrap_or_default(),
            attributes: self.attributes.unwrap_or_default(),
            room_preset: self.room_preset.unwrap_or_default(),
            room_config: self.room_config,
        }
    }
}

impl ClaimGrants {
    /// Reads grants from their JSON claim form, e.g.
    /// `{"sub":"alice","video":{"roomJoin":true,"room":"r"},"sip":{"call":true}}`: the same
    /// names as in a token's payload. The registered claims `iss`, `nbf`, `exp` and `iat` are
    /// refused, since the minter sets them.
    ///
    /// # Errors
    /// [`Error::UnknownField`] for a key no LiveKit claim or grant defines (named with the closest
    /// known key); [`Error::InvalidRequest`] (field `grants`) for invalid JSON, wrong types,
    /// duplicate keys, `jti` or a registered claim.
    pub fn from_json(text: &str) -> Result<Self> {
        let bad = |reason: String| Error::request(Vendor::LiveKit, "grants", reason);
        let value = crate::fields::object_value(text, Some(Vendor::LiveKit), "grants")?;
        crate::fields::refuse_unknown(
            &value,
            &super::schema::GRANTS_IN,
            Some(Vendor::LiveKit),
            "grants",
        )?;
        let w: WireIn =
            serde_json::from_str(text).map_err(|e| bad(format!("invalid grant JSON: {e}")))?;
        if w.iss.is_some() || w.nbf.is_some() || w.exp.is_some() || w.iat.is_some() {
            return Err(bad(
                "must not set iss, nbf, exp or iat: the minter writes them from its key, clock and ttl"
                    .into(),
            ));
        }
        Ok(w.into_grants())
    }
}

fn malformed(cause: MalformedCause, reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::malformed(Vendor::LiveKit, cause, reason)
}

/// The cause of a serde_json failure: bad JSON text, or JSON of the wrong shape (`data`).
fn json_cause(e: &serde_json::Error, data: MalformedCause) -> MalformedCause {
    if e.is_data() {
        data
    } else {
        MalformedCause::BadJson
    }
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(512));
}

/// The three segments of a compact JWS, split strictly.
struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    /// `header.payload`, the signed text.
    signed: &'a str,
}

fn split(token: &str) -> Result<Parts<'_>> {
    if token.is_empty() {
        return Err(malformed(MalformedCause::Empty, "empty token"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed(
            MalformedCause::TooLong,
            format!(
                "token is {} bytes; refusing more than {MAX_TOKEN_LEN}",
                token.len()
            ),
        ));
    }
    let (signed, signature) = token.rsplit_once('.').ok_or_else(|| {
        malformed(
            MalformedCause::BadLayout,
            "expected three dot-separated segments, found one",
        )
    })?;
    let (header, payload) = signed.split_once('.').ok_or_else(|| {
        malformed(
            MalformedCause::BadLayout,
            "expected three dot-separated segments, found two",
        )
    })?;
    if payload.contains('.') {
        return Err(malformed(
            MalformedCause::BadLayout,
            "expected three dot-separated segments, found more",
        ));
    }
    Ok(Parts {
        header,
        payload,
        signature,
        signed,
    })
}

fn parse_header(segment: &str) -> Result<JwtHeader> {
    if segment == HEADER_B64 {
        return Ok(JwtHeader {
            alg: "HS256".to_owned(),
            typ: Some("JWT".to_owned()),
            kid: None,
        });
    }
    let bytes = URL_SAFE_NO_PAD.decode(segment).map_err(|e| {
        malformed(
            MalformedCause::BadBase64,
            format!("header is not strict base64url: {e}"),
        )
    })?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed(
            MalformedCause::BadJson,
            "header is not a JSON object",
        ));
    }
    let h: WireHeader = serde_json::from_slice(&bytes).map_err(|e| {
        malformed(
            json_cause(&e, MalformedCause::BadHeader),
            format!("header is not valid JSON: {e}"),
        )
    })?;
    if h.crit.is_some() {
        return Err(malformed(
            MalformedCause::BadHeader,
            "header lists critical extensions (`crit`), which LiveKit does not define",
        ));
    }
    Ok(JwtHeader {
        alg: h.alg,
        typ: h.typ,
        kid: h.kid,
    })
}

fn parse_claims(segment: &str) -> Result<Claims> {
    SCRATCH.with_borrow_mut(|buf| {
        buf.clear();
        URL_SAFE_NO_PAD.decode_vec(segment, buf).map_err(|e| {
            malformed(
                MalformedCause::BadBase64,
                format!("payload is not strict base64url: {e}"),
            )
        })?;
        if let Some(claims) = std::str::from_utf8(buf).ok().and_then(fast::parse_claims) {
            return Ok(claims);
        }
        claims_from_json(buf)
    })
}

/// The general claims parser (serde_json), for payloads outside the fast path's subset.
pub(super) fn claims_from_json(buf: &[u8]) -> Result<Claims> {
    if buf.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed(
            MalformedCause::BadJson,
            "payload is not a JSON object",
        ));
    }
    let mut w: WireIn = serde_json::from_slice(buf).map_err(|e| {
        malformed(
            json_cause(&e, MalformedCause::BadClaims),
            format!("claims are not valid: {e}"),
        )
    })?;
    let exp = w
        .exp
        .as_ref()
        .ok_or_else(|| malformed(MalformedCause::BadClaims, "the `exp` claim is missing"))?
        .0;
    Ok(Claims {
        iss: w.iss.take().unwrap_or_default(),
        nbf: w.nbf.as_ref().map(|n| n.0),
        exp,
        iat: w.iat.as_ref().map(|n| n.0),
        grants: w.into_grants(),
    })
}

/// Decodes a token **without checking its signature or times**, for inspection. The structure is
/// checked as strictly as by [`LiveKitVerifier`]: three strict base64url segments, JSON objects,
/// an `exp` claim.
///
/// # Errors
/// [`Error::Malformed`] when the token does not parse.
pub fn decode(token: &str) -> Result<DecodedToken> {
    decode_parts(&split(token)?, false)
}

/// Decodes the split token; with `check_alg`, an `alg` other than HS256 is refused as soon as the
/// header is read (the verifier's order).
fn decode_parts(parts: &Parts<'_>, check_alg: bool) -> Result<DecodedToken> {
    let header = parse_header(parts.header)?;
    if check_alg {
        check_alg_hs256(&header)?;
    }
    let claims = parse_claims(parts.payload)?;
    // Both segments decoded and parsed above, so they are base64url of JSON text.
    let text = |segment: &str| {
        URL_SAFE_NO_PAD
            .decode(segment)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| {
                malformed(
                    MalformedCause::BadBase64,
                    format!("segment is not strict base64url: {e}"),
                )
            })
    };
    let header_json = text(parts.header)?;
    let payload_json = text(parts.payload)?;
    let mut unknown_keys = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&header_json) {
        for mut u in crate::fields::unknown_keys(&v, &super::schema::HEADER) {
            u.path.insert_str(0, "header.");
            unknown_keys.push(u);
        }
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&payload_json) {
        unknown_keys.extend(crate::fields::unknown_keys(&v, &super::schema::CLAIMS));
    }
    Ok(DecodedToken {
        header,
        claims,
        header_json,
        payload_json,
        unknown_keys,
    })
}

struct VerifyKey {
    api_key: String,
    mac: HmacSha256,
    _secret: Secret,
}

/// Verifies LiveKit access tokens against one or more API key/secret pairs (key rotation).
///
/// ```
/// use std::time::Duration;
/// use rtcmint::livekit::{ClaimGrants, LiveKitMinter, LiveKitVerifier, VideoGrant};
///
/// let secret = "a-secret-of-at-least-32-characters!!";
/// let minter = LiveKitMinter::new("APIkey", secret)?;
/// let grants = ClaimGrants::new("alice").with_video(VideoGrant::join("r"));
/// let token = minter.encode(&grants, 1_000, Duration::from_secs(600))?;
/// let verifier = LiveKitVerifier::new("APIkey", secret)?;
/// let claims = verifier.verify_at(&token, 1_100)?;
/// assert_eq!(claims.grants.identity, "alice");
/// assert!(verifier.verify_at(&token, 1_000 + 600 + 60).is_err()); // expired, past the leeway
/// # Ok::<(), rtcmint::Error>(())
/// ```
pub struct LiveKitVerifier {
    keys: Vec<VerifyKey>,
    leeway: i64,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for LiveKitVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveKitVerifier")
            .field(
                "api_keys",
                &self
                    .keys
                    .iter()
                    .map(|k| k.api_key.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("leeway_secs", &self.leeway)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl LiveKitVerifier {
    /// A verifier for one key pair, with the server's 60 s leeway and the system clock.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the key or secret is empty.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<Secret>) -> Result<Self> {
        LiveKitVerifier {
            keys: Vec::new(),
            leeway: 60,
            clock: Arc::new(SystemClock),
        }
        .with_key(api_key, api_secret)
    }

    /// Adds another key pair (rotation). A token is checked against the pair its `iss` names.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the key or secret is empty, or the key was already added.
    pub fn with_key(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<Secret>,
    ) -> Result<Self> {
        let api_key = api_key.into();
        let secret = api_secret.into();
        check_key_and_secret(&api_key, &secret)?;
        if self.keys.iter().any(|k| k.api_key == api_key) {
            return Err(Error::credentials(
                Vendor::LiveKit,
                "api key",
                format!("`{api_key}` was added twice"),
            ));
        }
        let mac = HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| {
            Error::credentials(Vendor::LiveKit, "api secret", "cannot key HMAC-SHA256")
        })?;
        self.keys.push(VerifyKey {
            api_key,
            mac,
            _secret: secret,
        });
        Ok(self)
    }

    /// Sets the leeway on `exp` and `nbf` (default 60 s, as the server). Sub-second parts are
    /// dropped.
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
        self
    }

    crate::clock::with_clock!("Reads the time from `clock` instead of the system clock.");

    /// Verifies `token` now (by the verifier's clock).
    ///
    /// # Errors
    /// As [`LiveKitVerifier::verify_at`], plus [`Error::Clock`].
    pub fn verify(&self, token: &str) -> Result<Claims> {
        self.verify_at(token, self.clock.now()?)
    }

    /// Verifies `token` at `now` (Unix seconds) and returns its claims.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a token that does not parse (including a missing `exp` or `iss`,
    /// `alg` other than HS256, a `crit` header, non-numeric dates); [`Error::UnknownKey`] when
    /// `iss` names a key the verifier does not have; [`Error::SignatureMismatch`] for a wrong
    /// signature (any signature segment but the canonical 43-character base64url of the right
    /// MAC: wrong length, a character outside base64url and non-zero trailing bits alike); [`Error::Expired`] / [`Error::NotYetValid`] outside the leeway.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<Claims> {
        self.check(token, now)
    }

    /// As [`LiveKitVerifier::verify_at`], returning the header too: the token decoded once and
    /// verified.
    ///
    /// # Errors
    /// As [`LiveKitVerifier::verify_at`].
    pub fn verify_decoded_at(&self, token: &str, now: i64) -> Result<DecodedToken> {
        let parts = split(token)?;
        let decoded = decode_parts(&parts, true)?;
        self.check_claims(&parts, &decoded.claims, now)?;
        Ok(decoded)
    }

    fn check(&self, token: &str, now: i64) -> Result<Claims> {
        let parts = split(token)?;
        // Our own header (every SDK's but Go's) needs no parsing and no allocation.
        if parts.header != HEADER_B64 {
            check_alg_hs256(&parse_header(parts.header)?)?;
        }
        let claims = parse_claims(parts.payload)?;
        self.check_claims(&parts, &claims, now)?;
        Ok(claims)
    }

    /// The issuer, signature and time checks of a parsed token.
    fn check_claims(&self, parts: &Parts<'_>, claims: &Claims, now: i64) -> Result<()> {
        if claims.iss.is_empty() {
            return Err(malformed(
                MalformedCause::BadClaims,
                "the `iss` claim (API key) is missing",
            ));
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.api_key == claims.iss)
            .ok_or_else(|| Error::UnknownKey {
                vendor: Vendor::LiveKit,
                key: claims.iss.clone(),
            })?;
        // The signature segment is compared, never parsed: anything but the exact (43-character,
        // canonical base64url) encoding of the right MAC is a mismatch, whatever is wrong with it
        // (length, alphabet, non-zero trailing bits), so one defect gets one error kind.
        let mismatch = || Error::SignatureMismatch {
            vendor: Vendor::LiveKit,
        };
        let mut sig = [0u8; 48];
        if parts.signature.len() != 43 {
            return Err(mismatch());
        }
        let n = URL_SAFE_NO_PAD
            .decode_slice(parts.signature, &mut sig)
            .map_err(|_| mismatch())?;
        let mut mac = key.mac.clone();
        mac.update(parts.signed.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(sig.get(..n).unwrap_or_default())
            .map_err(|_| Error::SignatureMismatch {
                vendor: Vendor::LiveKit,
            })?;
        if claims.exp <= now.saturating_sub(self.leeway) {
            return Err(Error::Expired {
                vendor: Vendor::LiveKit,
                expired_at: claims.exp,
                now,
            });
        }
        if let Some(nbf) = claims.nbf
            && nbf > now.saturating_add(self.leeway)
        {
            return Err(Error::NotYetValid {
                vendor: Vendor::LiveKit,
                not_before: nbf,
                now,
            });
        }
        Ok(())
    }
}

fn check_alg_hs256(header: &JwtHeader) -> Result<()> {
    if header.alg != "HS256" {
        return Err(malformed(
            MalformedCause::BadHeader,
            format!(
                "algorithm {:?} is not allowed: LiveKit tokens are HS256",
                header.alg
            ),
        ));
    }
    Ok(())
}
