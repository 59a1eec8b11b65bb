//! `/admin/partners` (admins): the partners who read the change feed, the form that adds
//! one (its read token shown once, in the answer to the form), and revoking one.

use super::{column_checks, scope_line, time, CatalogLabels};
use crate::console::form::{notice, shown_once, Form, Kind};
use crate::console::{frame, Section, Viewer};
use crate::domain::column::{Column, ColumnTree};
use crate::publish::html::Page;
use crate::store::partners::Partner;
use chrono_tz::Tz;
use maud::html;

/// What the partners page shows.
pub struct PartnersView<'a> {
    pub tree: &'a ColumnTree,
    pub partners: &'a [Partner],
    pub columns: &'a [(&'a Column, usize)],
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    /// The partner just added and its read token, shown this once.
    pub created: Option<(&'a Partner, &'a str)>,
    pub timezone: Tz,
}

pub fn partners_page(viewer: &Viewer<'_>, view: &PartnersView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let content = html! {
        (notice(view.notice))
        @if let Some((partner, token)) = view.created {
            (shown_once(labels, &format!("{} · {}", labels.partner_added, partner.name), token))
        }
        section.card aria-labelledby="list-heading" {
            h2 #list-heading { (viewer.labels.partners) }
            @if view.partners.is_empty() {
                p.hint { (labels.none_yet) }
            } @else {
                div.table-wrap { table.stack {
                    thead { tr { th { (labels.name) } th { (labels.columns_label) } th { (labels.created) } th { (labels.revoked) } } }
                    tbody {
                        @for partner in view.partners {
                            tr {
                                td data-label=(labels.name) { (partner.name) " " span.muted { "#" (partner.id) } }
                                td data-label=(labels.columns_label) { (scope_line(view.tree, &partner.column_ids, labels.every_column)) }
                                td data-label=(labels.created) { (time(partner.created_at, view.timezone)) }
                                td data-label=(labels.revoked) {
                                    @if let Some(at) = partner.revoked_at {
                                        (time(at, view.timezone))
                                    } @else {
                                        form.inline method="post" action=(format!("/admin/partners/{}/revoke", partner.id)) {
                                            (viewer.csrf_field())
                                            button.danger type="submit" { (labels.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        section.card aria-labelledby="add-heading" {
            h2 #add-heading { (labels.add_partner) }
            form method="post" action="/admin/partners" {
                (viewer.csrf_field())
                (view.form.summary(labels))
                (view.form.input("name", labels.name, Kind::Text, true, None))
                (view.form.checkboxes("columns", labels.columns_label, &column_checks(view.columns), Some(labels.scope_hint)))
                button type="submit" { (labels.add_partner) }
            }
        }
    };
    frame(viewer, Some(Section::Partners), viewer.labels.partners, content)
}
