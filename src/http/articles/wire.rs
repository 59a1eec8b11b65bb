//! The staff article API's shapes: a listing row, a page, one article with every
//! attribution field and where it stands, and the columns to file one under. Each made
//! from the stored types by one small function; the parts an article shares with the
//! partner API (outlet, columns, image, enclosures) are that API's types.

use crate::catalog::fields;
use crate::domain::{review, Withdrawer};
use crate::http::partners::wire::{
    self as shared, ArticleColumn, ArticleCopy, ArticleEnclosure, ArticleImage, ArticleOutlet,
};
use crate::publish::{rfc3339, Site};
use crate::store::StaffArticle as Stored;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An article's images and where keeping each stands.
#[derive(Serialize, ToSchema)]
pub struct ArticleImageList {
    pub images: Vec<KeptImageState>,
}

/// One image of an article and where keeping it stands.
#[derive(Serialize, ToSchema)]
pub struct KeptImageState {
    /// Its original URL.
    pub url: String,
    /// `pending`, `kept`, `refused` or `failed`.
    #[schema(pattern = "^(pending|kept|refused|failed)$")]
    pub state: &'static str,
    /// Where readers are pointed once it is kept; null until then.
    #[schema(format = "uri", required = true)]
    pub media_url: Option<String>,
    /// Failed fetches so far.
    pub attempts: i64,
    /// Why the last fetch failed; null when none did.
    #[schema(required = true)]
    pub last_error: Option<String>,
}

/// The staff shape of an article's images.
pub fn article_images(site: &Site, images: &[crate::store::media::ArticleImage]) -> ArticleImageList {
    let images = images
        .iter()
        .map(|image| KeptImageState {
            url: image.url.clone(),
            state: image.state.as_str(),
            media_url: image.media.as_ref().map(|m| site.media_url(&m.file_name())),
            attempts: image.attempts,
            last_error: image.last_error.clone(),
        })
        .collect();
    ArticleImageList { images }
}

/// A page of the staff listing, newest repost first.
#[derive(Serialize, ToSchema)]
pub struct StaffArticleList {
    pub articles: Vec<StaffArticleRow>,
    /// Ask with it as `cursor` for the next page; null on the last page.
    #[schema(value_type = Option<crate::http::partners::Cursor>, required = true)]
    pub next_cursor: Option<String>,
}

/// An article in the staff listing.
#[derive(Serialize, ToSchema)]
pub struct StaffArticleRow {
    pub id: i64,
    /// Its page on the portal (answers 410 while it is withdrawn, 404 while it is not public yet).
    #[schema(format = "uri")]
    pub url: String,
    pub title: String,
    #[schema(value_type = fields::Slug)]
    pub outlet: String,
    /// Its columns' slugs, primary first.
    #[schema(value_type = Vec<fields::Slug>)]
    pub columns: Vec<String>,
    #[schema(value_type = fields::ArticleStatusName)]
    pub status: &'static str,
    pub original_url: String,
    #[schema(format = DateTime)]
    pub original_published_at: String,
    #[schema(format = DateTime)]
    pub reposted_at: String,
    /// When its outlet sent a changed version after an editor's edit, not yet resolved
    /// (`POST /api/v1/articles/{id}/outlet-correction`); null when it did not.
    #[schema(format = DateTime, required = true)]
    pub outlet_corrected_at: Option<String>,
}

/// One article with every attribution field, as staff see it, and where it stands.
#[derive(Serialize, ToSchema)]
pub struct StaffArticle {
    pub id: i64,
    /// Its page on the portal.
    #[schema(format = "uri")]
    pub url: String,
    pub original_url: String,
    /// The title shown: an editor's correction, where one was made, else the outlet's.
    pub title: String,
    /// The outlet's own title (原标题), whether or not an editor changed `title`.
    pub original_title: String,
    #[schema(required = true)]
    pub subtitle: Option<String>,
    #[schema(required = true)]
    pub author: Option<String>,
    /// The origin the outlet's page names (来源 there, e.g. 新华社 for a wire story); null
    /// when it names none.
    #[schema(required = true)]
    pub credit: Option<String>,
    /// HTML.
    #[schema(required = true)]
    pub summary: Option<String>,
    /// Sanitised HTML body.
    #[schema(required = true)]
    pub content_html: Option<String>,
    #[schema(required = true)]
    pub language: Option<String>,
    pub tags: Vec<String>,
    /// The article's rights line, else its outlet's.
    #[schema(required = true)]
    pub rights: Option<String>,
    #[schema(required = true)]
    pub image: Option<ArticleImage>,
    pub enclosures: Vec<ArticleEnclosure>,
    pub outlet: ArticleOutlet,
    /// Its columns, primary first.
    pub columns: Vec<ArticleColumn>,
    #[schema(format = DateTime)]
    pub original_published_at: String,
    #[schema(format = DateTime, required = true)]
    pub original_updated_at: Option<String>,
    #[schema(format = DateTime)]
    pub reposted_at: String,
    /// When it last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(value_type = fields::ArticleStatusName)]
    pub status: &'static str,
    /// When it was withdrawn; null while it is not.
    #[schema(format = DateTime, required = true)]
    pub withdrawn_at: Option<String>,
    /// Who withdrew it: `outlet`, `site` or `expiry`; null while it is not withdrawn, or
    /// when that was not recorded.
    #[schema(required = true)]
    pub withdrawn_by: Option<WithdrawnBy>,
    /// Not public before this time.
    #[schema(format = DateTime, required = true)]
    pub embargo_until: Option<String>,
    /// Withdrawn automatically at this time (the end of its repost right).
    #[schema(format = DateTime, required = true)]
    pub expires_at: Option<String>,
    /// Why the content policy holds it; null unless it is held.
    #[schema(required = true)]
    pub quarantine_reason: Option<String>,
    /// Which setting held it for review (`outlet` or `source`, under `manual` review);
    /// null when it was published without review.
    #[schema(required = true)]
    pub held_for_review_by: Option<HeldBy>,
    /// Why an editor rejected it in review; null unless it was rejected.
    #[schema(required = true)]
    pub review_reason: Option<String>,
    /// Its responsible editor (责任编辑): who approved it or, published without review,
    /// its outlet's default editor when it was first stored; null when none is recorded.
    #[schema(required = true)]
    pub editor: Option<ResponsibleEditor>,
    /// The fields shown as an editor corrected them (the outlet's version of each is
    /// kept); empty when none is.
    pub edited_fields: Vec<EditedField>,
    /// When it was last edited; null while nothing is edited.
    #[schema(format = DateTime, required = true)]
    pub edited_at: Option<String>,
    /// Who last edited it (as the audit log names actors); null while nothing is edited.
    #[schema(required = true)]
    pub edited_by: Option<String>,
    /// When its outlet sent a changed version after the edit: the edit goes on showing
    /// until an editor decides (`POST /api/v1/articles/{id}/outlet-correction`). Null
    /// when there is nothing to decide.
    #[schema(format = DateTime, required = true)]
    pub outlet_corrected_at: Option<String>,
    /// The earliest article of another outlet this one is a near-duplicate of: one
    /// story from many outlets. Null when it is not a duplicate.
    #[schema(required = true)]
    pub duplicate_of: Option<i64>,
    /// Its duplicates (other outlets' public copies linking to it), earliest first.
    pub duplicates: Vec<ArticleCopy>,
}

/// A field an editor may correct.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditedField {
    Title,
    Subtitle,
    Summary,
    ContentHtml,
    Image,
}

impl EditedField {
    fn named(name: &str) -> Option<EditedField> {
        Some(match name {
            "title" => EditedField::Title,
            "subtitle" => EditedField::Subtitle,
            "summary" => EditedField::Summary,
            "content_html" => EditedField::ContentHtml,
            "image" => EditedField::Image,
            _ => return None,
        })
    }
}

/// Which version shows after an outlet corrected an edited article.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"take": "outlet"}))]
pub struct Resolution {
    /// `outlet`: show the outlet's corrected version (the edits are dropped); `edit`:
    /// keep showing the edits over it.
    #[schema(value_type = fields::TakeName)]
    pub take: String,
}

/// Which setting held an article for review.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HeldBy {
    Outlet,
    Source,
}

/// A responsible editor (责任编辑): the user, and the real name readers are shown.
#[derive(Serialize, ToSchema)]
pub struct ResponsibleEditor {
    #[schema(value_type = fields::Slug)]
    pub username: String,
    pub real_name: String,
}

/// Who withdrew an article.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WithdrawnBy {
    Outlet,
    Site,
    Expiry,
}

/// The columns to file an article under.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"columns": ["party-96"]}))]
pub struct Filing {
    /// Existing columns' slugs, primary first; at least one.
    #[schema(value_type = Vec<fields::Slug>, min_items = 1)]
    pub columns: Vec<String>,
}

pub fn summary(site: &Site, stored: &Stored) -> StaffArticleRow {
    let article = &stored.article;
    StaffArticleRow {
        id: article.id,
        url: site.article_url(article.id),
        title: article.title.clone(),
        outlet: article.outlet.slug.to_string(),
        columns: article.columns.iter().map(|c| c.slug.to_string()).collect(),
        status: stored.status.as_str(),
        original_url: article.original_url.clone(),
        original_published_at: rfc3339(article.original_published_at),
        reposted_at: rfc3339(article.reposted_at),
        outlet_corrected_at: stored.edit.outlet_corrected_at.map(rfc3339),
    }
}

pub fn article(site: &Site, stored: &Stored) -> StaffArticle {
    let article = &stored.article;
    StaffArticle {
        id: article.id,
        url: site.article_url(article.id),
        original_url: article.original_url.clone(),
        title: article.title.clone(),
        original_title: article.outlet_title().to_owned(),
        subtitle: article.subtitle.clone(),
        author: article.author.clone(),
        credit: article.credit.clone(),
        summary: article.summary.clone(),
        content_html: article.content_html.clone(),
        language: article.language.clone(),
        tags: article.tags.clone(),
        rights: article.effective_rights().map(str::to_owned),
        image: shared::image(article),
        enclosures: shared::enclosures(article),
        outlet: shared::outlet(article),
        columns: shared::columns(article),
        original_published_at: rfc3339(article.original_published_at),
        original_updated_at: article.original_updated_at.map(rfc3339),
        reposted_at: rfc3339(article.reposted_at),
        updated_at: rfc3339(article.updated_at),
        status: stored.status.as_str(),
        withdrawn_at: stored.withdrawn_at.map(rfc3339),
        withdrawn_by: stored.withdrawn_by.map(|by| match by {
            Withdrawer::Outlet => WithdrawnBy::Outlet,
            Withdrawer::Site => WithdrawnBy::Site,
            Withdrawer::Expiry => WithdrawnBy::Expiry,
        }),
        embargo_until: stored.embargo_until.map(rfc3339),
        expires_at: stored.expires_at.map(rfc3339),
        quarantine_reason: stored.quarantine_reason.clone(),
        edited_fields: stored.edit.fields.iter().filter_map(|name| EditedField::named(name)).collect(),
        edited_at: stored.edit.at.map(rfc3339),
        edited_by: stored.edit.by.clone(),
        outlet_corrected_at: stored.edit.outlet_corrected_at.map(rfc3339),
        held_for_review_by: stored.held_by.map(|by| match by {
            review::HeldBy::Outlet => HeldBy::Outlet,
            review::HeldBy::Source => HeldBy::Source,
        }),
        review_reason: stored.review_reason.clone(),
        editor: stored
            .editor
            .as_ref()
            .map(|e| ResponsibleEditor { username: e.username.clone(), real_name: e.real_name.clone() }),
        duplicate_of: article.duplicate_of,
        duplicates: shared::duplicates(article),
    }
}
