//! `/admin/outlets`: every outlet, the form that adds one (its first ingest token shown
//! once, in the answer to the form); one outlet's page to change it and to issue and
//! revoke its tokens.

use super::{plain_options, time, CatalogLabels};
use crate::console::form::{notice, shown_once, Form, Kind};
use crate::console::{frame, Section, Viewer};
use crate::domain::Outlet;
use crate::publish::html::Page;
use crate::store::outlets::TokenInfo;
use chrono_tz::Tz;
use maud::{html, Markup};

/// What the outlets page shows.
pub struct OutletsView<'a> {
    pub outlets: &'a [Outlet],
    /// Whether the user may add and change outlets (admins).
    pub may_change: bool,
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    /// The outlet just added and its first ingest token, shown this once.
    pub created: Option<(&'a Outlet, &'a str)>,
    pub timezone: Tz,
    /// Who may be the default responsible editor: (username, how the choice reads).
    pub editors: &'a [(String, String)],
}

pub fn outlets_page(viewer: &Viewer<'_>, view: &OutletsView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let content = html! {
        (notice(view.notice))
        @if let Some((outlet, token)) = view.created {
            (shown_once(labels, &format!("{} · {}", labels.outlet_added, outlet.name), token))
        }
        section.card aria-labelledby="list-heading" {
            h2 #list-heading { (viewer.labels.outlets) }
            @if view.outlets.is_empty() {
                p.hint { (labels.none_yet) }
            } @else {
                div.table-wrap {
                    table.stack {
                        thead { tr { th { (labels.name) } th { (labels.slug) } th { (labels.homepage) } th { (labels.timezone) } th { (labels.created) } } }
                        tbody {
                            @for outlet in view.outlets {
                                tr {
                                    td data-label=(labels.name) {
                                        @if view.may_change {
                                            a href=(format!("/admin/outlets/{}", outlet.slug)) { (outlet.name) }
                                        } @else { (outlet.name) }
                                    }
                                    td data-label=(labels.slug) {
                                        code { (outlet.slug) }
                                        @if outlet.reposting.licensed { " " span.badge.licensed { (labels.licensed) } }
                                        @if !outlet.reposting.allow_repost { " " span.badge.no-repost { (labels.no_repost) } }
                                    }
                                    td.url data-label=(labels.homepage) { (outlet.homepage) }
                                    td data-label=(labels.timezone) { (outlet.timezone.name()) }
                                    td data-label=(labels.created) { (time(outlet.created_at, view.timezone)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if view.may_change {
            section.card aria-labelledby="add-heading" {
                h2 #add-heading { (labels.add_outlet) }
                form method="post" action="/admin/outlets" {
                    (viewer.csrf_field())
                    (view.form.summary(labels))
                    (view.form.input("slug", labels.slug, Kind::Text, true, Some(labels.slug_hint)))
                    (outlet_fields(viewer, &view.form, view.editors))
                    button type="submit" { (labels.add_outlet) }
                }
            }
        }
    };
    frame(viewer, Some(Section::Outlets), viewer.labels.outlets, content)
}

/// The fields an outlet is added and changed with (all but the slug).
fn outlet_fields(viewer: &Viewer<'_>, form: &Form<'_>, editors: &[(String, String)]) -> Markup {
    let labels = CatalogLabels::of(viewer.labels);
    html! {
        (form.input("name", labels.name, Kind::Text, true, None))
        (form.input("homepage", labels.homepage, Kind::Url, true, None))
        div.row {
            div { (form.input("language", labels.language_tag, Kind::Text, false, Some(labels.language_tag_hint))) }
            div { (form.input("timezone", labels.timezone, Kind::Text, false, Some(labels.timezone_hint))) }
        }
        (form.textarea("rights", labels.rights, None))
        div.row {
            div { (form.select("indexing", labels.indexing, &plain_options(&["self", "original", "noindex"]))) }
            div { (form.select("feed_content", labels.feed_content, &plain_options(&["full", "summary"]))) }
            div { (form.select("partner_content", labels.partner_content, &plain_options(&["full", "summary", "none"]))) }
        }
        p.hint { (labels.grants_hint) }
        (form.input("domains", labels.domains, Kind::Text, false, Some(labels.domains_hint)))
        (form.checkbox("licensed", labels.licensed, Some(labels.licensed_hint)))
        (form.input("licence_ref", labels.licence_ref, Kind::Text, false, None))
        (form.checkbox("no_repost", labels.no_repost, Some(labels.no_repost_hint)))
        (form.textarea("repost_terms", labels.repost_terms, Some(labels.repost_terms_hint)))
        (form.checkbox("keep_images", labels.keep_images, Some(labels.keep_images_hint)))
        (review_fields(viewer, form, editors))
    }
}

/// What one outlet's page shows.
pub struct OutletView<'a> {
    pub outlet: &'a Outlet,
    pub tokens: &'a [TokenInfo],
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    /// A token just issued, shown this once.
    pub issued: Option<&'a str>,
    pub timezone: Tz,
    /// Who may be the default responsible editor: (username, how the choice reads).
    pub editors: &'a [(String, String)],
}

pub fn outlet_page(viewer: &Viewer<'_>, view: &OutletView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let outlet = view.outlet;
    let path = format!("/admin/outlets/{}", outlet.slug);
    let content = html! {
        p { a href="/admin/outlets" { "← " (viewer.labels.outlets) } }
        (notice(view.notice))
        @if let Some(token) = view.issued {
            (shown_once(labels, labels.token_issued, token))
        }
        section.card aria-labelledby="edit-heading" {
            h2 #edit-heading { (labels.edit) " " code { (outlet.slug) } }
            form method="post" action=(path) {
                (viewer.csrf_field())
                (view.form.summary(labels))
                (outlet_fields(viewer, &view.form, view.editors))
                button type="submit" { (labels.save) }
            }
        }
        section.card aria-labelledby="tokens-heading" {
            h2 #tokens-heading { (labels.ingest_tokens) }
            p.hint { (labels.tokens_hint) }
            div.table-wrap {
                table {
                    thead { tr { th { "ID" } th { (labels.created) } th { (labels.revoked) } th { span.sr-only { (labels.actions) } } } }
                    tbody {
                        @for token in view.tokens {
                            tr {
                                td { (token.id) }
                                td { (time(token.created_at, view.timezone)) }
                                td { @if let Some(at) = token.revoked_at { (time(at, view.timezone)) } @else { "—" } }
                                td {
                                    @if token.revoked_at.is_none() {
                                        form.inline method="post" action=(format!("{path}/tokens/{}/revoke", token.id)) {
                                            (viewer.csrf_field())
                                            button.danger type="submit" { (labels.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(format!("{path}/tokens")) {
                (viewer.csrf_field())
                button type="submit" { (labels.issue_token) }
            }
        }
    };
    frame(viewer, Some(Section::Outlets), &outlet.name, content)
}

/// The review setting and the default responsible editor (责任编辑).
fn review_fields(viewer: &Viewer<'_>, form: &Form<'_>, editors: &[(String, String)]) -> Markup {
    let l = &viewer.labels.review;
    let none = (String::new(), l.no_default_editor.to_owned());
    let choices: Vec<(String, String)> = std::iter::once(none).chain(editors.iter().cloned()).collect();
    html! {
        div.row {
            div { (form.select("review", l.review, &review_options(viewer))) }
            div { (form.select("default_editor", l.default_editor, &choices)) }
        }
        p.hint { (l.review_hint) " " (l.default_editor_hint) }
    }
}

/// The choices of `review`, in words.
pub(in crate::console) fn review_options(viewer: &Viewer<'_>) -> Vec<(String, String)> {
    let l = &viewer.labels.review;
    vec![("auto".to_owned(), l.review_auto.to_owned()), ("manual".to_owned(), l.review_manual.to_owned())]
}
