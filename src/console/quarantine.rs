//! The quarantine: the articles the content policy holds back (why each is held), and
//! one of them as it would render once published, with release and reject for a user
//! who may decide.

use super::articles::{preview, with_held_article_policy};
use super::parts::{outcome, time};
use super::{frame, Section, Viewer};
use crate::publish::html::Page;
use crate::store::{HeldArticle, StaffArticle};
use chrono_tz::Tz;
use maud::html;

/// A held article's page in the console.
pub fn held_path(id: i64) -> String {
    format!("{}/{id}", Section::Quarantine.path())
}

/// The held articles the user sees, newest first.
pub fn quarantine_page(viewer: &Viewer<'_>, held: &[HeldArticle], zone: Tz, notice: Option<&str>) -> Page {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let content = html! {
        (outcome(notice, None))
        @if held.is_empty() {
            p.card.muted { (l.nothing_held) }
        } @else {
            table.stack {
                thead { tr {
                    th scope="col" { (l.title) } th scope="col" { (l.outlet) } th scope="col" { (l.held_because) }
                    th scope="col" { (l.hidden_removed) } th scope="col" { (l.reposted_at) }
                } }
                tbody {
                    @for article in held {
                        tr {
                            td.title data-label=(l.title) { a href=(held_path(article.id)) { (article.title) } }
                            td data-label=(l.outlet) { (article.outlet_slug) }
                            td data-label=(l.held_because) { (article.reason) }
                            td.number data-label=(l.hidden_removed) { (article.hidden_removed) }
                            td data-label=(l.reposted_at) { (time(article.reposted_at, zone)) }
                        }
                    }
                }
            }
        }
    };
    frame(viewer, Some(Section::Quarantine), labels.quarantine, content)
}

/// One held article as it would render, why it is held, and (for who may) the decision.
pub fn held_page(viewer: &Viewer<'_>, found: &StaffArticle, may_decide: bool, error: Option<&str>) -> Page {
    let l = &viewer.labels.newsroom;
    let article = &found.article;
    let action = |verb: &str| format!("{}/{verb}", held_path(article.id));
    let content = html! {
        p.back { a href=(Section::Quarantine.path()) { "← " (l.back_to_quarantine) } }
        (outcome(None, error))
        div.split {
            div.main-column { (preview(viewer, article, l.as_it_would_render)) }
            aside.side-column {
                section.card aria-labelledby="held-heading" {
                    h2 #held-heading { (l.held_because) }
                    p { (found.quarantine_reason.as_deref().unwrap_or(l.unknown)) }
                    dl.fields {
                        dt { (l.outlet) } dd { (article.outlet.name) }
                        dt { (l.original_link) }
                        dd.url { a href=(article.original_url) rel="nofollow noopener noreferrer" { (article.original_url) } }
                    }
                }
                @if may_decide {
                    section.card aria-labelledby="decide-heading" {
                        h2 #decide-heading { (l.decide) }
                        p.hint { (l.release_hint) }
                        form method="post" action=(action("release")) {
                            (viewer.csrf_field())
                            button type="submit" { (l.release_button) }
                        }
                        form method="post" action=(action("reject")) {
                            (viewer.csrf_field())
                            button.danger type="submit" { (l.reject_button) }
                        }
                    }
                }
            }
        }
    };
    with_held_article_policy(frame(viewer, Some(Section::Quarantine), &article.title, content))
}
