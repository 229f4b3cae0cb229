//! Shared by the test files that run the `rtcmint` binary.

use std::process::Command;

/// Every environment variable the CLI reads credentials from.
pub const CREDENTIAL_VARS: [&str; 13] = [
    "LIVEKIT_API_KEY",
    "LIVEKIT_API_SECRET",
    "LIVEKIT_API_SECRET_FILE",
    "AGORA_APP_ID",
    "AGORA_APP_CERTIFICATE",
    "AGORA_APP_CERTIFICATE_FILE",
    "ZEGO_APP_ID",
    "ZEGO_SERVER_SECRET",
    "ZEGO_SERVER_SECRET_FILE",
    "AGORA_WEBHOOK_SECRET",
    "AGORA_WEBHOOK_SECRET_FILE",
    "ZEGO_CALLBACK_SECRET",
    "ZEGO_CALLBACK_SECRET_FILE",
];

/// The binary with a clean environment: no credentials leak in from the developer's shell.
pub fn rtcmint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rtcmint"));
    for var in CREDENTIAL_VARS {
        c.env_remove(var);
    }
    c
}
