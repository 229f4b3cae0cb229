//! `rtcmint zego …`, and ZEGO credentials for `decode`, `verify` and `batch`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use rtcmint::zego::{MintInputs, Mode, Payload, PrivilegePayload, ZegoMinter, ZegoVerifier};
use rtcmint::{Clock as _, IssuedToken, SystemClock, Vendor};

use crate::util::{
    CliError, CliResult, SecretSource, optional_minter, parse_unix, parse_valid_for, require_value,
};

/// Where a ZEGO server secret comes from.
pub fn secret_source<'a>(flag: Option<&'a str>, file: Option<&'a PathBuf>) -> SecretSource<'a> {
    SecretSource {
        flag,
        flag_name: "--server-secret",
        file,
        file_flag_name: "--server-secret-file",
        env: "ZEGO_SERVER_SECRET",
    }
}

fn parse_app_id(s: &str) -> CliResult<u32> {
    s.trim().parse::<u32>().map_err(|_| {
        CliError::usage(format!(
            "ZEGO app id {s:?} is not a number from 1 to 4294967295"
        ))
    })
}

/// ZEGO credentials for `verify`.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "zego_verify_creds")]
pub struct VerifyCreds {
    /// ZEGO server secret. Visible in the process list: prefer ZEGO_SERVER_SECRET or
    /// --server-secret-file.
    #[arg(long, value_name = "SECRET")]
    server_secret: Option<String>,
    /// File holding the ZEGO server secret [env: ZEGO_SERVER_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    server_secret_file: Option<PathBuf>,
}

/// ZEGO credentials for `batch`.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "zego_batch_creds")]
pub struct BatchCreds {
    /// ZEGO app id [env: ZEGO_APP_ID].
    #[arg(long, value_name = "APP_ID")]
    zego_app_id: Option<String>,
    /// File holding the ZEGO server secret [env: ZEGO_SERVER_SECRET, ZEGO_SERVER_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    zego_server_secret_file: Option<PathBuf>,
    /// ZEGO container mode for batch tokens.
    #[arg(long, value_enum, default_value = "cbc")]
    zego_mode: ModeArg,
}

impl BatchCreds {
    pub fn minter_if_given(&self) -> CliResult<Option<ZegoMinter>> {
        let source = SecretSource {
            file_flag_name: "--zego-server-secret-file",
            ..secret_source(None, self.zego_server_secret_file.as_ref())
        };
        let id = (self.zego_app_id.as_ref(), "--zego-app-id", "ZEGO_APP_ID");
        optional_minter("ZEGO", id, &source, |a, s| {
            Ok(ZegoMinter::new(parse_app_id(&a)?, s)?.with_mode(self.zego_mode.into()))
        })
    }
}

/// `--mode`
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModeArg {
    /// AES-256-CBC, the container every official generator writes (default).
    #[default]
    Cbc,
    /// AES-256-GCM with the trailing mode byte (the newer revision; authenticated).
    Gcm,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Cbc => Mode::Cbc,
            ModeArg::Gcm => Mode::Gcm,
        }
    }
}

/// Mint a ZEGOCLOUD token04.
#[derive(Args, Debug)]
pub struct Mint {
    /// App id [env: ZEGO_APP_ID].
    #[arg(long, value_name = "APP_ID")]
    app_id: Option<String>,
    /// Server secret (32 characters). Visible in the process list: prefer ZEGO_SERVER_SECRET or
    /// --server-secret-file.
    #[arg(long, value_name = "SECRET")]
    server_secret: Option<String>,
    /// File holding the server secret [env: ZEGO_SERVER_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    server_secret_file: Option<PathBuf>,

    /// User id.
    #[arg(long, visible_alias = "identity")]
    user_id: String,
    /// Room: makes a privilege token (payload room_id / privilege / stream_id_list).
    #[arg(long)]
    room: Option<String>,
    /// Privilege 1, loginRoom (privilege tokens).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    login_room: bool,
    /// Privilege 2, publishStream (privilege tokens).
    #[arg(long, value_name = "BOOL", default_value_t = false, action = clap::ArgAction::Set)]
    can_publish: bool,
    /// Stream id allowed to publish (repeatable; privilege tokens).
    #[arg(long = "stream-id", value_name = "ID")]
    stream_ids: Vec<String>,
    /// Raw payload string (any JSON text), instead of --room.
    #[arg(long, conflicts_with_all = ["room", "stream_ids"])]
    payload: Option<String>,
    /// Container mode.
    #[arg(long, value_enum, default_value = "cbc")]
    mode: ModeArg,
    /// Lifetime: seconds, or 45s, 90m, 6h, 2d, 1h30m, 1d12h.
    #[arg(long, value_parser = parse_valid_for, default_value = "1h")]
    valid_for: Duration,
    /// Creation time (Unix seconds) instead of the clock, for reproducible tokens.
    #[arg(long, value_parser = parse_unix, value_name = "UNIX")]
    now: Option<i64>,
    /// The `nonce` claim instead of a random one.
    #[arg(long, allow_negative_numbers = true)]
    nonce: Option<i64>,
    /// The IV (16 bytes for CBC) or GCM nonce (12 bytes), hex, instead of random bytes.
    #[arg(long, value_parser = parse_hex, value_name = "HEX")]
    iv: Option<Hex>,
    /// Print a JSON object instead of the token alone.
    #[arg(long)]
    json: bool,
}

/// Bytes given as hex on the command line.
#[derive(Debug, Clone)]
pub struct Hex(Vec<u8>);

fn parse_hex(s: &str) -> Result<Hex, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("{s:?} is not hex: odd length"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| format!("{s:?} is not hex"))
        })
        .collect::<Result<Vec<u8>, String>>()
        .map(Hex)
}

impl Mint {
    pub fn run(&self) -> CliResult<(IssuedToken, bool)> {
        let app_id = parse_app_id(&require_value(
            self.app_id.clone(),
            "--app-id",
            "ZEGO_APP_ID",
        )?)?;
        let secret = secret_source(
            self.server_secret.as_deref(),
            self.server_secret_file.as_ref(),
        )
        .require()?;
        let mode: Mode = self.mode.into();
        let minter = ZegoMinter::new(app_id, secret)?.with_mode(mode);
        let payload = match (&self.payload, &self.room) {
            (Some(raw), _) => Payload::raw_json(raw.clone())?,
            (None, Some(room)) => {
                let mut p = PrivilegePayload::new(room.clone())
                    .login_room(self.login_room)
                    .publish_stream(self.can_publish);
                // No --stream-id keeps `stream_id_list: null`, as the official generators write.
                if !self.stream_ids.is_empty() {
                    p = p.stream_ids(self.stream_ids.iter().cloned());
                }
                Payload::Privilege(p)
            }
            (None, None) => {
                if !self.stream_ids.is_empty() {
                    return Err(CliError::usage("--stream-id needs --room"));
                }
                Payload::Identity
            }
        };
        let now = match self.now {
            Some(t) => t,
            None => SystemClock.now()?,
        };
        let ttl = i64::try_from(self.valid_for.as_secs())
            .map_err(|_| CliError::usage("--valid-for is too large"))?;
        let mut inputs = MintInputs::drawn(&self.user_id, now, ttl).payload(&payload);
        if let Some(nonce) = self.nonce {
            inputs = inputs.nonce(nonce);
        }
        if let Some(Hex(iv)) = &self.iv {
            inputs = inputs.iv(iv);
        }
        let mut token = String::new();
        let expires_at = minter.encode_into(&inputs, &mut token)?.expires_at;
        Ok((
            IssuedToken::new(
                Vendor::Zego,
                token,
                self.room.clone(),
                self.user_id.clone(),
                now,
                expires_at,
            ),
            self.json,
        ))
    }
}

impl VerifyCreds {
    /// The verifier from the flags and environment.
    /// The verifier, checking `app_id` (else `ZEGO_APP_ID`) when given; the app id it checks.
    pub fn verifier(&self, app_id: Option<&str>) -> CliResult<(ZegoVerifier, Option<u32>)> {
        let secret = secret_source(
            self.server_secret.as_deref(),
            self.server_secret_file.as_ref(),
        )
        .require()?;
        let mut v = ZegoVerifier::new(secret)?;
        let app_id = match app_id
            .map(str::to_owned)
            .or_else(|| std::env::var("ZEGO_APP_ID").ok())
        {
            Some(a) => Some(parse_app_id(&a)?),
            None => None,
        };
        if let Some(a) = app_id {
            v = v.with_expected_app_id(a);
        }
        Ok((v, app_id))
    }

    /// The flags given, for refusing those that do not apply to a token's vendor.
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.server_secret.is_some() {
            out.push("--server-secret");
        }
        if self.server_secret_file.is_some() {
            out.push("--server-secret-file");
        }
        out
    }
}
