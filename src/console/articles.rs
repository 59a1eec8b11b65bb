//! The articles: the filtered, paged list of every article the user sees, and one
//! article as published with every attribution field and the forms that change it
//! (withdraw, reinstate, move, edit, and an outlet's correction after an edit:
//! `corrections`), shown only to a user who may make them.
//!
//! An article's content is shown as its public page shows it (`publish::html::
//! article_body`: the sanitised HTML stored at ingest, never anything else), so the page
//! of one article allows what that page allows: images and media from outlets' sites,
//! and the typographic `style` attributes sanitised content keeps. Still no script.

use super::corrections::{corrected_badge, correction_card, edit_card, edit_rows};
use super::form::Form;
use super::paging::{pager, PageLinks};
use super::parts::{maybe_time, outcome, status, status_name, time, withdrawer};
use super::{frame, Section, Viewer};
use crate::domain::media::ImageState;
use crate::domain::{Article, ArticleStatus, Column, Outlet};
use crate::publish::html::{article_body, Page};
use crate::store::media::ArticleImage;
use crate::store::StaffArticle;
use chrono_tz::Tz;
use maud::{html, Markup};
use serde::Deserialize;

/// What a page showing a published article's content may load: the console's own
/// policy, plus the outlets' images and media (as the public page shows them) and
/// sanitised content's `style` attributes.
const ARTICLE_POLICY: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self' http: https:; media-src http: https:; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// What a page showing a held article may load: nothing from elsewhere. The content
/// policy flagged it, so its images may be the spam itself or a tracker telling the
/// sender when, and from where, an editor looks; they show as their alternative text.
const HELD_ARTICLE_POLICY: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The list's filters as typed into its form (and carried in its links).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ArticleFilters {
    /// A column's slug.
    pub column: String,
    /// An outlet's slug.
    pub outlet: String,
    /// An `ArticleStatus` name.
    pub status: String,
    /// Reposted on or after this day (`YYYY-MM-DD`, the site's zone).
    pub from: String,
    /// Reposted on or before this day.
    pub to: String,
    /// Text the title contains.
    pub q: String,
    /// `on`: only articles their outlet corrected after an edit, still to be resolved.
    pub corrected: String,
}

impl ArticleFilters {
    /// The filters as the list's address carries them.
    pub fn fields(&self) -> [(&'static str, &str); 7] {
        [
            ("column", &self.column),
            ("outlet", &self.outlet),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("corrected", &self.corrected),
        ]
    }
}

/// What the list shows.
pub struct ArticleListView<'a> {
    pub filters: &'a ArticleFilters,
    /// Refusals of the filters, by field (`from`, `to`).
    pub errors: &'a [(&'static str, String)],
    /// The columns the user sees, in tree order, and every outlet, for the filters.
    pub columns: &'a [Column],
    pub outlets: &'a [Outlet],
    pub articles: &'a [StaffArticle],
    pub links: PageLinks,
    pub zone: Tz,
}

/// The list of articles with its filter form.
pub fn article_list_page(viewer: &Viewer<'_>, view: &ArticleListView<'_>) -> Page {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let f = view.filters;
    let error_for = |field: &str| view.errors.iter().find(|(name, _)| *name == field).map(|(_, e)| e.as_str());
    // A field's label, its control (given whether it is invalid and what describes it),
    // and its error beneath.
    let field = |id: &'static str, label: &str, control: &dyn Fn(Option<&'static str>, Option<String>) -> Markup| {
        let error = error_for(id);
        let described = error.map(|_| format!("{id}-error"));
        html! {
            div.field {
                label for=(id) { (label) }
                (control(error.map(|_| "true"), described.clone()))
                @if let (Some(error), Some(described)) = (error, described) { p.field-error id=(described) { (error) } }
            }
        }
    };
    let date = |id: &'static str, value: &str| {
        let value = value.to_owned();
        move |invalid: Option<&'static str>, described: Option<String>| {
            html! { input id=(id) type="date" name=(id) value=(value) aria-invalid=[invalid] aria-describedby=[described]; }
        }
    };
    let content = html! {
        form.filters method="get" action=(Section::Articles.path()) role="search" aria-label=(l.filters) {
            (field("q", l.text_filter, &|invalid, described| html! {
                input #q type="search" name="q" value=(f.q) maxlength="200" aria-invalid=[invalid] aria-describedby=[described];
            }))
            (field("column", l.column, &|invalid, described| html! {
                select #column name="column" aria-invalid=[invalid] aria-describedby=[described] {
                    option value="" { (l.any) }
                    @for column in view.columns {
                        option value=(column.slug) selected[f.column == column.slug.as_str()] { (column.title) }
                    }
                }
            }))
            (field("outlet", l.outlet, &|invalid, described| html! {
                select #outlet name="outlet" aria-invalid=[invalid] aria-describedby=[described] {
                    option value="" { (l.any) }
                    @for outlet in view.outlets {
                        option value=(outlet.slug) selected[f.outlet == outlet.slug.as_str()] { (outlet.name) }
                    }
                }
            }))
            (field("status", l.status, &|invalid, described| html! {
                select #status name="status" aria-invalid=[invalid] aria-describedby=[described] {
                    option value="" { (l.any) }
                    @for choice in ArticleStatus::ALL {
                        option value=(choice.as_str()) selected[f.status == choice.as_str()] { (status_name(choice, l)) }
                    }
                }
            }))
            (field("from", l.from_date, &date("from", &f.from)))
            (field("to", l.to_date, &date("to", &f.to)))
            div.check {
                input #corrected type="checkbox" name="corrected" value="on" checked[f.corrected == "on"];
                label for="corrected" { (labels.corrections.outlet_corrected_only) }
            }
            div.actions {
                button type="submit" { (l.apply) }
                a href=(Section::Articles.path()) { (l.clear) }
            }
        }
        @if view.articles.is_empty() {
            p.card.muted { (l.no_articles) }
        } @else {
            table.stack.articles {
                thead { tr {
                    th scope="col" { (l.title) } th scope="col" { (l.outlet) } th scope="col" { (labels.columns) }
                    th scope="col" { (l.status) } th scope="col" { (l.reposted_at) }
                } }
                tbody {
                    @for found in view.articles {
                        @let article = &found.article;
                        tr {
                            td.title data-label=(l.title) {
                                a href=(article_path(article.id)) { (article.title) }
                                (corrected_badge(viewer, found))
                            }
                            td data-label=(l.outlet) { (article.outlet.name) }
                            td data-label=(labels.columns) { (column_titles(article)) }
                            td data-label=(l.status) { (status(found.status, l)) }
                            td data-label=(l.reposted_at) { (time(article.reposted_at, view.zone)) }
                        }
                    }
                }
            }
        }
        (pager(&view.links, l))
    };
    frame(viewer, Some(Section::Articles), labels.articles, content)
}

/// An article's page in the console.
pub fn article_path(id: i64) -> String {
    format!("{}/{id}", Section::Articles.path())
}

fn column_titles(article: &Article) -> String {
    article.columns.iter().map(|c| c.title.as_str()).collect::<Vec<_>>().join(" · ")
}

/// What one article's page shows besides the article.
pub struct ArticleView<'a> {
    pub found: &'a StaffArticle,
    /// Its page on the portal.
    pub public_url: &'a str,
    pub zone: Tz,
    /// Whether the user may change it: the forms are shown only then.
    pub may_change: bool,
    /// The columns it may be filed under by this user, in tree order, each ticked when
    /// the article is filed there.
    pub column_choices: &'a [(Column, bool)],
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
    /// Why the columns were refused.
    pub column_error: Option<&'a str>,
    /// The edit form: the article's values, or as posted when refused.
    pub edit_form: Form<'a>,
    /// Its images and where keeping each stands (its outlet keeps images).
    pub images: &'a [ArticleImage],
}

/// One article as published, with its attribution and, for who may, its forms.
pub fn article_page(viewer: &Viewer<'_>, view: &ArticleView<'_>) -> Page {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let found = view.found;
    let article = &found.article;
    let action = |verb: &str| format!("{}/{verb}", article_path(article.id));
    let content = html! {
        p.back { a href=(Section::Articles.path()) { "← " (l.all_articles) } }
        (outcome(view.notice, view.error))
        @if found.status == ArticleStatus::Pending {
            p.notice { a href=(super::review::pending_path(article.id)) { (labels.review.waits_for_review) } }
        }
        div.split {
            div.main-column {
                (preview(viewer, article, l.as_published))
                @if view.may_change { (edit_card(viewer, found, &view.edit_form, &action("edit"))) }
            }
            aside.side-column {
                (attribution(viewer, found, view.public_url, view.zone))
                @if !view.images.is_empty() { (kept_images(viewer, view.images)) }
                @if view.may_change {
                    (correction_card(viewer, found, &action("outlet-correction")))
                    @if matches!(found.status, ArticleStatus::Published | ArticleStatus::Embargoed) {
                        section.card aria-labelledby="withdraw-heading" {
                            h2 #withdraw-heading { (l.withdraw) }
                            p.hint { (l.withdraw_hint) }
                            form method="post" action=(action("withdraw")) {
                                (viewer.csrf_field())
                                button.danger type="submit" { (l.withdraw_button) }
                            }
                        }
                    }
                    @if matches!(found.status, ArticleStatus::Withdrawn | ArticleStatus::Expired) {
                        section.card aria-labelledby="reinstate-heading" {
                            h2 #reinstate-heading { (l.reinstate) }
                            p.hint { (l.reinstate_hint) }
                            form method="post" action=(action("reinstate")) {
                                (viewer.csrf_field())
                                button type="submit" { (l.reinstate_button) }
                            }
                        }
                    }
                    section.card aria-labelledby="move-heading" {
                        h2 #move-heading { (l.move_columns) }
                        form method="post" action=(action("move")) {
                            (viewer.csrf_field())
                            fieldset aria-describedby="move-hint" {
                                legend { (l.move_columns) }
                                @for (column, ticked) in view.column_choices {
                                    @let id = format!("column-{}", column.id);
                                    div.check {
                                        input id=(id) type="checkbox" name="column" value=(column.slug) checked[*ticked];
                                        label for=(id) { (column.title) }
                                    }
                                }
                            }
                            p.hint #move-hint { (l.move_hint) }
                            @if let Some(error) = view.column_error { p.field-error role="alert" { (error) } }
                            button type="submit" { (l.move_button) }
                        }
                    }
                }
            }
        }
    };
    with_article_policy(frame(viewer, Some(Section::Articles), &article.title, content))
}

/// Where keeping each of an article's images stands, with the reason of the last failure.
fn kept_images(viewer: &Viewer<'_>, images: &[ArticleImage]) -> Markup {
    let l = &viewer.labels.newsroom;
    let state_name = |state: ImageState| match state {
        ImageState::Pending => l.image_states[0],
        ImageState::Kept => l.image_states[1],
        ImageState::Refused => l.image_states[2],
        ImageState::Failed => l.image_states[3],
    };
    html! {
        section.card aria-labelledby="images-heading" {
            h2 #images-heading { (l.kept_images) }
            p.hint { (l.kept_images_hint) }
            dl.fields {
                @for image in images {
                    dt { (state_name(image.state)) }
                    dd.url {
                        a href=(image.url) rel="nofollow noopener noreferrer" { (image.url) }
                        @if let Some(error) = &image.last_error { br; small { (error) } }
                    }
                }
            }
        }
    }
}

/// The article as its public page renders it: subtitle, title, and body.
pub(super) fn preview(viewer: &Viewer<'_>, article: &Article, caption: &str) -> Markup {
    html! {
        section.card.preview aria-label=(caption) {
            p.caption { (caption) }
            article lang=[article.language.as_deref()] {
                @if let Some(subtitle) = &article.subtitle { p.series { (subtitle) } }
                p.headline { (article.title) }
                @if let Some(author) = &article.author { p.hint { (viewer.labels.newsroom.author) ": " (author) } }
                (article_body(article))
            }
        }
    }
}

/// A console page showing a published article's content, with the policy that lets it render.
pub(super) fn with_article_policy(mut page: Page) -> Page {
    page.content_security_policy = ARTICLE_POLICY.to_owned();
    page
}

/// A console page showing a held article's content, loading nothing from elsewhere.
pub(super) fn with_held_article_policy(mut page: Page) -> Page {
    page.content_security_policy = HELD_ARTICLE_POLICY.to_owned();
    page
}

/// Every attribution field and where the article stands.
fn attribution(viewer: &Viewer<'_>, found: &StaffArticle, public_url: &str, zone: Tz) -> Markup {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let article = &found.article;
    html! {
        section.card aria-labelledby="attribution-heading" {
            h2 #attribution-heading { (l.attribution) }
            dl.fields {
                dt { (l.status) } dd { (status(found.status, l)) (corrected_badge(viewer, found)) }
                (edit_rows(viewer, found))
                dt { (l.original_link) }
                dd.url { a href=(article.original_url) rel="nofollow noopener noreferrer" { (article.original_url) } }
                dt { (l.outlet) } dd { (article.outlet.name) " (" (article.outlet.slug) ")" }
                dt { (l.author) } dd { (article.author.as_deref().unwrap_or("–")) }
                dt { (l.rights) } dd { (article.effective_rights().unwrap_or("–")) }
                dt { (l.original_published) } dd { (time(article.original_published_at, zone)) }
                dt { (l.original_updated) } dd { (maybe_time(article.original_updated_at, zone, "–")) }
                dt { (l.reposted_at) } dd { (time(article.reposted_at, zone)) }
                dt { (l.updated) } dd { (time(article.updated_at, zone)) }
                dt { (labels.columns) } dd { (column_titles(article)) }
                @if let Some(at) = found.withdrawn_at {
                    dt { (l.withdrawn_at) } dd { (time(at, zone)) }
                    dt { (l.withdrawn_by) } dd { (withdrawer(found.withdrawn_by, l)) }
                }
                @if let Some(until) = found.embargo_until { dt { (l.embargo_until) } dd { (time(until, zone)) } }
                @if let Some(ends) = found.expires_at { dt { (l.expires_at) } dd { (time(ends, zone)) } }
                @if let Some(reason) = &found.quarantine_reason { dt { (l.held_because) } dd { (reason) } }
                dt { (l.public_page) } dd.url { a href=(public_url) { (public_url) } }
                @if let Some(original) = article.duplicate_of {
                    dt { (l.duplicate_of) } dd { a href=(article_path(original)) { "#" (original) } }
                }
                @if !article.copies.is_empty() {
                    dt { (l.copies) }
                    dd {
                        @for (i, copy) in article.copies.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href=(article_path(copy.id)) { (copy.outlet_name) " #" (copy.id) }
                        }
                    }
                }
            }
        }
    }
}
