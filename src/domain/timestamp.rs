//! Reading the timestamps outlets send: RFC 3339 instants, or the naive local times
//! Chinese regional sites print (`2018-06-28 11:39:20`), which are read in the outlet's
//! own time zone.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
];

/// Parses an RFC 3339 timestamp, or a naive `YYYY-MM-DD HH:MM[:SS]` read in `zone`.
pub fn parse_timestamp(input: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("is required".into());
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(s) {
        return Ok(instant.with_timezone(&Utc));
    }
    let naive = NAIVE_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(s, format).ok())
        .ok_or_else(|| format!("'{s}' is neither RFC 3339 nor a local time 'YYYY-MM-DD HH:MM[:SS]'"))?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // A repeated hour at the end of summer time: the first occurrence is the usual reading.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(format!("'{s}' does not exist in {zone} (a daylight-saving gap)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_times_are_read_in_the_outlets_zone() {
        let t = parse_timestamp("2018-06-28 11:39:20", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(t.to_rfc3339(), "2018-06-28T03:39:20+00:00");
        let t = parse_timestamp("2018-06-28 11:39", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(t.to_rfc3339(), "2018-06-28T03:39:00+00:00");
    }

    #[test]
    fn rfc3339_keeps_its_own_offset() {
        let t = parse_timestamp("2018-06-28T11:39:20+08:00", chrono_tz::Europe::London).unwrap();
        assert_eq!(t.to_rfc3339(), "2018-06-28T03:39:20+00:00");
    }

    #[test]
    fn gaps_and_garbage_are_refused_with_a_reason() {
        let gap = parse_timestamp("2021-03-28 01:30", chrono_tz::Europe::London);
        assert!(gap.unwrap_err().contains("daylight-saving"));
        for bad in ["", "yesterday", "2018-13-01 10:00", "28/06/2018"] {
            assert!(parse_timestamp(bad, chrono_tz::UTC).is_err(), "{bad}");
        }
    }
}
