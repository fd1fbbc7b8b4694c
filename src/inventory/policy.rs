//! Site policy: which roles need a change ticket, when changes are frozen,
//! and the windows destructive work must fall into.
//!
//! Everything here is a pure function of the policy and a given instant;
//! the caller passes the clock, so decisions are testable at any boundary.

use std::fmt;
use std::str::FromStr;

use time::{OffsetDateTime, UtcOffset, Weekday};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub require_change: Vec<String>,
    pub freezes: Vec<Freeze>,
    /// Per role, the windows destructive work on it must fall into.
    pub windows: Vec<(String, Vec<Window>)>,
    pub destructive_patterns: Vec<String>,
    /// Site commands declared read-only (they extend the classifier's
    /// allowlist; `destructive_patterns` still win).
    pub safe_patterns: Vec<String>,
    /// Per role, how many people other than the operator must approve a
    /// plan before guarded work on it runs.
    pub approvals: Vec<(String, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Freeze {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub roles: Vec<String>,
    pub reason: String,
}

/// Whether destructive work on a role may happen at an instant, as far as
/// windows go.
#[derive(Debug, PartialEq)]
pub enum WindowStatus<'a> {
    /// The role has no windows: any time is allowed.
    Unrestricted,
    Inside(&'a Window),
    Outside(&'a [Window]),
}

impl Policy {
    /// The site's patterns, as the classifier takes them.
    pub fn patterns(&self) -> crate::classify::Patterns<'_> {
        crate::classify::Patterns {
            destructive: &self.destructive_patterns,
            safe: &self.safe_patterns,
        }
    }

    pub fn requires_change(&self, role: &str) -> bool {
        self.require_change.iter().any(|r| r == role)
    }

    /// How many approvers guarded work on `role` needs, if any.
    pub fn approvals_for(&self, role: &str) -> Option<usize> {
        self.approvals
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, n)| *n)
    }

    /// The freeze in force on `role` at `t`, if any (`from` inclusive, `to`
    /// exclusive).
    pub fn freeze_at(&self, role: &str, t: OffsetDateTime) -> Option<&Freeze> {
        self.freezes
            .iter()
            .find(|f| f.roles.iter().any(|r| r == role) && f.from <= t && t < f.to)
    }

    pub fn window_status(&self, role: &str, t: OffsetDateTime) -> WindowStatus<'_> {
        match self.windows.iter().find(|(r, _)| r == role) {
            None => WindowStatus::Unrestricted,
            Some((_, windows)) => match windows.iter().find(|w| w.contains(t)) {
                Some(w) => WindowStatus::Inside(w),
                None => WindowStatus::Outside(windows),
            },
        }
    }
}

/// A weekly window such as `tue 22:00-02:00 UTC`: it opens on the named
/// day(s) at the first time and closes at the second, on the next day when
/// the second time is not after the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    text: String,
    /// Monday first.
    days: [bool; 7],
    start_minute: u32,
    length_minutes: u32,
    offset: UtcOffset,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(s: &str) -> Option<usize> {
    let s = s.to_ascii_lowercase();
    DAYS.iter()
        .position(|d| s.len() >= 3 && full_day(d).starts_with(&s))
}

fn full_day(d: &str) -> &'static str {
    match d {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}

/// Why a maintenance window's text does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("`{0}` is not a window: write DAYS HH:MM-HH:MM ZONE, like `tue 22:00-02:00 UTC`")]
    Shape(String),
    #[error("`{0}` is not a day (mon..sun, a range like mon-fri, or daily)")]
    Day(String),
    #[error("`{0}` is not a time span like 22:00-02:00")]
    Span(String),
    #[error("`{0}` opens and closes at the same time")]
    Empty(String),
    #[error("`{0}` is not a time of day like 22:00")]
    Clock(String),
    #[error(
        "`{0}` is not a time zone: write UTC or a fixed offset like +01:00 (named zones are not supported)"
    )]
    Zone(String),
}

fn parse_days(spec: &str) -> Result<[bool; 7], WindowError> {
    let mut days = [false; 7];
    if matches!(spec.to_ascii_lowercase().as_str(), "daily" | "*") {
        return Ok([true; 7]);
    }
    for part in spec.split(',') {
        let bad = || WindowError::Day(part.to_string());
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a).ok_or_else(bad)?, day_index(b).ok_or_else(bad)?);
                let mut d = a;
                loop {
                    days[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day_index(part).ok_or_else(bad)?] = true,
        }
    }
    Ok(days)
}

fn parse_clock(s: &str) -> Result<u32, WindowError> {
    let bad = || WindowError::Clock(s.to_string());
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m != 0) || s.len() != 5 && s.len() != 4 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_offset(s: &str) -> Result<UtcOffset, WindowError> {
    if s.eq_ignore_ascii_case("utc") || s == "Z" {
        return Ok(UtcOffset::UTC);
    }
    let bad = || WindowError::Zone(s.to_string());
    let sign = match s.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let (h, m) = s[1..].split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    UtcOffset::from_hms(sign * h, sign * m, 0).map_err(|_| bad())
}

impl FromStr for Window {
    type Err = WindowError;

    fn from_str(text: &str) -> Result<Self, WindowError> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let [days, span, zone] = words[..] else {
            return Err(WindowError::Shape(text.to_string()));
        };
        let days = parse_days(days)?;
        let (start, end) = span
            .split_once('-')
            .ok_or_else(|| WindowError::Span(span.to_string()))?;
        let (start, end) = (parse_clock(start)?, parse_clock(end)?);
        if start == end {
            return Err(WindowError::Empty(span.to_string()));
        }
        let length_minutes = if end > start {
            end - start
        } else {
            end + 24 * 60 - start
        };
        Ok(Window {
            text: text.to_string(),
            days,
            start_minute: start % (24 * 60),
            length_minutes,
            offset: parse_offset(zone)?,
        })
    }
}

impl Window {
    /// Whether `t` falls inside the window (opening inclusive, closing
    /// exclusive). A window that crosses midnight belongs to its opening day.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        let local = t.to_offset(self.offset);
        let minute = u32::from(local.hour()) * 60 + u32::from(local.minute());
        let today = weekday_index(local.weekday());
        // Minutes since the opening, if it opened today or yesterday.
        let since_today = minute.checked_sub(self.start_minute);
        let since_yesterday = minute + 24 * 60 - self.start_minute;
        (self.days[today] && since_today.is_some_and(|m| m < self.length_minutes))
            || (self.days[(today + 6) % 7] && since_yesterday < self.length_minutes)
    }
}

fn weekday_index(d: Weekday) -> usize {
    usize::from(d.number_days_from_monday())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_across_midnight_and_zones() {
        // 2026-11-24 is a Tuesday.
        let w: Window = "tue 22:00-02:00 UTC".parse().unwrap();
        for (t, inside) in [
            (datetime!(2026-11-24 21:59 UTC), false),
            (datetime!(2026-11-24 22:00 UTC), true),
            (datetime!(2026-11-24 23:59 UTC), true),
            (datetime!(2026-11-25 00:00 UTC), true),
            (datetime!(2026-11-25 01:59 UTC), true),
            (datetime!(2026-11-25 02:00 UTC), false),
            (datetime!(2026-11-23 23:00 UTC), false),
            (datetime!(2026-11-24 01:00 UTC), false),
            (datetime!(2026-11-24 23:30 +01:00), true),
        ] {
            assert_eq!(w.contains(t), inside, "{t}");
        }
        let w: Window = "mon-fri 09:00-17:00 +01:00".parse().unwrap();
        for (t, inside) in [
            (datetime!(2026-11-23 08:00 UTC), true),
            (datetime!(2026-11-23 07:59 UTC), false),
            (datetime!(2026-11-27 15:59 UTC), true),
            (datetime!(2026-11-28 10:00 UTC), false),
        ] {
            assert_eq!(w.contains(t), inside, "{t}");
        }
        let w: Window = "sun 23:00-01:00 UTC".parse().unwrap();
        assert!(w.contains(datetime!(2026-11-23 00:30 UTC)));
        let w: Window = "daily 00:00-24:00 UTC".parse().unwrap();
        assert!(w.contains(datetime!(2026-11-23 23:59 UTC)));
        let w: Window = "fri-mon 20:00-06:00 UTC".parse().unwrap();
        assert!(
            w.contains(datetime!(2026-11-24 05:00 UTC)),
            "tuesday morning ends monday's window"
        );
        assert!(!w.contains(datetime!(2026-11-24 20:00 UTC)));
    }

    #[test]
    fn bad_windows() {
        for text in [
            "tue 22:00-02:00", "tue 22:00 UTC", "tus 22:00-02:00 UTC", "tue 25:00-02:00 UTC",
            "tue 22:00-22:00 UTC", "tue 22:00-02:00 Europe/Berlin", "tue 22:00-02:00 +1",
            "tue 2200-0200 UTC",
        ] {
            assert!(text.parse::<Window>().is_err(), "{text}");
        }
        assert!("Tuesday 22:00-02:00 utc".parse::<Window>().is_ok());
    }

    #[test]
    fn freezes_and_windows_by_role() {
        let policy = Policy {
            require_change: vec!["live".into()],
            freezes: vec![Freeze {
                from: datetime!(2026-12-20 00:00 UTC),
                to: datetime!(2027-01-04 00:00 UTC),
                roles: vec!["live".into()],
                reason: "year-end freeze".into(),
            }],
            windows: vec![("live".into(), vec!["tue 22:00-02:00 UTC".parse().unwrap()])],
            destructive_patterns: vec![],
            safe_patterns: vec![],
            approvals: vec![],
        };
        assert!(policy.requires_change("live"));
        assert!(!policy.requires_change("backup"));
        assert!(
            policy
                .freeze_at("live", datetime!(2026-12-19 23:59 UTC))
                .is_none()
        );
        assert!(
            policy
                .freeze_at("live", datetime!(2026-12-20 00:00 UTC))
                .is_some()
        );
        assert!(
            policy
                .freeze_at("live", datetime!(2027-01-04 00:00 UTC))
                .is_none()
        );
        assert!(
            policy
                .freeze_at("backup", datetime!(2026-12-25 00:00 UTC))
                .is_none()
        );
        assert_eq!(
            policy.window_status("backup", datetime!(2026-11-24 12:00 UTC)),
            WindowStatus::Unrestricted
        );
        assert!(matches!(
            policy.window_status("live", datetime!(2026-11-24 12:00 UTC)),
            WindowStatus::Outside(_)
        ));
        assert!(matches!(
            policy.window_status("live", datetime!(2026-11-24 23:00 UTC)),
            WindowStatus::Inside(_)
        ));
    }
}
