//! `/admin/columns`: the tree, indented, with the form that adds a column; and one
//! column's page, to change its title, description or parent, or to remove it.

use super::{column_options, tree_order, CatalogLabels};
use crate::console::form::{notice, Form, Kind};
use crate::console::{frame, Section, Viewer};
use crate::domain::column::{Column, ColumnTree};
use crate::publish::html::Page;
use maud::html;

/// What the columns page shows.
pub struct ColumnsView<'a> {
    pub tree: &'a ColumnTree,
    /// The columns the user sees (`User::sees`).
    pub seen: &'a dyn Fn(&Column) -> bool,
    /// Whether the user may add and change columns (admins).
    pub may_change: bool,
    pub notice: Option<&'a str>,
    /// The add form: as posted (when refused), else empty.
    pub form: Form<'a>,
}

pub fn columns_page(viewer: &Viewer<'_>, view: &ColumnsView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let columns = tree_order(view.tree, view.seen);
    let content = html! {
        (notice(view.notice))
        section.card aria-labelledby="tree-heading" {
            h2 #tree-heading { (labels.column_tree) }
            @if columns.is_empty() {
                p.hint { (labels.none_yet) }
            } @else {
                ul.tree {
                    @for (column, depth) in &columns {
                        li class=(format!("depth-{}", depth.min(&4))) {
                            @if view.may_change {
                                a href=(format!("/admin/columns/{}", column.slug)) { (column.title) }
                            } @else {
                                span { (column.title) }
                            }
                            " " code { (column.slug) }
                            @if column.licensed_only { " " span.badge.licensed { (labels.licensed_only) } }
                            @if column.strict_titles { " " span.badge.strict { (labels.strict_titles) } }
                            @if let Some(description) = &column.description {
                                span.muted { " — " (description) }
                            }
                        }
                    }
                }
            }
        }
        @if view.may_change {
            section.card aria-labelledby="add-heading" {
                h2 #add-heading { (labels.add_column) }
                form method="post" action="/admin/columns" {
                    (viewer.csrf_field())
                    (view.form.summary(labels))
                    (view.form.input("slug", labels.slug, Kind::Text, true, Some(labels.slug_hint)))
                    (view.form.input("title", labels.title, Kind::Text, true, None))
                    (view.form.textarea("description", labels.description, None))
                    (view.form.select("parent", labels.parent, &column_options(&tree_order(view.tree, |_| true), Some(("", labels.top_level)))))
                    (view.form.checkbox("licensed_only", labels.licensed_only, Some(labels.licensed_only_hint)))
                    (view.form.checkbox("strict_titles", labels.strict_titles, Some(labels.strict_titles_hint)))
                    (view.form.checkbox("hide_duplicates", labels.hide_duplicates, Some(labels.hide_duplicates_hint)))
                    button type="submit" { (labels.add_column) }
                }
            }
        }
    };
    frame(viewer, Some(Section::Columns), viewer.labels.columns, content)
}

/// What one column's page shows.
pub struct ColumnView<'a> {
    pub tree: &'a ColumnTree,
    pub column: &'a Column,
    /// The edit form: the column's values, or as posted when refused.
    pub form: Form<'a>,
    /// Why removing it was refused.
    pub removal_refused: Option<&'a str>,
}

pub fn column_page(viewer: &Viewer<'_>, view: &ColumnView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let column = view.column;
    let parents = tree_order(view.tree, |c| !view.tree.would_cycle(column.id, c.id));
    let content = html! {
        p { a href="/admin/columns" { "← " (viewer.labels.columns) } }
        section.card aria-labelledby="edit-heading" {
            h2 #edit-heading { (labels.edit) " " code { (column.slug) } }
            form method="post" action=(format!("/admin/columns/{}", column.slug)) {
                (viewer.csrf_field())
                (view.form.summary(labels))
                (view.form.input("title", labels.title, Kind::Text, true, None))
                (view.form.textarea("description", labels.description, None))
                (view.form.select("parent", labels.parent, &column_options(&parents, Some(("", labels.top_level)))))
                (view.form.checkbox("licensed_only", labels.licensed_only, Some(labels.licensed_only_hint)))
                    (view.form.checkbox("strict_titles", labels.strict_titles, Some(labels.strict_titles_hint)))
                    (view.form.checkbox("hide_duplicates", labels.hide_duplicates, Some(labels.hide_duplicates_hint)))
                button type="submit" { (labels.save) }
            }
        }
        section.card.danger aria-labelledby="remove-heading" {
            h2 #remove-heading { (labels.remove_column) }
            @if let Some(reason) = view.removal_refused {
                p.error role="alert" { (labels.removal_refused) " " (reason) }
            }
            p.hint { (labels.remove_column_hint) }
            form method="post" action=(format!("/admin/columns/{}/remove", column.slug)) {
                (viewer.csrf_field())
                button.danger type="submit" { (labels.remove_column) }
            }
        }
    };
    frame(viewer, Some(Section::Columns), &column.title, content)
}
