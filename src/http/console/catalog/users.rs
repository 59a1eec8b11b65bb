//! `/admin/users` (admins, as `/api/v1/users`): the list, adding a user, and one user's
//! page to change them, set their password, disable or enable them, and issue their
//! personal token (shown in the answer).

use super::{actor, failed, not_found, page, see_other, unless_admin, Done, Posted, Refused};
use crate::catalog::{UserEdit, UserForm};
use crate::console::catalog::{tree_order, user_page, users_page, UserView, UsersView};
use crate::console::form::{Errors, Form, Values};
use crate::domain::User;
use crate::http::console::Console;
use crate::http::params::Params;
use crate::http::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(add))
        .route("/admin/users/{username}", get(show).post(edit))
        .route("/admin/users/{username}/password", post(set_password))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/token", post(issue_token))
}

async fn list_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    values: &Values,
    errors: &Errors,
) -> Response {
    let (tree, users) = match (state.operations.column_tree().await, state.operations.users().await) {
        (Ok(tree), Ok(users)) => (tree, users),
        (Err(error), _) | (_, Err(error)) => return failed(error),
    };
    let columns = tree_order(&tree, |_| true);
    let view = UsersView {
        tree: &tree,
        users: &users,
        columns: &columns,
        notice,
        form: Form { values, errors },
        timezone: state.config.site.timezone,
    };
    page(status, users_page(&console.viewer(), &view))
}

async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    list_answer(&state, &console, StatusCode::OK, done.notice(&console), &Values::default(), &[]).await
}

async fn add(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let form = UserForm {
        username: Some(values.get("username").to_owned()),
        name: Some(values.get("name").to_owned()),
        role: Some(values.get("role").to_owned()),
        columns: Some(values.all("columns")),
        password: Some(values.raw("password")),
    };
    match state.operations.add_user(&actor(&console), form).await {
        Ok(user) => see_other(&format!("/admin/users/{}?done=added", user.username)),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => list_answer(&state, &console, status, None, &values, &errors).await,
            Refused::Answer(answer) => answer,
        },
    }
}

/// A user's values as the edit form shows them.
fn user_values(user: &User, tree: &crate::domain::column::ColumnTree) -> Values {
    let mut values = Values::default();
    values.set("name", user.real_name.clone());
    values.set("role", user.role.as_str());
    for id in &user.column_ids {
        if let Some(column) = tree.get(*id) {
            values.set("columns", column.slug.to_string());
        }
    }
    values.set("language", user.language.map_or("", |l| l.as_str()));
    values
}

/// What a user's page shows besides the user.
#[derive(Default)]
struct Shown<'a> {
    notice: Option<&'a str>,
    /// The edit form as posted, with its refusals.
    edit: Option<(&'a Values, &'a Errors)>,
    /// The password form's refusals.
    password: &'a Errors,
    issued: Option<&'a str>,
}

async fn user_answer(
    state: &AppState,
    console: &Console,
    username: &str,
    status: StatusCode,
    shown: Shown<'_>,
) -> Response {
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failed(error),
    };
    let user = match state.operations.user(username).await {
        Ok(user) => user,
        Err(crate::store::StoreError::NotFound(_)) => return not_found(state, console),
        Err(error) => return failed(error),
    };
    let own = user_values(&user, &tree);
    let (values, errors) = shown.edit.unwrap_or((&own, &[]));
    let columns = tree_order(&tree, |_| true);
    let blank = Values::default();
    let view = UserView {
        user: &user,
        columns: &columns,
        notice: shown.notice,
        form: Form { values, errors },
        password_form: Form { values: &blank, errors: shown.password },
        issued: shown.issued,
    };
    page(status, user_page(&console.viewer(), &view))
}

async fn show(
    State(state): State<AppState>,
    console: Console,
    Params(username): Params<String>,
    Query(done): Query<Done>,
) -> Response {
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let shown = Shown { notice: done.notice(&console), ..Shown::default() };
    user_answer(&state, &console, &username, StatusCode::OK, shown).await
}

/// Applies `edit` to the user and redirects with `done`, or shows the refusals: beside
/// the edit form's fields, or the password's.
async fn change(
    state: &AppState,
    console: &Console,
    username: &str,
    edit: UserEdit,
    done: &str,
    values: &Values,
) -> Response {
    let password = edit.password.is_some();
    match state.operations.edit_user(&actor(console), username, edit).await {
        Ok(user) => see_other(&format!("/admin/users/{}?done={done}", user.username)),
        Err(error) => match Refused::of(state, console, error) {
            Refused::Fields(status, errors) => {
                let shown = if password {
                    Shown { password: &errors, ..Shown::default() }
                } else {
                    Shown { edit: Some((values, &errors)), ..Shown::default() }
                };
                user_answer(state, console, username, status, shown).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn edit(State(state): State<AppState>, Params(username): Params<String>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let edit = UserEdit {
        name: Some(values.get("name").to_owned()),
        role: Some(values.get("role").to_owned()),
        columns: Some(Some(values.all("columns"))),
        language: Some(values.optional("language")),
        ..UserEdit::default()
    };
    change(&state, &console, &username, edit, "saved", &values).await
}

async fn set_password(State(state): State<AppState>, Params(username): Params<String>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    // A password is taken as typed, surrounding spaces included.
    let password = values.raw("password");
    let edit = UserEdit { password: Some(password), ..UserEdit::default() };
    change(&state, &console, &username, edit, "password", &values).await
}

async fn disable(State(state): State<AppState>, Params(username): Params<String>, posted: Posted) -> Response {
    set_disabled(state, username, posted, true).await
}

async fn enable(State(state): State<AppState>, Params(username): Params<String>, posted: Posted) -> Response {
    set_disabled(state, username, posted, false).await
}

async fn set_disabled(state: AppState, username: String, posted: Posted, disabled: bool) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let edit = UserEdit { disabled: Some(disabled), ..UserEdit::default() };
    let done = if disabled { "disabled" } else { "enabled" };
    change(&state, &console, &username, edit, done, &values).await
}

async fn issue_token(State(state): State<AppState>, Params(username): Params<String>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    match state.operations.issue_user_token(&actor(&console), &username).await {
        Ok(token) => {
            let shown = Shown { issued: Some(&token), ..Shown::default() };
            user_answer(&state, &console, &username, StatusCode::CREATED, shown).await
        }
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                user_answer(&state, &console, &username, status, Shown { password: &errors, ..Shown::default() }).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}
