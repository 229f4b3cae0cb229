//! `rtcmint webhook verify`: check a webhook (server callback) saved from a request.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use rtcmint::webhook::{
    AgoraWebhookVerifier, DEFAULT_MAX_BODY, Details, LiveKitWebhookVerifier, Webhook, WebhookError,
    ZegoWebhookVerifier,
};
use rtcmint::{Clock as _, ErrorKind, SystemClock};
use serde_json::{Value, json};

use crate::util::{
    BoundedReadError, CliError, CliResult, EXIT_MALFORMED, EXIT_SIGNATURE, EXIT_TIME, SecretSource,
    parse_unix, parse_valid_for, read_bounded, stderr_line, utc,
};

/// Webhook commands.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Verify a webhook body and its headers, then print the parsed event. Exit 0 valid, 3 bad
    /// or missing signature, 4 expired or outside the window, 5 malformed.
    Verify(Box<VerifyArgs>),
}

/// The vendor whose webhook it is.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookVendor {
    /// LiveKit webhook (`Authorization` JWT with a body hash).
    Livekit,
    /// Agora Notification Center Service (`Agora-Signature-V2` / `Agora-Signature`).
    Agora,
    /// ZEGOCLOUD server callback (`signature`, `timestamp`, `nonce` body fields).
    Zego,
}

/// `rtcmint webhook verify`
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The vendor.
    vendor: WebhookVendor,
    /// File holding the exact request body, or `-` for standard input (bytes as received: no
    /// newline is added or removed).
    #[arg(long, value_name = "FILE|-")]
    body: String,
    /// A request header as `Name: value` (repeatable). The value is taken exactly as given
    /// after the colon and any spaces following it.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// Verification time (Unix seconds) instead of the clock.
    #[arg(long, value_parser = parse_unix, value_name = "UNIX")]
    now: Option<i64>,
    /// Print the verdict and the parsed event as JSON.
    #[arg(long)]
    json: bool,
    /// Largest body accepted, bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,

    /// LiveKit: leeway on the token's exp and nbf (default 60s).
    #[arg(long, value_parser = parse_valid_for, value_name = "DURATION")]
    leeway: Option<Duration>,
    /// LiveKit: refuse a `Bearer ` prefix in Authorization, as the official receivers do.
    #[arg(long)]
    strict_authorization: bool,
    /// Agora, ZEGO: refuse a delivery whose notifyMs / timestamp is further than this from the
    /// verification time (e.g. 5m). Default: no bound (the vendors document none).
    #[arg(long, value_parser = parse_valid_for, value_name = "DURATION")]
    max_age: Option<Duration>,

    /// LiveKit API key [env: LIVEKIT_API_KEY].
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// LiveKit API secret. Visible in the process list: prefer LIVEKIT_API_SECRET or
    /// --api-secret-file.
    #[arg(long, value_name = "SECRET")]
    api_secret: Option<String>,
    /// File holding the LiveKit API secret [env: LIVEKIT_API_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    api_secret_file: Option<PathBuf>,
    /// Agora NCS secret. Visible in the process list: prefer AGORA_WEBHOOK_SECRET or
    /// --webhook-secret-file.
    #[arg(long, value_name = "SECRET")]
    webhook_secret: Option<String>,
    /// File holding the Agora NCS secret [env: AGORA_WEBHOOK_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    webhook_secret_file: Option<PathBuf>,
    /// ZEGO CallbackSecret. Visible in the process list: prefer ZEGO_CALLBACK_SECRET or
    /// --callback-secret-file.
    #[arg(long, value_name = "SECRET")]
    callback_secret: Option<String>,
    /// File holding the ZEGO CallbackSecret [env: ZEGO_CALLBACK_SECRET_FILE].
    #[arg(long, value_name = "PATH")]
    callback_secret_file: Option<PathBuf>,
}

/// Parses `Name: value`.
fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| "expected `Name: value`".to_owned())?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the header name must be non-empty visible ASCII".into());
    }
    Ok((
        name.to_owned(),
        value.trim_start_matches([' ', '\t']).to_owned(),
    ))
}

impl VerifyArgs {
    /// Refuses flags that belong to another vendor.
    fn check_flags(&self) -> CliResult<()> {
        let given = |set: bool, flag: &str, for_vendor: &str| -> CliResult<()> {
            if set {
                Err(CliError::usage(format!(
                    "{flag} applies to {for_vendor} webhooks only"
                )))
            } else {
                Ok(())
            }
        };
        let lk = self.vendor == WebhookVendor::Livekit;
        let ag = self.vendor == WebhookVendor::Agora;
        let zg = self.vendor == WebhookVendor::Zego;
        given(!lk && self.leeway.is_some(), "--leeway", "livekit")?;
        given(
            !lk && self.strict_authorization,
            "--strict-authorization",
            "livekit",
        )?;
        given(!lk && self.api_key.is_some(), "--api-key", "livekit")?;
        given(!lk && self.api_secret.is_some(), "--api-secret", "livekit")?;
        given(
            !lk && self.api_secret_file.is_some(),
            "--api-secret-file",
            "livekit",
        )?;
        given(lk && self.max_age.is_some(), "--max-age", "agora and zego")?;
        given(
            !ag && self.webhook_secret.is_some(),
            "--webhook-secret",
            "agora",
        )?;
        given(
            !ag && self.webhook_secret_file.is_some(),
            "--webhook-secret-file",
            "agora",
        )?;
        given(
            !zg && self.callback_secret.is_some(),
            "--callback-secret",
            "zego",
        )?;
        given(
            !zg && self.callback_secret_file.is_some(),
            "--callback-secret-file",
            "zego",
        )?;
        Ok(())
    }
}

/// Reads the body, never more than `max + 1` bytes (an oversized body is refused without reading
/// it all).
fn read_body(arg: &str, max: usize) -> CliResult<Vec<u8>> {
    let from = if arg == "-" { "standard input" } else { arg };
    let result = if arg == "-" {
        read_bounded(std::io::stdin().lock(), max, 4096)
    } else {
        let file = std::fs::File::open(arg)
            .map_err(|e| CliError::usage(format!("cannot read the body from {from}: {e}")))?;
        read_bounded(file, max, 4096)
    };
    match result {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(BoundedReadError::TooLarge { limit }) => Err(CliError {
            code: EXIT_MALFORMED,
            message: format!(
                "invalid: the body from {from} is larger than --max-body {limit} bytes; refusing more than {limit}"
            ),
        }),
        Err(BoundedReadError::Io(e)) => Err(CliError::usage(format!(
            "cannot read the body from {from}: {e}"
        ))),
    }
}

enum Verifier {
    LiveKit(LiveKitWebhookVerifier),
    Agora(AgoraWebhookVerifier),
    Zego(ZegoWebhookVerifier),
}

fn verifier(args: &VerifyArgs) -> CliResult<Verifier> {
    Ok(match args.vendor {
        WebhookVendor::Livekit => {
            let key = args
                .api_key
                .clone()
                .or_else(|| std::env::var("LIVEKIT_API_KEY").ok())
                .ok_or_else(|| {
                    CliError::usage("missing --api-key: pass it or set LIVEKIT_API_KEY")
                })?;
            let secret = SecretSource {
                flag: args.api_secret.as_deref(),
                flag_name: "--api-secret",
                file: args.api_secret_file.as_ref(),
                file_flag_name: "--api-secret-file",
                env: "LIVEKIT_API_SECRET",
            }
            .require()?;
            let mut v = LiveKitWebhookVerifier::new(key, secret)?.with_max_body(args.max_body);
            if let Some(l) = args.leeway {
                v = v.with_leeway(l);
            }
            if args.strict_authorization {
                v = v.strict_authorization();
            }
            Verifier::LiveKit(v)
        }
        WebhookVendor::Agora => {
            let secret = SecretSource {
                flag: args.webhook_secret.as_deref(),
                flag_name: "--webhook-secret",
                file: args.webhook_secret_file.as_ref(),
                file_flag_name: "--webhook-secret-file",
                env: "AGORA_WEBHOOK_SECRET",
            }
            .require()?;
            let mut v = AgoraWebhookVerifier::new(secret)?.with_max_body(args.max_body);
            if let Some(a) = args.max_age {
                v = v.with_max_age(a);
            }
            Verifier::Agora(v)
        }
        WebhookVendor::Zego => {
            let secret = SecretSource {
                flag: args.callback_secret.as_deref(),
                flag_name: "--callback-secret",
                file: args.callback_secret_file.as_ref(),
                file_flag_name: "--callback-secret-file",
                env: "ZEGO_CALLBACK_SECRET",
            }
            .require()?;
            let mut v = ZegoWebhookVerifier::new(secret)?.with_max_body(args.max_body);
            if let Some(a) = args.max_age {
                v = v.with_max_age(a);
            }
            Verifier::Zego(v)
        }
    })
}

fn exit_code(e: &WebhookError) -> u8 {
    match e.kind() {
        ErrorKind::Signature => EXIT_SIGNATURE,
        ErrorKind::Time => EXIT_TIME,
        ErrorKind::Malformed => EXIT_MALFORMED,
        _ => crate::util::EXIT_RUNTIME,
    }
}

fn vendor_name(v: WebhookVendor) -> &'static str {
    match v {
        WebhookVendor::Livekit => "livekit",
        WebhookVendor::Agora => "agora",
        WebhookVendor::Zego => "zego",
    }
}

fn event_json(hook: &Webhook) -> CliResult<Value> {
    let mut event = serde_json::to_value(hook)
        .map_err(|e| CliError::runtime(format!("cannot format the event: {e}")))?;
    // The body as received, as JSON (ZEGO: its fields, which may have come from a form).
    let body = match &hook.details {
        Details::Zego(z) => Value::Object(z.fields.clone()),
        _ => serde_json::from_str(hook.raw()).unwrap_or(Value::Null),
    };
    if let Value::Object(m) = &mut event {
        if let Some(ms) = hook.occurred_at_ms {
            m.insert("occurred_at_utc".into(), json!(utc(ms.div_euclid(1000))));
        }
        m.insert("body".into(), body);
    }
    Ok(event)
}

/// Runs `webhook verify`; returns the JSON to print (with `--json`) and the exit code.
pub fn verify(args: &VerifyArgs) -> CliResult<(Option<Value>, u8)> {
    args.check_flags()?;
    let v = verifier(args)?;
    let body = read_body(&args.body, args.max_body)?;
    let now = match args.now {
        Some(t) => t,
        None => SystemClock.now()?,
    };
    let h = &args.headers;
    let outcome = match &v {
        Verifier::LiveKit(v) => v.verify_at(&body, h, now),
        Verifier::Agora(v) => v.verify_at(&body, h, now),
        Verifier::Zego(v) => v.verify_at(&body, h, now),
    };
    let vendor = vendor_name(args.vendor);
    match outcome {
        Ok(hook) => {
            if !args.json {
                let kind = serde_json::to_value(hook.kind)
                    .ok()
                    .and_then(|k| k.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let note = if hook.body_authenticated {
                    ""
                } else {
                    " (the body itself is not signed)"
                };
                stderr_line(&format!(
                    "valid {vendor} webhook: {} ({kind}){note}",
                    hook.name
                ));
                return Ok((None, 0));
            }
            Ok((
                Some(json!({
                    "valid": true,
                    "vendor": vendor,
                    "verified_at": now,
                    "verified_at_utc": utc(now),
                    "body_authenticated": hook.body_authenticated,
                    "event": event_json(&hook)?,
                })),
                0,
            ))
        }
        Err(e) => {
            let code = exit_code(&e);
            if !args.json {
                return Err(crate::util::invalid(code, &e));
            }
            let failure = crate::util::failure_kind(code);
            let mut out = json!({
                "valid": false,
                "vendor": vendor,
                "verified_at": now,
                "verified_at_utc": utc(now),
                "failure": failure,
                "reason": e.reason(),
                "error": e.to_string(),
            });
            if let (Verifier::Agora(a), Value::Object(m)) = (&v, &mut out)
                && let Ok((v2, v1)) = a.header_checks(&body, h)
            {
                m.insert("signatures".into(), json!({"v2": v2, "v1": v1}));
            }
            Ok((Some(out), code))
        }
    }
}
