//! The vendor-neutral verification layer: [`VerifierSet`], [`verify_any`] and [`VerifiedToken`].
//!
//! The counterpart of [`MinterSet`](crate::batch::MinterSet) for checking tokens: it holds the
//! verifiers of any subset of vendors, detects the vendor of a token from its text, decodes it
//! once with that vendor's verifier and returns the neutral facts beside the vendor's detail.

use serde::Serialize;

use crate::agora::{AgoraVerifier, ExpiredPrivilege, TokenInfo};
use crate::detect::{DecodedAny, TokenFormat, detect_format, no_format};
use crate::error::{Error, Result};
use crate::livekit::LiveKitVerifier;
use crate::vendor::Vendor;
use crate::zego::ZegoVerifier;

/// A verified token: the facts every vendor has, and the vendor's own decoded view.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The vendor.
    pub vendor: Vendor,
    /// The token format.
    pub format: TokenFormat,
    /// The participant identity: LiveKit `sub`, Agora's RTC uid text (or the first service's
    /// user id; for 006 the uid it was verified against), ZEGO `user_id`.
    pub identity: String,
    /// The room: LiveKit `video.room`, Agora's RTC (or streaming / FCDN) channel or APaaS room,
    /// ZEGO's privilege `room_id`; `None` when the token names none.
    pub room: Option<String>,
    /// Issue time, Unix seconds, when the token carries one (LiveKit `nbf`, else `iat`).
    pub issued_at: Option<i64>,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// The vendor's decoded view: [`DecodedAny::LiveKit`], [`DecodedAny::Agora`] or
    /// [`DecodedAny::Zego`].
    pub detail: DecodedAny,
    /// What the verification found that does not make the token invalid, in token order: today
    /// an Agora privilege whose own expiry has passed while the token stays usable (see
    /// [privilege expiry](crate::agora#privilege-expiry)).
    pub warnings: Vec<VerifyWarning>,
}

/// Something a verification found that does not make the token invalid.
///
/// Serialises with a `kind` tag: `{"kind":"privilege_expired","service":"rtc","id":2,
/// "name":"publish_audio_stream","expired_at":1767225690}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerifyWarning {
    /// An Agora privilege whose own expiry has passed: the token stays valid (another of its
    /// privileges still lets the holder in), but not for what this one grants.
    PrivilegeExpired(ExpiredPrivilege),
}

impl std::fmt::Display for VerifyWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyWarning::PrivilegeExpired(p) => write!(f, "{p}"),
        }
    }
}

/// The verifiers of any subset of vendors.
///
/// ```
/// use std::time::Duration;
/// use rtcmint::livekit::{LiveKitMinter, LiveKitVerifier};
/// use rtcmint::{TokenMinter, TokenRequest, VerifierSet, Vendor, verify_any};
///
/// let secret = "a-secret-of-at-least-32-characters!!";
/// let minter = LiveKitMinter::new("APIkey", secret)?;
/// let issued = minter.mint(&TokenRequest::new("alice").room("r").issued_at(1_000))?;
/// let set = VerifierSet::new().with_livekit(LiveKitVerifier::new("APIkey", secret)?);
/// let v = verify_any(&issued.token, &set, 1_100)?;
/// assert_eq!((v.vendor, v.identity.as_str(), v.room.as_deref()), (Vendor::LiveKit, "alice", Some("r")));
/// assert_eq!(v.expires_at, issued.expires_at);
/// # Ok::<(), rtcmint::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct VerifierSet {
    livekit: Option<LiveKitVerifier>,
    agora: Option<AgoraVerifier>,
    zego: Option<ZegoVerifier>,
}

impl VerifierSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the LiveKit verifier.
    #[must_use]
    pub fn with_livekit(mut self, verifier: LiveKitVerifier) -> Self {
        self.livekit = Some(verifier);
        self
    }

    /// Adds (or replaces) the Agora verifier.
    #[must_use]
    pub fn with_agora(mut self, verifier: AgoraVerifier) -> Self {
        self.agora = Some(verifier);
        self
    }

    /// Adds (or replaces) the ZEGO verifier.
    #[must_use]
    pub fn with_zego(mut self, verifier: ZegoVerifier) -> Self {
        self.zego = Some(verifier);
        self
    }

    /// Whether the set can verify tokens of `vendor`.
    #[must_use]
    pub fn has(&self, vendor: Vendor) -> bool {
        match vendor {
            Vendor::LiveKit => self.livekit.is_some(),
            Vendor::Agora => self.agora.is_some(),
            Vendor::Zego => self.zego.is_some(),
        }
    }

    /// Detects the vendor of `token` and verifies it at `now` (Unix seconds) with that vendor's
    /// verifier, decoding it once.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a token of no known format; [`Error::InvalidCredentials`] when the
    /// set has no verifier for the token's vendor; else the vendor verifier's errors
    /// ([`LiveKitVerifier::verify_at`], [`AgoraVerifier::verify_any_at`],
    /// [`ZegoVerifier::verify_at`]). An Agora token is expired ([`Error::Expired`],
    /// [`Error::PrivilegeExpired`]) when its own expiry or the access privilege of every service
    /// has passed; other expired privileges are [`VerifiedToken::warnings`].
    pub fn verify_at(&self, token: &str, now: i64) -> Result<VerifiedToken> {
        let format = detect_format(token).ok_or_else(no_format)?;
        let missing = |vendor: Vendor| {
            Error::credentials(
                vendor,
                "credentials",
                format!("the verifier set has no {vendor} verifier"),
            )
        };
        match format.vendor() {
            Vendor::LiveKit => {
                let v = self
                    .livekit
                    .as_ref()
                    .ok_or_else(|| missing(Vendor::LiveKit))?;
                let d = v.verify_decoded_at(token, now)?;
                let room = d
                    .claims
                    .grants
                    .video
                    .as_ref()
                    .map(|v| v.room.clone())
                    .filter(|r| !r.is_empty());
                Ok(VerifiedToken {
                    vendor: Vendor::LiveKit,
                    format,
                    identity: d.claims.grants.identity.clone(),
                    room,
                    issued_at: d.claims.nbf.or(d.claims.iat),
                    expires_at: d.claims.exp,
                    detail: DecodedAny::LiveKit(Box::new(d)),
                    warnings: Vec::new(),
                })
            }
            Vendor::Agora => {
                let v = self.agora.as_ref().ok_or_else(|| missing(Vendor::Agora))?;
                let info = v.verify_any_at(token, now)?;
                let (identity, room, issued_at) = match &info {
                    TokenInfo::AccessToken2(i) => {
                        let (identity, room) = agora_subject(i);
                        (identity, room, Some(i64::from(i.issue_ts)))
                    }
                    TokenInfo::Legacy006(_) => {
                        let (channel, uid) = v.subject_006().unwrap_or_default();
                        (uid.to_owned(), Some(channel.to_owned()), None)
                    }
                };
                Ok(VerifiedToken {
                    vendor: Vendor::Agora,
                    format,
                    identity,
                    room,
                    issued_at,
                    expires_at: info.expires_at(),
                    warnings: info
                        .expired_privileges(now)
                        .into_iter()
                        .map(VerifyWarning::PrivilegeExpired)
                        .collect(),
                    detail: DecodedAny::Agora(info),
                })
            }
            Vendor::Zego => {
                let v = self.zego.as_ref().ok_or_else(|| missing(Vendor::Zego))?;
                let d = v.verify_at(token, now)?;
                let room = d
                    .privilege
                    .as_ref()
                    .map(|p| p.room_id.clone())
                    .filter(|r| !r.is_empty());
                Ok(VerifiedToken {
                    vendor: Vendor::Zego,
                    format,
                    identity: d.claims.user_id.clone(),
                    room,
                    issued_at: Some(d.issued_at),
                    expires_at: d.expires_at,
                    detail: DecodedAny::Zego(Box::new(d)),
                    warnings: Vec::new(),
                })
            }
        }
    }
}

/// The identity and room of an AccessToken2: the RTC service's uid and channel, else the first
/// service that names a user (and a channel or room).
fn agora_subject(info: &crate::agora::AccessToken2Info) -> (String, Option<String>) {
    use crate::agora::ServiceDetail as D;
    let rtc = info
        .services
        .iter()
        .find(|s| matches!(s.detail, D::Rtc { .. }));
    for s in rtc.into_iter().chain(&info.services) {
        let (user, room) = match &s.detail {
            D::Rtc { channel_name, uid } => (uid, Some(channel_name)),
            D::Streaming {
                channel_name,
                account,
            }
            | D::Fcdn {
                channel_name,
                account,
            } => (account, Some(channel_name)),
            D::Rtm { user_id } | D::Chat { user_id } | D::Rtm2 { user_id, .. } => (user_id, None),
            D::Apaas {
                room_uuid,
                user_uuid,
                ..
            } => (user_uuid, Some(room_uuid)),
            _ => continue,
        };
        let room = room.filter(|r| !r.is_empty()).cloned();
        return (user.clone(), room);
    }
    (String::new(), None)
}

/// Detects the vendor of `token` and verifies it with the matching verifier of `verifiers` at
/// `now` (Unix seconds): [`VerifierSet::verify_at`] as a free function, beside
/// [`decode_any`](crate::decode_any).
///
/// # Errors
/// As [`VerifierSet::verify_at`].
pub fn verify_any(token: &str, verifiers: &VerifierSet, now: i64) -> Result<VerifiedToken> {
    verifiers.verify_at(token, now)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::agora::AgoraMinter;
    use crate::clock::FixedClock;
    use crate::livekit::LiveKitMinter;
    use crate::minter::{TokenMinter, TokenRequest};
    use crate::zego::ZegoMinter;

    const LK: (&str, &str) = ("APIkey", "a-secret-of-at-least-32-characters!!");
    const AG: (&str, &str) = (
        "970CA35de60c44645bbae8a215061b33",
        "5CFd2fd1755d40ecb72977518be15d3b",
    );
    const ZG: (u32, &str) = (1_234_567_890, "fa94dd0f974cf2e293728a526b028271");
    const NOW: i64 = 1_767_225_600;

    fn set() -> VerifierSet {
        VerifierSet::new()
            .with_livekit(LiveKitVerifier::new(LK.0, LK.1).unwrap())
            .with_agora(AgoraVerifier::new(AG.1).unwrap().with_expected_app_id(AG.0))
            .with_zego(ZegoVerifier::new(ZG.1).unwrap())
    }

    #[test]
    fn every_vendor_verifies_to_the_neutral_facts() {
        let req = TokenRequest::new("42")
            .room("r1")
            .ttl(Duration::from_secs(600))
            .issued_at(NOW);
        let minters: [Box<dyn TokenMinter>; 3] = [
            Box::new(LiveKitMinter::new(LK.0, LK.1).unwrap()),
            Box::new(AgoraMinter::new(AG.0, AG.1).unwrap()),
            Box::new(ZegoMinter::new(ZG.0, ZG.1).unwrap()),
        ];
        for m in &minters {
            let issued = m.mint(&req).unwrap();
            let v = verify_any(&issued.token, &set(), NOW + 1).unwrap();
            assert_eq!(v.vendor, m.vendor());
            assert_eq!(v.format.vendor(), m.vendor());
            assert_eq!(v.detail.vendor(), m.vendor());
            assert_eq!(v.identity, "42");
            assert_eq!(v.room.as_deref(), Some("r1"));
            assert_eq!(v.issued_at, Some(NOW));
            assert_eq!(v.expires_at, NOW + 600);
            assert_eq!(v.detail.expires_at(), NOW + 600);
            // Expired, and the vendor's own error comes through.
            let late = verify_any(&issued.token, &set(), NOW + 10_000).unwrap_err();
            assert_eq!(late.vendor(), Some(m.vendor()));
            assert_eq!(late.kind(), crate::ErrorKind::Time);
        }
    }

    #[test]
    fn a_missing_verifier_and_an_unknown_format_are_errors() {
        let issued = LiveKitMinter::new(LK.0, LK.1)
            .unwrap()
            .with_clock(Arc::new(FixedClock(NOW)))
            .mint(&TokenRequest::new("a"))
            .unwrap();
        let only_zego = VerifierSet::new().with_zego(ZegoVerifier::new(ZG.1).unwrap());
        assert!(!only_zego.has(Vendor::LiveKit) && only_zego.has(Vendor::Zego));
        assert!(matches!(
            verify_any(&issued.token, &only_zego, NOW),
            Err(Error::InvalidCredentials {
                vendor: Vendor::LiveKit,
                ..
            })
        ));
        assert!(matches!(
            verify_any("hello", &set(), NOW),
            Err(Error::Malformed { vendor: None, .. })
        ));
    }

    #[test]
    fn agora_without_rtc_names_the_first_user() {
        let m = AgoraMinter::new(AG.0, AG.1)
            .unwrap()
            .with_clock(Arc::new(FixedClock(NOW)));
        let t = m.rtm_token("bob", Duration::from_secs(60)).unwrap();
        let v = set().verify_at(&t, NOW).unwrap();
        assert_eq!((v.identity.as_str(), v.room), ("bob", None));
        assert_eq!(v.expires_at, t.expires_at);
    }
}
