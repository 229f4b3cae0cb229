//! Minting LiveKit access tokens.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hmac::{KeyInit, Mac};

use super::grants::{
    AgentEndpointGrant, AgentGrant, AgentThreadGrant, ClaimGrants, SipGrant, VideoGrant, WireClaims,
};
use super::wire::{JoinClaims, write_claims, write_join_claims};
use super::{HmacSha256, LIMIT_ATTRIBUTES, LIMIT_METADATA, LIMIT_NAME, check_key_and_secret};
use crate::b64::{URL_SAFE_NO_PAD, encode_append};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::minter::{IssuedToken, MintedToken, TokenMinter, TokenRequest, TokenTimes};
use crate::secret::Secret;
use crate::vendor::Vendor;

/// `{"typ":"JWT","alg":"HS256"}` in base64url: the Rust SDK's header, accepted by every verifier.
pub(crate) const HEADER_B64: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";

/// Participant kinds the server knows (`kind` claim).
pub const KNOWN_KINDS: [&str; 7] = [
    "standard",
    "ingress",
    "egress",
    "sip",
    "agent",
    "connector",
    "bridge",
];

thread_local! {
    /// Reused JSON buffer, so minting allocates nothing once warm.
    static PAYLOAD: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(512));
}

/// Mints LiveKit access tokens for one API key and secret.
///
/// Built once per secret: it keeps a pre-keyed HMAC-SHA256 that each token clones, so the hot path
/// never re-keys. `Send + Sync`; share it across threads.
///
/// ```
/// use std::time::Duration;
/// use rtcmint::livekit::{ClaimGrants, LiveKitMinter, VideoGrant};
///
/// let minter = LiveKitMinter::new("APIkey", "a-secret-of-at-least-32-characters!!")?;
/// let grants = ClaimGrants::new("alice").with_video(VideoGrant::join("my-room"));
/// let token = minter.encode(&grants, 1_767_225_600, Duration::from_secs(600))?;
/// assert_eq!(token.expires_at, 1_767_226_200);
/// assert!(token.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."));
/// # Ok::<(), rtcmint::Error>(())
/// ```
pub struct LiveKitMinter {
    api_key: String,
    secret: Secret,
    mac: HmacSha256,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for LiveKitMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveKitMinter")
            .field("api_key", &self.api_key)
            .field("api_secret", &"[redacted]")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl LiveKitMinter {
    /// A minter for `api_key` and `api_secret`. The secret is used as its UTF-8 bytes (never
    /// base64-decoded), as every LiveKit SDK does.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when the key or the secret is empty.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<Secret>) -> Result<Self> {
        let api_key = api_key.into();
        let secret = api_secret.into();
        check_key_and_secret(&api_key, &secret)?;
        let mac = HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| {
            Error::credentials(Vendor::LiveKit, "api secret", "cannot key HMAC-SHA256")
        })?;
        Ok(LiveKitMinter {
            api_key,
            secret,
            mac,
            clock: Arc::new(SystemClock),
        })
    }

    crate::clock::with_clock!("Reads the time from `clock` instead of the system clock.");

    /// The API key (`iss`).
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether the secret is shorter than the 32 bytes the LiveKit server recommends. Such
    /// secrets work (dev mode uses `secret`), but the server logs an error at start; callers may
    /// want to warn.
    #[must_use]
    pub fn secret_is_short(&self) -> bool {
        self.secret.len() < 32
    }

    /// Mints a token for `grants`, valid from `issued_at` (`nbf`) for `ttl` in whole seconds
    /// (`exp = nbf + ttl`).
    ///
    /// # Errors
    /// See [`LiveKitMinter::encode_into`].
    pub fn encode(
        &self,
        grants: &ClaimGrants,
        issued_at: i64,
        ttl: Duration,
    ) -> Result<MintedToken> {
        let mut out = String::with_capacity(512);
        let times = self.encode_into(grants, issued_at, ttl, &mut out)?;
        Ok(MintedToken::new(out, times))
    }

    /// Like [`LiveKitMinter::encode`], appending the token to `out`. Once the thread's scratch
    /// buffer is warm and `out` has capacity, this performs no heap allocation. On error `out` is
    /// left as it was.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for grants that name nobody and grant nothing (no identity, no
    /// grant, no room configuration or preset, no `sha256`), a ttl of 0, an `exp` past `i64`,
    /// `roomJoin` without an identity, an identity, name or room over 256 bytes, metadata over 512 KiB, attributes
    /// over 64 KiB, an unknown `kind` or track source.
    pub fn encode_into(
        &self,
        grants: &ClaimGrants,
        issued_at: i64,
        ttl: Duration,
        out: &mut String,
    ) -> Result<TokenTimes> {
        validate(grants)?;
        let exp = expiry(issued_at, ttl.as_secs())?;
        let claims = WireClaims::new(grants, &self.api_key, Some(issued_at), exp);
        self.sign_into(out, |buf| write_claims(buf, &claims))?;
        Ok(TokenTimes::new(issued_at, exp))
    }

    /// Appends `header.payload.signature` to `out`, `write_payload` writing the claims JSON into
    /// the thread's reused buffer. On error `out` is left as it was.
    fn sign_into(
        &self,
        out: &mut String,
        write_payload: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> Result<()> {
        let start = out.len();
        let serialised = PAYLOAD.with(|cell| {
            // A re-entrant call (a clock that mints) gets a fresh buffer instead of a panic.
            let mut fresh = Vec::new();
            let mut guard = cell.try_borrow_mut();
            let buf = match guard.as_deref_mut() {
                Ok(buf) => buf,
                Err(_) => &mut fresh,
            };
            buf.clear();
            write_payload(buf)?;
            out.reserve(HEADER_B64.len() + 2 + buf.len().div_ceil(3) * 4 + 43);
            out.push_str(HEADER_B64);
            out.push('.');
            encode_append(&*URL_SAFE_NO_PAD, buf.as_slice(), out);
            Ok(())
        });
        serialised.map_err(|e: serde_json::Error| {
            Error::request(Vendor::LiveKit, "grants", format!("cannot serialise: {e}"))
        })?;
        let mut mac = self.mac.clone();
        mac.update(out.get(start..).unwrap_or_default().as_bytes());
        let sig = mac.finalize().into_bytes();
        out.push('.');
        encode_append(&*URL_SAFE_NO_PAD, sig.as_slice(), out);
        Ok(())
    }

    /// [`TokenMinter::mint_into`]: the token [`LiveKitMinter::encode`] mints from
    /// [`LiveKitMinter::grants_for`], written without building the grants.
    fn mint_request(&self, request: &TokenRequest, out: &mut String) -> Result<TokenTimes> {
        if request.identity.is_empty() {
            return Err(empty_identity());
        }
        // Metadata is rare in join tokens; serialising it is the one allocation left.
        let metadata = match &request.metadata {
            Some(m) => Cow::Owned(serialise_metadata(m)?),
            None => Cow::Borrowed(""),
        };
        let ttl = request.ttl_secs(Vendor::LiveKit)?;
        let now = request.resolve_issued_at(self.clock.as_ref())?;
        let claims = JoinClaims {
            iss: &self.api_key,
            nbf: now,
            exp: 0,
            identity: &request.identity,
            name: request.display_name.as_deref().unwrap_or_default(),
            room: request.room.as_deref().unwrap_or_default(),
            is_admin: request.is_admin,
            can_publish: request.can_publish,
            can_subscribe: request.can_subscribe,
            can_publish_data: request.can_publish_data,
            metadata: &metadata,
        };
        // The checks `validate` makes on the grants of `grants_for`, in the same order.
        check_len("identity", claims.identity, LIMIT_NAME)?;
        check_len("name", claims.name, LIMIT_NAME)?;
        check_len("metadata", claims.metadata, LIMIT_METADATA)?;
        check_len("room", claims.room, LIMIT_NAME)?;
        let claims = JoinClaims {
            exp: expiry(now, ttl)?,
            ..claims
        };
        self.sign_into(out, |buf| {
            write_join_claims(buf, &claims);
            Ok(())
        })?;
        Ok(TokenTimes::new(now, claims.exp))
    }

    /// Mints a token for `grants` issued now (by the minter's clock) for `ttl`.
    ///
    /// # Errors
    /// As [`LiveKitMinter::encode_into`], plus [`Error::Clock`].
    pub fn mint_grants(&self, grants: &ClaimGrants, ttl: Duration) -> Result<IssuedToken> {
        let now = self.clock.now()?;
        let token = self.encode(grants, now, ttl)?;
        let room = grants
            .video
            .as_ref()
            .map(|v| v.room.clone())
            .filter(|r| !r.is_empty());
        Ok(IssuedToken::new(
            Vendor::LiveKit,
            token.token,
            room,
            grants.identity.clone(),
            token.issued_at,
            token.expires_at,
        ))
    }

    /// The grants the neutral request maps to (see the README's mapping table): `roomJoin` on
    /// `room`, the three publish/subscribe permissions written explicitly, `roomAdmin` for
    /// `is_admin`, the display name as `name`, and the metadata object serialised as JSON text.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty identity (a join token needs one).
    pub fn grants_for(request: &TokenRequest) -> Result<ClaimGrants> {
        if request.identity.is_empty() {
            return Err(empty_identity());
        }
        let video = VideoGrant {
            room_join: true,
            room_admin: request.is_admin,
            room: request.room.clone().unwrap_or_default(),
            can_publish: Some(request.can_publish),
            can_subscribe: Some(request.can_subscribe),
            can_publish_data: Some(request.can_publish_data),
            ..VideoGrant::default()
        };
        let metadata = match &request.metadata {
            Some(m) => serialise_metadata(m)?,
            None => String::new(),
        };
        Ok(ClaimGrants {
            identity: request.identity.clone(),
            name: request.display_name.clone().unwrap_or_default(),
            video: Some(video),
            metadata,
            ..ClaimGrants::default()
        })
    }
}

impl TokenMinter for LiveKitMinter {
    fn vendor(&self) -> Vendor {
        Vendor::LiveKit
    }

    /// # Errors
    /// [`Error::InvalidRequest`] for an empty identity, a ttl under one second, an identity,
    /// display name or room over 256 bytes, metadata over 512 KiB; [`Error::Clock`].
    fn mint_into(&self, request: &TokenRequest, out: &mut String) -> Result<TokenTimes> {
        self.mint_request(request, out)
    }
}

fn empty_identity() -> Error {
    Error::request(
        Vendor::LiveKit,
        "identity",
        "must not be empty: LiveKit join tokens need an identity",
    )
}

fn serialise_metadata(m: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
    serde_json::to_string(m).map_err(|e| {
        Error::request(
            Vendor::LiveKit,
            "metadata",
            format!("cannot serialise: {e}"),
        )
    })
}

fn expiry(issued_at: i64, ttl_secs: u64) -> Result<i64> {
    if ttl_secs == 0 {
        return Err(Error::request(
            Vendor::LiveKit,
            "ttl",
            "must be at least 1 second (LiveKit SDKs silently turn 0 into 6 h; we refuse it)",
        ));
    }
    issued_at.checked_add_unsigned(ttl_secs).ok_or_else(|| {
        Error::request(
            Vendor::LiveKit,
            "ttl",
            "issued_at + ttl overflows a 64-bit Unix time",
        )
    })
}

fn check_len(field: &'static str, value: &str, limit: usize) -> Result<()> {
    if value.len() > limit {
        return Err(Error::request(
            Vendor::LiveKit,
            field,
            format!(
                "is {} bytes; the LiveKit server refuses more than {limit}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// Whether `g` grants anything: a non-default grant object, a room configuration or preset, or a
/// body hash (webhook tokens carry only `sha256`).
fn grants_something(g: &ClaimGrants) -> bool {
    g.video
        .as_ref()
        .is_some_and(|v| *v != VideoGrant::default())
        || g.sip.as_ref().is_some_and(|x| *x != SipGrant::default())
        || g.agent
            .as_ref()
            .is_some_and(|x| *x != AgentGrant::default())
        || g.agent_endpoint
            .as_ref()
            .is_some_and(|x| *x != AgentEndpointGrant::default())
        || g.agent_thread
            .as_ref()
            .is_some_and(|x| *x != AgentThreadGrant::default())
        || g.inference.as_ref().is_some_and(|x| x.perform)
        || g.observability.as_ref().is_some_and(|x| x.write)
        || g.room_config.is_some()
        || !g.room_preset.is_empty()
        || !g.sha256.is_empty()
}

/// Mint-time checks, so that a token we mint is one the server accepts.
fn validate(g: &ClaimGrants) -> Result<()> {
    if g.identity.is_empty() && !grants_something(g) {
        return Err(Error::request(
            Vendor::LiveKit,
            "identity",
            "the token would name nobody and grant nothing: set an identity, or a grant (room join, room admin, sip, agent, ...) or a sha256 (as `lk token create` refuses)",
        ));
    }
    check_len("identity", &g.identity, LIMIT_NAME)?;
    check_len("name", &g.name, LIMIT_NAME)?;
    check_len("metadata", &g.metadata, LIMIT_METADATA)?;
    let attr_bytes: usize = g.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
    if attr_bytes > LIMIT_ATTRIBUTES {
        return Err(Error::request(
            Vendor::LiveKit,
            "attributes",
            format!(
                "total {attr_bytes} bytes; the LiveKit server refuses more than {LIMIT_ATTRIBUTES}"
            ),
        ));
    }
    if !g.kind.is_empty() && !KNOWN_KINDS.contains(&g.kind.as_str()) {
        return Err(Error::request(
            Vendor::LiveKit,
            "kind",
            format!(
                "unknown participant kind {:?}; expected one of {}",
                g.kind,
                KNOWN_KINDS.join(", ")
            ),
        ));
    }
    if let Some(v) = &g.video {
        check_len("room", &v.room, LIMIT_NAME)?;
        check_len("destination_room", &v.destination_room, LIMIT_NAME)?;
        if v.room_join && g.identity.is_empty() {
            return Err(Error::request(
                Vendor::LiveKit,
                "identity",
                "a token that grants roomJoin needs an identity (the server answers 400 otherwise)",
            ));
        }
        if let Some(bad) = v
            .can_publish_sources
            .iter()
            .find(|s| super::TrackSource::parse(s).is_none())
        {
            return Err(Error::request(
                Vendor::LiveKit,
                "can_publish_sources",
                format!(
                    "unknown track source {bad:?}; expected camera, microphone, screen_share or screen_share_audio"
                ),
            ));
        }
    }
    if let Some(rc) = &g.room_config {
        check_len("room_config.name", &rc.name, LIMIT_NAME)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::clock::FixedClock;

    proptest! {
        /// The direct neutral path mints exactly the token of `encode(grants_for(request))`.
        #[test]
        fn neutral_path_matches_the_grants_path(
            identity in "[a-z\"\\\\\u{1}é]{0,6}",
            name in prop::option::of("[A-Za-z \n]{0,5}"),
            room in prop::option::of("[a-z0-9\"]{0,5}"),
            flags in any::<[bool; 4]>(),
            metadata in any::<bool>(),
            issued_at in prop::option::of(0i64..2_000_000_000),
        ) {
            let minter = LiveKitMinter::new("APIkey", "secret")
                .unwrap()
                .with_clock(Arc::new(FixedClock(1_767_225_600)));
            let mut req = TokenRequest::new(identity)
                .ttl(Duration::from_secs(600))
                .can_publish(flags[0])
                .can_subscribe(flags[1])
                .can_publish_data(flags[2])
                .admin(flags[3]);
            req.room = room;
            req.display_name = name;
            req.issued_at = issued_at;
            if metadata {
                let mut m = serde_json::Map::new();
                m.insert("k".into(), serde_json::json!([1, "two"]));
                req.metadata = Some(m);
            }
            let mut fast = String::from("prefix");
            let direct = minter.mint_into(&req, &mut fast);
            let via_grants = LiveKitMinter::grants_for(&req).and_then(|g| {
                let now = req.resolve_issued_at(&FixedClock(1_767_225_600))?;
                minter.encode(&g, now, Duration::from_secs(600)).map(|t| (now, t.token))
            });
            match (direct, via_grants) {
                (Ok(TokenTimes { issued_at: now, expires_at: exp }), Ok((now2, token))) => {
                    prop_assert_eq!(now, now2);
                    prop_assert_eq!(exp, now + 600);
                    prop_assert_eq!(fast.strip_prefix("prefix").unwrap(), token);
                }
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a.to_string(), b.to_string());
                    prop_assert_eq!(fast, "prefix");
                }
                (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }
}
