//! `rtcmint serve`: the product's HTTP API, self-hosted (feature `serve`).
//!
//! Nine calls under `/v1/rtc/` (rooms, tokens, recordings, participants) across LiveKit, Agora
//! and ZEGOCLOUD, LiveKit's standard `POST /createToken`, and `/healthz`, `/readyz`, `/metrics`.
//!
//! - [`Gateway::router`] builds the one axum `Router`; the shared [`AppState`] sits in an `Arc`.
//! - Cross-cutting concerns are two tower layers (`layers.rs`): the frame of every request
//!   (request id, trace span and access line, CORS, the error envelope, metrics, timeout) and,
//!   on the API routes, bearer-key auth with the per-key rate limit.
//! - Every error is an [`error::ApiError`] rendered as one JSON shape.
//! - Storage is behind [`store::Store`] (SQLite built in).
//! - token.issue never touches the store: a room id encodes vendor and name ([`ids::RoomId`]).

//!
//! The request-body parsers ([`body`]) also build alone, with the light `serve-body` feature,
//! for the fuzz target.

pub mod body;

/// Declares items that need the full `serve` feature (all but the body parsers), once.
macro_rules! with_serve {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "serve")]
            $item
        )*
    };
}

with_serve! {
    pub mod auth;
    pub mod config;
    pub mod error;
    mod extract;
    mod gateway;
    mod handlers;
    pub mod idempotency;
    pub mod ids;
    mod layers;
    pub mod metrics;
    pub mod store;
    pub mod vendors;
    pub mod webhooks;

    pub use config::{FileConfig, LogFormat, RateLimit, ServeConfig};
    pub use gateway::{AppState, Gateway, ServeError, init_logging, run, shutdown_signal};
    pub use vendors::Vendors;
}
