//! The encrypted claims of a token04.

use serde::{Deserialize, Serialize};

use crate::json;

/// The decrypted claims of a token04, in the order the official Python/Node generators write them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claims {
    /// The ZEGO AppID. Minted tokens always carry a non-zero `u32`; a decoded token may carry any
    /// non-negative integer (the Python generator accepts larger values, and CBC tampering can
    /// produce them), which [`DecodeWarning::AppIdOutOfRange`](super::DecodeWarning) flags.
    pub app_id: u64,
    /// The user id that must be passed to `loginRoom`.
    pub user_id: String,
    /// A random integer (the server wants an int64).
    pub nonce: i64,
    /// Creation time, Unix seconds.
    pub ctime: i64,
    /// Expiry, Unix seconds (`ctime` + effective time).
    pub expire: i64,
    /// The payload string: `""` for an identity token, else usually a JSON document (the
    /// privilege payload). `None` when the claim is JSON `null` (Python generator given `None`) or
    /// absent (the UIKit test helper omits it).
    #[serde(default)]
    pub payload: Option<String>,
}

impl Claims {
    /// The payload as a string slice, `""` when it is null or absent.
    #[must_use]
    pub fn payload_str(&self) -> &str {
        self.payload.as_deref().unwrap_or("")
    }
}

/// Appends the plaintext claims JSON in the Python generator's exact byte style.
pub(crate) fn write_claims(
    out: &mut Vec<u8>,
    app_id: u32,
    user_id: &str,
    nonce: i64,
    ctime: i64,
    expire: i64,
    payload: &[u8],
) {
    let mut o = json::Object::new(out);
    o.u64("app_id", u64::from(app_id))
        .str("user_id", user_id.as_bytes())
        .i64("nonce", nonce)
        .i64("ctime", ctime)
        .i64("expire", expire)
        .str("payload", payload);
    o.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_plaintext() {
        let mut out = Vec::new();
        write_claims(
            &mut out,
            1_234_567_890,
            "user1",
            123_456_789,
            1_700_000_000,
            1_700_003_600,
            b"",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"app_id":1234567890,"user_id":"user1","nonce":123456789,"ctime":1700000000,"expire":1700003600,"payload":""}"#
        );
    }
}
