//! The quarantine: articles the content policy holds back, for an admin (or an editor,
//! within its columns) to release (publish as they stand) or reject (delete). Users see
//! only the held articles filed wholly within their columns.

use super::auth::Staff;
use super::error::ErrorBody;
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::fields;
use crate::publish::rfc3339;
use crate::store::HeldArticle;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, release, reject))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/quarantine", get(list))
        .route("/api/v1/quarantine/{id}/release", post(release))
        .route("/api/v1/quarantine/{id}/reject", post(reject))
}

/// An article the content policy holds back: published nowhere.
#[derive(Serialize, ToSchema)]
struct QuarantinedArticle {
    id: i64,
    /// The outlet's slug.
    #[schema(value_type = fields::Slug)]
    outlet: String,
    original_url: String,
    title: String,
    /// The blocked term or domain that matched.
    reason: String,
    /// Elements the hidden-content filter removed from it.
    hidden_elements_removed: i64,
    #[schema(format = DateTime)]
    reposted_at: String,
}

/// The articles held back, newest first.
#[derive(Serialize, ToSchema)]
struct QuarantineList {
    articles: Vec<QuarantinedArticle>,
}

/// A released article, as it stands.
#[derive(Serialize, ToSchema)]
struct Released {
    id: i64,
    /// Where it stands now: `published`; `pending` when it is also held for review (it
    /// waits in the review queue); `embargoed` until its embargo ends; or, when its
    /// outlet withdrew it or an editor rejected it before, still so.
    #[schema(value_type = fields::ArticleStatusName)]
    status: &'static str,
    /// The article's page (404 until it is public).
    #[schema(format = "uri")]
    url: String,
}

fn quarantined(article: &HeldArticle) -> QuarantinedArticle {
    QuarantinedArticle {
        id: article.id,
        outlet: article.outlet_slug.clone(),
        original_url: article.original_url.clone(),
        title: article.title.clone(),
        reason: article.reason.clone(),
        hidden_elements_removed: article.hidden_removed,
        reposted_at: rfc3339(article.reposted_at),
    }
}

/// List quarantined articles
///
/// Articles the content policy holds back (published nowhere), with the matched term or
/// domain. A user with a column scope sees those filed wholly within its columns.
#[utoipa::path(
    get,
    path = "/api/v1/quarantine",
    tag = "quarantine",
    security(("admin" = [])),
    responses((status = 200, description = "The held articles.", body = QuarantineList)),
)]
async fn list(staff: Staff, State(state): State<AppState>) -> Result<Json<QuarantineList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let mut articles = Vec::new();
    for held in state.operations.held_articles().await? {
        if staff.sees(&tree, &state.operations.article_column_ids(held.id).await?) {
            articles.push(quarantined(&held));
        }
    }
    Ok(Json(QuarantineList { articles }))
}

/// Refuses (403) a user whose role or columns do not allow changing this article.
async fn may_change(staff: &Staff, state: &AppState, id: i64) -> Result<(), ApiError> {
    let tree = state.operations.column_tree().await?;
    staff.may_change(&tree, &state.operations.article_column_ids(id).await?)
}

/// Release a quarantined article
///
/// Publishes the held article as it stands: at once, or, when it is also held for
/// review, once approved; under an embargo, when the embargo ends (`status` says which).
/// An editor may release those filed wholly within its columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/quarantine/{id}/release",
    tag = "quarantine",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "Released: where it stands now.", body = Released),
        (status = 404, description = "No quarantined article has this id (`quarantined article not found`).",
            body = ErrorBody),
    ),
)]
async fn release(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<Released>, ApiError> {
    let id = id.get();
    may_change(&staff, &state, id).await?;
    let status = state.operations.release_article(&staff.actor(), id).await?;
    Ok(Json(Released { id, status: status.as_str(), url: state.site.article_url(id) }))
}

/// Reject a quarantined article
///
/// Deletes the held article. An editor may reject those filed wholly within its
/// columns; a viewer none (403).
#[utoipa::path(
    post,
    path = "/api/v1/quarantine/{id}/reject",
    tag = "quarantine",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No quarantined article has this id (`quarantined article not found`).",
            body = ErrorBody),
    ),
)]
async fn reject(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<StatusCode, ApiError> {
    let id = id.get();
    may_change(&staff, &state, id).await?;
    state.operations.reject_article(&staff.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
