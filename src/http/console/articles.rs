//! The console's articles: the filtered, paged list, one article, and the forms that
//! withdraw, reinstate and move it (its edit form's are in `corrections`). Who sees and changes what is decided exactly as the
//! staff API decides it (`Staff` over the signed-in user: a scoped user sees what is
//! filed wholly within its columns, 404 otherwise; an editor changes only that, a viewer
//! nothing, 403), and every change goes through the operation the API calls, recorded
//! with the user as its actor.

use super::super::auth::Staff;
use super::super::partners::{decode_cursor, encode_cursor};
use super::super::{ApiError, AppState};
use super::{page, refusal, see_other, Console, CsrfForm, NoFields};
use crate::catalog::{self, CatalogError};
use crate::console::corrections::edit_values;
use crate::console::form::{Errors, Form, Values};
use crate::console::{article_list_page, article_page, article_path, ArticleFilters, ArticleListView, ArticleView};
use crate::console::{PageLinks, Paging, Refusal, Section};
use crate::domain::column::ColumnTree;
use crate::domain::{ArticleStatus, Withdrawer};
use crate::search::{SearchError, SearchQuery};
use crate::store::{ListPosition, StaffArticle, StaffQuery, StoreError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

/// Articles on one page of the list.
const ARTICLES_PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/articles", get(list))
        .route("/admin/articles/{id}", get(show))
        .route("/admin/articles/{id}/withdraw", post(withdraw))
        .route("/admin/articles/{id}/reinstate", post(reinstate))
        .route("/admin/articles/{id}/move", post(move_to_columns))
}

/// The signed-in user as the staff API knows it: its role and column scope.
pub(super) fn staff(console: &Console) -> Staff {
    Staff::User(console.session.user.clone())
}

/// Refuses a change to article `id` the user may not make: 404 when there is no such
/// article, 403 (nothing changed) when its role or columns do not allow it.
pub(super) async fn may_change(state: &AppState, console: &Console, id: i64) -> Result<(), Response> {
    let tree = state.operations.column_tree().await.map_err(failure)?;
    let column_ids = state.operations.article_column_ids(id).await.map_err(failure)?;
    if column_ids.is_empty() {
        return Err(refusal(state, console.labels, Refusal::NotFound));
    }
    staff(console).may_change(&tree, &column_ids).map_err(|_| refusal(state, console.labels, Refusal::NotAllowed))
}

/// An error no page can explain: logged, answered as the API answers it.
pub(super) fn failure(error: StoreError) -> Response {
    ApiError::from(error).into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    filters: ArticleFilters,
    cursor: Option<String>,
    /// The cursors of the pages before this one, `.`-separated ("" for the first page).
    trail: Option<String>,
}

/// The list of articles: its filters checked (422 with the form's errors), a page of
/// what they find among the articles the user sees, and the links to the pages around it.
async fn list(State(state): State<AppState>, console: Console, Query(query): Query<ListQuery>) -> Response {
    let l = &console.labels.newsroom;
    let staff = staff(&console);
    let (tree, outlets) = match (state.operations.column_tree().await, state.operations.outlets().await) {
        (Ok(tree), Ok(outlets)) => (tree, outlets),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let f = &query.filters;
    let zone = state.config.site.timezone;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let mut refuse = |field: &'static str, reason: &str| errors.push((field, reason.to_owned()));
    let column_ids = choice(&f.column, |slug| {
        tree.by_slug(slug).filter(|c| staff.sees(&tree, &[c.id])).map(|c| tree.subtree_ids(c.id))
    });
    let outlet_id = choice(&f.outlet, |slug| outlets.iter().find(|o| o.slug.as_str() == slug).map(|o| o.id));
    let status = choice(&f.status, |name| ArticleStatus::parse(name).ok());
    let since = choice(&f.from, |day| day_start(day, zone));
    let until = choice(&f.to, |day| day_start(day, zone).map(|start| start + chrono::Duration::days(1)));
    let text = choice(&f.q, |q| SearchQuery::parse(q).ok());
    for (field, found, reason) in [
        ("q", text.is_err(), l.search_refused),
        ("column", column_ids.is_err(), l.unknown_choice),
        ("outlet", outlet_id.is_err(), l.unknown_choice),
        ("status", status.is_err(), l.unknown_choice),
        ("from", since.is_err(), l.not_a_date),
        ("to", until.is_err(), l.not_a_date),
    ] {
        if found {
            refuse(field, reason);
        }
    }
    let columns: Vec<_> = tree.all().iter().filter(|c| staff.sees(&tree, &[c.id])).cloned().collect();
    let mut view = ArticleListView {
        filters: f,
        errors: &[],
        columns: &columns,
        outlets: &outlets,
        articles: &[],
        links: PageLinks::default(),
        zone,
    };
    if !errors.is_empty() {
        view.errors = &errors;
        return page(StatusCode::UNPROCESSABLE_ENTITY, article_list_page(&console.viewer(), &view));
    }
    let paging = Paging::new(query.cursor, query.trail.as_deref(), |c| decode_cursor(c).is_ok());
    let query = StaffQuery {
        within: staff.within(&tree),
        column_ids: column_ids.unwrap_or_default(),
        outlet_id: outlet_id.unwrap_or_default(),
        status: status.unwrap_or_default(),
        since: since.unwrap_or_default(),
        until: until.unwrap_or_default(),
        ids: None,
        outlet_corrected: f.corrected == "on",
        after: paging
            .cursor()
            .and_then(|c| decode_cursor(c).ok())
            .map(|(reposted_at, id)| ListPosition { reposted_at, id }),
        limit: ARTICLES_PER_PAGE,
    };
    let mut articles = match state.operations.staff_articles(&query, text.unwrap_or_default().as_ref()).await {
        Ok(articles) => articles,
        Err(SearchError::Query(_)) => {
            // Words of nothing but punctuation: nothing to search for.
            let refused = [("q", l.search_refused.to_owned())];
            view.errors = &refused;
            return page(StatusCode::UNPROCESSABLE_ENTITY, article_list_page(&console.viewer(), &view));
        }
        Err(error) => return ApiError::from(error).into_response(),
    };
    let more = articles.len() as i64 > ARTICLES_PER_PAGE;
    articles.truncate(ARTICLES_PER_PAGE as usize);
    let next = more.then(|| articles.last().map(StaffArticle::position)).flatten();
    let next = next.map(|p| encode_cursor(p.reposted_at, p.id));
    view.links = paging.links(Section::Articles.path(), &f.fields(), next);
    view.articles = &articles;
    page(StatusCode::OK, article_list_page(&console.viewer(), &view))
}

/// A filter's value: `None` when not given, `Err` when given but not found by `find`.
pub(super) fn choice<T>(given: &str, find: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, ()> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(None);
    }
    find(given).map(Some).ok_or(())
}

/// When day `YYYY-MM-DD` began in `zone`.
pub(super) fn day_start(day: &str, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let midnight = date.and_time(NaiveTime::MIN);
    // A day that starts in a gap (a DST change at midnight) starts an hour later.
    let start = zone.from_local_datetime(&midnight).earliest();
    let start = start.or_else(|| zone.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest());
    start.map(|t| t.with_timezone(&Utc))
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

/// One article, with a confirmation of the change just made (`?done=`).
async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Response {
    let (l, c) = (&console.labels.newsroom, &console.labels.corrections);
    let notice = match done.done.as_deref() {
        Some("withdrawn") => Some(l.done_withdrawn),
        Some("reinstated") => Some(l.done_reinstated),
        Some("moved") => Some(l.done_moved),
        Some("edited") => Some(c.done_edited),
        Some("took-outlet") => Some(c.done_took_outlet),
        Some("kept-edit") => Some(c.done_kept_edit),
        _ => None,
    };
    answer(&state, &console, id, StatusCode::OK, Outcome { notice, ..Outcome::default() }).await
}

/// What the article's page says about a change.
#[derive(Default)]
pub(super) struct Outcome<'a> {
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
    pub column_error: Option<&'a str>,
    /// The edit form as posted, and its refusals by field; `None`: the article's values.
    pub edit: Option<(&'a Values, &'a Errors)>,
}

/// The article's page, answered with `status`; 404 when the user does not see it.
pub(super) async fn answer(
    state: &AppState,
    console: &Console,
    id: i64,
    status: StatusCode,
    outcome: Outcome<'_>,
) -> Response {
    let (tree, found) = match (state.operations.column_tree().await, state.operations.staff_article(id).await) {
        (Ok(tree), Ok(found)) => (tree, found),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    let staff = staff(console);
    let Some(found) = found.filter(|found| staff.sees(&tree, &column_ids(found))) else {
        return refusal(state, console.labels, Refusal::NotFound);
    };
    let images = match state.operations.article_images(id).await {
        Ok(images) => images,
        Err(error) => return failure(error),
    };
    let column_choices = choices(&tree, &staff, &found);
    let public_url = state.site.article_url(id);
    let own = edit_values(&found.article);
    let (values, errors) = outcome.edit.unwrap_or((&own, &[]));
    let view = ArticleView {
        found: &found,
        public_url: &public_url,
        zone: state.config.site.timezone,
        may_change: staff.may_change(&tree, &column_ids(&found)).is_ok(),
        column_choices: &column_choices,
        notice: outcome.notice,
        error: outcome.error,
        column_error: outcome.column_error,
        edit_form: Form { values, errors },
        images: &images,
    };
    page(status, article_page(&console.viewer(), &view))
}

fn column_ids(found: &StaffArticle) -> Vec<i64> {
    found.article.columns.iter().map(|c| c.id).collect()
}

/// The columns the user may file the article under, in tree order, ticked where it is.
fn choices(tree: &ColumnTree, staff: &Staff, found: &StaffArticle) -> Vec<(crate::domain::Column, bool)> {
    let filed = column_ids(found);
    tree.all()
        .iter()
        .filter(|c| staff.may_change(tree, &[c.id]).is_ok())
        .map(|c| (c.clone(), filed.contains(&c.id)))
        .collect()
}

/// Withdraws the article, as the site; then its page again, saying so.
async fn withdraw(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<NoFields>) -> Response {
    let CsrfForm(console, NoFields {}) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    match state.operations.withdraw_article(&staff(&console).actor(), Some(id), None).await {
        Ok(_) => see_other(&format!("{}?done=withdrawn", article_path(id))),
        Err(StoreError::NotFound(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => failure(error),
    }
}

/// Makes the article public again; what the site may not reinstate (its outlet withdrew
/// it, or it is not withdrawn) is said on its page (409).
async fn reinstate(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<NoFields>) -> Response {
    let CsrfForm(console, NoFields {}) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    match state.operations.reinstate_article(&staff(&console).actor(), id).await {
        Ok(()) => see_other(&format!("{}?done=reinstated", article_path(id))),
        Err(StoreError::Conflict(message)) => {
            let l = &console.labels.newsroom;
            let found = match state.operations.staff_article(id).await {
                Ok(found) => found,
                Err(error) => return failure(error),
            };
            let reason = match found {
                Some(found) if !matches!(found.status, ArticleStatus::Withdrawn | ArticleStatus::Expired) => {
                    l.not_withdrawn
                }
                Some(found) if Withdrawer::reinstatable_by_site(found.withdrawn_by).is_err() => l.outlet_withdrew,
                _ => &message,
            };
            let outcome = Outcome { error: Some(reason), ..Outcome::default() };
            answer(&state, &console, id, StatusCode::CONFLICT, outcome).await
        }
        Err(StoreError::NotFound(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => failure(error),
    }
}

/// Files the article under the ticked columns (`column`, repeated): its primary column
/// first when kept, the others in tree order. None ticked, or a column that is gone:
/// its page again with the reason (422); a column outside the user's: 403.
async fn move_to_columns(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let CsrfForm(console, fields) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    let mut slugs: Vec<String> = fields.into_iter().filter(|(name, _)| name == "column").map(|(_, v)| v).collect();
    let found = match state.operations.staff_article(id).await {
        Ok(Some(found)) => found,
        Ok(None) => return refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => return failure(error),
    };
    if let Some(primary) = found.article.columns.first().map(|c| c.slug.to_string()) {
        if let Some(at) = slugs.iter().position(|slug| *slug == primary) {
            let primary = slugs.remove(at);
            slugs.insert(0, primary);
        }
    }
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failure(error),
    };
    let column_ids = match catalog::filing(&tree, &slugs) {
        Ok(ids) => ids,
        Err(_) => {
            let l = &console.labels.newsroom;
            let reason = if slugs.is_empty() { l.choose_a_column } else { l.unknown_choice };
            let outcome = Outcome { column_error: Some(reason), ..Outcome::default() };
            return answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
        }
    };
    if staff(&console).may_change(&tree, &column_ids).is_err() {
        return refusal(&state, console.labels, Refusal::NotAllowed);
    }
    match state.operations.move_article(&staff(&console).actor(), id, &column_ids).await {
        Ok(()) => see_other(&format!("{}?done=moved", article_path(id))),
        Err(CatalogError::NotFound(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(CatalogError::Invalid(_)) => {
            let reason = console.labels.newsroom.licensed_only_column;
            let outcome = Outcome { column_error: Some(reason), ..Outcome::default() };
            answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}
