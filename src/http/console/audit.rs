//! The console's audit log (`/admin/audit`): `Operations::audit_log`, as `GET
//! /api/v1/audit` reads it, for admins only (anyone else: 403, as the API refuses them).
//! The filters are checked as the API checks them, but a refusal is the page again with
//! the reason beside the field (422); the day a `since` names is read in the site's zone.

use super::super::audit::{decode_cursor, encode_cursor, filter, MAX_FILTER_CHARS};
use super::super::AppState;
use super::articles::{choice, day_start, failure};
use super::{page, Console};
use crate::console::{audit_page, AuditFilters, AuditView, Labels, PageLinks, Paging, Section};
use crate::domain::audit::Action;
use crate::store::AuditQuery;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// Entries on one page of the log.
const ENTRIES_PER_PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

/// A page of the log: its filters checked (422 with the form's errors), the entries they
/// find, newest first, and the links to the pages around it. Each parameter is read
/// once (its first value), so no query string is refused whole.
async fn list(State(state): State<AppState>, console: Console, RawQuery(raw): RawQuery) -> Response {
    if let Some(refused) = super::catalog::unless_admin(&state, &console) {
        return refused;
    }
    let raw = raw.unwrap_or_default();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim().to_owned());
    let filters = AuditFilters {
        actor: param("actor").unwrap_or_default(),
        action: param("action").unwrap_or_default(),
        target: param("target").unwrap_or_default(),
        since: param("since").unwrap_or_default(),
    };
    let l = &console.labels.newsroom;
    let zone = state.config.site.timezone;
    let actor = choice(&filters.actor, |given| filter(given.to_owned()).ok());
    let target = choice(&filters.target, |given| filter(given.to_owned()).ok());
    let action = choice(&filters.action, |given| Action::parse(given).ok());
    let since = choice(&filters.since, |day| day_start(day, zone));
    let not_a_filter = Labels::fill(l.not_a_filter, MAX_FILTER_CHARS);
    let errors: Vec<(&'static str, String)> = [
        ("actor", actor.is_err(), not_a_filter.as_str()),
        ("action", action.is_err(), l.unknown_choice),
        ("target", target.is_err(), not_a_filter.as_str()),
        ("since", since.is_err(), l.not_a_date),
    ]
    .into_iter()
    .filter(|(_, refused, _)| *refused)
    .map(|(field, _, reason)| (field, reason.to_owned()))
    .collect();
    let mut view = AuditView { filters: &filters, errors: &[], entries: &[], links: PageLinks::default(), zone };
    if !errors.is_empty() {
        view.errors = &errors;
        return page(StatusCode::UNPROCESSABLE_ENTITY, audit_page(&console.viewer(), &view));
    }
    let paging = Paging::new(param("cursor"), param("trail").as_deref(), |c| decode_cursor(c).is_ok());
    let query = AuditQuery {
        actor: actor.unwrap_or_default(),
        target: target.unwrap_or_default(),
        action: action.unwrap_or_default(),
        since: since.unwrap_or_default(),
        before_id: paging.cursor().and_then(|c| decode_cursor(c).ok()),
        limit: ENTRIES_PER_PAGE,
    };
    let found = match state.operations.audit_log(&query).await {
        Ok(found) => found,
        Err(error) => return failure(error),
    };
    let next = found.more.then(|| found.records.last().map(|r| encode_cursor(r.id))).flatten();
    view.links = paging.links(Section::Audit.path(), &filters.fields(), next);
    view.entries = &found.records;
    page(StatusCode::OK, audit_page(&console.viewer(), &view))
}
