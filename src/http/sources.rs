//! The sources admin API: subscribe outlets' feeds, see each source's status, poll now.

use super::admin::json_body;
use super::auth::Admin;
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::{self, SourceEdit, SourceForm};
use crate::domain::column::ColumnTree;
use crate::domain::source::Source;
use crate::ingest::poll;
use crate::publish::rfc3339;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sources", get(list_sources).post(create_source))
        .route("/api/v1/sources/{id}", get(show_source).patch(edit_source).delete(delete_source))
        .route("/api/v1/sources/{id}/poll", post(poll_now))
}

async fn create_source(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: SourceForm = json_body(&headers, body).await?;
    let source = catalog::add_source(&state.store, form).await?;
    let tree = state.store.column_tree().await?;
    let location = format!("/api/v1/sources/{}", source.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(source_json(&tree, &source))).into_response())
}

async fn list_sources(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tree = state.store.column_tree().await?;
    let sources = state.store.list_sources().await?;
    Ok(Json(json!({ "sources": sources.iter().map(|s| source_json(&tree, s)).collect::<Vec<_>>() })))
}

async fn show_source(
    _: Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<Value>, ApiError> {
    let source = state.store.source(id.get()).await?.ok_or(ApiError::NotFound("source"))?;
    Ok(Json(source_json(&state.store.column_tree().await?, &source)))
}

async fn edit_source(
    _: Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let edit: SourceEdit = json_body(&headers, body).await?;
    let source = catalog::edit_source(&state.store, id.get(), edit).await?;
    Ok(Json(source_json(&state.store.column_tree().await?, &source)))
}

async fn delete_source(
    _: Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_source(id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fetches the source at once, even during backoff, and answers with its new status.
async fn poll_now(
    _: Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<Value>, ApiError> {
    let source = state.store.source(id.get()).await?.ok_or(ApiError::NotFound("source"))?;
    poll::poll_source(&state.pipeline, &state.fetcher, &source).await?;
    let polled = state.store.source(id.get()).await?.ok_or(ApiError::NotFound("source"))?;
    Ok(Json(source_json(&state.store.column_tree().await?, &polled)))
}

fn source_json(tree: &ColumnTree, source: &Source) -> Value {
    let status = &source.status;
    let slug = |id: &i64| tree.get(*id).map(|c| c.slug.as_str());
    let routing = &source.routing;
    json!({
        "id": source.id,
        "outlet": source.outlet_slug,
        "url": source.url,
        "columns": routing.columns.iter().filter_map(slug).collect::<Vec<_>>(),
        "routes": routing.routes.iter().map(|r| json!({
            "match": r.matching.as_str(), "value": r.value, "column": slug(&r.column_id),
        })).collect::<Vec<_>>(),
        "include": routing.include,
        "exclude": routing.exclude,
        "interval_secs": source.interval_secs,
        "last_fetch_at": status.last_fetch_at.map(rfc3339),
        "last_status": status.last_status,
        "last_error": status.last_error,
        "items_seen": status.items_seen,
        "items_new": status.items_new,
        "items_updated": status.items_updated,
        "items_refused": status.items_refused,
        "items_quarantined": status.items_quarantined,
        "hidden_spam_removed": status.hidden_spam_removed,
        "refusals": status.refusals,
        "warnings": status.warnings,
        "consecutive_failures": status.consecutive_failures,
        "next_fetch_at": rfc3339(status.next_fetch_at),
    })
}
