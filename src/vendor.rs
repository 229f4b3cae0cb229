//! [`Vendor`]: the token vendors this crate speaks, and their one spelling.
//!
//! This module is a leaf: it imports nothing from the crate, so every other module (the error
//! type included) may import it without forming a cycle.

use std::fmt;
use std::str::FromStr;

/// The token vendors this crate speaks.
///
/// Spelled `livekit`, `agora` and `zego` everywhere: [`Display`](fmt::Display), serde, the CLI
/// and JSON output. [`FromStr`] (and serde) also accept any letter case and `zegocloud`.
///
/// ```
/// use rtcmint::Vendor;
/// assert_eq!("LiveKit".parse::<Vendor>(), Ok(Vendor::LiveKit));
/// assert_eq!(Vendor::Zego.to_string(), "zego");
/// assert!("twilio".parse::<Vendor>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Vendor {
    /// LiveKit access tokens (HS256 JWT).
    LiveKit,
    /// Agora AccessToken2 ("007") and legacy AccessToken ("006").
    Agora,
    /// ZEGOCLOUD token04 (AES-256-CBC or AES-256-GCM).
    Zego,
}

impl Vendor {
    /// Every vendor, in a fixed order.
    pub const ALL: [Vendor; 3] = [Vendor::LiveKit, Vendor::Agora, Vendor::Zego];

    /// The lower-case name used on the command line and in JSON output.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Vendor::LiveKit => "livekit",
            Vendor::Agora => "agora",
            Vendor::Zego => "zego",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the vendors (see [`Vendor`]'s [`FromStr`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown vendor {:?}; expected livekit, agora or zego",
            self.0
        )
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        // Case-insensitive without lower-casing into a new string (this runs once per batch line).
        let is = |known: &str| name.eq_ignore_ascii_case(known);
        if is("livekit") {
            Ok(Vendor::LiveKit)
        } else if is("agora") {
            Ok(Vendor::Agora)
        } else if is("zego") || is("zegocloud") {
            Ok(Vendor::Zego)
        } else {
            Err(UnknownVendor(name.to_owned()))
        }
    }
}

impl serde::Serialize for Vendor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Vendor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_round_trips() {
        for v in Vendor::ALL {
            assert_eq!(v.as_str().parse::<Vendor>(), Ok(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<Vendor>(&json).unwrap(), v);
        }
        assert_eq!("ZEGOCLOUD".parse::<Vendor>(), Ok(Vendor::Zego));
        let e = "live_kit".parse::<Vendor>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown vendor \"live_kit\"; expected livekit, agora or zego"
        );
        assert!(serde_json::from_str::<Vendor>("\"x\"").is_err());
    }
}
