//! Push ingest: `POST /api/v1/articles` with an outlet's token.

use super::auth::OutletAuth;
use super::body::{parse_json, read_limited, require_json};
use super::{error::ApiError, AppState};
use crate::ingest::push::{draft_from_push, PushArticle};
use crate::ingest::{self, Disposition};
use crate::publish::rfc3339;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

/// Largest push body: room for the largest allowed content plus its metadata.
pub const MAX_PUSH_BODY_BYTES: usize = 2 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/articles", post(push_article))
}

async fn push_article(
    OutletAuth(outlet): OutletAuth,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_limited(&headers, body, MAX_PUSH_BODY_BYTES).await?;
    require_json(&headers)?;
    let input: PushArticle = parse_json(&bytes)?;
    let columns = state.store.column_tree().await?;
    let draft = draft_from_push(input, &outlet, &columns).inspect_err(|fields| {
        tracing::info!(outlet = %outlet.slug, reasons = %fields, "push rejected");
    })?;
    let accepted = ingest::accept(&state.store, &outlet, &draft).await?;
    let url = state.site.article_url(accepted.id);
    let body = Json(json!({
        "id": accepted.id,
        "url": url,
        "original_url": draft.original_url.as_str(),
        "status": accepted.disposition.as_str(),
        "reposted_at": rfc3339(accepted.reposted_at),
        "updated_at": rfc3339(accepted.updated_at),
    }));
    Ok(match accepted.disposition {
        Disposition::Created => (StatusCode::CREATED, [(header::LOCATION, url)], body).into_response(),
        Disposition::Updated | Disposition::Unchanged => (StatusCode::OK, body).into_response(),
    })
}
