//! Durations as operators write them: `500ms`, `30s`, `10m`, `1h30m`, `2d`.
//!
//! A bare number is refused rather than guessed at: `timeout: 10` could mean
//! seconds or minutes, and a wrong guess on a 20-minute disk wipe matters.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub std::time::Duration);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("`{0}` is not a duration")]
    Invalid(String),
    #[error("`{0}` needs a unit (ms, s, m, h or d)")]
    NoUnit(String),
    #[error("`{0}` has an unknown unit `{1}` (use ms, s, m, h or d)")]
    Unit(String, String),
    #[error("`{0}` is too long")]
    Overflow(String),
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(DurationError::Invalid(s.to_string()));
        }
        let mut total_ms: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(DurationError::Invalid(s.to_string()));
            }
            let number: u64 = rest[..digits]
                .parse()
                .map_err(|_| DurationError::Overflow(s.to_string()))?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let scale: u64 = match unit {
                "" => return Err(DurationError::NoUnit(s.to_string())),
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                other => return Err(DurationError::Unit(s.to_string(), other.to_string())),
            };
            total_ms = number
                .checked_mul(scale)
                .and_then(|ms| total_ms.checked_add(ms))
                .ok_or_else(|| DurationError::Overflow(s.to_string()))?;
        }
        Ok(Duration(std::time::Duration::from_millis(total_ms)))
    }
}

impl fmt::Display for Duration {
    /// The shortest spelling that reads back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut ms = self.0.as_millis() as u64;
        if ms == 0 {
            return f.write_str("0s");
        }
        for (unit, scale) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ] {
            if ms >= scale {
                write!(f, "{}{unit}", ms / scale)?;
                ms %= scale;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for (text, ms, shown) in [
            ("500ms", 500, "500ms"),
            ("30s", 30_000, "30s"),
            ("10m", 600_000, "10m"),
            ("1h30m", 5_400_000, "1h30m"),
            ("90m", 5_400_000, "1h30m"),
            ("2d", 172_800_000, "2d"),
            ("1m30s", 90_000, "1m30s"),
            ("0s", 0, "0s"),
        ] {
            let d: Duration = text.parse().unwrap();
            assert_eq!(d.0.as_millis(), ms, "{text}");
            assert_eq!(d.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        for (text, err) in [
            ("10", DurationError::NoUnit("10".into())),
            ("10 s", DurationError::Unit("10 s".into(), " s".into())),
            ("10sec", DurationError::Unit("10sec".into(), "sec".into())),
            ("", DurationError::Invalid("".into())),
            ("m", DurationError::Invalid("m".into())),
            ("-5s", DurationError::Invalid("-5s".into())),
            (
                "99999999999999999999s",
                DurationError::Overflow("99999999999999999999s".into()),
            ),
        ] {
            assert_eq!(text.parse::<Duration>().unwrap_err(), err, "{text}");
        }
    }
}
