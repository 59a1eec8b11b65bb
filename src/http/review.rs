//! Review before publish (审核): the queue of articles held for an editor
//! (`GET /api/v1/review`, oldest first, cursor paging), approving one (published now,
//! the approver its responsible editor) and rejecting one with a reason. A user sees
//! the held articles filed wholly within its columns; an editor decides on those, an
//! admin on all, a viewer on none (403).

use super::admin::json_body;
use super::articles::{changing, wire::StaffArticle};
use super::auth::Staff;
use super::error::ErrorBody;
use super::params::{Number, Params};
use super::partners::{decode_cursor, encode_cursor, page_limit, Cursor, PageSize, DEFAULT_PAGE};
use super::{error::ApiError, AppState};
use crate::catalog::fields;
use crate::domain::review::HeldBy;
use crate::domain::FieldErrors;
use crate::publish::rfc3339;
use crate::store::{PendingArticle, ReviewPosition};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, approve, reject))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/review", get(list))
        .route("/api/v1/articles/{id}/approve", post(approve))
        .route("/api/v1/articles/{id}/reject", post(reject))
}

/// An article waiting for review: published nowhere until an editor approves it.
#[derive(Serialize, ToSchema)]
struct ReviewItem {
    id: i64,
    /// The outlet's slug.
    #[schema(value_type = fields::Slug)]
    outlet: String,
    outlet_name: String,
    /// Its columns' slugs, primary first.
    #[schema(value_type = Vec<fields::Slug>)]
    columns: Vec<String>,
    title: String,
    original_url: String,
    /// When it was received (it takes the approval's time as its repost time).
    #[schema(format = DateTime)]
    received_at: String,
    /// Which `manual` setting held it: its `outlet`'s or the `source`'s it was polled from.
    held_by: ReviewHold,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum ReviewHold {
    Outlet,
    Source,
}

/// A page of the review queue, oldest first.
#[derive(Serialize, ToSchema)]
struct ReviewQueue {
    articles: Vec<ReviewItem>,
    /// Ask with it as `cursor` for the next page; null on the last page.
    #[schema(value_type = Option<Cursor>, required = true)]
    next_cursor: Option<String>,
}

/// Why an article is rejected. Unknown fields are refused (400).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "标题与原文不符"}))]
struct Rejection {
    /// Required, with something besides spaces (else 422 naming `reason`); at most
    /// 2,000 characters.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 2000, pattern = r"\S")]
    reason: Option<String>,
}

fn item(pending: PendingArticle) -> ReviewItem {
    ReviewItem {
        id: pending.id,
        outlet: pending.outlet_slug,
        outlet_name: pending.outlet_name,
        columns: pending.column_slugs,
        title: pending.title,
        original_url: pending.original_url,
        received_at: rfc3339(pending.received_at),
        held_by: match pending.held_by {
            Some(HeldBy::Source) => ReviewHold::Source,
            Some(HeldBy::Outlet) | None => ReviewHold::Outlet,
        },
    }
}

/// List articles waiting for review
///
/// Articles held for review (their outlet, or the source they were polled from, is
/// under `manual` review), oldest first, a page at a time: follow `next_cursor` while
/// it is not null. Published nowhere until approved. An article the content policy also
/// holds waits in the quarantine first. A user with a column scope sees those filed
/// wholly within its columns.
#[utoipa::path(
    get,
    path = "/api/v1/review",
    tag = "review",
    security(("admin" = [])),
    params(
        ("cursor" = Option<Cursor>, Query, description = "A `next_cursor` of an earlier answer: the page after it."),
        ("limit" = Option<PageSize>, Query, description = "Most articles in the answer."),
    ),
    responses(
        (status = 200, description = "A page of the queue.", body = ReviewQueue),
        (status = 400, description = "A `cursor` or `limit` that is not one (named in `fields`).", body = ErrorBody),
    ),
)]
async fn list(
    staff: Staff,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<ReviewQueue>, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let after = param("cursor").and_then(|c| errors.check("cursor", decode_cursor(&c)));
    let limit = page_limit(param("limit"), &mut errors).unwrap_or(DEFAULT_PAGE);
    if !errors.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    }
    let tree = state.operations.column_tree().await?;
    let within = staff.within(&tree);
    let after = after.map(|(received_at, id)| ReviewPosition { received_at, id });
    let mut pending = state.operations.pending_articles(within.as_deref(), after, limit).await?;
    let more = pending.len() as i64 > limit;
    pending.truncate(limit as usize);
    let next_cursor = more.then(|| pending.last().map(|p| p.position())).flatten();
    Ok(Json(ReviewQueue {
        articles: pending.into_iter().map(item).collect(),
        next_cursor: next_cursor.map(|p| encode_cursor(p.received_at, p.id)),
    }))
}

/// Approve an article held for review
///
/// Publishes it in every feed, page and sitemap, with the approval's time as its repost
/// time, and records the approving user as its responsible editor (责任编辑; the admin
/// token, being no person, records none). No request body is read. An editor may
/// approve articles filed wholly within its columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/approve",
    tag = "review",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "Published: the article as it stands now.", body = StaffArticle),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 409, description = "The article is not waiting for review (the message says where it stands).",
            body = ErrorBody),
    ),
)]
async fn approve(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async { Ok(state.operations.approve_article(&staff.actor(), id).await.map(drop)?) })
        .await
}

/// Reject an article held for review
///
/// Keeps it stored, published nowhere, with the reason (staff see it as `rejected`); a
/// later push or poll of it updates it and leaves it rejected. An editor may reject
/// articles filed wholly within its columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/reject",
    tag = "review",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    request_body(content = Rejection, content_type = "application/json"),
    responses(
        (status = 200, description = "Rejected: the article as it stands now.", body = StaffArticle),
        (status = 404, description = "No article has this id.", body = ErrorBody),
        (status = 409, description = "The article is not waiting for review (the message says where it stands).",
            body = ErrorBody),
        (status = 422, description = "`reason` missing or blank (named in `fields`).", body = ErrorBody),
    ),
)]
async fn reject(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<StaffArticle>, ApiError> {
    let id = id.get();
    changing(&staff, &state, id, || async {
        let rejection: Rejection = json_body(&headers, body).await?;
        Ok(state.operations.reject_in_review(&staff.actor(), id, rejection.reason.as_deref()).await?)
    })
    .await
}
