//! Which vendors the gateway serves, from their credentials: the same environment variables as
//! the CLI, read for the server APIs by the CLI's own reader, [`crate::remote::config`].
//!
//! | vendor | tokens | rooms, recordings, participants |
//! |---|---|---|
//! | LiveKit | `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET` | plus `LIVEKIT_URL` |
//! | Agora | `AGORA_APP_ID`, `AGORA_APP_CERTIFICATE` | `AGORA_APP_ID`, `AGORA_CUSTOMER_ID`, `AGORA_CUSTOMER_SECRET` (`AGORA_API_URL`, `AGORA_RECORDING_API_URL`; recording storage `AGORA_STORAGE_*` including `_ENDPOINT`; the recorder's token from `AGORA_APP_CERTIFICATE`) |
//! | ZEGO | `ZEGO_APP_ID`, `ZEGO_SERVER_SECRET` | the same (`ZEGO_API_URL`, `ZEGO_RECORDING_API_URL`, `ZEGO_ROOM_LIST`; storage `ZEGO_STORAGE_*`) |
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
use crate::remote::config::{Lookup, ProcessEnv, ServiceOptions, StorageUse, Variables, service};
use crate::remote::{HttpOptions, RoomService};
use crate::vendor::Vendor;
use crate::zego::ZegoMinter;

pub use crate::remote::config::{
    AGORA_API_URL, AGORA_RECORDING_API_URL, VendorConfigError, ZEGO_API_URL, ZEGO_RECORDING_API_URL,
};

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
        Self::from_variables(&ProcessEnv, http)
    }

    /// Reads the vendors from `env` (a variable lookup), with `http` for the API clients.
    ///
    /// # Errors
    /// [`VendorConfigError`] naming the variable at fault.
    pub fn from_lookup(
        env: &dyn Fn(&str) -> Option<String>,
        http: &HttpOptions,
    ) -> Result<Self, VendorConfigError> {
        Self::from_variables(&Lookup(env), http)
    }

    /// Reads the vendors from `vars`: the token credentials here, the server APIs through
    /// [`crate::remote::config::service`] (the same reader as the CLI's).
    ///
    /// # Errors
    /// [`VendorConfigError`] naming the variable at fault.
    pub fn from_variables(
        vars: &dyn Variables,
        http: &HttpOptions,
    ) -> Result<Self, VendorConfigError> {
        let mut v = Vendors::none();

        // Tokens.
        let lk = pair(
            vars.var("LIVEKIT_API_KEY")?,
            "LIVEKIT_API_KEY",
            vars.secret("LIVEKIT_API_SECRET")?,
            "LIVEKIT_API_SECRET",
        )?;
        v.webhooks = Receivers::from_secrets(
            lk.clone(),
            vars.secret("AGORA_WEBHOOK_SECRET")?,
            vars.secret("ZEGO_CALLBACK_SECRET")?,
        )?;
        if let Some((key, secret)) = lk {
            let minter = |key: &str| {
                LiveKitMinter::new(key.to_owned(), secret.clone())
                    .map_err(map_err("LIVEKIT_API_KEY/LIVEKIT_API_SECRET"))
            };
            v.minters = v.minters.with(Box::new(minter(&key)?));
            v.livekit = Some(minter(&key)?);
            v.livekit_url = vars.var("LIVEKIT_URL")?;
        }
        if let Some(cert) = vars.secret("AGORA_APP_CERTIFICATE")? {
            let app = vars.var("AGORA_APP_ID")?.ok_or_else(|| {
                VendorConfigError("AGORA_APP_CERTIFICATE is set but AGORA_APP_ID is not".into())
            })?;
            let minter = AgoraMinter::new(app, cert).map_err(map_err("AGORA_APP_CERTIFICATE"))?;
            v.minters = v.minters.with(Box::new(minter));
        }
        let zego = pair(
            vars.var("ZEGO_APP_ID")?,
            "ZEGO_APP_ID",
            vars.secret("ZEGO_SERVER_SECRET")?,
            "ZEGO_SERVER_SECRET",
        )?;
        if let Some((app, secret)) = zego {
            let app = app.trim().parse::<u32>().map_err(|_| {
                VendorConfigError(format!(
                    "ZEGO_APP_ID must be a number from 1 to 4294967295, got `{app}`"
                ))
            })?;
            let minter = ZegoMinter::new(app, secret).map_err(map_err("ZEGO_SERVER_SECRET"))?;
            v.minters = v.minters.with(Box::new(minter));
        }

        // Server APIs.
        let options = ServiceOptions {
            http: Some(http.clone()),
            storage: StorageUse::IfSet,
            required: false,
        };
        for vendor in ALL {
            if let Some(s) = service(vendor, vars, &options)? {
                v = v.with_service(Arc::from(s));
            }
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
