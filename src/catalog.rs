//! Managing the catalog — columns, outlets, sources and partners — with one validation
//! whether the request comes from the admin API or the command line: `operations`
//! calls it for both (and the demo loader to fill an empty database).

pub mod fields;
mod licences;
mod preview;
mod users;

pub use licences::{license_from_list, LicenceReport};
pub use preview::{preview_request, SourcePreviewForm};
pub use users::{add_user, edit_user, issue_user_token, set_user_language, UserEdit, UserForm};

use crate::domain::column::ColumnTree;
use crate::domain::column::{Column, NewColumn};
use crate::domain::domains::OutletDomains;
use crate::domain::errors::FieldErrors;
use crate::domain::outlet::{NewOutlet, Outlet};
use crate::domain::reposting::Reposting;
use crate::domain::review::{default_editor_refusal, Review};
use crate::domain::source::{
    Route, RouteMatch, Routing, Source, SourceKind, DEFAULT_INTERVAL_SECS, MAX_INTERVAL_SECS, MIN_INTERVAL_SECS,
};
use crate::domain::text::{http_url, language_tag, optional_text, required_text, time_zone};
use crate::domain::{token, Carriage, Grants, Indexing, Slug};
use crate::ingest::page::PageRules;
use crate::store::columns::ColumnChanges;
use crate::store::outlets::OutletChanges;
use crate::store::partners::Partner;
use crate::store::sources::{NewSource, SourceChanges};
use crate::store::{Audit, Store, StoreError};
use serde::{Deserialize, Deserializer};

/// Longest column title or outlet name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest column description or outlet rights line, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// Well-formed input that the catalog as it stands refuses: a column that does not
    /// exist, a column placed under its own sub-column. The same input may be right
    /// once the catalog has changed.
    #[error("conflicts with the catalog: {0}")]
    Conflicting(FieldErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CatalogError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => CatalogError::NotFound(what),
            StoreError::Conflict(message) => CatalogError::Conflict(message),
            other => CatalogError::Store(other),
        }
    }
}

impl From<FieldErrors> for CatalogError {
    fn from(errors: FieldErrors) -> Self {
        CatalogError::Invalid(errors)
    }
}

// The forms' fields are read as text and validated here, so that every refusal names its
// field; their schemas (`fields`) say what validation accepts. A field a form may leave
// out reads `null` as left out, unless it is an edit's: there `null` clears an optional
// value, and is refused (400) for any other, which cannot be cleared.

/// A new column. Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "party-96", "title": "庆祝建党96周年", "parent": "zhuanti"}))]
pub struct ColumnForm {
    #[schema(value_type = fields::Slug)]
    pub slug: Option<String>,
    #[schema(value_type = fields::Name)]
    pub title: Option<String>,
    #[schema(value_type = Option<fields::LongText>)]
    pub description: Option<String>,
    /// Slug of an existing column to place it under (409 naming `parent` if there is
    /// none); absent, `null` or empty: a root column.
    pub parent: Option<String>,
    /// Takes articles from licensed outlets (稿源单位) only, as do the columns under it;
    /// absent or `null`: false.
    pub licensed_only: Option<bool>,
    /// Refuses an editor's title that says other than the outlet's original title
    /// (only spacing and punctuation away from digits may change), here and in the
    /// columns under it;
    /// absent or `null`: false.
    pub strict_titles: Option<bool>,
    /// Leaves out of its feeds and pages the duplicates of another outlet's public
    /// article (one story from many outlets), as site-wide feeds and pages do; absent or
    /// `null`: false (every article filed in it is listed).
    pub hide_duplicates: Option<bool>,
}

/// Changes to a column: an absent field stays as it is. The slug cannot be changed.
/// Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnEdit {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Name)]
    pub title: Option<String>,
    /// `null` (or blank) clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::LongText>)]
    pub description: Option<Option<String>>,
    /// Slug of the new parent column; `null` (or empty) makes the column a root. A column
    /// that does not exist, the column itself or one of its sub-columns is refused (409
    /// naming `parent`).
    #[serde(default, deserialize_with = "present")]
    pub parent: Option<Option<String>>,
    /// Takes articles from licensed outlets only, as do the columns under it. Articles
    /// already filed stay.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub licensed_only: Option<bool>,
    /// Refuses an editor's title that says other than the original title, here and in
    /// the columns under it. Titles already edited stay.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub strict_titles: Option<bool>,
    /// Leaves out of its feeds and pages the duplicates of another outlet's public
    /// article, as site-wide ones do.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub hide_duplicates: Option<bool>,
}

/// A new outlet. Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "cjrb", "name": "昌吉日报", "homepage": "http://www.cjxww.cn/",
    "language": "zh-CN", "timezone": "Asia/Shanghai"}))]
pub struct OutletForm {
    #[schema(value_type = fields::Slug)]
    pub slug: Option<String>,
    #[schema(value_type = fields::Name)]
    pub name: Option<String>,
    #[schema(value_type = fields::WebUrl)]
    pub homepage: Option<String>,
    #[schema(value_type = Option<fields::LanguageTag>)]
    pub language: Option<String>,
    /// Absent: the site's time zone (`[site] timezone`).
    #[schema(value_type = Option<fields::TimeZone>)]
    pub timezone: Option<String>,
    /// The rights line of its articles that carry none of their own.
    #[schema(value_type = Option<fields::LongText>)]
    pub rights: Option<String>,
    /// Absent: `self`.
    #[schema(value_type = Option<fields::Indexing>)]
    pub indexing: Option<String>,
    /// Absent: `full`.
    #[schema(value_type = Option<fields::FeedContent>)]
    pub feed_content: Option<String>,
    /// Absent: `full`.
    #[schema(value_type = Option<fields::PartnerContent>)]
    pub partner_content: Option<String>,
    /// Absent: the registrable domain of its homepage (`www.cjxww.cn` → `cjxww.cn`).
    #[schema(value_type = Option<fields::Domains>)]
    pub domains: Option<DomainsForm>,
    /// On the national source list (稿源单位): may file into `licensed_only` columns.
    /// Absent or `null`: false.
    pub licensed: Option<bool>,
    /// What the licence was checked against, such as the list's edition.
    #[schema(value_type = Option<fields::LongText>)]
    pub licence_ref: Option<String>,
    /// Whether it lets the portal repost its articles; `false` refuses everything it
    /// sends or its feeds carry. Absent or `null`: true.
    pub allow_repost: Option<bool>,
    /// Plain text shown under each of its articles (版权归原作者所有，如有侵权请联系删除).
    #[schema(value_type = Option<fields::LongText>)]
    pub repost_terms: Option<String>,
    /// `manual`: its articles are held as pending until an editor approves them.
    /// Absent or `null`: `auto`.
    #[schema(value_type = Option<fields::Review>)]
    pub review: Option<String>,
    /// The username of its default responsible editor (责任编辑): an enabled admin, or an
    /// enabled editor of every column (no column scope: an outlet may push into any),
    /// recorded on each article published without review when first stored (422 naming
    /// `default_editor` otherwise). Absent, `null` or blank: none.
    #[schema(value_type = Option<String>)]
    pub default_editor: Option<String>,
    /// Keep copies of its articles' images (in the content, the lead image, image
    /// enclosures) and point readers at them (`/media/…`): only where the outlet grants
    /// that right. Absent or `null`: false.
    pub keep_images: Option<bool>,
}

/// Where an outlet's original URLs may be: domain names, or `"any"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DomainsForm {
    Names(Vec<String>),
    Keyword(String),
}

impl DomainsForm {
    fn parse(&self) -> Result<OutletDomains, String> {
        match self {
            DomainsForm::Names(names) => OutletDomains::parse_list(names),
            DomainsForm::Keyword(word) if word.trim() == "any" => Ok(OutletDomains::Any),
            DomainsForm::Keyword(other) => Err(format!("'{other}' is neither a list of domain names nor \"any\"")),
        }
    }
}

/// Changes to an outlet: an absent field stays as it is; `null` clears `language` or
/// `rights`, and sets `domains` back to the default. The slug cannot be changed.
/// Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutletEdit {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Name)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::WebUrl)]
    pub homepage: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::LanguageTag>)]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::TimeZone)]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::LongText>)]
    pub rights: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Indexing)]
    pub indexing: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::FeedContent)]
    pub feed_content: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::PartnerContent)]
    pub partner_content: Option<String>,
    /// `null` goes back to the registrable domain of its homepage.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::Domains>)]
    pub domains: Option<Option<DomainsForm>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub licensed: Option<bool>,
    /// `null` (or blank) clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::LongText>)]
    pub licence_ref: Option<Option<String>>,
    /// `false` refuses everything it sends or its feeds carry from now on; what is
    /// published stays.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub allow_repost: Option<bool>,
    /// `null` (or blank) clears them.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<fields::LongText>)]
    pub repost_terms: Option<Option<String>>,
    /// From `manual` to `auto`, what is pending stays pending until approved.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = fields::Review)]
    pub review: Option<String>,
    /// An enabled admin's username, or an enabled editor's of every column (no column
    /// scope), else 422 naming it; `null` (or blank) clears it. Articles already stored
    /// keep the editor they were recorded with.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub default_editor: Option<Option<String>>,
    /// Turned on, images of articles stored or changed from then on are kept; turned
    /// off, readers are pointed at the original images again at once.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub keep_images: Option<bool>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A field that may be left out (`None`) but, having no value to clear, not given as
/// `null`: otherwise `{"title": null}` would be taken for "leave the title as it is".
pub(crate) fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

pub async fn add_column(store: &Store, form: ColumnForm, audit: Audit<'_>) -> Result<Column, CatalogError> {
    let tree = store.column_tree().await?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let slug = errors.check("slug", Slug::parse(form.slug.as_deref().unwrap_or("")));
    let title = errors.check("title", required_text(form.title.as_deref(), MAX_NAME_CHARS));
    let description = errors.check("description", optional_text(form.description.as_deref(), MAX_DESCRIPTION_CHARS));
    let parent_id = parent_id(&tree, form.parent.as_deref(), &mut conflicts);
    match (slug, title, description, parent_id) {
        (Some(slug), Some(title), Some(description), Some(parent_id)) if errors.is_empty() => {
            let (licensed_only, strict_titles) =
                (form.licensed_only.unwrap_or(false), form.strict_titles.unwrap_or(false));
            let hide_duplicates = form.hide_duplicates.unwrap_or(false);
            let column =
                NewColumn { slug, title, description, parent_id, licensed_only, strict_titles, hide_duplicates };
            Ok(store.insert_column(&column, audit).await?)
        }
        _ => Err(refusal(errors, conflicts)),
    }
}

pub async fn edit_column(
    store: &Store,
    slug: &str,
    edit: ColumnEdit,
    audit: Audit<'_>,
) -> Result<Column, CatalogError> {
    let tree = store.column_tree().await?;
    let column = tree.by_slug(slug).ok_or(CatalogError::NotFound("column"))?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let mut changes = ColumnChanges {
        licensed_only: edit.licensed_only,
        strict_titles: edit.strict_titles,
        hide_duplicates: edit.hide_duplicates,
        ..ColumnChanges::default()
    };
    if let Some(title) = edit.title {
        changes.title = errors.check("title", required_text(Some(&title), MAX_NAME_CHARS));
    }
    if let Some(description) = edit.description {
        changes.description = errors.check("description", optional_text(description.as_deref(), MAX_DESCRIPTION_CHARS));
    }
    if let Some(parent) = edit.parent {
        let parent = parent_id(&tree, parent.as_deref(), &mut conflicts);
        if let Some(Some(parent_id)) = parent {
            if tree.would_cycle(column.id, parent_id) {
                conflicts.add("parent", "a column cannot be placed under itself or its own sub-column");
            }
        }
        changes.parent_id = parent;
    }
    if !(errors.is_empty() && conflicts.is_empty()) {
        return Err(refusal(errors, conflicts));
    }
    Ok(store.update_column(column.id, &changes, audit).await?)
}

pub async fn remove_column(store: &Store, slug: &str, audit: Audit<'_>) -> Result<(), CatalogError> {
    let tree = store.column_tree().await?;
    let column = tree.by_slug(slug).ok_or(CatalogError::NotFound("column"))?;
    Ok(store.delete_column(column.id, audit).await?)
}

/// Creates an outlet and returns it with its first ingest token, which is shown only now.
/// `default_zone` reads the outlet's naive times when the form names no zone: the site's,
/// since a regional outlet writes times in the zone its readers live in.
pub async fn add_outlet(
    store: &Store,
    form: OutletForm,
    default_zone: chrono_tz::Tz,
    audit: Audit<'_>,
) -> Result<(Outlet, String), CatalogError> {
    let mut errors = FieldErrors::new();
    let slug = errors.check("slug", Slug::parse(form.slug.as_deref().unwrap_or("")));
    let name = errors.check("name", required_text(form.name.as_deref(), MAX_NAME_CHARS));
    let homepage = errors.check("homepage", http_url(form.homepage.as_deref().unwrap_or("")));
    let language = errors.check("language", form.language.as_deref().map(language_tag).transpose());
    let timezone = match form.timezone.as_deref() {
        Some(zone) => errors.check("timezone", time_zone(zone)),
        None => Some(default_zone),
    };
    let rights = errors.check("rights", optional_text(form.rights.as_deref(), MAX_DESCRIPTION_CHARS));
    let indexing =
        errors.check("indexing", form.indexing.as_deref().map(Indexing::parse).unwrap_or(Ok(Indexing::default())));
    let feeds = form.feed_content.as_deref().map_or(Ok(Carriage::Full), Carriage::parse_for_feeds);
    let partners = form.partner_content.as_deref().map_or(Ok(Carriage::Full), Carriage::parse);
    let grants = errors.check("feed_content", feeds).zip(errors.check("partner_content", partners));
    let domains =
        errors.check("domains", form.domains.as_ref().map_or(Ok(OutletDomains::OfHomepage), DomainsForm::parse));
    let licence_ref = errors.check("licence_ref", optional_text(form.licence_ref.as_deref(), MAX_DESCRIPTION_CHARS));
    let terms = errors.check("repost_terms", optional_text(form.repost_terms.as_deref(), MAX_DESCRIPTION_CHARS));
    let reposting = licence_ref.zip(terms).map(|(licence_ref, terms)| Reposting {
        licensed: form.licensed.unwrap_or(false),
        licence_ref,
        allow_repost: form.allow_repost.unwrap_or(true),
        terms,
    });
    let review = errors.check("review", form.review.as_deref().map_or(Ok(Review::Auto), Review::parse));
    let default_editor_id = default_editor(store, form.default_editor.as_deref(), &mut errors).await?;
    match (slug, name, homepage, language, timezone, rights, indexing, grants, domains, reposting) {
        (
            Some(slug),
            Some(name),
            Some(homepage),
            Some(language),
            Some(timezone),
            Some(rights),
            Some(indexing),
            Some((feeds, partners)),
            Some(domains),
            Some(reposting),
        ) if errors.is_empty() => {
            let grants = Grants { feeds, partners };
            let outlet = NewOutlet {
                slug,
                name,
                homepage,
                language,
                timezone,
                rights,
                indexing,
                grants,
                domains,
                reposting,
                review: review.unwrap_or_default(),
                default_editor_id: default_editor_id.flatten(),
                keep_images: form.keep_images.unwrap_or(false),
            };
            let token = token::generate(token::OUTLET_TOKEN_PREFIX);
            let stored = store.insert_outlet(&outlet, &token::digest(&token), audit).await?;
            Ok((stored, token))
        }
        _ => Err(errors.into()),
    }
}

pub async fn edit_outlet(
    store: &Store,
    slug: &str,
    edit: OutletEdit,
    audit: Audit<'_>,
) -> Result<Outlet, CatalogError> {
    let outlet = store.outlet_by_slug(slug).await?;
    let mut errors = FieldErrors::new();
    let default_editor_id = match edit.default_editor {
        Some(username) => default_editor(store, username.as_deref(), &mut errors).await?,
        None => None,
    };
    let changes = OutletChanges {
        review: edit.review.and_then(|r| errors.check("review", Review::parse(&r))),
        default_editor_id,
        name: edit.name.and_then(|n| errors.check("name", required_text(Some(&n), MAX_NAME_CHARS))),
        homepage: edit.homepage.and_then(|h| errors.check("homepage", http_url(&h))),
        language: edit.language.and_then(|l| errors.check("language", l.as_deref().map(language_tag).transpose())),
        timezone: edit.timezone.and_then(|t| errors.check("timezone", time_zone(&t))),
        rights: edit.rights.and_then(|r| errors.check("rights", optional_text(r.as_deref(), MAX_DESCRIPTION_CHARS))),
        indexing: edit.indexing.and_then(|i| errors.check("indexing", Indexing::parse(&i))),
        feed_content: edit.feed_content.and_then(|f| errors.check("feed_content", Carriage::parse_for_feeds(&f))),
        partner_content: edit.partner_content.and_then(|p| errors.check("partner_content", Carriage::parse(&p))),
        domains: edit.domains.and_then(|d| {
            errors.check("domains", d.as_ref().map_or(Ok(OutletDomains::OfHomepage), DomainsForm::parse))
        }),
        licensed: edit.licensed,
        licence_ref: edit
            .licence_ref
            .and_then(|r| errors.check("licence_ref", optional_text(r.as_deref(), MAX_DESCRIPTION_CHARS))),
        allow_repost: edit.allow_repost,
        keep_images: edit.keep_images,
        repost_terms: edit
            .repost_terms
            .and_then(|t| errors.check("repost_terms", optional_text(t.as_deref(), MAX_DESCRIPTION_CHARS))),
    };
    errors.into_result()?;
    Ok(store.update_outlet(outlet.id, &changes, audit).await?)
}

/// The user id a `default_editor` username names (`Some(None)`: blank, none), or
/// `None` with the refusal noted: no such user, or one who may not be a default editor
/// (`review::default_editor_refusal`: disabled, a viewer, or an editor of some columns).
async fn default_editor(
    store: &Store,
    username: Option<&str>,
    errors: &mut FieldErrors,
) -> Result<Option<Option<i64>>, CatalogError> {
    let Some(username) = username.map(str::trim).filter(|u| !u.is_empty()) else { return Ok(Some(None)) };
    let refusal = match store.user_by_username(username).await? {
        None => format!("no user is named '{username}'"),
        Some(user) => match default_editor_refusal(&user) {
            None => return Ok(Some(Some(user.id))),
            Some(refusal) => refusal,
        },
    };
    errors.add("default_editor", refusal);
    Ok(None)
}

/// Issues an additional ingest token for an outlet and returns it (shown only now).
/// Rotation is issuing a new token, then revoking the old one.
pub async fn issue_outlet_token(store: &Store, slug: &str, audit: Audit<'_>) -> Result<String, CatalogError> {
    let outlet = store.outlet_by_slug(slug).await?;
    let token = token::generate(token::OUTLET_TOKEN_PREFIX);
    store.add_outlet_token(&outlet, &token::digest(&token), audit).await?;
    Ok(token)
}

/// Revokes one of an outlet's tokens.
pub async fn revoke_outlet_token(
    store: &Store,
    slug: &str,
    token_id: i64,
    audit: Audit<'_>,
) -> Result<(), CatalogError> {
    let outlet = store.outlet_by_slug(slug).await?;
    store.revoke_outlet_token(&outlet, token_id, audit).await?;
    Ok(())
}

/// The parent a column form names: `Some(None)` for none (a root column); `None` when
/// no column has the slug, which is recorded in `conflicts`.
fn parent_id(tree: &ColumnTree, parent: Option<&str>, conflicts: &mut FieldErrors) -> Option<Option<i64>> {
    match parent.map(str::trim) {
        None | Some("") => Some(None),
        Some(slug) => {
            let found = tree.by_slug(slug).map(|c| Some(c.id)).ok_or_else(|| format!("unknown column '{slug}'"));
            conflicts.check("parent", found)
        }
    }
}

/// Why a form is refused: its malformed fields, with what the catalog refuses among them
/// (`Invalid`); or, when nothing in it is malformed, what the catalog refuses alone
/// (`Conflicting`).
/// The ids of the columns a scope names (a partner's or a user's), each once; a slug no
/// column has is a conflict naming `columns`.
fn column_scope(tree: &ColumnTree, slugs: &[String], conflicts: &mut FieldErrors) -> Vec<i64> {
    let mut column_ids = Vec::new();
    for slug in slugs {
        match tree.by_slug(slug.trim()) {
            Some(column) if !column_ids.contains(&column.id) => column_ids.push(column.id),
            Some(_) => {}
            None => conflicts.add("columns", format!("unknown column '{}'", slug.trim())),
        }
    }
    column_ids
}

/// The columns an article is to be filed under (`PUT /api/v1/articles/{id}/columns`):
/// at least one, each slug an existing column's, each once, the first the primary.
/// Anything else is refused naming `columns` (422).
pub fn filing(tree: &ColumnTree, slugs: &[String]) -> Result<Vec<i64>, FieldErrors> {
    let mut unknown = FieldErrors::new();
    let column_ids = column_scope(tree, slugs, &mut unknown);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    if column_ids.is_empty() {
        return Err(FieldErrors::single("columns", "must name at least one column"));
    }
    Ok(column_ids)
}

fn refusal(mut malformed: FieldErrors, conflicts: FieldErrors) -> CatalogError {
    if malformed.is_empty() {
        return CatalogError::Conflicting(conflicts);
    }
    for (field, reason) in conflicts.iter() {
        malformed.add(field.clone(), reason.clone());
    }
    CatalogError::Invalid(malformed)
}

/// A new source: an outlet's feed, or a list page of its site (`kind` `html`), polled every
/// `interval_secs` and routed into columns. Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outlet": "cjrb", "url": "http://www.cjxww.cn/rss.xml", "columns": ["party-96"],
    "routes": [{"match": "category", "value": "基层党建", "column": "zhuanti"}],
    "include": [], "exclude": ["广告"], "interval_secs": 900
}))]
pub struct SourceForm {
    /// The outlet whose feed it is.
    #[schema(value_type = fields::Slug, required = true)]
    pub outlet: Option<String>,
    /// The feed's address, or the list page's (`kind` `html`).
    #[schema(value_type = fields::WebUrl, required = true)]
    pub url: Option<String>,
    /// `feed` or `html`; absent or `null`: `feed`.
    #[schema(value_type = Option<fields::SourceKindName>)]
    pub kind: Option<String>,
    /// CSS selectors (and a date format) for reading its pages: the list page's article
    /// links and, on each article page, its parts; a selector left out is found
    /// automatically. For `html` sources and `full_text` feeds only. Absent or `null`:
    /// automatic extraction. A selector that does not parse is refused (422 naming
    /// `rules.FIELD`).
    #[schema(nullable = true)]
    pub rules: Option<PageRules>,
    /// A feed (not `html`) whose items carry only a summary: each new item's page is
    /// fetched and its content extracted (by `rules`, else automatically), the feed's
    /// summary kept as the summary. Absent or `null`: `false`.
    pub full_text: Option<bool>,
    /// The columns every item is reposted under, primary first (at least one; duplicates
    /// are ignored). A column that takes licensed sources only is accepted here even for
    /// an unlicensed outlet (its licence may change): the items the source would file
    /// there are refused at each poll, with that reason.
    #[schema(value_type = Vec<fields::Slug>, required = true, min_items = 1)]
    pub columns: Option<Vec<String>>,
    /// Seconds between polls; absent or `null`: 900.
    #[serde(default, deserialize_with = "fields::whole_number")]
    #[schema(minimum = 60, maximum = 604800)]
    pub interval_secs: Option<i64>,
    /// Rules that route matching items to further columns.
    #[serde(default)]
    pub routes: Vec<RouteForm>,
    /// When not empty, only items containing one of these keywords are taken.
    #[serde(default)]
    #[schema(value_type = Vec<fields::Keyword>)]
    pub include: Vec<String>,
    /// Items containing one of these keywords are left out.
    #[serde(default)]
    #[schema(value_type = Vec<fields::Keyword>)]
    pub exclude: Vec<String>,
    /// `manual`: its new items are held as pending until an editor approves them (as
    /// are all of an outlet under manual review). Absent or `null`: `auto`.
    #[schema(value_type = Option<fields::Review>)]
    pub review: Option<String>,
}

impl SourceForm {
    /// The slugs of every column it would file items under (its own and its rules').
    pub fn named_columns(&self) -> Vec<&str> {
        let own = self.columns.iter().flatten().map(String::as_str);
        own.chain(self.routes.iter().map(|r| r.column.as_str())).collect()
    }
}

impl SourceEdit {
    /// The slugs of the columns its new routing names; `None` when it keeps the routing's
    /// columns and rules.
    pub fn named_columns(&self) -> Option<Vec<&str>> {
        if self.columns.is_none() && self.routes.is_none() {
            return None;
        }
        let own = self.columns.iter().flatten().map(String::as_str);
        Some(own.chain(self.routes.iter().flatten().map(|r| r.column.as_str())).collect())
    }
}

/// Changes to a source: an absent (or `null`) field stays as it is. The routing fields
/// (`columns`, `routes`, `include`, `exclude`), when any is given, are validated together
/// with the current values of the others and replace the source's routing. A changed URL
/// or routing forgets the stored validators, so the next poll sees the whole feed. Unknown
/// fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceEdit {
    #[schema(value_type = Option<fields::WebUrl>)]
    pub url: Option<String>,
    /// New extraction rules, replacing the old; `{}` goes back to automatic extraction
    /// (a source's kind does not change: add another source instead).
    pub rules: Option<PageRules>,
    pub full_text: Option<bool>,
    #[serde(default, deserialize_with = "fields::whole_number")]
    #[schema(minimum = 60, maximum = 604800)]
    pub interval_secs: Option<i64>,
    #[schema(value_type = Option<Vec<fields::Slug>>, min_items = 1)]
    pub columns: Option<Vec<String>>,
    pub routes: Option<Vec<RouteForm>>,
    #[schema(value_type = Option<Vec<fields::Keyword>>)]
    pub include: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<fields::Keyword>>)]
    pub exclude: Option<Vec<String>>,
    /// From `manual` to `auto`, what is pending stays pending until approved.
    #[schema(value_type = Option<fields::Review>)]
    pub review: Option<String>,
}

/// A routing rule: items whose category equals (or whose text contains) `value` also
/// go to `column`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, from = "RouteObject")]
pub struct RouteForm {
    #[serde(rename = "match")]
    #[schema(value_type = fields::RouteMatchName)]
    pub matching: String,
    #[schema(value_type = fields::Keyword)]
    pub value: String,
    #[schema(value_type = fields::Slug)]
    pub column: String,
}

/// A `RouteForm` as read: from a JSON object only (`fields::ObjectOnly`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteObject {
    #[serde(flatten)]
    _object: fields::ObjectOnly,
    #[serde(rename = "match")]
    matching: String,
    value: String,
    column: String,
}

impl From<RouteObject> for RouteForm {
    fn from(RouteObject { matching, value, column, .. }: RouteObject) -> RouteForm {
        RouteForm { matching, value, column }
    }
}

/// Longest keyword or rule value, in characters.
pub const MAX_KEYWORD_CHARS: usize = 200;

/// Subscribes an outlet's feed into columns.
pub async fn add_source(store: &Store, form: SourceForm, audit: Audit<'_>) -> Result<Source, CatalogError> {
    let tree = store.column_tree().await?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let outlet = match form.outlet.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.add("outlet", "is required");
            None
        }
        Some(slug) => match store.outlet_by_slug(slug).await {
            Ok(outlet) => Some(outlet),
            Err(StoreError::NotFound(_)) => {
                conflicts.add("outlet", format!("unknown outlet '{slug}'"));
                None
            }
            Err(other) => return Err(other.into()),
        },
    };
    let url = errors.check("url", http_url(form.url.as_deref().unwrap_or("")));
    let interval = errors.check("interval_secs", interval(form.interval_secs.unwrap_or(DEFAULT_INTERVAL_SECS)));
    let columns = form.columns.unwrap_or_default();
    let routing = routing(&tree, &columns, &form.routes, &form.include, &form.exclude, &mut errors, &mut conflicts);
    let review = errors.check("review", form.review.as_deref().map_or(Ok(Review::Auto), Review::parse));
    let kind = errors.check("kind", form.kind.as_deref().map_or(Ok(SourceKind::Feed), SourceKind::parse));
    let full_text = form.full_text.unwrap_or(false);
    let rules = kind.and_then(|kind| reading(kind, form.rules.as_ref(), full_text, &mut errors));
    match (outlet, url, interval, routing, review, kind, rules) {
        (Some(outlet), Some(url), Some(interval), Some(routing), Some(review), Some(kind), Some(rules))
            if errors.is_empty() && conflicts.is_empty() =>
        {
            let new = NewSource {
                outlet_id: outlet.id,
                url: &url,
                kind,
                rules: rules.as_deref(),
                full_text,
                interval_secs: interval,
                routing: &routing,
                review,
            };
            Ok(store.insert_source(new, audit).await?)
        }
        _ => Err(refusal(errors, conflicts)),
    }
}

/// Changes a source's address, interval or routing.
pub async fn edit_source(store: &Store, id: i64, edit: SourceEdit, audit: Audit<'_>) -> Result<Source, CatalogError> {
    let tree = store.column_tree().await?;
    let current = store.source(id).await?.ok_or(CatalogError::NotFound("source"))?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let mut changes = SourceChanges {
        url: edit.url.and_then(|u| errors.check("url", http_url(&u))),
        interval_secs: edit.interval_secs.and_then(|i| errors.check("interval_secs", interval(i))),
        routing: None,
        review: edit.review.and_then(|r| errors.check("review", Review::parse(&r))),
        rules: None,
        full_text: edit.full_text,
    };
    if edit.rules.is_some() || edit.full_text.is_some() {
        let full_text = edit.full_text.unwrap_or(current.full_text);
        let kept = current.rules.as_deref().and_then(|r| serde_json::from_str::<PageRules>(r).ok());
        // A feed no longer read in full drops the rules it was read by.
        let dropped = edit.rules.is_none() && current.kind == SourceKind::Feed && !full_text;
        let rules = if dropped { None } else { edit.rules.as_ref().or(kept.as_ref()) };
        let checked = reading(current.kind, rules, full_text, &mut errors);
        if edit.rules.is_some() || (dropped && current.rules.is_some()) {
            changes.rules = checked;
        }
    }
    let routing_changed =
        edit.columns.is_some() || edit.routes.is_some() || edit.include.is_some() || edit.exclude.is_some();
    if routing_changed {
        let slug_of = |id: &i64| tree.get(*id).map(|c| c.slug.to_string());
        let old = &current.routing;
        let columns = edit.columns.unwrap_or_else(|| old.columns.iter().filter_map(slug_of).collect());
        let routes = edit.routes.unwrap_or_else(|| {
            old.routes
                .iter()
                .filter_map(|r| {
                    Some(RouteForm {
                        matching: r.matching.as_str().into(),
                        value: r.value.clone(),
                        column: slug_of(&r.column_id)?,
                    })
                })
                .collect()
        });
        let include = edit.include.unwrap_or_else(|| old.include.clone());
        let exclude = edit.exclude.unwrap_or_else(|| old.exclude.clone());
        changes.routing = routing(&tree, &columns, &routes, &include, &exclude, &mut errors, &mut conflicts);
    }
    if !(errors.is_empty() && conflicts.is_empty()) {
        return Err(refusal(errors, conflicts));
    }
    Ok(store.update_source(id, &changes, audit).await?)
}

/// Checks how a source's pages are read: rules (their selectors parse; they apply to html
/// sources and full-text feeds only) and full text (feeds only). The rules to store, as
/// JSON (`None` inside: automatic extraction), or `None` after naming what is wrong.
fn reading(
    kind: SourceKind,
    rules: Option<&PageRules>,
    full_text: bool,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    if full_text && kind == SourceKind::Html {
        errors.add("full_text", "is for feed sources: an html source's articles are read from their pages already");
        return None;
    }
    let Some(rules) = rules.filter(|r| **r != PageRules::default()) else { return Some(None) };
    if kind == SourceKind::Feed && !full_text {
        errors.add("rules", "apply to html sources and full_text feeds only (a feed's items are read as they are)");
        return None;
    }
    if let Err(refused) = rules.check() {
        errors.add(refused.field, refused.message);
        return None;
    }
    Some(Some(serde_json::to_string(rules).expect("rules serialise")))
}

fn interval(secs: i64) -> Result<i64, String> {
    if (MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!("must be between {MIN_INTERVAL_SECS} and {MAX_INTERVAL_SECS} seconds"))
    }
}

/// Validates a source's columns, rules and filters together: what is malformed goes to
/// `errors`, a column that does not exist to `conflicts`.
fn routing(
    tree: &ColumnTree,
    columns: &[String],
    routes: &[RouteForm],
    include: &[String],
    exclude: &[String],
    errors: &mut FieldErrors,
    conflicts: &mut FieldErrors,
) -> Option<Routing> {
    let column_id =
        |slug: &str| tree.by_slug(slug.trim()).map(|c| c.id).ok_or_else(|| format!("unknown column '{}'", slug.trim()));
    if columns.is_empty() {
        errors.add("columns", "must name at least one column");
    }
    let columns: Option<Vec<i64>> = conflicts.check("columns", columns.iter().map(|slug| column_id(slug)).collect());
    let mut route_list = Vec::with_capacity(routes.len());
    for (i, r) in routes.iter().enumerate() {
        let matching = RouteMatch::parse(&r.matching).map_err(|e| format!("[{i}].match {e}"));
        let value = required_text(Some(&r.value), MAX_KEYWORD_CHARS).map_err(|e| format!("[{i}].value {e}"));
        let matching = errors.check("routes", matching);
        let value = errors.check("routes", value);
        let column = conflicts.check("routes", column_id(&r.column).map_err(|e| format!("[{i}].column: {e}")));
        if let (Some(matching), Some(value), Some(column_id)) = (matching, value, column) {
            route_list.push(Route { matching, value, column_id });
        }
    }
    let include = errors.check("include", keywords(include));
    let exclude = errors.check("exclude", keywords(exclude));
    let mut column_ids = Vec::new();
    for id in columns? {
        if !column_ids.contains(&id) {
            column_ids.push(id);
        }
    }
    let complete = route_list.len() == routes.len() && !column_ids.is_empty();
    complete.then_some(Routing { columns: column_ids, routes: route_list, include: include?, exclude: exclude? })
}

fn keywords(list: &[String]) -> Result<Vec<String>, String> {
    list.iter().map(|k| required_text(Some(k), MAX_KEYWORD_CHARS).map_err(|e| format!("'{k}' {e}"))).collect()
}

/// A new partner. Unknown fields are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Example Aggregator", "columns": ["zhuanti"]}))]
pub struct PartnerForm {
    #[schema(value_type = fields::Name)]
    pub name: Option<String>,
    /// Slugs of existing columns it may read, each with its sub-columns (409 naming
    /// `columns` for one that does not exist); absent, `null` or empty: every column.
    #[schema(value_type = Option<Vec<fields::Slug>>)]
    pub columns: Option<Vec<String>>,
}

/// Creates a partner and returns it with its read token, which is shown only now.
pub async fn add_partner(
    store: &Store,
    form: PartnerForm,
    audit: Audit<'_>,
) -> Result<(Partner, String), CatalogError> {
    let tree = store.column_tree().await?;
    let (mut errors, mut conflicts) = (FieldErrors::new(), FieldErrors::new());
    let name = errors.check("name", required_text(form.name.as_deref(), MAX_NAME_CHARS));
    let column_ids = column_scope(&tree, &form.columns.unwrap_or_default(), &mut conflicts);
    match name {
        Some(name) if errors.is_empty() && conflicts.is_empty() => {
            let token = token::generate(token::PARTNER_TOKEN_PREFIX);
            let partner = store.insert_partner(&name, &token::digest(&token), &column_ids, audit).await?;
            Ok((partner, token))
        }
        _ => Err(refusal(errors, conflicts)),
    }
}
