//! `/admin/outlets`: the list for everyone; adding and changing outlets and their
//! ingest tokens for admins, as on `/api/v1/outlets`. A new token is shown in the
//! answer to the form that made it.

use super::{actor, failed, not_found, page, see_other, unless_admin, Done, Posted, Refused};
use crate::catalog::{DomainsForm, OutletEdit, OutletForm};
use crate::console::catalog::{outlet_page, outlets_page, OutletView, OutletsView};
use crate::console::form::{Errors, Form, Values};
use crate::domain::domains::OutletDomains;
use crate::domain::{Outlet, Role};
use crate::http::console::Console;
use crate::http::params::{Number, Params};
use crate::http::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/outlets", get(list).post(add))
        .route("/admin/outlets/{slug}", get(show).post(edit))
        .route("/admin/outlets/{slug}/tokens", post(issue_token))
        .route("/admin/outlets/{slug}/tokens/{id}/revoke", post(revoke_token))
}

/// The outlets page: with the add form's `values` and refusals, or the outlet just
/// added and its first token.
async fn list_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    form: (&Values, &Errors),
    created: Option<(&Outlet, &str)>,
) -> Response {
    let (outlets, editors) = match (state.operations.outlets().await, editor_options(state).await) {
        (Ok(outlets), Ok(editors)) => (outlets, editors),
        (Err(error), _) | (_, Err(error)) => return failed(error),
    };
    let view = OutletsView {
        editors: &editors,
        outlets: &outlets,
        may_change: console.session.user.role == Role::Admin,
        notice,
        form: Form { values: form.0, errors: form.1 },
        created,
        timezone: state.config.site.timezone,
    };
    page(status, outlets_page(&console.viewer(), &view))
}

/// The users who may be an outlet's default responsible editor, as the form's choices
/// (username, real name).
async fn editor_options(state: &AppState) -> Result<Vec<(String, String)>, crate::store::StoreError> {
    let editors = state.operations.responsible_editors().await?;
    Ok(editors.into_iter().map(|u| (u.username.to_string(), format!("{} ({})", u.real_name, u.username))).collect())
}

/// The values a new outlet's form starts with: the defaults the API applies.
fn new_outlet_values() -> Values {
    let mut values = Values::default();
    values.set("review", "auto");
    values.set("indexing", "self");
    values.set("feed_content", "full");
    values.set("partner_content", "full");
    values
}

async fn list(State(state): State<AppState>, console: Console, Query(done): Query<Done>) -> Response {
    let values = new_outlet_values();
    list_answer(&state, &console, StatusCode::OK, done.notice(&console), (&values, &[]), None).await
}

/// The domains field as written: names separated by spaces or commas, `any`, or
/// nothing for the homepage's.
fn domains(values: &Values) -> Option<DomainsForm> {
    let written = values.get("domains");
    let names: Vec<String> = written
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    match names.as_slice() {
        [] => None,
        [word] if word == "any" => Some(DomainsForm::Keyword(word.clone())),
        _ => Some(DomainsForm::Names(names)),
    }
}

async fn add(State(state): State<AppState>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let form = OutletForm {
        slug: Some(values.get("slug").to_owned()),
        name: Some(values.get("name").to_owned()),
        homepage: Some(values.get("homepage").to_owned()),
        language: values.optional("language"),
        timezone: values.optional("timezone"),
        rights: values.optional("rights"),
        indexing: values.optional("indexing"),
        feed_content: values.optional("feed_content"),
        partner_content: values.optional("partner_content"),
        domains: domains(&values),
        licensed: Some(values.has("licensed", "on")),
        licence_ref: values.optional("licence_ref"),
        allow_repost: Some(!values.has("no_repost", "on")),
        repost_terms: values.optional("repost_terms"),
        review: values.optional("review"),
        default_editor: values.optional("default_editor"),
        keep_images: Some(values.has("keep_images", "on")),
    };
    match state.operations.add_outlet(&actor(&console), form).await {
        Ok((outlet, token)) => {
            let fresh = new_outlet_values();
            list_answer(&state, &console, StatusCode::CREATED, None, (&fresh, &[]), Some((&outlet, &token))).await
        }
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                list_answer(&state, &console, status, None, (&values, &errors), None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

/// An outlet's values as its edit form shows them.
fn outlet_values(outlet: &Outlet) -> Values {
    let mut values = Values::default();
    values.set("name", outlet.name.clone());
    values.set("homepage", outlet.homepage.clone());
    values.set("language", outlet.language.clone().unwrap_or_default());
    values.set("timezone", outlet.timezone.name());
    values.set("rights", outlet.rights.clone().unwrap_or_default());
    values.set("indexing", outlet.indexing.as_str());
    values.set("feed_content", outlet.grants.feeds.as_str());
    values.set("partner_content", outlet.grants.partners.as_str());
    let domains = match &outlet.domains {
        OutletDomains::OfHomepage => String::new(),
        OutletDomains::Listed(names) => names.join(" "),
        OutletDomains::Any => "any".to_owned(),
    };
    values.set("domains", domains);
    let reposting = &outlet.reposting;
    let ticks =
        [("licensed", reposting.licensed), ("no_repost", !reposting.allow_repost), ("keep_images", outlet.keep_images)];
    for (name, ticked) in ticks {
        if ticked {
            values.set(name, "on");
        }
    }
    values.set("licence_ref", reposting.licence_ref.clone().unwrap_or_default());
    values.set("repost_terms", reposting.terms.clone().unwrap_or_default());
    values.set("review", outlet.review.as_str());
    values.set("default_editor", outlet.default_editor.as_ref().map(|u| u.to_string()).unwrap_or_default());
    values
}

/// One outlet's page: its edit form showing `values` (or the outlet's own), its tokens,
/// and a token just issued.
async fn outlet_answer(
    state: &AppState,
    console: &Console,
    slug: &str,
    status: StatusCode,
    form: (Option<&Values>, &Errors),
    notice: Option<&str>,
    issued: Option<&str>,
) -> Response {
    let outlet = match state.operations.outlet(slug).await {
        Ok(outlet) => outlet,
        Err(crate::store::StoreError::NotFound(_)) => return not_found(state, console),
        Err(error) => return failed(error),
    };
    let (tokens, editors) = match (state.operations.outlet_tokens(slug).await, editor_options(state).await) {
        (Ok(tokens), Ok(editors)) => (tokens, editors),
        (Err(error), _) | (_, Err(error)) => return failed(error),
    };
    let own = outlet_values(&outlet);
    let view = OutletView {
        editors: &editors,
        outlet: &outlet,
        tokens: &tokens,
        notice,
        form: Form { values: form.0.unwrap_or(&own), errors: form.1 },
        issued,
        timezone: state.config.site.timezone,
    };
    page(status, outlet_page(&console.viewer(), &view))
}

async fn show(
    State(state): State<AppState>,
    console: Console,
    Params(slug): Params<String>,
    Query(done): Query<Done>,
) -> Response {
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    outlet_answer(&state, &console, &slug, StatusCode::OK, (None, &[]), done.notice(&console), None).await
}

async fn edit(State(state): State<AppState>, Params(slug): Params<String>, posted: Posted) -> Response {
    let (console, values) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    let edit = OutletEdit {
        name: Some(values.get("name").to_owned()),
        homepage: Some(values.get("homepage").to_owned()),
        language: Some(values.optional("language")),
        timezone: Some(values.get("timezone").to_owned()),
        rights: Some(values.optional("rights")),
        indexing: Some(values.get("indexing").to_owned()),
        feed_content: Some(values.get("feed_content").to_owned()),
        partner_content: Some(values.get("partner_content").to_owned()),
        domains: Some(domains(&values)),
        licensed: Some(values.has("licensed", "on")),
        licence_ref: Some(values.optional("licence_ref")),
        allow_repost: Some(!values.has("no_repost", "on")),
        repost_terms: Some(values.optional("repost_terms")),
        review: values.optional("review"),
        default_editor: Some(values.optional("default_editor")),
        keep_images: Some(values.has("keep_images", "on")),
    };
    match state.operations.edit_outlet(&actor(&console), &slug, edit).await {
        Ok(outlet) => see_other(&format!("/admin/outlets/{}?done=saved", outlet.slug)),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                outlet_answer(&state, &console, &slug, status, (Some(&values), &errors), None, None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn issue_token(State(state): State<AppState>, Params(slug): Params<String>, posted: Posted) -> Response {
    let (console, _) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    match state.operations.issue_outlet_token(&actor(&console), &slug).await {
        Ok(token) => outlet_answer(&state, &console, &slug, StatusCode::CREATED, (None, &[]), None, Some(&token)).await,
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                outlet_answer(&state, &console, &slug, status, (None, &errors), None, None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    Params((slug, id)): Params<(String, Number)>,
    posted: Posted,
) -> Response {
    let (console, _) = posted.into_parts();
    if let Some(refused) = unless_admin(&state, &console) {
        return refused;
    }
    match state.operations.revoke_outlet_token(&actor(&console), &slug, id.get()).await {
        Ok(()) => see_other(&format!("/admin/outlets/{slug}?done=revoked")),
        Err(error) => match Refused::of(&state, &console, error) {
            Refused::Fields(status, errors) => {
                outlet_answer(&state, &console, &slug, status, (None, &errors), None, None).await
            }
            Refused::Answer(answer) => answer,
        },
    }
}
