//! The catalogue's pages: columns, outlets, sources, partners and users. Each shows its
//! list, the forms that add and change entries (only to whoever may: the handlers say
//! so with `may_change`), the refusals beside their fields, and a new token once.
//! Like every console page they know no HTTP; `http::console::catalog` decides who may
//! see and do what, as the API does.

mod columns;
pub mod labels;
mod outlets;
mod partners;
mod reading;
mod sources;
mod subscription;
mod users;

pub use columns::{column_page, columns_page, ColumnView, ColumnsView};
pub use labels::CatalogLabels;
pub use outlets::{outlet_page, outlets_page, OutletView, OutletsView};
pub use partners::{partners_page, PartnersView};
pub use reading::posted_rules;
pub use sources::{source_page, source_values, sources_page, SourceView, SourcesView, BLANK_RULES};
pub use users::{user_page, users_page, UserView, UsersView};

use crate::domain::column::{Column, ColumnTree};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

/// The columns in tree order (each after its parent, siblings by title), with depths;
/// `keep` picks those shown.
pub fn tree_order(tree: &ColumnTree, keep: impl Fn(&Column) -> bool) -> Vec<(&Column, usize)> {
    fn walk<'a>(tree: &'a ColumnTree, column: &'a Column, depth: usize, out: &mut Vec<(&'a Column, usize)>) {
        out.push((column, depth));
        let mut children: Vec<&Column> = tree.children(column.id).collect();
        children.sort_by(|a, b| a.title.cmp(&b.title));
        for child in children {
            walk(tree, child, depth + 1, out);
        }
    }
    let mut roots: Vec<&Column> = tree.roots().collect();
    roots.sort_by(|a, b| a.title.cmp(&b.title));
    let mut out = Vec::with_capacity(tree.all().len());
    for root in roots {
        walk(tree, root, 0, &mut out);
    }
    out.retain(|(column, _)| keep(column));
    out
}

/// Columns as checkbox options: slug, "title (slug)", depth.
pub fn column_checks(columns: &[(&Column, usize)]) -> Vec<(String, String, usize)> {
    columns.iter().map(|(c, depth)| (c.slug.to_string(), format!("{} ({})", c.title, c.slug), *depth)).collect()
}

/// Columns as select options, indented by depth, after `first` when given.
pub fn column_options(columns: &[(&Column, usize)], first: Option<(&str, &str)>) -> Vec<(String, String)> {
    let first = first.map(|(value, text)| (value.to_owned(), text.to_owned()));
    let indented = columns.iter().map(|(c, depth)| (c.slug.to_string(), format!("{}{}", "— ".repeat(*depth), c.title)));
    first.into_iter().chain(indented).collect()
}

/// The column slugs a scope names, as a short line ("all" when empty).
pub fn scope_line(tree: &ColumnTree, column_ids: &[i64], all: &str) -> String {
    if column_ids.is_empty() {
        return all.to_owned();
    }
    let slugs: Vec<String> = column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.to_string()).collect();
    slugs.join(", ")
}

/// A time in the site's zone.
pub fn time(at: DateTime<Utc>, zone: Tz) -> Markup {
    let local = at.with_timezone(&zone);
    html! { time datetime=(at.to_rfc3339()) { (local.format("%Y-%m-%d %H:%M")) } }
}

/// Text for strings to choose from, each its own value.
pub fn plain_options(values: &[&str]) -> Vec<(String, String)> {
    values.iter().map(|v| ((*v).to_owned(), (*v).to_owned())).collect()
}
