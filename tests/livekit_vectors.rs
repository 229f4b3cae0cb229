//! LiveKit golden vectors (official Python SDK) and negative vectors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use hmac::{KeyInit, Mac};
use rtcmint::livekit::{
    AgentEndpointGrant, AgentGrant, AgentThreadGrant, ClaimGrants, InferenceGrant, LiveKitMinter,
    LiveKitVerifier, ObservabilityGrant, RoomConfiguration, SipGrant, VideoGrant, decode,
};
use rtcmint::{Error, ErrorKind};
use serde_json::{Map, Value, json};

const GOLDEN: &str = include_str!("vectors/livekit/python_vectors.json");
const NEGATIVE: &str = include_str!("vectors/livekit/negative_vectors.json");

const TRI_STATE: [&str; 6] = [
    "canPublish",
    "canSubscribe",
    "canPublishData",
    "canUpdateOwnMetadata",
    "canSubscribeMetrics",
    "canManageAgentSession",
];

/// Removes what differs between layouts without changing meaning: explicit `false` for plain
/// booleans (absent means false), and top-level empty `sub`, `metadata` and `attributes`.
fn normalize(v: &Value) -> Value {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, v)| **v != Value::Bool(false) || TRI_STATE.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let mut out = strip(v);
    if let Value::Object(m) = &mut out {
        m.retain(|_, v| *v != json!("") && *v != json!({}));
    }
    out
}

fn field<T: serde::de::DeserializeOwned>(inputs: &Map<String, Value>, key: &str) -> Option<T> {
    inputs
        .get(key)
        .map(|v| serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("input {key}: {e}")))
}

/// The grants the Python SDK builds from the vector inputs (its VideoGrants dataclass defaults
/// the three publish/subscribe permissions to true).
fn grants_from(inputs: &Map<String, Value>) -> ClaimGrants {
    let video = field::<VideoGrant>(inputs, "video").map(|mut v| {
        v.can_publish.get_or_insert(true);
        v.can_subscribe.get_or_insert(true);
        v.can_publish_data.get_or_insert(true);
        v
    });
    ClaimGrants {
        identity: field(inputs, "identity").unwrap_or_default(),
        name: field(inputs, "name").unwrap_or_default(),
        kind: field(inputs, "kind").unwrap_or_default(),
        kind_details: Vec::new(),
        video,
        sip: field::<SipGrant>(inputs, "sip"),
        agent: field::<AgentGrant>(inputs, "agent"),
        agent_endpoint: field::<AgentEndpointGrant>(inputs, "agent_endpoint"),
        agent_thread: field::<AgentThreadGrant>(inputs, "agent_thread"),
        inference: field::<InferenceGrant>(inputs, "inference"),
        observability: field::<ObservabilityGrant>(inputs, "observability"),
        sha256: field(inputs, "sha256").unwrap_or_default(),
        metadata: field(inputs, "metadata").unwrap_or_default(),
        attributes: field::<BTreeMap<String, String>>(inputs, "attributes").unwrap_or_default(),
        room_preset: field(inputs, "room_preset").unwrap_or_default(),
        room_config: field::<RoomConfiguration>(inputs, "room_config"),
    }
}

fn payload_json(token: &str) -> Value {
    use base64::Engine as _;
    let seg = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(seg)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn python_golden_vectors() {
    let doc: Value = serde_json::from_str(GOLDEN).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut minted = 0;
    let mut verified = 0;
    let mut refused = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let inputs = case["inputs"].as_object().unwrap();
        let key = inputs["api_key"].as_str().unwrap();
        let secret = inputs["api_secret"].as_str().unwrap();
        let now = inputs["now_unix"].as_i64().unwrap();
        let ttl = inputs["ttl_seconds"].as_u64().unwrap_or(21_600);
        let grants = grants_from(inputs);

        if case["result"] == "error" {
            let outcome = LiveKitMinter::new(key, secret)
                .and_then(|m| m.encode(&grants, now, std::time::Duration::from_secs(ttl)));
            match id {
                // The server accepts a join token without a room when the client names the room
                // at connect: we mint it, unlike the Python SDK.
                "join_without_room" => {
                    let token = outcome.unwrap_or_else(|e| panic!("{id}: {e}"));
                    let v = LiveKitVerifier::new(key, secret).unwrap();
                    v.verify_at(&token, now).unwrap();
                }
                "error_empty_secret" | "error_empty_api_key" => {
                    assert!(
                        matches!(outcome, Err(Error::InvalidCredentials { .. })),
                        "{id}: {outcome:?}"
                    );
                    refused += 1;
                }
                "error_join_without_identity" => {
                    assert!(
                        matches!(
                            outcome,
                            Err(Error::InvalidRequest {
                                field: "identity",
                                ..
                            })
                        ),
                        "{id}: {outcome:?}"
                    );
                    refused += 1;
                }
                other => panic!("unexpected error case {other}"),
            }
            continue;
        }

        // 1. The vector's signature is HMAC-SHA256 over the first two segments.
        let token = case["token"].as_str().unwrap();
        let (signed, _) = token.rsplit_once('.').unwrap();
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(signed.as_bytes());
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            case["signature_hex"].as_str().unwrap(),
            "{id}: signature"
        );

        // 2. Our verifier accepts the Python token and reads the same claims.
        let verifier = LiveKitVerifier::new(key, secret).unwrap();
        let claims = verifier
            .verify_at(token, now)
            .unwrap_or_else(|e| panic!("{id}: verify python token: {e}"));
        assert_eq!(
            normalize(&serde_json::to_value(&claims).unwrap()),
            normalize(&case["claims"]),
            "{id}: decoded claims"
        );
        assert_eq!(decode(token).unwrap().claims, claims, "{id}: decode");
        verified += 1;

        // 3. Minting the same inputs gives the same claims, and the token verifies.
        let minter = LiveKitMinter::new(key, secret).unwrap();
        match minter.encode(&grants, now, std::time::Duration::from_secs(ttl)) {
            Ok(ours) => {
                assert_eq!(
                    normalize(&payload_json(&ours)),
                    normalize(&case["claims"]),
                    "{id}: minted claims"
                );
                assert_eq!(verifier.verify_at(&ours, now).unwrap(), claims, "{id}");
                minted += 1;
            }
            // The Python SDK mints a 300-byte identity that the server then refuses; we refuse
            // at mint time.
            Err(Error::InvalidRequest {
                field: "identity", ..
            }) if id == "long_identity" => refused += 1,
            // No identity and no grant: a token naming nobody and granting nothing, which the
            // Python SDK mints and `lk token create` refuses; so do we.
            Err(Error::InvalidRequest {
                field: "identity", ..
            }) if id == "bare_no_grants" => refused += 1,
            Err(e) => panic!("{id}: mint: {e}"),
        }
    }
    println!(
        "livekit golden vectors: {verified} python tokens verified, {minted} re-minted, {refused} refused as expected, of {} cases",
        cases.len()
    );
    assert_eq!(verified, 51);
    assert_eq!(minted, 49);
    assert_eq!(refused, 5);
}

#[test]
fn negative_vectors_get_the_recommended_verdict() {
    let doc: Value = serde_json::from_str(NEGATIVE).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    let (mut accepted, mut rejected) = (0, 0);
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let outcome = LiveKitVerifier::new(
            v["api_key"].as_str().unwrap(),
            v["api_secret"].as_str().unwrap(),
        )
        .and_then(|ver| {
            ver.verify_at(
                v["token"].as_str().unwrap(),
                v["verify_at_unix"].as_i64().unwrap(),
            )
        });
        match v["recommended"].as_str().unwrap() {
            "accept" => {
                assert!(outcome.is_ok(), "{id}: expected accept, got {outcome:?}");
                accepted += 1;
            }
            "reject" => {
                let err = outcome.expect_err(id);
                // Time failures must be reported as time failures, signature ones as such.
                if id.starts_with("expired") || id.starts_with("nbf_future") {
                    assert_eq!(err.kind(), ErrorKind::Time, "{id}: {err}");
                }
                if matches!(
                    id,
                    "tampered_signature" | "tampered_payload" | "wrong_secret"
                ) {
                    assert_eq!(err.kind(), ErrorKind::Signature, "{id}: {err}");
                }
                rejected += 1;
            }
            other => panic!("{id}: unknown verdict {other}"),
        }
    }
    println!(
        "livekit negative vectors: {accepted} accepted, {rejected} rejected, as recommended ({} cases)",
        vectors.len()
    );
    assert_eq!(accepted + rejected, 54);
}
