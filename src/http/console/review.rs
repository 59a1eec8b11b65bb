//! The console's review queue: the pending articles the user sees, oldest first, one of
//! them as it will be published, and approve and reject (a reason required) for an
//! admin, or an editor within its columns, through the operations the review API calls.

use super::super::error::ApiError;
use super::super::AppState;
use super::articles::{failure, may_change, staff};
use super::{page, refusal, see_other, Console, CsrfForm, NoFields};
use crate::catalog::CatalogError;
use crate::console::form::Values;
use crate::console::{pending_page, review_page, PendingView, Refusal, ReviewView, Section};
use crate::domain::ArticleStatus;
use crate::store::StoreError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

/// Pending articles the queue shows at once, oldest first (the count says how many wait).
const QUEUE_PAGE: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/review", get(list))
        .route("/admin/review/{id}", get(show))
        .route("/admin/review/{id}/approve", post(approve))
        .route("/admin/review/{id}/reject", post(reject))
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

/// The oldest pending articles filed wholly within the user's columns, with a
/// confirmation of the decision just made (`?done=approved|rejected`, or
/// `approved-embargoed` for one published when its embargo ends).
async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    let l = &console.labels.review;
    let notice = match done.done.as_deref() {
        Some("approved") => Some(l.done_approved),
        Some("approved-embargoed") => Some(l.done_approved_embargoed),
        Some("rejected") => Some(l.done_rejected),
        _ => None,
    };
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failure(error),
    };
    let within = staff(&console).within(&tree);
    let (pending, total) = match (
        state.operations.pending_articles(within.as_deref(), None, QUEUE_PAGE).await,
        state.operations.pending_count(within.as_deref()).await,
    ) {
        (Ok(mut pending), Ok(total)) => {
            pending.truncate(QUEUE_PAGE as usize);
            (pending, total)
        }
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let view = ReviewView { pending: &pending, total, zone: state.config.site.timezone, notice };
    page(StatusCode::OK, review_page(&console.viewer(), &view))
}

/// One pending article as it will be published; 404 when it is not pending or not the
/// user's to see.
async fn show(State(state): State<AppState>, console: Console, Path(id): Path<i64>) -> Response {
    answer(&state, &console, id, StatusCode::OK, &Values::default(), &[]).await
}

/// The pending article's page, with the reason as posted and why it was refused.
async fn answer(
    state: &AppState,
    console: &Console,
    id: i64,
    status: StatusCode,
    values: &Values,
    errors: &[(String, String)],
) -> Response {
    let (tree, found) = match (state.operations.column_tree().await, state.operations.staff_article(id).await) {
        (Ok(tree), Ok(found)) => (tree, found),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let staff = staff(console);
    let column_ids =
        |found: &crate::store::StaffArticle| found.article.columns.iter().map(|c| c.id).collect::<Vec<_>>();
    let Some(found) =
        found.filter(|found| found.status == ArticleStatus::Pending && staff.sees(&tree, &column_ids(found)))
    else {
        return refusal(state, console.labels, Refusal::NotFound);
    };
    let may_decide = staff.may_change(&tree, &column_ids(&found)).is_ok();
    let view = PendingView { found: &found, may_decide, values, errors };
    page(status, pending_page(&console.viewer(), &view))
}

/// Publishes the pending article, the user its responsible editor.
async fn approve(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<NoFields>) -> Response {
    let CsrfForm(console, NoFields {}) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    match state.operations.approve_article(&staff(&console).actor(), id).await {
        Ok(ArticleStatus::Embargoed) => see_other(&format!("{}?done=approved-embargoed", Section::Review.path())),
        Ok(_) => see_other(&format!("{}?done=approved", Section::Review.path())),
        Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => failure(error),
    }
}

/// Rejects the pending article with the reason given (the form again, 422, without one).
async fn reject(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<Vec<(String, String)>>) -> Response {
    let CsrfForm(console, fields) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    let values = Values::new(fields);
    let reason = values.get("reason").to_owned();
    match state.operations.reject_in_review(&staff(&console).actor(), id, Some(&reason)).await {
        Ok(()) => see_other(&format!("{}?done=rejected", Section::Review.path())),
        Err(CatalogError::Invalid(errors)) => {
            let errors: Vec<(String, String)> = errors.iter().map(|(f, r)| (f.clone(), r.clone())).collect();
            answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, &values, &errors).await
        }
        Err(CatalogError::NotFound(_) | CatalogError::Conflict(_)) => {
            refusal(&state, console.labels, Refusal::NotFound)
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}
