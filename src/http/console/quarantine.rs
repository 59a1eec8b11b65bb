//! The console's quarantine: the held articles the user sees, one of them as it would
//! render, and release and reject (for an admin, or an editor within its columns),
//! through the operations the quarantine API calls.

use super::super::AppState;
use super::articles::{failure, may_change, staff};
use super::{page, refusal, see_other, Console, CsrfForm, NoFields};
use crate::console::{held_page, quarantine_page, Refusal, Section};
use crate::domain::ArticleStatus;
use crate::store::StoreError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/quarantine", get(list))
        .route("/admin/quarantine/{id}", get(show))
        .route("/admin/quarantine/{id}/release", post(release))
        .route("/admin/quarantine/{id}/reject", post(reject))
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

/// The held articles filed wholly within the user's columns, with a confirmation of
/// the decision just made (`?done=released|rejected`, or where a released article
/// waits: `released-pending`, `released-embargoed`, `released-unpublished`).
async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    let l = &console.labels.newsroom;
    let notice = match done.done.as_deref() {
        Some("released") => Some(l.done_released),
        Some("released-pending") => Some(l.done_released_pending),
        Some("released-embargoed") => Some(l.done_released_embargoed),
        Some("released-unpublished") => Some(l.done_released_unpublished),
        Some("rejected") => Some(l.done_rejected),
        _ => None,
    };
    let (tree, held) = match (state.operations.column_tree().await, state.operations.held_articles().await) {
        (Ok(tree), Ok(held)) => (tree, held),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let staff = staff(&console);
    let mut seen = Vec::new();
    for article in held {
        match state.operations.article_column_ids(article.id).await {
            Ok(column_ids) if staff.sees(&tree, &column_ids) => seen.push(article),
            Ok(_) => {}
            Err(error) => return failure(error),
        }
    }
    page(StatusCode::OK, quarantine_page(&console.viewer(), &seen, state.config.site.timezone, notice))
}

/// One held article as it would render; 404 when it is not held or not the user's to see.
async fn show(State(state): State<AppState>, console: Console, Path(id): Path<i64>) -> Response {
    let (tree, found) = match (state.operations.column_tree().await, state.operations.staff_article(id).await) {
        (Ok(tree), Ok(found)) => (tree, found),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let staff = staff(&console);
    let column_ids =
        |found: &crate::store::StaffArticle| found.article.columns.iter().map(|c| c.id).collect::<Vec<_>>();
    let Some(found) =
        found.filter(|found| found.status == ArticleStatus::Quarantined && staff.sees(&tree, &column_ids(found)))
    else {
        return refusal(&state, console.labels, Refusal::NotFound);
    };
    let may_decide = staff.may_change(&tree, &column_ids(&found)).is_ok();
    page(StatusCode::OK, held_page(&console.viewer(), &found, may_decide, None))
}

/// Publishes the held article as it stands, saying where it stands then.
async fn release(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<NoFields>) -> Response {
    let CsrfForm(console, NoFields {}) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    let released = state.operations.release_article(&staff(&console).actor(), id).await;
    decided(
        &state,
        &console,
        released.map(|now| match now {
            ArticleStatus::Published => "released",
            ArticleStatus::Pending => "released-pending",
            ArticleStatus::Embargoed => "released-embargoed",
            _ => "released-unpublished",
        }),
    )
}

/// Deletes the held article.
async fn reject(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<NoFields>) -> Response {
    let CsrfForm(console, NoFields {}) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    decided(&state, &console, state.operations.reject_article(&staff(&console).actor(), id).await.map(|()| "rejected"))
}

/// Back to the quarantine, saying what was done; 404 when it was not held.
fn decided(state: &AppState, console: &Console, result: Result<&str, StoreError>) -> Response {
    match result {
        Ok(done) => see_other(&format!("{}?done={done}", Section::Quarantine.path())),
        Err(StoreError::NotFound(_)) => refusal(state, console.labels, Refusal::NotFound),
        Err(error) => failure(error),
    }
}
