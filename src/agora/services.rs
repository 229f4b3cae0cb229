//! AccessToken2 services and privileges (the official SDKs' `Service*` classes; the container
//! around them is described in `src/agora/mod.rs`).

use serde::Serialize;

use super::pack::{Reader, put_bytes, put_i16, put_u16, put_u32};
use crate::error::{Error, MalformedCause, Result};
use crate::vendor::Vendor;

/// Service type numbers as they appear on the wire.
pub mod service_type {
    /// RTC (audio/video channels).
    pub const RTC: u16 = 1;
    /// RTM / signalling login.
    pub const RTM: u16 = 2;
    /// Media streaming (mix / raw stream publishing).
    pub const STREAMING: u16 = 3;
    /// FPA (full-path acceleration).
    pub const FPA: u16 = 4;
    /// Chat (IM).
    pub const CHAT: u16 = 5;
    /// FCDN (fusion CDN).
    pub const FCDN: u16 = 6;
    /// APaaS, also called Education / Flexible Classroom.
    pub const APAAS: u16 = 7;
    /// RTM 2 with resource permissions.
    pub const RTM2: u16 = 8;
    /// Conversational AI engine (npm `agora-token` 2.0.6 only).
    pub const CONVOAI: u16 = 9;
    /// Speech to text (npm `agora-token` 2.0.6 only).
    pub const STT: u16 = 10;
}

/// Privilege ids per service. Every privilege value is a number of seconds counted from the
/// token's `issue_ts` (0 = no separate limit; the token's own expiry still applies).
pub mod privilege {
    /// RTC (service 1) privileges.
    pub mod rtc {
        /// Join the channel.
        pub const JOIN_CHANNEL: u16 = 1;
        /// Publish audio (enforced only with co-host authentication enabled).
        pub const PUBLISH_AUDIO_STREAM: u16 = 2;
        /// Publish video (enforced only with co-host authentication enabled).
        pub const PUBLISH_VIDEO_STREAM: u16 = 3;
        /// Publish data streams (enforced only with co-host authentication enabled).
        pub const PUBLISH_DATA_STREAM: u16 = 4;
    }
    /// RTM (service 2) privileges.
    pub mod rtm {
        /// Log in.
        pub const LOGIN: u16 = 1;
    }
    /// Streaming (service 3) privileges.
    pub mod streaming {
        /// Publish a mixed stream.
        pub const PUBLISH_MIX_STREAM: u16 = 1;
        /// Publish a raw stream.
        pub const PUBLISH_RAW_STREAM: u16 = 2;
    }
    /// FPA (service 4) privileges.
    pub mod fpa {
        /// Log in.
        pub const LOGIN: u16 = 1;
    }
    /// Chat (service 5) privileges.
    pub mod chat {
        /// A chat user.
        pub const USER: u16 = 1;
        /// The chat app (server side).
        pub const APP: u16 = 2;
    }
    /// FCDN (service 6) privileges.
    pub mod fcdn {
        /// Publish.
        pub const PUBLISH: u16 = 1;
        /// Play.
        pub const PLAY: u16 = 2;
    }
    /// APaaS / Education (service 7) privileges.
    pub mod apaas {
        /// A user in one room.
        pub const ROOM_USER: u16 = 1;
        /// A user.
        pub const USER: u16 = 2;
        /// The app.
        pub const APP: u16 = 3;
    }
    /// RTM2 (service 8) privileges.
    pub mod rtm2 {
        /// Log in.
        pub const LOGIN: u16 = 1;
    }
}

/// The lower-case name of a service type (`"rtc"`, `"rtm"`, ... `"stt"`), `None` if unknown.
#[must_use]
pub fn service_name(service_type: u16) -> Option<&'static str> {
    Some(match service_type {
        1 => "rtc",
        2 => "rtm",
        3 => "streaming",
        4 => "fpa",
        5 => "chat",
        6 => "fcdn",
        7 => "apaas",
        8 => "rtm2",
        9 => "convoai",
        10 => "stt",
        _ => return None,
    })
}

/// The name of privilege `id` of `service_type` (`"join_channel"`, `"login"`...), `None` if unknown.
#[must_use]
pub fn privilege_name(service_type: u16, id: u16) -> Option<&'static str> {
    Some(match (service_type, id) {
        (1, 1) => "join_channel",
        (1, 2) => "publish_audio_stream",
        (1, 3) => "publish_video_stream",
        (1, 4) => "publish_data_stream",
        (2 | 4 | 8, 1) => "login",
        (3, 1) => "publish_mix_stream",
        (3, 2) => "publish_raw_stream",
        (5, 1) => "user",
        (5, 2) => "app",
        (6, 1) => "publish",
        (6, 2) => "play",
        (7, 1) => "room_user",
        (7, 2) => "user",
        (7, 3) => "app",
        _ => return None,
    })
}

/// One privilege: an id and its expiry in seconds **relative to `issue_ts`** (0 = none of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Privilege {
    /// The privilege id (see [`privilege`]).
    pub id: u16,
    /// Seconds from `issue_ts`, not a Unix timestamp.
    pub expire: u32,
}

/// One entry of the RTM2 permission table: `resources` may be accessed as `permission_type`.
///
/// Serialises with the names used to mint it beside the numbers:
/// `{"resource_type":0,"resource":"message-channel","permission_type":1,"access":"write","resources":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtm2Permission {
    /// Resource type: [`Rtm2Permission::MESSAGE_CHANNEL`] ... [`Rtm2Permission::USER`].
    pub resource_type: u16,
    /// [`Rtm2Permission::READ`] or [`Rtm2Permission::WRITE`].
    pub permission_type: u16,
    /// Resource names, in insertion order (`"*"` is used by Agora as a wildcard).
    pub resources: Vec<String>,
}

impl Rtm2Permission {
    /// Resource type 0: message channels.
    pub const MESSAGE_CHANNEL: u16 = 0;
    /// Resource type 1: stream channels.
    pub const STREAM_CHANNEL: u16 = 1;
    /// Resource type 2: group channels.
    pub const GROUP_CHANNEL: u16 = 2;
    /// Resource type 3: server groups.
    pub const SERVER_GROUP: u16 = 3;
    /// Resource type 4: users.
    pub const USER: u16 = 4;
    /// Permission type 0: read.
    pub const READ: u16 = 0;
    /// Permission type 1: write.
    pub const WRITE: u16 = 1;

    /// The resource type names (`rtcmint agora mint --rtm2-permission RESOURCE:ACCESS=…`), by
    /// number.
    pub const RESOURCE_NAMES: [&'static str; 5] = [
        "message-channel",
        "stream-channel",
        "group-channel",
        "server-group",
        "user",
    ];
    /// The access names, by number.
    pub const ACCESS_NAMES: [&'static str; 2] = ["read", "write"];

    /// The name of [`Rtm2Permission::resource_type`] (`"message-channel"`, …), `None` if unknown.
    #[must_use]
    pub fn resource_name(&self) -> Option<&'static str> {
        Self::RESOURCE_NAMES
            .get(usize::from(self.resource_type))
            .copied()
    }

    /// The name of [`Rtm2Permission::permission_type`] (`"read"` or `"write"`), `None` if unknown.
    #[must_use]
    pub fn access_name(&self) -> Option<&'static str> {
        Self::ACCESS_NAMES
            .get(usize::from(self.permission_type))
            .copied()
    }

    /// The resource type number of a name in [`Rtm2Permission::RESOURCE_NAMES`].
    #[must_use]
    pub fn parse_resource(name: &str) -> Option<u16> {
        Self::RESOURCE_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The permission type number of a name in [`Rtm2Permission::ACCESS_NAMES`].
    #[must_use]
    pub fn parse_access(name: &str) -> Option<u16> {
        Self::ACCESS_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// A permission entry.
    #[must_use]
    pub fn new(
        resource_type: u16,
        permission_type: u16,
        resources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Rtm2Permission {
            resource_type,
            permission_type,
            resources: resources.into_iter().map(Into::into).collect(),
        }
    }
}

impl Serialize for Rtm2Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("Rtm2Permission", 5)?;
        st.serialize_field("resource_type", &self.resource_type)?;
        st.serialize_field("resource", &self.resource_name())?;
        st.serialize_field("permission_type", &self.permission_type)?;
        st.serialize_field("access", &self.access_name())?;
        st.serialize_field("resources", &self.resources)?;
        st.end()
    }
}

/// The type-specific fields of a service (the wire fields after the privilege map).
///
/// Serializes as a flat map of its fields (no tag); [`Service::service_type`] names the variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ServiceDetail {
    /// RTC (1): channel and uid text (`""` = uid 0 = any user; else decimal uid or account).
    Rtc {
        /// Channel name.
        channel_name: String,
        /// The uid text.
        uid: String,
    },
    /// RTM (2).
    Rtm {
        /// RTM user id.
        user_id: String,
    },
    /// Streaming (3).
    Streaming {
        /// Channel name.
        channel_name: String,
        /// Account (uid text, `""` for uid 0).
        account: String,
    },
    /// FPA (4): no fields.
    Fpa {},
    /// Chat (5): `""` for app tokens.
    Chat {
        /// Chat user id.
        user_id: String,
    },
    /// FCDN (6).
    Fcdn {
        /// Channel name.
        channel_name: String,
        /// Account (uid text, `""` for uid 0).
        account: String,
    },
    /// APaaS / Education (7).
    Apaas {
        /// Room uuid (`""` when not bound to a room).
        room_uuid: String,
        /// User uuid (`""` for app tokens).
        user_uuid: String,
        /// Role (−1 = none; once documented: 0 invisible, 1 teacher, 2 student, 3 assistant,
        /// 4 observer).
        role: i16,
    },
    /// RTM2 (8).
    Rtm2 {
        /// RTM user id.
        user_id: String,
        /// The permission table, in wire order (sorted by resource and permission type).
        permissions: Vec<Rtm2Permission>,
    },
    /// ConvoAI (9): no fields.
    ConvoAi {},
    /// STT (10): no fields.
    Stt {},
}

/// One service of an AccessToken2: its privileges and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Service {
    /// Privileges; sorted by id (last value wins for a repeated id) when encoded. Decoded tokens
    /// keep the wire order.
    pub privileges: Vec<Privilege>,
    /// The type-specific fields.
    #[serde(flatten)]
    pub detail: ServiceDetail,
}

/// The decimal ASCII digits of `uid`, written into the end of `buf` (none for uid 0, which is
/// `""` on the wire). `u32::MAX` has ten digits, so `buf` always has room.
fn uid_digits(uid: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut start = buf.len();
    let mut v = uid;
    for slot in buf.iter_mut().rev() {
        if v == 0 {
            break;
        }
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
        start -= 1;
    }
    let (_, digits) = buf.split_at(start);
    digits
}

/// The uid text of `uid` (uid 0 → `""`), written into `buf`, without allocating.
pub(super) fn uid_text(uid: u32, buf: &mut [u8; 10]) -> Result<&str> {
    std::str::from_utf8(uid_digits(uid, buf)).map_err(|_| Error::Internal {
        what: "the decimal digits of a uid are not UTF-8",
    })
}

impl Service {
    fn with_detail(detail: ServiceDetail) -> Self {
        Service {
            privileges: Vec::new(),
            detail,
        }
    }

    /// RTC service for a numeric uid (0 = any user, encoded as `""`).
    #[must_use]
    pub fn rtc(channel_name: impl Into<String>, uid: u32) -> Self {
        let uid: String = uid_digits(uid, &mut [0; 10])
            .iter()
            .map(|&d| char::from(d))
            .collect();
        Self::rtc_account(channel_name, uid)
    }

    /// RTC service for a string account (used verbatim; `"0"` is *not* the wildcard).
    #[must_use]
    pub fn rtc_account(channel_name: impl Into<String>, account: impl Into<String>) -> Self {
        Self::with_detail(ServiceDetail::Rtc {
            channel_name: channel_name.into(),
            uid: account.into(),
        })
    }

    /// RTM service.
    #[must_use]
    pub fn rtm(user_id: impl Into<String>) -> Self {
        Self::with_detail(ServiceDetail::Rtm {
            user_id: user_id.into(),
        })
    }

    /// Streaming service (`account` is the uid text, `""` for uid 0).
    #[must_use]
    pub fn streaming(channel_name: impl Into<String>, account: impl Into<String>) -> Self {
        Self::with_detail(ServiceDetail::Streaming {
            channel_name: channel_name.into(),
            account: account.into(),
        })
    }

    /// FPA service.
    #[must_use]
    pub fn fpa() -> Self {
        Self::with_detail(ServiceDetail::Fpa {})
    }

    /// Chat service (`""` for an app token).
    #[must_use]
    pub fn chat(user_id: impl Into<String>) -> Self {
        Self::with_detail(ServiceDetail::Chat {
            user_id: user_id.into(),
        })
    }

    /// FCDN service (`account` is the uid text, `""` for uid 0).
    #[must_use]
    pub fn fcdn(channel_name: impl Into<String>, account: impl Into<String>) -> Self {
        Self::with_detail(ServiceDetail::Fcdn {
            channel_name: channel_name.into(),
            account: account.into(),
        })
    }

    /// APaaS / Education service (role −1 = none).
    #[must_use]
    pub fn apaas(room_uuid: impl Into<String>, user_uuid: impl Into<String>, role: i16) -> Self {
        Self::with_detail(ServiceDetail::Apaas {
            room_uuid: room_uuid.into(),
            user_uuid: user_uuid.into(),
            role,
        })
    }

    /// RTM2 service with a permission table (a repeated resource/permission pair replaces the
    /// earlier one's list when encoded).
    #[must_use]
    pub fn rtm2(user_id: impl Into<String>, permissions: Vec<Rtm2Permission>) -> Self {
        Self::with_detail(ServiceDetail::Rtm2 {
            user_id: user_id.into(),
            permissions,
        })
    }

    /// ConvoAI service (no privileges are defined for it).
    #[must_use]
    pub fn convo_ai() -> Self {
        Self::with_detail(ServiceDetail::ConvoAi {})
    }

    /// STT service (no privileges are defined for it).
    #[must_use]
    pub fn stt() -> Self {
        Self::with_detail(ServiceDetail::Stt {})
    }

    /// Adds privilege `id` valid for `expire` seconds after `issue_ts` (replacing an earlier value
    /// for the same id).
    #[must_use]
    pub fn with_privilege(mut self, id: u16, expire: u32) -> Self {
        self.add_privilege(id, expire);
        self
    }

    /// Adds privilege `id` valid for `expire` seconds after `issue_ts` (replacing an earlier value
    /// for the same id).
    pub fn add_privilege(&mut self, id: u16, expire: u32) {
        match self.privileges.iter_mut().find(|p| p.id == id) {
            Some(p) => p.expire = expire,
            None => self.privileges.push(Privilege { id, expire }),
        }
    }

    /// The value of privilege `id`, if present.
    #[must_use]
    pub fn privilege(&self, id: u16) -> Option<u32> {
        self.privileges
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.expire)
    }

    /// The wire type number.
    #[must_use]
    pub fn service_type(&self) -> u16 {
        use service_type as t;
        match self.detail {
            ServiceDetail::Rtc { .. } => t::RTC,
            ServiceDetail::Rtm { .. } => t::RTM,
            ServiceDetail::Streaming { .. } => t::STREAMING,
            ServiceDetail::Fpa {} => t::FPA,
            ServiceDetail::Chat { .. } => t::CHAT,
            ServiceDetail::Fcdn { .. } => t::FCDN,
            ServiceDetail::Apaas { .. } => t::APAAS,
            ServiceDetail::Rtm2 { .. } => t::RTM2,
            ServiceDetail::ConvoAi {} => t::CONVOAI,
            ServiceDetail::Stt {} => t::STT,
        }
    }

    /// The lower-case service name (`"rtc"`, ...).
    #[must_use]
    pub fn name(&self) -> &'static str {
        service_name(self.service_type()).unwrap_or("unknown")
    }
}

/// Writes a privilege map: count, then (id, value) in ascending id order, ids unique.
pub(crate) fn put_privileges(buf: &mut Vec<u8>, privileges: &[Privilege]) -> Result<()> {
    let ascending = privileges.windows(2).all(|w| match w {
        [a, b] => a.id < b.id,
        _ => true,
    });
    if ascending {
        return put_sorted_privileges(buf, privileges);
    }
    let mut sorted = privileges.to_vec();
    sorted.sort_by_key(|p| p.id); // stable: the last value for a repeated id stays last
    let mut unique: Vec<Privilege> = Vec::with_capacity(sorted.len());
    for p in sorted {
        match unique.last_mut() {
            Some(last) if last.id == p.id => *last = p,
            _ => unique.push(p),
        }
    }
    put_sorted_privileges(buf, &unique)
}

fn put_sorted_privileges(buf: &mut Vec<u8>, privileges: &[Privilege]) -> Result<()> {
    let n = u16::try_from(privileges.len()).map_err(|_| {
        Error::request(
            Vendor::Agora,
            "privileges",
            "more than 65535 privileges in one service",
        )
    })?;
    put_u16(buf, n);
    for p in privileges {
        put_u16(buf, p.id);
        put_u32(buf, p.expire);
    }
    Ok(())
}

/// The privileges of an RTC service as the builders grant them: join channel always; publish
/// audio, publish video and publish data stream each optionally; every one with its expiry in
/// seconds relative to `issue_ts`. Only such sets can be built (one to four privileges, ids
/// ascending and unique), so writing one needs no check and has no fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RtcPrivileges {
    join: u32,
    publish_audio: Option<u32>,
    publish_video: Option<u32>,
    publish_data: Option<u32>,
}

impl RtcPrivileges {
    /// Join channel only, valid for `expire`.
    pub(crate) const fn join(expire: u32) -> Self {
        RtcPrivileges {
            join: expire,
            publish_audio: None,
            publish_video: None,
            publish_data: None,
        }
    }

    /// All four, each valid for `expire`.
    pub(crate) const fn all(expire: u32) -> Self {
        Self::join(expire)
            .publish_audio(expire)
            .publish_video(expire)
            .publish_data(expire)
    }

    /// Also publish audio, valid for `expire`.
    pub(crate) const fn publish_audio(mut self, expire: u32) -> Self {
        self.publish_audio = Some(expire);
        self
    }

    /// Also publish video, valid for `expire`.
    pub(crate) const fn publish_video(mut self, expire: u32) -> Self {
        self.publish_video = Some(expire);
        self
    }

    /// Also publish data streams, valid for `expire`.
    pub(crate) const fn publish_data(mut self, expire: u32) -> Self {
        self.publish_data = Some(expire);
        self
    }

    /// The privileges in wire order (ascending id).
    pub(crate) fn iter(self) -> impl Iterator<Item = Privilege> {
        use privilege::rtc;
        [
            (rtc::JOIN_CHANNEL, Some(self.join)),
            (rtc::PUBLISH_AUDIO_STREAM, self.publish_audio),
            (rtc::PUBLISH_VIDEO_STREAM, self.publish_video),
            (rtc::PUBLISH_DATA_STREAM, self.publish_data),
        ]
        .into_iter()
        .filter_map(|(id, expire)| expire.map(|expire| Privilege { id, expire }))
    }

    /// Writes the privilege map: the count (one to four), then `(id, expire)` pairs.
    fn put(self, buf: &mut Vec<u8>) {
        let count = 1
            + u16::from(self.publish_audio.is_some())
            + u16::from(self.publish_video.is_some())
            + u16::from(self.publish_data.is_some());
        put_u16(buf, count);
        for p in self.iter() {
            put_u16(buf, p.id);
            put_u32(buf, p.expire);
        }
    }
}

/// Writes an RTC service from borrowed parts (the allocation-free mint path uses this directly).
pub(crate) fn put_rtc(
    buf: &mut Vec<u8>,
    privileges: RtcPrivileges,
    channel_name: &str,
    uid: &str,
) -> Result<()> {
    put_u16(buf, service_type::RTC);
    privileges.put(buf);
    put_rtc_fields(buf, channel_name, uid)
}

fn put_rtc_fields(buf: &mut Vec<u8>, channel_name: &str, uid: &str) -> Result<()> {
    put_bytes(buf, "channel_name", channel_name.as_bytes())?;
    put_bytes(buf, "uid", uid.as_bytes())
}

fn put_rtm2_permissions(buf: &mut Vec<u8>, permissions: &[Rtm2Permission]) -> Result<()> {
    // Sort by (resource, permission); a repeated pair keeps the last list (stable sort + dedupe).
    let mut entries: Vec<&Rtm2Permission> = permissions.iter().collect();
    entries.sort_by_key(|p| (p.resource_type, p.permission_type));
    let mut unique: Vec<&Rtm2Permission> = Vec::with_capacity(entries.len());
    for p in entries {
        match unique.last_mut() {
            Some(last)
                if last.resource_type == p.resource_type
                    && last.permission_type == p.permission_type =>
            {
                *last = p;
            }
            _ => unique.push(p),
        }
    }
    let too_many = || {
        Error::request(
            Vendor::Agora,
            "permissions",
            "more than 65535 entries in one list",
        )
    };
    let groups: Vec<&[&Rtm2Permission]> = unique
        .chunk_by(|a, b| a.resource_type == b.resource_type)
        .collect();
    put_u16(buf, u16::try_from(groups.len()).map_err(|_| too_many())?);
    for group in groups {
        let Some(first) = group.first() else { continue };
        put_u16(buf, first.resource_type);
        put_u16(buf, u16::try_from(group.len()).map_err(|_| too_many())?);
        for p in group {
            put_u16(buf, p.permission_type);
            put_u16(
                buf,
                u16::try_from(p.resources.len()).map_err(|_| too_many())?,
            );
            for r in &p.resources {
                put_bytes(buf, "permissions.resources", r.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// Writes one service: type, privilege map, fields.
pub(crate) fn put_service(buf: &mut Vec<u8>, service: &Service) -> Result<()> {
    put_u16(buf, service.service_type());
    put_privileges(buf, &service.privileges)?;
    match &service.detail {
        ServiceDetail::Rtc { channel_name, uid } => put_rtc_fields(buf, channel_name, uid)?,
        ServiceDetail::Fpa {} | ServiceDetail::ConvoAi {} | ServiceDetail::Stt {} => {}
        ServiceDetail::Rtm { user_id } | ServiceDetail::Chat { user_id } => {
            put_bytes(buf, "user_id", user_id.as_bytes())?;
        }
        ServiceDetail::Streaming {
            channel_name,
            account,
        }
        | ServiceDetail::Fcdn {
            channel_name,
            account,
        } => {
            put_bytes(buf, "channel_name", channel_name.as_bytes())?;
            put_bytes(buf, "account", account.as_bytes())?;
        }
        ServiceDetail::Apaas {
            room_uuid,
            user_uuid,
            role,
        } => {
            put_bytes(buf, "room_uuid", room_uuid.as_bytes())?;
            put_bytes(buf, "user_uuid", user_uuid.as_bytes())?;
            put_i16(buf, *role);
        }
        ServiceDetail::Rtm2 {
            user_id,
            permissions,
        } => {
            put_bytes(buf, "user_id", user_id.as_bytes())?;
            put_rtm2_permissions(buf, permissions)?;
        }
    }
    Ok(())
}

fn read_privileges(r: &mut Reader<'_>) -> Result<Vec<Privilege>> {
    let n = r.u16("the privilege count")?;
    let mut v = Vec::with_capacity(usize::from(n).min(r.rest().len() / 6));
    for _ in 0..n {
        let id = r.u16("a privilege id")?;
        let expire = r.u32("a privilege value")?;
        v.push(Privilege { id, expire });
    }
    Ok(v)
}

fn read_rtm2_permissions(r: &mut Reader<'_>) -> Result<Vec<Rtm2Permission>> {
    let mut out = Vec::new();
    let groups = r.u16("the RTM2 resource type count")?;
    for _ in 0..groups {
        let resource_type = r.u16("an RTM2 resource type")?;
        let perms = r.u16("the RTM2 permission type count")?;
        for _ in 0..perms {
            let permission_type = r.u16("an RTM2 permission type")?;
            let n = r.u16("the RTM2 resource count")?;
            let mut resources = Vec::with_capacity(usize::from(n).min(r.rest().len() / 2));
            for _ in 0..n {
                resources.push(r.string("an RTM2 resource name")?);
            }
            out.push(Rtm2Permission {
                resource_type,
                permission_type,
                resources,
            });
        }
    }
    Ok(out)
}

/// Reads the body of a service whose type was just read. `None` for an unknown type (the caller
/// stops parsing there, as the reference parsers do).
pub(crate) fn read_service(r: &mut Reader<'_>, ty: u16) -> Result<Option<Service>> {
    if service_name(ty).is_none() {
        return Ok(None);
    }
    let privileges = read_privileges(r)?;
    let detail = match ty {
        service_type::RTC => ServiceDetail::Rtc {
            channel_name: r.string("the RTC channel name")?,
            uid: r.string("the RTC uid")?,
        },
        service_type::RTM => ServiceDetail::Rtm {
            user_id: r.string("the RTM user id")?,
        },
        service_type::STREAMING => ServiceDetail::Streaming {
            channel_name: r.string("the streaming channel name")?,
            account: r.string("the streaming account")?,
        },
        service_type::FPA => ServiceDetail::Fpa {},
        service_type::CHAT => ServiceDetail::Chat {
            user_id: r.string("the chat user id")?,
        },
        service_type::FCDN => ServiceDetail::Fcdn {
            channel_name: r.string("the FCDN channel name")?,
            account: r.string("the FCDN account")?,
        },
        service_type::APAAS => ServiceDetail::Apaas {
            room_uuid: r.string("the APaaS room uuid")?,
            user_uuid: r.string("the APaaS user uuid")?,
            role: r.i16("the APaaS role")?,
        },
        service_type::RTM2 => ServiceDetail::Rtm2 {
            user_id: r.string("the RTM2 user id")?,
            permissions: read_rtm2_permissions(r)?,
        },
        service_type::CONVOAI => ServiceDetail::ConvoAi {},
        _ => ServiceDetail::Stt {},
    };
    Ok(Some(Service { privileges, detail }))
}

fn skip_string(r: &mut Reader<'_>, what: &'static str) -> Result<()> {
    let b = r.bytes(what)?;
    if std::str::from_utf8(b).is_err() {
        return Err(Error::malformed(
            Vendor::Agora,
            MalformedCause::BadUtf8,
            format!("{what} is not valid UTF-8"),
        ));
    }
    Ok(())
}

/// Walks over a service body exactly as [`read_service`] reads it, without allocating.
/// `Ok(false)` for an unknown type.
/// Skips one service of type `ty`; returns its privilege map's bytes (`u16 id ‖ u32 expire` each),
/// or `None` for an unknown type, where parsing stops.
pub(crate) fn skip_service<'a>(r: &mut Reader<'a>, ty: u16) -> Result<Option<&'a [u8]>> {
    if service_name(ty).is_none() {
        return Ok(None);
    }
    let n = r.u16("the privilege count")?;
    let privileges = r.take(usize::from(n) * 6, "the privileges")?;
    match ty {
        service_type::RTC | service_type::STREAMING | service_type::FCDN => {
            skip_string(r, "a channel name")?;
            skip_string(r, "a uid or account")?;
        }
        service_type::RTM | service_type::CHAT => skip_string(r, "a user id")?,
        service_type::APAAS => {
            skip_string(r, "the APaaS room uuid")?;
            skip_string(r, "the APaaS user uuid")?;
            r.i16("the APaaS role")?;
        }
        service_type::RTM2 => {
            skip_string(r, "the RTM2 user id")?;
            let groups = r.u16("the RTM2 resource type count")?;
            for _ in 0..groups {
                r.u16("an RTM2 resource type")?;
                let perms = r.u16("the RTM2 permission type count")?;
                for _ in 0..perms {
                    r.u16("an RTM2 permission type")?;
                    let n = r.u16("the RTM2 resource count")?;
                    for _ in 0..n {
                        skip_string(r, "an RTM2 resource name")?;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(Some(privileges))
}
