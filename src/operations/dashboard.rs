//! The dashboard's figures, as one operation: what was reposted today and this week
//! (in the site's time zone) per column and per outlet, every source's health with the
//! failing and silent ones first, and each outlet's repost lag over the last 7 days.
//! Everything is limited to what the asker sees (a user's column scope).

use super::Operations;
use crate::domain::source::Source;
use crate::domain::{Column, Outlet};
use crate::store::dashboard::{RepostCount, RepostLag};
use crate::store::StoreError;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use std::collections::HashMap;

/// A source is silent when no poll has found a new item for this many of its
/// intervals, or for `SILENT_AFTER_MOST`, whichever comes first.
pub const SILENT_INTERVALS: i64 = 48;
pub const SILENT_AFTER_MOST: Duration = Duration::days(7);
/// The period repost lags are measured over.
pub const LAG_WINDOW: Duration = Duration::days(7);

/// Every figure of the dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// When "today" and "this week" (from Monday) began, in the site's time zone.
    pub today_from: DateTime<Utc>,
    pub week_from: DateTime<Utc>,
    /// Columns with articles reposted this week, in tree order.
    pub columns: Vec<(Column, Reposted)>,
    /// Outlets with articles reposted this week, by slug.
    pub outlets: Vec<(Outlet, Reposted)>,
    /// Failing sources first, then silent ones, then the rest.
    pub sources: Vec<(Source, Health)>,
    /// Outlets with articles reposted in the last `LAG_WINDOW`, by slug.
    pub lags: Vec<(Outlet, Lag)>,
}

/// Public articles reposted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reposted {
    pub today: i64,
    pub week: i64,
}

/// How a source is doing, in the order the dashboard lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    /// Its last poll failed.
    Failing,
    /// It answers, but has brought nothing new for long (`SILENT_INTERVALS`).
    Silent,
    Healthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Failing => "failing",
            Health::Silent => "silent",
            Health::Healthy => "healthy",
        }
    }

    /// How `source` is doing at `now`.
    pub fn of(source: &Source, now: DateTime<Utc>) -> Health {
        if source.status.consecutive_failures > 0 {
            return Health::Failing;
        }
        let quiet_since = source.status.last_new_at.unwrap_or(source.created_at);
        let limit = Duration::seconds(source.interval_secs.saturating_mul(SILENT_INTERVALS)).min(SILENT_AFTER_MOST);
        if now - quiet_since > limit {
            Health::Silent
        } else {
            Health::Healthy
        }
    }
}

/// An outlet's repost lag: how long after the original publication its articles were
/// reposted. Percentiles by nearest rank (each is one of the lags measured, never an
/// interpolation), so that both databases give the same figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    pub articles: usize,
    pub median: Duration,
    pub p90: Duration,
}

impl Lag {
    /// The lag of `lags` (microseconds), `None` for none.
    pub fn of(mut lags: Vec<i64>) -> Option<Lag> {
        lags.sort_unstable();
        let median = nearest_rank(&lags, 50)?;
        let p90 = nearest_rank(&lags, 90)?;
        Some(Lag { articles: lags.len(), median: Duration::microseconds(median), p90: Duration::microseconds(p90) })
    }
}

/// The `percent`th percentile of sorted `values` by nearest rank: the smallest value
/// with at least `percent`% of the values at or below it.
fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// When today and this week (from Monday) began in `zone`, as of `now`.
fn period_starts(zone: chrono_tz::Tz, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = now.with_timezone(&zone).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    // A day that starts in a gap (a DST change at midnight) starts at its first instant.
    let start = |date: chrono::NaiveDate| {
        let midnight = date.and_time(NaiveTime::MIN);
        zone.from_local_datetime(&midnight)
            .earliest()
            .or_else(|| zone.from_local_datetime(&(midnight + Duration::hours(1))).earliest())
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    (start(today), start(monday))
}

impl Operations {
    /// The dashboard as one who sees `within` (column ids, sub-columns included; `None`:
    /// everything) sees it: the columns it covers, articles filed wholly within it, the
    /// sources that file only there.
    pub async fn dashboard(&self, within: Option<&[i64]>) -> Result<Dashboard, StoreError> {
        let now = Utc::now();
        let (today_from, week_from) = period_starts(self.config.site.timezone, now);
        let (by_column, by_outlet) = self.store.repost_counts(within, today_from, week_from).await?;
        let lags = self.store.repost_lags(within, now - LAG_WINDOW).await?;
        let tree = self.store.column_tree().await?;
        let outlets: HashMap<i64, Outlet> = self.store.list_outlets().await?.into_iter().map(|o| (o.id, o)).collect();
        let reposted = |counts: &[RepostCount]| -> HashMap<i64, Reposted> {
            counts.iter().map(|c| (c.id, Reposted { today: c.today, week: c.week })).collect()
        };
        let by_column = reposted(&by_column);
        let columns =
            tree.all().iter().filter_map(|column| Some((column.clone(), *by_column.get(&column.id)?))).collect();
        let mut outlet_counts: Vec<(Outlet, Reposted)> = reposted(&by_outlet)
            .into_iter()
            .filter_map(|(id, counts)| Some((outlets.get(&id)?.clone(), counts)))
            .collect();
        outlet_counts.sort_by(|a, b| a.0.slug.cmp(&b.0.slug));
        let mut sources: Vec<(Source, Health)> = self
            .store
            .list_sources()
            .await?
            .into_iter()
            .filter(|source| within.is_none_or(|ids| source.routing.target_ids().iter().all(|id| ids.contains(id))))
            .map(|source| {
                let health = Health::of(&source, now);
                (source, health)
            })
            .collect();
        sources.sort_by_key(|(source, health)| (*health, source.id));
        Ok(Dashboard {
            today_from,
            week_from,
            columns,
            outlets: outlet_counts,
            sources,
            lags: outlet_lags(lags, &outlets),
        })
    }
}

/// Each outlet's lag, by slug.
fn outlet_lags(lags: Vec<RepostLag>, outlets: &HashMap<i64, Outlet>) -> Vec<(Outlet, Lag)> {
    let mut by_outlet: HashMap<i64, Vec<i64>> = HashMap::new();
    for lag in lags {
        by_outlet.entry(lag.outlet_id).or_default().push(lag.lag_micros);
    }
    let mut found: Vec<(Outlet, Lag)> =
        by_outlet.into_iter().filter_map(|(id, lags)| Some((outlets.get(&id)?.clone(), Lag::of(lags)?))).collect();
    found.sort_by(|a, b| a.0.slug.cmp(&b.0.slug));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_values_measured_at_their_nearest_rank() {
        let lag = Lag::of(vec![10, 1, 9, 2, 8, 3, 7, 4, 6, 5]).unwrap();
        assert_eq!((lag.articles, lag.median, lag.p90), (10, Duration::microseconds(5), Duration::microseconds(9)));
        let one = Lag::of(vec![42]).unwrap();
        assert_eq!((one.median, one.p90), (Duration::microseconds(42), Duration::microseconds(42)));
        let three = Lag::of(vec![30, 10, 20]).unwrap();
        assert_eq!((three.median, three.p90), (Duration::microseconds(20), Duration::microseconds(30)));
        assert_eq!(Lag::of(vec![]), None);
    }

    #[test]
    fn today_and_the_week_begin_at_midnight_in_the_sites_zone() {
        // Wednesday 2026-12-02 01:30 in Shanghai is Tuesday 17:30 UTC.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 17, 30, 0).unwrap();
        let (today, week) = period_starts(chrono_tz::Asia::Shanghai, now);
        assert_eq!(today, Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).unwrap());
        assert_eq!(week, Utc.with_ymd_and_hms(2026, 11, 29, 16, 0, 0).unwrap(), "Monday 00:00 in Shanghai");
    }
}
