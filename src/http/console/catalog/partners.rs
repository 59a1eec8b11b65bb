//! `/admin/partners` (admins, as `/api/v1/partners`): the list, adding a partner (its
//! read token shown in the answer), revoking one.

use super::{actor, failed, page, see_other, unless_admin, Done, Posted, Refused};
use crate::catalog::PartnerForm;
use crate::console::catalog::{partners_page, tree_order, PartnersView};
use crate::console::form::{Errors, Form, Values};
use crate::http::console::Console;
use crate::http::params::{Number, Params};
use crate::http::AppState;
use crate::store::partners::Partner;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/partners", get(list).post(add)).route("/admin/partners/{id}/revoke", post(revoke))
}

async fn list_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    form: (&Values, &Errors),
    created: Option<(&Partner, &str)>,
) -> Response {
    let (tree, partners) = match (state.operations.column_tree().await, state.operations.partners().await) {
        (Ok(tree), Ok(partners)) => (tree, partners),
        (Err(error), _) | (_, Err(error)) => return failed(error),
    };
    let columns = tree_order(&tree, |_| true);
    let view = PartnersView {
        tree: &tree,
        partners: &partners,
        columns: &columns,
        notice,
        form: Form { values: form.0, errors: form.1 },
        created,
        timezone: state.config.site.timezone,
    };
    page(status, partners_page(&console.viewer(), &view))
}

async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    list_answer(&state, &console, StatusCode::OK, done.notice(&console), (&Values::default(), &[]), None).await
}

async fn add(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let form = PartnerForm { name: Some(values.get("name").to_owned()), columns: Some(values.all("columns")) };
    match state.operations.add_partner(&actor(&console), form).await {
        Ok((partner, token)) => {
            let fresh = Values::default();
            list_answer(&state, &console, StatusCode::CREATED, None, (&fresh, &[]), Some((&partner, &token))).await
        }
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                list_answer(&state, &console, status, None, (&values, &errors), None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn revoke(State(state): State<AppState>, Params(id): Params<Number>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    match state.operations.revoke_partner(&actor(&console), id.get()).await {
        Ok(()) => see_other("/admin/partners?done=revoked"),
        Err(error) => match Refused::store(&state, &console, error) {
            Refused::Fields(status, errors) => {
                list_answer(&state, &console, status, None, (&Values::default(), &errors), None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}
