//! Vendor API credentials, base URLs and recording storage for `room`, `participant` and
//! `recording`: the flags laid over the environment, read by the library's one reader
//! (`rtcmint::remote::config`, which the gateway uses too), and `--vendor` inference.
//!
//! Every flag sets one variable of that reader: `--livekit-url` is `LIVEKIT_URL`, `--app-id` is
//! `AGORA_APP_ID` or `ZEGO_APP_ID` by the vendor the command talks to (as in `agora mint`, `zego
//! mint` and `verify`). A flag for a vendor the command does not talk to is a usage error naming
//! the flag and the vendor, never ignored.

use std::path::PathBuf;

use clap::Args;
use rtcmint::remote::RoomService;
use rtcmint::remote::config::{
    ProcessEnv, ServiceOptions, StorageUse, Variables, VendorConfigError, configured_vendors,
    service,
};
use rtcmint::{Secret, Vendor};

use crate::util::{CliError, CliResult, SecretSource, VendorArg};

/// What every `room`, `participant` and `recording` command takes.
#[derive(Args, Debug, Clone, Default)]
pub struct RemoteArgs {
    /// The vendor; inferred when the server API of only one vendor is configured.
    #[arg(long, value_enum, global = true)]
    pub vendor: Option<VendorArg>,
    /// Print the records as JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// The app id of the vendor the command talks to: Agora's App ID [env: AGORA_APP_ID] or
    /// ZEGO's AppID [env: ZEGO_APP_ID]. Not for LiveKit (its server API takes
    /// --livekit-api-key).
    #[arg(long, value_name = "APP_ID", global = true)]
    pub app_id: Option<String>,
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
    /// Agora app certificate, to mint the cloud recorder's RTC token (`recording start` only,
    /// apps with the certificate enabled). Visible in the process list: prefer
    /// AGORA_APP_CERTIFICATE or --agora-app-certificate-file.
    #[arg(long, value_name = "SECRET", global = true)]
    pub agora_app_certificate: Option<String>,
    /// File holding the Agora app certificate (`recording start` only) [env:
    /// AGORA_APP_CERTIFICATE_FILE].
    #[arg(long, value_name = "PATH", global = true)]
    pub agora_app_certificate_file: Option<PathBuf>,
    /// Agora RESTful API base URL [env: AGORA_API_URL; default https://api.agora.io].
    #[arg(long, value_name = "URL", global = true)]
    pub agora_api_url: Option<String>,
    /// Agora Cloud Recording base URL [env: AGORA_RECORDING_API_URL; default: the Agora API
    /// URL when one is given, else https://api.sd-rtn.com].
    #[arg(long, value_name = "URL", global = true)]
    pub agora_recording_api_url: Option<String>,
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

/// Whose a flag is: one vendor, or the vendor the command talks to (`--app-id`: Agora or ZEGO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Vendor(Vendor),
    AppId,
}

/// What a flag holds.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Text(Option<&'a String>),
    /// A secret given on the command line (its `_FILE` twin is the next entry).
    Secret(Option<&'a String>),
    File(Option<&'a PathBuf>),
}

impl Value<'_> {
    fn given(self) -> bool {
        match self {
            Value::Text(v) | Value::Secret(v) => v.is_some(),
            Value::File(v) => v.is_some(),
        }
    }
}

/// One flag: its name, the variable it sets, whose it is, and its value.
#[derive(Debug, Clone, Copy)]
struct Flag<'a> {
    name: &'static str,
    var: &'static str,
    owner: Owner,
    value: Value<'a>,
}

/// The variable `--app-id` sets for `vendor`.
fn app_id_var(vendor: Vendor) -> Option<&'static str> {
    match vendor {
        Vendor::Agora => Some("AGORA_APP_ID"),
        Vendor::Zego => Some("ZEGO_APP_ID"),
        _ => None,
    }
}

/// The operation a command runs, for the flags that apply to one operation only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `recording start`: storage and the Agora recorder certificate apply.
    RecordingStart,
    /// Any other call.
    Other,
}

impl RemoteArgs {
    /// Every vendor flag with the variable it sets (`--app-id` is listed under `AGORA_APP_ID`;
    /// [`Cli::flag`] maps it by vendor).
    fn flags(&self) -> [Flag<'_>; 16] {
        use Owner::Vendor as V;
        use Value::{File, Secret, Text};
        let (lk, ag, zg) = (Vendor::LiveKit, Vendor::Agora, Vendor::Zego);
        let f = |name, var, owner, value| Flag {
            name,
            var,
            owner,
            value,
        };
        [
            f(
                "--app-id",
                "AGORA_APP_ID",
                Owner::AppId,
                Text(self.app_id.as_ref()),
            ),
            f(
                "--livekit-url",
                "LIVEKIT_URL",
                V(lk),
                Text(self.livekit_url.as_ref()),
            ),
            f(
                "--livekit-api-key",
                "LIVEKIT_API_KEY",
                V(lk),
                Text(self.livekit_api_key.as_ref()),
            ),
            f(
                "--livekit-api-secret",
                "LIVEKIT_API_SECRET",
                V(lk),
                Secret(self.livekit_api_secret.as_ref()),
            ),
            f(
                "--livekit-api-secret-file",
                "LIVEKIT_API_SECRET_FILE",
                V(lk),
                File(self.livekit_api_secret_file.as_ref()),
            ),
            f(
                "--agora-customer-id",
                "AGORA_CUSTOMER_ID",
                V(ag),
                Text(self.agora_customer_id.as_ref()),
            ),
            f(
                "--agora-customer-secret",
                "AGORA_CUSTOMER_SECRET",
                V(ag),
                Secret(self.agora_customer_secret.as_ref()),
            ),
            f(
                "--agora-customer-secret-file",
                "AGORA_CUSTOMER_SECRET_FILE",
                V(ag),
                File(self.agora_customer_secret_file.as_ref()),
            ),
            f(
                "--agora-app-certificate",
                "AGORA_APP_CERTIFICATE",
                V(ag),
                Secret(self.agora_app_certificate.as_ref()),
            ),
            f(
                "--agora-app-certificate-file",
                "AGORA_APP_CERTIFICATE_FILE",
                V(ag),
                File(self.agora_app_certificate_file.as_ref()),
            ),
            f(
                "--agora-api-url",
                "AGORA_API_URL",
                V(ag),
                Text(self.agora_api_url.as_ref()),
            ),
            f(
                "--agora-recording-api-url",
                "AGORA_RECORDING_API_URL",
                V(ag),
                Text(self.agora_recording_api_url.as_ref()),
            ),
            f(
                "--zego-server-secret",
                "ZEGO_SERVER_SECRET",
                V(zg),
                Secret(self.zego_server_secret.as_ref()),
            ),
            f(
                "--zego-server-secret-file",
                "ZEGO_SERVER_SECRET_FILE",
                V(zg),
                File(self.zego_server_secret_file.as_ref()),
            ),
            f(
                "--zego-api-url",
                "ZEGO_API_URL",
                V(zg),
                Text(self.zego_api_url.as_ref()),
            ),
            f(
                "--zego-recording-api-url",
                "ZEGO_RECORDING_API_URL",
                V(zg),
                Text(self.zego_recording_api_url.as_ref()),
            ),
        ]
    }

    /// The vendor to talk to: `--vendor`, the one named by a recording id, or the only one
    /// configured (by the environment or by the flags of the same variables).
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
        // The environment and the flags that configure a vendor (`--livekit-url`, …); any
        // other vendor flag is then refused by `check` if it names another vendor.
        let configured = configured_vendors(&Cli {
            args: self,
            vendor: Vendor::LiveKit,
        });
        match configured.as_slice() {
            [one] => Ok(*one),
            [] => Err(CliError::usage(
                "no vendor configured: set LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET, AGORA_APP_ID/AGORA_CUSTOMER_ID/AGORA_CUSTOMER_SECRET or ZEGO_APP_ID/ZEGO_SERVER_SECRET (or the matching flags), or pass --vendor",
            )),
            many => Err(CliError::usage(format!(
                "the server APIs of several vendors are configured ({}): pass --vendor",
                many.iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Refuses a flag that does not apply when talking to `vendor` for `op`.
    pub fn check(&self, vendor: Vendor, op: Operation) -> CliResult<()> {
        for f in self.flags().iter().filter(|f| f.value.given()) {
            match f.owner {
                Owner::AppId if app_id_var(vendor).is_none() => {
                    return Err(CliError::usage(format!(
                        "{} does not apply to {vendor}, which has no app id (its server API takes --livekit-api-key)",
                        f.name
                    )));
                }
                Owner::Vendor(v) if v != vendor => {
                    return Err(CliError::usage(format!(
                        "{} is a {v} flag, but this command talks to {vendor}; it does not apply",
                        f.name
                    )));
                }
                _ => {}
            }
            if f.var.starts_with("AGORA_APP_CERTIFICATE") && op != Operation::RecordingStart {
                return Err(CliError::usage(format!(
                    "{} applies to `recording start` only (the cloud recorder's token)",
                    f.name
                )));
            }
        }
        Ok(())
    }

    /// The client for `vendor` (checked with [`RemoteArgs::check`] first), with recording
    /// storage for `recording start`.
    pub fn client(&self, vendor: Vendor, op: Operation) -> CliResult<Box<dyn RoomService>> {
        self.check(vendor, op)?;
        let vars = Cli { args: self, vendor };
        let options = ServiceOptions {
            http: None,
            storage: match op {
                Operation::RecordingStart => StorageUse::Required,
                Operation::Other => StorageUse::Ignore,
            },
            required: true,
        };
        service(vendor, &vars, &options)
            .map_err(|e| CliError::usage(e.0))?
            .ok_or_else(|| CliError::usage(format!("{vendor} is not configured")))
    }
}

/// The flags over the environment, for one vendor.
struct Cli<'a> {
    args: &'a RemoteArgs,
    vendor: Vendor,
}

impl Cli<'_> {
    /// The flag that sets `var` when talking to this vendor.
    fn flag(&self, var: &str) -> Option<Flag<'_>> {
        self.args.flags().into_iter().find(|f| match f.owner {
            Owner::AppId => app_id_var(self.vendor) == Some(var),
            Owner::Vendor(_) => f.var == var,
        })
    }

    fn given(&self, var: &str) -> bool {
        self.flag(var).is_some_and(|f| f.value.given())
    }
}

impl Variables for Cli<'_> {
    fn var(&self, name: &str) -> Result<Option<String>, VendorConfigError> {
        match self.flag(name).map(|f| f.value) {
            Some(Value::Text(Some(v))) => Ok(Some(v.clone())),
            _ => ProcessEnv.var(name),
        }
    }

    fn secret(&self, name: &str) -> Result<Option<Secret>, VendorConfigError> {
        let file_var = format!("{name}_FILE");
        let (flag, flag_name) = match self.flag(name) {
            Some(Flag {
                name: flag_name,
                value: Value::Secret(v),
                ..
            }) => (v.map(String::as_str), flag_name),
            _ => (None, ""),
        };
        let (file, file_flag_name) = match self.flag(&file_var) {
            Some(Flag {
                name: flag_name,
                value: Value::File(v),
                ..
            }) => (v, flag_name),
            _ => (None, ""),
        };
        SecretSource {
            flag,
            flag_name,
            file,
            file_flag_name,
            env: name,
        }
        .resolve()
        .map_err(|e| VendorConfigError(e.message))
    }

    fn is_set(&self, name: &str) -> bool {
        self.given(name) || ProcessEnv.is_set(name)
    }

    fn describe(&self, name: &str) -> String {
        match self.flag(name) {
            Some(f) if f.value.given() => f.name.to_owned(),
            _ => name.to_owned(),
        }
    }

    fn how_to_set(&self, name: &str, secret: bool) -> String {
        let file_flag = self.flag(&format!("{name}_FILE")).map(|f| f.name);
        match (self.flag(name).map(|f| f.name), secret) {
            (Some(flag), true) => match file_flag {
                Some(file) => format!("{name}, {name}_FILE, {file} PATH or {flag}"),
                None => format!("{name}, {name}_FILE or {flag}"),
            },
            (Some(flag), false) => format!("{name} or pass {flag}"),
            (None, true) => format!("{name} or {name}_FILE"),
            (None, false) => name.to_owned(),
        }
    }
}
