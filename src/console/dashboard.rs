//! The dashboard, the console's home: what was reposted today and this week per column
//! and per outlet, every source's health (failing and silent ones first, as
//! `Operations::dashboard` orders them), and each outlet's repost lag.

use super::parts::{duration, maybe_time, time};
use super::{frame, Section, Viewer};
use crate::operations::dashboard::{Dashboard, Health, Reposted};
use crate::publish::html::Page;
use chrono_tz::Tz;
use maud::{html, Markup};

/// The dashboard as `viewer` sees it (figures already limited to its columns).
/// `pending`: how many articles the user sees wait for review.
pub fn dashboard_page(viewer: &Viewer<'_>, figures: &Dashboard, pending: i64, zone: Tz) -> Page {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let columns: Vec<(&str, Reposted)> = figures.columns.iter().map(|(c, r)| (c.title.as_str(), *r)).collect();
    let outlets: Vec<(&str, Reposted)> = figures.outlets.iter().map(|(o, r)| (o.name.as_str(), *r)).collect();
    let content = html! {
        p.card.pending-review {
            @if pending > 0 {
                a href=(Section::Review.path()) { (labels.review.waiting.replace("{}", &pending.to_string())) }
            } @else {
                a href=(Section::Review.path()) { (labels.review.nothing_pending) }
            }
        }
        section aria-labelledby="reposted-heading" {
            h2 #reposted-heading { (l.reposted) }
            p.hint { (l.today) " " (time(figures.today_from, zone)) " · " (l.this_week) " " (time(figures.week_from, zone)) }
            div.pair {
                (counts(viewer, "by-column", l.by_column, l.column, &columns))
                (counts(viewer, "by-outlet", l.by_outlet, l.outlet, &outlets))
            }
        }
        section.card aria-labelledby="health-heading" {
            h2 #health-heading { (l.source_health) }
            @if figures.sources.is_empty() {
                p.muted { (l.no_sources) }
            } @else {
                table.stack {
                    thead { tr {
                        th scope="col" { (l.health) } th scope="col" { (l.source) } th scope="col" { (l.last_fetch) }
                        th scope="col" { (l.http_status) } th scope="col" { (l.last_error) }
                        th scope="col" { (l.new_refused) } th scope="col" { (l.next_fetch) }
                        th scope="col" { (l.failures) }
                    } }
                    tbody {
                        @for (source, health) in &figures.sources {
                            tr {
                                td data-label=(l.health) { (health_badge(*health, viewer)) }
                                td data-label=(l.source) {
                                    strong { (source.outlet_slug) } br;
                                    span.url { (source.url) }
                                }
                                td data-label=(l.last_fetch) { (maybe_time(source.status.last_fetch_at, zone, l.never)) }
                                td data-label=(l.http_status) {
                                    @if let Some(status) = source.status.last_status { (status) } @else { "–" }
                                }
                                td.error-text data-label=(l.last_error) { (source.status.last_error.as_deref().unwrap_or("–")) }
                                td.number data-label=(l.new_refused) {
                                    (source.status.items_new) " / " (source.status.items_refused)
                                }
                                td data-label=(l.next_fetch) { (time(source.status.next_fetch_at, zone)) }
                                td.number data-label=(l.failures) { (source.status.consecutive_failures) }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="lag-heading" {
            h2 #lag-heading { (l.repost_lag) }
            @if figures.lags.is_empty() {
                p.muted { (l.no_lag) }
            } @else {
                table.stack {
                    thead { tr {
                        th scope="col" { (l.outlet) } th.number scope="col" { (l.articles_measured) }
                        th.number scope="col" { (l.median) } th.number scope="col" { (l.p90) }
                    } }
                    tbody {
                        @for (outlet, lag) in &figures.lags {
                            tr {
                                td data-label=(l.outlet) { (outlet.name) }
                                td.number data-label=(l.articles_measured) { (lag.articles) }
                                td.number data-label=(l.median) { (duration(lag.median, l)) }
                                td.number data-label=(l.p90) { (duration(lag.p90, l)) }
                            }
                        }
                    }
                }
            }
        }
    };
    frame(viewer, Some(Section::Dashboard), labels.dashboard, content)
}

/// A card of counts for today and this week, one row per name.
fn counts(viewer: &Viewer<'_>, id: &str, heading: &str, name: &str, rows: &[(&str, Reposted)]) -> Markup {
    let l = &viewer.labels.newsroom;
    html! {
        section.card aria-labelledby=(id) {
            h3 #(id) { (heading) }
            @if rows.is_empty() {
                p.muted { (l.nothing_reposted) }
            } @else {
                table {
                    thead { tr { th scope="col" { (name) } th.number scope="col" { (l.today) } th.number scope="col" { (l.this_week) } } }
                    tbody {
                        @for (title, reposted) in rows {
                            tr { td { (title) } td.number { (reposted.today) } td.number { (reposted.week) } }
                        }
                    }
                }
            }
        }
    }
}

fn health_badge(health: Health, viewer: &Viewer<'_>) -> Markup {
    let l = &viewer.labels.newsroom;
    let name = match health {
        Health::Failing => l.health_failing,
        Health::Silent => l.health_silent,
        Health::Healthy => l.health_healthy,
    };
    html! { span class=(format!("badge {}", health.as_str())) { (name) } }
}
