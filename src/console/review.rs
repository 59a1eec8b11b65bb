//! The review queue (审核): the articles held for an editor, oldest first, and one of
//! them as it will be published, with approve and reject (a reason required) for a
//! user who may decide.

use super::articles::{article_path, preview, with_held_article_policy};
use super::form::{Form, Values};
use super::parts::{outcome, time};
use super::{frame, Section, Viewer};
use crate::domain::review::HeldBy;
use crate::publish::html::Page;
use crate::store::{PendingArticle, StaffArticle};
use chrono_tz::Tz;
use maud::html;

/// A pending article's page in the console.
pub fn pending_path(id: i64) -> String {
    format!("{}/{id}", Section::Review.path())
}

/// What the queue shows: the oldest pending articles the user sees, and how many wait.
pub struct ReviewView<'a> {
    pub pending: &'a [PendingArticle],
    pub total: i64,
    pub zone: Tz,
    pub notice: Option<&'a str>,
}

/// One pending article, and what its decision form shows.
pub struct PendingView<'a> {
    pub found: &'a StaffArticle,
    pub may_decide: bool,
    /// The reason as posted, and why it was refused.
    pub values: &'a Values,
    pub errors: &'a [(String, String)],
}

fn held_by(viewer: &Viewer<'_>, by: Option<HeldBy>) -> &'static str {
    let l = &viewer.labels.review;
    match by {
        Some(HeldBy::Source) => l.held_by_source,
        Some(HeldBy::Outlet) | None => l.held_by_outlet,
    }
}

/// The queue, oldest first.
pub fn review_page(viewer: &Viewer<'_>, view: &ReviewView<'_>) -> Page {
    let labels = viewer.labels;
    let (l, n) = (&labels.review, &labels.newsroom);
    let content = html! {
        (outcome(view.notice, None))
        @if view.pending.is_empty() {
            p.card.muted { (l.nothing_pending) }
        } @else {
            p { (l.waiting.replace("{}", &view.total.to_string())) }
            @if view.total > view.pending.len() as i64 {
                p.hint { (l.first_shown.replace("{}", &view.pending.len().to_string())) }
            }
            table.stack {
                thead { tr {
                    th scope="col" { (n.title) } th scope="col" { (n.outlet) } th scope="col" { (n.column) }
                    th scope="col" { (l.held_by) } th scope="col" { (l.received_at) }
                } }
                tbody {
                    @for article in view.pending {
                        tr {
                            td.title data-label=(n.title) { a href=(pending_path(article.id)) { (article.title) } }
                            td data-label=(n.outlet) { (article.outlet_name) }
                            td data-label=(n.column) { (article.column_slugs.join(", ")) }
                            td data-label=(l.held_by) { (held_by(viewer, article.held_by)) }
                            td data-label=(l.received_at) { (time(article.received_at, view.zone)) }
                        }
                    }
                }
            }
        }
    };
    frame(viewer, Some(Section::Review), l.queue, content)
}

/// One pending article as it will be published, and (for who may) the decision.
pub fn pending_page(viewer: &Viewer<'_>, view: &PendingView<'_>) -> Page {
    let (l, n) = (&viewer.labels.review, &viewer.labels.newsroom);
    let article = &view.found.article;
    let action = |verb: &str| format!("{}/{verb}", pending_path(article.id));
    let form = Form { values: view.values, errors: view.errors };
    let content = html! {
        p.back { a href=(Section::Review.path()) { "← " (l.back_to_queue) } }
        div.split {
            div.main-column { (preview(viewer, article, l.as_it_will_render)) }
            aside.side-column {
                section.card aria-labelledby="held-heading" {
                    h2 #held-heading { (l.held_by) }
                    p { (held_by(viewer, view.found.held_by)) }
                    dl.fields {
                        dt { (n.outlet) } dd { (article.outlet.name) }
                        dt { (n.original_link) }
                        dd.url { a href=(article.original_url) rel="nofollow noopener noreferrer" { (article.original_url) } }
                    }
                }
                @if view.may_decide {
                    section.card aria-labelledby="decide-heading" {
                        h2 #decide-heading { (l.decide) }
                        p.hint { (l.approve_hint) }
                        p { a href={ (article_path(article.id)) "#edit-heading" } { (l.edit_first) } }
                        form method="post" action=(action("approve")) {
                            (viewer.csrf_field())
                            button type="submit" { (l.approve_button) }
                        }
                        form method="post" action=(action("reject")) {
                            (viewer.csrf_field())
                            (form.textarea("reason", l.reason, Some(l.reason_hint)))
                            button.danger type="submit" { (l.reject_button) }
                        }
                    }
                }
            }
        }
    };
    with_held_article_policy(frame(viewer, Some(Section::Review), &article.title, content))
}
