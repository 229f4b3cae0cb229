//! Which vendors the gateway serves, from their credentials: the same environment variables as
//! the CLI.
//!
//! | vendor | tokens | rooms, recordings, participants |
//! |---|---|---|
//! | LiveKit | `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET` | plus `LIVEKIT_URL` |
//! | Agora | `AGORA_APP_ID`, `AGORA_APP_CERTIFICATE` | `AGORA_APP_ID`, `AGORA_CUSTOMER_ID`, `AGORA_CUSTOMER_SECRET` (`AGORA_API_URL`, `AGORA_RECORDING_API_URL`; recording storage `AGORA_STORAGE_*`) |
//! | ZEGO | `ZEGO_APP_ID`, `ZEGO_SERVER_SECRET` | the same (`ZEGO_API_URL`, `ZEGO_RECORDING_API_URL`; storage `ZEGO_STORAGE_*`) |
//!
//! Webhooks (`POST /v1/rtc/webhooks/{vendor}`, see [`super::webhooks`]): LiveKit with its API key
//! pair, Agora with `AGORA_WEBHOOK_SECRET`, ZEGO with `ZEGO_CALLBACK_SECRET`.
//!
//! Every secret variable also has a `_FILE` form naming a file that holds it. A vendor given half
//! of a credential pair is a start-up error naming the missing variable, never a vendor silently
//! left out.

use std::sync::Arc;

use super::webhooks::Receivers;
use crate::TokenMinter;
use crate::agora::AgoraMinter;
use crate::batch::MinterSet;
use crate::livekit::LiveKitMinter;
use crate::remote::{
    AgoraClient, AgoraRecordingConfig, AgoraStorage, HttpOptions, LiveKitClient, RoomService,
    ZegoClient, ZegoStorage,
};
use crate::secret::Secret;
use crate::vendor::Vendor;
use crate::zego::ZegoMinter;

/// Agora's RESTful API host.
pub const AGORA_API_URL: &str = "https://api.agora.io";
/// ZEGO's server API host.
pub const ZEGO_API_URL: &str = "https://rtc-api.zego.im";
/// ZEGO's Cloud Recording host.
pub const ZEGO_RECORDING_API_URL: &str = "https://cloudrecord-api.zego.im";

/// The configured vendors: a minter per vendor with token credentials, a [`RoomService`] per
/// vendor with API credentials.
pub struct Vendors {
    pub(crate) minters: MinterSet,
    pub(crate) livekit: Option<LiveKitMinter>,
    pub(crate) livekit_url: Option<String>,
    services: [Option<Arc<dyn RoomService>>; 3],
    pub(crate) webhooks: Receivers,
}

impl std::fmt::Debug for Vendors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vendors")
            .field("minters", &self.minters)
            .field("livekit_url", &self.livekit_url)
            .field("tokens", &self.token_vendors())
            .field("services", &self.service_vendors())
            .field("webhooks", &self.webhooks.vendors())
            .finish()
    }
}

const ALL: [Vendor; 3] = [Vendor::LiveKit, Vendor::Agora, Vendor::Zego];

fn slot(v: Vendor) -> usize {
    match v {
        Vendor::LiveKit => 0,
        Vendor::Agora => 1,
        Vendor::Zego => 2,
    }
}

/// A configuration problem found at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorConfigError(pub String);

impl std::fmt::Display for VendorConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VendorConfigError {}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A plain variable, empty counted as unset.
fn var(env: Env<'_>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.is_empty())
}

/// A secret: `NAME`, else the file `NAME_FILE` names (trailing newline removed).
fn secret(env: Env<'_>, name: &str) -> Result<Option<Secret>, VendorConfigError> {
    if let Some(v) = var(env, name) {
        return Ok(Some(Secret::new(v)));
    }
    let file_var = format!("{name}_FILE");
    let Some(path) = var(env, &file_var) else {
        return Ok(None);
    };
    let text = crate::serve::config::read_small_file(std::path::Path::new(&path))
        .map_err(|e| VendorConfigError(format!("{file_var}: {e}")))?;
    let trimmed = text.trim_end_matches(['\n', '\r']);
    Ok(Some(Secret::new(trimmed.to_owned())))
}

/// Both or neither: `Ok(None)` when neither is set.
fn pair<A, B>(
    a: Option<A>,
    a_name: &str,
    b: Option<B>,
    b_name: &str,
) -> Result<Option<(A, B)>, VendorConfigError> {
    match (a, b) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(VendorConfigError(format!(
            "{a_name} is set but {b_name} is not (set both, or neither)"
        ))),
        (None, Some(_)) => Err(VendorConfigError(format!(
            "{b_name} is set but {a_name} is not (set both, or neither)"
        ))),
    }
}

fn map_err<E: std::fmt::Display>(prefix: &str) -> impl Fn(E) -> VendorConfigError + '_ {
    move |e| VendorConfigError(format!("{prefix}: {e}"))
}

fn number<T: std::str::FromStr>(env: Env<'_>, name: &str) -> Result<Option<T>, VendorConfigError> {
    var(env, name)
        .map(|v| {
            v.trim()
                .parse::<T>()
                .map_err(|_| VendorConfigError(format!("{name} must be a number, got `{v}`")))
        })
        .transpose()
}

struct Storage {
    vendor: u32,
    region: String,
    bucket: String,
    access_key: String,
    secret_key: Secret,
    endpoint: Option<String>,
}

fn storage(env: Env<'_>, prefix: &str) -> Result<Option<Storage>, VendorConfigError> {
    let names = [
        "VENDOR",
        "REGION",
        "BUCKET",
        "ACCESS_KEY",
        "SECRET_KEY",
        "ENDPOINT",
    ]
    .map(|n| format!("{prefix}_STORAGE_{n}"));
    let [vendor_n, region_n, bucket_n, access_n, secret_n, endpoint_n] = &names;
    let vendor = number::<u32>(env, vendor_n)?;
    let region = var(env, region_n);
    let bucket = var(env, bucket_n);
    let access = var(env, access_n);
    let secret_key = secret(env, secret_n)?;
    let endpoint = var(env, endpoint_n);
    let any = vendor.is_some()
        || region.is_some()
        || bucket.is_some()
        || access.is_some()
        || secret_key.is_some()
        || endpoint.is_some();
    if !any {
        return Ok(None);
    }
    let missing: Vec<&str> = [
        (vendor.is_none(), vendor_n.as_str()),
        (region.is_none(), region_n.as_str()),
        (bucket.is_none(), bucket_n.as_str()),
        (access.is_none(), access_n.as_str()),
        (secret_key.is_none(), secret_n.as_str()),
    ]
    .into_iter()
    .filter_map(|(m, n)| m.then_some(n))
    .collect();
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
        _ => Err(VendorConfigError(format!(
            "recording storage is partly configured: missing {}",
            missing.join(", ")
        ))),
    }
}

impl Vendors {
    /// No vendor at all (every call answers `vendor_not_configured`).
    #[must_use]
    pub fn none() -> Self {
        Vendors {
            minters: MinterSet::new(),
            livekit: None,
            livekit_url: None,
            services: [None, None, None],
            webhooks: Receivers::none(),
        }
    }

    /// Reads the vendors from the process environment.
    ///
    /// # Errors
    /// [`VendorConfigError`] naming the variable at fault.
    pub fn from_env(http: &HttpOptions) -> Result<Self, VendorConfigError> {
        Self::from_lookup(&|name| std::env::var(name).ok(), http)
    }

    /// Reads the vendors from `env` (a variable lookup), with `http` for the API clients.
    ///
    /// # Errors
    /// [`VendorConfigError`] naming the variable at fault.
    pub fn from_lookup(
        env: &dyn Fn(&str) -> Option<String>,
        http: &HttpOptions,
    ) -> Result<Self, VendorConfigError> {
        let mut v = Vendors::none();

        // LiveKit.
        let lk = pair(
            var(env, "LIVEKIT_API_KEY"),
            "LIVEKIT_API_KEY",
            secret(env, "LIVEKIT_API_SECRET")?,
            "LIVEKIT_API_SECRET",
        )?;
        let lk_url = var(env, "LIVEKIT_URL");
        v.webhooks = Receivers::from_secrets(
            lk.clone(),
            secret(env, "AGORA_WEBHOOK_SECRET")?,
            secret(env, "ZEGO_CALLBACK_SECRET")?,
        )?;
        if let Some((key, secret)) = lk {
            let minter = LiveKitMinter::new(key.clone(), secret.clone())
                .map_err(map_err("LIVEKIT_API_KEY/LIVEKIT_API_SECRET"))?;
            v.minters = v.minters.with(Box::new(minter));
            v.livekit = Some(
                LiveKitMinter::new(key.clone(), secret.clone())
                    .map_err(map_err("LIVEKIT_API_KEY/LIVEKIT_API_SECRET"))?,
            );
            if let Some(url) = &lk_url {
                let client = LiveKitClient::new(url, key, secret)
                    .and_then(|c| c.with_http_options(http.clone()))
                    .map_err(map_err("LIVEKIT_URL"))?;
                v = v.with_service(Arc::new(client));
            }
            v.livekit_url = lk_url;
        } else if lk_url.is_some() {
            return Err(VendorConfigError(
                "LIVEKIT_URL is set but LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not".into(),
            ));
        }

        // Agora.
        let agora_app = var(env, "AGORA_APP_ID");
        let agora_cert = secret(env, "AGORA_APP_CERTIFICATE")?;
        if let Some(cert) = agora_cert {
            let app = agora_app.clone().ok_or_else(|| {
                VendorConfigError("AGORA_APP_CERTIFICATE is set but AGORA_APP_ID is not".into())
            })?;
            let minter = AgoraMinter::new(app, cert).map_err(map_err("AGORA_APP_CERTIFICATE"))?;
            v.minters = v.minters.with(Box::new(minter));
        }
        let rest = pair(
            var(env, "AGORA_CUSTOMER_ID"),
            "AGORA_CUSTOMER_ID",
            secret(env, "AGORA_CUSTOMER_SECRET")?,
            "AGORA_CUSTOMER_SECRET",
        )?;
        let agora_storage = storage(env, "AGORA")?;
        if let Some((customer_id, customer_secret)) = rest {
            let app = agora_app.clone().ok_or_else(|| {
                VendorConfigError("AGORA_CUSTOMER_ID is set but AGORA_APP_ID is not".into())
            })?;
            let base = var(env, "AGORA_API_URL").unwrap_or_else(|| AGORA_API_URL.to_owned());
            let mut client = AgoraClient::new(&base, app, customer_id, customer_secret)
                .and_then(|c| c.with_http_options(http.clone()))
                .map_err(map_err("AGORA_API_URL"))?;
            if let Some(rec) = var(env, "AGORA_RECORDING_API_URL") {
                client = client
                    .with_recording_base_url(&rec)
                    .map_err(map_err("AGORA_RECORDING_API_URL"))?;
            }
            if let Some(s) = agora_storage {
                let region = s.region.parse::<u32>().map_err(|_| {
                    VendorConfigError(format!(
                        "AGORA_STORAGE_REGION must be Agora's region number, got `{}`",
                        s.region
                    ))
                })?;
                if s.endpoint.is_some() {
                    return Err(VendorConfigError(
                        "AGORA_STORAGE_ENDPOINT is not supported by this version of the Agora client"
                            .into(),
                    ));
                }
                client = client.with_recording(AgoraRecordingConfig::new(AgoraStorage::new(
                    s.vendor,
                    region,
                    s.bucket,
                    s.access_key,
                    s.secret_key,
                )));
            }
            v = v.with_service(Arc::new(client));
        } else if agora_storage.is_some() {
            return Err(VendorConfigError(
                "AGORA_STORAGE_* is set but AGORA_CUSTOMER_ID/AGORA_CUSTOMER_SECRET are not".into(),
            ));
        }

        // ZEGO.
        let zego = pair(
            number::<u32>(env, "ZEGO_APP_ID")?,
            "ZEGO_APP_ID",
            secret(env, "ZEGO_SERVER_SECRET")?,
            "ZEGO_SERVER_SECRET",
        )?;
        let zego_storage = storage(env, "ZEGO")?;
        if let Some((app, server_secret)) = zego {
            let minter = ZegoMinter::new(app, server_secret.clone())
                .map_err(map_err("ZEGO_SERVER_SECRET"))?;
            v.minters = v.minters.with(Box::new(minter));
            let rtc = var(env, "ZEGO_API_URL").unwrap_or_else(|| ZEGO_API_URL.to_owned());
            let rec = var(env, "ZEGO_RECORDING_API_URL")
                .unwrap_or_else(|| ZEGO_RECORDING_API_URL.to_owned());
            let mut client = ZegoClient::new(&rtc, &rec, app, server_secret)
                .and_then(|c| c.with_http_options(http.clone()))
                .map_err(map_err("ZEGO_API_URL"))?;
            if let Some(s) = zego_storage {
                let mut st =
                    ZegoStorage::new(s.vendor, s.region, s.bucket, s.access_key, s.secret_key);
                if let Some(e) = s.endpoint {
                    st = st.endpoint(e);
                }
                client = client.with_recording(st);
            }
            v = v.with_service(Arc::new(client));
        } else if zego_storage.is_some() {
            return Err(VendorConfigError(
                "ZEGO_STORAGE_* is set but ZEGO_APP_ID/ZEGO_SERVER_SECRET are not".into(),
            ));
        }
        Ok(v)
    }

    /// Adds (or replaces) a room service (tests and embedders).
    #[must_use]
    pub fn with_service(mut self, service: Arc<dyn RoomService>) -> Self {
        let i = slot(service.vendor());
        if let Some(s) = self.services.get_mut(i) {
            *s = Some(service);
        }
        self
    }

    /// Adds (or replaces) a minter.
    #[must_use]
    pub fn with_minter(mut self, minter: Box<dyn TokenMinter>) -> Self {
        self.minters = self.minters.with(minter);
        self
    }

    /// The minter of `vendor`.
    #[must_use]
    pub fn minter(&self, vendor: Vendor) -> Option<&dyn TokenMinter> {
        self.minters.get(vendor)
    }

    /// The room service of `vendor`.
    #[must_use]
    pub fn service(&self, vendor: Vendor) -> Option<&Arc<dyn RoomService>> {
        self.services.get(slot(vendor)).and_then(Option::as_ref)
    }

    /// Vendors that can mint tokens.
    #[must_use]
    pub fn token_vendors(&self) -> Vec<Vendor> {
        ALL.into_iter()
            .filter(|v| self.minter(*v).is_some())
            .collect()
    }

    /// Vendors with API credentials.
    #[must_use]
    pub fn service_vendors(&self) -> Vec<Vendor> {
        ALL.into_iter()
            .filter(|v| self.service(*v).is_some())
            .collect()
    }

    /// Vendors whose webhook endpoint is on.
    #[must_use]
    pub fn webhook_vendors(&self) -> Vec<Vendor> {
        self.webhooks.vendors()
    }

    /// Vendors with anything configured.
    #[must_use]
    pub fn configured(&self) -> Vec<Vendor> {
        ALL.into_iter()
            .filter(|v| self.minter(*v).is_some() || self.service(*v).is_some())
            .collect()
    }
}
