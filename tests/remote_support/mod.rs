//! In-process, stateful test doubles of the vendors' server APIs, on 127.0.0.1 with port 0.
//!
//! Each double parses requests on its own (`serde_json::Value`, its own query parsing): it
//! shares no types with the client, so a wrong field name cannot "pass" on both sides. It
//! enforces the vendor's auth, answers with the vendor's documented shapes, and can inject
//! faults: a canned answer (5xx, 429), a slow answer, malformed JSON, a reset connection.
#![allow(dead_code)]

pub mod agora;
pub mod livekit;
pub mod zego;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpListener, TcpStream};

/// One injected fault, consumed by the next request that reaches the double.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, content type and body (and `Retry-After` if given).
    Respond {
        status: u16,
        content_type: &'static str,
        body: String,
        retry_after: Option<u64>,
    },
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Answer 200 with a truncated JSON body.
    Malformed,
}

impl Fault {
    pub fn json(status: u16, body: &str) -> Self {
        Fault::Respond {
            status,
            content_type: "application/json",
            body: body.to_owned(),
            retry_after: None,
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Fault::Respond {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_owned(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(self, secs: u64) -> Self {
        match self {
            Fault::Respond {
                status,
                content_type,
                body,
                ..
            } => Fault::Respond {
                status,
                content_type,
                body,
                retry_after: Some(secs),
            },
            other => other,
        }
    }
}

/// What every double shares: the fault queue, the reset counter, the request log and a clock.
#[derive(Debug, Default)]
pub struct Common {
    faults: Mutex<VecDeque<(Option<String>, Fault)>>,
    /// Faults applied after the handler ran: the vendor acted, the client sees this instead.
    faults_after: Mutex<VecDeque<(Option<String>, Fault)>>,
    /// Arrival times of the requests, in the order of `log`.
    times: Mutex<Vec<std::time::Instant>>,
    resets: Arc<AtomicU32>,
    log: Mutex<Vec<String>>,
    /// The double's clock, Unix seconds; 0 means the system clock.
    now: AtomicI64,
}

impl Common {
    pub fn push_fault(&self, fault: Fault) {
        self.faults.lock().unwrap().push_back((None, fault));
    }

    /// Queues a fault for the next request that the handler has *acted on*: a `Respond`
    /// replaces its answer (a 504 after the vendor started something), a `Slow` delays it
    /// (the client times out after the vendor acted).
    pub fn push_fault_after(&self, fault: Fault) {
        self.faults_after.lock().unwrap().push_back((None, fault));
    }

    /// As [`Common::push_fault`], for the next request whose path or query contains `needle`.
    pub fn push_fault_on(&self, needle: &str, fault: Fault) {
        self.faults
            .lock()
            .unwrap()
            .push_back((Some(needle.to_owned()), fault));
    }

    /// As [`Common::push_fault_after`], for the next request whose path or query contains
    /// `needle`.
    pub fn push_fault_after_on(&self, needle: &str, fault: Fault) {
        self.faults_after
            .lock()
            .unwrap()
            .push_back((Some(needle.to_owned()), fault));
    }

    fn take(queue: &Mutex<VecDeque<(Option<String>, Fault)>>, target: &str) -> Option<Fault> {
        let mut q = queue.lock().unwrap();
        let i = q
            .iter()
            .position(|(n, _)| n.as_deref().is_none_or(|n| target.contains(n)))?;
        q.remove(i).map(|(_, f)| f)
    }

    /// Time between the arrivals of requests `i` and `j` of the log.
    pub fn gap(&self, i: usize, j: usize) -> Duration {
        let t = self.times.lock().unwrap();
        t[j].duration_since(t[i])
    }

    /// Applies the next after-fault to a handler's answer.
    pub async fn after(&self, uri: &Uri, response: Response) -> Response {
        let fault = Self::take(&self.faults_after, &uri.to_string());
        match fault {
            None | Some(Fault::Malformed) => response,
            Some(Fault::Slow(d)) => {
                tokio::time::sleep(d).await;
                response
            }
            Some(Fault::Respond {
                status,
                content_type,
                body,
                ..
            }) => respond(status, content_type, &body),
        }
    }

    /// Resets (closes without answering) the next `n` connections.
    pub fn reset_next_connections(&self, n: u32) {
        self.resets.store(n, Ordering::SeqCst);
    }

    /// `METHOD path` of every request that reached a handler.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn hits(&self, needle: &str) -> usize {
        self.log().iter().filter(|l| l.contains(needle)).count()
    }

    pub fn set_now(&self, now: i64) {
        self.now.store(now, Ordering::SeqCst);
    }

    pub fn now(&self) -> i64 {
        match self.now.load(Ordering::SeqCst) {
            0 => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64,
            n => n,
        }
    }

    /// Logs the request and applies the next fault: `Some(response)` ends the request.
    pub async fn before(&self, method: &Method, uri: &Uri) -> Option<Response> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{method} {}", uri.path()));
        self.times.lock().unwrap().push(std::time::Instant::now());
        let fault = Self::take(&self.faults, &uri.to_string());
        match fault {
            None => None,
            Some(Fault::Slow(d)) => {
                tokio::time::sleep(d).await;
                None
            }
            Some(Fault::Malformed) => {
                Some(respond(200, "application/json", "{\"rooms\": [{\"sid\": "))
            }
            Some(Fault::Respond {
                status,
                content_type,
                body,
                retry_after,
            }) => {
                let mut r = respond(status, content_type, &body);
                if let Some(s) = retry_after {
                    r.headers_mut()
                        .insert("retry-after", s.to_string().parse().unwrap());
                }
                Some(r)
            }
        }
    }
}

pub fn respond(status: u16, content_type: &str, body: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", content_type)
        // One request per connection, so a connection reset hits exactly the next request.
        .header("connection", "close")
        .header("x-request-id", "req-test-0001")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub fn json(status: u16, v: &serde_json::Value) -> Response {
    respond(status, "application/json", &v.to_string())
}

/// A listener that can drop the next connections without answering.
struct ResettingListener {
    inner: TcpListener,
    resets: Arc<AtomicU32>,
}

impl axum::serve::Listener for ResettingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Ok((mut stream, addr)) = self.inner.accept().await else {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            };
            let pending = self.resets.load(Ordering::SeqCst);
            if pending > 0 {
                self.resets.store(pending - 1, Ordering::SeqCst);
                // Read the request, then abort the connection (RST) without answering.
                let mut buf = [0u8; 4096];
                let _ = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
                let _ = stream.set_zero_linger();
                drop(stream);
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A running double; the server task stops when this is dropped.
pub struct Running {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on 127.0.0.1, port 0.
pub async fn serve(router: axum::Router, common: &Common) -> Running {
    let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = inner.local_addr().unwrap();
    let listener = ResettingListener {
        inner,
        resets: Arc::clone(&common.resets),
    };
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Running {
        base_url: format!("http://{addr}"),
        task,
    }
}

/// Decodes `application/x-www-form-urlencoded` text (the double's own parser).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query pairs, decoded, in order.
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The handler signature every double uses.
pub type Parts = (Method, Uri, HeaderMap, Bytes);

/// A current-thread runtime test helper: fails instead of hanging.
pub async fn within<T>(secs: u64, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test step timed out")
}
