//! Shared by the test files that run the `rtcmint` binary.

use std::process::Command;

/// Every environment variable the CLI reads credentials from.
pub const CREDENTIAL_VARS: [&str; 36] = [
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
    // The server-API commands (`room`, `participant`, `recording`).
    "LIVEKIT_URL",
    "AGORA_CUSTOMER_ID",
    "AGORA_CUSTOMER_SECRET",
    "AGORA_CUSTOMER_SECRET_FILE",
    "AGORA_API_URL",
    "AGORA_RECORDING_API_URL",
    "ZEGO_API_URL",
    "ZEGO_RECORDING_API_URL",
    "AGORA_STORAGE_VENDOR",
    "AGORA_STORAGE_REGION",
    "AGORA_STORAGE_BUCKET",
    "AGORA_STORAGE_ACCESS_KEY",
    "AGORA_STORAGE_SECRET_KEY",
    "AGORA_STORAGE_SECRET_KEY_FILE",
    "AGORA_STORAGE_ENDPOINT",
    "ZEGO_STORAGE_VENDOR",
    "ZEGO_STORAGE_REGION",
    "ZEGO_STORAGE_BUCKET",
    "ZEGO_STORAGE_ACCESS_KEY",
    "ZEGO_STORAGE_SECRET_KEY",
    "ZEGO_STORAGE_SECRET_KEY_FILE",
    "ZEGO_STORAGE_ENDPOINT",
    "ZEGO_ROOM_LIST",
];

/// The binary with a clean environment: no credentials leak in from the developer's shell.
pub fn rtcmint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rtcmint"));
    for var in CREDENTIAL_VARS {
        c.env_remove(var);
    }
    c
}
