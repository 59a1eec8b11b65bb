//! The admin API's answers: one serde type per JSON shape, which also describes it
//! (utoipa), each made from the domain types by one small function.

use crate::catalog::fields;
use crate::domain::column::ColumnTree;
use crate::domain::{Column as ColumnEntry, Outlet as OutletEntry};
use crate::publish::{rfc3339, FeedFormat, FeedKind, Site};
use crate::store::outlets::TokenInfo;
use serde::Serialize;
use utoipa::ToSchema;

/// A column of the portal. Columns form a tree; a column's feeds and pages include its
/// sub-columns.
#[derive(Serialize, ToSchema)]
pub struct Column {
    #[schema(value_type = fields::Slug)]
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// Slug of the parent column; null for a root column.
    #[schema(value_type = Option<fields::Slug>)]
    pub parent: Option<String>,
    /// Takes articles from licensed outlets only (set here or on a column above it:
    /// `licensed_only_by` names which).
    pub licensed_only: bool,
    /// The column that makes it licensed-only: itself, or the nearest above it marked
    /// `licensed_only`; null when neither is.
    #[schema(value_type = Option<fields::Slug>)]
    pub licensed_only_by: Option<String>,
    /// Refuses an editor's title that says other than the original title (set here or on
    /// a column above it: `strict_titles_by` names which).
    pub strict_titles: bool,
    /// The column that keeps its titles strict: itself, or the nearest above it marked
    /// `strict_titles`; null when neither is.
    #[schema(value_type = Option<fields::Slug>)]
    pub strict_titles_by: Option<String>,
    /// Its feeds and pages leave out the duplicates of another outlet's public article,
    /// as site-wide ones do (this column only).
    pub hide_duplicates: bool,
    /// The column's HTML page.
    #[schema(format = "uri")]
    pub url: String,
    pub feeds: FeedUrls,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Every column of the tree.
#[derive(Serialize, ToSchema)]
pub struct ColumnList {
    pub columns: Vec<Column>,
}

/// The feeds of a column or outlet, in each format.
#[derive(Serialize, ToSchema)]
pub struct FeedUrls {
    #[schema(format = "uri")]
    pub rss: String,
    #[schema(format = "uri")]
    pub atom: String,
    #[schema(format = "uri")]
    pub json: String,
}

/// An originating publisher whose articles the portal reposts.
#[derive(Serialize, ToSchema)]
pub struct Outlet {
    #[schema(value_type = fields::Slug)]
    pub slug: String,
    pub name: String,
    pub homepage: String,
    /// BCP 47 tag: the default language of the outlet's articles.
    pub language: Option<String>,
    /// IANA time zone in which the outlet's naive timestamps are read.
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    /// Rights line of its articles that carry none of their own.
    pub rights: Option<String>,
    #[schema(value_type = fields::Indexing)]
    pub indexing: &'static str,
    #[schema(value_type = fields::FeedContent)]
    pub feed_content: &'static str,
    #[schema(value_type = fields::PartnerContent)]
    pub partner_content: &'static str,
    /// The outlet's own feed when syndic polls one (RSS `<source url>` points there).
    pub feed_url: Option<String>,
    pub domains: OutletDomains,
    /// On the national source list (稿源单位): may file into licensed-only columns.
    pub licensed: bool,
    /// What the licence was checked against, such as the list's edition.
    pub licence_ref: Option<String>,
    /// Whether it lets the portal repost its articles; when false, all it sends is refused.
    pub allow_repost: bool,
    /// Plain text shown under each of its articles.
    pub repost_terms: Option<String>,
    #[schema(value_type = fields::Review)]
    pub review: &'static str,
    /// The username of its default responsible editor (责任编辑), recorded on each of
    /// its articles published without review when it is first stored.
    #[schema(value_type = Option<fields::Slug>)]
    pub default_editor: Option<String>,
    /// Whether syndic keeps copies of its articles' images and points readers at them.
    pub keep_images: bool,
    /// The outlet's HTML page on the portal.
    #[schema(format = "uri")]
    pub url: String,
    pub feeds: FeedUrls,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Where an outlet's original URLs may be: domain names, each covering its subdomains
/// (by default the registrable domain of its homepage), or `"any"`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum OutletDomains {
    Listed(Vec<String>),
    Any(#[schema(inline)] Anywhere),
}

/// `"any"`: no domain bounds the outlet's original URLs.
#[derive(Serialize, ToSchema)]
pub enum Anywhere {
    #[serde(rename = "any")]
    Any,
}

/// A new outlet, with its first ingest token: shown in this answer only.
#[derive(Serialize, ToSchema)]
pub struct OutletCreated {
    #[serde(flatten)]
    pub outlet: Outlet,
    #[serde(flatten)]
    pub token: IssuedToken,
}

/// Every outlet.
#[derive(Serialize, ToSchema)]
pub struct OutletList {
    pub outlets: Vec<Outlet>,
}

/// One of an outlet's ingest tokens; its secret is never shown again.
#[derive(Serialize, ToSchema)]
pub struct OutletToken {
    pub id: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// An outlet's ingest tokens, newest first.
#[derive(Serialize, ToSchema)]
pub struct OutletTokenList {
    pub tokens: Vec<OutletToken>,
}

/// A new ingest token: shown in this answer only.
#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    /// `syo_` and 64 hex digits (256 random bits); syndic keeps only its SHA-256 digest.
    #[schema(pattern = "^syo_[0-9a-f]{64}$")]
    pub token: String,
}

fn feed_urls(site: &Site, kind: &FeedKind) -> FeedUrls {
    let [rss, atom, json] = FeedFormat::ALL.map(|f| kind.feed_url(site, f));
    FeedUrls { rss, atom, json }
}

pub fn column(site: &Site, tree: &ColumnTree, column: &ColumnEntry) -> Column {
    let kind = FeedKind::Column(column.slug.to_string());
    Column {
        slug: column.slug.to_string(),
        title: column.title.clone(),
        description: column.description.clone(),
        parent: column.parent_id.and_then(|id| tree.get(id)).map(|p| p.slug.to_string()),
        licensed_only: column.licensed_only,
        licensed_only_by: tree.licensed_only_by(column.id).map(|c| c.slug.to_string()),
        strict_titles: column.strict_titles,
        strict_titles_by: tree.strict_titles_by(column.id).map(|c| c.slug.to_string()),
        hide_duplicates: column.hide_duplicates,
        url: kind.page_url(site),
        feeds: feed_urls(site, &kind),
        created_at: rfc3339(column.created_at),
        updated_at: rfc3339(column.updated_at),
    }
}

pub fn outlet(site: &Site, outlet: &OutletEntry) -> Outlet {
    let kind = FeedKind::Outlet(outlet.slug.to_string());
    Outlet {
        slug: outlet.slug.to_string(),
        name: outlet.name.clone(),
        homepage: outlet.homepage.clone(),
        language: outlet.language.clone(),
        timezone: outlet.timezone.name().to_owned(),
        rights: outlet.rights.clone(),
        indexing: outlet.indexing.as_str(),
        feed_content: outlet.grants.feeds.as_str(),
        partner_content: outlet.grants.partners.as_str(),
        feed_url: outlet.feed_url.clone(),
        domains: outlet
            .domains
            .effective(&outlet.homepage)
            .map_or(OutletDomains::Any(Anywhere::Any), OutletDomains::Listed),
        licensed: outlet.reposting.licensed,
        licence_ref: outlet.reposting.licence_ref.clone(),
        allow_repost: outlet.reposting.allow_repost,
        repost_terms: outlet.reposting.terms.clone(),
        review: outlet.review.as_str(),
        default_editor: outlet.default_editor.as_ref().map(|u| u.to_string()),
        keep_images: outlet.keep_images,
        url: kind.page_url(site),
        feeds: feed_urls(site, &kind),
        created_at: rfc3339(outlet.created_at),
        updated_at: rfc3339(outlet.updated_at),
    }
}

pub fn outlet_token(token: &TokenInfo) -> OutletToken {
    OutletToken { id: token.id, created_at: rfc3339(token.created_at), revoked_at: token.revoked_at.map(rfc3339) }
}
