//! Human-friendly durations: `90s`, `10m`, `6h`, `2d`, compound `1h30m`, `1d12h`, or plain
//! seconds.

use std::time::Duration;

use crate::error::{Error, Result};

/// Parses a duration written as whole seconds (`600`) or as one or more whole numbers each with a
/// unit, largest unit first: `s`, `m`, `h`, `d` (`45s`, `90m`, `6h`, `2d`, `1h30m`, `1d12h`,
/// `2h0m30s`). Zero is allowed here; minters refuse a zero ttl.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(rtcmint::parse_duration("10m")?, Duration::from_secs(600));
/// assert_eq!(rtcmint::parse_duration("1h30m")?, Duration::from_secs(5_400));
/// assert_eq!(rtcmint::parse_duration("1d12h")?, Duration::from_secs(129_600));
/// assert!(rtcmint::parse_duration("1.5h").is_err());
/// assert!(rtcmint::parse_duration("30m1h").is_err());
/// # Ok::<(), rtcmint::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] for anything else (a fraction, an unknown unit, a unit repeated or out
/// of order, a number without a unit after the first group), or a value past `u64` seconds.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let bad = |why: &str| {
        Error::InvalidInput {
        what: "duration",
        reason: format!(
            "cannot read {text:?} as a duration: {why} (use seconds, or numbers with d, h, m, s largest first, e.g. 90s, 10m, 6h, 2d, 1h30m, 1d12h)"
        )
        .into(),
    }
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("no number"));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| bad("number too large"));
    }
    let mut rest = t;
    let mut total: u64 = 0;
    // The previous unit's size: each group's unit must be smaller.
    let mut last_unit = u64::MAX;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (digits, after) = rest.split_at(split);
        if digits.is_empty() {
            return Err(bad("no number"));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let mult: u64 = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "" => return Err(bad("a number without a unit after another group")),
            _ => return Err(bad("unknown unit")),
        };
        if mult >= last_unit {
            return Err(bad("units must go from largest to smallest, each once"));
        }
        last_unit = mult;
        let n: u64 = digits.parse().map_err(|_| bad("number too large"))?;
        total = n
            .checked_mul(mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| bad("number too large"))?;
        rest = next;
    }
    Ok(Duration::from_secs(total))
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
            ("45s", 45),
            ("90m", 5_400),
            ("1h30m", 5_400),
            ("1d12h", 129_600),
            ("2h0m30s", 7_230),
            ("1d1h1m1s", 90_061),
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
            "30m1h",
            "1h1h",
            "1h30",
            "1h 30m",
            "h30m",
            "1hm",
            "5124095576030431d1s",
        ] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
    }
}
