//! Two `rtcmint serve` processes (the built binary) on one PostgreSQL database, in front of the
//! vendor test doubles: they must behave as one gateway. Rooms, recordings and idempotency keys
//! made through one are seen through the other; concurrent duplicates of one key sent to both make
//! exactly one vendor call; replay survives a restart; expired keys are reclaimed and purged while
//! requests keep being served.
//!
//! Needs `RTCMINT_TEST_DATABASE_URL` (set by `.ci/run`); without it each test prints that it was
//! skipped, and under CI it fails.
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)]

mod pg_support;
mod remote_support;

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use remote_support::{Fault, agora, livekit};
use serde_json::{Value, json};

const API_KEY: &str = "test-api-key-0123456789";
const AGORA_CERT: &str = "fedcba9876543210fedcba9876543210";

/// The vendor doubles both instances talk to.
struct Doubles {
    livekit: Arc<livekit::LiveKitDouble>,
    _lk: remote_support::Running,
    agora: Arc<agora::AgoraDouble>,
    _ag: remote_support::Running,
}

async fn doubles() -> Doubles {
    let (livekit, lk) = livekit::LiveKitDouble::start().await;
    let (agora, ag) = agora::AgoraDouble::start().await;
    Doubles {
        livekit,
        _lk: lk,
        agora,
        _ag: ag,
    }
}

/// One running gateway process.
struct Instance {
    child: Child,
    base: String,
    logs: Arc<Mutex<Vec<String>>>,
}

/// How the instance is told the database URL.
#[derive(Clone, Copy)]
enum UrlFrom {
    Flag,
    Env,
}

fn start(d: &Doubles, db_url: &str, from: UrlFrom, extra: &[&str]) -> Instance {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtcmint"));
    cmd.env_clear()
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(extra)
        .env("RTCMINT_API_KEYS", API_KEY)
        .env("RTCMINT_LOG", "info")
        .env("LIVEKIT_API_KEY", livekit::KEY)
        .env("LIVEKIT_API_SECRET", livekit::SECRET)
        .env("LIVEKIT_URL", &d._lk.base_url)
        .env("AGORA_APP_ID", agora::APP_ID)
        .env("AGORA_APP_CERTIFICATE", AGORA_CERT)
        .env("AGORA_CUSTOMER_ID", agora::CUSTOMER_ID)
        .env("AGORA_CUSTOMER_SECRET", agora::CUSTOMER_SECRET)
        .env("AGORA_API_URL", &d._ag.base_url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match from {
        UrlFrom::Flag => {
            cmd.args(["--database", db_url]);
        }
        UrlFrom::Env => {
            cmd.env("RTCMINT_DATABASE_URL", db_url);
        }
    }
    let mut child = cmd.spawn().expect("start rtcmint serve");
    let stderr = child.stderr.take().unwrap();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let sink = Arc::clone(&logs);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && let Some(addr) = v.get("listen").and_then(Value::as_str)
            {
                let _ = tx.send(addr.to_owned());
            }
            sink.lock().unwrap().push(line);
        }
    });
    let Ok(addr) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = child.kill();
        panic!(
            "the gateway did not report its address; its log:\n{}",
            logs.lock().unwrap().join("\n")
        );
    };
    Instance {
        child,
        base: format!("http://{addr}"),
        logs,
    }
}

impl Instance {
    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "gateway exited with {status}; log:\n{}",
            self.logs.lock().unwrap().join("\n")
        );
    }

    fn log_text(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, the `Idempotent-Replayed` header, the body bytes and JSON.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    replayed: Option<String>,
    bytes: Vec<u8>,
    json: Value,
}

impl Answer {
    fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    idem: Option<&str>,
) -> Answer {
    let url = format!("{base}{path}");
    let mut req = match method {
        "GET" => http.get(&url),
        "DELETE" => http.delete(&url),
        _ => http.post(&url),
    }
    .bearer_auth(API_KEY);
    if let Some(k) = idem {
        req = req.header("Idempotency-Key", k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let replayed = resp
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        replayed,
        bytes,
        json,
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_rooms_recordings_and_keys() {
    let Some(db) =
        pg_support::fresh_database("two_instances_share_rooms_recordings_and_keys").await
    else {
        return;
    };
    let d = doubles().await;
    let wait = ["--idempotency-wait", "1s"];
    let a = start(&d, &db.url, UrlFrom::Flag, &wait);
    let b = start(&d, &db.url, UrlFrom::Env, &wait);
    let c = http();
    for i in [&a, &b] {
        let ready = call(&c, &i.base, "GET", "/readyz", None, None).await;
        assert_eq!(ready.status, 200, "{:?}", ready.json);
        assert_eq!(ready.json["store"], "postgres", "{:?}", ready.json);
    }

    // A room created through A (Agora: the gateway's record is the only one) ...
    let created = call(
        &c,
        &a.base,
        "POST",
        "/v1/rtc/room/create",
        Some(
            json!({"name": "standup", "vendor": "agora", "max_participants": 12,
                    "metadata": {"team": "core"}}),
        ),
        None,
    )
    .await;
    assert!(created.success(), "{:?}", created.json);
    let room = created.json["room"].as_str().unwrap().to_owned();
    // ... is read, listed, used for tokens and deleted through B.
    let got = call(
        &c,
        &b.base,
        "GET",
        &format!("/v1/rtc/room/get/{room}"),
        None,
        None,
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.json);
    assert_eq!(got.json["name"], "standup");
    assert_eq!(got.json["max_participants"], 12);
    assert_eq!(got.json["metadata"], json!({"team": "core"}));
    assert_eq!(got.json["created_at"], created.json["created_at"]);
    let listed = call(
        &c,
        &b.base,
        "GET",
        "/v1/rtc/room/list?vendor=agora",
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{:?}", listed.json);
    let ids: Vec<&str> = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["room"].as_str())
        .collect();
    assert!(ids.contains(&room.as_str()), "{ids:?}");
    let token = call(
        &c,
        &b.base,
        "POST",
        "/v1/rtc/token/issue",
        Some(json!({"room": room, "identity": "1001"})),
        None,
    )
    .await;
    assert!(token.success(), "{:?}", token.json);
    let info = rtcmint::agora::AgoraVerifier::new(AGORA_CERT)
        .unwrap()
        .with_expected_app_id(agora::APP_ID)
        .verify_at(token.json["token"].as_str().unwrap(), now())
        .unwrap();
    assert!(format!("{info:?}").contains("standup"), "{info:?}");
    assert!(
        !d.agora.common.log().is_empty(),
        "B asked the vendor for the live occupancy"
    );
    let deleted = call(
        &c,
        &b.base,
        "DELETE",
        &format!("/v1/rtc/room/delete/{room}"),
        None,
        None,
    )
    .await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.json);
    let gone = call(
        &c,
        &a.base,
        "GET",
        &format!("/v1/rtc/room/get/{room}"),
        None,
        None,
    )
    .await;
    assert_eq!(gone.status, 404, "{:?}", gone.json);

    // A recording started through A is stopped through B.
    let lk_room = call(
        &c,
        &a.base,
        "POST",
        "/v1/rtc/room/create",
        Some(json!({"name": "town-hall", "vendor": "livekit"})),
        None,
    )
    .await;
    assert!(lk_room.success(), "{:?}", lk_room.json);
    let lk_room = lk_room.json["room"].as_str().unwrap().to_owned();
    let started = call(
        &c,
        &a.base,
        "POST",
        "/v1/rtc/recording/start",
        Some(json!({"room": lk_room})),
        None,
    )
    .await;
    assert!(started.success(), "{:?}", started.json);
    let rec = started.json["recording"].as_str().unwrap().to_owned();
    let stopped = call(
        &c,
        &b.base,
        "POST",
        &format!("/v1/rtc/recording/stop/{rec}"),
        Some(json!({})),
        None,
    )
    .await;
    assert_eq!(stopped.status, 200, "{:?}", stopped.json);
    assert_eq!(stopped.json["recording"], rec.as_str());
    assert!(
        d.livekit
            .state
            .lock()
            .unwrap()
            .egress
            .values()
            .all(|e| e.status == "EGRESS_COMPLETE")
    );
    let mut conn = pg_support::connect(&db.url).await;
    let (status, room_id): (String, String) =
        sqlx::query_as("SELECT status, room_id FROM recordings WHERE id = $1")
            .bind(&rec)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(room_id, lk_room, "B kept the room A recorded");
    assert_ne!(status, "starting");

    // Concurrent duplicates of one key, half to A and half to B, while the vendor is slow:
    // one vendor call; the first answers, the others 409 `in_progress` (they wait 1 s).
    let start_hits = |d: &Doubles| d.livekit.common.hits("StartRoomCompositeEgress");
    let hits_before = start_hits(&d);
    d.livekit
        .common
        .push_fault(Fault::Slow(Duration::from_millis(3000)));
    let body = json!({"room": lk_room, "audio_only": true});
    let answers = duplicates(&c, &[&a.base, &b.base], 8, &body, "dup-409").await;
    assert_eq!(start_hits(&d) - hits_before, 1, "exactly one vendor call");
    let ok: Vec<&Answer> = answers.iter().filter(|r| r.success()).collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| !r.success()) {
        assert_eq!(r.status, 409, "{r:?}");
        assert_eq!(r.json["error"]["code"], "in_progress", "{r:?}");
    }
    let first = ok[0].bytes.clone();
    for base in [&a.base, &b.base] {
        let again = call(
            &c,
            base,
            "POST",
            "/v1/rtc/recording/start",
            Some(body.clone()),
            Some("dup-409"),
        )
        .await;
        assert!(again.success());
        assert_eq!(again.bytes, first, "replays carry the first body");
        assert_eq!(again.replayed.as_deref(), Some("true"));
    }
    assert_eq!(start_hits(&d) - hits_before, 1);

    // The same key with another request, through the other instance: 422.
    let reused = call(
        &c,
        &b.base,
        "POST",
        "/v1/rtc/recording/start",
        Some(json!({"room": lk_room, "audio_only": false})),
        Some("dup-409"),
    )
    .await;
    assert_eq!(reused.status, 422, "{:?}", reused.json);
    assert_eq!(reused.json["error"]["code"], "idempotency_key_reused");

    // Replay after a restart: A stops (SIGTERM) and comes back on the same database.
    a.stop();
    let a2 = start(&d, &db.url, UrlFrom::Env, &wait);
    let replay = call(
        &c,
        &a2.base,
        "POST",
        "/v1/rtc/recording/start",
        Some(body.clone()),
        Some("dup-409"),
    )
    .await;
    assert!(replay.success());
    assert_eq!(replay.bytes, first);
    assert_eq!(replay.replayed.as_deref(), Some("true"));
    assert_eq!(
        start_hits(&d) - hits_before,
        1,
        "no second vendor call after the restart"
    );
    assert!(
        !a2.log_text().contains(API_KEY),
        "the API key is never logged"
    );
    let password = db
        .url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p.to_owned());
    for log in [a2.log_text(), b.log_text()] {
        assert!(!log.contains(&db.url), "the database URL is never logged");
        if let Some(p) = &password {
            assert!(
                !log.contains(p.as_str()),
                "the database password is never logged"
            );
        }
    }

    a2.stop();
    b.stop();
    db.drop_database().await;
}

/// `n` concurrent POST recording.start with the same key, round-robin over `bases`.
async fn duplicates(
    c: &reqwest::Client,
    bases: &[&String],
    n: usize,
    body: &Value,
    key: &'static str,
) -> Vec<Answer> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let c = c.clone();
            let base = bases[i % bases.len()].clone();
            let body = body.clone();
            tokio::spawn(async move {
                call(
                    &c,
                    &base,
                    "POST",
                    "/v1/rtc/recording/start",
                    Some(body),
                    Some(key),
                )
                .await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_that_wait_all_get_the_first_answer() {
    let Some(db) =
        pg_support::fresh_database("duplicates_that_wait_all_get_the_first_answer").await
    else {
        return;
    };
    let d = doubles().await;
    // Duplicates wait up to 5 s (the default) for the first; the vendor takes 0.5 s.
    let a = start(&d, &db.url, UrlFrom::Flag, &[]);
    let b = start(&d, &db.url, UrlFrom::Flag, &[]);
    let c = http();
    let created = call(
        &c,
        &a.base,
        "POST",
        "/v1/rtc/room/create",
        Some(json!({"name": "all-wait", "vendor": "livekit"})),
        None,
    )
    .await;
    let room = created.json["room"].as_str().unwrap().to_owned();
    let before = d.livekit.common.hits("StartRoomCompositeEgress");
    d.livekit
        .common
        .push_fault(Fault::Slow(Duration::from_millis(500)));
    let body = json!({"room": room});
    let answers = duplicates(&c, &[&a.base, &b.base], 8, &body, "dup-wait").await;
    assert_eq!(
        d.livekit.common.hits("StartRoomCompositeEgress") - before,
        1
    );
    let first = &answers[0];
    assert!(first.success(), "{answers:?}");
    for r in &answers {
        assert!(r.success(), "{r:?}");
        assert_eq!(
            r.bytes, first.bytes,
            "every successful answer carries the same body"
        );
    }
    assert_eq!(
        answers
            .iter()
            .filter(|r| r.replayed.as_deref() == Some("false"))
            .count(),
        1,
        "one original, the rest replays"
    );
    a.stop();
    b.stop();
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_keys_are_reclaimed_and_purged_while_serving() {
    let Some(db) =
        pg_support::fresh_database("expired_keys_are_reclaimed_and_purged_while_serving").await
    else {
        return;
    };
    let d = doubles().await;
    let ttl = ["--idempotency-ttl", "2s"];
    let a = start(&d, &db.url, UrlFrom::Flag, &ttl);
    let b = start(&d, &db.url, UrlFrom::Flag, &ttl);
    let c = http();
    let first = call(
        &c,
        &a.base,
        "POST",
        "/v1/rtc/room/create",
        Some(json!({"name": "one", "vendor": "agora"})),
        Some("short-lived"),
    )
    .await;
    assert!(first.success(), "{:?}", first.json);
    // Within its lifetime another request under the key is refused, on either instance ...
    let reused = call(
        &c,
        &b.base,
        "POST",
        "/v1/rtc/room/create",
        Some(json!({"name": "two", "vendor": "agora"})),
        Some("short-lived"),
    )
    .await;
    assert_eq!(reused.status, 422, "{:?}", reused.json);
    // ... and once expired the key is free again.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let fresh = call(
        &c,
        &b.base,
        "POST",
        "/v1/rtc/room/create",
        Some(json!({"name": "two", "vendor": "agora"})),
        Some("short-lived"),
    )
    .await;
    assert!(fresh.success(), "{:?}", fresh.json);
    assert_eq!(fresh.json["name"], "two");

    // A backlog of expired keys is purged (in batches, skipping rows in use) while both
    // instances keep answering idempotent requests.
    let mut conn = pg_support::connect(&db.url).await;
    sqlx::query(
        "INSERT INTO idempotency_keys \
             (scope, key, fingerprint, state, status, body, claim, created_at, expires_at) \
         SELECT 'old', 'k' || g, 'fp', 'done', 200, '\\x7b7d'::bytea, 'c', 0, 1 \
         FROM generate_series(1, 20000) g",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let purger = rtcmint::serve::store::PgStore::open(&db.url).await.unwrap();
    let purge = tokio::spawn(async move {
        use rtcmint::serve::store::Store as _;
        let mut total = 0;
        loop {
            let n = purger.purge_expired_idempotency(now(), 500).await.unwrap();
            if n == 0 {
                break total;
            }
            total += n;
        }
    });
    let mut served = 0;
    for i in 0..40 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let key = format!("live-{i}");
        let r = call(
            &c,
            base,
            "POST",
            "/v1/rtc/room/create",
            Some(json!({"name": format!("r{i}"), "vendor": "agora"})),
            Some(&key),
        )
        .await;
        assert!(r.success(), "{:?}", r.json);
        served += 1;
    }
    let purged = purge.await.unwrap();
    assert!(purged >= 20000, "purged {purged}");
    assert_eq!(served, 40);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE scope = 'old'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
    a.stop();
    b.stop();
    db.drop_database().await;
}
