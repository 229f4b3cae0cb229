//! Test support for the gateway: temporary directories, the store suite, and an in-process
//! gateway wired to the vendor test doubles.
#![allow(dead_code)]

pub mod store_suite;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A new empty directory under the system temp dir (removed by the OS; names are unique per
/// process and call).
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "rtcmint-{tag}-{}-{n}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
