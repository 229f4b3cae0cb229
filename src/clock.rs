//! Time as an input.
//!
//! Minters and verifiers read the time through a [`Clock`] so that tests and vendor vectors can pin
//! it. The default is [`SystemClock`]; [`FixedClock`] always answers the same second.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// `with_clock`, the one setter of a builder-style type with a `clock: Arc<dyn Clock>` field
/// (minters, verifiers, webhook verifiers), documented by `$doc`. Used inside the type's `impl`.
macro_rules! with_clock {
    ($doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn with_clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
            self.clock = clock;
            self
        }
    };
}
pub(crate) use with_clock;

/// A source of the current time in whole Unix seconds.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time, floored to whole Unix seconds.
    ///
    /// # Errors
    /// [`Error::Clock`] when the time cannot be expressed as Unix seconds.
    fn now(&self) -> Result<i64>;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Result<i64> {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::Clock {
                reason: "the system time is before 1970-01-01".into(),
            })?;
        i64::try_from(since.as_secs()).map_err(|_| Error::Clock {
            reason: "the system time does not fit in i64 seconds".into(),
        })
    }
}

/// A clock pinned to one Unix second, for tests and reproducing vendor vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> Result<i64> {
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_after_2025() {
        assert!(SystemClock.now().unwrap() > 1_735_689_600);
    }

    #[test]
    fn fixed_clock_is_fixed() {
        assert_eq!(FixedClock(42).now().unwrap(), 42);
    }
}
