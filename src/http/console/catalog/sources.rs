//! `/admin/sources`: each user sees the sources filing only into its columns; admins and
//! editors add, change, poll and remove those whose routing (rules included) stays within
//! their columns, before and after; viewers none. As on `/api/v1/sources`. Admins and
//! editors preview what the add form's source would bring (`/admin/sources/preview`).

use super::{actor, failed, not_allowed, not_found, page, see_other, Done, Posted, Refused};
use crate::catalog::{RouteForm, SourceEdit, SourceForm, SourcePreviewForm};
use crate::console::catalog::{
    posted_rules, source_page, source_values, sources_page, tree_order, SourceView, SourcesView,
};
use crate::console::form::{Errors, Form, Values};
use crate::domain::column::ColumnTree;
use crate::domain::{Role, User};
use crate::http::console::Console;
use crate::http::params::{Number, Params};
use crate::http::AppState;
use crate::ingest::preview::Preview;
use crate::operations::PreviewError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sources", get(list).post(add))
        .route("/admin/sources/{id}", get(show).post(edit))
        .route("/admin/sources/{id}/poll", post(poll))
        .route("/admin/sources/{id}/remove", post(remove))
        .route("/admin/sources/preview", post(preview))
}

async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    let mut values = Values::default();
    values.set("interval_secs", crate::domain::source::DEFAULT_INTERVAL_SECS.to_string());
    values.set("review", "auto");
    list_answer(&state, &console, StatusCode::OK, done.notice(&console), &values, &[], None).await
}

async fn list_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    values: &Values,
    errors: &Errors,
    preview: Option<&Result<Preview, String>>,
) -> Response {
    let (tree, sources, outlets) = match (
        state.operations.column_tree().await,
        state.operations.sources().await,
        state.operations.outlets().await,
    ) {
        (Ok(tree), Ok(sources), Ok(outlets)) => (tree, sources, outlets),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return failed(error),
    };
    let user = &console.session.user;
    let mut seen: Vec<_> = sources.into_iter().filter(|s| user.sees(&tree, &s.routing.target_ids())).collect();
    // Failing sources first, then the longest silent.
    seen.sort_by_key(|s| (-s.status.consecutive_failures, s.status.last_new_at, s.id));
    let columns = tree_order(&tree, |c| user.sees(&tree, &[c.id]));
    let view = SourcesView {
        tree: &tree,
        sources: &seen,
        outlets: &outlets,
        columns: &columns,
        may_add: user.role != Role::Viewer,
        notice,
        form: Form { values, errors },
        timezone: state.config.site.timezone,
        preview,
    };
    page(status, sources_page(&console.viewer(), &view))
}

/// A source form's routing as written: the primary column, further columns, the rule
/// rows with a value, keywords a line; and the interval, when it is a number.
struct Routing {
    columns: Vec<String>,
    routes: Vec<RouteForm>,
    include: Vec<String>,
    exclude: Vec<String>,
    interval_secs: Result<Option<i64>, String>,
}

impl Routing {
    fn of(values: &Values) -> Routing {
        let mut columns: Vec<String> = values.optional("column").into_iter().collect();
        for also in values.all("also") {
            if !columns.contains(&also) {
                columns.push(also);
            }
        }
        let (matches, rule_values, rule_columns) =
            (values.all_raw("route_match"), values.all_raw("route_value"), values.all_raw("route_column"));
        let routes = rule_values
            .iter()
            .enumerate()
            .filter(|(_, value)| !value.is_empty())
            .map(|(i, value)| RouteForm {
                matching: matches.get(i).cloned().unwrap_or_default(),
                value: value.clone(),
                column: rule_columns.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        let interval_secs = match values.get("interval_secs") {
            "" => Ok(None),
            given => given.parse().map(Some).map_err(|_| format!("'{given}' is not a whole number of seconds")),
        };
        Routing { columns, routes, include: values.lines("include"), exclude: values.lines("exclude"), interval_secs }
    }

    /// Whether the user may file into every column it names (unknown ones are left to
    /// the catalogue to refuse by name).
    fn allowed_for(&self, user: &User, tree: &ColumnTree) -> bool {
        let named = self.columns.iter().chain(self.routes.iter().map(|r| &r.column));
        let ids: Vec<i64> = named.filter_map(|slug| tree.by_slug(slug)).map(|c| c.id).collect();
        user.may_change(tree, &ids)
    }
}

async fn column_tree(state: &AppState) -> Result<ColumnTree, Response> {
    state.operations.column_tree().await.map_err(failed)
}

/// The posted routing, checked before any operation: every column it names must be one
/// the user may file into (else 403), its interval a whole number (else the form again,
/// 422). The interval is handed back apart, read.
async fn checked_routing(
    state: &AppState,
    console: &Console,
    values: &Values,
) -> Result<(Routing, Option<i64>), Refused> {
    let tree = column_tree(state).await.map_err(Refused::Answer)?;
    let mut routing = Routing::of(values);
    if !routing.allowed_for(&console.session.user, &tree) {
        return Err(Refused::Answer(not_allowed(state, console)));
    }
    match std::mem::replace(&mut routing.interval_secs, Ok(None)) {
        Ok(interval) => Ok((routing, interval)),
        Err(reason) => {
            Err(Refused::Fields(StatusCode::UNPROCESSABLE_ENTITY, vec![("interval_secs".to_owned(), reason)]))
        }
    }
}

async fn add(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    let (routing, interval_secs) = match checked_routing(&state, &console, &values).await {
        Ok(checked) => checked,
        Err(Refused::Fields(status, errors)) => {
            return list_answer(&state, &console, status, None, &values, &errors, None).await;
        }
        Err(Refused::Answer(answer)) => return answer,
    };
    let rules = match posted_rules(&values) {
        Ok(rules) => rules,
        Err(refused) => {
            return list_answer(&state, &console, StatusCode::UNPROCESSABLE_ENTITY, None, &values, &[refused], None)
                .await
        }
    };
    let form = SourceForm {
        outlet: values.optional("outlet"),
        url: Some(values.get("url").to_owned()),
        kind: values.optional("kind"),
        rules,
        full_text: Some(values.has("full_text", "on")),
        columns: Some(routing.columns),
        interval_secs,
        routes: routing.routes,
        include: routing.include,
        exclude: routing.exclude,
        review: values.optional("review"),
    };
    match state.operations.add_source(&actor(&console), form).await {
        Ok(source) => see_other(&format!("/admin/sources/{}?done=added", source.id)),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                list_answer(&state, &console, status, None, &values, &errors, None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

/// One source's page, if the user sees it: its edit form showing `values` (or the
/// source's own).
async fn source_answer(
    state: &AppState,
    console: &Console,
    id: i64,
    status: StatusCode,
    notice: Option<&str>,
    form: (Option<&Values>, &Errors),
) -> Response {
    let tree = match column_tree(state).await {
        Ok(tree) => tree,
        Err(answer) => return answer,
    };
    let user = &console.session.user;
    let source = match state.operations.source(id).await {
        Ok(Some(source)) if user.sees(&tree, &source.routing.target_ids()) => source,
        Ok(_) => return not_found(state, console),
        Err(error) => return failed(error),
    };
    let own = source_values(&tree, &source);
    let columns = tree_order(&tree, |c| user.sees(&tree, &[c.id]));
    let view = SourceView {
        tree: &tree,
        source: &source,
        columns: &columns,
        may_change: user.may_change(&tree, &source.routing.target_ids()),
        notice,
        form: Form { values: form.0.unwrap_or(&own), errors: form.1 },
        timezone: state.config.site.timezone,
    };
    page(status, source_page(&console.viewer(), &view))
}

async fn show(
    State(state): State<AppState>,
    console: Console,
    Params(id): Params<Number>,
    Query(done): Query<Done>,
) -> Response {
    source_answer(&state, &console, id.get(), StatusCode::OK, done.notice(&console), (None, &[])).await
}

/// Refuses (403) a user who may not change this source as it is (one that does not
/// exist is left to the operation: 404).
async fn may_change(state: &AppState, console: &Console, id: i64) -> Result<(), Response> {
    let tree = column_tree(state).await?;
    match state.operations.source(id).await {
        Ok(Some(source)) if !console.session.user.may_change(&tree, &source.routing.target_ids()) => {
            Err(not_allowed(state, console))
        }
        Ok(_) => Ok(()),
        Err(error) => Err(failed(error)),
    }
}

async fn edit(State(state): State<AppState>, Params(id): Params<Number>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Err(refused) = may_change(&state, &console, id.get()).await {
        return refused;
    }
    let (routing, interval_secs) = match checked_routing(&state, &console, &values).await {
        Ok(checked) => checked,
        Err(Refused::Fields(status, errors)) => {
            return source_answer(&state, &console, id.get(), status, None, (Some(&values), &errors)).await;
        }
        Err(Refused::Answer(answer)) => return answer,
    };
    let rules = match posted_rules(&values) {
        Ok(rules) => rules.or_else(|| Some(Default::default())),
        Err(refused) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return source_answer(&state, &console, id.get(), status, None, (Some(&values), &[refused])).await;
        }
    };
    let edit = SourceEdit {
        url: Some(values.get("url").to_owned()),
        rules,
        full_text: Some(values.has("full_text", "on")),
        interval_secs,
        columns: Some(routing.columns),
        routes: Some(routing.routes),
        include: Some(routing.include),
        exclude: Some(routing.exclude),
        review: values.optional("review"),
    };
    match state.operations.edit_source(&actor(&console), id.get(), edit).await {
        Ok(source) => see_other(&format!("/admin/sources/{}?done=saved", source.id)),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                source_answer(&state, &console, id.get(), status, None, (Some(&values), &errors)).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn poll(State(state): State<AppState>, Params(id): Params<Number>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Err(refused) = may_change(&state, &console, id.get()).await {
        return refused;
    }
    match state.operations.poll_source(&actor(&console), id.get()).await {
        Ok(Some(_)) => see_other(&format!("/admin/sources/{}?done=polled", id.get())),
        Ok(None) => not_found(&state, &console),
        Err(error) => failed(error),
    }
}

async fn remove(State(state): State<AppState>, Params(id): Params<Number>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Err(refused) = may_change(&state, &console, id.get()).await {
        return refused;
    }
    match state.operations.remove_source(&actor(&console), id.get()).await {
        Ok(()) => see_other("/admin/sources?done=removed"),
        Err(error) => match Refused::store(&state, &console, error) {
            Refused::Fields(status, errors) => {
                source_answer(&state, &console, id.get(), status, None, (None, &errors)).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

/// Previews what the add form's source would bring, under the form as it was posted.
async fn preview(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if console.session.user.role == Role::Viewer {
        return not_allowed(&state, &console);
    }
    let rules = match posted_rules(&values) {
        Ok(rules) => rules,
        Err(refused) => {
            return list_answer(&state, &console, StatusCode::UNPROCESSABLE_ENTITY, None, &values, &[refused], None)
                .await
        }
    };
    let form = SourcePreviewForm {
        url: Some(values.get("url").to_owned()),
        kind: values.optional("kind"),
        rules,
        full_text: Some(values.has("full_text", "on")),
        outlet: values.optional("outlet"),
        zone: None,
    };
    let preview = match state.operations.preview_source(form).await {
        Ok(preview) => Ok(preview),
        Err(error @ (PreviewError::Unreadable(_) | PreviewError::Busy)) => Err(error.to_string()),
        Err(PreviewError::Catalog(error)) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                return list_answer(&state, &console, status, None, &values, &errors, None).await
            }
            Refused::Answer(answer) => return answer,
        },
    };
    list_answer(&state, &console, StatusCode::OK, None, &values, &[], Some(&preview)).await
}
