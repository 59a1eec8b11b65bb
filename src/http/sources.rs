//! The sources admin API: subscribe outlets' feeds and list pages, see each source's
//! status, poll now, preview what a source would bring (`preview`).
//! Editors manage the sources that file only into their columns (every column of its
//! routing, rules included, within theirs); users see those; viewers change none.

use super::admin::json_body;
use super::auth::Staff;
use super::error::{ApiError, ErrorBody};
use super::params::{Number, Params};
use super::AppState;
use crate::catalog::{SourceEdit, SourceForm};
use crate::domain::column::ColumnTree;
use crate::domain::source::{Route, Source as PolledSource};
use crate::ingest::page::PageRules;
use crate::publish::rfc3339;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod preview;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_sources,
    create_source,
    show_source,
    edit_source,
    delete_source,
    poll_now,
    preview::preview_source
))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sources", get(list_sources).post(create_source))
        .route("/api/v1/sources/{id}", get(show_source).patch(edit_source).delete(delete_source))
        .route("/api/v1/sources/{id}/poll", post(poll_now))
        .route("/api/v1/sources/preview", post(preview::preview_source))
}

/// An outlet's feed (or list page) that syndic polls, routed into columns, with the
/// status of its last polls.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    pub id: i64,
    /// The outlet's slug.
    pub outlet: String,
    /// The feed's address, or the list page's (`kind` `html`).
    pub url: String,
    #[schema(value_type = crate::catalog::fields::SourceKindName)]
    pub kind: &'static str,
    /// The rules its pages are read by; null: automatic extraction.
    #[schema(required = true)]
    pub rules: Option<PageRules>,
    /// A feed whose new items' pages are fetched for their content.
    pub full_text: bool,
    /// Columns every item is reposted under, primary first.
    pub columns: Vec<String>,
    /// Rules that route matching items to further columns.
    pub routes: Vec<SourceRoute>,
    /// When not empty, only items containing one of these keywords are taken.
    pub include: Vec<String>,
    /// Items containing one of these keywords are left out.
    pub exclude: Vec<String>,
    /// Seconds between polls.
    pub interval_secs: i64,
    /// `manual`: its new items are held for review.
    #[schema(value_type = crate::catalog::fields::Review)]
    pub review: &'static str,
    /// When it was last fetched; null before the first poll.
    #[schema(format = DateTime, required = true)]
    pub last_fetch_at: Option<String>,
    /// The HTTP status of the last fetch; null when none was answered.
    #[schema(required = true)]
    pub last_status: Option<i64>,
    /// Why the last poll failed; null when it did not.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// Items in the last poll.
    pub items_seen: i64,
    /// Items of the last poll stored for the first time.
    pub items_new: i64,
    /// Items of the last poll that changed a stored article.
    pub items_updated: i64,
    /// Items of the last poll not taken.
    pub items_refused: i64,
    /// Items of the last poll held by the content policy.
    pub items_quarantined: i64,
    /// Hidden elements (likely injected spam) removed from the last poll's items.
    pub hidden_spam_removed: i64,
    /// Why items were refused in the last poll, with how many each.
    pub refusals: BTreeMap<String, i64>,
    /// What was wrong with the last document (cut off, mismatched tags, undefined entities,
    /// control characters), though items could be read from it; for an html source or a
    /// full-text feed also each page that could not be fetched or read, by its address.
    pub warnings: Vec<String>,
    /// Polls that failed in a row (backoff grows with them).
    pub consecutive_failures: i64,
    /// When it is polled next.
    #[schema(format = DateTime)]
    pub next_fetch_at: String,
    /// Its subscription to the WebSub hub its feed names; null when it names none.
    #[schema(required = true)]
    pub subscription: Option<super::hub_callback::SourceSubscription>,
}

/// A routing rule: matching items also go to `column`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceRoute {
    /// `category` or `keyword`.
    #[serde(rename = "match")]
    #[schema(value_type = crate::catalog::fields::RouteMatchName)]
    pub matching: &'static str,
    pub value: String,
    /// The column's slug (null if it is gone).
    #[schema(required = true)]
    pub column: Option<String>,
}

/// Every source.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    pub sources: Vec<Source>,
}

/// `Source` of a stored source, naming its columns by slug.
pub(super) fn source_view(tree: &ColumnTree, source: &PolledSource) -> Source {
    let status = &source.status;
    let slug = |id: &i64| tree.get(*id).map(|c| c.slug.to_string());
    let routing = &source.routing;
    let route =
        |r: &Route| SourceRoute { matching: r.matching.as_str(), value: r.value.clone(), column: slug(&r.column_id) };
    Source {
        id: source.id,
        outlet: source.outlet_slug.clone(),
        url: source.url.clone(),
        kind: source.kind.as_str(),
        rules: source.rules.is_some().then(|| crate::ingest::pages::rules_of(source)),
        full_text: source.full_text,
        columns: routing.columns.iter().filter_map(slug).collect(),
        routes: routing.routes.iter().map(route).collect(),
        include: routing.include.clone(),
        exclude: routing.exclude.clone(),
        interval_secs: source.interval_secs,
        review: source.review.as_str(),
        last_fetch_at: status.last_fetch_at.map(rfc3339),
        last_status: status.last_status,
        last_error: status.last_error.clone(),
        items_seen: status.items_seen,
        items_new: status.items_new,
        items_updated: status.items_updated,
        items_refused: status.items_refused,
        items_quarantined: status.items_quarantined,
        hidden_spam_removed: status.hidden_spam_removed,
        refusals: status.refusals.clone(),
        warnings: status.warnings.clone(),
        consecutive_failures: status.consecutive_failures,
        next_fetch_at: rfc3339(status.next_fetch_at),
        subscription: status.subscription.as_ref().map(super::hub_callback::SourceSubscription::of),
    }
}

/// The ids of the columns these slugs name; unknown ones are left to the catalogue to
/// refuse by name.
fn known_ids(tree: &ColumnTree, slugs: &[&str]) -> Vec<i64> {
    slugs.iter().filter_map(|slug| tree.by_slug(slug.trim())).map(|c| c.id).collect()
}

/// Refuses (403) a user whose role or columns do not allow changing this source (one
/// that does not exist is left to the operation: 404).
async fn may_change(staff: &Staff, state: &AppState, id: i64) -> Result<(), ApiError> {
    let Some(source) = state.operations.source(id).await? else { return Ok(()) };
    let tree = state.operations.column_tree().await?;
    staff.may_change(&tree, &source.routing.target_ids())
}

/// Subscribe an outlet's feed
///
/// Adds a source: an outlet's feed routed into columns, polled every `interval_secs`.
///
/// **Token:** the admin token or an admin user's; an editor's for sources filing only into its
/// columns (others 403); a viewer's is refused (403).
#[utoipa::path(
    post,
    path = "/api/v1/sources",
    operation_id = "createSource",
    tag = "sources",
    security(("admin" = [])),
    request_body(content = SourceForm, content_type = "application/json", description = "At most 64 KiB."),
    responses(
        (status = 201, description = "Created.", body = Source,
            headers(("Location" = String, description = "`/api/v1/sources/{id}`."))),
        (status = 409, description = "The outlet already has a source for this URL, or the form is well-formed but \
            names an outlet or columns that do not exist (each named in `fields`).", body = ErrorBody),
    )
)]
async fn create_source(
    staff: Staff,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: SourceForm = json_body(&headers, body).await?;
    let tree = state.operations.column_tree().await?;
    staff.may_change(&tree, &known_ids(&tree, &form.named_columns()))?;
    let source = state.operations.add_source(&staff.actor(), form).await?;
    let location = format!("/api/v1/sources/{}", source.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(source_view(&tree, &source))).into_response())
}

/// List sources
///
/// Every polled source with its status (last fetch, HTTP status, item counts, refusals,
/// failures, next fetch).
///
/// **Token:** the admin token or any user's; a user with a column scope sees the sources
/// filing only into its columns.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    operation_id = "listSources",
    tag = "sources",
    security(("admin" = [])),
    responses((status = 200, description = "The sources.", body = SourceList))
)]
async fn list_sources(staff: Staff, State(state): State<AppState>) -> Result<Json<SourceList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let sources = state.operations.sources().await?;
    let seen = sources.iter().filter(|s| staff.sees(&tree, &s.routing.target_ids()));
    Ok(Json(SourceList { sources: seen.map(|s| source_view(&tree, s)).collect() }))
}

/// Show a source
///
/// **Token:** the admin token or any user's; a user with a column scope sees the sources
/// filing only into its columns.
#[utoipa::path(
    get,
    path = "/api/v1/sources/{id}",
    operation_id = "showSource",
    tag = "sources",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The source's id.")),
    responses(
        (status = 200, description = "The source.", body = Source),
        (status = 404, description = "No such source.", body = ErrorBody),
    )
)]
async fn show_source(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<Source>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let source = state.operations.source(id.get()).await?;
    let source = source.filter(|s| staff.sees(&tree, &s.routing.target_ids())).ok_or(ApiError::NotFound("source"))?;
    Ok(Json(source_view(&tree, &source)))
}

/// Change a source
///
/// Changes a source's URL, interval or routing.
///
/// **Token:** the admin token or an admin user's; an editor's for sources filing only into its
/// columns (others 403); a viewer's is refused (403).
#[utoipa::path(
    patch,
    path = "/api/v1/sources/{id}",
    operation_id = "editSource",
    tag = "sources",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The source's id.")),
    request_body(content = SourceEdit, content_type = "application/json", description = "At most 64 KiB."),
    responses(
        (status = 200, description = "The changed source.", body = Source),
        (status = 404, description = "No such source.", body = ErrorBody),
        (status = 409, description = "The outlet already has a source for the new URL, or the changes are \
            well-formed but name columns that do not exist (each named in `fields`).", body = ErrorBody),
    )
)]
async fn edit_source(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Source>, ApiError> {
    may_change(&staff, &state, id.get()).await?;
    let edit: SourceEdit = json_body(&headers, body).await?;
    if let Some(named) = edit.named_columns() {
        let tree = state.operations.column_tree().await?;
        staff.may_change(&tree, &known_ids(&tree, &named))?;
    }
    let source = state.operations.edit_source(&staff.actor(), id.get(), edit).await?;
    Ok(Json(source_view(&state.operations.column_tree().await?, &source)))
}

/// Stop polling a source
///
/// Deletes the source; articles already taken from it stay.
///
/// **Token:** the admin token or an admin user's; an editor's for sources filing only into its
/// columns (others 403); a viewer's is refused (403).
#[utoipa::path(
    delete,
    path = "/api/v1/sources/{id}",
    operation_id = "deleteSource",
    tag = "sources",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The source's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such source.", body = ErrorBody),
    )
)]
async fn delete_source(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<StatusCode, ApiError> {
    may_change(&staff, &state, id.get()).await?;
    state.operations.remove_source(&staff.actor(), id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Poll a source now
///
/// Fetches the source at once, even during backoff, and answers with its new status. A
/// failed fetch (network, HTTP error, not a feed) is not an error of this request: it is
/// recorded in the status (`last_error`, `consecutive_failures`, `next_fetch_at`). No
/// request body is read.
///
/// **Token:** the admin token or an admin user's; an editor's for sources filing only into its
/// columns (others 403); a viewer's is refused (403).
#[utoipa::path(
    post,
    path = "/api/v1/sources/{id}/poll",
    operation_id = "pollSource",
    tag = "sources",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The source's id.")),
    responses(
        (status = 200, description = "The source after the poll.", body = Source),
        (status = 404, description = "No such source.", body = ErrorBody),
    )
)]
async fn poll_now(
    staff: Staff,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Json<Source>, ApiError> {
    may_change(&staff, &state, id.get()).await?;
    let polled = state.operations.poll_source(&staff.actor(), id.get()).await?;
    let (_, polled) = polled.ok_or(ApiError::NotFound("source"))?;
    Ok(Json(source_view(&state.operations.column_tree().await?, &polled)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::source::{MAX_INTERVAL_SECS, MIN_INTERVAL_SECS};
    use utoipa::PartialSchema;

    /// The description states the limits `catalog` applies (the attributes take only literals).
    #[test]
    fn the_description_states_the_interval_limits_that_are_applied() {
        for form in
            [serde_json::to_value(SourceForm::schema()).unwrap(), serde_json::to_value(SourceEdit::schema()).unwrap()]
        {
            let interval = &form["properties"]["interval_secs"];
            assert_eq!(
                (interval["minimum"].as_i64(), interval["maximum"].as_i64()),
                (Some(MIN_INTERVAL_SECS), Some(MAX_INTERVAL_SECS))
            );
        }
    }
}
