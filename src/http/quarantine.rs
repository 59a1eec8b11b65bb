//! The quarantine: articles the content policy holds back, for an admin to release
//! (publish as they stand) or reject (delete).

use super::auth::Admin;
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::publish::rfc3339;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/quarantine", get(list))
        .route("/api/v1/quarantine/{id}/release", post(release))
        .route("/api/v1/quarantine/{id}/reject", post(reject))
}

async fn list(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let held = state.store.quarantined_articles().await?;
    let items: Vec<Value> = held
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "outlet": a.outlet_slug,
                "original_url": a.original_url,
                "title": a.title,
                "reason": a.reason,
                "hidden_elements_removed": a.hidden_removed,
                "reposted_at": rfc3339(a.reposted_at),
            })
        })
        .collect();
    Ok(Json(json!({ "articles": items })))
}

async fn release(_: Admin, State(state): State<AppState>, Params(id): Params<Number>) -> Result<Json<Value>, ApiError> {
    let id = id.get();
    state.store.release_article(id).await?;
    tracing::info!(article = id, "quarantined article released");
    Ok(Json(json!({ "id": id, "status": "published", "url": state.site.article_url(id) })))
}

async fn reject(_: Admin, State(state): State<AppState>, Params(id): Params<Number>) -> Result<StatusCode, ApiError> {
    let id = id.get();
    state.store.reject_article(id).await?;
    tracing::info!(article = id, "quarantined article rejected");
    Ok(StatusCode::NO_CONTENT)
}
