//! Issue 13, "show what is there": decoded tokens keep the token as encoded (exact header and
//! payload text, explicit defaults, unknown keys in token order) and list what rtcmint does not
//! know, for every vendor.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;

fn load(path: &str) -> Value {
    let p = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A compact HS256 JWT of exactly these header and payload texts.
fn jwt(header: &str, payload: &str, secret: &str) -> String {
    let signed = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(payload.as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    format!("{signed}.{}", b64url(&mac.finalize().into_bytes()))
}

#[test]
fn livekit_decode_keeps_every_vector_payload_exactly() {
    let doc = load("livekit/python_vectors.json");
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let Some(token) = case["token"].as_str() else {
            continue;
        };
        let id = case["id"].as_str().unwrap();
        let d = rtcmint::livekit::decode(token).unwrap();
        assert_eq!(d.header_json, case["header_json"].as_str().unwrap(), "{id}");
        assert_eq!(
            d.payload_json,
            case["payload_json"].as_str().unwrap(),
            "{id}"
        );
        assert!(d.unknown_keys.is_empty(), "{id}: {:?}", d.unknown_keys);
        // The JSON view embeds the raw text as JSON, key order kept.
        let out = serde_json::to_string(&d).unwrap();
        assert!(
            out.contains(&format!(
                "\"claims_raw\":{}",
                case["payload_json"].as_str().unwrap()
            )),
            "{id}: {out}"
        );
        checked += 1;
    }
    assert_eq!(checked, 51);
    // The explicit defaults and empty maps the typed view cannot hold are in the raw view.
    let by_id = |id: &str| {
        doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let d = rtcmint::livekit::decode(&by_id("video_explicit_false_flags")).unwrap();
    assert!(
        d.payload_json.contains("\"hidden\":false"),
        "{}",
        d.payload_json
    );
    assert!(!d.claims.grants.video.unwrap().hidden);
    let d = rtcmint::livekit::decode(&by_id("attributes_empty")).unwrap();
    assert!(
        d.payload_json.contains("\"attributes\":{}"),
        "{}",
        d.payload_json
    );
    let d = rtcmint::livekit::decode(&by_id("room_config_full")).unwrap();
    assert!(
        d.payload_json.contains("\"roomConfig\":{"),
        "{}",
        d.payload_json
    );
}

#[test]
fn livekit_decode_lists_unknown_claims_grants_and_header_parameters() {
    let payload = r#"{"zeta":1,"exp":1767226200,"iss":"APIkey","jti":"j","aud":"livekit","sub":"a","video":{"roomJoin":true,"room":"r","canSubscrbe":true,"hidden":false},"roomConfig":{"agents":[{"agentName":"x","future":1}]},"custom":{"k":"v"}}"#;
    let token = jwt(r#"{"alg":"HS256","typ":"JWT","x5u":"u"}"#, payload, "s");
    let d = rtcmint::livekit::decode(&token).unwrap();
    assert_eq!(d.payload_json, payload);
    let paths: Vec<_> = d.unknown_keys.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "header.x5u",
            "custom",
            "roomConfig.agents[0].future",
            "video.canSubscrbe",
            "zeta"
        ]
    );
    assert_eq!(d.unknown_keys[3].closest, Some("canSubscribe"));
    // Key order of the token, not sorted.
    let out = serde_json::to_string(&d).unwrap();
    assert!(
        out.contains(r#""claims_raw":{"zeta":1,"exp":1767226200"#),
        "{out}"
    );
    // Verify is unaffected by unknown content.
    let v = rtcmint::livekit::LiveKitVerifier::new("APIkey", "s").unwrap();
    assert_eq!(
        v.verify_at(&token, 1_767_226_000).unwrap().grants.identity,
        "a"
    );
}

/// A GCM token04 of exactly this plaintext.
fn zego_gcm(plaintext: &str, expire: i64, secret: &str) -> String {
    use aes_gcm::aead::Aead as _;
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(secret.as_bytes()).unwrap();
    let nonce = [7u8; 12];
    let ct = cipher.encrypt(&nonce.into(), plaintext.as_bytes()).unwrap();
    let mut bin = expire.to_be_bytes().to_vec();
    bin.extend_from_slice(&12u16.to_be_bytes());
    bin.extend_from_slice(&nonce);
    bin.extend_from_slice(&u16::try_from(ct.len()).unwrap().to_be_bytes());
    bin.extend_from_slice(&ct);
    bin.push(1);
    format!(
        "04{}",
        base64::engine::general_purpose::STANDARD.encode(bin)
    )
}

#[test]
fn zego_decode_keeps_the_plaintext_and_lists_unknown_keys() {
    let secret = "0123456789abcdef0123456789abcdef";
    let plaintext = r#"{"app_id":1,"user_id":"u","nonce":5,"ctime":100,"expire":200,"payload":"{\"room_id\":\"r\",\"privilege\":{\"1\":1,\"2\":0,\"3\":1},\"stream_id_list\":null,\"extra\":true}","region":"eu"}"#;
    let token = zego_gcm(plaintext, 200, secret);
    let d = rtcmint::zego::decode(&token, secret).unwrap();
    assert_eq!(d.plaintext, plaintext);
    let paths: Vec<_> = d.unknown_keys().into_iter().map(|u| u.path).collect();
    assert_eq!(paths, ["region", "payload.extra", "payload.privilege.3"]);
    // A token without unknown content lists nothing.
    let clean = zego_gcm(
        r#"{"app_id":1,"user_id":"u","nonce":5,"ctime":100,"expire":200,"payload":""}"#,
        200,
        secret,
    );
    assert!(
        rtcmint::zego::decode(&clean, secret)
            .unwrap()
            .unknown_keys()
            .is_empty()
    );
}

#[test]
fn agora_decode_keeps_unknown_services_as_raw_bytes() {
    let doc = load("agora/negative_vectors.json");
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "unknown_service_type_signed")
        .unwrap();
    let token = case["token"].as_str().unwrap();
    let d = rtcmint::agora::AccessToken2::decode(token).unwrap();
    assert_eq!(d.unknown_service_type, Some(99));
    assert_eq!(d.unparsed_bytes().len(), d.trailing_bytes);
    // Agora packs integers little-endian: the unknown service starts with its type.
    assert_eq!(d.unparsed_bytes().get(..2), Some(&99u16.to_le_bytes()[..]));
    let info = d.info();
    assert_eq!(
        info.unparsed_hex.as_deref(),
        Some(hex::encode(d.unparsed_bytes()).as_str())
    );
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["unknown_service_type"], 99);
    assert!(json["unparsed_hex"].is_string());
}

#[test]
fn agora_rtm2_permissions_show_the_names_used_to_mint_them() {
    use rtcmint::agora::Rtm2Permission;
    let p = Rtm2Permission::new(
        Rtm2Permission::STREAM_CHANNEL,
        Rtm2Permission::WRITE,
        ["live"],
    );
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["resource"], "stream-channel");
    assert_eq!(v["access"], "write");
    assert_eq!(v["resource_type"], 1);
    for (i, name) in Rtm2Permission::RESOURCE_NAMES.iter().enumerate() {
        assert_eq!(
            Rtm2Permission::parse_resource(name),
            Some(u16::try_from(i).unwrap())
        );
    }
    let unknown = Rtm2Permission::new(9, 5, ["x"]);
    let v = serde_json::to_value(&unknown).unwrap();
    assert!(v["resource"].is_null() && v["access"].is_null());
}
