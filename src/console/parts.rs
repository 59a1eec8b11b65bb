//! Small pieces the console's pages share: times in the site's zone, durations, an
//! article's standing, the notice after a change, a field's error.

use super::labels::NewsroomLabels;
use crate::domain::{ArticleStatus, Withdrawer};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

/// A time as the site's zone reads it, machine-readable in `datetime`.
pub fn time(at: DateTime<Utc>, zone: Tz) -> Markup {
    let local = at.with_timezone(&zone);
    html! { time datetime=(at.to_rfc3339()) { (local.format("%Y-%m-%d %H:%M")) } }
}

/// A time, or `never` when there is none.
pub fn maybe_time(at: Option<DateTime<Utc>>, zone: Tz, never: &str) -> Markup {
    match at {
        Some(at) => time(at, zone),
        None => html! { span.muted { (never) } },
    }
}

/// A duration in its two largest units ("3 h 20 min", "2 天 4 小时").
pub fn duration(d: Duration, labels: &NewsroomLabels) -> String {
    let seconds = d.num_seconds().max(0);
    let amounts = [seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60];
    let first = amounts.iter().position(|&n| n > 0).unwrap_or(3);
    amounts
        .iter()
        .zip(labels.units)
        .skip(first)
        .take(2)
        .filter(|(n, _)| **n > 0 || first == 3)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An article's standing, in words.
pub fn status_name(status: ArticleStatus, labels: &NewsroomLabels) -> &'static str {
    match status {
        ArticleStatus::Published => labels.published,
        ArticleStatus::Withdrawn => labels.withdrawn,
        ArticleStatus::Expired => labels.expired,
        ArticleStatus::Quarantined => labels.quarantined,
        ArticleStatus::Embargoed => labels.embargoed,
        ArticleStatus::Pending => labels.pending,
        ArticleStatus::Rejected => labels.rejected,
    }
}

/// An article's standing, as a badge.
pub fn status(status: ArticleStatus, labels: &NewsroomLabels) -> Markup {
    html! { span class=(format!("badge {}", status.as_str())) { (status_name(status, labels)) } }
}

/// Who withdrew an article, in words.
pub fn withdrawer(by: Option<Withdrawer>, labels: &NewsroomLabels) -> &'static str {
    match by {
        Some(Withdrawer::Outlet) => labels.by_the_outlet,
        Some(Withdrawer::Site) => labels.by_this_site,
        Some(Withdrawer::Expiry) => labels.by_expiry,
        None => labels.unknown,
    }
}

/// The confirmation of a change just made, or the refusal of one.
pub fn outcome(notice: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        @if let Some(error) = error { p.error role="alert" { (error) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::labels::for_language;
    use crate::domain::session::ConsoleLanguage;

    #[test]
    fn durations_show_their_two_largest_units() {
        let en = &for_language(ConsoleLanguage::En).newsroom;
        assert_eq!(duration(Duration::seconds(3 * 3600 + 20 * 60 + 5), en), "3 h 20 min");
        assert_eq!(duration(Duration::seconds(2 * 86_400 + 60), en), "2 d");
        assert_eq!(duration(Duration::seconds(42), en), "42 s");
        assert_eq!(duration(Duration::zero(), en), "0 s");
        assert_eq!(duration(Duration::seconds(90), &for_language(ConsoleLanguage::Zh).newsroom), "1 分钟 30 秒");
    }
}
