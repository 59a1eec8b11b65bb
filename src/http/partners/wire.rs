//! The partner API's answers: partners as the admin sees them, and the pages of the
//! change feed (live articles and tombstones). One serde type per JSON shape, which
//! also describes it (utoipa), each made from the domain types by one small function.

use crate::catalog::fields;
use crate::domain::column::ColumnTree;
use crate::domain::{Article, Carriage};
use crate::publish::{rfc3339, Site};
use crate::store::partners::Partner as PartnerEntry;
use crate::store::ChangedArticle;
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// A partner: a reader of the partner API.
#[derive(Serialize, ToSchema)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    /// The columns it may read, each with its sub-columns; empty: every column.
    #[schema(value_type = Vec<fields::Slug>)]
    pub columns: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When its token was revoked; null while it works.
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// A new partner, with its read token: shown in this answer only.
#[derive(Serialize, ToSchema)]
pub struct PartnerCreated {
    #[serde(flatten)]
    pub partner: Partner,
    /// `syp_` and 64 hex digits (256 random bits); syndic keeps only its SHA-256 digest.
    #[schema(pattern = "^syp_[0-9a-f]{64}$")]
    pub token: String,
}

/// Every partner, revoked ones included.
#[derive(Serialize, ToSchema)]
pub struct PartnerList {
    pub partners: Vec<Partner>,
}

/// A page of the change feed.
#[derive(Serialize, ToSchema)]
pub struct ArticlePage {
    /// In ascending (`updated_at`, `id`) order.
    pub items: Vec<ChangeItem>,
    /// The position just after the last item (or, on an empty page, the `cursor` given);
    /// null only when nothing matched yet and no cursor was given. Keep it and come back
    /// with it to get only what changed since.
    #[schema(value_type = Option<super::Cursor>)]
    pub next_cursor: Option<String>,
    /// Whether another page is ready now: ask again at once with `next_cursor`.
    pub has_more: bool,
}

/// An article's latest version (`withdrawn: false`), or its tombstone (`withdrawn: true`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ChangeItem {
    Live(Box<PartnerArticle>),
    Gone(Tombstone),
}

/// A live article with every attribution field, as its outlet lets partners have it.
#[derive(Serialize, ToSchema)]
pub struct PartnerArticle {
    pub id: i64,
    /// Its page on the portal.
    #[schema(format = "uri")]
    pub url: String,
    pub original_url: String,
    /// The title shown: an editor's correction, where one was made, else the outlet's.
    pub title: String,
    /// The outlet's own title (原标题), whether or not an editor changed `title`.
    pub original_title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    /// The origin the outlet's page names (来源 there, e.g. 新华社 for a wire story).
    pub credit: Option<String>,
    /// HTML, ending with the attribution block (unless the site turned it off); the
    /// block alone when the article has neither summary nor a body given here.
    pub summary: Option<String>,
    /// Sanitised HTML body, ending with the attribution block (unless the site turned it
    /// off); null when the outlet's `partner_content` is `summary` (or the article has no
    /// body).
    pub content_html: Option<String>,
    pub content: Content,
    pub language: Option<String>,
    pub tags: Vec<String>,
    /// The article's rights line, else its outlet's.
    pub rights: Option<String>,
    pub image: Option<ArticleImage>,
    pub enclosures: Vec<ArticleEnclosure>,
    pub outlet: ArticleOutlet,
    /// Its columns, primary first.
    pub columns: Vec<ArticleColumn>,
    #[schema(format = DateTime)]
    pub original_published_at: String,
    #[schema(format = DateTime)]
    pub original_updated_at: Option<String>,
    #[schema(format = DateTime)]
    pub reposted_at: String,
    /// Its version: when it last changed, to the microsecond.
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(schema_with = is_false)]
    pub withdrawn: bool,
    /// The real name of its responsible editor (责任编辑); null when none is recorded.
    #[schema(required = true)]
    pub editor: Option<String>,
    /// The earliest article of another outlet this one is a near-duplicate of: one
    /// story from many outlets. Null when it is not a duplicate.
    #[schema(required = true)]
    pub duplicate_of: Option<i64>,
    /// Its duplicates (other outlets' public copies linking to it), earliest first.
    pub duplicates: Vec<ArticleCopy>,
}

/// Another outlet's copy of the same story.
#[derive(Serialize, ToSchema)]
pub struct ArticleCopy {
    pub id: i64,
    /// Its outlet's slug.
    pub outlet: String,
}

/// Whether an item carries the full content or only the summary.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Content {
    Full,
    Summary,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleImage {
    pub url: String,
    pub caption: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleEnclosure {
    pub url: String,
    /// Media type.
    #[serde(rename = "type")]
    pub mime_type: String,
    /// Size in bytes, when known.
    pub length: Option<u64>,
}

/// The outlet an article is by.
#[derive(Serialize, ToSchema)]
pub struct ArticleOutlet {
    #[schema(value_type = fields::Slug)]
    pub slug: String,
    pub name: String,
    pub homepage: String,
    pub rights: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleColumn {
    #[schema(value_type = fields::Slug)]
    pub slug: String,
    pub title: String,
}

/// An article that was public and no longer is (withdrawn, expired or held back):
/// partners should remove their copy. Articles that never were public (embargoed, or
/// held in quarantine from the start) do not appear at all.
#[derive(Serialize, ToSchema)]
pub struct Tombstone {
    pub id: i64,
    #[schema(format = "uri")]
    pub url: String,
    pub original_url: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(schema_with = is_true)]
    pub withdrawn: bool,
}

/// `withdrawn` tells a live article from a tombstone.
fn withdrawn(value: bool) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([value])).into()
}

fn is_false() -> RefOr<Schema> {
    withdrawn(false)
}

fn is_true() -> RefOr<Schema> {
    withdrawn(true)
}

pub fn partner(partner: &PartnerEntry, tree: &ColumnTree) -> Partner {
    Partner {
        id: partner.id,
        name: partner.name.clone(),
        columns: partner.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.to_string()).collect(),
        created_at: rfc3339(partner.created_at),
        revoked_at: partner.revoked_at.map(rfc3339),
    }
}

pub fn change(site: &Site, change: &ChangedArticle) -> ChangeItem {
    match change {
        ChangedArticle::Live(article) => ChangeItem::Live(Box::new(partner_article(site, article))),
        ChangedArticle::Gone { id, original_url, updated_at } => ChangeItem::Gone(Tombstone {
            id: *id,
            url: site.article_url(*id),
            original_url: original_url.clone(),
            updated_at: rfc3339_micros(*updated_at),
            withdrawn: true,
        }),
    }
}

fn partner_article(site: &Site, article: &Article) -> PartnerArticle {
    let full = article.outlet.grants.partners == Carriage::Full;
    let content_html = article.content_html.as_deref().filter(|_| full);
    PartnerArticle {
        id: article.id,
        url: site.article_url(article.id),
        original_url: article.original_url.clone(),
        title: article.title.clone(),
        original_title: article.outlet_title().to_owned(),
        subtitle: article.subtitle.clone(),
        author: article.author.clone(),
        credit: article.credit.clone(),
        summary: site.attributed_summary(article.summary.as_deref(), content_html.is_some(), article),
        content_html: content_html.map(|html| site.attributed(html, article)),
        content: if full { Content::Full } else { Content::Summary },
        language: article.language.clone(),
        tags: article.tags.clone(),
        rights: article.effective_rights().map(str::to_owned),
        image: image(article),
        enclosures: enclosures(article),
        outlet: outlet(article),
        columns: columns(article),
        original_published_at: rfc3339(article.original_published_at),
        original_updated_at: article.original_updated_at.map(rfc3339),
        reposted_at: rfc3339(article.reposted_at),
        updated_at: rfc3339_micros(article.updated_at),
        withdrawn: false,
        editor: article.responsible_editor.clone(),
        duplicate_of: article.duplicate_of,
        duplicates: duplicates(article),
    }
}

/// An article's duplicates, as both article APIs show them.
pub fn duplicates(article: &Article) -> Vec<ArticleCopy> {
    article.duplicates().iter().map(|c| ArticleCopy { id: c.id, outlet: c.outlet_slug.to_string() }).collect()
}

/// An article's image, as both article APIs show it.
pub fn image(article: &Article) -> Option<ArticleImage> {
    article.image.as_ref().map(|i| ArticleImage { url: i.url.clone(), caption: i.caption.clone() })
}

pub fn enclosures(article: &Article) -> Vec<ArticleEnclosure> {
    let enclosure = |e: &crate::domain::Enclosure| ArticleEnclosure {
        url: e.url.clone(),
        mime_type: e.mime_type.clone(),
        length: e.length,
    };
    article.enclosures.iter().map(enclosure).collect()
}

pub fn outlet(article: &Article) -> ArticleOutlet {
    ArticleOutlet {
        slug: article.outlet.slug.to_string(),
        name: article.outlet.name.clone(),
        homepage: article.outlet.homepage.clone(),
        rights: article.outlet.rights.clone(),
    }
}

pub fn columns(article: &Article) -> Vec<ArticleColumn> {
    article.columns.iter().map(|c| ArticleColumn { slug: c.slug.to_string(), title: c.title.clone() }).collect()
}

/// `updated_at` to the microsecond: it is the version partners compare.
fn rfc3339_micros(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
