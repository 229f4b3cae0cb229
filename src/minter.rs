//! The vendor-neutral minting interface: [`TokenMinter`], [`TokenRequest`], [`IssuedToken`], and
//! the [`TokenTimes`] / [`MintedToken`] every vendor's builders return.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::fields::{self, Field, Shape};
use crate::vendor::Vendor;

/// The default token lifetime of the neutral request: 6 hours, as LiveKit's SDKs use.
pub const DEFAULT_TTL: Duration = Duration::from_secs(6 * 60 * 60);

/// One vendor-neutral join-token request: the fields of the product's `token.issue` call.
///
/// Each vendor maps these fields onto its own format (the README has the table). A field a vendor
/// cannot express makes [`TokenMinter::mint`] fail with [`Error::Unsupported`]; nothing is dropped
/// silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TokenRequest {
    /// The room (LiveKit room, Agora channel, Zego room id). `None` for a token not bound to a room.
    #[serde(default)]
    pub room: Option<String>,
    /// The participant identity (LiveKit identity, Agora uid or account, Zego user id).
    pub identity: String,
    /// A human-readable display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// How long the token stays valid, in whole seconds (sub-second parts are dropped). Must be at
    /// least one second.
    #[serde(default = "default_ttl", with = "ttl_secs")]
    pub ttl: Duration,
    /// May publish audio and video.
    #[serde(default = "yes")]
    pub can_publish: bool,
    /// May subscribe to others' tracks.
    #[serde(default = "yes")]
    pub can_subscribe: bool,
    /// May publish data messages.
    #[serde(default = "yes")]
    pub can_publish_data: bool,
    /// Room administrator (may manage participants and the room).
    #[serde(default)]
    pub is_admin: bool,
    /// Participant metadata, a JSON object.
    #[serde(default)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Overrides the issue time (Unix seconds) instead of reading the minter's clock.
    #[serde(default)]
    pub issued_at: Option<i64>,
}

fn default_ttl() -> Duration {
    DEFAULT_TTL
}

fn yes() -> bool {
    true
}

mod ttl_secs {
    use std::time::Duration;

    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    /// Whole seconds, or a duration string such as `"10m"` or `"1h30m"`.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a ttl: whole seconds (a non-negative integer) or a duration such as \"10m\" or \"1h30m\"",
                )
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(Duration::from_secs(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                u64::try_from(v)
                    .map(Duration::from_secs)
                    .map_err(|_| E::custom(format!("ttl must not be negative, got {v}")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                crate::duration::parse_duration(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

static REQUEST: Shape = Shape::Object(&[
    Field::leaf("room"),
    Field::leaf("identity"),
    Field::leaf("display_name"),
    Field::leaf("ttl"),
    Field::leaf("can_publish"),
    Field::leaf("can_subscribe"),
    Field::leaf("can_publish_data"),
    Field::leaf("is_admin"),
    Field::nested("metadata", None, &Shape::Raw),
    Field::leaf("issued_at"),
]);

impl TokenRequest {
    /// A request for `identity` with the defaults: no room, 6 h, may publish, subscribe and publish
    /// data, not admin, no metadata, issued now.
    #[must_use]
    pub fn new(identity: impl Into<String>) -> Self {
        TokenRequest {
            room: None,
            identity: identity.into(),
            display_name: None,
            ttl: DEFAULT_TTL,
            can_publish: true,
            can_subscribe: true,
            can_publish_data: true,
            is_admin: false,
            metadata: None,
            issued_at: None,
        }
    }

    /// Sets the room.
    #[must_use]
    pub fn room(mut self, room: impl Into<String>) -> Self {
        self.room = Some(room.into());
        self
    }

    /// Sets the display name.
    #[must_use]
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Sets the lifetime.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets whether the participant may publish audio/video.
    #[must_use]
    pub fn can_publish(mut self, yes: bool) -> Self {
        self.can_publish = yes;
        self
    }

    /// Sets whether the participant may subscribe.
    #[must_use]
    pub fn can_subscribe(mut self, yes: bool) -> Self {
        self.can_subscribe = yes;
        self
    }

    /// Sets whether the participant may publish data.
    #[must_use]
    pub fn can_publish_data(mut self, yes: bool) -> Self {
        self.can_publish_data = yes;
        self
    }

    /// Sets room-administrator rights.
    #[must_use]
    pub fn admin(mut self, yes: bool) -> Self {
        self.is_admin = yes;
        self
    }

    /// Sets the metadata object.
    #[must_use]
    pub fn metadata(mut self, metadata: serde_json::Map<String, serde_json::Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Pins the issue time (Unix seconds).
    #[must_use]
    pub fn issued_at(mut self, unix: i64) -> Self {
        self.issued_at = Some(unix);
        self
    }

    /// Reads a request from its JSON form, e.g. `{"identity":"alice","room":"r","ttl":"10m"}`:
    /// the field names of this type, `ttl` in whole seconds or as a duration string, the defaults
    /// of [`TokenRequest::new`] for absent fields. An unknown key is refused, naming the closest
    /// known one, so `{"identity":"a","can_pubish":false}` never mints a publisher.
    ///
    /// # Errors
    /// [`Error::UnknownField`] for an unknown key; [`Error::InvalidInput`] (what `request`) for
    /// text that is not a JSON object of this shape (wrong types, duplicate keys, no identity).
    pub fn from_json(text: &str) -> Result<Self> {
        let value = fields::object_value(text, None, "request")?;
        fields::refuse_unknown(&value, &REQUEST, None, "request")?;
        serde_json::from_str(text).map_err(|e| Error::InvalidInput {
            what: "request",
            reason: format!("invalid request: {e}").into(),
        })
    }

    /// Like [`TokenRequest::from_json`], from a parsed JSON value (a batch line with its own keys
    /// such as `vendor` and `id` taken out). Duplicate keys cannot be detected in a parsed value;
    /// prefer [`TokenRequest::from_json`] on text.
    ///
    /// # Errors
    /// As [`TokenRequest::from_json`].
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::InvalidInput {
                what: "request",
                reason: "must be a JSON object".into(),
            });
        }
        fields::refuse_unknown(&value, &REQUEST, None, "request")?;
        serde_json::from_value(value).map_err(|e| Error::InvalidInput {
            what: "request",
            reason: format!("invalid request: {e}").into(),
        })
    }

    /// The lifetime in whole seconds; zero is refused for every vendor.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the ttl is shorter than one second.
    pub fn ttl_secs(&self, vendor: Vendor) -> Result<u64> {
        match self.ttl.as_secs() {
            0 => Err(Error::request(
                vendor,
                "ttl",
                "must be at least 1 second (0 would be an already-expired token)",
            )),
            s => Ok(s),
        }
    }

    /// The issue time: the override if set, else the clock.
    ///
    /// # Errors
    /// [`Error::Clock`] when the clock cannot be read.
    pub fn resolve_issued_at(&self, clock: &dyn Clock) -> Result<i64> {
        match self.issued_at {
            Some(t) => Ok(t),
            None => clock.now(),
        }
    }
}

/// A minted token with the facts a join service hands back to its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuedToken {
    /// The vendor that will accept the token.
    pub vendor: Vendor,
    /// The token string.
    pub token: String,
    /// The room it grants, if any.
    pub room: Option<String>,
    /// The identity it was issued to.
    pub identity: String,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

impl IssuedToken {
    /// Builds a record (used by the vendor minters).
    #[must_use]
    pub fn new(
        vendor: Vendor,
        token: String,
        room: Option<String>,
        identity: String,
        issued_at: i64,
        expires_at: i64,
    ) -> Self {
        IssuedToken {
            vendor,
            token,
            room,
            identity,
            issued_at,
            expires_at,
        }
    }
}

/// The issue and expiry times of a minted token, Unix seconds: what every `…_into` minting method
/// returns besides the token it appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenTimes {
    /// Issue time (LiveKit `nbf`, Agora `issue_ts`, ZEGO `ctime`).
    pub issued_at: i64,
    /// Expiry.
    pub expires_at: i64,
}

impl TokenTimes {
    /// Both times.
    #[must_use]
    pub const fn new(issued_at: i64, expires_at: i64) -> Self {
        TokenTimes {
            issued_at,
            expires_at,
        }
    }
}

/// A token minted by a vendor-specific builder, with the issue and expiry times it carries (the
/// owned counterpart of a `…_into` method). Derefs to the token text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MintedToken {
    /// The token string.
    pub token: String,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

impl MintedToken {
    /// A token with its times.
    #[must_use]
    pub fn new(token: String, times: TokenTimes) -> Self {
        MintedToken {
            token,
            issued_at: times.issued_at,
            expires_at: times.expires_at,
        }
    }

    /// The issue and expiry times.
    #[must_use]
    pub const fn times(&self) -> TokenTimes {
        TokenTimes::new(self.issued_at, self.expires_at)
    }

    /// The token string.
    #[must_use]
    pub fn into_string(self) -> String {
        self.token
    }

    /// The token text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.token
    }
}

impl std::ops::Deref for MintedToken {
    type Target = str;
    fn deref(&self) -> &str {
        &self.token
    }
}

impl AsRef<str> for MintedToken {
    fn as_ref(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Display for MintedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.token)
    }
}

impl From<MintedToken> for String {
    fn from(t: MintedToken) -> String {
        t.token
    }
}

impl PartialEq<str> for MintedToken {
    fn eq(&self, other: &str) -> bool {
        self.token == other
    }
}

impl PartialEq<&str> for MintedToken {
    fn eq(&self, other: &&str) -> bool {
        self.token == *other
    }
}

impl PartialEq<String> for MintedToken {
    fn eq(&self, other: &String) -> bool {
        &self.token == other
    }
}

impl PartialEq<MintedToken> for String {
    fn eq(&self, other: &MintedToken) -> bool {
        *self == other.token
    }
}

impl PartialEq<MintedToken> for &str {
    fn eq(&self, other: &MintedToken) -> bool {
        *self == other.token
    }
}

/// Mints join tokens for one vendor from a vendor-neutral [`TokenRequest`].
///
/// Implementations are built once per credential set, hold their keyed state, mint with `&self`
/// and are `Send + Sync`, so one minter serves every thread of a join service. An implementation
/// writes [`TokenMinter::mint_into`]; [`TokenMinter::mint`] is provided.
pub trait TokenMinter: Send + Sync {
    /// The vendor this minter issues tokens for.
    fn vendor(&self) -> Vendor;

    /// Mints the token for `request` and appends it to `out`, returning its issue and expiry
    /// times. On error `out` is left as it was. The crate's minters perform no heap allocation
    /// here once `out` has room (the path for high-volume callers such as the batch command).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for a field value the vendor refuses, [`Error::Unsupported`] for a
    /// field the vendor's token cannot express, [`Error::Clock`] when the clock cannot be read.
    fn mint_into(&self, request: &TokenRequest, out: &mut String) -> Result<TokenTimes>;

    /// Mints one token: [`TokenMinter::mint_into`] into a new string, with the request's room and
    /// identity.
    ///
    /// # Errors
    /// As [`TokenMinter::mint_into`].
    fn mint(&self, request: &TokenRequest) -> Result<IssuedToken> {
        let mut token = String::with_capacity(512);
        let times = self.mint_into(request, &mut token)?;
        Ok(IssuedToken::new(
            self.vendor(),
            token,
            request.room.clone(),
            request.identity.clone(),
            times.issued_at,
            times.expires_at,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    #[test]
    fn request_defaults_and_json() {
        let r: TokenRequest = serde_json::from_str(r#"{"identity":"alice","ttl":600}"#).unwrap();
        assert_eq!(r.identity, "alice");
        assert_eq!(r.ttl, Duration::from_secs(600));
        assert!(r.can_publish && r.can_subscribe && r.can_publish_data && !r.is_admin);
        assert_eq!(r, TokenRequest::new("alice").ttl(Duration::from_secs(600)));
        assert!(serde_json::from_str::<TokenRequest>(r#"{"identity":"a","bogus":1}"#).is_err());
    }

    #[test]
    fn from_json_refuses_unknown_keys_naming_the_closest() {
        let e = TokenRequest::from_json(r#"{"identity":"a","can_pubish":false}"#).unwrap_err();
        assert_eq!(
            e,
            Error::UnknownField {
                vendor: None,
                what: "request",
                path: "can_pubish".into(),
                closest: Some("can_publish"),
            }
        );
        assert!(e.to_string().contains("did you mean `can_publish`"), "{e}");
        let r =
            TokenRequest::from_json(r#"{"identity":"a","ttl":"1h30m","metadata":{"x":{"y":1}}}"#)
                .unwrap();
        assert_eq!(r.ttl, Duration::from_secs(5_400));
        assert!(TokenRequest::from_json(r#"{"identity":"a","identity":"b"}"#).is_err());
        let v = serde_json::json!({"identity":"a","rooom":"r"});
        assert!(matches!(
            TokenRequest::from_value(v),
            Err(Error::UnknownField {
                closest: Some("room"),
                ..
            })
        ));
    }

    #[test]
    fn zero_ttl_is_refused() {
        let r = TokenRequest::new("a").ttl(Duration::from_millis(999));
        assert!(matches!(
            r.ttl_secs(Vendor::Zego),
            Err(Error::InvalidRequest { field: "ttl", .. })
        ));
    }

    #[test]
    fn issued_at_override_wins() {
        let r = TokenRequest::new("a").issued_at(7);
        assert_eq!(r.resolve_issued_at(&FixedClock(99)).unwrap(), 7);
        assert_eq!(
            TokenRequest::new("a")
                .resolve_issued_at(&FixedClock(99))
                .unwrap(),
            99
        );
    }
}
