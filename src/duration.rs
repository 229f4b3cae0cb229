//! Human-friendly durations: `90s`, `10m`, `6h`, `2d`, or plain seconds.

use std::time::Duration;

use crate::error::{Error, Result};

/// Parses a duration written as whole seconds (`600`) or a whole number with one unit suffix:
/// `s`, `m`, `h`, `d` (`90s`, `10m`, `6h`, `2d`). Zero is allowed here; minters refuse a zero ttl.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(rtcmint::parse_duration("10m")?, Duration::from_secs(600));
/// assert_eq!(rtcmint::parse_duration("2d")?, Duration::from_secs(172_800));
/// assert!(rtcmint::parse_duration("1.5h").is_err());
/// # Ok::<(), rtcmint::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] for anything else, or a value past `u64` seconds.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let bad = |why: &str| {
        Error::InvalidInput {
        what: "duration",
        reason: format!(
            "cannot read {text:?} as a duration: {why} (use seconds or a number with s, m, h or d, e.g. 90s, 10m, 6h, 2d)"
        )
        .into(),
    }
    };
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    if digits.is_empty() {
        return Err(bad("no number"));
    }
    let n: u64 = digits.parse().map_err(|_| bad("number too large"))?;
    let mult: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad("unknown unit")),
    };
    n.checked_mul(mult)
        .map(Duration::from_secs)
        .ok_or_else(|| bad("number too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        for (s, secs) in [
            ("0", 0),
            ("90s", 90),
            ("10m", 600),
            ("6h", 21_600),
            ("2d", 172_800),
            (" 5 ", 5),
        ] {
            assert_eq!(parse_duration(s).unwrap(), Duration::from_secs(secs), "{s}");
        }
        for s in [
            "",
            "m",
            "-5",
            "1.5h",
            "10 m",
            "3w",
            "99999999999999999999",
            "18446744073709551615d",
        ] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
    }
}
