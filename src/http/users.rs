//! The users API (`/api/v1/users`): accounts, their roles and column scopes, for the
//! admin only. Passwords are taken, never given back; personal tokens are issued by
//! `syndic user token` only.

mod wire;

use super::admin::{created, json_body};
use super::auth::Admin;
use super::error::ErrorBody;
use super::params::Params;
use super::{error::ApiError, AppState};
use crate::catalog::{fields, UserEdit, UserForm};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, patch};
use axum::{Json, Router};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_users, create_user, edit_user))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{username}", patch(edit_user))
}

/// List users
///
/// Every user, disabled ones included. Admin only.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    security(("admin" = [])),
    responses((status = 200, description = "The users.", body = wire::UserList)),
)]
async fn list_users(_: Admin, State(state): State<AppState>) -> Result<Json<wire::UserList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let users = state.operations.users().await?.iter().map(|u| wire::user(&tree, u)).collect();
    Ok(Json(wire::UserList { users }))
}

/// Create a user
///
/// Creates a user with a role, an optional column scope and a password (kept only as
/// an argon2id hash). Admin only.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    security(("admin" = [])),
    request_body(content = UserForm, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = wire::User,
            headers(("Location" = String, description = "`/api/v1/users/{username}`."))),
        (status = 409, description = "The username is taken, or a column of `columns` does not exist (named in \
            `fields`).", body = ErrorBody),
    ),
)]
async fn create_user(
    Admin(actor): Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: UserForm = json_body(&headers, body).await?;
    let user = state.operations.add_user(&actor, form).await?;
    let tree = state.operations.column_tree().await?;
    Ok(created(format!("/api/v1/users/{}", user.username), wire::user(&tree, &user)))
}

/// Change a user
///
/// Changes a user's real name, role, column scope or password, or disables (or enables)
/// them: a disabled user's token is refused from the next request on. Admin only.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{username}",
    tag = "users",
    security(("admin" = [])),
    params(("username" = fields::Slug, Path, description = "The user's login name.")),
    request_body(content = UserEdit, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed user.", body = wire::User),
        (status = 404, description = "No user has this username.", body = ErrorBody),
        (status = 409, description = "A column of `columns` does not exist (named in `fields`).", body = ErrorBody),
    ),
)]
async fn edit_user(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(username): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<wire::User>, ApiError> {
    let edit: UserEdit = json_body(&headers, body).await?;
    let user = state.operations.edit_user(&actor, &username, edit).await?;
    let tree = state.operations.column_tree().await?;
    Ok(Json(wire::user(&tree, &user)))
}
