//! `rtcmint decode` and `rtcmint verify`: detect the vendor, print what is inside.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use rtcmint::{
    Clock as _, DecodedAny, Error, Secret, SystemClock, TokenFormat, Vendor, VerifierSet,
    decode_any, detect_format, verify_any,
};
use serde_json::{Value, json};

use crate::util::{CliError, CliResult, EXIT_MALFORMED, exit_code, parse_unix, read_token, utc};
use crate::{agora, livekit, zego};

/// `rtcmint decode`
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The token, or `-` to read it from standard input.
    token: std::ffi::OsString,
    /// ZEGO server secret file (decoding a token04 needs the secret) [env: ZEGO_SERVER_SECRET,
    /// ZEGO_SERVER_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    server_secret_file: Option<PathBuf>,
    /// ZEGO server secret. Visible in the process list: prefer the env variable or the file.
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
    /// LiveKit leeway on exp and nbf (seconds or 90s, 2m).
    #[arg(long, value_parser = crate::util::parse_valid_for, default_value = "60s")]
    leeway: Duration,
    /// Print the verdict and the decoded content as JSON.
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

/// Adds a `<key>_utc` sibling (RFC 3339) next to every absolute Unix time, at any depth, so
/// privilege expiries inside services read as dates too.
fn annotate_times(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let extra: Vec<(String, Value)> = m
                .iter()
                .filter(|(k, _)| TIME_KEYS.contains(&k.as_str()))
                .filter_map(|(k, v)| v.as_i64().map(|t| (format!("{k}_utc"), json!(utc(t)))))
                .collect();
            for child in m.values_mut() {
                annotate_times(child);
            }
            for (k, t) in extra {
                m.entry(k).or_insert(t);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(annotate_times),
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

fn livekit_json(d: &rtcmint::livekit::DecodedToken) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("livekit"));
    m.insert("format".into(), json!(TokenFormat::LiveKitJwt));
    m.insert("header".into(), json!(d.header));
    m.insert("claims".into(), json!(d.claims));
    time_fields(&mut m, "not_before", d.claims.nbf);
    time_fields(&mut m, "expires_at", Some(d.claims.exp));
    Value::Object(m)
}

fn agora_json(format: TokenFormat, info: &rtcmint::agora::TokenInfo) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("agora"));
    m.insert("format".into(), json!(format));
    m.insert("token".into(), json!(info));
    time_fields(&mut m, "expires_at", Some(info.expires_at()));
    Value::Object(m)
}

fn zego_json(d: &rtcmint::zego::DecodedToken) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("zego"));
    m.insert("format".into(), json!(TokenFormat::Zego04));
    m.insert("token".into(), json!(d));
    time_fields(&mut m, "issued_at", Some(d.issued_at));
    time_fields(&mut m, "expires_at", Some(d.expires_at));
    Value::Object(m)
}

fn zego_container_json(c: &rtcmint::zego::ContainerInfo) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("vendor".into(), json!("zego"));
    m.insert("format".into(), json!(TokenFormat::Zego04));
    m.insert(
        "note".into(),
        json!("container only: the claims are encrypted; give the server secret (ZEGO_SERVER_SECRET or --server-secret-file) to decrypt them"),
    );
    m.insert("container".into(), json!(c));
    time_fields(&mut m, "expires_at", Some(c.expire));
    Value::Object(m)
}

/// The decoded content of a token, as JSON.
fn decoded_json(d: &DecodedAny) -> CliResult<Value> {
    match d {
        DecodedAny::LiveKit(d) => Ok(livekit_json(d)),
        DecodedAny::Agora(info) => Ok(agora_json(d.format(), info)),
        DecodedAny::Zego(d) => Ok(zego_json(d)),
        DecodedAny::ZegoContainer(c) => Ok(zego_container_json(c)),
        _ => Err(CliError::runtime("this token format is not supported")),
    }
}

/// Decodes `token` (of `format`) without verifying it; a ZEGO token is decrypted when
/// `zego_secret` yields the secret.
fn decode_token(
    format: TokenFormat,
    token: &str,
    zego_secret: impl FnOnce() -> CliResult<Option<Secret>>,
) -> CliResult<Value> {
    let secret = match format {
        TokenFormat::Zego04 => zego_secret()?,
        _ => None,
    };
    decoded_json(&decode_any(token, secret.as_ref().map(Secret::expose))?)
}

pub fn decode(args: &DecodeArgs) -> CliResult<Value> {
    let token = read_token(&args.token)?;
    let format = detect(&token)?;
    let mut v = decode_token(format, &token, || {
        zego::secret_source(
            args.server_secret.as_deref(),
            args.server_secret_file.as_ref(),
        )
        .resolve()
    })?;
    annotate_times(&mut v);
    Ok(v)
}

/// The verifier set for a token of `format`, from the flags: `Err` is a CLI problem (a missing
/// credential), `Ok(Err)` a credential the library refuses (reported as the verdict).
fn verifiers(args: &VerifyArgs, format: TokenFormat) -> CliResult<Result<VerifierSet, Error>> {
    let set = VerifierSet::new();
    Ok(Ok(match format.vendor() {
        Vendor::LiveKit => set.with_livekit(args.livekit.verifier()?.with_leeway(args.leeway)),
        Vendor::Agora => match args.agora.verifier(format)? {
            Ok(v) => set.with_agora(v),
            Err(e) => return Ok(Err(e)),
        },
        Vendor::Zego => set.with_zego(args.zego.verifier()?),
        _ => return Err(CliError::runtime("this token format is not supported")),
    }))
}

/// Runs `verify`; returns the JSON to print (with `--json`) and the exit code.
pub fn verify(args: &VerifyArgs) -> CliResult<(Option<Value>, u8)> {
    let token = read_token(&args.token)?;
    let format = detect(&token)?;
    let now = match args.now {
        Some(t) => t,
        None => SystemClock.now()?,
    };
    let outcome: Result<Value, Error> = match verifiers(args, format)? {
        Ok(set) => match verify_any(&token, &set, now) {
            Ok(verified) => decoded_json(&verified.detail).map_err(|e| Error::Malformed {
                vendor: Some(verified.vendor),
                reason: e.message.into(),
            }),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match outcome {
        Ok(mut decoded) => {
            annotate_times(&mut decoded);
            let json = args.json.then(|| {
                json!({"valid": true, "vendor": format.vendor().as_str(), "verified_at": now,
                       "verified_at_utc": utc(now), "decoded": decoded})
            });
            if !args.json {
                crate::util::stderr_line(&format!("valid {} token", format.vendor()));
            }
            Ok((json, 0))
        }
        Err(e) => {
            let code = exit_code(&e);
            if args.json {
                // Best effort: the content, when it can be read without the credentials (the
                // verifier's error carries no decoded token).
                let decoded = decode_token(format, &token, || Ok(None)).ok();
                let kind = match code {
                    3 => "signature",
                    4 => "time",
                    5 => "malformed",
                    _ => "error",
                };
                Ok((
                    Some(json!({"valid": false, "vendor": format.vendor().as_str(),
                                "verified_at": now, "verified_at_utc": utc(now),
                                "failure": kind, "error": e.to_string(), "decoded": decoded})),
                    code,
                ))
            } else {
                Err(CliError {
                    code,
                    message: format!("invalid: {e}"),
                })
            }
        }
    }
}
