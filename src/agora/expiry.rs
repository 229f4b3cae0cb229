//! Privilege expiry: when an Agora token whose own expiry has not passed is expired anyway, and
//! which expired privileges are only reported.
//!
//! Every privilege of an AccessToken2 (007) has its own expiry (seconds after `issue_ts`, 0 = none
//! of its own), and a legacy 006 token's privileges have absolute ones. Agora checks each when it
//! is used, so a token can be past the one privilege that lets its holder in while its own expiry
//! is hours away. The rule rtcmint applies (README "verify", SECURITY.md):
//!
//! * A token is **expired** ([`Error::Expired`]) when its own expiry has passed, and
//!   ([`Error::PrivilegeExpired`]) when the **access privilege of every service** has passed:
//!   RTC join_channel; RTM, FPA and RTM2 login; for the other services (Chat, APaaS, streaming,
//!   FCDN, …), whose privileges are each a way in, all of their privileges. A service without an
//!   access privilege, or with one of expiry 0, keeps the token usable, and so does a service of
//!   a type rtcmint cannot read (its privileges are unknown). For 006 the RTC
//!   privileges (join_channel, publish_*) and RTM login (1000) count as two services.
//! * Any other expired privilege (publish audio / video / data, …, or the join privilege of one
//!   service while another service still lets the holder in) leaves the token valid and is
//!   reported: [`TokenInfo::expired_privileges`], `VerifiedToken::warnings`
//!   ([`crate::VerifyWarning`]) and `rtcmint verify`'s `warning` lines / `warnings` JSON field.
//!
//! "Passed" means what it means for the token's own expiry: `now >= expires_at`.
//!
//! [`Error::Expired`]: crate::Error::Expired
//! [`Error::PrivilegeExpired`]: crate::Error::PrivilegeExpired

use serde::Serialize;

use super::legacy006::{self, AccessToken006};
use super::services::{privilege, privilege_name, service_name, service_type};
use super::token2::DecodedToken2;
use super::{TokenInfo, legacy};
use crate::error::{Error, Result};
use crate::vendor::Vendor;

/// A privilege whose expiry has passed, in a token that is still valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct ExpiredPrivilege {
    /// The service: `rtc`, `rtm`, … (for 006: `rtc` for ids 1–4, `rtm` for 1000, else `006`).
    pub service: &'static str,
    /// The privilege id.
    pub id: u16,
    /// The privilege name (`publish_audio_stream`, …), when known.
    pub name: Option<&'static str>,
    /// When it expired, Unix seconds.
    pub expired_at: i64,
}

impl std::fmt::Display for ExpiredPrivilege {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(name) => write!(f, "{} {name}", self.service)?,
            None => write!(f, "{} privilege {}", self.service, self.id)?,
        }
        write!(
            f,
            " privilege expired at {} (Unix {})",
            crate::time::utc(self.expired_at),
            self.expired_at
        )
    }
}

/// Whether privilege `id` is (one of) the access privileges of a 007 service.
#[must_use]
pub(crate) fn is_access(service: u16, id: u16) -> bool {
    match service {
        service_type::RTC => id == privilege::rtc::JOIN_CHANNEL,
        service_type::RTM | service_type::FPA | service_type::RTM2 => id == privilege::rtm::LOGIN,
        // Chat user / app, APaaS room user / user / app, streaming and FCDN publish / play, and
        // services rtcmint knows no privileges of: each privilege is a way in.
        _ => true,
    }
}

/// The 006 "service" of a privilege id: RTC (1–4), RTM (1000), else none.
fn service_006(id: u16) -> Option<u16> {
    match id {
        legacy006::privilege::JOIN_CHANNEL..=legacy006::privilege::PUBLISH_DATA_STREAM => {
            Some(service_type::RTC)
        }
        legacy006::privilege::RTM_LOGIN => Some(service_type::RTM),
        _ => None,
    }
}

fn is_access_006(id: u16) -> bool {
    matches!(
        id,
        legacy006::privilege::JOIN_CHANNEL | legacy006::privilege::RTM_LOGIN
    )
}

/// Applies the rule service by service, without allocating (it also runs inside
/// [`AccessToken2::verify_str`]).
pub(crate) struct Judge {
    now: i64,
    services: usize,
    /// Every service seen so far has an access privilege, and all of them have passed.
    all_closed: bool,
    /// The access privilege that passed last, over the services seen: (service, id, expired_at).
    last: Option<(u16, u16, i64)>,
}

impl Judge {
    pub(crate) fn new(now: i64) -> Self {
        Judge {
            now,
            services: 0,
            all_closed: true,
            last: None,
        }
    }

    /// One service: its type and its privileges as (id, absolute expiry or `None` for none of
    /// its own). Access privileges are the ones `access` says.
    pub(crate) fn service(
        &mut self,
        service: u16,
        privileges: impl Iterator<Item = (u16, Option<i64>)>,
        access: impl Fn(u16) -> bool,
    ) {
        self.services += 1;
        let mut any = false;
        let mut closed = true;
        let mut latest: Option<(u16, i64)> = None;
        for (id, expires_at) in privileges.filter(|(id, _)| access(*id)) {
            any = true;
            match expires_at {
                Some(at) if self.now >= at => {
                    if latest.is_none_or(|(_, l)| at > l) {
                        latest = Some((id, at));
                    }
                }
                _ => closed = false,
            }
        }
        if !(any && closed) {
            self.all_closed = false;
            return;
        }
        if let Some((id, at)) = latest
            && self.last.is_none_or(|(_, _, l)| at > l)
        {
            self.last = Some((service, id, at));
        }
    }

    /// A service rtcmint cannot read (parsing stopped at its type): its privileges are unknown, so
    /// it may still let the holder in and the token is not called expired for its privileges.
    pub(crate) fn unknown_service(&mut self) {
        self.services += 1;
        self.all_closed = false;
    }

    /// The verdict: [`Error::PrivilegeExpired`] when every service (at least one) is closed.
    pub(crate) fn finish(self, name: impl Fn(u16, u16) -> Option<&'static str>) -> Result<()> {
        match self.last {
            Some((service, id, expired_at)) if self.all_closed && self.services > 0 => {
                Err(Error::PrivilegeExpired {
                    vendor: Vendor::Agora,
                    service: service_name(service).unwrap_or("unknown"),
                    privilege: name(service, id).unwrap_or("unknown"),
                    services: self.services,
                    expired_at,
                    now: self.now,
                })
            }
            _ => Ok(()),
        }
    }
}

/// Reads a 007 privilege map's wire bytes (`u16 id ‖ u32 expire`, little-endian) as (id, expire).
pub(crate) fn wire_privileges(bytes: &[u8]) -> impl Iterator<Item = (u16, u32)> + '_ {
    bytes.chunks_exact(6).map(|c| match c {
        [a, b, e0, e1, e2, e3] => (
            u16::from_le_bytes([*a, *b]),
            u32::from_le_bytes([*e0, *e1, *e2, *e3]),
        ),
        _ => (0, 0),
    })
}

/// The absolute expiry of a 007 privilege value (`None` for 0, no expiry of its own).
pub(crate) fn absolute(issue_ts: u32, expire: u32) -> Option<i64> {
    (expire != 0).then(|| i64::from(issue_ts) + i64::from(expire))
}

/// The rule for a decoded AccessToken2 at `now` (the token's own expiry is checked before).
pub(crate) fn check_007(decoded: &DecodedToken2, now: i64) -> Result<()> {
    let token = &decoded.token;
    let mut judge = Judge::new(now);
    if decoded.unknown_service_type.is_some() {
        judge.unknown_service();
    }
    for s in &token.services {
        let ty = s.service_type();
        judge.service(
            ty,
            s.privileges
                .iter()
                .map(|p| (p.id, absolute(token.issue_ts, p.expire))),
            |id| is_access(ty, id),
        );
    }
    judge.finish(privilege_name)
}

/// The rule for a legacy 006 token at `now` (its own expiry is checked before).
pub(crate) fn check_006(token: &AccessToken006, now: i64) -> Result<()> {
    let mut judge = Judge::new(now);
    for ty in [service_type::RTC, service_type::RTM] {
        let mut privileges = token
            .privileges
            .iter()
            .filter(|p| service_006(p.id) == Some(ty))
            .map(|p| (p.id, (p.expire_ts != 0).then(|| i64::from(p.expire_ts))))
            .peekable();
        if privileges.peek().is_some() {
            judge.service(ty, privileges, is_access_006);
        }
    }
    judge.finish(|_, id| legacy::privilege_name(id))
}

impl TokenInfo {
    /// The privileges whose own expiry has passed at `now` (Unix seconds), in token order. For a
    /// token that verified at `now` these are warnings: the token stays usable, but not for what
    /// they grant (see the [module rule](crate::agora#privilege-expiry)).
    #[must_use]
    pub fn expired_privileges(&self, now: i64) -> Vec<ExpiredPrivilege> {
        match self {
            TokenInfo::AccessToken2(info) => info
                .services
                .iter()
                .flat_map(|s| {
                    s.privileges.iter().filter_map(move |p| {
                        p.expires_at
                            .filter(|&at| now >= at)
                            .map(|expired_at| ExpiredPrivilege {
                                service: s.name,
                                id: p.id,
                                name: p.name,
                                expired_at,
                            })
                    })
                })
                .collect(),
            TokenInfo::Legacy006(t) => t
                .privileges
                .iter()
                .filter(|p| p.expire_ts != 0 && now >= i64::from(p.expire_ts))
                .map(|p| ExpiredPrivilege {
                    service: service_006(p.id).and_then(service_name).unwrap_or("006"),
                    id: p.id,
                    name: p.name,
                    expired_at: i64::from(p.expire_ts),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Privileges as (id, absolute expiry).
    type Privileges<'a> = &'a [(u16, Option<i64>)];

    fn judge(services: &[(u16, Privileges<'_>)], now: i64) -> Result<()> {
        let mut j = Judge::new(now);
        for (ty, privileges) in services {
            let ty = *ty;
            j.service(ty, privileges.iter().copied(), |id| is_access(ty, id));
        }
        j.finish(privilege_name)
    }

    const RTC: u16 = service_type::RTC;
    const RTM: u16 = service_type::RTM;
    const CHAT: u16 = service_type::CHAT;

    #[test]
    fn the_join_privilege_decides_for_one_service() {
        let join_passed: &[(u16, Option<i64>)] = &[(1, Some(100)), (2, Some(500))];
        let e = judge(&[(RTC, join_passed)], 100).unwrap_err();
        assert!(matches!(
            e,
            Error::PrivilegeExpired {
                service: "rtc",
                privilege: "join_channel",
                services: 1,
                expired_at: 100,
                now: 100,
                ..
            }
        ));
        assert_eq!(e.kind(), crate::ErrorKind::Time);
        // One second before: valid.
        assert!(judge(&[(RTC, join_passed)], 99).is_ok());
        // Only publishing passed: valid.
        let publish_passed: &[(u16, Option<i64>)] = &[(1, Some(500)), (2, Some(100))];
        assert!(judge(&[(RTC, publish_passed)], 200).is_ok());
        // A join privilege without its own expiry, or none at all: valid.
        assert!(judge(&[(RTC, &[(1, None), (2, Some(1))])], 200).is_ok());
        assert!(judge(&[(RTC, &[(2, Some(1))])], 200).is_ok());
        assert!(judge(&[(RTC, &[])], 200).is_ok());
        assert!(judge(&[], 200).is_ok());
    }

    #[test]
    fn every_service_must_be_closed() {
        let rtc: &[(u16, Option<i64>)] = &[(1, Some(100))];
        let rtm_open: &[(u16, Option<i64>)] = &[(1, Some(300))];
        let rtm_closed: &[(u16, Option<i64>)] = &[(1, Some(150))];
        assert!(judge(&[(RTC, rtc), (RTM, rtm_open)], 200).is_ok());
        let e = judge(&[(RTC, rtc), (RTM, rtm_closed)], 200).unwrap_err();
        // The last access privilege to pass is named.
        assert!(matches!(
            e,
            Error::PrivilegeExpired {
                service: "rtm",
                privilege: "login",
                services: 2,
                expired_at: 150,
                ..
            }
        ));
        // Chat: user and app are both ways in.
        let chat_half: &[(u16, Option<i64>)] = &[(1, Some(100)), (2, Some(300))];
        assert!(judge(&[(CHAT, chat_half)], 200).is_ok());
        let chat_all: &[(u16, Option<i64>)] = &[(1, Some(100)), (2, Some(120))];
        assert!(judge(&[(CHAT, chat_all)], 200).is_err());
    }

    #[test]
    fn wire_privileges_read_id_and_expire() {
        let bytes = [1, 0, 0x10, 0, 0, 0, 2, 0, 1, 0, 0, 0, 9];
        let v: Vec<_> = wire_privileges(&bytes).collect();
        assert_eq!(v, [(1, 16), (2, 1)]);
    }
}
