//! Gateway settings: [`ServeConfig`], filled from flags, environment variables and a TOML file
//! (in that order of precedence; the CLI does the merging), and the API keys.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::vendor::Vendor;

/// The largest configuration, keys or secret file read (bytes).
pub const MAX_CONFIG_FILE: u64 = 1024 * 1024;

/// The default webhook body limit (1 MiB: LiveKit metadata fields alone may be 512 KiB).
pub const DEFAULT_WEBHOOK_BODY_LIMIT: usize = 1 << 20;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A token-bucket rate: `requests` per `per`, bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second.
    pub per_second: f64,
    /// Bucket size.
    pub burst: u32,
}

impl RateLimit {
    /// Parses `N/s`, `N/m` (or `N/min`), `N/h`; the burst defaults to the per-second rate
    /// rounded up (at least 1).
    ///
    /// # Errors
    /// A message naming the problem.
    pub fn parse(s: &str, burst: Option<u32>) -> Result<Self, String> {
        let (n, unit) = s
            .split_once('/')
            .ok_or_else(|| format!("rate limit `{s}`: expected N/s, N/min or N/h"))?;
        let n: f64 = n
            .trim()
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n > 0.0)
            .ok_or_else(|| format!("rate limit `{s}`: N must be a positive number"))?;
        let secs = match unit.trim() {
            "s" | "sec" | "second" => 1.0,
            "m" | "min" | "minute" => 60.0,
            "h" | "hour" => 3600.0,
            other => {
                return Err(format!(
                    "rate limit `{s}`: unknown unit `{other}` (s, min, h)"
                ));
            }
        };
        let per_second = n / secs;
        // Truncation is intended: the default burst is the whole per-second rate, at least 1.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let default_burst = per_second.ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
        let burst = burst.unwrap_or(default_burst);
        if burst == 0 {
            return Err("rate burst must be at least 1".into());
        }
        Ok(RateLimit { per_second, burst })
    }
}

/// One configured API key: its SHA-256 digest (the key itself is not kept) and its rate limit.
#[derive(Clone, PartialEq)]
pub struct ApiKeyEntry {
    /// SHA-256 of the key's bytes.
    pub digest: [u8; 32],
    /// Per-key rate limit (overrides the default).
    pub rate_limit: Option<RateLimit>,
}

impl std::fmt::Debug for ApiKeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyEntry")
            .field("digest", &"[redacted]")
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

fn parse_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2)?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// Reads a key given as `KEY` or `sha256:HEX`.
fn key_entry(token: &str, rate_limit: Option<RateLimit>) -> Result<ApiKeyEntry, String> {
    let digest = match token.strip_prefix("sha256:") {
        Some(hex) => parse_hex32(hex)
            .ok_or("a `sha256:` key must be followed by 64 hex digits (SHA-256 of the key)")?,
        None => {
            if token.len() < 16 {
                return Err("an API key must be at least 16 characters".into());
            }
            sha256(token.as_bytes())
        }
    };
    Ok(ApiKeyEntry { digest, rate_limit })
}

/// Parses `RTCMINT_API_KEYS`: comma-separated keys (plain or `sha256:HEX`).
///
/// # Errors
/// A message naming the position of the bad entry (never the key).
pub fn parse_api_keys_env(value: &str) -> Result<Vec<ApiKeyEntry>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, k)| {
            key_entry(k, None).map_err(|e| format!("RTCMINT_API_KEYS entry {}: {e}", i + 1))
        })
        .collect()
}

/// Parses an API keys file: one key per line (plain or `sha256:HEX`), optionally followed by
/// `rate=N/s` and `burst=N`; blank lines and `#` comments are skipped.
///
/// # Errors
/// A message naming the line (never the key).
pub fn parse_api_keys_file(text: &str) -> Result<Vec<ApiKeyEntry>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let key = parts.next().unwrap_or_default();
        let mut rate = None;
        let mut burst = None;
        for opt in parts {
            match opt.split_once('=') {
                Some(("rate", v)) => rate = Some(v.to_owned()),
                Some(("burst", v)) => {
                    burst = Some(v.parse::<u32>().map_err(|_| {
                        format!("api keys file line {}: burst must be a whole number", i + 1)
                    })?);
                }
                _ => {
                    return Err(format!(
                        "api keys file line {}: unknown option (expected rate=N/s, burst=N)",
                        i + 1
                    ));
                }
            }
        }
        let limit = match (rate, burst) {
            (Some(r), b) => Some(
                RateLimit::parse(&r, b)
                    .map_err(|e| format!("api keys file line {}: {e}", i + 1))?,
            ),
            (None, Some(_)) => {
                return Err(format!("api keys file line {}: burst= needs rate=", i + 1));
            }
            (None, None) => None,
        };
        out.push(key_entry(key, limit).map_err(|e| format!("api keys file line {}: {e}", i + 1))?);
    }
    Ok(out)
}

/// Reads a file of at most [`MAX_CONFIG_FILE`] bytes as UTF-8.
///
/// # Errors
/// A message (I/O error, too large, not UTF-8).
pub fn read_small_file(path: &Path) -> Result<String, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut buf = Vec::new();
    file.take(MAX_CONFIG_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if buf.len() as u64 > MAX_CONFIG_FILE {
        return Err(format!(
            "{} is larger than {MAX_CONFIG_FILE} bytes",
            path.display()
        ));
    }
    String::from_utf8(buf).map_err(|_| format!("{} is not UTF-8", path.display()))
}

/// The TOML configuration file (`--config`). Every key is optional; unknown keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `listen = "127.0.0.1:8080"`.
    pub listen: Option<String>,
    /// `database = "sqlite://rtcmint.db"`.
    pub database: Option<String>,
    /// `default_vendor = "livekit"`.
    pub default_vendor: Option<Vendor>,
    /// `api_keys_file = "/etc/rtcmint/keys"`.
    pub api_keys_file: Option<PathBuf>,
    /// `insecure_no_auth = true` (local development only).
    pub insecure_no_auth: Option<bool>,
    /// `log_format = "json"`.
    pub log_format: Option<LogFormat>,
    /// `log_level = "info"` (a tracing filter).
    pub log_level: Option<String>,
    /// `request_timeout = "30s"`.
    pub request_timeout: Option<String>,
    /// `vendor_timeout = "10s"` (one vendor HTTP attempt).
    pub vendor_timeout: Option<String>,
    /// `body_limit = 65536` (bytes).
    pub body_limit: Option<usize>,
    /// `cors_origins = ["https://app.example.com"]`.
    pub cors_origins: Option<Vec<String>>,
    /// `idempotency_ttl = "24h"`.
    pub idempotency_ttl: Option<String>,
    /// `idempotency_wait = "5s"`: how long a duplicate waits for the first before 409.
    pub idempotency_wait: Option<String>,
    /// `rate_limit = "50/s"` (per API key; off when absent).
    pub rate_limit: Option<String>,
    /// `rate_burst = 100`.
    pub rate_burst: Option<u32>,
    /// `shutdown_timeout = "30s"`: how long in-flight calls may take after SIGTERM.
    pub shutdown_timeout: Option<String>,
    /// `webhook_max_age = "10m"`: the Agora `notifyMs` / ZEGO `timestamp` window.
    pub webhook_max_age: Option<String>,
    /// `webhook_body_limit = 1048576` (bytes).
    pub webhook_body_limit: Option<usize>,
}

impl FileConfig {
    /// Reads and parses a TOML file.
    ///
    /// # Errors
    /// A message naming the file and the problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = read_small_file(path)?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The resolved settings of one gateway.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Store URL.
    pub database: String,
    /// The vendor for calls that neither pin one nor name a room.
    pub default_vendor: Option<Vendor>,
    /// API keys.
    pub api_keys: Vec<ApiKeyEntry>,
    /// Serve without authentication.
    pub insecure_no_auth: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter.
    pub log_level: String,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// One vendor HTTP attempt's timeout.
    pub vendor_timeout: Duration,
    /// Request body limit, bytes.
    pub body_limit: usize,
    /// Allowed CORS origins (none: no CORS headers).
    pub cors_origins: Vec<String>,
    /// How long idempotency keys are kept.
    pub idempotency_ttl: Duration,
    /// How long a concurrent duplicate waits before 409 `in_progress`.
    pub idempotency_wait: Duration,
    /// Default per-key rate limit.
    pub rate_limit: Option<RateLimit>,
    /// Grace period for in-flight calls at shutdown.
    pub shutdown_timeout: Duration,
    /// How far an Agora `notifyMs` or ZEGO `timestamp` may be from the clock (replay bound).
    pub webhook_max_age: Duration,
    /// Webhook body limit, bytes (vendors' bodies exceed the API's `body_limit`).
    pub webhook_body_limit: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "sqlite://rtcmint.db".into(),
            default_vendor: None,
            api_keys: Vec::new(),
            insecure_no_auth: false,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            request_timeout: Duration::from_secs(30),
            vendor_timeout: Duration::from_secs(10),
            body_limit: super::body::DEFAULT_BODY_LIMIT,
            cors_origins: Vec::new(),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            idempotency_wait: Duration::from_secs(5),
            rate_limit: None,
            shutdown_timeout: Duration::from_secs(30),
            webhook_max_age: Duration::from_secs(600),
            webhook_body_limit: DEFAULT_WEBHOOK_BODY_LIMIT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_rates() {
        let keys = parse_api_keys_file(
            "# comment\n0123456789abcdef0123\nsha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 rate=10/s burst=20\n",
        )
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(
            keys[1].rate_limit,
            Some(RateLimit {
                per_second: 10.0,
                burst: 20
            })
        );
        assert_eq!(keys[1].digest, sha256(b"test"));
        assert!(parse_api_keys_file("short\n").is_err());
        assert!(parse_api_keys_file("sha256:abc\n").is_err());
        let e = parse_api_keys_file("0123456789abcdef0123 bogus=1\n").unwrap_err();
        assert!(!e.contains("0123456789abcdef0123"), "{e}");
        assert_eq!(RateLimit::parse("120/min", None).unwrap().per_second, 2.0);
        assert!(RateLimit::parse("0/s", None).is_err());
        assert!(RateLimit::parse("5/day", None).is_err());
    }
}
