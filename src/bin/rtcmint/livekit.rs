//! `rtcmint livekit …`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use rtcmint::livekit::{
    AgentGrant, ClaimGrants, InferenceGrant, KNOWN_KINDS, LiveKitMinter, LiveKitVerifier,
    ObservabilityGrant, RoomConfiguration, SipGrant, VideoGrant,
};
use rtcmint::{FixedClock, IssuedToken, SystemClock};

use crate::util::{
    CliError, CliResult, SecretSource, optional_minter, parse_kv, parse_unix, parse_valid_for,
    require_value,
};

/// The `canPublishSources` values.
const TRACK_SOURCES: [&str; 4] = ["camera", "microphone", "screen_share", "screen_share_audio"];

/// LiveKit credentials.
#[derive(Args, Debug, Clone, Default)]
pub struct Creds {
    /// API key [env: LIVEKIT_API_KEY].
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// API secret. Visible in the process list: prefer LIVEKIT_API_SECRET or --api-secret-file.
    #[arg(long, value_name = "SECRET")]
    pub api_secret: Option<String>,
    /// File holding the API secret [env: LIVEKIT_API_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    pub api_secret_file: Option<PathBuf>,
}

impl Creds {
    fn secret_source(&self) -> SecretSource<'_> {
        SecretSource {
            flag: self.api_secret.as_deref(),
            flag_name: "--api-secret",
            file: self.api_secret_file.as_ref(),
            file_flag_name: "--api-secret-file",
            env: "LIVEKIT_API_SECRET",
        }
    }

    fn key(&self) -> CliResult<String> {
        require_value(self.api_key.clone(), "--api-key", "LIVEKIT_API_KEY")
    }

    /// A minter, or `None` when no LiveKit credential at all was given (batch).
    pub fn minter_if_given(&self) -> CliResult<Option<LiveKitMinter>> {
        let source = SecretSource {
            file_flag_name: "--livekit-api-secret-file",
            ..self.secret_source()
        };
        let id = (
            self.api_key.as_ref(),
            "--livekit-api-key",
            "LIVEKIT_API_KEY",
        );
        optional_minter("LiveKit", id, &source, |k, s| Ok(LiveKitMinter::new(k, s)?))
    }

    pub fn minter(&self) -> CliResult<LiveKitMinter> {
        let key = self.key()?;
        let secret = self.secret_source().require()?;
        Ok(LiveKitMinter::new(key, secret)?)
    }

    /// The flags given, for refusing those that do not apply to a token's vendor.
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.api_key.is_some() {
            out.push("--api-key");
        }
        if self.api_secret.is_some() {
            out.push("--api-secret");
        }
        if self.api_secret_file.is_some() {
            out.push("--api-secret-file");
        }
        out
    }

    pub fn verifier(&self) -> CliResult<LiveKitVerifier> {
        let key = self.key()?;
        let secret = self.secret_source().require()?;
        Ok(LiveKitVerifier::new(key, secret)?)
    }
}

/// Mint a LiveKit access token (HS256 JWT).
#[derive(Args, Debug)]
pub struct Mint {
    #[command(flatten)]
    creds: Creds,

    /// Participant identity (`sub`).
    #[arg(long)]
    identity: Option<String>,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// Room to grant (`video.room`); also grants roomJoin unless --join=false.
    #[arg(long)]
    room: Option<String>,
    /// Lifetime: seconds, or 45s, 90m, 6h, 2d, 1h30m, 1d12h.
    #[arg(long, value_parser = parse_valid_for, default_value = "6h")]
    valid_for: Duration,
    /// Issue time (Unix seconds) instead of the clock, for reproducible tokens.
    #[arg(long, value_parser = parse_unix, value_name = "UNIX")]
    now: Option<i64>,

    /// Full grant object as JSON (claim names as on the wire, e.g.
    /// '{"video":{"roomJoin":true,"room":"r"},"sip":{"call":true}}'); the flags below override it.
    #[arg(long, value_name = "JSON")]
    grant_json: Option<String>,
    /// Participant metadata (opaque text, often JSON).
    #[arg(long)]
    metadata: Option<String>,
    /// Participant attribute KEY=VALUE (repeatable).
    #[arg(long = "attribute", value_parser = parse_kv, value_name = "KEY=VALUE")]
    attributes: Vec<(String, String)>,
    /// Participant kind.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(KNOWN_KINDS))]
    kind: Option<String>,
    /// Room configuration (proto3 JSON of RoomConfiguration, with agent dispatch in `agents`).
    #[arg(long, value_name = "JSON")]
    room_config: Option<String>,
    /// LiveKit Cloud room preset.
    #[arg(long)]
    room_preset: Option<String>,
    /// Standard base64 SHA-256 of a body (webhook tokens).
    #[arg(long)]
    sha256: Option<String>,

    /// Grant roomJoin (default: true when --room is given).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    join: Option<bool>,
    /// Grant roomAdmin.
    #[arg(long)]
    admin: bool,
    /// Grant roomCreate.
    #[arg(long)]
    room_create: bool,
    /// Grant roomList.
    #[arg(long)]
    room_list: bool,
    /// Grant roomRecord.
    #[arg(long)]
    room_record: bool,
    /// Grant ingressAdmin.
    #[arg(long)]
    ingress_admin: bool,
    /// May publish tracks.
    #[arg(long, value_name = "BOOL")]
    can_publish: Option<bool>,
    /// May subscribe.
    #[arg(long, value_name = "BOOL")]
    can_subscribe: Option<bool>,
    /// May publish data.
    #[arg(long, value_name = "BOOL")]
    can_publish_data: Option<bool>,
    /// Sources allowed to publish (comma-separated: camera, microphone, screen_share, screen_share_audio).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "SOURCES",
        value_parser = clap::builder::PossibleValuesParser::new(TRACK_SOURCES)
    )]
    can_publish_sources: Vec<String>,
    /// May update its own metadata.
    #[arg(long, value_name = "BOOL")]
    can_update_own_metadata: Option<bool>,
    /// May subscribe to metrics.
    #[arg(long, value_name = "BOOL")]
    can_subscribe_metrics: Option<bool>,
    /// May manage agent sessions.
    #[arg(long, value_name = "BOOL")]
    can_manage_agent_session: Option<bool>,
    /// Hidden participant.
    #[arg(long)]
    hidden: bool,
    /// Recorder participant.
    #[arg(long)]
    recorder: bool,
    /// May register as an Agents worker (`video.agent`).
    #[arg(long)]
    agent: bool,
    /// Forward/move target room.
    #[arg(long)]
    destination_room: Option<String>,
    /// SIP admin grant.
    #[arg(long)]
    sip_admin: bool,
    /// SIP call grant.
    #[arg(long)]
    sip_call: bool,
    /// Agent admin grant.
    #[arg(long)]
    agent_admin: bool,
    /// Agent dispatch admin grant.
    #[arg(long)]
    agent_dispatch_admin: bool,
    /// Inference grant.
    #[arg(long)]
    inference: bool,
    /// Observability write grant.
    #[arg(long)]
    observability_write: bool,

    /// Print a JSON object instead of the token alone.
    #[arg(long)]
    json: bool,
}

impl Mint {
    fn grants(&self) -> CliResult<ClaimGrants> {
        let mut g = match &self.grant_json {
            Some(j) => ClaimGrants::from_json(j)?,
            None => ClaimGrants::default(),
        };
        if let Some(i) = &self.identity {
            g.identity.clone_from(i);
        }
        if let Some(n) = &self.name {
            g.name.clone_from(n);
        }
        if let Some(m) = &self.metadata {
            g.metadata.clone_from(m);
        }
        if let Some(k) = &self.kind {
            g.kind.clone_from(k);
        }
        if let Some(p) = &self.room_preset {
            g.room_preset.clone_from(p);
        }
        if let Some(s) = &self.sha256 {
            g.sha256.clone_from(s);
        }
        g.attributes.extend(self.attributes.iter().cloned());
        if let Some(rc) = &self.room_config {
            if rc.trim_start().as_bytes().first() != Some(&b'{') {
                return Err(CliError::usage("--room-config must be a JSON object"));
            }
            g.room_config = Some(RoomConfiguration::from_json(rc)?);
        }

        let touches_video = self.room.is_some()
            || self.join.is_some()
            || self.admin
            || self.room_create
            || self.room_list
            || self.room_record
            || self.ingress_admin
            || self.can_publish.is_some()
            || self.can_subscribe.is_some()
            || self.can_publish_data.is_some()
            || !self.can_publish_sources.is_empty()
            || self.can_update_own_metadata.is_some()
            || self.can_subscribe_metrics.is_some()
            || self.can_manage_agent_session.is_some()
            || self.hidden
            || self.recorder
            || self.agent
            || self.destination_room.is_some();
        if touches_video {
            let v = g.video.get_or_insert_with(VideoGrant::default);
            if let Some(r) = &self.room {
                v.room.clone_from(r);
            }
            v.room_join = self.join.unwrap_or(v.room_join || self.room.is_some());
            v.room_admin |= self.admin;
            v.room_create |= self.room_create;
            v.room_list |= self.room_list;
            v.room_record |= self.room_record;
            v.ingress_admin |= self.ingress_admin;
            v.hidden |= self.hidden;
            v.recorder |= self.recorder;
            v.agent |= self.agent;
            v.can_publish = self.can_publish.or(v.can_publish);
            v.can_subscribe = self.can_subscribe.or(v.can_subscribe);
            v.can_publish_data = self.can_publish_data.or(v.can_publish_data);
            v.can_update_own_metadata = self.can_update_own_metadata.or(v.can_update_own_metadata);
            v.can_subscribe_metrics = self.can_subscribe_metrics.or(v.can_subscribe_metrics);
            v.can_manage_agent_session =
                self.can_manage_agent_session.or(v.can_manage_agent_session);
            if !self.can_publish_sources.is_empty() {
                v.can_publish_sources.clone_from(&self.can_publish_sources);
            }
            if let Some(d) = &self.destination_room {
                v.destination_room.clone_from(d);
            }
        }
        if self.sip_admin || self.sip_call {
            let s = g.sip.get_or_insert_with(SipGrant::default);
            s.admin |= self.sip_admin;
            s.call |= self.sip_call;
        }
        if self.agent_admin || self.agent_dispatch_admin {
            let a = g.agent.get_or_insert_with(AgentGrant::default);
            a.admin |= self.agent_admin;
            a.dispatch_admin |= self.agent_dispatch_admin;
        }
        if self.inference {
            g.inference = Some(InferenceGrant { perform: true });
        }
        if self.observability_write {
            g.observability = Some(ObservabilityGrant { write: true });
        }
        Ok(g)
    }

    pub fn run(&self) -> CliResult<(IssuedToken, bool)> {
        let grants = self.grants()?;
        let minter = self.creds.minter()?;
        if minter.secret_is_short() {
            crate::util::warn(
                "the LiveKit API secret is shorter than 32 bytes; the server logs an error for such secrets",
            );
        }
        let minter = match self.now {
            Some(t) => minter.with_clock(Arc::new(FixedClock(t))),
            None => minter.with_clock(Arc::new(SystemClock)),
        };
        Ok((minter.mint_grants(&grants, self.valid_for)?, self.json))
    }
}
