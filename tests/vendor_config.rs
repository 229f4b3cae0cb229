//! One reader of the vendors' server-API variables (`rtcmint::remote::config`) for the CLI and
//! the gateway: what the CLI takes, `rtcmint serve` takes too (the storage endpoint, the Agora
//! recorder certificate), checked against the in-process vendor doubles.
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)]

mod remote_support;

use std::collections::HashMap;

use remote_support::agora::{APP_ID, AgoraDouble, CUSTOMER_ID, CUSTOMER_SECRET};
use remote_support::within;
use rtcmint::Vendor;
use rtcmint::remote::{HttpOptions, RecordingHandle, RecordingRequest};
use rtcmint::serve::Vendors;

const CERTIFICATE: &str = "5cfd2fd1755d40ecb72977518be15d3b";
const ENDPOINT: &str = "https://s3.storage.example.com";

fn agora_env(base: &str) -> HashMap<String, String> {
    [
        ("AGORA_APP_ID", APP_ID),
        ("AGORA_CUSTOMER_ID", CUSTOMER_ID),
        ("AGORA_CUSTOMER_SECRET", CUSTOMER_SECRET),
        ("AGORA_API_URL", base),
        ("AGORA_APP_CERTIFICATE", CERTIFICATE),
        ("AGORA_STORAGE_VENDOR", "11"),
        ("AGORA_STORAGE_REGION", "0"),
        ("AGORA_STORAGE_BUCKET", "bucket"),
        ("AGORA_STORAGE_ACCESS_KEY", "AK"),
        ("AGORA_STORAGE_SECRET_KEY", "SK"),
        ("AGORA_STORAGE_ENDPOINT", ENDPOINT),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn vendors(env: &HashMap<String, String>) -> Result<Vendors, String> {
    Vendors::from_lookup(&|k| env.get(k).cloned(), &HttpOptions::default()).map_err(|e| e.0)
}

#[tokio::test]
async fn the_gateway_takes_the_storage_endpoint_and_the_recorder_certificate() {
    within(30, async {
        let (double, server) = AgoraDouble::start().await;
        double.seed("live", 2, &[7], &[]);
        let v = vendors(&agora_env(&server.base_url)).unwrap();
        let agora = v.service(Vendor::Agora).expect("agora is configured");
        let rec = agora
            .start_recording(&RecordingRequest::new("live"))
            .await
            .unwrap();
        let RecordingHandle::Agora { sid, uid, .. } = rec.recording.handle() else {
            panic!("{:?}", rec.recording)
        };
        let request =
            double.state.lock().unwrap().sessions[sid.as_str()].request["clientRequest"].clone();
        // S3-compatible storage (vendor 11) needs the endpoint: it reaches the vendor.
        assert_eq!(
            request["storageConfig"]["extensionParams"]["endpoint"], ENDPOINT,
            "{request}"
        );
        assert_eq!(request["storageConfig"]["vendor"], 11);
        // The recorder's token is minted from AGORA_APP_CERTIFICATE, as the CLI does.
        let token = request["token"].as_str().unwrap();
        let info = rtcmint::agora::AgoraVerifier::new(CERTIFICATE)
            .unwrap()
            .verify(token)
            .unwrap();
        let info = serde_json::to_string(&info).unwrap();
        assert!(
            info.contains("\"live\"") && info.contains(uid.as_str()),
            "{info}"
        );
    })
    .await;
}

#[test]
fn the_gateway_refuses_partial_settings_naming_the_variable() {
    let base = "http://127.0.0.1:9";
    for (drop, named) in [
        ("AGORA_STORAGE_BUCKET", "AGORA_STORAGE_BUCKET"),
        ("AGORA_CUSTOMER_SECRET", "AGORA_CUSTOMER_SECRET"),
        ("AGORA_APP_ID", "AGORA_APP_ID"),
    ] {
        let mut env = agora_env(base);
        env.remove(drop);
        let e = vendors(&env).unwrap_err();
        assert!(e.contains(named), "without {drop}: {e}");
    }
    let mut env = agora_env(base);
    env.insert("AGORA_STORAGE_REGION".into(), "us-east-1".into());
    let e = vendors(&env).unwrap_err();
    assert!(
        e.contains("AGORA_STORAGE_REGION must be Agora's region number"),
        "{e}"
    );
    // The same reader as the CLI's: ZEGO_ROOM_LIST is checked here too.
    let env: HashMap<String, String> = [
        ("ZEGO_APP_ID", "1234567890"),
        ("ZEGO_SERVER_SECRET", "00112233445566778899aabbccddeeff"),
        ("ZEGO_ROOM_LIST", "yes"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let e = vendors(&env).unwrap_err();
    assert!(e.contains("ZEGO_ROOM_LIST must be 1/true"), "{e}");
}
