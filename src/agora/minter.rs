//! [`AgoraMinter`]: SDK-style builders and the [`TokenMinter`] mapping.

use std::sync::Arc;
use std::time::Duration;

use super::check_hex32;
use super::keycache::KeyChainCache;
use super::services::{RtcPrivileges, Rtm2Permission, Service, privilege, put_rtc, uid_text};
use super::token2::{AccessToken2, PayloadHead, encode_parts_into};
use super::zlib::Compression;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::minter::{MintedToken, TokenMinter, TokenRequest, TokenTimes};
use crate::random::{RandomSource, ThreadRandom};
use crate::secret::Secret;
use crate::vendor::Vendor;
use md5::{Digest as _, Md5};

/// The longest expiry the builders accept: 24 h, the documented cap of an Agora token.
pub const MAX_EXPIRE: Duration = Duration::from_secs(86_400);

/// RTC role of the SDK builders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtcRole {
    /// May join and publish: privileges join, publish audio, video and data (all with the same
    /// expiry). Publishing is only enforced when co-host authentication is enabled for the project.
    Publisher = 1,
    /// May join only.
    Subscriber = 2,
}

/// Per-privilege expiries of an RTC token, each relative to the issue time (0 = no separate limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RtcPrivilegeExpiry {
    /// Join channel.
    pub join_channel: Duration,
    /// Publish audio.
    pub publish_audio_stream: Duration,
    /// Publish video.
    pub publish_video_stream: Duration,
    /// Publish data streams.
    pub publish_data_stream: Duration,
}

impl RtcPrivilegeExpiry {
    /// The same expiry for all four privileges.
    #[must_use]
    pub fn all(expire: Duration) -> Self {
        RtcPrivilegeExpiry {
            join_channel: expire,
            publish_audio_stream: expire,
            publish_video_stream: expire,
            publish_data_stream: expire,
        }
    }
}

/// Mints Agora AccessToken2 ("007") tokens for one app id and certificate.
///
/// Built once, mints with `&self`, `Send + Sync`. Issue time comes from the clock
/// ([`SystemClock`] by default), the salt from the random source (the thread-local CSPRNG by
/// default, any `u32`, which every official parser accepts); inject [`FixedClock`](crate::FixedClock)
/// and [`FixedRandom`](crate::FixedRandom) (4 bytes, little-endian salt) to reproduce vectors.
///
/// **All expiries are durations relative to the issue time**, at most 24 h ([`MAX_EXPIRE`]); a
/// larger value is refused because it is almost always an absolute timestamp (`now + 3600`, the
/// 006 convention), which on the wire would mean "valid for ~55 years". A token expiry must be at
/// least 1 s; privilege expiries may be 0 (= no limit of their own, the SDK default).
///
/// # `TokenMinter` mapping
///
/// | request field | AccessToken2 |
/// | --- | --- |
/// | `room` (required) | RTC `channel_name` (missing → [`Error::InvalidRequest`]) |
/// | `identity` | a canonical decimal `u32` (`"0"`, `"42"`) is the numeric uid, `"0"` meaning any user; anything else is a string account. Both give identical bytes for non-zero numbers, so the client may join with the int uid or the same string account. Empty → [`Error::InvalidRequest`] |
/// | `ttl` | token `expire` and every privilege expiry (1 s ..= 24 h) |
/// | — | privilege join channel, always |
/// | `can_publish` | publish audio + publish video |
/// | `can_publish_data` | publish data stream |
/// | `issued_at` | `issue_ts` (must fit `u32`) |
/// | `can_subscribe = false` | [`Error::Unsupported`]: Agora has no subscribe privilege |
/// | `is_admin = true` | [`Error::Unsupported`]: no admin privilege in Agora tokens |
/// | `display_name`, `metadata` | [`Error::Unsupported`]: not carried by Agora tokens |
///
/// Publish privileges are only enforced by Agora when co-host authentication is enabled.
#[derive(Debug, Clone)]
pub struct AgoraMinter {
    app_id: String,
    certificate: Secret,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    compression: Compression,
    /// `HMAC(u32le(issue_ts), certificate)` for the last issue second minted (zeroized on drop).
    key_chain: KeyChainCache,
}

fn secs(field: &'static str, d: Duration, allow_zero: bool) -> Result<u32> {
    let s = d.as_secs();
    if s > MAX_EXPIRE.as_secs() {
        return Err(Error::request(
            Vendor::Agora,
            field,
            format!(
                "is {s} s; Agora expiries are durations relative to the issue time, at most 24 h \
                 (86400 s) — an absolute Unix timestamp (now + ttl, the 006 convention) is the usual cause"
            ),
        ));
    }
    if s == 0 && !allow_zero {
        return Err(Error::request(
            Vendor::Agora,
            field,
            "must be at least 1 second (0 would be an already-expired token)",
        ));
    }
    u32::try_from(s).map_err(|_| Error::Internal {
        what: "an expiry checked to be at most 24 h does not fit u32",
    })
}

/// The times of a token issued at `issue_ts` with the relative `expire`.
fn times(issue_ts: u32, expire: u32) -> TokenTimes {
    let iat = i64::from(issue_ts);
    TokenTimes::new(iat, iat + i64::from(expire))
}

fn issue_ts_u32(t: i64, field: &'static str) -> Result<u32> {
    u32::try_from(t).map_err(|_| {
        Error::request(
            Vendor::Agora,
            field,
            format!("{t} is outside the u32 Unix-seconds range of AccessToken2 (1970..2106)"),
        )
    })
}

/// `Some(uid)` when `s` is a canonical decimal u32 (no sign, no leading zeros except "0").
fn canonical_uid(s: &str) -> Option<u32> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// The privileges of `role`, all valid for `expire`: a publisher gets all four, a subscriber
/// join channel only.
fn rtc_privileges(role: RtcRole, expire: u32) -> RtcPrivileges {
    match role {
        RtcRole::Publisher => RtcPrivileges::all(expire),
        RtcRole::Subscriber => RtcPrivileges::join(expire),
    }
}

/// The privileges of `role` with the expiries of `p` (a subscriber: join channel only).
fn rtc_privileges_each(role: RtcRole, p: &RtcPrivilegeExpiry) -> Result<RtcPrivileges> {
    let join = RtcPrivileges::join(secs("join_channel_privilege_expire", p.join_channel, true)?);
    Ok(match role {
        RtcRole::Subscriber => join,
        RtcRole::Publisher => join
            .publish_audio(secs(
                "pub_audio_privilege_expire",
                p.publish_audio_stream,
                true,
            )?)
            .publish_video(secs(
                "pub_video_privilege_expire",
                p.publish_video_stream,
                true,
            )?)
            .publish_data(secs(
                "pub_data_stream_privilege_expire",
                p.publish_data_stream,
                true,
            )?),
    })
}

/// An RTC service for `account` in `channel_name` with `privileges`.
fn rtc_service(channel_name: &str, account: &str, privileges: RtcPrivileges) -> Service {
    let mut s = Service::rtc_account(channel_name, account);
    s.privileges.extend(privileges.iter());
    s
}

/// The `buildTokenWithRtm2` family: builders with the same seven parameters, differing only in
/// the service each adds after RTC and RTM (none, ConvoAI, STT); all go through
/// `AgoraMinter::rtc_rtm2_token_with`.
macro_rules! rtm2_builders {
    ($($(#[$doc:meta])* $name:ident => $extra:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        /// As [`AgoraMinter::rtc_token_with_uid_into`].
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            &self,
            channel_name: &str,
            rtc_account: &str,
            rtc_role: RtcRole,
            rtc_token_expire: Duration,
            privileges: RtcPrivilegeExpiry,
            rtm_user_id: &str,
            rtm_token_expire: Duration,
        ) -> Result<MintedToken> {
            self.rtc_rtm2_token_with(
                channel_name,
                rtc_account,
                rtc_role,
                rtc_token_expire,
                &privileges,
                rtm_user_id,
                rtm_token_expire,
                $extra,
            )
        }
    )*};
}

impl AgoraMinter {
    /// A minter for `app_id` and `app_certificate`, both the 32 hex characters shown in the Agora
    /// console (used verbatim as text; their case matters).
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] when either is not 32 hex characters.
    pub fn new(app_id: impl Into<String>, app_certificate: impl Into<Secret>) -> Result<Self> {
        let app_id = app_id.into();
        let certificate = app_certificate.into();
        check_hex32(&app_id, false)?;
        check_hex32(certificate.expose(), true)?;
        Ok(AgoraMinter {
            app_id,
            certificate,
            clock: Arc::new(SystemClock),
            random: Arc::new(ThreadRandom),
            compression: Compression::Stored,
            key_chain: KeyChainCache::default(),
        })
    }

    crate::clock::with_clock!("Uses `clock` for issue times.");

    crate::random::with_random!("Uses `random` for salts.");

    /// Chooses the zlib encoding (default [`Compression::Stored`], the fastest).
    #[must_use]
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// The app id.
    #[must_use]
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    fn issue_and_salt(&self) -> Result<(u32, u32)> {
        let now = self.clock.now()?;
        let ts = u32::try_from(now).map_err(|_| Error::Clock {
            reason: "the time does not fit AccessToken2's u32 Unix seconds".into(),
        })?;
        Ok((ts, self.random.next_u32()))
    }

    #[allow(clippy::too_many_arguments)]
    fn rtc_into(
        &self,
        issue_ts: u32,
        salt: u32,
        channel_name: &str,
        uid: &str,
        privileges: RtcPrivileges,
        token_expire: u32,
        out: &mut String,
    ) -> Result<TokenTimes> {
        let head = PayloadHead {
            cache: Some(&self.key_chain),
            cert: self.certificate.as_bytes(),
            app_id: &self.app_id,
            issue_ts,
            expire: token_expire,
            salt,
            service_count: 1,
        };
        encode_parts_into(
            &head,
            self.compression,
            |buf| put_rtc(buf, privileges, channel_name, uid),
            out,
        )?;
        Ok(times(issue_ts, token_expire))
    }

    /// Mints a token with the given services (any mix, any privileges) expiring `expire` after
    /// now. Privilege values inside `services` are raw relative seconds.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for no services, an expiry outside 1 s ..= 24 h, or a string
    /// longer than 65535 bytes; [`Error::Clock`].
    pub fn token_with_services(
        &self,
        expire: Duration,
        services: Vec<Service>,
    ) -> Result<MintedToken> {
        let expire = secs("expire", expire, false)?;
        self.services_token(expire, services)
    }

    /// A token of one service with one privilege, both valid for `expire` (1 s ..= 24 h).
    fn one_service_token(
        &self,
        expire: Duration,
        service: Service,
        privilege: u16,
    ) -> Result<MintedToken> {
        let e = secs("expire", expire, false)?;
        self.services_token(e, vec![service.with_privilege(privilege, e)])
    }

    fn services_token(&self, expire: u32, services: Vec<Service>) -> Result<MintedToken> {
        let (issue_ts, salt) = self.issue_and_salt()?;
        let token = AccessToken2 {
            app_id: self.app_id.clone(),
            issue_ts,
            expire,
            salt,
            services,
        };
        let mut out = String::new();
        token.encode_into(self.certificate.expose(), self.compression, &mut out)?;
        Ok(MintedToken::new(out, times(issue_ts, expire)))
    }

    /// RTC token for a numeric uid (0 = any user), appended to `out` (no allocation in steady
    /// state). `privilege_expire` 0 means no separate limit (the SDK default).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for expiries outside the allowed range or a channel name longer
    /// than 65535 bytes; [`Error::Clock`].
    pub fn rtc_token_with_uid_into(
        &self,
        channel_name: &str,
        uid: u32,
        role: RtcRole,
        token_expire: Duration,
        privilege_expire: Duration,
        out: &mut String,
    ) -> Result<TokenTimes> {
        let mut buf = [0u8; 10];
        let uid = uid_text(uid, &mut buf)?;
        self.rtc_token_with_account_into(
            channel_name,
            uid,
            role,
            token_expire,
            privilege_expire,
            out,
        )
    }

    /// RTC token for a numeric uid (0 = any user), as the SDKs' `buildTokenWithUid`.
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_token_with_uid(
        &self,
        channel_name: &str,
        uid: u32,
        role: RtcRole,
        token_expire: Duration,
        privilege_expire: Duration,
    ) -> Result<MintedToken> {
        let mut s = String::new();
        let times = self.rtc_token_with_uid_into(
            channel_name,
            uid,
            role,
            token_expire,
            privilege_expire,
            &mut s,
        )?;
        Ok(MintedToken::new(s, times))
    }

    /// RTC token for a string account (verbatim; `"0"` is *not* the wildcard), appended to `out`.
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_token_with_account_into(
        &self,
        channel_name: &str,
        account: &str,
        role: RtcRole,
        token_expire: Duration,
        privilege_expire: Duration,
        out: &mut String,
    ) -> Result<TokenTimes> {
        let te = secs("token_expire", token_expire, false)?;
        let pe = secs("privilege_expire", privilege_expire, true)?;
        let (issue_ts, salt) = self.issue_and_salt()?;
        self.rtc_into(
            issue_ts,
            salt,
            channel_name,
            account,
            rtc_privileges(role, pe),
            te,
            out,
        )
    }

    /// RTC token for a string account, as the SDKs' `buildTokenWithUserAccount`.
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_token_with_account(
        &self,
        channel_name: &str,
        account: &str,
        role: RtcRole,
        token_expire: Duration,
        privilege_expire: Duration,
    ) -> Result<MintedToken> {
        let mut s = String::new();
        let times = self.rtc_token_with_account_into(
            channel_name,
            account,
            role,
            token_expire,
            privilege_expire,
            &mut s,
        )?;
        Ok(MintedToken::new(s, times))
    }

    /// RTC token with all four privileges, each with its own expiry (`buildTokenWithUidAndPrivilege`).
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_token_with_uid_and_privileges(
        &self,
        channel_name: &str,
        uid: u32,
        token_expire: Duration,
        privileges: RtcPrivilegeExpiry,
    ) -> Result<MintedToken> {
        let mut buf = [0u8; 10];
        let uid = uid_text(uid, &mut buf)?;
        self.rtc_token_with_account_and_privileges(channel_name, uid, token_expire, privileges)
    }

    /// RTC token for an account with all four privileges, each with its own expiry
    /// (`BuildTokenWithUserAccountAndPrivilege`).
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_token_with_account_and_privileges(
        &self,
        channel_name: &str,
        account: &str,
        token_expire: Duration,
        privileges: RtcPrivilegeExpiry,
    ) -> Result<MintedToken> {
        let te = secs("token_expire", token_expire, false)?;
        let privs = rtc_privileges_each(RtcRole::Publisher, &privileges)?;
        self.services_token(te, vec![rtc_service(channel_name, account, privs)])
    }

    /// RTC + RTM in one token (`buildTokenWithRtm`): RTC for `account` with `role` and
    /// `privilege_expire`, RTM login for the same account valid for `token_expire`.
    ///
    /// # Errors
    /// As [`AgoraMinter::rtc_token_with_uid_into`].
    pub fn rtc_rtm_token(
        &self,
        channel_name: &str,
        account: &str,
        role: RtcRole,
        token_expire: Duration,
        privilege_expire: Duration,
    ) -> Result<MintedToken> {
        let te = secs("token_expire", token_expire, false)?;
        let pe = secs("privilege_expire", privilege_expire, true)?;
        let rtc = rtc_service(channel_name, account, rtc_privileges(role, pe));
        let rtm = Service::rtm(account).with_privilege(privilege::rtm::LOGIN, te);
        self.services_token(te, vec![rtc, rtm])
    }

    /// The `buildTokenWithRtm2` family: RTC for `rtc_account` with per-privilege expiries, RTM
    /// login for `rtm_user_id`, then `extra` (the ConvoAI or STT service) if any; the header
    /// expiry is `rtc_token_expire`.
    #[allow(clippy::too_many_arguments)]
    fn rtc_rtm2_token_with(
        &self,
        channel_name: &str,
        rtc_account: &str,
        rtc_role: RtcRole,
        rtc_token_expire: Duration,
        privileges: &RtcPrivilegeExpiry,
        rtm_user_id: &str,
        rtm_token_expire: Duration,
        extra: Option<Service>,
    ) -> Result<MintedToken> {
        let te = secs("rtc_token_expire", rtc_token_expire, false)?;
        let privs = rtc_privileges_each(rtc_role, privileges)?;
        let rtc = rtc_service(channel_name, rtc_account, privs);
        let rtm_te = secs("rtm_token_expire", rtm_token_expire, false)?;
        let rtm = Service::rtm(rtm_user_id).with_privilege(privilege::rtm::LOGIN, rtm_te);
        let mut services = vec![rtc, rtm];
        services.extend(extra);
        self.services_token(te, services)
    }

    rtm2_builders! {
        /// RTC + RTM with separate identities and expiries (`buildTokenWithRtm2`). The header
        /// expiry is `rtc_token_expire`; a subscriber gets only the join privilege.
        rtc_rtm2_token => None;
        /// As [`AgoraMinter::rtc_rtm2_token`] plus an empty ConvoAI service (type 9), like npm
        /// `agora-token` 2.0.6's `ConvoAITokenBuilder.buildToken`.
        convoai_token => Some(Service::convo_ai());
        /// As [`AgoraMinter::rtc_rtm2_token`] plus an empty STT service (type 10), like npm
        /// `agora-token` 2.0.6's `SttTokenBuilder.buildToken`.
        stt_token => Some(Service::stt());
    }

    /// RTM login token (`RtmTokenBuilder.buildToken`).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn rtm_token(&self, user_id: &str, expire: Duration) -> Result<MintedToken> {
        self.one_service_token(expire, Service::rtm(user_id), privilege::rtm::LOGIN)
    }

    /// RTM2 login token with a resource permission table (`buildTokenWithPermissions`; Agora calls
    /// this a special interface that needs their assistance).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn rtm2_token(
        &self,
        user_id: &str,
        permissions: Vec<Rtm2Permission>,
        expire: Duration,
    ) -> Result<MintedToken> {
        let service = Service::rtm2(user_id, permissions);
        self.one_service_token(expire, service, privilege::rtm2::LOGIN)
    }

    /// Chat user token (`ChatTokenBuilder.buildUserToken`).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn chat_user_token(&self, user_id: &str, expire: Duration) -> Result<MintedToken> {
        self.one_service_token(expire, Service::chat(user_id), privilege::chat::USER)
    }

    /// Chat app token (`ChatTokenBuilder.buildAppToken`).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn chat_app_token(&self, expire: Duration) -> Result<MintedToken> {
        self.one_service_token(expire, Service::chat(""), privilege::chat::APP)
    }

    /// APaaS / Education room-user token (`buildRoomUserToken`): APaaS(room, user, role) with
    /// privilege room-user, RTM login for the user, Chat user for the lowercase hex MD5 of the user
    /// uuid, all valid for `expire`. Follows the Python/Go/C++ references (npm omits the APaaS
    /// privilege).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn apaas_room_user_token(
        &self,
        room_uuid: &str,
        user_uuid: &str,
        role: i16,
        expire: Duration,
    ) -> Result<MintedToken> {
        let e = secs("expire", expire, false)?;
        let apaas = Service::apaas(room_uuid, user_uuid, role)
            .with_privilege(privilege::apaas::ROOM_USER, e);
        let rtm = Service::rtm(user_uuid).with_privilege(privilege::rtm::LOGIN, e);
        // The Chat user id is the lower-case hex MD5 of the user uuid (a naming convention of
        // Agora's builders, not a security measure).
        let chat_user = crate::hex::lower(&Md5::digest(user_uuid.as_bytes()));
        let chat = Service::chat(chat_user).with_privilege(privilege::chat::USER, e);
        self.services_token(e, vec![apaas, rtm, chat])
    }

    /// APaaS / Education user token (`buildUserToken`).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn apaas_user_token(&self, user_uuid: &str, expire: Duration) -> Result<MintedToken> {
        let service = Service::apaas("", user_uuid, -1);
        self.one_service_token(expire, service, privilege::apaas::USER)
    }

    /// APaaS / Education app token (`buildAppToken`).
    ///
    /// # Errors
    /// As [`AgoraMinter::token_with_services`].
    pub fn apaas_app_token(&self, expire: Duration) -> Result<MintedToken> {
        self.one_service_token(expire, Service::apaas("", "", -1), privilege::apaas::APP)
    }

    /// FPA token (`FpaTokenBuilder.buildToken`): fixed 24 h, login privilege 0.
    ///
    /// # Errors
    /// [`Error::Clock`].
    pub fn fpa_token(&self) -> Result<MintedToken> {
        let s = Service::fpa().with_privilege(privilege::fpa::LOGIN, 0);
        self.services_token(86_400, vec![s])
    }
}

impl TokenMinter for AgoraMinter {
    fn vendor(&self) -> Vendor {
        Vendor::Agora
    }

    /// See the mapping table on [`AgoraMinter`].
    ///
    /// # Errors
    /// [`Error::Unsupported`] for `display_name`, `metadata`, `is_admin = true` or
    /// `can_subscribe = false`; [`Error::InvalidRequest`] for a missing room, an empty identity,
    /// a ttl outside 1 s ..= 24 h, an `issued_at` outside `u32`, a room or identity over 65535
    /// bytes; [`Error::Clock`].
    fn mint_into(&self, request: &TokenRequest, out: &mut String) -> Result<TokenTimes> {
        let v = Vendor::Agora;
        if request.display_name.is_some() {
            return Err(Error::unsupported(
                v,
                "display_name",
                "Agora tokens carry no display name; set it in the client (e.g. RTM user attributes)",
            ));
        }
        if request.metadata.is_some() {
            return Err(Error::unsupported(
                v,
                "metadata",
                "Agora tokens carry no participant metadata; use RTM attributes or your own backend",
            ));
        }
        if request.is_admin {
            return Err(Error::unsupported(
                v,
                "is_admin",
                "Agora tokens have no admin privilege; moderate through Agora's RESTful API",
            ));
        }
        if !request.can_subscribe {
            return Err(Error::unsupported(
                v,
                "can_subscribe",
                "Agora tokens have no subscribe privilege: whoever may join may subscribe",
            ));
        }
        let Some(room) = request.room.as_deref() else {
            return Err(Error::request(
                v,
                "room",
                "Agora RTC tokens are bound to a channel; set a room (a channel-less RTM login \
                 token is a different token type, not minted from this request)",
            ));
        };
        if room.len() > usize::from(u16::MAX) {
            return Err(Error::request(v, "room", "longer than 65535 bytes"));
        }
        let identity = request.identity.as_str();
        if identity.is_empty() {
            return Err(Error::request(
                v,
                "identity",
                "must not be empty; use \"0\" for a token any uid may use",
            ));
        }
        if identity.len() > usize::from(u16::MAX) {
            return Err(Error::request(v, "identity", "longer than 65535 bytes"));
        }
        let ttl = request.ttl_secs(v)?;
        let ttl = secs("ttl", Duration::from_secs(ttl), false)?;
        let issue_ts = match request.issued_at {
            Some(t) => issue_ts_u32(t, "issued_at")?,
            None => issue_ts_u32(self.clock.now()?, "issued_at")?,
        };
        let salt = self.random.next_u32();
        let uid = match canonical_uid(identity) {
            Some(0) => "",
            _ => identity,
        };
        let mut privs = RtcPrivileges::join(ttl);
        if request.can_publish {
            privs = privs.publish_audio(ttl).publish_video(ttl);
        }
        if request.can_publish_data {
            privs = privs.publish_data(ttl);
        }
        self.rtc_into(issue_ts, salt, room, uid, privs, ttl, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_text_and_canonical() {
        let mut b = [0u8; 10];
        assert_eq!(uid_text(0, &mut b).unwrap(), "");
        assert_eq!(uid_text(7, &mut b).unwrap(), "7");
        assert_eq!(uid_text(u32::MAX, &mut b).unwrap(), "4294967295");
        assert_eq!(uid_text(1_000_000_000, &mut b).unwrap(), "1000000000");
        let s = Service::rtc("c", 42);
        assert!(
            matches!(s.detail, super::super::ServiceDetail::Rtc { ref uid, .. } if uid == "42")
        );
        let s = Service::rtc("c", 0);
        assert!(
            matches!(s.detail, super::super::ServiceDetail::Rtc { ref uid, .. } if uid.is_empty())
        );
        assert_eq!(canonical_uid("0"), Some(0));
        assert_eq!(canonical_uid("42"), Some(42));
        assert_eq!(canonical_uid("042"), None);
        assert_eq!(canonical_uid("4294967296"), None);
        assert_eq!(canonical_uid("+1"), None);
        assert_eq!(canonical_uid(""), None);
    }
}
