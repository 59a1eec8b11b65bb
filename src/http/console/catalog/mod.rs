//! The console's catalogue routes: columns, outlets, sources, partners, users. Each
//! handler applies the role and column scope the admin API applies to the same change
//! (see ARCHITECTURE "Who may use each admin route"), calls the same operation as the
//! signed-in user, and answers a form the PRG way: 303 to the page with `?done=` on
//! success, the page again with each refusal beside its field otherwise. A new token is
//! shown in the answer to its form, never in a redirect (console answers are `no-store`).

mod columns;
mod outlets;
mod partners;
mod sources;
mod users;

use super::{page, refusal, see_other, Console, CsrfForm};
use crate::catalog::CatalogError;
use crate::console::form::Values;
use crate::console::{CatalogLabels, Refusal};
use crate::domain::{Actor, Role};
use crate::http::{ApiError, AppState};
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(columns::router())
        .merge(outlets::router())
        .merge(sources::router())
        .merge(partners::router())
        .merge(users::router())
}

/// A console form's fields, in order, names repeating for checkboxes and rows.
type Posted = CsrfForm<Vec<(String, String)>>;

impl Posted {
    fn into_parts(self) -> (Console, Values) {
        let CsrfForm(console, pairs) = self;
        (console, Values::new(pairs))
    }
}

/// `?done=KEY`: what the redirect after a form reports.
#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

impl Done {
    fn notice(&self, console: &Console) -> Option<&'static str> {
        self.done.as_deref().and_then(|key| CatalogLabels::of(console.labels).done(key))
    }
}

/// Who the console user's changes are recorded as.
fn actor(console: &Console) -> Actor {
    Actor::User { username: console.session.user.username.to_string() }
}

/// 403 with nothing changed: what the user's role or columns do not allow.
fn not_allowed(state: &AppState, console: &Console) -> Response {
    refusal(state, console.labels, Refusal::NotAllowed)
}

/// The refusal (403) of anyone but an admin, as the admin API's `Admin` refuses them;
/// `None` for an admin.
pub(in crate::http::console) fn unless_admin(state: &AppState, console: &Console) -> Option<Response> {
    (console.session.user.role != Role::Admin).then(|| not_allowed(state, console))
}

/// What became of a refused form: the reasons to show beside its fields with the status
/// to answer, or an answer of its own (404, an internal error).
enum Refused {
    Fields(StatusCode, Vec<(String, String)>),
    Answer(Response),
}

impl Refused {
    fn of(state: &AppState, console: &Console, error: CatalogError) -> Refused {
        let fields = |errors: crate::domain::FieldErrors| errors.iter().map(|(f, r)| (f.clone(), r.clone())).collect();
        match error {
            CatalogError::Invalid(errors) => Refused::Fields(StatusCode::UNPROCESSABLE_ENTITY, fields(errors)),
            CatalogError::Conflicting(errors) => Refused::Fields(StatusCode::CONFLICT, fields(errors)),
            CatalogError::Conflict(message) => Refused::Fields(StatusCode::CONFLICT, vec![(String::new(), message)]),
            CatalogError::NotFound(_) => Refused::Answer(refusal(state, console.labels, Refusal::NotFound)),
            other => Refused::Answer(ApiError::from(other).into_response()),
        }
    }

    fn store(state: &AppState, console: &Console, error: StoreError) -> Refused {
        Refused::of(state, console, CatalogError::from(error))
    }
}

/// An internal failure: logged, answered 500 (by `ApiError`).
fn failed(error: impl Into<ApiError>) -> Response {
    error.into().into_response()
}

/// The 404 page of the console.
fn not_found(state: &AppState, console: &Console) -> Response {
    refusal(state, console.labels, Refusal::NotFound)
}
