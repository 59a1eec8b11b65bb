//! Articles as staff work on them: the listing of every article whatever its standing
//! (filters, newest first, cursor paging) and one article with every attribution field
//! (`/api/v1/admin/articles`), reinstating a withdrawn article, filing one under other
//! columns, an editor's correction (`PATCH /api/v1/articles/{id}`) and the decision on
//! an outlet's later correction of it (`/api/v1/articles/{id}/…`). A user sees only
//! articles filed wholly within its columns and, as an editor, changes only those
//! (`Staff::may_change`; for a move, the columns it goes to as well).

pub(super) mod wire;

use super::admin::json_body;
use super::auth::Staff;
use super::body::{parse_json, require_json};
use super::error::ErrorBody;
use super::ingest::MAX_PUSH_BODY_BYTES;
use super::params::{Number, Params};
use super::partners::{decode_cursor, encode_cursor, page_limit, Cursor, PageSize};
use super::{error::ApiError, AppState};
use crate::catalog::{self, fields};
use crate::domain::correction::Take;
use crate::domain::{ArticleStatus, FieldErrors};
use crate::ingest::edit::ArticleEdit;
use crate::search::SearchQuery;
use crate::store::{ListPosition, StaffQuery};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use std::future::Future;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, show, images, reinstate, move_to_columns, edit, resolve_outlet_correction))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/articles", get(list))
        .route("/api/v1/admin/articles/{id}", get(show))
        .route("/api/v1/admin/articles/{id}/images", get(images))
        .route("/api/v1/articles/{id}/reinstate", post(reinstate))
        .route("/api/v1/articles/{id}/columns", put(move_to_columns))
        .route("/api/v1/articles/{id}", patch(edit))
        .route("/api/v1/articles/{id}/outlet-correction", post(resolve_outlet_correction))
}

/// List articles (staff)
///
/// Every article whatever its standing, newest repost first, a page at a time: follow
/// `next_cursor` while it is not null. Filters combine. A user with a column scope sees
/// the articles filed wholly within its columns.
#[utoipa::path(
    get,
    path = "/api/v1/admin/articles",
    tag = "articles",
    security(("admin" = [])),
    params(
        ("column" = Option<fields::Slug>, Query, description = "Only articles filed in this column or its sub-columns."),
        ("outlet" = Option<fields::Slug>, Query, description = "Only this outlet's articles."),
        ("status" = Option<fields::ArticleStatusName>, Query, description = "Only articles standing so."),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: reposted at or after this time."),
        ("until" = Option<String>, Query, format = DateTime, description = "RFC 3339: reposted before this time."),
        ("q" = Option<String>, Query, max_length = 200, description = "Only articles this search finds, as \
            `GET /api/v1/search` reads it (words, \"phrases\", -exclusions, OR; in the title shown and the outlet's \
            own, subtitle, summary, content, author, outlet, tags), whatever their standing."),
        ("outlet_corrected" = Option<bool>, Query, description = "`true`: only articles their outlet corrected \
            after an editor's edit, still to be resolved."),
        ("cursor" = Option<Cursor>, Query, description = "A `next_cursor` of an earlier answer: the page after it."),
        ("limit" = Option<PageSize>, Query, description = "Most articles in the answer."),
    ),
    responses(
        (status = 200, description = "A page of articles.", body = wire::StaffArticleList),
        (status = 400, description = "A `q` that cannot be read as a search, or a `status`, `since`, `until`, \
            `outlet_corrected`, `cursor` or `limit` that is not one (each named in `fields`).", body = ErrorBody),
        (status = 404, description = "No column (the user sees) or outlet has the slug given.", body = ErrorBody),
        (status = 503, description = "`q` given, and this instance's search index cannot be opened.",
            body = ErrorBody),
    ),
)]
async fn list(
    staff: Staff,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::StaffArticleList>, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let time = |name: &str, errors: &mut FieldErrors| {
        let raw = param(name)?;
        let parsed = chrono::DateTime::parse_from_rfc3339(&raw).map_err(|e| format!("'{raw}': {e}"));
        errors.check(name, parsed).map(|t| t.to_utc())
    };
    let (since, until) = (time("since", &mut errors), time("until", &mut errors));
    let status = param("status").and_then(|s| errors.check("status", ArticleStatus::parse(&s)));
    let after = param("cursor").and_then(|c| errors.check("cursor", decode_cursor(&c)));
    let limit = page_limit(param("limit"), &mut errors);
    let text = param("q")
        .filter(|q| !q.is_empty())
        .and_then(|q| errors.check("q", SearchQuery::parse(&q).map_err(|e| e.to_string())));
    let outlet_corrected = match param("outlet_corrected").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            errors.add("outlet_corrected", format!("'{other}' is neither 'true' nor 'false'"));
            false
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    }
    let tree = state.operations.column_tree().await?;
    let column_ids = match param("column") {
        Some(slug) => {
            let column =
                tree.by_slug(&slug).filter(|c| staff.sees(&tree, &[c.id])).ok_or(ApiError::NotFound("column"))?;
            Some(tree.subtree_ids(column.id))
        }
        None => None,
    };
    let outlet_id = match param("outlet") {
        Some(slug) => Some(state.operations.outlet(&slug).await?.id),
        None => None,
    };
    let limit = limit.unwrap_or(super::partners::DEFAULT_PAGE);
    let query = StaffQuery {
        within: staff.within(&tree),
        column_ids,
        outlet_id,
        status,
        since,
        until,
        ids: None,
        outlet_corrected,
        after: after.map(|(reposted_at, id)| ListPosition { reposted_at, id }),
        limit,
    };
    let mut articles = state.operations.staff_articles(&query, text.as_ref()).await?;
    let more = articles.len() as i64 > limit;
    articles.truncate(limit as usize);
    let next_cursor = more.then(|| articles.last().map(|a| a.position())).flatten();
    Ok(Json(wire::StaffArticleList {
        articles: articles.iter().map(|a| wire::summary(&state.site, a)).collect(),
        next_cursor: next_cursor.map(|p| encode_cursor(p.reposted_at, p.id)),
    }))
}

/// Show an article (staff)
///
/// One article with every attribution field and where it stands (withdrawn, by whom,
/// held, embargoed), whatever that is.
#[utoipa::path(
    get,
    path = "/api/v1/admin/articles/{id}",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "The article.", body = wire::StaffArticle),
        (status = 404, description = "No article (the user sees) has this id.", body = ErrorBody),
    ),
)]
async fn show(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<wire::StaffArticle>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let found = state.operations.staff_article(id.get()).await?;
    let column_ids = |a: &crate::store::StaffArticle| a.article.columns.iter().map(|c| c.id).collect::<Vec<_>>();
    let found = found.filter(|a| staff.sees(&tree, &column_ids(a))).ok_or(ApiError::NotFound("article"))?;
    Ok(Json(wire::article(&state.site, &found)))
}

/// An article's kept images (staff)
///
/// Where keeping each image of the article stands, when its outlet keeps images
/// (`keep_images`): every image syndic found in it (`<img src>` in the content, the lead
/// image, image enclosures), `pending` (`attempts` failed so far, `last_error` the last
/// reason), `kept` (`media_url` is where readers are pointed), `refused` (not an image
/// syndic keeps, or too large) or `failed` (given up); those not kept are shown to
/// readers at their original URL. Empty for an article of an outlet that does not keep
/// images, or whose images have not been looked at yet.
#[utoipa::path(
    get,
    path = "/api/v1/admin/articles/{id}/images",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "Its images, in the order they were found.", body = wire::ArticleImageList),
        (status = 404, description = "No article (the user sees) has this id.", body = ErrorBody),
    ),
)]
async fn images(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<wire::ArticleImageList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let found = state.operations.staff_article(id.get()).await?;
    let column_ids = |a: &crate::store::StaffArticle| a.article.columns.iter().map(|c| c.id).collect::<Vec<_>>();
    found.filter(|a| staff.sees(&tree, &column_ids(a))).ok_or(ApiError::NotFound("article"))?;
    let images = state.operations.article_images(id.get()).await?;
    Ok(Json(wire::article_images(&state.site, &images)))
}

/// Refuses (403) a user whose role or columns do not allow changing this article.
pub(super) async fn may_change(staff: &Staff, state: &AppState, id: i64) -> Result<(), ApiError> {
    let tree = state.operations.column_tree().await?;
    staff.may_change(&tree, &state.operations.article_column_ids(id).await?)
}

/// What every change of one article shares: refuses (403) a user whose role or columns
/// do not allow changing it before `change` reads anything (its body included), then
/// answers the article as it stands after the change.
pub(super) async fn changing<Change>(
    staff: &Staff,
    state: &AppState,
    id: i64,
    change: impl FnOnce() -> Change,
) -> Result<Json<wire::StaffArticle>, ApiError>
where
    Change: Future<Output = Result<(), ApiError>>,
{
    may_change(staff, state, id).await?;
    change().await?;
    let found = state.operations.staff_article(id).await?.ok_or(ApiError::NotFound("article"))?;
    Ok(Json(wire::article(&state.site, &found)))
}

/// Reinstate a withdrawn article
///
/// Makes an article this site withdrew, or whose repost right ran out, public again in
/// every feed, page and sitemap (partners get its live version, subscribers and search
/// engines hear of it). An article its outlet withdrew itself is the outlet's to
/// reinstate, by pushing it again (409). No request body is read. An editor may
/// reinstate articles filed wholly within its columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/reinstate",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "Reinstated: the article as it stands now.", body = wire::StaffArticle),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 409, description = "The article is not withdrawn, or its outlet withdrew it (the message says \
            which).", body = ErrorBody),
    ),
)]
async fn reinstate(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<wire::StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async { Ok(state.operations.reinstate_article(&staff.actor(), id).await?) }).await
}

/// Move an article to other columns
///
/// Files the article under these columns instead of its own (the first is its primary
/// column): it appears in their feeds, pages and archives, and leaves those of the
/// columns it left. An editor may move articles filed wholly within its columns to
/// columns within them; a viewer none (403).
#[utoipa::path(
    put,
    path = "/api/v1/articles/{id}/columns",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    request_body(content = wire::Filing, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved: the article as it stands now.", body = wire::StaffArticle),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 422, description = "`columns` empty, naming a column that does not exist, or a column that takes \
            licensed sources only (or one under it) for an article of an unlicensed outlet, or a column with strict \
            titles (or one under it) while an editor's title says other than the outlet's (named in `fields`).",
            body = ErrorBody),
    ),
)]
async fn move_to_columns(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async {
        let filing: wire::Filing = json_body(&headers, body).await?;
        let tree = state.operations.column_tree().await?;
        let column_ids = catalog::filing(&tree, &filing.columns)?;
        staff.may_change(&tree, &column_ids)?;
        Ok(state.operations.move_article(&staff.actor(), id, &column_ids).await?)
    })
    .await
}

/// Correct an article
///
/// An editor's correction of what the outlet sent: any of `title`, `subtitle`,
/// `summary`, `content_html`, `image` (validated and sanitised as a push is) and
/// `columns` (a move, as `PUT /api/v1/articles/{id}/columns`). The outlet's version
/// stays stored: its title is the original title (原标题), shown beside an edited one on
/// the page, in feeds and in the partner API; a field set back to the outlet's value is
/// no longer edited. A later push or poll updates the outlet's version without
/// overwriting the edit, and flags the article (`outlet_corrected_at`). Each change is
/// recorded in the audit log with the fields before and after. An editor may correct
/// articles filed wholly within its columns (and move them only within them); a viewer
/// none (403).
#[utoipa::path(
    patch,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    request_body(content = crate::ingest::edit::ArticleEdit, content_type = "application/json"),
    responses(
        (status = 200, description = "Corrected: the article as it stands now.", body = wire::StaffArticle),
        (status = 400, description = "Not JSON, an unknown field, `title` or `columns` given as `null`, or a value \
            of the wrong type.", body = ErrorBody),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 413, description = "The body is larger than a push may be.", body = ErrorBody),
        (status = 422, description = "Fields that are not valid (each named in `fields`): a blank (nothing \
            visible) or too long `title`, a too long line or HTML field, an `image` without an http(s) URL, `columns` empty or naming a \
            column that does not exist or that takes licensed sources only for an unlicensed outlet's article, or a \
            `title` that says other than the original title under a column with `strict_titles`, or a field with \
            a term or link the content policy blocks.", body = ErrorBody),
    ),
)]
async fn edit(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async {
        let (bytes, _room) = state.bodies.read(&headers, body, MAX_PUSH_BODY_BYTES).await?;
        require_json(&headers)?;
        let input: ArticleEdit = parse_json(&bytes)?;
        drop(bytes);
        let edit = state.operations.prepare_edit(id, input).await?;
        if let Some(column_ids) = &edit.column_ids {
            staff.may_change(&state.operations.column_tree().await?, column_ids)?;
        }
        Ok(state.operations.edit_article(&staff.actor(), id, edit).await?)
    })
    .await
}

/// Resolve an outlet's correction of an edited article
///
/// After an editor's edit, a later push or poll that changes the outlet's version is
/// stored without overwriting the edit, and the article is flagged
/// (`outlet_corrected_at`). `{"take": "outlet"}` shows the outlet's corrected version
/// (the edits are dropped); `{"take": "edit"}` keeps showing the edits over it. Either
/// clears the flag, and is recorded in the audit log. An editor may resolve articles
/// filed wholly within its columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/outlet-correction",
    tag = "articles",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    request_body(content = wire::Resolution, content_type = "application/json"),
    responses(
        (status = 200, description = "Resolved: the article as it stands now.", body = wire::StaffArticle),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 409, description = "Its outlet has not corrected it since an edit (nothing to resolve).",
            body = ErrorBody),
        (status = 422, description = "`take` is neither `outlet` nor `edit`; or `take` is `edit` and the edited \
            title no longer says what the outlet's corrected title says under a strict column (naming `title`).",
            body = ErrorBody),
    ),
)]
async fn resolve_outlet_correction(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async {
        let resolution: wire::Resolution = json_body(&headers, body).await?;
        let take = Take::parse(&resolution.take).map_err(|reason| FieldErrors::single("take", reason))?;
        Ok(state.operations.resolve_outlet_correction(&staff.actor(), id, take).await?)
    })
    .await
}
