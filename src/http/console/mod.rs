//! The newsroom console's routes under `/admin/`: login and logout, the console home,
//! the user's own account, and the stylesheet. Pages are `crate::console`'s; who is
//! signed in, and whether a form may change anything, is `session`'s. Later sections
//! add their routes to `router` behind the same guard and take `Console` or
//! `CsrfForm<T>` (see `session`).

mod articles;
mod audit;
mod catalog;
mod corrections;
mod dashboard;
mod quarantine;
mod review;
mod session;

pub use session::{Console, CsrfForm};

use super::client_address::ClientAddress;
use super::representation::page_headers;
use super::AppState;
use crate::catalog::CatalogError;
use crate::console::{self, account_page, labels, login_page, refusal_page, AccountView, Labels, LoginView, Refusal};
use crate::domain::session::{new_secret, ConsoleLanguage};
use crate::domain::text::make_xml_safe;
use crate::operations::{LoginAttempt, LoginOutcome};
use crate::publish::html::Page;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use session::{from_elsewhere, user_agent, Cookies};

/// How long browsers keep the stylesheet: a year (its address changes with it).
const STYLESHEET_MAX_AGE: u32 = 365 * 24 * 3600;

pub fn router(state: &AppState) -> Router<AppState> {
    let guarded = Router::new()
        .merge(dashboard::router())
        .merge(articles::router())
        .merge(corrections::router())
        .merge(quarantine::router())
        .merge(review::router())
        .merge(audit::router())
        .route("/admin/logout", post(logout))
        .route("/admin/account", get(account))
        .route("/admin/account/language", post(set_language))
        .route("/admin/account/password", post(change_password))
        .merge(catalog::router())
        .route("/admin/{*rest}", get(not_found).post(not_found))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), session::guard));
    Router::new()
        .route("/admin", get(|| async { see_other("/admin/") }))
        .route("/admin/login", get(login_form).post(login))
        .route(console::STYLESHEET_ROUTE, get(stylesheet))
        .merge(guarded)
        .layer(axum::middleware::from_fn_with_state(state.clone(), readable_refusals))
        .layer(axum::middleware::map_response(session::no_store))
        .layer(DefaultBodyLimit::max(session::MAX_FORM_BYTES))
}

/// 303 See Other to `location` (after a form, or to the login page).
fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/admin/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A console page with its security headers. Whatever it echoes (a filter typed into
/// the address, a refused form's values), it holds no character an HTML or XML reader
/// refuses: they are dropped here, once, for every console page.
fn page(status: StatusCode, page: Page) -> Response {
    let mut headers = page_headers(&page);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let mut html = page.html;
    make_xml_safe(&mut html);
    (status, headers, html).into_response()
}

/// The page of a refusal (403: nothing was changed; 404).
fn refusal(state: &AppState, labels: &'static Labels, refusal: Refusal) -> Response {
    let status = match refusal {
        Refusal::Forbidden | Refusal::NotAllowed => StatusCode::FORBIDDEN,
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Unreadable => StatusCode::BAD_REQUEST,
    };
    page(status, refusal_page(labels, &state.config.site.name, refusal))
}

/// A request the extractors could not read (a path id that is no number, a duplicated
/// query field, a malformed or oversized form, another content type) is answered by
/// axum in plain text; a person in the console gets the console's page instead, with
/// the same status.
async fn readable_refusals(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    if !(response.status().is_client_error() && plain) {
        return response;
    }
    let status = response.status();
    let mut answer = refusal(&state, site_labels(&state), Refusal::Unreadable);
    *answer.status_mut() = status;
    answer
}

/// The labels of the site's language, for whoever is not signed in.
fn site_labels(state: &AppState) -> &'static Labels {
    labels::for_language(console::language_of(None, &state.config.site.language))
}

/// Where a login may lead: a console path, and nothing that a browser could read as
/// another site (`//host`, `/\host`) or that carries control characters.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|next| {
        next.starts_with("/admin/")
            && !next.contains('\\')
            && !next.split(['/', '?', '#']).any(|segment| segment == ".." || segment == ".")
            && !next.contains("//")
            && !next.to_ascii_lowercase().contains("%2e")
            && !next.to_ascii_lowercase().contains("%2f")
            && !next.chars().any(char::is_control)
            && !next.starts_with("/admin/login")
    })
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// The login form, with a fresh pre-session token in a cookie and in the form.
async fn login_form(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let next = safe_next(query.next.as_deref());
    login_answer(&state, StatusCode::OK, "", next, None)
}

/// The login page, answered with `status`, and a new login token.
fn login_answer(
    state: &AppState,
    status: StatusCode,
    username: &str,
    next: Option<&str>,
    message: Option<String>,
) -> Response {
    let cookies = Cookies::new(&state.config.base_url);
    let login_token = new_secret();
    let view = LoginView {
        site_name: &state.config.site.name,
        labels: site_labels(state),
        username,
        next,
        login_token: &login_token,
        message,
    };
    let mut response = page(status, login_page(&view));
    response.headers_mut().append(header::SET_COOKIE, cookies.set_login_token(&login_token));
    response
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_token: String,
    next: Option<String>,
}

/// Signs in: a form from this site (its origin, and the login token of its cookie),
/// then `Operations::login`. Success: a new session, 303 into the console; refusal:
/// the form again with one message whatever was wrong (401); too many failures: 429
/// with `Retry-After`.
async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let cookies = Cookies::new(&state.config.base_url);
    let labels = site_labels(&state);
    let next = safe_next(form.next.as_deref());
    let token_matches = cookies
        .login_token(&headers)
        .is_some_and(|cookie| crate::domain::token::constant_time_eq(cookie, &form.login_token));
    if from_elsewhere(&headers, &state.config.base_url) || !token_matches {
        let message = Some(labels.forbidden_text.to_owned());
        return login_answer(&state, StatusCode::FORBIDDEN, &form.username, next, message);
    }
    let attempt = LoginAttempt {
        username: form.username.clone(),
        password: form.password,
        address: client.to_string(),
        user_agent: user_agent(&headers),
    };
    let outcome = match state.operations.login(attempt, cookies.session_id(&headers)).await {
        Ok(outcome) => outcome,
        Err(error) => return super::ApiError::from(error).into_response(),
    };
    match outcome {
        LoginOutcome::SignedIn { session_id, .. } => {
            let mut response = see_other(next.unwrap_or("/admin/"));
            response.headers_mut().append(header::SET_COOKIE, cookies.set_session(&session_id));
            response.headers_mut().append(header::SET_COOKIE, cookies.clear_login_token());
            response
        }
        LoginOutcome::Refused => {
            let message = Some(labels.login_refused.to_owned());
            login_answer(&state, StatusCode::UNAUTHORIZED, &form.username, next, message)
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            let message = Some(Labels::fill(labels.login_throttled, retry_after_secs.div_ceil(60)));
            let mut response = login_answer(&state, StatusCode::TOO_MANY_REQUESTS, &form.username, next, message);
            response.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
    }
}

/// No fields but the CSRF token.
#[derive(Deserialize)]
struct NoFields {}

/// Signs out: the session is deleted (its id is refused from now on, on every
/// instance) and the cookie cleared.
async fn logout(State(state): State<AppState>, CsrfForm(console, NoFields {}): CsrfForm<NoFields>) -> Response {
    if let Err(error) = state.operations.logout(&console.session).await {
        return super::ApiError::from(error).into_response();
    }
    let mut response = see_other("/admin/login");
    response.headers_mut().append(header::SET_COOKIE, Cookies::new(&state.config.base_url).clear_session());
    response
}

async fn not_found(State(state): State<AppState>, console: Console) -> Response {
    refusal(&state, console.labels, Refusal::NotFound)
}

#[derive(Deserialize)]
struct AccountQuery {
    saved: Option<String>,
}

/// The user's account page; `?saved=language|password` confirms a change just made.
async fn account(State(state): State<AppState>, console: Console, Query(query): Query<AccountQuery>) -> Response {
    let notice = match query.saved.as_deref() {
        Some("language") => Some(console.labels.saved),
        Some("password") => Some(console.labels.password_changed),
        _ => None,
    };
    account_answer(&state, &console, StatusCode::OK, notice, &[]).await
}

/// The account page answered with `status`: with the user's sessions, a notice of what
/// was saved, or the refusals of the password form.
async fn account_answer(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    notice: Option<&str>,
    errors: &[(&str, String)],
) -> Response {
    let sessions = match state.operations.own_sessions(&console.session).await {
        Ok(sessions) => sessions,
        Err(error) => return super::ApiError::from(error).into_response(),
    };
    let view = AccountView {
        language: console.session.user.language,
        sessions: &sessions,
        timezone: state.config.site.timezone,
        notice,
        errors,
    };
    page(status, account_page(&console.viewer(), &view))
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    language: String,
}

/// Sets the user's console language: `zh`, `en`, or empty for the site's.
async fn set_language(State(state): State<AppState>, CsrfForm(console, form): CsrfForm<LanguageForm>) -> Response {
    let language = match form.language.trim() {
        "" => None,
        given => match ConsoleLanguage::parse(given) {
            Ok(language) => Some(language),
            Err(reason) => {
                let errors = [("language", reason)];
                return account_answer(&state, &console, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await;
            }
        },
    };
    match state.operations.set_own_language(&console.session, language).await {
        Ok(_) => see_other("/admin/account?saved=language"),
        Err(error) => super::ApiError::from(error).into_response(),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the user's own password, given the current one; every session of the user
/// ends, and this browser continues in a new one.
async fn change_password(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    CsrfForm(console, form): CsrfForm<PasswordForm>,
) -> Response {
    let changed = state
        .operations
        .change_own_password(
            &console.session,
            form.current_password,
            form.new_password,
            &client.to_string(),
            &user_agent(&headers),
        )
        .await;
    match changed {
        Ok(session_id) => {
            let mut response = see_other("/admin/account?saved=password");
            response
                .headers_mut()
                .append(header::SET_COOKIE, Cookies::new(&state.config.base_url).set_session(&session_id));
            response
        }
        Err(CatalogError::Invalid(fields)) => {
            let errors: Vec<(&str, String)> = fields
                .iter()
                .map(|(field, reason)| {
                    (if field == "password" { "new_password" } else { "current_password" }, reason.clone())
                })
                .collect();
            account_answer(&state, &console, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await
        }
        Err(error) => super::ApiError::from(error).into_response(),
    }
}

/// The console's stylesheet, cached for a year: pages name it by a digest of its content.
async fn stylesheet() -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_str(&format!("public, max-age={STYLESHEET_MAX_AGE}, immutable")).expect("a number"),
        ),
    ];
    (headers, console::STYLESHEET).into_response()
}
