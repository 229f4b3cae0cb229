//! Times for people: RFC 3339 UTC text, short relative durations, and a token's validity status
//! relative to a given time.

use std::fmt;

/// RFC 3339 UTC text for Unix seconds (proleptic Gregorian), e.g. `2026-01-01T00:00:00Z`.
///
/// ```
/// assert_eq!(rtcmint::time::utc(1_767_225_600), "2026-01-01T00:00:00Z");
/// ```
#[must_use]
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// A span of seconds in its two largest units: `3 d 4 h`, `20 min`, `1 min 5 s`, `0 s`.
///
/// ```
/// assert_eq!(rtcmint::time::span(273_600), "3 d 4 h");
/// assert_eq!(rtcmint::time::span(1_200), "20 min");
/// ```
#[must_use]
pub fn span(secs: u64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, name) in units {
        let n = rest / size;
        if n > 0 || (!parts.is_empty() && parts.len() < 2) {
            if n > 0 {
                parts.push(format!("{n} {name}"));
            }
            rest %= size;
        }
        if parts.len() == 2 || (!parts.is_empty() && n == 0) {
            break;
        }
    }
    if parts.is_empty() {
        "0 s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// Where a token's validity window stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Inside the window.
    Valid,
    /// Past the expiry by this many seconds.
    Expired {
        /// Seconds since the expiry.
        ago: u64,
    },
    /// Before the start by this many seconds.
    NotYetValid {
        /// Seconds until the token becomes valid.
        remaining: u64,
    },
}

impl Status {
    /// The status at `now` of a token valid from `not_before` (if any) until `expires_at`. The
    /// expiry instant itself counts as expired; verifiers also apply their vendor's leeway, so
    /// this is the plain window, not a verdict.
    #[must_use]
    pub fn at(now: i64, not_before: Option<i64>, expires_at: i64) -> Self {
        if let Some(nbf) = not_before
            && now < nbf
        {
            return Status::NotYetValid {
                remaining: nbf.abs_diff(now),
            };
        }
        if now >= expires_at {
            return Status::Expired {
                ago: now.abs_diff(expires_at),
            };
        }
        Status::Valid
    }

    /// A machine-readable name: `valid`, `expired`, `not_yet_valid`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired { .. } => "expired",
            Status::NotYetValid { .. } => "not_yet_valid",
        }
    }
}

/// `valid`, `expired 3 d 4 h ago`, `not valid for another 20 min`.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Valid => f.write_str("valid"),
            Status::Expired { ago: 0 } => f.write_str("expired just now"),
            Status::Expired { ago } => write!(f, "expired {} ago", span(*ago)),
            Status::NotYetValid { remaining } => {
                write!(f, "not valid for another {}", span(*remaining))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_statuses() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(45), "45 s");
        assert_eq!(span(65), "1 min 5 s");
        assert_eq!(span(3_600), "1 h");
        assert_eq!(span(3_601), "1 h");
        assert_eq!(span(90_061), "1 d 1 h");
        assert_eq!(span(86_460), "1 d");
        assert_eq!(span(273_600), "3 d 4 h");
        assert_eq!(Status::at(100, Some(50), 200).to_string(), "valid");
        assert_eq!(
            Status::at(200 + 273_600, None, 200).to_string(),
            "expired 3 d 4 h ago"
        );
        assert_eq!(
            Status::at(0, Some(1_200), 5_000).to_string(),
            "not valid for another 20 min"
        );
        assert_eq!(Status::at(200, None, 200).as_str(), "expired");
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(utc(2_147_483_647), "2038-01-19T03:14:07Z");
    }
}
