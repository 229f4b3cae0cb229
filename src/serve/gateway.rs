//! The gateway itself: shared state, the router (built here and only here), serving with
//! graceful shutdown, logging set-up.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::{delete, get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::config::LogFormat;
use super::error::{ApiError, ApiResult};
use super::store::Store;
use super::{
    auth, config::ServeConfig, handlers, idempotency, layers, metrics, vendors::Vendors, webhooks,
};
use crate::clock::{Clock, SystemClock};

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    pub(crate) vendors: Vendors,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keys: auth::Keys,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) config: ServeConfig,
    pub(crate) clock: Arc<dyn Clock>,
}

impl AppState {
    pub(crate) fn now(&self) -> ApiResult<i64> {
        self.clock
            .now()
            .map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// A start-up failure of the gateway.
#[derive(Debug)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// One gateway: state plus router.
#[derive(Debug, Clone)]
pub struct Gateway {
    state: Arc<AppState>,
}

impl Gateway {
    /// A gateway over an opened store.
    ///
    /// # Errors
    /// [`ServeError`] when no API key is configured and `insecure_no_auth` is not set.
    pub fn new(
        config: ServeConfig,
        vendors: Vendors,
        store: Arc<dyn Store>,
    ) -> Result<Self, ServeError> {
        Self::with_clock(config, vendors, store, Arc::new(SystemClock))
    }

    /// As [`Gateway::new`], with the clock used for records and idempotency expiry.
    ///
    /// # Errors
    /// As [`Gateway::new`].
    pub fn with_clock(
        config: ServeConfig,
        vendors: Vendors,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ServeError> {
        if config.api_keys.is_empty() && !config.insecure_no_auth {
            return Err(ServeError(
                "no API keys: set RTCMINT_API_KEYS or --api-keys-file (or --insecure-no-auth for local development only)".into(),
            ));
        }
        let keys = auth::Keys::new(&config.api_keys, config.rate_limit, config.insecure_no_auth);
        let mut vendors = vendors;
        vendors.webhooks = std::mem::take(&mut vendors.webhooks)
            .configure(config.webhook_max_age, config.webhook_body_limit);
        Ok(Gateway {
            state: Arc::new(AppState {
                vendors,
                store,
                keys,
                metrics: metrics::Metrics::new(),
                config,
                clock,
            }),
        })
    }

    /// The shared state.
    #[must_use]
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The router: every route and layer, built in this one place.
    pub fn router(&self) -> Router {
        let state = Arc::clone(&self.state);
        let cfg = &state.config;
        let api = Router::new()
            .route("/v1/rtc/room/create", post(handlers::room_create))
            .route("/v1/rtc/room/get/{room}", get(handlers::room_get))
            .route("/v1/rtc/room/list", get(handlers::room_list))
            .route("/v1/rtc/room/delete/{room}", delete(handlers::room_delete))
            .route("/v1/rtc/token/issue", post(handlers::token_issue))
            .route("/v1/rtc/recording/start", post(handlers::recording_start))
            .route(
                "/v1/rtc/recording/stop/{recording}",
                post(handlers::recording_stop),
            )
            .route(
                "/v1/rtc/recording/get/{recording}",
                get(webhooks::recording_get),
            )
            .route(
                "/v1/rtc/participant/list/{room}",
                get(handlers::participant_list),
            )
            .route(
                "/v1/rtc/participant/kick/{room}",
                post(handlers::participant_kick),
            )
            .route("/createToken", post(handlers::create_token))
            // Auth, then the rate limit, on the API routes only.
            .layer(layers::AuthLayer(Arc::clone(&state)));
        // The vendors' webhooks: no API key (the signature is the authentication).
        let hooks = Router::new().route("/v1/rtc/webhooks/{vendor}", post(webhooks::receive));
        let ops = Router::new()
            .route("/healthz", get(handlers::healthz))
            .route("/readyz", get(handlers::readyz))
            .route("/metrics", get(handlers::metrics));
        Router::new()
            .merge(api)
            .merge(hooks)
            .merge(ops)
            .fallback(handlers::not_found)
            .method_not_allowed_fallback(layers::method_not_allowed)
            // Request id, span and access line, CORS, error envelope, metrics, timeout: one
            // layer (layers.rs says why).
            .layer(layers::FrameLayer::new(
                Arc::clone(&state),
                cors(&cfg.cors_origins),
            ))
            .with_state(state)
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting and waits up to
    /// `shutdown_timeout` for in-flight calls. A background task purges expired idempotency
    /// keys meanwhile.
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = Arc::clone(&self.state);
        let purge = tokio::spawn(purge_loop(Arc::clone(&state)));
        let grace = state.config.shutdown_timeout;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = self.router();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutdown requested: no new connections; finishing in-flight calls");
            let _ = tx.send(());
        });
        let mut server = std::pin::pin!(server.into_future());
        let result = tokio::select! {
            r = &mut server => r,
            () = async {
                let _ = rx.await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!(grace_s = grace.as_secs(), "in-flight calls did not finish within the shutdown timeout");
                Ok(())
            }
        };
        purge.abort();
        result
    }
}

/// Deletes expired idempotency keys and webhook records every minute, in batches of 500, so no
/// purge holds the database for long.
async fn purge_loop(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Ok(now) = state.now() else { continue };
        purge_in_batches("idempotency keys", || {
            state.store.purge_expired_idempotency(now, PURGE_BATCH)
        })
        .await;
        purge_in_batches("webhook records", || {
            state.store.purge_expired_webhooks(now, PURGE_BATCH)
        })
        .await;
    }
}

const PURGE_BATCH: u32 = 500;

/// Runs `purge` (one batch) until a batch comes back short.
async fn purge_in_batches<F, Fut>(what: &str, mut purge: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = super::store::StoreResult<u64>>,
{
    loop {
        match purge().await {
            Ok(n) if n >= u64::from(PURGE_BATCH) => tokio::task::yield_now().await,
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(purged = n, "expired {what} purged");
                }
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, "purging expired {what} failed");
                break;
            }
        }
    }
}

fn cors(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            HeaderName::from_static(idempotency::HEADER),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotent-replayed"),
            axum::http::header::RETRY_AFTER,
        ])
        .max_age(Duration::from_secs(600))
}

/// Sets up `tracing` logs (text or JSON lines on standard error) with `filter`
/// (`info`, `rtcmint=debug,warn`, ...).
///
/// # Errors
/// [`ServeError`] for a bad filter.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<(), ServeError> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| ServeError(format!("bad log filter `{filter}`: {e}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let r = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
    r.map_err(|e| ServeError(format!("cannot set up logging: {e}")))
}

/// Runs a gateway until SIGTERM or SIGINT: opens and migrates the store, binds, serves.
///
/// # Errors
/// [`ServeError`] for the store, the bind or the configuration.
pub async fn run(config: ServeConfig, vendors: Vendors) -> Result<(), ServeError> {
    let store = super::store::open(&config.database)
        .await
        .map_err(|e| ServeError(e.to_string()))?;
    if config.insecure_no_auth {
        tracing::warn!(
            "AUTHENTICATION IS OFF (--insecure-no-auth): anyone who can reach {} can mint tokens and control rooms; local development only",
            config.listen
        );
    }
    let listen = config.listen;
    let backend = store.backend();
    let vendors_desc = format!(
        "tokens: {:?}; rooms/recordings: {:?}; webhooks: {:?}",
        vendors.token_vendors(),
        vendors.service_vendors(),
        vendors.webhook_vendors()
    );
    let keys = config.api_keys.len();
    let gateway = Gateway::new(config, vendors, store)?;
    let signal = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ServeError(format!("cannot listen on {listen}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| ServeError(format!("cannot read the bound address: {e}")))?;
    tracing::info!(listen = %local, store = backend, api_keys = keys, vendors = %vendors_desc, "rtcmint gateway listening");
    gateway
        .serve(listener, signal)
        .await
        .map_err(|e| ServeError(format!("server error: {e}")))?;
    tracing::info!("rtcmint gateway stopped");
    Ok(())
}

/// Registers for SIGTERM and SIGINT (Ctrl-C) now, and returns a future that resolves on either.
/// Registering before the "listening" log line means a signal sent right after it is never
/// lost to the default action.
///
/// # Errors
/// [`ServeError`] when the handlers cannot be installed.
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, ServeError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())
            .map_err(|e| ServeError(format!("cannot handle SIGTERM: {e}")))?;
        let mut int = signal(SignalKind::interrupt())
            .map_err(|e| ServeError(format!("cannot handle SIGINT: {e}")))?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
