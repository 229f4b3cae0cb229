//! An in-process gateway on 127.0.0.1:0, wired to the three vendor test doubles
//! (tests/remote_support). Included by the HTTP test files with `#[path]`, next to
//! `mod remote_support;`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rtcmint::remote::HttpOptions;
use rtcmint::serve::config::{ApiKeyEntry, parse_api_keys_env};
use rtcmint::serve::store::{SqliteStore, Store};
use rtcmint::serve::{Gateway, ServeConfig, Vendors};

use crate::remote_support::Running;
use crate::remote_support::agora::{self as ag, AgoraDouble};
use crate::remote_support::livekit::{self as lk, LiveKitDouble};
use crate::remote_support::zego::{self as zg, ZegoDouble};

/// The API key every test gateway accepts.
pub const KEY: &str = "test-api-key-0123456789";
/// A second key.
pub const KEY2: &str = "second-api-key-0123456789";
/// The Agora app certificate of the tests (the double does not check tokens).
pub const AGORA_CERT: &str = "fedcba9876543210fedcba9876543210";

pub struct Doubles {
    pub lk: Arc<LiveKitDouble>,
    pub agora: Arc<AgoraDouble>,
    pub zego: Arc<ZegoDouble>,
    pub running: Vec<Running>,
}

impl Doubles {
    pub async fn start() -> Self {
        let (lk, r1) = LiveKitDouble::start().await;
        let (agora, r2) = AgoraDouble::start().await;
        let (zego, r3) = ZegoDouble::start().await;
        Doubles {
            lk,
            agora,
            zego,
            running: vec![r1, r2, r3],
        }
    }

    /// The environment variables that configure all three vendors against the doubles.
    pub fn env(&self) -> HashMap<String, String> {
        let lk = &self.running[0].base_url;
        let ag = &self.running[1].base_url;
        let zg = &self.running[2].base_url;
        let mut m = HashMap::new();
        for (k, v) in [
            ("LIVEKIT_URL", lk.as_str()),
            ("LIVEKIT_API_KEY", lk::KEY),
            ("LIVEKIT_API_SECRET", lk::SECRET),
            ("AGORA_APP_ID", ag::APP_ID),
            ("AGORA_APP_CERTIFICATE", AGORA_CERT),
            ("AGORA_CUSTOMER_ID", ag::CUSTOMER_ID),
            ("AGORA_CUSTOMER_SECRET", ag::CUSTOMER_SECRET),
            ("AGORA_API_URL", ag.as_str()),
            ("AGORA_STORAGE_VENDOR", "1"),
            ("AGORA_STORAGE_REGION", "0"),
            ("AGORA_STORAGE_BUCKET", "bucket"),
            ("AGORA_STORAGE_ACCESS_KEY", "AK"),
            ("AGORA_STORAGE_SECRET_KEY", "SK"),
            ("ZEGO_SERVER_SECRET", zg::SERVER_SECRET),
            ("ZEGO_API_URL", zg.as_str()),
            ("ZEGO_RECORDING_API_URL", zg.as_str()),
            ("ZEGO_STORAGE_VENDOR", "1"),
            ("ZEGO_STORAGE_REGION", "us-east-1"),
            ("ZEGO_STORAGE_BUCKET", "bucket"),
            ("ZEGO_STORAGE_ACCESS_KEY", "AK"),
            ("ZEGO_STORAGE_SECRET_KEY", "SK"),
        ] {
            m.insert(k.to_owned(), v.to_owned());
        }
        m.insert("ZEGO_APP_ID".into(), zg::APP_ID.to_string());
        m
    }

    pub fn vendors(&self) -> Vendors {
        vendors_from(&self.env())
    }
}

pub fn fast_http() -> HttpOptions {
    HttpOptions::default()
        .timeout(Duration::from_millis(1500))
        .max_retries(1)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

pub fn vendors_from(env: &HashMap<String, String>) -> Vendors {
    Vendors::from_lookup(&|k| env.get(k).cloned(), &fast_http()).unwrap()
}

pub fn keys() -> Vec<ApiKeyEntry> {
    parse_api_keys_env(&format!("{KEY},{KEY2}")).unwrap()
}

pub fn config() -> ServeConfig {
    let mut c = ServeConfig::default();
    c.api_keys = keys();
    c.idempotency_wait = Duration::from_secs(5);
    c
}

pub async fn sqlite(path: &std::path::Path) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", path.display());
    Arc::new(SqliteStore::open(&url).await.unwrap())
}

/// A running gateway.
pub struct Gw {
    pub base: String,
    pub http: reqwest::Client,
    pub gateway: Gateway,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Gw {
    pub async fn start(config: ServeConfig, vendors: Vendors, store: Arc<dyn Store>) -> Self {
        Self::start_with_clock(config, vendors, store, Arc::new(rtcmint::SystemClock)).await
    }

    /// As [`Gw::start`], with the gateway's clock.
    pub async fn start_with_clock(
        config: ServeConfig,
        vendors: Vendors,
        store: Arc<dyn Store>,
        clock: Arc<dyn rtcmint::Clock>,
    ) -> Self {
        let gateway = Gateway::with_clock(config, vendors, store, clock).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let g = gateway.clone();
        let task = tokio::spawn(async move {
            g.serve(listener, async move {
                let _ = rx.await;
            })
            .await
        });
        Gw {
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            gateway,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signals shutdown and waits for the server to return.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(t) => t.await.unwrap(),
            None => Ok(()),
        }
    }

    pub fn signal_shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> Resp {
        self.send(self.http.post(self.url(path)).json(&body), Some(KEY))
            .await
    }

    pub async fn post_with(
        &self,
        path: &str,
        body: serde_json::Value,
        idem: Option<&str>,
        key: Option<&str>,
    ) -> Resp {
        let mut r = self.http.post(self.url(path)).json(&body);
        if let Some(k) = idem {
            r = r.header("Idempotency-Key", k);
        }
        self.send(r, key).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path)), Some(KEY)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.http.delete(self.url(path)), Some(KEY)).await
    }

    pub async fn send(&self, mut r: reqwest::RequestBuilder, key: Option<&str>) -> Resp {
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }
}

impl Drop for Gw {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: serde_json::Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code`.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &serde_json::Value {
        assert_eq!(self.status, status, "{}", self.text);
        &self.json
    }

    /// Asserts the error shape: status, code, and the request id of the response header.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &serde_json::Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.code(), code, "{}", self.text);
        let e = &self.json["error"];
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            self.text
        );
        let rid = self.header("x-request-id").expect("x-request-id header");
        assert_eq!(e["request_id"].as_str(), Some(rid), "{}", self.text);
        e
    }
}
