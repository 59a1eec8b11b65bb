//! `/admin/columns`: the tree for everyone (as far as their columns reach); adding,
//! changing and removing columns for admins, as on `/api/v1/columns`.

use super::{actor, failed, not_found, page, see_other, unless_admin, Done, Posted, Refused};
use crate::catalog::{ColumnEdit, ColumnForm};
use crate::console::catalog::{column_page, columns_page, ColumnView, ColumnsView};
use crate::console::form::{Errors, Form, Values};
use crate::domain::Role;
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
        .route("/admin/columns", get(list).post(add))
        .route("/admin/columns/{slug}", get(show).post(edit))
        .route("/admin/columns/{slug}/remove", post(remove))
}

async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    list_answer(&state, &console, StatusCode::OK, done.notice(&console), &Values::default(), &[]).await
}

async fn list_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    values: &Values,
    errors: &Errors,
) -> Response {
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failed(error),
    };
    let user = &console.session.user;
    let seen = |column: &crate::domain::Column| user.sees(&tree, &[column.id]);
    let view = ColumnsView {
        tree: &tree,
        seen: &seen,
        may_change: user.role == Role::Admin,
        notice,
        form: Form { values, errors },
    };
    page(status, columns_page(&console.viewer(), &view))
}

async fn add(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let form = ColumnForm {
        slug: Some(values.get("slug").to_owned()),
        title: Some(values.get("title").to_owned()),
        description: values.optional("description"),
        parent: values.optional("parent"),
        licensed_only: Some(values.has("licensed_only", "on")),
        strict_titles: Some(values.has("strict_titles", "on")),
        hide_duplicates: Some(values.has("hide_duplicates", "on")),
    };
    match state.operations.add_column(&actor(&console), form).await {
        Ok(_) => see_other("/admin/columns?done=added"),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => list_answer(&state, &console, status, None, &values, &errors).await,
            Refused::Answer(answer) => answer,
        },
    }
}

/// One column's page (admins), its form showing `values`, or the column's own.
async fn column_answer(
    state: &AppState,
    console: &Console,
    slug: &str,
    status: StatusCode,
    values: Option<&Values>,
    errors: &Errors,
    removal_refused: Option<&str>,
) -> Response {
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failed(error),
    };
    let Some(column) = tree.by_slug(slug) else { return not_found(state, console) };
    let own = {
        let mut own = Values::default();
        own.set("title", column.title.clone());
        own.set("description", column.description.clone().unwrap_or_default());
        let parent = column.parent_id.and_then(|id| tree.get(id)).map(|p| p.slug.to_string());
        own.set("parent", parent.unwrap_or_default());
        if column.licensed_only {
            own.set("licensed_only", "on");
        }
        if column.strict_titles {
            own.set("strict_titles", "on");
        }
        if column.hide_duplicates {
            own.set("hide_duplicates", "on");
        }
        own
    };
    let view =
        ColumnView { tree: &tree, column, form: Form { values: values.unwrap_or(&own), errors }, removal_refused };
    page(status, column_page(&console.viewer(), &view))
}

async fn show(State(state): State<AppState>, console: Console, Params(slug): Params<String>) -> Response {
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    column_answer(&state, &console, &slug, StatusCode::OK, None, &[], None).await
}

async fn edit(State(state): State<AppState>, Params(slug): Params<String>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let edit = ColumnEdit {
        title: Some(values.get("title").to_owned()),
        description: Some(values.optional("description")),
        parent: Some(values.optional("parent")),
        licensed_only: Some(values.has("licensed_only", "on")),
        strict_titles: Some(values.has("strict_titles", "on")),
        hide_duplicates: Some(values.has("hide_duplicates", "on")),
    };
    match state.operations.edit_column(&actor(&console), &slug, edit).await {
        Ok(_) => see_other("/admin/columns?done=saved"),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                column_answer(&state, &console, &slug, status, Some(&values), &errors, None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn remove(State(state): State<AppState>, Params(slug): Params<String>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    match state.operations.remove_column(&actor(&console), &slug).await {
        Ok(()) => see_other("/admin/columns?done=removed"),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                let reason = errors.first().map(|(_, reason)| reason.as_str());
                column_answer(&state, &console, &slug, status, None, &[], reason).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}
