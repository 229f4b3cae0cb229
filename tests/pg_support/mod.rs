//! PostgreSQL for the tests: the throwaway server `.ci/run` starts (its URL in
//! `RTCMINT_TEST_DATABASE_URL`), and one fresh database per test so that tests run in parallel
//! without seeing each other's rows.
//!
//! Without the variable a test prints that it was skipped (straight to the terminal, past the
//! test harness's capture) and returns; under CI (`CI=true`) a missing server fails the test.
#![allow(dead_code)]

use std::io::Write as _;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection};

/// The variable `.ci/run` exports.
pub const URL_VAR: &str = "RTCMINT_TEST_DATABASE_URL";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The test server's URL, or `None` (after saying so) when there is none outside CI.
pub fn server_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !in_ci(),
                "{test}: {URL_VAR} is not set; the PostgreSQL tests are mandatory in CI \
                 (.ci/run starts a server and sets it)"
            );
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: no PostgreSQL server ({URL_VAR} is not set; `bash .ci/run` \
                 starts a throwaway one)"
            );
            None
        }
    }
}

/// The variable `.ci/run` exports with the test server's CA certificate (TLS tests).
pub const CA_VAR: &str = "RTCMINT_TEST_DATABASE_CA";

/// The test server's CA certificate file, or `None` (after saying so) outside CI.
pub fn ca_file(test: &str) -> Option<String> {
    match std::env::var(CA_VAR) {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            assert!(
                !in_ci(),
                "{test}: {CA_VAR} is not set; .ci/run starts the test server with TLS"
            );
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: the test server's CA is unknown ({CA_VAR} is not set)"
            );
            None
        }
    }
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let authority_start = head.find("://").map_or(0, |i| i + 3);
    let authority_end = head[authority_start..]
        .find('/')
        .map_or(head.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &head[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database of its own for one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Its name.
    pub name: String,
    server: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Creates an empty database for `test`; `None` when skipped (see [`server_url`]).
pub async fn fresh_database(test: &str) -> Option<TestDb> {
    fresh_database_with(test, "").await
}

/// [`fresh_database`] with extra `CREATE DATABASE` options (e.g. a locale).
pub async fn fresh_database_with(test: &str, options: &str) -> Option<TestDb> {
    let server = server_url(test)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "rtcmint_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = connect(&server).await;
    sqlx::raw_sql(&format!("CREATE DATABASE {name} {options}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("{test}: CREATE DATABASE failed: {e}"));
    let _ = admin.close().await;
    Some(TestDb {
        url: with_database(&server, &name),
        name,
        server,
    })
}

/// A plain connection to `url`.
pub async fn connect(url: &str) -> PgConnection {
    let options = PgConnectOptions::from_str(url).expect("test database URL");
    PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL server: {e}"))
}

impl TestDb {
    /// Drops the database (terminating sessions still connected to it).
    pub async fn drop_database(self) {
        let mut admin = connect(&self.server).await;
        let _ = sqlx::raw_sql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await;
        let _ = admin.close().await;
    }
}

#[test]
fn database_is_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://u:p@127.0.0.1:5432/a", "b"),
        "postgres://u:p@127.0.0.1:5432/b"
    );
    assert_eq!(
        with_database("postgres://u:p@h/a?sslmode=disable", "b"),
        "postgres://u:p@h/b?sslmode=disable"
    );
    assert_eq!(with_database("postgresql://h:1", "b"), "postgresql://h:1/b");
}
