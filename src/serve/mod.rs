//! `rtcmint serve`: the product's HTTP API, self-hosted (feature `serve`).
//!
//! Nine calls under `/v1/rtc/` (rooms, tokens, recordings, participants) across LiveKit, Agora
//! and ZEGOCLOUD, LiveKit's standard `POST /createToken`, and `/healthz`, `/readyz`, `/metrics`.
//!
//! - [`Gateway::router`] builds the one axum `Router`; the shared [`AppState`] sits in an `Arc`.
//! - Cross-cutting concerns are tower layers: request id, trace, timeout, CORS, the error
//!   envelope, metrics, and (on the API routes) bearer-key auth and the per-key rate limit.
//! - Every error is an [`error::ApiError`] rendered as one JSON shape.
//! - Storage is behind [`store::Store`] (SQLite built in).
//! - token.issue never touches the store: a room id encodes vendor and name ([`ids::RoomId`]).

//!
//! The request-body parsers ([`body`]) also build alone, with the light `serve-body` feature,
//! for the fuzz target.

pub mod body;

#[cfg(feature = "serve")]
pub mod auth;
#[cfg(feature = "serve")]
pub mod config;
#[cfg(feature = "serve")]
pub mod error;
#[cfg(feature = "serve")]
mod extract;
#[cfg(feature = "serve")]
mod gateway;
#[cfg(feature = "serve")]
mod handlers;
#[cfg(feature = "serve")]
pub mod idempotency;
#[cfg(feature = "serve")]
pub mod ids;
#[cfg(feature = "serve")]
mod layers;
#[cfg(feature = "serve")]
pub mod metrics;
#[cfg(feature = "serve")]
pub mod store;
#[cfg(feature = "serve")]
pub mod vendors;
#[cfg(feature = "serve")]
pub mod webhooks;

#[cfg(feature = "serve")]
pub use config::{FileConfig, LogFormat, RateLimit, ServeConfig};
#[cfg(feature = "serve")]
pub use gateway::{AppState, Gateway, ServeError, init_logging, run, shutdown_signal};
#[cfg(feature = "serve")]
pub use vendors::Vendors;
