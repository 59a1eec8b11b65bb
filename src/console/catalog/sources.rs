//! `/admin/sources`: the polled feeds and list pages with their health, the form that adds
//! one (its outlet, kind, address, how its pages are read, columns, routing rules,
//! keywords to include and exclude, interval) and previews what it would bring; one
//! source's page with its last poll (refusals with their reasons, warnings) and the forms
//! to change it, poll it now or remove it.

use super::reading::{preview_section, reading_fields, reading_values, ReadingLabels};
use super::{column_checks, column_options, time, CatalogLabels};
use crate::console::form::{notice, Form, Kind, Values};
use crate::console::{frame, Section, Viewer};
use crate::domain::column::{Column, ColumnTree};
use crate::domain::source::Source;
use crate::domain::Outlet;
use crate::ingest::preview::Preview;
use crate::publish::html::Page;
use chrono_tz::Tz;
use maud::{html, Markup};

/// Blank rule rows a source form offers beyond the rules it has.
pub const BLANK_RULES: usize = 2;

/// What the sources page shows.
pub struct SourcesView<'a> {
    pub tree: &'a ColumnTree,
    pub sources: &'a [Source],
    pub outlets: &'a [Outlet],
    /// The columns the user may file into (its scope), in tree order.
    pub columns: &'a [(&'a Column, usize)],
    /// Whether the user may add sources (admins, editors).
    pub may_add: bool,
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    pub timezone: Tz,
    /// What the form's source would bring, when a preview was asked for.
    pub preview: Option<&'a Result<Preview, String>>,
}

pub fn sources_page(viewer: &Viewer<'_>, view: &SourcesView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let content = html! {
        (notice(view.notice))
        section.card aria-labelledby="list-heading" {
            h2 #list-heading { (labels.source_health) }
            @if view.sources.is_empty() {
                p.hint { (labels.none_yet) }
            } @else {
                div.table-wrap {
                    table.stack {
                        thead { tr {
                            th { (labels.source) } th { (labels.columns_label) } th { (labels.last_fetch) }
                            th { (labels.last_poll) } th { (labels.failures) } th { (labels.next_fetch) }
                        } }
                        tbody {
                            @for source in view.sources {
                                @let status = &source.status;
                                tr class=[(status.consecutive_failures > 0).then_some("failing")] {
                                    td.source data-label=(labels.source) {
                                        a href=(format!("/admin/sources/{}", source.id)) { (source.outlet_slug) " #" (source.id) }
                                        br; span.url { (source.url) }
                                    }
                                    td data-label=(labels.columns_label) { (slugs(view.tree, &source.routing.columns)) }
                                    td data-label=(labels.last_fetch) { @if let Some(at) = status.last_fetch_at { (time(at, view.timezone)) } @else { "—" } }
                                    td data-label=(labels.last_poll) {
                                        @if let Some(error) = &status.last_error {
                                            span.bad { (error) }
                                        } @else {
                                            (poll_counts(labels, source))
                                        }
                                    }
                                    td data-label=(labels.failures) { (status.consecutive_failures) }
                                    td data-label=(labels.next_fetch) { (time(status.next_fetch_at, view.timezone)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if view.may_add {
            section.card aria-labelledby="add-heading" {
                h2 #add-heading { (labels.add_source) }
                form method="post" action="/admin/sources" {
                    (viewer.csrf_field())
                    (view.form.summary(labels))
                    @let outlets: Vec<(String, String)> = view.outlets.iter().map(|o| (o.slug.to_string(), format!("{} ({})", o.name, o.slug))).collect();
                    (view.form.select("outlet", labels.outlet, &outlets))
                    (source_fields(viewer, &view.form, view.columns, true))
                    div.actions {
                        button type="submit" { (labels.add_source) }
                        " "
                        button type="submit" formaction="/admin/sources/preview" formnovalidate { (ReadingLabels::of(viewer.labels).preview) }
                    }
                }
            }
            @if let Some(preview) = view.preview { (preview_section(viewer.labels, preview)) }
        }
    };
    frame(viewer, Some(Section::Sources), viewer.labels.sources, content)
}

fn slugs(tree: &ColumnTree, ids: &[i64]) -> String {
    ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.to_string()).collect::<Vec<_>>().join(", ")
}

/// "HTTP 200 · 12 seen, 3 new, 1 refused".
fn poll_counts(labels: &CatalogLabels, source: &Source) -> Markup {
    let status = &source.status;
    html! {
        @if let Some(code) = status.last_status { "HTTP " (code) " · " }
        (status.items_seen) " " (labels.seen) ", " (status.items_new) " " (labels.new) ", "
        (status.items_refused) " " (labels.refused)
    }
}

/// The fields a source is added and changed with (all but its outlet).
fn source_fields(viewer: &Viewer<'_>, form: &Form<'_>, columns: &[(&Column, usize)], adding: bool) -> Markup {
    let labels = CatalogLabels::of(viewer.labels);
    let values = form.values;
    let rule_count = values.all("route_value").len() + BLANK_RULES;
    let matches = [
        ("category".to_owned(), labels.match_category.to_owned()),
        ("keyword".to_owned(), labels.match_keyword.to_owned()),
    ];
    let route_columns = column_options(columns, None);
    let rows = rule_rows(values, rule_count);
    html! {
        (form.input("url", labels.feed_url, Kind::Url, true, None))
        (reading_fields(viewer.labels, form, adding))
        (form.select("column", labels.primary_column, &column_options(columns, None)))
        (form.checkboxes("also", labels.also_columns, &column_checks(columns), None))
        (form.reason("columns"))
        fieldset.rules {
            legend { (labels.routing_rules) }
            p.hint { (labels.routing_hint) }
            @for (i, (matching, value, column)) in rows.iter().enumerate() {
                div.rule {
                    div {
                        label for=(format!("route_match-{i}")) { (labels.rule) " " (i + 1) ": " (labels.rule_match) }
                        select id=(format!("route_match-{i}")) name="route_match" {
                            @for (v, text) in &matches { option value=(v) selected[v == matching] { (text) } }
                        }
                    }
                    div {
                        label for=(format!("route_value-{i}")) { (labels.rule_value) }
                        input id=(format!("route_value-{i}")) type="text" name="route_value" value=(value);
                    }
                    div {
                        label for=(format!("route_column-{i}")) { (labels.rule_column) }
                        select id=(format!("route_column-{i}")) name="route_column" {
                            @for (v, text) in &route_columns { option value=(v) selected[v == column] { (text) } }
                        }
                    }
                }
            }
            (form.reason("routes"))
        }
        div.row {
            div { (form.textarea("include", labels.include, Some(labels.keywords_hint))) }
            div { (form.textarea("exclude", labels.exclude, Some(labels.keywords_hint))) }
        }
        (form.input("interval_secs", labels.interval, Kind::Number, false, Some(labels.interval_hint)))
        (form.select("review", viewer.labels.review.review, &super::outlets::review_options(viewer)))
        p.hint { (viewer.labels.review.review_hint) }
    }
}

/// The rule rows a form shows: those given (rows with a value), then blank ones.
fn rule_rows(values: &Values, count: usize) -> Vec<(String, String, String)> {
    let matches = values.all_raw("route_match");
    let columns = values.all_raw("route_column");
    let raw_values: Vec<String> = values.all_raw("route_value");
    let mut rows: Vec<(String, String, String)> = raw_values
        .iter()
        .enumerate()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(i, value)| {
            (
                matches.get(i).cloned().unwrap_or_default(),
                value.trim().to_owned(),
                columns.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    while rows.len() < count {
        rows.push(Default::default());
    }
    rows
}

/// What one source's page shows.
pub struct SourceView<'a> {
    pub tree: &'a ColumnTree,
    pub source: &'a Source,
    /// The columns the user may file into, in tree order.
    pub columns: &'a [(&'a Column, usize)],
    /// Whether the user may change, poll and remove it.
    pub may_change: bool,
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    pub timezone: Tz,
}

pub fn source_page(viewer: &Viewer<'_>, view: &SourceView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let source = view.source;
    let status = &source.status;
    let path = format!("/admin/sources/{}", source.id);
    let content = html! {
        p { a href="/admin/sources" { "← " (viewer.labels.sources) } }
        (notice(view.notice))
        section.card aria-labelledby="status-heading" {
            h2 #status-heading { (labels.last_poll) }
            dl.facts {
                dt { (labels.feed_url) } dd.url { (source.url) }
                dt { (ReadingLabels::of(viewer.labels).kind) } dd { (source.kind.as_str()) @if source.full_text { " · " (ReadingLabels::of(viewer.labels).full_text) } }
                dt { (labels.columns_label) } dd { (slugs(view.tree, &source.routing.columns)) }
                dt { (labels.last_fetch) } dd { @if let Some(at) = status.last_fetch_at { (time(at, view.timezone)) } @else { "—" } }
                dt { (labels.outcome) } dd { (poll_counts(labels, source)) ", " (status.items_updated) " " (labels.updated) ", " (status.items_quarantined) " " (labels.held) }
                @if let Some(error) = &status.last_error { dt { (labels.last_error) } dd.bad { (error) } }
                dt { (labels.failures) } dd { (status.consecutive_failures) }
                dt { (labels.next_fetch) } dd { (time(status.next_fetch_at, view.timezone)) }
            }
            @if view.may_change {
                form method="post" action=(format!("{path}/poll")) {
                    (viewer.csrf_field())
                    button type="submit" { (labels.poll_now) }
                }
            }
        }
        (super::subscription::section(viewer.labels, status.subscription.as_ref(), view.timezone))
        section.card aria-labelledby="refusals-heading" {
            h2 #refusals-heading { (labels.refusals) }
            @if status.refusals.is_empty() {
                p.hint { (labels.no_refusals) }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { (labels.reason) } th { (labels.count) } } }
                    tbody { @for (reason, count) in &status.refusals { tr { td { (reason) } td { (count) } } } }
                } }
            }
            @if !status.warnings.is_empty() {
                h3 { (labels.warnings) }
                ul { @for warning in &status.warnings { li { (warning) } } }
            }
        }
        @if view.may_change {
            section.card aria-labelledby="edit-heading" {
                h2 #edit-heading { (labels.edit) }
                form method="post" action=(path) {
                    (viewer.csrf_field())
                    (view.form.summary(labels))
                    (source_fields(viewer, &view.form, view.columns, false))
                    button type="submit" { (labels.save) }
                }
            }
            section.card.danger aria-labelledby="remove-heading" {
                h2 #remove-heading { (labels.remove_source) }
                p.hint { (labels.remove_source_hint) }
                form method="post" action=(format!("{path}/remove")) {
                    (viewer.csrf_field())
                    button.danger type="submit" { (labels.remove_source) }
                }
            }
        }
    };
    frame(viewer, Some(Section::Sources), &format!("{} #{}", source.outlet_slug, source.id), content)
}

/// A source's values as its edit form shows them.
pub fn source_values(tree: &ColumnTree, source: &Source) -> Values {
    let slug = |id: &i64| tree.get(*id).map(|c| c.slug.to_string()).unwrap_or_default();
    let routing = &source.routing;
    let mut values = Values::default();
    values.set("url", source.url.clone());
    if let Some((primary, others)) = routing.columns.split_first() {
        values.set("column", slug(primary));
        for other in others {
            values.set("also", slug(other));
        }
    }
    for route in &routing.routes {
        values.set("route_match", route.matching.as_str());
        values.set("route_value", route.value.clone());
        values.set("route_column", slug(&route.column_id));
    }
    values.set("include", routing.include.join("\n"));
    values.set("exclude", routing.exclude.join("\n"));
    values.set("interval_secs", source.interval_secs.to_string());
    values.set("review", source.review.as_str());
    reading_values(&mut values, source);
    values
}
