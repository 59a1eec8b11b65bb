//! Queries on articles, one file per job: the idempotent upsert every ingest path ends
//! in (`upsert`), the newest-first listings and single reads the publishers read
//! (`reads`), sitemap queries (`sitemaps`), withdrawals and reinstatements
//! (`withdrawals`), the quarantine review (`quarantine`), review before publish
//! (`review`: the queue, approval, rejection), staff's listing of every article whatever
//! its standing (`staff`), filing under other columns (`filing`), editors' corrections
//! (`corrections`), and reading a stored row back (`rows`). The conditions they share
//! (`PUBLIC` above all) and the shown version of an edited article (`ARTICLE_FIELDS`)
//! are defined here, once.

mod corrections;
mod filing;
mod quarantine;
mod reads;
mod review;
mod rows;
mod sitemaps;
mod staff;
mod upsert;
mod withdrawals;

pub use quarantine::HeldArticle;
pub use review::{PendingArticle, ReviewPosition};
pub(super) use rows::article_from_row;
pub use sitemaps::{NewsEntry, SitemapRow, SitemapShard};
pub use staff::{EditState, EditorRef, ListPosition, StaffArticle, StaffQuery};
pub use upsert::{ArticleStamp, Upsert, UpsertOutcome};
pub use withdrawals::Withdrawal;

use super::listings::{self, SITEMAP_BLOCK_IDS};
use super::outlets::grants_at;
use super::{bump_catalog_version, from_micros, optional_time_at, placeholders, time_at, to_micros, Store, StoreError};
use crate::domain::{Article, ArticleDraft, ColumnRef, Enclosure, Image, Indexing, OutletRef, Slug, StoryCopy};
use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Publication statuses of an article.
const PUBLISHED: &str = "published";
const QUARANTINED: &str = "quarantined";
/// The condition every public read applies: published (not quarantined), not held for
/// review nor rejected in it, not withdrawn, not under embargo.
pub(super) const PUBLIC: &str =
    "a.status = 'published' AND a.review IS NULL AND a.withdrawn_at IS NULL AND a.embargo_until IS NULL";

/// An article's standing as SQL, in the words of `ArticleStatus`: withdrawal decides
/// first, then the quarantine, then review, then an embargo; what is left, `published`,
/// is exactly `PUBLIC`.
pub(super) const STANDING: &str = "CASE WHEN a.withdrawn_at IS NOT NULL AND a.withdrawn_by = 'expiry' THEN 'expired'
    WHEN a.withdrawn_at IS NOT NULL THEN 'withdrawn'
    WHEN a.status = 'quarantined' THEN 'quarantined'
    WHEN a.review IS NOT NULL THEN a.review
    WHEN a.embargo_until IS NOT NULL THEN 'embargoed'
    ELSE 'published' END";

/// An article's shown value of an editable optional field `$f`: the editor's where it
/// is edited (`edited_$f`: NULL not edited, '' edited to nothing), else the outlet's
/// (migration 0024).
macro_rules! shown {
    ($f:literal) => {
        concat!("CASE WHEN a.edited_", $f, " IS NULL THEN a.", $f, " ELSE NULLIF(a.edited_", $f, ", '') END")
    };
}

/// The title shown: the editor's, else the outlet's.
macro_rules! shown_title {
    () => {
        "COALESCE(a.edited_title, a.title)"
    };
}
pub(super) use {shown, shown_title};

/// Every field of an article as readers see it (`shown`: an editor's corrections over
/// the outlet's version), its outlet's title as `outlet_title`, and its outlet.
pub(super) const ARTICLE_FIELDS: &str = concat!(
    "a.id, a.original_url, ",
    shown_title!(),
    " AS title, a.title AS outlet_title, ",
    shown!("subtitle"),
    " AS subtitle, a.author, a.credit, ",
    shown!("summary"),
    " AS summary, ",
    shown!("content_html"),
    " AS content_html, a.language, a.tags, a.rights, ",
    shown!("image_url"),
    " AS image_url, CASE WHEN a.edited_image_url IS NULL THEN a.image_caption ELSE a.edited_image_caption END \
    AS image_caption, a.enclosures, a.duplicate_of, a.original_published_at, a.original_updated_at, a.reposted_at, a.updated_at, \
    o.id AS outlet_id, o.slug AS outlet_slug, o.name AS outlet_name, o.homepage AS outlet_homepage, \
    o.rights AS outlet_rights, o.indexing AS outlet_indexing, o.feed_url AS outlet_feed_url, \
    o.feed_content, o.partner_content, o.repost_terms AS outlet_repost_terms, \
    (SELECT u.real_name FROM users u WHERE u.id = a.editor_id) AS editor_name"
);

/// Which articles a listing covers.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedScope {
    /// Every article.
    Site,
    /// A column's articles, its sub-columns' included (read through the listings).
    Column(i64),
    /// One outlet's articles.
    Outlet(i64),
}

/// The WHERE clause of a scope and the ids it binds, numbered from `first`.
fn scope_filter(scope: &FeedScope, first: usize) -> (String, Vec<i64>) {
    let (filter, ids) = scope_only(scope, first);
    (format!("{PUBLIC} AND {filter}"), ids)
}

fn scope_only(scope: &FeedScope, first: usize) -> (String, Vec<i64>) {
    match scope {
        FeedScope::Site => ("1 = 1".into(), vec![]),
        FeedScope::Outlet(id) => (format!("a.outlet_id = ${first}"), vec![*id]),
        FeedScope::Column(id) => {
            (format!("a.id IN (SELECT article_id FROM column_listings WHERE column_id = ${first})"), vec![*id])
        }
    }
}

/// Articles filed wholly within `scope` (a user's columns, sub-columns included), each
/// id bound in turn by `bind`, which names its placeholder.
pub(super) fn filed_within(scope: &[i64], mut bind: impl FnMut(i64) -> String) -> String {
    let list = scope.iter().map(|&id| bind(id)).collect::<Vec<_>>();
    let outside = if list.is_empty() { String::new() } else { format!("AND x.column_id NOT IN ({})", list.join(", ")) };
    format!("NOT EXISTS (SELECT 1 FROM article_columns x WHERE x.article_id = a.id {outside})")
}

/// Articles filed directly under any of `column_ids`, binding from `first`.
pub(super) fn in_columns(column_ids: &[i64], first: usize) -> String {
    if column_ids.is_empty() {
        return "1 = 0".into();
    }
    format!(
        "a.id IN (SELECT article_id FROM article_columns WHERE column_id IN ({}))",
        placeholders(first, column_ids.len())
    )
}
