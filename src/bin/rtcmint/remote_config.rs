//! Vendor API credentials, base URLs and recording storage for `room`, `participant` and
//! `recording`: flags, then environment variables, then (for secrets) files.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rtcmint::Vendor;
use rtcmint::remote::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, LiveKitClient, RoomService, ZegoClient,
    ZegoStorage,
};

use crate::util::{CliError, CliResult, SecretSource};

/// `--vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VendorArg {
    /// LiveKit.
    Livekit,
    /// Agora.
    Agora,
    /// ZEGOCLOUD.
    Zego,
}

impl From<VendorArg> for Vendor {
    fn from(v: VendorArg) -> Self {
        match v {
            VendorArg::Livekit => Vendor::LiveKit,
            VendorArg::Agora => Vendor::Agora,
            VendorArg::Zego => Vendor::Zego,
        }
    }
}

/// What every `room`, `participant` and `recording` command takes.
#[derive(Args, Debug, Clone, Default)]
pub struct RemoteArgs {
    /// The vendor; inferred when the credentials of only one vendor are configured.
    #[arg(long, value_enum, global = true)]
    pub vendor: Option<VendorArg>,
    /// Print the records as JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// LiveKit server URL [env: LIVEKIT_URL].
    #[arg(long, value_name = "URL", global = true)]
    pub livekit_url: Option<String>,
    /// LiveKit API key [env: LIVEKIT_API_KEY].
    #[arg(long, value_name = "KEY", global = true)]
    pub livekit_api_key: Option<String>,
    /// LiveKit API secret. Visible in the process list: prefer LIVEKIT_API_SECRET or
    /// --livekit-api-secret-file.
    #[arg(long, value_name = "SECRET", global = true)]
    pub livekit_api_secret: Option<String>,
    /// File holding the LiveKit API secret [env: LIVEKIT_API_SECRET_FILE].
    #[arg(long, value_name = "PATH", global = true)]
    pub livekit_api_secret_file: Option<PathBuf>,
    /// Agora App ID [env: AGORA_APP_ID].
    #[arg(long, value_name = "APP_ID", global = true)]
    pub agora_app_id: Option<String>,
    /// Agora RESTful Customer ID [env: AGORA_CUSTOMER_ID].
    #[arg(long, value_name = "ID", global = true)]
    pub agora_customer_id: Option<String>,
    /// Agora RESTful Customer Secret. Visible in the process list: prefer
    /// AGORA_CUSTOMER_SECRET or --agora-customer-secret-file.
    #[arg(long, value_name = "SECRET", global = true)]
    pub agora_customer_secret: Option<String>,
    /// File holding the Agora Customer Secret [env: AGORA_CUSTOMER_SECRET_FILE].
    #[arg(long, value_name = "PATH", global = true)]
    pub agora_customer_secret_file: Option<PathBuf>,
    /// Agora app certificate, to mint the cloud recorder's RTC token (`recording start`, apps
    /// with the certificate enabled). Visible in the process list: prefer AGORA_APP_CERTIFICATE
    /// or --agora-app-certificate-file.
    #[arg(long, value_name = "SECRET", global = true)]
    pub agora_app_certificate: Option<String>,
    /// File holding the Agora app certificate [env: AGORA_APP_CERTIFICATE_FILE].
    #[arg(long, value_name = "PATH", global = true)]
    pub agora_app_certificate_file: Option<PathBuf>,
    /// Agora RESTful API base URL [env: AGORA_API_URL; default https://api.agora.io].
    #[arg(long, value_name = "URL", global = true)]
    pub agora_api_url: Option<String>,
    /// Agora Cloud Recording base URL [env: AGORA_RECORDING_API_URL; default
    /// https://api.sd-rtn.com].
    #[arg(long, value_name = "URL", global = true)]
    pub agora_recording_api_url: Option<String>,
    /// ZEGO App ID [env: ZEGO_APP_ID].
    #[arg(long, value_name = "APP_ID", global = true)]
    pub zego_app_id: Option<String>,
    /// ZEGO ServerSecret. Visible in the process list: prefer ZEGO_SERVER_SECRET or
    /// --zego-server-secret-file.
    #[arg(long, value_name = "SECRET", global = true)]
    pub zego_server_secret: Option<String>,
    /// File holding the ZEGO ServerSecret [env: ZEGO_SERVER_SECRET_FILE].
    #[arg(long, value_name = "PATH", global = true)]
    pub zego_server_secret_file: Option<PathBuf>,
    /// ZEGO server API base URL [env: ZEGO_API_URL; default https://rtc-api.zego.im].
    #[arg(long, value_name = "URL", global = true)]
    pub zego_api_url: Option<String>,
    /// ZEGO Cloud Recording base URL [env: ZEGO_RECORDING_API_URL; default
    /// https://cloudrecord-api.zego.im].
    #[arg(long, value_name = "URL", global = true)]
    pub zego_recording_api_url: Option<String>,
}

/// A value from a flag, else a non-empty environment variable.
fn value(flag: Option<&String>, env: &str) -> CliResult<Option<String>> {
    if let Some(f) = flag {
        return Ok(Some(f.clone()));
    }
    match std::env::var_os(env) {
        None => Ok(None),
        Some(v) => {
            let v = v
                .into_string()
                .map_err(|_| CliError::usage(format!("{env} is not valid UTF-8")))?;
            Ok(Some(v).filter(|v| !v.is_empty()))
        }
    }
}

fn env_present(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

impl RemoteArgs {
    fn livekit_secret(&self) -> SecretSource<'_> {
        SecretSource {
            flag: self.livekit_api_secret.as_deref(),
            flag_name: "--livekit-api-secret",
            file: self.livekit_api_secret_file.as_ref(),
            file_flag_name: "--livekit-api-secret-file",
            env: "LIVEKIT_API_SECRET",
        }
    }

    fn agora_secret(&self) -> SecretSource<'_> {
        SecretSource {
            flag: self.agora_customer_secret.as_deref(),
            flag_name: "--agora-customer-secret",
            file: self.agora_customer_secret_file.as_ref(),
            file_flag_name: "--agora-customer-secret-file",
            env: "AGORA_CUSTOMER_SECRET",
        }
    }

    fn agora_certificate(&self) -> SecretSource<'_> {
        SecretSource {
            flag: self.agora_app_certificate.as_deref(),
            flag_name: "--agora-app-certificate",
            file: self.agora_app_certificate_file.as_ref(),
            file_flag_name: "--agora-app-certificate-file",
            env: "AGORA_APP_CERTIFICATE",
        }
    }

    fn zego_secret(&self) -> SecretSource<'_> {
        SecretSource {
            flag: self.zego_server_secret.as_deref(),
            flag_name: "--zego-server-secret",
            file: self.zego_server_secret_file.as_ref(),
            file_flag_name: "--zego-server-secret-file",
            env: "ZEGO_SERVER_SECRET",
        }
    }

    /// Which vendors have any API credential configured (flag or environment). The token
    /// credentials (`AGORA_APP_ID`, `ZEGO_APP_ID`) alone do not count: they also serve the
    /// token commands.
    pub fn configured(&self) -> Vec<Vendor> {
        let mut out = Vec::new();
        let lk = self.livekit_url.is_some()
            || self.livekit_api_secret.is_some()
            || self.livekit_api_secret_file.is_some()
            || env_present("LIVEKIT_URL");
        if lk {
            out.push(Vendor::LiveKit);
        }
        let agora = self.agora_customer_id.is_some()
            || self.agora_customer_secret.is_some()
            || self.agora_customer_secret_file.is_some()
            || env_present("AGORA_CUSTOMER_ID")
            || env_present("AGORA_CUSTOMER_SECRET")
            || env_present("AGORA_CUSTOMER_SECRET_FILE");
        if agora {
            out.push(Vendor::Agora);
        }
        let zego = self.zego_server_secret.is_some()
            || self.zego_server_secret_file.is_some()
            || env_present("ZEGO_SERVER_SECRET")
            || env_present("ZEGO_SERVER_SECRET_FILE");
        if zego {
            out.push(Vendor::Zego);
        }
        out
    }

    /// The vendor to talk to: `--vendor`, the one named by a recording id, or the only one
    /// configured.
    pub fn vendor(&self, from_id: Option<Vendor>) -> CliResult<Vendor> {
        let flag = self.vendor.map(Vendor::from);
        match (flag, from_id) {
            (Some(f), Some(id)) if f != id => {
                return Err(CliError::usage(format!(
                    "--vendor {f} contradicts the recording id, which belongs to {id}"
                )));
            }
            (_, Some(id)) => return Ok(id),
            (Some(f), None) => return Ok(f),
            (None, None) => {}
        }
        match self.configured().as_slice() {
            [one] => Ok(*one),
            [] => Err(CliError::usage(
                "no vendor configured: set LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET, AGORA_APP_ID/AGORA_CUSTOMER_ID/AGORA_CUSTOMER_SECRET or ZEGO_APP_ID/ZEGO_SERVER_SECRET (or the matching flags), or pass --vendor",
            )),
            many => Err(CliError::usage(format!(
                "credentials of several vendors are configured ({}): pass --vendor",
                many.iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The client for `vendor`, with recording storage when `recording` is set.
    pub fn client(&self, vendor: Vendor, recording: bool) -> CliResult<Box<dyn RoomService>> {
        let remote = |e: rtcmint::remote::RemoteError| CliError::usage(e.to_string());
        match vendor {
            Vendor::LiveKit => {
                let url = value(self.livekit_url.as_ref(), "LIVEKIT_URL")?.ok_or_else(|| {
                    CliError::usage("missing LiveKit URL: pass --livekit-url or set LIVEKIT_URL")
                })?;
                let key = value(self.livekit_api_key.as_ref(), "LIVEKIT_API_KEY")?.ok_or_else(
                    || CliError::usage("missing LiveKit API key: pass --livekit-api-key or set LIVEKIT_API_KEY"),
                )?;
                let secret = self.livekit_secret().require()?;
                Ok(Box::new(
                    LiveKitClient::new(&url, key, secret).map_err(remote)?,
                ))
            }
            Vendor::Agora => {
                let app = value(self.agora_app_id.as_ref(), "AGORA_APP_ID")?.ok_or_else(|| {
                    CliError::usage("missing Agora App ID: pass --agora-app-id or set AGORA_APP_ID")
                })?;
                let id = value(self.agora_customer_id.as_ref(), "AGORA_CUSTOMER_ID")?
                    .ok_or_else(|| {
                        CliError::usage("missing Agora Customer ID: pass --agora-customer-id or set AGORA_CUSTOMER_ID")
                    })?;
                let secret = self.agora_secret().require()?;
                let url = value(self.agora_api_url.as_ref(), "AGORA_API_URL")?
                    .unwrap_or_else(|| "https://api.agora.io".into());
                let rec_url = value(
                    self.agora_recording_api_url.as_ref(),
                    "AGORA_RECORDING_API_URL",
                )?
                .unwrap_or_else(|| "https://api.sd-rtn.com".into());
                let mut client = AgoraClient::new(&url, app, id, secret)
                    .map_err(remote)?
                    .with_recording_base_url(&rec_url)
                    .map_err(remote)?;
                if recording {
                    let s = Storage::from_env("AGORA")?;
                    let region: u32 = s.region.parse().map_err(|_| {
                        CliError::usage("AGORA_STORAGE_REGION must be the vendor's region number")
                    })?;
                    let mut storage =
                        AgoraStorage::new(s.vendor, region, s.bucket, s.access_key, s.secret_key);
                    if let Some(e) = s.endpoint {
                        storage = storage.endpoint(e);
                    }
                    let mut config = AgoraRecordingConfig::new(storage);
                    if let Some(cert) = self.agora_certificate().resolve()? {
                        config = config.recorder_certificate(cert);
                    }
                    client = client.with_recording(config);
                }
                Ok(Box::new(client))
            }
            Vendor::Zego => {
                let app = value(self.zego_app_id.as_ref(), "ZEGO_APP_ID")?.ok_or_else(|| {
                    CliError::usage("missing ZEGO App ID: pass --zego-app-id or set ZEGO_APP_ID")
                })?;
                let app: u32 = app.trim().parse().map_err(|_| {
                    CliError::usage(format!(
                        "ZEGO app id {app:?} is not a number from 1 to 4294967295"
                    ))
                })?;
                let secret = self.zego_secret().require()?;
                let url = value(self.zego_api_url.as_ref(), "ZEGO_API_URL")?
                    .unwrap_or_else(|| "https://rtc-api.zego.im".into());
                let rec_url = value(
                    self.zego_recording_api_url.as_ref(),
                    "ZEGO_RECORDING_API_URL",
                )?
                .unwrap_or_else(|| "https://cloudrecord-api.zego.im".into());
                let mut client = ZegoClient::new(&url, &rec_url, app, secret).map_err(remote)?;
                // DescribeRoomList works only once ZEGO has enabled it for the app.
                match value(None, "ZEGO_ROOM_LIST")?.as_deref() {
                    None | Some("0" | "false") => {}
                    Some("1" | "true") => client = client.with_room_list(true),
                    Some(_) => {
                        return Err(CliError::usage(
                            "ZEGO_ROOM_LIST must be 1/true (ZEGO enabled DescribeRoomList for the app) or 0/false",
                        ));
                    }
                }
                if recording {
                    let s = Storage::from_env("ZEGO")?;
                    let mut storage =
                        ZegoStorage::new(s.vendor, s.region, s.bucket, s.access_key, s.secret_key);
                    if let Some(e) = s.endpoint {
                        storage = storage.endpoint(e);
                    }
                    client = client.with_recording(storage);
                }
                Ok(Box::new(client))
            }
            other => Err(CliError::usage(format!(
                "{other} has no server API client in rtcmint"
            ))),
        }
    }
}

/// `{AGORA,ZEGO}_STORAGE_*`.
struct Storage {
    vendor: u32,
    region: String,
    bucket: String,
    access_key: String,
    secret_key: rtcmint::Secret,
    endpoint: Option<String>,
}

impl Storage {
    fn from_env(prefix: &str) -> CliResult<Self> {
        let name = |s: &str| format!("{prefix}_STORAGE_{s}");
        let get = |s: &str| value(None, &name(s));
        let required = ["VENDOR", "REGION", "BUCKET", "ACCESS_KEY"];
        let mut missing: Vec<String> = required
            .iter()
            .filter(|k| !env_present(&name(k)))
            .map(|k| name(k))
            .collect();
        let secret = SecretSource {
            flag: None,
            flag_name: "(no flag)",
            file: None,
            file_flag_name: "(no flag)",
            env: match prefix {
                "AGORA" => "AGORA_STORAGE_SECRET_KEY",
                _ => "ZEGO_STORAGE_SECRET_KEY",
            },
        }
        .resolve()?;
        if secret.is_none() {
            missing.push(name("SECRET_KEY"));
        }
        if !missing.is_empty() {
            return Err(CliError::usage(format!(
                "recording needs the storage it uploads to: set {}",
                missing.join(", ")
            )));
        }
        let vendor = get("VENDOR")?.unwrap_or_default();
        let vendor: u32 = vendor.trim().parse().map_err(|_| {
            CliError::usage(format!(
                "{} must be the storage vendor's number",
                name("VENDOR")
            ))
        })?;
        Ok(Storage {
            vendor,
            region: get("REGION")?.unwrap_or_default(),
            bucket: get("BUCKET")?.unwrap_or_default(),
            access_key: get("ACCESS_KEY")?.unwrap_or_default(),
            secret_key: secret.unwrap_or_else(|| rtcmint::Secret::new(String::new())),
            endpoint: get("ENDPOINT")?,
        })
    }
}
