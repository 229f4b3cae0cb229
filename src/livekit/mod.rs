//! LiveKit access tokens (HS256 JWT): mint, decode and verify, with every grant.
//!
//! - [`LiveKitMinter`] mints from [`ClaimGrants`] (the full-fidelity API) or from the neutral
//!   [`TokenRequest`](crate::TokenRequest) through [`TokenMinter`](crate::TokenMinter).
//! - [`decode`] reads a token without a secret; [`LiveKitVerifier`] checks it.
//!
//! Tokens use the Rust SDK's layout: header `{"typ":"JWT","alg":"HS256"}`, claims `exp, iss,
//! nbf, sub, …` with defaults left out, no `iat`, maps in sorted order (so output is
//! reproducible). The HMAC key is the secret's UTF-8 bytes.

mod fast;
mod grants;
mod hs256;
mod mint;
mod schema;
mod verify;
mod wire;

pub use grants::{
    AgentEndpointGrant, AgentGrant, AgentThreadGrant, ClaimGrants, InferenceGrant,
    JobRestartPolicy, ObservabilityGrant, RoomAgentDispatch, RoomConfiguration, SipGrant,
    TrackSource, VideoGrant,
};
pub use mint::{KNOWN_KINDS, LiveKitMinter};
pub use verify::{Claims, DEFAULT_LEEWAY, DecodedToken, JwtHeader, LiveKitVerifier, decode};

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::vendor::Vendor;

/// The server's default cap on identity, name and room name, in bytes.
pub const LIMIT_NAME: usize = 256;
/// The server's default cap on participant metadata, in bytes.
pub const LIMIT_METADATA: usize = 512 * 1024;
/// The server's default cap on participant attributes (keys and values), in bytes.
pub const LIMIT_ATTRIBUTES: usize = 64 * 1024;

fn check_key_and_secret(api_key: &str, secret: &Secret) -> Result<()> {
    if api_key.is_empty() {
        return Err(Error::credentials(
            Vendor::LiveKit,
            "api key",
            "must not be empty (set LIVEKIT_API_KEY or pass the key)",
        ));
    }
    if secret.is_empty() {
        return Err(Error::credentials(
            Vendor::LiveKit,
            "api secret",
            "must not be empty (set LIVEKIT_API_SECRET or pass the secret)",
        ));
    }
    Ok(())
}
