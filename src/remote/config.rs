//! Vendor server-API settings from variables: the one reader of the `LIVEKIT_*`, `AGORA_*` and
//! `ZEGO_*` server-API variables, shared by the CLI (`rtcmint room|participant|recording`, which
//! lays its flags over the environment) and the gateway (`rtcmint serve`, the environment only).
//!
//! | vendor | configured by | also |
//! |---|---|---|
//! | LiveKit | `LIVEKIT_URL` | `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET` |
//! | Agora | `AGORA_CUSTOMER_ID`, `AGORA_CUSTOMER_SECRET` | `AGORA_APP_ID`; `AGORA_API_URL`, `AGORA_RECORDING_API_URL` (default: `AGORA_API_URL` when that is set); `AGORA_APP_CERTIFICATE` (the cloud recorder's token); storage `AGORA_STORAGE_*` |
//! | ZEGO | `ZEGO_SERVER_SECRET` | `ZEGO_APP_ID`; `ZEGO_API_URL`, `ZEGO_RECORDING_API_URL`; `ZEGO_ROOM_LIST`; storage `ZEGO_STORAGE_*` |
//!
//! Recording storage is `{AGORA,ZEGO}_STORAGE_VENDOR`, `_REGION`, `_BUCKET`, `_ACCESS_KEY`,
//! `_SECRET_KEY` and the optional `_ENDPOINT` (S3-compatible storage; Agora's vendor 11 needs it).
//! Every secret variable also has a `_FILE` form naming a file that holds it. Empty values count
//! as unset. A vendor given part of what it needs is an error naming what is missing, never a
//! vendor silently left out.
//!
//! Where the values come from is a [`Variables`]: [`ProcessEnv`], a [`Lookup`] closure (tests,
//! embedders), or the CLI's flags over the environment, which also names its flags in the
//! messages ([`Variables::describe`], [`Variables::how_to_set`]).

use std::io::Read as _;
use std::path::Path;

use crate::Vendor;
use crate::remote::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, HttpOptions, LiveKitClient, RemoteError,
    RoomService, ZegoClient, ZegoStorage,
};
use crate::secret::Secret;

/// Agora's RESTful API host (`AGORA_API_URL` default).
pub const AGORA_API_URL: &str = "https://api.agora.io";
/// Agora's Cloud Recording host (`AGORA_RECORDING_API_URL` default).
pub const AGORA_RECORDING_API_URL: &str = "https://api.sd-rtn.com";
/// ZEGO's server API host (`ZEGO_API_URL` default).
pub const ZEGO_API_URL: &str = "https://rtc-api.zego.im";
/// ZEGO's Cloud Recording host (`ZEGO_RECORDING_API_URL` default).
pub const ZEGO_RECORDING_API_URL: &str = "https://cloudrecord-api.zego.im";

/// The largest secret file read: 64 KiB (vendor secrets are 32 to a few hundred bytes).
pub const MAX_SECRET_FILE_BYTES: u64 = 64 << 10;

/// A configuration problem: the message names the variable (or flag) at fault, never a value
/// of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorConfigError(pub String);

impl std::fmt::Display for VendorConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VendorConfigError {}

type Result<T> = std::result::Result<T, VendorConfigError>;

/// Where settings come from, by variable name (`AGORA_APP_ID`, …).
pub trait Variables {
    /// The value of `name`; `None` when unset or empty.
    ///
    /// # Errors
    /// A value that cannot be read (not UTF-8).
    fn var(&self, name: &str) -> Result<Option<String>>;

    /// A secret: `name`, else the file that `name_FILE` names (see [`read_secret_file`]).
    ///
    /// # Errors
    /// As [`Variables::var`], and an unreadable, empty or oversized file.
    fn secret(&self, name: &str) -> Result<Option<Secret>> {
        if let Some(v) = self.var(name)? {
            return Ok(Some(Secret::new(v)));
        }
        let file_var = format!("{name}_FILE");
        match self.var(&file_var)? {
            Some(path) => read_secret_file(Path::new(&path), &file_var).map(Some),
            None => Ok(None),
        }
    }

    /// Whether `name` is set, without reading any file (decides which vendors are configured).
    fn is_set(&self, name: &str) -> bool {
        self.var(name).ok().flatten().is_some()
    }

    /// How a message names where the value of `name` came from (the CLI: the flag, when one
    /// was given). Default: `name`.
    fn describe(&self, name: &str) -> String {
        name.to_owned()
    }

    /// How a message says to set `name` (`secret`: it also has a `_FILE` form). Default:
    /// `NAME` or `NAME (or NAME_FILE)`.
    fn how_to_set(&self, name: &str, secret: bool) -> String {
        if secret {
            format!("{name} (or {name}_FILE)")
        } else {
            name.to_owned()
        }
    }
}

/// The process environment. A value that is not UTF-8 is an error naming the variable.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Variables for ProcessEnv {
    fn var(&self, name: &str) -> Result<Option<String>> {
        match std::env::var_os(name) {
            None => Ok(None),
            Some(v) => v
                .into_string()
                .map(|v| Some(v).filter(|v| !v.is_empty()))
                .map_err(|_| VendorConfigError(format!("{name} is not valid UTF-8"))),
        }
    }
}

/// Variables from a lookup closure (tests, embedders).
pub struct Lookup<F>(pub F);

impl<F: Fn(&str) -> Option<String>> Variables for Lookup<F> {
    fn var(&self, name: &str) -> Result<Option<String>> {
        Ok((self.0)(name).filter(|v| !v.is_empty()))
    }
}

/// Reads a secret file named by `via` (a variable or flag): at most [`MAX_SECRET_FILE_BYTES`],
/// UTF-8, trailing newlines removed (as `echo secret > file` writes), not empty. The buffer is
/// wiped when dropped.
///
/// # Errors
/// [`VendorConfigError`] naming `via` and the file.
pub fn read_secret_file(path: &Path, via: &str) -> Result<Secret> {
    let name = format!("secret file {} (from {via})", path.display());
    let file = std::fs::File::open(path)
        .map_err(|e| VendorConfigError(format!("cannot read {name}: {e}")))?;
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(256));
    file.take(MAX_SECRET_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| VendorConfigError(format!("cannot read {name}: {e}")))?;
    if buf.len() as u64 > MAX_SECRET_FILE_BYTES {
        return Err(VendorConfigError(format!(
            "{name} is larger than {MAX_SECRET_FILE_BYTES} bytes; it cannot be a secret"
        )));
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|_| VendorConfigError(format!("{name} is not valid UTF-8")))?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return Err(VendorConfigError(format!("{name} is empty")));
    }
    Ok(Secret::new(text))
}

/// What to do with the `*_STORAGE_*` variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageUse {
    /// Not read (calls that do not start recordings).
    Ignore,
    /// Read when any is set (then all the required ones must be).
    IfSet,
    /// Required (starting a recording).
    Required,
}

/// How [`service`] builds a client.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// HTTP options for the client; `None`: [`HttpOptions::for_vendor`].
    pub http: Option<HttpOptions>,
    /// Recording storage.
    pub storage: StorageUse,
    /// Whether a vendor with nothing configured is an error naming what to set (the CLI, which
    /// was told which vendor to talk to) rather than `Ok(None)` (the gateway).
    pub required: bool,
}

/// The variables that make a vendor's server API count as configured (see the module table).
#[must_use]
pub fn defining_variables(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::LiveKit => &["LIVEKIT_URL"],
        Vendor::Agora => &[
            "AGORA_CUSTOMER_ID",
            "AGORA_CUSTOMER_SECRET",
            "AGORA_CUSTOMER_SECRET_FILE",
        ],
        Vendor::Zego => &["ZEGO_SERVER_SECRET", "ZEGO_SERVER_SECRET_FILE"],
    }
}

/// The vendors whose server API is configured in `vars` (any of their
/// [`defining_variables`] set), in the order LiveKit, Agora, ZEGO.
#[must_use]
pub fn configured_vendors(vars: &dyn Variables) -> Vec<Vendor> {
    [Vendor::LiveKit, Vendor::Agora, Vendor::Zego]
        .into_iter()
        .filter(|v| defining_variables(*v).iter().any(|n| vars.is_set(n)))
        .collect()
}

/// The server-API client of `vendor` from `vars`: `Ok(None)` when the vendor is not configured
/// and `options.required` is false.
///
/// # Errors
/// [`VendorConfigError`] naming what is missing or invalid.
pub fn service(
    vendor: Vendor,
    vars: &dyn Variables,
    options: &ServiceOptions,
) -> Result<Option<Box<dyn RoomService>>> {
    let configured = defining_variables(vendor).iter().any(|n| vars.is_set(n));
    let storage_prefix = match vendor {
        Vendor::Agora => Some("AGORA"),
        Vendor::Zego => Some("ZEGO"),
        Vendor::LiveKit => None,
    };
    if !configured && !options.required {
        if options.storage != StorageUse::Ignore
            && let Some(p) = storage_prefix
            && STORAGE_NAMES
                .iter()
                .any(|n| vars.is_set(&format!("{p}_STORAGE_{n}")))
        {
            let needs = defining_variables(vendor)
                .first()
                .copied()
                .unwrap_or_default();
            return Err(VendorConfigError(format!(
                "{p}_STORAGE_* is set but {vendor}'s server API is not configured (set {})",
                vars.how_to_set(needs, false)
            )));
        }
        return Ok(None);
    }
    let service: Box<dyn RoomService> = match vendor {
        Vendor::LiveKit => Box::new(livekit(vars, options)?),
        Vendor::Agora => Box::new(agora(vars, options)?),
        Vendor::Zego => Box::new(zego(vars, options)?),
    };
    Ok(Some(service))
}

/// `value`, or an error saying how to set `name`.
fn need<T>(
    vars: &dyn Variables,
    value: Option<T>,
    what: &str,
    name: &str,
    secret: bool,
) -> Result<T> {
    value.ok_or_else(|| {
        VendorConfigError(format!(
            "missing {what}: set {}",
            vars.how_to_set(name, secret)
        ))
    })
}

/// A client error at build time, attributed to `name`.
fn client_error(vars: &dyn Variables, name: &str) -> impl Fn(RemoteError) -> VendorConfigError {
    let origin = vars.describe(name);
    move |e| VendorConfigError(format!("{origin}: {e}"))
}

fn number<T: std::str::FromStr>(vars: &dyn Variables, name: &str, what: &str) -> Result<Option<T>> {
    vars.var(name)?
        .map(|v| {
            v.trim().parse::<T>().map_err(|_| {
                VendorConfigError(format!("{} must be {what}, got `{v}`", vars.describe(name)))
            })
        })
        .transpose()
}

fn http_for(options: &ServiceOptions, vendor: Vendor) -> HttpOptions {
    options
        .http
        .clone()
        .unwrap_or_else(|| HttpOptions::for_vendor(vendor))
}

fn livekit(vars: &dyn Variables, options: &ServiceOptions) -> Result<LiveKitClient> {
    let url = need(
        vars,
        vars.var("LIVEKIT_URL")?,
        "LiveKit URL",
        "LIVEKIT_URL",
        false,
    )?;
    let key = need(
        vars,
        vars.var("LIVEKIT_API_KEY")?,
        "LiveKit API key",
        "LIVEKIT_API_KEY",
        false,
    )?;
    let secret = need(
        vars,
        vars.secret("LIVEKIT_API_SECRET")?,
        "LiveKit API secret",
        "LIVEKIT_API_SECRET",
        true,
    )?;
    LiveKitClient::new(&url, key, secret)
        .and_then(|c| c.with_http_options(http_for(options, Vendor::LiveKit)))
        .map_err(client_error(vars, "LIVEKIT_URL"))
}

fn agora(vars: &dyn Variables, options: &ServiceOptions) -> Result<AgoraClient> {
    let app = need(
        vars,
        vars.var("AGORA_APP_ID")?,
        "Agora App ID",
        "AGORA_APP_ID",
        false,
    )?;
    let customer_id = need(
        vars,
        vars.var("AGORA_CUSTOMER_ID")?,
        "Agora Customer ID",
        "AGORA_CUSTOMER_ID",
        false,
    )?;
    let customer_secret = need(
        vars,
        vars.secret("AGORA_CUSTOMER_SECRET")?,
        "Agora Customer Secret",
        "AGORA_CUSTOMER_SECRET",
        true,
    )?;
    let base = vars.var("AGORA_API_URL")?;
    // Cloud Recording follows AGORA_API_URL when only that is set (one host: a proxy, a test
    // double).
    let rec = match (vars.var("AGORA_RECORDING_API_URL")?, &base) {
        (Some(rec), _) => rec,
        (None, Some(base)) => base.clone(),
        (None, None) => AGORA_RECORDING_API_URL.to_owned(),
    };
    let base = base.unwrap_or_else(|| AGORA_API_URL.to_owned());
    let mut client = AgoraClient::new(&base, app, customer_id, customer_secret)
        .and_then(|c| c.with_http_options(http_for(options, Vendor::Agora)))
        .map_err(client_error(vars, "AGORA_API_URL"))?
        .with_recording_base_url(&rec)
        .map_err(client_error(vars, "AGORA_RECORDING_API_URL"))?;
    if let Some(s) = storage(vars, "AGORA", options.storage)? {
        let region: u32 = s.region.trim().parse().map_err(|_| {
            VendorConfigError(format!(
                "{} must be Agora's region number, got `{}`",
                vars.describe("AGORA_STORAGE_REGION"),
                s.region
            ))
        })?;
        let mut st = AgoraStorage::new(s.vendor, region, s.bucket, s.access_key, s.secret_key);
        if let Some(e) = s.endpoint {
            st = st.endpoint(e);
        }
        let mut config = AgoraRecordingConfig::new(st);
        if let Some(cert) = vars.secret("AGORA_APP_CERTIFICATE")? {
            config = config.recorder_certificate(cert);
        }
        client = client.with_recording(config);
    }
    Ok(client)
}

fn zego(vars: &dyn Variables, options: &ServiceOptions) -> Result<ZegoClient> {
    let app = need(
        vars,
        number::<u32>(vars, "ZEGO_APP_ID", "a number from 1 to 4294967295")?,
        "ZEGO App ID",
        "ZEGO_APP_ID",
        false,
    )?;
    let secret = need(
        vars,
        vars.secret("ZEGO_SERVER_SECRET")?,
        "ZEGO ServerSecret",
        "ZEGO_SERVER_SECRET",
        true,
    )?;
    let rtc = vars
        .var("ZEGO_API_URL")?
        .unwrap_or_else(|| ZEGO_API_URL.to_owned());
    let rec = vars
        .var("ZEGO_RECORDING_API_URL")?
        .unwrap_or_else(|| ZEGO_RECORDING_API_URL.to_owned());
    let mut client = ZegoClient::new(&rtc, &rec, app, secret)
        .and_then(|c| c.with_http_options(http_for(options, Vendor::Zego)))
        .map_err(client_error(vars, "ZEGO_API_URL"))?;
    // DescribeRoomList works only once ZEGO has enabled it for the app.
    match vars.var("ZEGO_ROOM_LIST")?.as_deref() {
        None | Some("0" | "false") => {}
        Some("1" | "true") => client = client.with_room_list(true),
        Some(_) => {
            return Err(VendorConfigError(format!(
                "{} must be 1/true (ZEGO enabled DescribeRoomList for the app) or 0/false",
                vars.describe("ZEGO_ROOM_LIST")
            )));
        }
    }
    if let Some(s) = storage(vars, "ZEGO", options.storage)? {
        let mut st = ZegoStorage::new(s.vendor, s.region, s.bucket, s.access_key, s.secret_key);
        if let Some(e) = s.endpoint {
            st = st.endpoint(e);
        }
        client = client.with_recording(st);
    }
    Ok(client)
}

/// The `{PREFIX}_STORAGE_*` suffixes; the last, `ENDPOINT`, is optional.
const STORAGE_NAMES: [&str; 6] = [
    "VENDOR",
    "REGION",
    "BUCKET",
    "ACCESS_KEY",
    "SECRET_KEY",
    "ENDPOINT",
];

struct Storage {
    vendor: u32,
    region: String,
    bucket: String,
    access_key: String,
    secret_key: Secret,
    endpoint: Option<String>,
}

fn storage(vars: &dyn Variables, prefix: &str, used: StorageUse) -> Result<Option<Storage>> {
    if used == StorageUse::Ignore {
        return Ok(None);
    }
    let [vendor_n, region_n, bucket_n, access_n, secret_n, endpoint_n] =
        STORAGE_NAMES.map(|n| format!("{prefix}_STORAGE_{n}"));
    let vendor = number::<u32>(vars, &vendor_n, "the storage vendor's number")?;
    let region = vars.var(&region_n)?;
    let bucket = vars.var(&bucket_n)?;
    let access = vars.var(&access_n)?;
    let secret_key = vars.secret(&secret_n)?;
    let endpoint = vars.var(&endpoint_n)?;
    let any = vendor.is_some()
        || region.is_some()
        || bucket.is_some()
        || access.is_some()
        || secret_key.is_some()
        || endpoint.is_some();
    if !any && used == StorageUse::IfSet {
        return Ok(None);
    }
    match (vendor, region, bucket, access, secret_key) {
        (Some(vendor), Some(region), Some(bucket), Some(access_key), Some(secret_key)) => {
            Ok(Some(Storage {
                vendor,
                region,
                bucket,
                access_key,
                secret_key,
                endpoint,
            }))
        }
        (vendor, region, bucket, access, secret_key) => {
            let missing: Vec<String> = [
                (vendor.is_none(), &vendor_n, false),
                (region.is_none(), &region_n, false),
                (bucket.is_none(), &bucket_n, false),
                (access.is_none(), &access_n, false),
                (secret_key.is_none(), &secret_n, true),
            ]
            .into_iter()
            .filter(|(missing, _, _)| *missing)
            .map(|(_, n, secret)| vars.how_to_set(n, secret))
            .collect();
            let what = if any {
                "partly configured"
            } else {
                "not configured"
            };
            Err(VendorConfigError(format!(
                "recording storage is {what}: missing {}",
                missing.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> Lookup<impl Fn(&str) -> Option<String> + use<>> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Lookup(move |k: &str| m.get(k).cloned())
    }

    const IF_SET: ServiceOptions = ServiceOptions {
        http: None,
        storage: StorageUse::IfSet,
        required: false,
    };

    fn err(r: Result<Option<Box<dyn RoomService>>>) -> String {
        match r {
            Err(e) => e.0,
            Ok(s) => panic!("expected an error, got {:?}", s.map(|s| s.vendor())),
        }
    }

    const AGORA: [(&str, &str); 4] = [
        ("AGORA_APP_ID", "0123456789abcdef0123456789abcdef"),
        ("AGORA_CUSTOMER_ID", "cid"),
        ("AGORA_CUSTOMER_SECRET", "csecret"),
        ("AGORA_API_URL", "http://127.0.0.1:9"),
    ];

    #[test]
    fn nothing_configured_is_none_unless_required() {
        let v = vars(&[]);
        assert!(configured_vendors(&v).is_empty());
        for vendor in [Vendor::LiveKit, Vendor::Agora, Vendor::Zego] {
            assert!(service(vendor, &v, &IF_SET).unwrap().is_none());
        }
        let required = ServiceOptions {
            required: true,
            ..IF_SET
        };
        assert!(err(service(Vendor::Agora, &v, &required)).contains("AGORA_APP_ID"));
        assert!(err(service(Vendor::LiveKit, &v, &required)).contains("LIVEKIT_URL"));
    }

    #[test]
    fn partial_credentials_name_what_is_missing() {
        let v = vars(&[("AGORA_CUSTOMER_ID", "cid"), ("AGORA_APP_ID", "a")]);
        assert_eq!(configured_vendors(&v), [Vendor::Agora]);
        let e = err(service(Vendor::Agora, &v, &IF_SET));
        assert!(
            e.contains("AGORA_CUSTOMER_SECRET (or AGORA_CUSTOMER_SECRET_FILE)"),
            "{e}"
        );
        let v = vars(&[("LIVEKIT_URL", "http://127.0.0.1:9")]);
        assert!(err(service(Vendor::LiveKit, &v, &IF_SET)).contains("LIVEKIT_API_KEY"));
        let v = vars(&[("ZEGO_SERVER_SECRET", "s"), ("ZEGO_APP_ID", "x1")]);
        let e = err(service(Vendor::Zego, &v, &IF_SET));
        assert!(e.contains("ZEGO_APP_ID must be a number"), "{e}");
        // Storage without the vendor's API credentials.
        let v = vars(&[("ZEGO_STORAGE_BUCKET", "b")]);
        let e = err(service(Vendor::Zego, &v, &IF_SET));
        assert!(e.contains("ZEGO_STORAGE_* is set"), "{e}");
    }

    #[test]
    fn storage_is_all_or_nothing_and_takes_the_endpoint() {
        let mut with = AGORA.to_vec();
        with.push(("AGORA_STORAGE_BUCKET", "b"));
        let e = err(service(Vendor::Agora, &vars(&with), &IF_SET));
        assert!(e.contains("partly configured"), "{e}");
        assert!(
            e.contains("AGORA_STORAGE_VENDOR") && !e.contains("ENDPOINT"),
            "{e}"
        );
        // Ignored where no recording starts.
        let ignore = ServiceOptions {
            storage: StorageUse::Ignore,
            ..IF_SET
        };
        assert!(
            service(Vendor::Agora, &vars(&with), &ignore)
                .unwrap()
                .is_some()
        );
        // Required: an error even when none is set.
        let required = ServiceOptions {
            storage: StorageUse::Required,
            ..IF_SET
        };
        let e = err(service(Vendor::Agora, &vars(&AGORA), &required));
        assert!(
            e.contains("not configured: missing AGORA_STORAGE_VENDOR"),
            "{e}"
        );
        // The endpoint (S3-compatible storage, vendor 11) is accepted.
        with.extend([
            ("AGORA_STORAGE_VENDOR", "11"),
            ("AGORA_STORAGE_REGION", "0"),
            ("AGORA_STORAGE_ACCESS_KEY", "AK"),
            ("AGORA_STORAGE_SECRET_KEY", "SK"),
            ("AGORA_STORAGE_ENDPOINT", "https://s3.example.com"),
        ]);
        assert!(
            service(Vendor::Agora, &vars(&with), &IF_SET)
                .unwrap()
                .is_some()
        );
        let mut bad = with.clone();
        bad.push(("AGORA_STORAGE_REGION", "us-east-1"));
        let bad = vars(&bad);
        let e = err(service(Vendor::Agora, &bad, &IF_SET));
        assert!(
            e.contains("AGORA_STORAGE_REGION must be Agora's region number"),
            "{e}"
        );
    }

    #[test]
    fn secrets_come_from_files_and_never_from_empty_ones() {
        let dir = std::env::temp_dir().join(format!("rtcmint-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good");
        std::fs::write(&good, "s3cret\n").unwrap();
        let empty = dir.join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let g = good.to_str().unwrap();
        let v = vars(&[("X_FILE", g)]);
        assert_eq!(v.secret("X").unwrap().unwrap().expose(), "s3cret");
        let v = vars(&[("X_FILE", empty.to_str().unwrap())]);
        let e = v.secret("X").unwrap_err().0;
        assert!(e.contains("is empty") && e.contains("X_FILE"), "{e}");
        // The variable itself wins over its file.
        let v = vars(&[("X", "direct"), ("X_FILE", g)]);
        assert_eq!(v.secret("X").unwrap().unwrap().expose(), "direct");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
