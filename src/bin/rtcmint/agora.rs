//! `rtcmint agora …`, and Agora credentials for `verify` and `batch`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use rtcmint::agora::{
    AgoraMinter, AgoraVerifier, Compression, RtcPrivilegeExpiry, RtcRole, Rtm2Permission, Service,
    privilege,
};
use rtcmint::{Error, FixedClock, FixedRandom, IssuedToken, Secret, TokenFormat, Vendor};

use crate::util::{
    CliError, CliResult, SecretSource, optional_minter, parse_kv, parse_valid_for, require_value,
};

fn certificate_source<'a>(flag: Option<&'a str>, file: Option<&'a PathBuf>) -> SecretSource<'a> {
    SecretSource {
        flag,
        flag_name: "--app-certificate",
        file,
        file_flag_name: "--app-certificate-file",
        env: "AGORA_APP_CERTIFICATE",
    }
}

/// Agora credentials for `verify`.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "agora_verify_creds")]
pub struct VerifyCreds {
    /// Agora app certificate. Visible in the process list: prefer AGORA_APP_CERTIFICATE or
    /// --app-certificate-file.
    #[arg(long, value_name = "SECRET")]
    app_certificate: Option<String>,
    /// File holding the Agora app certificate [env: AGORA_APP_CERTIFICATE_FILE].
    #[arg(long, value_name = "PATH")]
    app_certificate_file: Option<PathBuf>,
    /// Channel name, needed to verify a legacy 006 token (its signature covers it).
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
    /// Uid or account, needed to verify a legacy 006 token ("" or 0 for any user).
    #[arg(long, value_name = "UID")]
    uid: Option<String>,
}

/// Agora credentials for `batch`.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "agora_batch_creds")]
pub struct BatchCreds {
    /// Agora app id [env: AGORA_APP_ID].
    #[arg(long, value_name = "APP_ID")]
    agora_app_id: Option<String>,
    /// File holding the Agora app certificate [env: AGORA_APP_CERTIFICATE,
    /// AGORA_APP_CERTIFICATE_FILE].
    #[arg(long, value_name = "PATH")]
    agora_app_certificate_file: Option<PathBuf>,
}

impl BatchCreds {
    pub fn minter_if_given(&self) -> CliResult<Option<AgoraMinter>> {
        let source = SecretSource {
            file_flag_name: "--agora-app-certificate-file",
            ..certificate_source(None, self.agora_app_certificate_file.as_ref())
        };
        let id = (self.agora_app_id.as_ref(), "--agora-app-id", "AGORA_APP_ID");
        optional_minter("Agora", id, &source, |a, c| Ok(AgoraMinter::new(a, c)?))
    }
}

/// What to mint: the official SDK builders, plus Streaming and FCDN.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// RTC (uid or account), role publisher/subscriber.
    Rtc,
    /// RTC + RTM login in one token (account = RTM user id).
    RtcRtm,
    /// RTC + RTM2 (signalling 2) in one token.
    RtcRtm2,
    /// RTM login.
    Rtm,
    /// RTM2 login with a permission table.
    Rtm2,
    /// Chat user.
    ChatUser,
    /// Chat app.
    ChatApp,
    /// APaaS / Flexible Classroom room user (+ RTM).
    ApaasRoomUser,
    /// APaaS user.
    ApaasUser,
    /// APaaS app.
    ApaasApp,
    /// FPA login.
    Fpa,
    /// Conversational AI (RTC + RTM + service 9, as agora-token 2.0.6).
    Convoai,
    /// Speech-to-text (RTC + RTM + service 10, as agora-token 2.0.6).
    Stt,
    /// Streaming (service 3): --privilege publish-mix-stream / publish-raw-stream.
    Streaming,
    /// FCDN (service 6): --privilege publish / play.
    Fcdn,
}

/// `--role`
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Join and publish audio, video and data.
    Publisher,
    /// Join only.
    Subscriber,
}

/// `--compression`
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionArg {
    /// A stored zlib block: every Agora parser accepts it, and it is fastest.
    Stored,
    /// Deflate at level 6, as the official SDKs (tokens are about 4 % shorter).
    Deflate,
}

/// Mint an Agora AccessToken2 ("007").
#[derive(Args, Debug)]
pub struct Mint {
    /// App id, 32 hex characters [env: AGORA_APP_ID].
    #[arg(long, value_name = "APP_ID")]
    app_id: Option<String>,
    /// App certificate. Visible in the process list: prefer AGORA_APP_CERTIFICATE or
    /// --app-certificate-file.
    #[arg(long, value_name = "SECRET")]
    app_certificate: Option<String>,
    /// File holding the app certificate [env: AGORA_APP_CERTIFICATE_FILE].
    #[arg(long, value_name = "PATH")]
    app_certificate_file: Option<PathBuf>,

    /// Which token to build.
    #[arg(long = "kind", value_enum, default_value = "rtc")]
    kind: TokenKind,
    /// Channel name (RTC, Streaming, FCDN, ConvoAI, STT).
    #[arg(long, visible_alias = "room", value_name = "NAME")]
    channel: Option<String>,
    /// Numeric uid (0 = any user).
    #[arg(long, conflicts_with = "account")]
    uid: Option<u32>,
    /// String account (the RTC user account; also the RTM user id for rtc-rtm).
    #[arg(long, visible_alias = "identity")]
    account: Option<String>,
    /// User id (RTM, RTM2, Chat, APaaS user uuid); defaults to the account or uid.
    #[arg(long)]
    user_id: Option<String>,
    /// APaaS room uuid.
    #[arg(long)]
    room_uuid: Option<String>,
    /// APaaS role (i16; e.g. 1 teacher, 2 student).
    #[arg(long, allow_negative_numbers = true, default_value_t = 2)]
    apaas_role: i16,
    /// RTC role.
    #[arg(long, value_enum, default_value = "publisher")]
    role: Role,
    /// Token lifetime: seconds, or 45s, 90m, 6h, 1h30m, 1d (relative, at most 24 h).
    #[arg(long, value_parser = parse_valid_for, default_value = "1h")]
    valid_for: Duration,
    /// Privilege lifetime (RTC); default: the token lifetime.
    #[arg(long, value_parser = parse_valid_for)]
    privilege_valid_for: Option<Duration>,
    /// Separate join-channel lifetime (RTC per-privilege expiries).
    #[arg(long, value_parser = parse_valid_for)]
    join_valid_for: Option<Duration>,
    /// Separate publish-audio lifetime.
    #[arg(long, value_parser = parse_valid_for)]
    publish_audio_valid_for: Option<Duration>,
    /// Separate publish-video lifetime.
    #[arg(long, value_parser = parse_valid_for)]
    publish_video_valid_for: Option<Duration>,
    /// Separate publish-data lifetime.
    #[arg(long, value_parser = parse_valid_for)]
    publish_data_valid_for: Option<Duration>,
    /// RTM token lifetime for rtc-rtm2 / convoai / stt; default: the token lifetime.
    #[arg(long, value_parser = parse_valid_for)]
    rtm_valid_for: Option<Duration>,
    /// RTM2 permission RESOURCE:ACCESS=NAME[,NAME…] (repeatable), RESOURCE one of
    /// message-channel, stream-channel, group-channel, server-group, user; ACCESS read or write.
    #[arg(long = "rtm2-permission", value_parser = parse_rtm2_permission, value_name = "SPEC")]
    rtm2_permissions: Vec<Rtm2Permission>,
    /// Streaming / FCDN privilege NAME=DURATION (repeatable): publish-mix-stream,
    /// publish-raw-stream (Streaming); publish, play (FCDN).
    #[arg(long = "privilege", value_parser = parse_kv, value_name = "NAME=DURATION")]
    privileges: Vec<(String, String)>,
    /// Zlib encoding of the token body.
    #[arg(long, value_enum, default_value = "stored")]
    compression: CompressionArg,
    /// Issue time (Unix seconds) instead of the clock, for reproducible tokens.
    /// (AccessToken2 stores it as u32: 0 to 4294967295).
    #[arg(long = "now", visible_alias = "issued-at", value_name = "UNIX")]
    issued_at: Option<u32>,
    /// Salt instead of a random one, for reproducible tokens.
    #[arg(long)]
    salt: Option<u32>,
    /// Print a JSON object instead of the token alone.
    #[arg(long)]
    json: bool,
}

fn parse_rtm2_permission(s: &str) -> Result<Rtm2Permission, String> {
    let (head, names) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not RESOURCE:ACCESS=NAME[,NAME…]"))?;
    let (resource, access) = head
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not RESOURCE:ACCESS=NAME[,NAME…]"))?;
    let resource = Rtm2Permission::parse_resource(resource).ok_or_else(|| {
        format!(
            "unknown RTM2 resource {resource:?} ({})",
            Rtm2Permission::RESOURCE_NAMES.join(", ")
        )
    })?;
    let access = Rtm2Permission::parse_access(access)
        .ok_or_else(|| format!("unknown RTM2 access {access:?} (read or write)"))?;
    Ok(Rtm2Permission::new(
        resource,
        access,
        names.split(',').filter(|n| !n.is_empty()),
    ))
}

impl Mint {
    fn minter(&self) -> CliResult<AgoraMinter> {
        let app_id = require_value(self.app_id.clone(), "--app-id", "AGORA_APP_ID")?;
        let cert = certificate_source(
            self.app_certificate.as_deref(),
            self.app_certificate_file.as_ref(),
        )
        .require()?;
        let mut m = AgoraMinter::new(app_id, cert)?.with_compression(match self.compression {
            CompressionArg::Stored => Compression::Stored,
            CompressionArg::Deflate => Compression::Deflate(6),
        });
        if let Some(t) = self.issued_at {
            m = m.with_clock(Arc::new(FixedClock(i64::from(t))));
        }
        if let Some(s) = self.salt {
            m = m.with_random(Arc::new(FixedRandom::new(s.to_le_bytes())));
        }
        Ok(m)
    }

    fn channel(&self) -> CliResult<&str> {
        self.channel.as_deref().ok_or_else(|| {
            CliError::usage(
                format!("--channel is required for --kind {:?}", self.kind).to_lowercase(),
            )
        })
    }

    /// The RTC user as text: the account, else the uid (0 = any user).
    fn rtc_user(&self) -> String {
        match (&self.account, self.uid) {
            (Some(a), _) => a.clone(),
            (None, Some(0) | None) => String::new(),
            (None, Some(u)) => u.to_string(),
        }
    }

    fn user_id(&self) -> CliResult<String> {
        self.user_id
            .clone()
            .or_else(|| self.account.clone())
            .or_else(|| self.uid.map(|u| u.to_string()))
            .ok_or_else(|| CliError::usage("--user-id (or --account) is required for this kind"))
    }

    fn role(&self) -> RtcRole {
        match self.role {
            Role::Publisher => RtcRole::Publisher,
            Role::Subscriber => RtcRole::Subscriber,
        }
    }

    fn per_privilege(&self) -> Option<RtcPrivilegeExpiry> {
        let any = self.join_valid_for.is_some()
            || self.publish_audio_valid_for.is_some()
            || self.publish_video_valid_for.is_some()
            || self.publish_data_valid_for.is_some();
        let base = self.privilege_valid_for.unwrap_or(self.valid_for);
        any.then(|| RtcPrivilegeExpiry {
            join_channel: self.join_valid_for.unwrap_or(base),
            publish_audio_stream: self.publish_audio_valid_for.unwrap_or(base),
            publish_video_stream: self.publish_video_valid_for.unwrap_or(base),
            publish_data_stream: self.publish_data_valid_for.unwrap_or(base),
        })
    }

    fn privileges_for(&self, names: &[(&str, u16)]) -> CliResult<Vec<(u16, u32)>> {
        self.privileges
            .iter()
            .map(|(name, dur)| {
                let id = names
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, id)| *id)
                    .ok_or_else(|| {
                        CliError::usage(format!(
                            "unknown privilege {name:?} for this kind; expected one of {}",
                            names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                        ))
                    })?;
                let secs = parse_valid_for(dur).map_err(CliError::usage)?.as_secs();
                let secs = u32::try_from(secs).map_err(|_| {
                    CliError::usage(format!("privilege {name}: duration too large"))
                })?;
                Ok((id, secs))
            })
            .collect()
    }

    pub fn run(&self) -> CliResult<(IssuedToken, bool)> {
        let m = self.minter()?;
        let ttl = self.valid_for;
        let pe = self.privilege_valid_for.unwrap_or(ttl);
        let rtm_ttl = self.rtm_valid_for.unwrap_or(ttl);
        let all = || self.per_privilege().unwrap_or(RtcPrivilegeExpiry::all(pe));
        let (token, identity, room) = match self.kind {
            TokenKind::Rtc => {
                let ch = self.channel()?;
                let user = self.rtc_user();
                let token = match self.per_privilege() {
                    Some(p) => m.rtc_token_with_account_and_privileges(ch, &user, ttl, p)?,
                    None => m.rtc_token_with_account(ch, &user, self.role(), ttl, pe)?,
                };
                (token, user, Some(ch.to_owned()))
            }
            TokenKind::RtcRtm => {
                let ch = self.channel()?;
                let user = self.user_id()?;
                let token = m.rtc_rtm_token(ch, &user, self.role(), ttl, pe)?;
                (token, user, Some(ch.to_owned()))
            }
            TokenKind::RtcRtm2 | TokenKind::Convoai | TokenKind::Stt => {
                let ch = self.channel()?;
                let user = self.rtc_user();
                let rtm_user = self.user_id()?;
                let token = match self.kind {
                    TokenKind::RtcRtm2 => {
                        m.rtc_rtm2_token(ch, &user, self.role(), ttl, all(), &rtm_user, rtm_ttl)?
                    }
                    TokenKind::Convoai => {
                        m.convoai_token(ch, &user, self.role(), ttl, all(), &rtm_user, rtm_ttl)?
                    }
                    _ => m.stt_token(ch, &user, self.role(), ttl, all(), &rtm_user, rtm_ttl)?,
                };
                (token, user, Some(ch.to_owned()))
            }
            TokenKind::Rtm => {
                let user = self.user_id()?;
                (m.rtm_token(&user, ttl)?, user, None)
            }
            TokenKind::Rtm2 => {
                let user = self.user_id()?;
                (
                    m.rtm2_token(&user, self.rtm2_permissions.clone(), ttl)?,
                    user,
                    None,
                )
            }
            TokenKind::ChatUser => {
                let user = self.user_id()?;
                (m.chat_user_token(&user, ttl)?, user, None)
            }
            TokenKind::ChatApp => (m.chat_app_token(ttl)?, String::new(), None),
            TokenKind::ApaasRoomUser => {
                let user = self.user_id()?;
                let room = self.room_uuid.clone().ok_or_else(|| {
                    CliError::usage("--room-uuid is required for apaas-room-user")
                })?;
                let token = m.apaas_room_user_token(&room, &user, self.apaas_role, ttl)?;
                (token, user, Some(room))
            }
            TokenKind::ApaasUser => {
                let user = self.user_id()?;
                (m.apaas_user_token(&user, ttl)?, user, None)
            }
            TokenKind::ApaasApp => (m.apaas_app_token(ttl)?, String::new(), None),
            TokenKind::Fpa => (m.fpa_token()?, String::new(), None),
            TokenKind::Streaming | TokenKind::Fcdn => {
                let ch = self.channel()?;
                let user = self.rtc_user();
                let (mut service, names): (Service, &[(&str, u16)]) =
                    if self.kind == TokenKind::Streaming {
                        (
                            Service::streaming(ch, user.as_str()),
                            &[
                                (
                                    "publish-mix-stream",
                                    privilege::streaming::PUBLISH_MIX_STREAM,
                                ),
                                (
                                    "publish-raw-stream",
                                    privilege::streaming::PUBLISH_RAW_STREAM,
                                ),
                            ],
                        )
                    } else {
                        (
                            Service::fcdn(ch, user.as_str()),
                            &[
                                ("publish", privilege::fcdn::PUBLISH),
                                ("play", privilege::fcdn::PLAY),
                            ],
                        )
                    };
                let privs = self.privileges_for(names)?;
                if privs.is_empty() {
                    return Err(CliError::usage(format!(
                        "give at least one --privilege NAME=DURATION ({})",
                        names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )));
                }
                for (id, secs) in privs {
                    service.add_privilege(id, secs);
                }
                (
                    m.token_with_services(ttl, vec![service])?,
                    user,
                    Some(ch.to_owned()),
                )
            }
        };
        if !self.privileges.is_empty()
            && !matches!(self.kind, TokenKind::Streaming | TokenKind::Fcdn)
        {
            return Err(CliError::usage(
                "--privilege applies to --kind streaming and fcdn only",
            ));
        }
        Ok((
            IssuedToken::new(
                Vendor::Agora,
                token.token,
                room,
                identity,
                token.issued_at,
                token.expires_at,
            ),
            self.json,
        ))
    }
}

impl VerifyCreds {
    /// The flags given, for refusing those that do not apply to a token's vendor.
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.app_certificate.is_some() {
            out.push("--app-certificate");
        }
        if self.app_certificate_file.is_some() {
            out.push("--app-certificate-file");
        }
        out.extend(self.subject_flags());
        out
    }

    /// `--channel` / `--uid`, which only a legacy 006 token uses.
    pub fn subject_flags(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.channel.is_some() {
            out.push("--channel");
        }
        if self.uid.is_some() {
            out.push("--uid");
        }
        out
    }

    /// The verifier for a token of `format`; `Err` is a CLI problem (e.g. a missing certificate),
    /// `Ok(Err)` a credential the library refuses (reported as the verdict).
    pub fn verifier(
        &self,
        format: TokenFormat,
        app_id: Option<&str>,
    ) -> CliResult<Result<AgoraVerifier, Error>> {
        let cert: Secret = certificate_source(
            self.app_certificate.as_deref(),
            self.app_certificate_file.as_ref(),
        )
        .require()?;
        let app_id = app_id
            .map(str::to_owned)
            .or_else(|| std::env::var("AGORA_APP_ID").ok());
        let subject = match format {
            TokenFormat::Agora006 => {
                let (Some(channel), Some(uid)) = (&self.channel, &self.uid) else {
                    return Err(CliError::usage(
                        "a legacy 006 token's signature covers the channel and uid: pass --channel and --uid",
                    ));
                };
                let uid = if uid == "0" { "" } else { uid.as_str() };
                Some((channel.clone(), uid.to_owned()))
            }
            _ => None,
        };
        Ok(AgoraVerifier::new(cert).map(|mut v| {
            if let Some(a) = app_id {
                v = v.with_expected_app_id(a);
            }
            if let Some((channel, uid)) = subject {
                v = v.with_006_subject(channel, uid);
            }
            v
        }))
    }
}
