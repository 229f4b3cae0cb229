//! `rtcmint decode` and `rtcmint verify`: detect the vendor, print what is inside.
//!
//! Both print the token as encoded (LiveKit's header and claims text, ZEGO's decrypted plaintext,
//! Agora's fields in wire order with any unparsed bytes) beside what rtcmint derives: the typed
//! view, UTC times, a status relative to `--now` or the clock, and warnings for content rtcmint
//! does not know. `verify` also says what it checked and what it could not.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use rtcmint::time::{Status, span};
use rtcmint::{
    Clock as _, DecodedAny, Error, Secret, SystemClock, TokenFormat, Vendor, VerifiedToken,
    VerifierSet, VerifyWarning, decode_any, detect_format, verify_any,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::util::{CliError, CliResult, EXIT_MALFORMED, exit_code, parse_unix, read_token, utc};
use crate::{agora, livekit, zego};

/// `rtcmint decode`
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The token, or `-` to read it from standard input.
    token: std::ffi::OsString,
    /// The time the status (`valid`, `expired … ago`) is relative to (Unix seconds) instead of
    /// the clock.
    #[arg(long, value_parser = parse_unix, value_name = "UNIX")]
    now: Option<i64>,
    /// ZEGO server secret file (decoding a token04 needs the secret) [env: ZEGO_SERVER_SECRET,
    /// ZEGO_SERVER_SECRET_FILE]. ZEGO tokens only.
    #[arg(long, value_name = "PATH")]
    server_secret_file: Option<PathBuf>,
    /// ZEGO server secret. Visible in the process list: prefer the env variable or the file.
    /// ZEGO tokens only.
    #[arg(long, value_name = "SECRET")]
    server_secret: Option<String>,
}

/// `rtcmint verify`
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    token: std::ffi::OsString,
    /// Verification time (Unix seconds) instead of the clock.
    #[arg(long, value_parser = parse_unix, value_name = "UNIX")]
    now: Option<i64>,
    /// Leeway on exp and nbf (seconds or 90s, 2m) [default: 60s]. LiveKit tokens only.
    #[arg(long, value_parser = crate::util::parse_valid_for)]
    leeway: Option<Duration>,
    /// The app id the token must name: Agora's (32 hex characters) or ZEGO's (a number) [env:
    /// AGORA_APP_ID or ZEGO_APP_ID, by the token's vendor]. Not for LiveKit tokens (their key is
    /// the API key).
    #[arg(long, value_name = "APP_ID")]
    app_id: Option<String>,
    /// Print the verdict, what was checked and the decoded content as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    livekit: livekit::Creds,
    #[command(flatten)]
    agora: agora::VerifyCreds,
    #[command(flatten)]
    zego: zego::VerifyCreds,
}

fn detect(token: &str) -> CliResult<TokenFormat> {
    detect_format(token).ok_or_else(|| CliError {
        code: EXIT_MALFORMED,
        message: "malformed token: not a LiveKit JWT (eyJ…), Agora 007/006 or ZEGO 04 token".into(),
    })
}

/// Refuses flags that do not apply to a token of `vendor` (never silently ignored).
fn refuse_flags(vendor: Vendor, given: &[(&'static str, Vendor)]) -> CliResult<()> {
    let wrong: Vec<String> = given
        .iter()
        .filter(|(_, v)| *v != vendor)
        .map(|(f, v)| format!("{f} ({v} tokens only)"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "this is a {vendor} token; {} does not apply to it",
            wrong.join(", ")
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Printing: raw JSON text kept verbatim inside the pretty output
// ---------------------------------------------------------------------------------------------

/// The key of a marker object standing for raw JSON text (printed verbatim, key order kept).
const RAW: &str = "\u{0}rtcmint-raw";

/// A value printed as the JSON text `text` exactly (or as a string if it is not JSON).
fn raw(text: &str) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(RAW.to_owned(), Value::String(text.to_owned()));
    Value::Object(m)
}

struct Printable<'a>(&'a Value);

impl Serialize for Printable<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        match self.0 {
            Value::Object(m) => {
                if let (1, Some(Value::String(text))) = (m.len(), m.get(RAW)) {
                    return match serde_json::value::RawValue::from_string(text.trim().to_owned()) {
                        Ok(r) => r.serialize(s),
                        Err(_) => s.serialize_str(text),
                    };
                }
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &Printable(v))?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&Printable(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Pretty JSON of `v`, with raw-text markers printed verbatim.
pub fn to_pretty(v: &Value) -> CliResult<String> {
    serde_json::to_string_pretty(&Printable(v))
        .map_err(|e| CliError::runtime(format!("cannot format JSON: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Derived facts: UTC times and statuses
// ---------------------------------------------------------------------------------------------

/// Keys whose values are absolute Unix times in the decoded content of some vendor.
const TIME_KEYS: [&str; 7] = [
    "exp",
    "nbf",
    "iat",
    "expires_at",
    "issued_at",
    "expire_ts",
    "ctime",
];

/// Adds a `<key>_utc` sibling (RFC 3339) next to every absolute Unix time, at any depth, and a
/// `status` to every privilege with its own expiry (Agora 007 `expires_at`, 006 `expire_ts`).
fn annotate_times(v: &mut Value, now: i64) {
    match v {
        Value::Object(m) if !m.contains_key(RAW) => {
            let extra: Vec<(String, Value)> = m
                .iter()
                .filter(|(k, _)| TIME_KEYS.contains(&k.as_str()))
                .filter_map(|(k, v)| v.as_i64().map(|t| (format!("{k}_utc"), json!(utc(t)))))
                .collect();
            for (k, child) in m.iter_mut() {
                if k == "privileges"
                    && let Value::Array(ps) = child
                {
                    for p in ps.iter_mut().filter_map(Value::as_object_mut) {
                        let own = p.get("expires_at").and_then(Value::as_i64).or_else(|| {
                            p.get("expire_ts")
                                .and_then(Value::as_i64)
                                .filter(|t| *t != 0)
                        });
                        let status = match own {
                            Some(t) => Status::at(now, None, t).to_string(),
                            None => "no expiry of its own (the token's applies)".to_owned(),
                        };
                        p.insert("status".into(), json!(status));
                    }
                }
                annotate_times(child, now);
            }
            for (k, t) in extra {
                m.entry(k).or_insert(t);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| annotate_times(x, now)),
        _ => {}
    }
}

/// Adds `<name>` and `<name>_utc` fields for a Unix time.
fn time_fields(out: &mut serde_json::Map<String, Value>, name: &str, unix: Option<i64>) {
    if let Some(t) = unix {
        out.insert(name.to_owned(), json!(t));
        out.insert(format!("{name}_utc"), json!(utc(t)));
    }
}

/// `status` (`valid`, `expired 3 d 4 h ago`, `not valid for another 20 min`) and the time it is
/// relative to.
fn status_fields(out: &mut serde_json::Map<String, Value>, now: i64, nbf: Option<i64>, exp: i64) {
    out.insert(
        "status".into(),
        json!(Status::at(now, nbf, exp).to_string()),
    );
    out.insert("status_at".into(), json!(now));
    out.insert("status_at_utc".into(), json!(utc(now)));
}

/// `2026-01-01T00:10:00Z (in 9 min)` / `(5 min ago)`.
fn when(t: i64, now: i64) -> String {
    let rel = if t > now {
        format!("in {}", span(t.abs_diff(now)))
    } else if t == now {
        "now".to_owned()
    } else {
        format!("{} ago", span(now.abs_diff(t)))
    };
    format!("{} ({rel})", utc(t))
}

// ---------------------------------------------------------------------------------------------
// Per-vendor views
// ---------------------------------------------------------------------------------------------

fn livekit_json(d: &rtcmint::livekit::DecodedToken, now: i64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("livekit"));
    m.insert("format".into(), json!(TokenFormat::LiveKitJwt));
    m.insert(
        "raw".into(),
        json!({"header": raw(&d.header_json), "claims": raw(&d.payload_json)}),
    );
    m.insert("header".into(), json!(d.header));
    m.insert("claims".into(), json!(d.claims));
    time_fields(&mut m, "not_before", d.claims.nbf);
    time_fields(&mut m, "expires_at", Some(d.claims.exp));
    status_fields(&mut m, now, d.claims.nbf, d.claims.exp);
    let warnings: Vec<String> = d
        .unknown_keys
        .iter()
        .map(|u| match u.path.strip_prefix("header.") {
            Some(h) => format!("unknown header parameter `{h}` (kept in raw.header)"),
            None => format!(
                "unknown claim `{}`, not in the typed view (kept in raw.claims)",
                u.path
            ),
        })
        .collect();
    m.insert("warnings".into(), json!(warnings));
    Value::Object(m)
}

fn agora_json(format: TokenFormat, info: &rtcmint::agora::TokenInfo, now: i64) -> Value {
    use rtcmint::agora::TokenInfo;
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("agora"));
    m.insert("format".into(), json!(format));
    m.insert("token".into(), json!(info));
    let mut warnings = Vec::new();
    let issued = match info {
        TokenInfo::AccessToken2(i) => {
            if let Some(t) = i.unknown_service_type {
                warnings.push(format!(
                    "unknown service type {t}: parsing stopped there; its {} bytes (and any after) are kept in token.unparsed_hex",
                    i.trailing_bytes
                ));
            } else if i.trailing_bytes > 0 {
                warnings.push(format!(
                    "{} bytes after the last service, kept in token.unparsed_hex",
                    i.trailing_bytes
                ));
            }
            for s in &i.services {
                for p in s.privileges.iter().filter(|p| p.name.is_none()) {
                    warnings.push(format!(
                        "unknown privilege {} in service {} ({})",
                        p.id, s.service_type, s.name
                    ));
                }
            }
            Some(i64::from(i.issue_ts))
        }
        TokenInfo::Legacy006(t) => {
            for p in t.privileges.iter().filter(|p| p.name.is_none()) {
                warnings.push(format!("unknown privilege {}", p.id));
            }
            None
        }
        _ => None,
    };
    time_fields(&mut m, "issued_at", issued);
    time_fields(&mut m, "expires_at", Some(info.expires_at()));
    status_fields(&mut m, now, None, info.expires_at());
    m.insert("warnings".into(), json!(warnings));
    Value::Object(m)
}

fn zego_json(d: &rtcmint::zego::DecodedToken, now: i64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("zego"));
    m.insert("format".into(), json!(TokenFormat::Zego04));
    m.insert("raw".into(), json!({"plaintext": raw(&d.plaintext)}));
    m.insert("token".into(), json!(d));
    time_fields(&mut m, "issued_at", Some(d.issued_at));
    time_fields(&mut m, "expires_at", Some(d.expires_at));
    // The expiry second itself is still valid for ZEGO.
    status_fields(&mut m, now, None, d.expires_at.saturating_add(1));
    let mut warnings: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
    warnings.extend(
        d.unknown_keys()
            .iter()
            .map(|u| match u.path.strip_prefix("payload.") {
                Some(p) => format!("unknown privilege payload key `{p}` (kept in the payload)"),
                None => format!("unknown claim `{}` (kept in raw.plaintext)", u.path),
            }),
    );
    m.insert("warnings".into(), json!(warnings));
    Value::Object(m)
}

fn zego_container_json(c: &rtcmint::zego::ContainerInfo, now: i64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("zego"));
    m.insert("format".into(), json!(TokenFormat::Zego04));
    m.insert(
        "note".into(),
        json!("container only: the claims are encrypted; give the server secret (ZEGO_SERVER_SECRET or --server-secret-file) to decrypt them"),
    );
    m.insert("container".into(), json!(c));
    time_fields(&mut m, "expires_at", Some(c.expire));
    status_fields(&mut m, now, None, c.expire.saturating_add(1));
    m.insert(
        "warnings".into(),
        json!(["the expiry and status come from the outer header, which is not authenticated"]),
    );
    Value::Object(m)
}

/// The decoded content of a token, as JSON, with statuses relative to `now`.
fn decoded_json(d: &DecodedAny, now: i64) -> CliResult<Value> {
    let mut v = match d {
        DecodedAny::LiveKit(d) => livekit_json(d, now),
        DecodedAny::Agora(info) => agora_json(d.format(), info, now),
        DecodedAny::Zego(d) => zego_json(d, now),
        DecodedAny::ZegoContainer(c) => zego_container_json(c, now),
        _ => return Err(CliError::runtime("this token format is not supported")),
    };
    annotate_times(&mut v, now);
    Ok(v)
}

/// Decodes `token` (of `format`) without verifying it; a ZEGO token is decrypted when
/// `zego_secret` yields the secret.
fn decode_token(
    format: TokenFormat,
    token: &str,
    now: i64,
    zego_secret: impl FnOnce() -> CliResult<Option<Secret>>,
) -> CliResult<Value> {
    let secret = match format {
        TokenFormat::Zego04 => zego_secret()?,
        _ => None,
    };
    decoded_json(
        &decode_any(token, secret.as_ref().map(Secret::expose))?,
        now,
    )
}

fn clock(now: Option<i64>) -> CliResult<i64> {
    match now {
        Some(t) => Ok(t),
        None => Ok(SystemClock.now()?),
    }
}

pub fn decode(args: &DecodeArgs) -> CliResult<Value> {
    let token = read_token(&args.token)?;
    let format = detect(&token)?;
    let mut given = Vec::new();
    if args.server_secret.is_some() {
        given.push(("--server-secret", Vendor::Zego));
    }
    if args.server_secret_file.is_some() {
        given.push(("--server-secret-file", Vendor::Zego));
    }
    refuse_flags(format.vendor(), &given)?;
    let now = clock(args.now)?;
    decode_token(format, &token, now, || {
        zego::secret_source(
            args.server_secret.as_deref(),
            args.server_secret_file.as_ref(),
        )
        .resolve()
    })
}

// ---------------------------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------------------------

/// What a verification established and what it could not.
#[derive(Default)]
struct Checks {
    checked: Vec<String>,
    not_checked: Vec<String>,
}

fn checks(v: &VerifiedToken, leeway: Duration, app_id: Option<&str>) -> Checks {
    use rtcmint::agora::TokenInfo;
    let mut c = Checks::default();
    match &v.detail {
        DecodedAny::LiveKit(d) => {
            c.checked.push(format!(
                "HS256 signature with the secret of API key `{}`",
                d.claims.iss
            ));
            c.checked.push(format!(
                "expiry (exp) and not-before (nbf), with {} leeway",
                span(leeway.as_secs())
            ));
            c.not_checked
                .push("aud and iat (LiveKit servers do not use them)".to_owned());
            if !d.unknown_keys.is_empty() {
                c.not_checked.push(format!(
                    "{} claim(s) rtcmint does not know (signed, kept, not interpreted): {}",
                    d.unknown_keys.len(),
                    d.unknown_keys
                        .iter()
                        .map(|u| u.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        DecodedAny::Agora(info) => {
            match info {
                TokenInfo::Legacy006(_) => c.checked.push(format!(
                    "HMAC-SHA256 signature with the app certificate, over channel `{}` and uid `{}`",
                    v.room.as_deref().unwrap_or_default(),
                    v.identity
                )),
                _ => c
                    .checked
                    .push("HMAC-SHA256 signature with the app certificate".to_owned()),
            }
            c.checked.push(
                "token expiry, and the access privilege of every service (rtc join_channel, rtm / fpa / rtm2 login, every privilege of the others)"
                    .to_owned(),
            );
            c.checked.push(
                "the other privileges' expiries (Agora enforces each when it is used; an expired one is a warning)"
                    .to_owned(),
            );
            match app_id {
                Some(a) => c.checked.push(format!("app id {a}")),
                None => c
                    .not_checked
                    .push("app id (pass --app-id or set AGORA_APP_ID)".to_owned()),
            }
            if let TokenInfo::AccessToken2(i) = info
                && i.trailing_bytes > 0
            {
                c.not_checked.push(format!(
                    "{} signed bytes rtcmint cannot parse (see decoded.token.unparsed_hex)",
                    i.trailing_bytes
                ));
            }
        }
        DecodedAny::Zego(d) => {
            if d.authenticated {
                c.checked
                    .push("AES-256-GCM authenticated decryption with the server secret".to_owned());
            } else {
                c.checked.push(
                    "AES-256-CBC decryption with the server secret (padding and claim structure)"
                        .to_owned(),
                );
                c.not_checked.push(match app_id {
                    None => "authenticity: decrypted, not authenticated (CBC has no integrity check; pass the app id, or use GCM)".to_owned(),
                    Some(_) => "authenticity: decrypted, not authenticated (CBC has no integrity check; the app id matched, use GCM for integrity)".to_owned(),
                });
            }
            c.checked.push("expiry".to_owned());
            match app_id {
                Some(a) => c.checked.push(format!("app id {a}")),
                None => c
                    .not_checked
                    .push("app id (pass --app-id or set ZEGO_APP_ID)".to_owned()),
            }
            let unknown = d.unknown_keys();
            if !unknown.is_empty() {
                c.not_checked.push(format!(
                    "content rtcmint does not know (kept, not interpreted): {}",
                    unknown
                        .iter()
                        .map(|u| u.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        _ => {}
    }
    c
}

/// The verifier set for a token of `format`, from the flags: `Err` is a CLI problem (a missing
/// credential, a flag for another vendor), `Ok(Err)` a credential the library refuses (reported
/// as the verdict). Also returns the app id that will be checked, if any.
fn verifiers(
    args: &VerifyArgs,
    format: TokenFormat,
) -> CliResult<(Result<VerifierSet, Error>, Option<String>)> {
    let vendor = format.vendor();
    let mut given: Vec<(&'static str, Vendor)> = Vec::new();
    given.extend(
        args.livekit
            .given()
            .into_iter()
            .map(|f| (f, Vendor::LiveKit)),
    );
    given.extend(args.agora.given().into_iter().map(|f| (f, Vendor::Agora)));
    given.extend(args.zego.given().into_iter().map(|f| (f, Vendor::Zego)));
    if args.leeway.is_some() {
        given.push(("--leeway", Vendor::LiveKit));
    }
    if args.app_id.is_some() && vendor == Vendor::LiveKit {
        return Err(CliError::usage(
            "this is a livekit token; --app-id (agora and zego tokens only) does not apply to it: a LiveKit token names its API key, checked against --api-key",
        ));
    }
    refuse_flags(vendor, &given)?;
    if format != TokenFormat::Agora006 && !args.agora.subject_flags().is_empty() {
        return Err(CliError::usage(format!(
            "{} appl{} to legacy 006 tokens only (a 007 token names its channel and uid itself)",
            args.agora.subject_flags().join(" and "),
            if args.agora.subject_flags().len() == 1 {
                "ies"
            } else {
                "y"
            }
        )));
    }
    let set = VerifierSet::new();
    Ok(match vendor {
        Vendor::LiveKit => {
            let leeway = args.leeway.unwrap_or(Duration::from_secs(60));
            (
                Ok(set.with_livekit(args.livekit.verifier()?.with_leeway(leeway))),
                None,
            )
        }
        Vendor::Agora => {
            let app_id = args
                .app_id
                .clone()
                .or_else(|| std::env::var("AGORA_APP_ID").ok());
            match args.agora.verifier(format, app_id.as_deref())? {
                Ok(v) => (Ok(set.with_agora(v)), app_id),
                Err(e) => (Err(e), app_id),
            }
        }
        Vendor::Zego => {
            let (v, app_id) = args.zego.verifier(args.app_id.as_deref())?;
            (Ok(set.with_zego(v)), app_id.map(|a| a.to_string()))
        }
        _ => return Err(CliError::runtime("this token format is not supported")),
    })
}

/// The plain-text verdict: what the token is and what was (not) checked.
fn summary(v: &VerifiedToken, c: &Checks, now: i64) -> String {
    let mut out = format!("valid {} token\n", v.vendor);
    let identity = if v.identity.is_empty() {
        "(none)"
    } else {
        &v.identity
    };
    out.push_str(&format!("  identity     {identity}\n"));
    out.push_str(&format!(
        "  room         {}\n",
        v.room.as_deref().unwrap_or("(none)")
    ));
    if let Some(t) = v.issued_at {
        out.push_str(&format!("  issued       {}\n", when(t, now)));
    }
    out.push_str(&format!("  expires      {}\n", when(v.expires_at, now)));
    for w in &v.warnings {
        out.push_str(&format!("  warning      {}\n", warning_text(w, now)));
    }
    for line in &c.checked {
        out.push_str(&format!("  checked      {line}\n"));
    }
    for line in &c.not_checked {
        out.push_str(&format!("  not checked  {line}\n"));
    }
    out.truncate(out.trim_end().len());
    out
}

/// A verification warning for people, with the relative time of what it reports.
fn warning_text(w: &VerifyWarning, now: i64) -> String {
    match w {
        VerifyWarning::PrivilegeExpired(p) => {
            let name = p
                .name
                .map_or_else(|| format!("privilege {}", p.id), str::to_owned);
            format!(
                "{} {name} privilege expired {}; the token stays valid, but not for this",
                p.service,
                when(p.expired_at, now)
            )
        }
        other => other.to_string(),
    }
}

/// The `warnings` of `verify --json`: each warning's fields, UTC times and the message.
fn warnings_json(warnings: &[VerifyWarning], now: i64) -> CliResult<Value> {
    let mut out = Vec::new();
    for w in warnings {
        let mut v = serde_json::to_value(w).map_err(|e| CliError::runtime(e.to_string()))?;
        if let (VerifyWarning::PrivilegeExpired(p), Value::Object(m)) = (w, &mut v) {
            time_fields(m, "expired_at", Some(p.expired_at));
        }
        if let Value::Object(m) = &mut v {
            m.insert("message".into(), json!(warning_text(w, now)));
        }
        out.push(v);
    }
    Ok(Value::Array(out))
}

/// The result of `verify`: JSON (with `--json`) or plain text, and the exit code.
pub enum VerifyOutput {
    Json(Value),
    Text(String),
}

/// Runs `verify`; returns what to print and the exit code.
pub fn verify(args: &VerifyArgs) -> CliResult<(VerifyOutput, u8)> {
    let token = read_token(&args.token)?;
    let format = detect(&token)?;
    let now = clock(args.now)?;
    // A malformed 006 token is malformed (exit 5), as `decode` says, before any question of the
    // flags its signature needs (--channel, --uid).
    let (set, app_id) = match format {
        TokenFormat::Agora006 => match rtcmint::agora::decode(&token) {
            Err(e) => (Err(e), None),
            Ok(_) => verifiers(args, format)?,
        },
        _ => verifiers(args, format)?,
    };
    let leeway = args.leeway.unwrap_or(Duration::from_secs(60));
    let outcome = set.and_then(|set| verify_any(&token, &set, now));
    match outcome {
        Ok(verified) => {
            let c = checks(&verified, leeway, app_id.as_deref());
            if !args.json {
                return Ok((VerifyOutput::Text(summary(&verified, &c, now)), 0));
            }
            let decoded = decoded_json(&verified.detail, now)?;
            let mut m = serde_json::Map::new();
            m.insert("valid".into(), json!(true));
            m.insert("vendor".into(), json!(verified.vendor.as_str()));
            m.insert("identity".into(), json!(verified.identity));
            m.insert("room".into(), json!(verified.room));
            time_fields(&mut m, "issued_at", verified.issued_at);
            time_fields(&mut m, "expires_at", Some(verified.expires_at));
            m.insert("expires".into(), json!(when(verified.expires_at, now)));
            m.insert("checked".into(), json!(c.checked));
            m.insert("not_checked".into(), json!(c.not_checked));
            m.insert("warnings".into(), warnings_json(&verified.warnings, now)?);
            time_fields(&mut m, "verified_at", Some(now));
            m.insert("decoded".into(), decoded);
            Ok((VerifyOutput::Json(Value::Object(m)), 0))
        }
        Err(e) => {
            let code = exit_code(&e);
            if !args.json {
                return Err(crate::util::invalid(code, &e));
            }
            // Best effort: the content, when it can be read without the credentials (the
            // verifier's error carries no decoded token).
            let decoded = decode_token(format, &token, now, || Ok(None)).ok();
            let kind = crate::util::failure_kind(code);
            let mut m = serde_json::Map::new();
            m.insert("valid".into(), json!(false));
            m.insert("vendor".into(), json!(format.vendor().as_str()));
            time_fields(&mut m, "verified_at", Some(now));
            m.insert("failure".into(), json!(kind));
            m.insert("error".into(), json!(e.to_string()));
            match &e {
                Error::Expired { expired_at, .. } | Error::PrivilegeExpired { expired_at, .. } => {
                    time_fields(&mut m, "expired_at", Some(*expired_at));
                    m.insert("expired".into(), json!(when(*expired_at, now)));
                }
                Error::NotYetValid { not_before, .. } => {
                    time_fields(&mut m, "not_before", Some(*not_before));
                    m.insert("valid_from".into(), json!(when(*not_before, now)));
                }
                _ => {}
            }
            m.insert("decoded".into(), json!(decoded));
            Ok((VerifyOutput::Json(Value::Object(m)), code))
        }
    }
}
