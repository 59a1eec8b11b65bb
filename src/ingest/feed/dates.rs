//! Lenient reading of the dates real feeds carry: RFC 822 with and without weekday,
//! with wrong weekdays, two-digit years, single-digit hours, named and numeric zones
//! (`GMT+8`, `+08:00`, `(CST)` comments); RFC 3339 / W3C-DTF and its common
//! variants; and the naive local times of Chinese regional sites (`2018-06-28 11:39:20`,
//! `2018/06/28`, `2018年06月28日`, Chinese weekday and month names), read in the
//! outlet's time zone. `CST` is China Standard Time for an outlet in UTC+8, else US
//! Central.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses `input`; naive times are read in `zone`. `None` when nothing date-like is found.
pub fn parse(input: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = normalise(input);
    if text.is_empty() {
        return None;
    }
    iso_like(&text, zone).or_else(|| rfc822_like(&text, zone))
}

/// Unifies the spellings Chinese sites use with the Latin ones the parsers below expect.
fn normalise(input: &str) -> String {
    let mut s = input.trim().to_owned();
    // 月 becomes '-': "2018年06月28日" reads as "2018-06-28", and "28 6月" as "28 6-",
    // which `month_number` takes as a numeric month.
    for (from, to) in [("年", "-"), ("月", "-"), ("日", " "), ("/", "-"), ("\u{a0}", " ")] {
        s = s.replace(from, to);
    }
    s.trim().to_owned()
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.f]][zone]`, `YYYY-MM-DD`, `YYYY-MM`, `YYYY`.
fn iso_like(s: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let bytes = s.as_bytes();
    if bytes.len() < 4 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (date_part, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let mut fields = date_part.split('-');
    let year_text = fields.next()?;
    if year_text.len() != 4 {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    let month: u32 = fields.next().map_or(Some(1), |m| m.trim().parse().ok())?;
    let day: u32 = fields.next().map(str::trim).filter(|d| !d.is_empty()).map_or(Some(1), |d| d.parse().ok())?;
    if fields.next().is_some_and(|f| !f.trim().is_empty()) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if rest.is_empty() {
        return local(date.and_time(NaiveTime::MIN), zone);
    }
    let (time_text, offset) = split_offset(rest, zone)?;
    let time = clock(time_text)?;
    let naive = date.and_time(time);
    match offset {
        Some(offset) => offset.from_local_datetime(&naive).single().map(|t| t.to_utc()),
        None => local(naive, zone),
    }
}

/// Splits `HH:MM:SS+08:00` into the clock and its offset (`None`: no zone given).
fn split_offset(rest: &str, zone: Tz) -> Option<(&str, Option<FixedOffset>)> {
    let rest = rest.trim();
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock.trim(), FixedOffset::east_opt(0)));
    }
    if let Some(i) = rest.rfind(['+', '-']) {
        if i > 0 {
            return Some((rest[..i].trim(), Some(numeric_offset(&rest[i..])?)));
        }
    }
    match rest.split_once(' ') {
        Some((clock, name)) => Some((clock, Some(named_offset(name.trim(), zone)?))),
        None => Some((rest, None)),
    }
}

/// `H:MM`, `HH:MM:SS`, `HH:MM:SS.fff`.
fn clock(text: &str) -> Option<NaiveTime> {
    let mut parts = text.trim().split(':');
    let hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, fraction) = s.split_once(['.', ',']).unwrap_or((s, ""));
            let digits: String = fraction.chars().take_while(char::is_ascii_digit).take(9).collect();
            let nanos = if digits.is_empty() { 0 } else { format!("{digits:0<9}").parse().ok()? };
            (whole.trim().parse().ok()?, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)
}

/// `+0800`, `+08:00`, `+08`, `+8`, `-05:30`.
fn numeric_offset(text: &str) -> Option<FixedOffset> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = match digits.len() {
        1 | 2 => (digits.parse().ok()?, 0),
        3 => (digits[..1].parse().ok()?, digits[1..].parse().ok()?),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Zone names and `GMT+8`-style spellings.
fn named_offset(name: &str, zone: Tz) -> Option<FixedOffset> {
    let upper = name.trim_matches(|c| c == '(' || c == ')').to_ascii_uppercase();
    for prefix in ["GMT", "UTC", "UT"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            return if rest.is_empty() { FixedOffset::east_opt(0) } else { numeric_offset(rest) };
        }
    }
    let hours = match upper.as_str() {
        "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" if in_china(zone) => 8,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "BST" => 1,
        "CET" => 1,
        "CEST" => 2,
        "JST" | "KST" => 9,
        "HKT" | "SGT" | "AWST" | "BJT" => 8,
        "IST" => return FixedOffset::east_opt(5 * 3600 + 1800),
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

/// Whether an outlet's zone is UTC+8 (China, Hong Kong, Taiwan, Singapore…), where
/// `CST` means China Standard Time.
fn in_china(zone: Tz) -> bool {
    let now = Utc::now().naive_utc();
    zone.offset_from_utc_datetime(&now).fix().local_minus_utc() == 8 * 3600
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const CHINESE_MONTHS: [&str; 12] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

fn month_number(token: &str) -> Option<u32> {
    let lower = token.to_lowercase();
    if let Some(numeric) = lower.strip_suffix('-') {
        if let Ok(n @ 1..=12) = numeric.parse::<u32>() {
            return Some(n);
        }
    }
    let lower = lower.trim_end_matches(['.', '-']);
    if let Some(i) = MONTHS.iter().position(|m| lower.len() >= 3 && lower.starts_with(m)) {
        return Some(i as u32 + 1);
    }
    CHINESE_MONTHS.iter().position(|m| *m == lower).map(|i| i as u32 + 1)
}

/// RFC 822 and its relatives: `[weekday,] DD Mon YYYY HH:MM[:SS] [zone] [(comment)]`,
/// tokens found by what they look like rather than by position.
fn rfc822_like(s: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let cleaned = s.replace(',', " ");
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    for token in cleaned.split_whitespace() {
        if token.contains(':') && time.is_none() && token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let (clock_text, attached) = match token.find(['+', '-']) {
                Some(i) => (&token[..i], numeric_offset(&token[i..])),
                None => (token, None),
            };
            time = Some(clock(clock_text)?);
            offset = offset.or(attached);
        } else if let Some(m) = month_number(token) {
            month.get_or_insert(m);
        } else if token.starts_with(['+', '-']) && token.len() > 1 {
            offset = offset.or(numeric_offset(token));
        } else if token.chars().all(|c| c.is_ascii_digit()) {
            let n: i32 = token.parse().ok()?;
            if day.is_none() && token.len() <= 2 && month.is_none() {
                day = Some(n as u32);
            } else if year.is_none() && (token.len() == 4 || (token.len() == 2 && day.is_some())) {
                year = Some(if token.len() == 2 {
                    if n < 70 {
                        2000 + n
                    } else {
                        1900 + n
                    }
                } else {
                    n
                });
            } else if day.is_none() {
                day = Some(n as u32);
            }
        } else if let Some(named) = named_offset(token, zone) {
            offset = offset.or(Some(named));
        }
        // Anything else (weekday names in any language, comments) is ignored.
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let naive = date.and_time(time.unwrap_or(NaiveTime::MIN));
    match offset {
        Some(offset) => offset.from_local_datetime(&naive).single().map(|t| t.to_utc()),
        None => local(naive, zone),
    }
}

fn local(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
        // In a daylight-saving gap, the wall time is read as standard time.
        LocalResult::None => {
            zone.from_local_datetime(&(naive + chrono::Duration::hours(1))).earliest().map(|t| t.to_utc())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn at(input: &str, zone: Tz) -> String {
        parse(input, zone).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)).unwrap_or_default()
    }

    #[test]
    fn rfc822_variants_seen_on_chinese_sites() {
        for input in [
            "Thu, 28 Jun 2018 11:39:20 +0800",
            "Thu, 28 Jun 2018 11:39:20 GMT+8",
            "Thu, 28 Jun 2018 11:39:20 GMT+0800",
            "Thu, 28 Jun 2018 11:39:20 CST",
            "星期四, 28 六月 2018 11:39:20 +0800",
            "周四, 28 6月 2018 11:39:20 +0800",
            "Thu, 28 Jun 2018 11:39:20 +08:00",
            "28 Jun 2018 11:39:20 +0800",
            "Thu,28 Jun 2018 11:39:20 +0800",
            "Fri, 28 Jun 2018 11:39:20 +0800",
            "Thu, 28 Jun 18 11:39:20 +0800",
            "Thu, 28 Jun 2018 11:39:20",
            "Thursday, 28 June 2018 11:39:20 +0800",
            "2018-06-28 11:39:20 +0800",
            "Thu, 28 Jun 2018 11:39:20 +0800 (CST)",
            "Thu, 28 Jun 2018 3:39:20 GMT",
        ] {
            assert_eq!(at(input, Shanghai), "2018-06-28T03:39:20Z", "{input}");
        }
    }

    #[test]
    fn naive_local_times_are_read_in_the_outlets_zone() {
        for (input, expected) in [
            ("2018-06-28 11:39:20", "2018-06-28T03:39:20Z"),
            ("2018/06/28 11:39:20", "2018-06-28T03:39:20Z"),
            ("2018-06-28 05:30", "2018-06-27T21:30:00Z"),
            ("2018-06-28T11:39:20", "2018-06-28T03:39:20Z"),
            ("2018年06月28日 11:39:20", "2018-06-28T03:39:20Z"),
            ("2018-06-28", "2018-06-27T16:00:00Z"),
            ("2018-6-8 9:05:03", "2018-06-08T01:05:03Z"),
            ("2018-06-28 11:39:20.0", "2018-06-28T03:39:20Z"),
        ] {
            assert_eq!(at(input, Shanghai), expected, "{input}");
        }
    }

    #[test]
    fn w3c_dates_keep_offsets_and_fractions() {
        assert_eq!(at("2019-10-12T07:20:50.52Z", chrono_tz::UTC), "2019-10-12T07:20:50.520Z");
        assert_eq!(at("2003-12-13T18:30:02+01:00", Shanghai), "2003-12-13T17:30:02Z");
        assert_eq!(at("2003-12-13t18:30:02-0500", Shanghai), "2003-12-13T23:30:02Z");
        assert_eq!(at("2003-12", chrono_tz::UTC), "2003-12-01T00:00:00Z");
    }

    #[test]
    fn cst_is_us_central_outside_china() {
        assert_eq!(at("Thu, 28 Jun 2018 11:39:20 CST", chrono_tz::America::Chicago), "2018-06-28T17:39:20Z");
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT", Shanghai), "1994-11-06T08:49:37Z");
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 EST", Shanghai), "1994-11-06T13:49:37Z");
    }

    #[test]
    fn nonsense_is_not_a_date() {
        for input in ["", "yesterday", "soon, maybe", "99999"] {
            assert_eq!(at(input, Shanghai), "", "{input}");
        }
    }
}
