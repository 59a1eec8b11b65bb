//! The admin API: columns and outlets (`/api/v1/columns`, `/api/v1/outlets`), behind
//! the admin token.

use super::auth::Admin;
use super::body::{parse_json, read_limited, require_json};
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::{self, ColumnEdit, ColumnForm, OutletEdit, OutletForm};
use crate::domain::column::ColumnTree;
use crate::domain::{Column, Outlet};
use crate::publish::{rfc3339, FeedFormat, FeedKind, Site};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Largest admin request body; catalog entries are small.
pub const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/columns", get(list_columns).post(create_column))
        .route("/api/v1/columns/{slug}", get(show_column).patch(edit_column).delete(delete_column))
        .route("/api/v1/outlets", get(list_outlets).post(create_outlet))
        .route("/api/v1/outlets/{slug}", get(show_outlet).patch(edit_outlet))
        .route("/api/v1/outlets/{slug}/tokens", get(list_outlet_tokens).post(create_outlet_token))
        .route("/api/v1/outlets/{slug}/tokens/{id}", delete(revoke_outlet_token))
}

/// An admin request's JSON body: JSON media type, size limit, field-naming parse errors.
pub(super) async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiError> {
    require_json(headers)?;
    parse_json(&read_limited(headers, body, MAX_ADMIN_BODY_BYTES).await?)
}

fn created(location: String, body: Value) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

async fn list_columns(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tree = state.store.column_tree().await?;
    let columns: Vec<Value> = tree.all().iter().map(|c| column_json(&state.site, &tree, c)).collect();
    Ok(Json(json!({ "columns": columns })))
}

async fn show_column(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<Value>, ApiError> {
    let tree = state.store.column_tree().await?;
    let column = tree.by_slug(&slug).ok_or(ApiError::NotFound("column"))?;
    Ok(Json(column_json(&state.site, &tree, column)))
}

async fn create_column(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: ColumnForm = json_body(&headers, body).await?;
    let column = catalog::add_column(&state.store, form).await?;
    let tree = state.store.column_tree().await?;
    Ok(created(format!("/api/v1/columns/{}", column.slug), column_json(&state.site, &tree, &column)))
}

async fn edit_column(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let edit: ColumnEdit = json_body(&headers, body).await?;
    let column = catalog::edit_column(&state.store, &slug, edit).await?;
    let tree = state.store.column_tree().await?;
    Ok(Json(column_json(&state.site, &tree, &column)))
}

async fn delete_column(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<StatusCode, ApiError> {
    catalog::remove_column(&state.store, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_outlets(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let outlets = state.store.list_outlets().await?;
    Ok(Json(json!({ "outlets": outlets.iter().map(|o| outlet_json(&state.site, o)).collect::<Vec<_>>() })))
}

async fn show_outlet(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(outlet_json(&state.site, &state.store.outlet_by_slug(&slug).await?)))
}

async fn create_outlet(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: OutletForm = json_body(&headers, body).await?;
    let (outlet, token) = catalog::add_outlet(&state.store, form).await?;
    let mut body = outlet_json(&state.site, &outlet);
    body["token"] = json!(token);
    Ok(created(format!("/api/v1/outlets/{}", outlet.slug), body))
}

async fn edit_outlet(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let edit: OutletEdit = json_body(&headers, body).await?;
    Ok(Json(outlet_json(&state.site, &catalog::edit_outlet(&state.store, &slug, edit).await?)))
}

async fn create_outlet_token(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Response, ApiError> {
    let token = catalog::issue_outlet_token(&state.store, &slug).await?;
    Ok((StatusCode::CREATED, Json(json!({ "token": token }))).into_response())
}

async fn list_outlet_tokens(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<Value>, ApiError> {
    let outlet = state.store.outlet_by_slug(&slug).await?;
    let tokens = state.store.outlet_tokens(outlet.id).await?;
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|t| json!({"id": t.id, "created_at": rfc3339(t.created_at), "revoked_at": t.revoked_at.map(rfc3339)}))
        .collect();
    Ok(Json(json!({ "tokens": tokens })))
}

async fn revoke_outlet_token(
    _: Admin,
    State(state): State<AppState>,
    Params((slug, id)): Params<(String, Number)>,
) -> Result<StatusCode, ApiError> {
    catalog::revoke_outlet_token(&state.store, &slug, id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn feed_urls(site: &Site, kind: &FeedKind) -> Value {
    let [rss, atom, json] = FeedFormat::ALL.map(|f| kind.feed_url(site, f));
    json!({ "rss": rss, "atom": atom, "json": json })
}

fn column_json(site: &Site, tree: &ColumnTree, column: &Column) -> Value {
    let kind = FeedKind::Column(column.slug.to_string());
    json!({
        "slug": column.slug.as_str(),
        "title": column.title,
        "description": column.description,
        "parent": column.parent_id.and_then(|id| tree.get(id)).map(|p| p.slug.as_str()),
        "url": kind.page_url(site),
        "feeds": feed_urls(site, &kind),
        "created_at": rfc3339(column.created_at),
        "updated_at": rfc3339(column.updated_at),
    })
}

fn outlet_json(site: &Site, outlet: &Outlet) -> Value {
    let kind = FeedKind::Outlet(outlet.slug.to_string());
    json!({
        "slug": outlet.slug.as_str(),
        "name": outlet.name,
        "homepage": outlet.homepage,
        "language": outlet.language,
        "timezone": outlet.timezone.name(),
        "rights": outlet.rights,
        "indexing": outlet.indexing.as_str(),
        "feed_content": outlet.grants.feeds.as_str(),
        "partner_content": outlet.grants.partners.as_str(),
        "feed_url": outlet.feed_url,
        "domains": outlet.domains.effective(&outlet.homepage).map_or(json!("any"), |d| json!(d)),
        "url": kind.page_url(site),
        "feeds": feed_urls(site, &kind),
        "created_at": rfc3339(outlet.created_at),
        "updated_at": rfc3339(outlet.updated_at),
    })
}
