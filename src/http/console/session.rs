//! What every console request passes through: the session cookie, the guard that sends
//! a request without a live session to the login page and refuses a state-changing one
//! without its session's CSRF token, and the extractors console handlers take.
//!
//! CSRF follows OWASP's synchronizer token pattern: each session has a secret of its
//! own (`Session::csrf_secret`), every console form echoes it in a hidden field
//! (`console::csrf_field`), and the guard compares the two before any POST handler
//! runs, so that a page elsewhere cannot make a signed-in browser change anything. A
//! request whose `Origin` is another site's is refused as well (defence in depth).
//! A console page handler takes `Console`; a form handler takes `CsrfForm<T>`: one
//! line each, and nothing to forget.

use super::super::AppState;
use super::{refusal, see_other};
use crate::console::{self, language_of, Labels, Refusal, Viewer, CSRF_FIELD};
use crate::domain::token;
use crate::operations::Session;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Largest console form body read.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The cookies the console sets: named with the `__Host-` prefix on https (browsers then
/// insist on `Secure`, `Path=/` and no `Domain`, so no other host can set or shadow them).
pub struct Cookies {
    secure: bool,
}

/// The session cookie's name, without a prefix.
const SESSION_COOKIE: &str = "syndic_session";
/// The pre-session login token's cookie (double-submitted with the login form).
const LOGIN_COOKIE: &str = "syndic_login";
/// How long a login form stays usable (seconds).
const LOGIN_TOKEN_SECS: u32 = 3600;

impl Cookies {
    pub fn new(base_url: &str) -> Cookies {
        Cookies { secure: base_url.starts_with("https://") }
    }

    fn name(&self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    fn attributes(&self, same_site: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("Path=/; HttpOnly; SameSite={same_site}{secure}")
    }

    /// The session id the request carries.
    pub fn session_id<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        cookie(headers, &self.name(SESSION_COOKIE))
    }

    /// The login token the request carries.
    pub fn login_token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        cookie(headers, &self.name(LOGIN_COOKIE))
    }

    /// Sets the session cookie: for the browser's session, HttpOnly, `SameSite=Lax` (a
    /// link from elsewhere still opens the console signed in; a form posted from
    /// elsewhere carries no session), no `Domain`.
    pub fn set_session(&self, session_id: &str) -> HeaderValue {
        header_value(format!("{}={session_id}; {}", self.name(SESSION_COOKIE), self.attributes("Lax")))
    }

    pub fn clear_session(&self) -> HeaderValue {
        header_value(format!("{}=; Max-Age=0; {}", self.name(SESSION_COOKIE), self.attributes("Lax")))
    }

    pub fn set_login_token(&self, login_token: &str) -> HeaderValue {
        let attributes = self.attributes("Strict");
        header_value(format!("{}={login_token}; Max-Age={LOGIN_TOKEN_SECS}; {attributes}", self.name(LOGIN_COOKIE)))
    }

    pub fn clear_login_token(&self) -> HeaderValue {
        header_value(format!("{}=; Max-Age=0; {}", self.name(LOGIN_COOKIE), self.attributes("Strict")))
    }
}

/// Cookie values are hex digits: always a valid header.
fn header_value(text: String) -> HeaderValue {
    HeaderValue::from_str(&text).expect("cookie values are hex")
}

/// The value of the cookie `name` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether the request came from another site: an `Origin` header that is not ours.
/// (Browsers send one with every POST; its absence is left to the token checks.)
pub fn from_elsewhere(headers: &HeaderMap, base_url: &str) -> bool {
    let ours = url::Url::parse(base_url).map(|url| url.origin().ascii_serialization()).unwrap_or_default();
    headers.get(header::ORIGIN).is_some_and(|origin| origin.to_str().map_or(true, |origin| origin != ours))
}

/// The client's user agent, as it says.
pub fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// Marks a request whose form carried its session's CSRF token (set by `guard`).
#[derive(Clone, Copy)]
struct CsrfChecked;

/// Guards every console route but the login and the stylesheet: without a live session,
/// 303 to the login page (with `next`, for a page); a POST from another origin or
/// without the session's CSRF token, 403 with nothing changed. Answers are never stored
/// by caches (`Cache-Control: no-store`).
pub async fn guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let cookies = Cookies::new(&state.config.base_url);
    let session = match cookies.session_id(request.headers()) {
        Some(id) => match state.operations.session(id).await {
            Ok(session) => session,
            Err(error) => return super::super::ApiError::from(error).into_response(),
        },
        None => None,
    };
    let Some(session) = session else {
        let next = (request.method() == Method::GET).then(|| request.uri().path_and_query()).flatten();
        let login = match next {
            Some(next) => format!(
                "/admin/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_str().as_bytes()).collect::<String>()
            ),
            None => "/admin/login".to_owned(),
        };
        let mut response = see_other(&login);
        if cookies.session_id(request.headers()).is_some() {
            response.headers_mut().append(header::SET_COOKIE, cookies.clear_session());
        }
        return response;
    };
    let labels = labels_for(&state, &session);
    let (mut parts, body) = request.into_parts();
    let body = if parts.method == Method::POST {
        if from_elsewhere(&parts.headers, &state.config.base_url) {
            return refusal(&state, labels, Refusal::Forbidden);
        }
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return refusal(&state, labels, Refusal::Forbidden);
        };
        let given = url::form_urlencoded::parse(&bytes).find(|(key, _)| key == CSRF_FIELD).map(|(_, value)| value);
        if !given.is_some_and(|given| token::constant_time_eq(&given, &session.csrf_secret)) {
            return refusal(&state, labels, Refusal::Forbidden);
        }
        parts.extensions.insert(CsrfChecked);
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(session);
    next.run(Request::from_parts(parts, body)).await
}

/// Console answers are personal: never kept by a browser's or proxy's cache.
pub async fn no_store(mut response: Response) -> Response {
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The labels a session's user reads the console in.
pub fn labels_for(state: &AppState, session: &Session) -> &'static Labels {
    console::labels::for_language(language_of(Some(&session.user), &state.config.site.language))
}

/// The signed-in user of a console page (its session, found by `guard`).
pub struct Console {
    pub session: Session,
    pub labels: &'static Labels,
    state: AppState,
}

impl Console {
    /// The viewer the console frame shows.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            site_name: &self.state.config.site.name,
            user: &self.session.user,
            csrf: &self.session.csrf_secret,
            labels: self.labels,
        }
    }
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Only a route behind `guard` has a session; any other is sent to sign in.
        let session = parts.extensions.get::<Session>().cloned().ok_or_else(|| see_other("/admin/login"))?;
        let labels = labels_for(state, &session);
        Ok(Console { session, labels, state: state.clone() })
    }
}

/// The signed-in user and the form they posted, its CSRF token verified by `guard`.
pub struct CsrfForm<T>(pub Console, pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let console = Console::from_request_parts(&mut parts, state).await?;
        if parts.extensions.get::<CsrfChecked>().is_none() {
            return Err(refusal(state, console.labels, Refusal::Forbidden));
        }
        let request = Request::from_parts(parts, body);
        let axum::Form(form) =
            axum::Form::<T>::from_request(request, state).await.map_err(|rejection| rejection.into_response())?;
        Ok(CsrfForm(console, form))
    }
}
