//! `rtcmint serve`: the HTTP gateway. Settings from flags, then environment variables, then
//! the TOML file of `--config`, then defaults. Vendor credentials come from the environment
//! only (the same variables as the other commands), never from flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use rtcmint::Vendor;
use rtcmint::remote::HttpOptions;
use rtcmint::serve::config::{parse_api_keys_env, parse_api_keys_file, read_small_file};
use rtcmint::serve::{FileConfig, LogFormat, RateLimit, ServeConfig, Vendors};

use crate::util::{CliError, CliResult, VendorArg};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

/// Serve the HTTP gateway (`/v1/rtc/...`, `/createToken`, `/healthz`, `/readyz`, `/metrics`).
///
/// Vendors are enabled by their credentials in the environment: LIVEKIT_URL, LIVEKIT_API_KEY,
/// LIVEKIT_API_SECRET; AGORA_APP_ID, AGORA_APP_CERTIFICATE, AGORA_CUSTOMER_ID,
/// AGORA_CUSTOMER_SECRET, AGORA_API_URL, AGORA_RECORDING_API_URL, AGORA_STORAGE_*; ZEGO_APP_ID,
/// ZEGO_SERVER_SECRET, ZEGO_API_URL, ZEGO_RECORDING_API_URL, ZEGO_ROOM_LIST, ZEGO_STORAGE_*
/// (storage: _VENDOR, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY, _ENDPOINT; secrets also as
/// NAME_FILE), read as `room`, `participant` and `recording` read them. Webhooks
/// (POST /v1/rtc/webhooks/VENDOR, no API key): LiveKit with its API key pair,
/// AGORA_WEBHOOK_SECRET, ZEGO_CALLBACK_SECRET. API keys: RTCMINT_API_KEYS (comma-separated,
/// plain or sha256:HEX) or --api-keys-file.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// TOML configuration file (keys as the long flags, with underscores).
    #[arg(long, env = "RTCMINT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "RTCMINT_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Store: sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB (migrated on start; several
    /// instances may share one PostgreSQL database) [default: sqlite://rtcmint.db].
    #[arg(long, env = "RTCMINT_DATABASE_URL", value_name = "URL")]
    database: Option<String>,
    /// Vendor for calls that neither pin one nor name a room.
    #[arg(long, env = "RTCMINT_DEFAULT_VENDOR", value_enum)]
    default_vendor: Option<VendorArg>,
    /// File of API keys: one per line, plain or sha256:HEX, optionally `rate=N/s burst=N`.
    #[arg(long, env = "RTCMINT_API_KEYS_FILE", value_name = "FILE")]
    api_keys_file: Option<PathBuf>,
    /// Serve without API keys (local development only; logged loudly).
    #[arg(long)]
    insecure_no_auth: bool,
    /// Log format.
    #[arg(long, env = "RTCMINT_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormatArg>,
    /// Log filter (tracing syntax) [default: info].
    #[arg(long, env = "RTCMINT_LOG", value_name = "FILTER")]
    log_level: Option<String>,
    /// Whole-request timeout (e.g. 30s) [default: 30s].
    #[arg(long, env = "RTCMINT_REQUEST_TIMEOUT", value_name = "DURATION")]
    request_timeout: Option<String>,
    /// Timeout of one vendor HTTP attempt [default: 10s].
    #[arg(long, env = "RTCMINT_VENDOR_TIMEOUT", value_name = "DURATION")]
    vendor_timeout: Option<String>,
    /// Request body limit in bytes [default: 65536].
    #[arg(long, env = "RTCMINT_BODY_LIMIT", value_name = "BYTES")]
    body_limit: Option<usize>,
    /// Allowed CORS origin (repeatable; none: no CORS headers).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// How long idempotency keys are kept [default: 24h].
    #[arg(long, env = "RTCMINT_IDEMPOTENCY_TTL", value_name = "DURATION")]
    idempotency_ttl: Option<String>,
    /// How long a concurrent duplicate waits for the first before 409 [default: 5s].
    #[arg(long, env = "RTCMINT_IDEMPOTENCY_WAIT", value_name = "DURATION")]
    idempotency_wait: Option<String>,
    /// Default per-key rate limit, N/s, N/min or N/h [default: off].
    #[arg(long, env = "RTCMINT_RATE_LIMIT", value_name = "RATE")]
    rate_limit: Option<String>,
    /// Bucket size of the rate limit [default: the per-second rate].
    #[arg(long, env = "RTCMINT_RATE_BURST", value_name = "N")]
    rate_burst: Option<u32>,
    /// Grace period for in-flight calls after SIGTERM/SIGINT [default: 30s].
    #[arg(long, env = "RTCMINT_SHUTDOWN_TIMEOUT", value_name = "DURATION")]
    shutdown_timeout: Option<String>,
    /// Webhooks: how far an Agora notifyMs or ZEGO timestamp may be from the clock [default: 10m].
    #[arg(long, env = "RTCMINT_WEBHOOK_MAX_AGE", value_name = "DURATION")]
    webhook_max_age: Option<String>,
    /// Webhook body limit in bytes [default: 1048576].
    #[arg(long, env = "RTCMINT_WEBHOOK_BODY_LIMIT", value_name = "BYTES")]
    webhook_body_limit: Option<usize>,
}

fn duration(flag: &str, s: &str) -> CliResult<Duration> {
    rtcmint::parse_duration(s).map_err(|e| CliError::usage(format!("--{flag}: {e}")))
}

impl ServeArgs {
    fn config(self) -> CliResult<ServeConfig> {
        let file = match &self.config {
            Some(p) => FileConfig::load(p).map_err(CliError::usage)?,
            None => FileConfig::default(),
        };
        let mut c = ServeConfig::default();
        if let Some(l) = self.listen {
            c.listen = l;
        } else if let Some(l) = &file.listen {
            c.listen = l
                .parse()
                .map_err(|_| CliError::usage(format!("config listen: bad address `{l}`")))?;
        }
        if let Some(d) = self.database.or(file.database) {
            c.database = d;
        }
        c.default_vendor = self
            .default_vendor
            .map(Vendor::from)
            .or(file.default_vendor);
        c.insecure_no_auth = self.insecure_no_auth || file.insecure_no_auth.unwrap_or(false);
        c.log_format = match self.log_format {
            Some(LogFormatArg::Json) => LogFormat::Json,
            Some(LogFormatArg::Text) => LogFormat::Text,
            None => file.log_format.unwrap_or_default(),
        };
        if let Some(l) = self.log_level.or(file.log_level) {
            c.log_level = l;
        }
        let durations = [
            (
                "request-timeout",
                self.request_timeout,
                file.request_timeout,
                &mut c.request_timeout,
            ),
            (
                "vendor-timeout",
                self.vendor_timeout,
                file.vendor_timeout,
                &mut c.vendor_timeout,
            ),
            (
                "idempotency-ttl",
                self.idempotency_ttl,
                file.idempotency_ttl,
                &mut c.idempotency_ttl,
            ),
            (
                "idempotency-wait",
                self.idempotency_wait,
                file.idempotency_wait,
                &mut c.idempotency_wait,
            ),
            (
                "shutdown-timeout",
                self.shutdown_timeout,
                file.shutdown_timeout,
                &mut c.shutdown_timeout,
            ),
            (
                "webhook-max-age",
                self.webhook_max_age,
                file.webhook_max_age,
                &mut c.webhook_max_age,
            ),
        ];
        for (flag, a, b, slot) in durations {
            if let Some(s) = a.or(b) {
                *slot = duration(flag, &s)?;
            }
        }
        if let Some(b) = self.body_limit.or(file.body_limit) {
            if b == 0 {
                return Err(CliError::usage("--body-limit must be at least 1"));
            }
            c.body_limit = b;
        }
        if let Some(b) = self.webhook_body_limit.or(file.webhook_body_limit) {
            if b == 0 {
                return Err(CliError::usage("--webhook-body-limit must be at least 1"));
            }
            c.webhook_body_limit = b;
        }
        c.cors_origins = if self.cors_origins.is_empty() {
            file.cors_origins.unwrap_or_default()
        } else {
            self.cors_origins
        };
        for o in &c.cors_origins {
            if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
                return Err(CliError::usage(format!(
                    "CORS origin `{o}` must be scheme://host[:port] without a path"
                )));
            }
        }
        let burst = self.rate_burst.or(file.rate_burst);
        c.rate_limit = match self.rate_limit.or(file.rate_limit) {
            Some(r) => Some(RateLimit::parse(&r, burst).map_err(CliError::usage)?),
            None if burst.is_some() => {
                return Err(CliError::usage("--rate-burst needs --rate-limit"));
            }
            None => None,
        };
        if let Ok(v) = std::env::var("RTCMINT_API_KEYS") {
            c.api_keys
                .extend(parse_api_keys_env(&v).map_err(CliError::usage)?);
        }
        if let Some(path) = self.api_keys_file.or(file.api_keys_file) {
            let text = read_small_file(&path).map_err(CliError::usage)?;
            c.api_keys
                .extend(parse_api_keys_file(&text).map_err(CliError::usage)?);
        }
        Ok(c)
    }
}

pub fn run(args: ServeArgs) -> CliResult<()> {
    let config = args.config()?;
    rtcmint::serve::init_logging(config.log_format, &config.log_level)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let http = HttpOptions::default().timeout(config.vendor_timeout);
    let vendors = Vendors::from_env(&http).map_err(|e| CliError::usage(e.to_string()))?;
    if config.api_keys.is_empty() && !config.insecure_no_auth {
        return Err(CliError::usage(
            "no API keys: set RTCMINT_API_KEYS or --api-keys-file (or --insecure-no-auth for local development only)",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(rtcmint::serve::run(config, vendors))
        .map_err(|e| CliError::runtime(e.to_string()))
}
