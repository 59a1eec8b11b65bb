//! The admin API: columns and outlets (`/api/v1/columns`, `/api/v1/outlets`), behind
//! the admin token.

mod wire;

use super::auth::{Admin, Staff};
use super::body::{parse_json, read_limited, require_json};
use super::error::ErrorBody;
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::{fields, ColumnEdit, ColumnForm, OutletEdit, OutletForm};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Largest admin request body; catalog entries are small.
pub const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_columns,
    create_column,
    show_column,
    edit_column,
    delete_column,
    list_outlets,
    create_outlet,
    show_outlet,
    edit_outlet,
    list_outlet_tokens,
    create_outlet_token,
    revoke_outlet_token,
))]
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

/// An admin request's JSON body: JSON media type, size limit, a JSON object (`parse_json`),
/// field-naming parse errors.
pub(super) async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiError> {
    require_json(headers)?;
    let bytes = read_limited(headers, body, MAX_ADMIN_BODY_BYTES).await?;
    parse_json(&bytes)
}

/// 201 with the new resource's address and its JSON.
pub(super) fn created(location: String, body: impl Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// List columns
///
/// Every column of the tree; for a user limited to some columns, those and their
/// sub-columns.
#[utoipa::path(
    get,
    path = "/api/v1/columns",
    tag = "columns",
    security(("admin" = [])),
    responses((status = 200, description = "The columns.", body = wire::ColumnList)),
)]
async fn list_columns(staff: Staff, State(state): State<AppState>) -> Result<Json<wire::ColumnList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let seen = tree.all().iter().filter(|c| staff.sees(&tree, &[c.id]));
    let columns = seen.map(|c| wire::column(&state.site, &tree, c)).collect();
    Ok(Json(wire::ColumnList { columns }))
}

/// Show a column
#[utoipa::path(
    get,
    path = "/api/v1/columns/{slug}",
    tag = "columns",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The column's slug.")),
    responses(
        (status = 200, description = "The column.", body = wire::Column),
        (status = 404, description = "No column has this slug (or none the user's column scope covers).", body = ErrorBody),
    ),
)]
async fn show_column(
    staff: Staff,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<wire::Column>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let column = tree.by_slug(&slug).filter(|c| staff.sees(&tree, &[c.id])).ok_or(ApiError::NotFound("column"))?;
    Ok(Json(wire::column(&state.site, &tree, column)))
}

/// Create a column
///
/// Creates a column, at the root of the tree or under a parent.
#[utoipa::path(
    post,
    path = "/api/v1/columns",
    tag = "columns",
    security(("admin" = [])),
    request_body(content = ColumnForm, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = wire::Column,
            headers(("Location" = String, description = "`/api/v1/columns/{slug}`."))),
        (status = 409, description = "A column with this slug already exists, or none has the `parent` slug \
            (named in `fields`).", body = ErrorBody),
    ),
)]
async fn create_column(
    Admin(actor): Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: ColumnForm = json_body(&headers, body).await?;
    let column = state.operations.add_column(&actor, form).await?;
    let tree = state.operations.column_tree().await?;
    Ok(created(format!("/api/v1/columns/{}", column.slug), wire::column(&state.site, &tree, &column)))
}

/// Change a column
///
/// Changes a column's title, description or parent.
#[utoipa::path(
    patch,
    path = "/api/v1/columns/{slug}",
    tag = "columns",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The column's slug.")),
    request_body(content = ColumnEdit, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed column.", body = wire::Column),
        (status = 404, description = "No column has this slug.", body = ErrorBody),
        (status = 409, description = "No column has the `parent` slug, or it is this column or one of its \
            sub-columns (named in `fields`).", body = ErrorBody),
    ),
)]
async fn edit_column(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::Column>, ApiError> {
    let edit: ColumnEdit = json_body(&headers, body).await?;
    let column = state.operations.edit_column(&actor, &slug, edit).await?;
    let tree = state.operations.column_tree().await?;
    Ok(Json(wire::column(&state.site, &tree, &column)))
}

/// Delete a column
///
/// Deletes a column that has no sub-columns, no articles and no sources routed to it.
#[utoipa::path(
    delete,
    path = "/api/v1/columns/{slug}",
    tag = "columns",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The column's slug.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No column has this slug.", body = ErrorBody),
        (status = 409, description = "The column still has sub-columns, articles or sources routed to it \
            (the message gives the counts).", body = ErrorBody),
    ),
)]
async fn delete_column(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<StatusCode, ApiError> {
    state.operations.remove_column(&actor, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List outlets
#[utoipa::path(
    get,
    path = "/api/v1/outlets",
    tag = "outlets",
    security(("admin" = [])),
    responses((status = 200, description = "The outlets.", body = wire::OutletList)),
)]
async fn list_outlets(_: Staff, State(state): State<AppState>) -> Result<Json<wire::OutletList>, ApiError> {
    let outlets = state.operations.outlets().await?;
    Ok(Json(wire::OutletList { outlets: outlets.iter().map(|o| wire::outlet(&state.site, o)).collect() }))
}

/// Show an outlet
#[utoipa::path(
    get,
    path = "/api/v1/outlets/{slug}",
    tag = "outlets",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The outlet's slug.")),
    responses(
        (status = 200, description = "The outlet.", body = wire::Outlet),
        (status = 404, description = "No outlet has this slug.", body = ErrorBody),
    ),
)]
async fn show_outlet(
    _: Staff,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<wire::Outlet>, ApiError> {
    Ok(Json(wire::outlet(&state.site, &state.operations.outlet(&slug).await?)))
}

/// Create an outlet
///
/// Creates an outlet and its first ingest token, which appears only in this answer.
#[utoipa::path(
    post,
    path = "/api/v1/outlets",
    tag = "outlets",
    security(("admin" = [])),
    request_body(content = OutletForm, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; `token` is the outlet's first ingest token.",
            body = wire::OutletCreated,
            headers(("Location" = String, description = "`/api/v1/outlets/{slug}`."))),
        (status = 409, description = "An outlet with this slug already exists.", body = ErrorBody),
    ),
)]
async fn create_outlet(
    Admin(actor): Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: OutletForm = json_body(&headers, body).await?;
    let (outlet, token) = state.operations.add_outlet(&actor, form).await?;
    let body = wire::OutletCreated { outlet: wire::outlet(&state.site, &outlet), token: wire::IssuedToken { token } };
    Ok(created(format!("/api/v1/outlets/{}", outlet.slug), body))
}

/// Change an outlet
///
/// Changes an outlet's settings.
#[utoipa::path(
    patch,
    path = "/api/v1/outlets/{slug}",
    tag = "outlets",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The outlet's slug.")),
    request_body(content = OutletEdit, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed outlet.", body = wire::Outlet),
        (status = 404, description = "No outlet has this slug.", body = ErrorBody),
    ),
)]
async fn edit_outlet(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::Outlet>, ApiError> {
    let edit: OutletEdit = json_body(&headers, body).await?;
    Ok(Json(wire::outlet(&state.site, &state.operations.edit_outlet(&actor, &slug, edit).await?)))
}

/// Issue an additional ingest token
///
/// Issues a new ingest token for the outlet, shown only in this answer. Rotation is
/// issuing a new token, then revoking the old one. No request body is read.
#[utoipa::path(
    post,
    path = "/api/v1/outlets/{slug}/tokens",
    tag = "outlets",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The outlet's slug.")),
    responses(
        (status = 201, description = "The new token.", body = wire::IssuedToken),
        (status = 404, description = "No outlet has this slug.", body = ErrorBody),
    ),
)]
async fn create_outlet_token(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Response, ApiError> {
    let token = state.operations.issue_outlet_token(&actor, &slug).await?;
    Ok((StatusCode::CREATED, Json(wire::IssuedToken { token })).into_response())
}

/// List an outlet's ingest tokens
///
/// The outlet's tokens: ids and times only; secrets are never shown again.
#[utoipa::path(
    get,
    path = "/api/v1/outlets/{slug}/tokens",
    tag = "outlets",
    security(("admin" = [])),
    params(("slug" = fields::Slug, Path, description = "The outlet's slug.")),
    responses(
        (status = 200, description = "The tokens.", body = wire::OutletTokenList),
        (status = 404, description = "No outlet has this slug.", body = ErrorBody),
    ),
)]
async fn list_outlet_tokens(
    _: Admin,
    State(state): State<AppState>,
    Params(slug): Params<String>,
) -> Result<Json<wire::OutletTokenList>, ApiError> {
    let tokens = state.operations.outlet_tokens(&slug).await?;
    Ok(Json(wire::OutletTokenList { tokens: tokens.iter().map(wire::outlet_token).collect() }))
}

/// Revoke an ingest token
///
/// Revokes one of the outlet's tokens; it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/outlets/{slug}/tokens/{id}",
    tag = "outlets",
    security(("admin" = [])),
    params(
        ("slug" = fields::Slug, Path, description = "The outlet's slug."),
        ("id" = i64, Path, minimum = 0, description = "The token's id (from the token list)."),
    ),
    responses(
        (status = 204, description = "Revoked."),
        (status = 404, description = "No outlet has this slug (`outlet not found`), or it has no live token \
            with this id: unknown, another outlet's, or already revoked (`live token not found`).",
            body = ErrorBody),
    ),
)]
async fn revoke_outlet_token(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params((slug, id)): Params<(String, Number)>,
) -> Result<StatusCode, ApiError> {
    state.operations.revoke_outlet_token(&actor, &slug, id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}
