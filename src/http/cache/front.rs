//! The application behind its render cache: a GET or HEAD the cache can answer is
//! answered here, before routing, with no more work than choosing the stored response.
//! A superseded document is answered with within the freshness contract, its successor
//! rendered in the background once changes have gathered; a reader that cannot be
//! answered waits for the one render of the document under way (`flight`), or leads it.
//! When this process wrote something the cache has not yet seen, it catches up first, so
//! that a client always reads its own writes (asking for the current document).

use super::documents::Lookup;
use super::flight::{Failure, Flights, Outcome, Rendered};
use super::freshness::wants_current;
use super::{cache_key, is_read, requested_page, Kept};
use crate::http::metrics::Arrived;
use crate::http::{ApiError, AppState};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::future::{BoxFuture, Either};
use std::convert::Infallible;
use std::future::Ready;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The longest a reader waits for another reader's render of the same document.
const RENDER_WAIT: Duration = Duration::from_secs(15);
/// The largest failed render shared with the readers who waited for it.
const MAX_SHARED_FAILURE: usize = 64 * 1024;

/// Marks a render the cache started for no reader (a stale document's successor): not
/// counted as a request.
#[derive(Debug, Clone, Copy)]
pub struct BackgroundRender;

#[derive(Clone)]
pub struct CacheFront {
    state: AppState,
    router: Router,
    flights: Flights,
}

impl CacheFront {
    pub fn new(state: AppState, router: Router) -> Self {
        CacheFront { state, router, flights: Flights::default() }
    }

    /// What the cache holds for `request`, under its key.
    fn look_up(&self, request: &Request) -> (String, Lookup) {
        let key = cache_key(request.uri().path(), requested_page(request)).into_owned();
        let lookup = self.state.cache.lookup(&key, !wants_current(request.headers()));
        (key, lookup)
    }

    /// Answers `request` with `prepared`, counted under the route that rendered it.
    fn answer(&self, request: &Request, prepared: &super::Prepared, route: &str, started: Instant) -> Response {
        let response = prepared.respond(request.headers());
        self.count(route, request.method(), &response, started);
        response
    }

    fn count(&self, route: &str, method: &Method, response: &Response, started: Instant) {
        self.state.operations.metrics().count_request(route, method.as_str(), response.status().as_str(), started);
    }

    /// Answers from the cache if it can; a stale answer starts its successor's render when due.
    fn answer_held(&self, request: &Request, key: &str, lookup: &Lookup, started: Instant) -> Option<Response> {
        match lookup {
            Lookup::Current(prepared, route) => Some(self.answer(request, prepared, route, started)),
            Lookup::Stale { prepared, route, renew } => {
                if let Some(version) = renew {
                    self.renew(key, *version, request.uri().clone());
                }
                Some(self.answer(request, prepared, route, started))
            }
            Lookup::Due(_) | Lookup::Unknown => None,
        }
    }

    /// Renders the successor of a stale document in the background, unless that is under way.
    fn renew(&self, key: &str, version: u64, uri: axum::http::Uri) {
        if self.flights.is_under_way(key, version) {
            return;
        }
        let front = self.clone();
        let key = key.to_owned();
        tokio::spawn(async move {
            let mut request = Request::new(Body::empty());
            *request.uri_mut() = uri;
            request.extensions_mut().insert(BackgroundRender);
            let epoch = front.state.cache.epoch();
            front.flights.render(&key, version, epoch, RENDER_WAIT, |_| front.route_shared(request, true)).await;
        });
    }

    /// A reader the cache cannot answer: it waits for the render of the document under
    /// way, or leads one. Requests that carry credentials render for themselves, as do
    /// readers of a path the cache never held whose render turns out not to be a document.
    async fn render(&self, request: Request, key: &str, lookup: Lookup, started: Instant) -> Response {
        let known = matches!(lookup, Lookup::Due(_));
        let version = match lookup {
            Lookup::Due(version) => version,
            _ => self.state.cache.epoch(),
        };
        if carries_credentials(&request) {
            return self.route(request).await;
        }
        let epoch = self.state.cache.epoch();
        let (method, uri, headers) = (request.method().clone(), request.uri().clone(), request.headers().clone());
        let rendered =
            self.flights.render(key, version, epoch, RENDER_WAIT, |_| self.route_shared(request, known)).await;
        match rendered {
            Rendered::Led(response) => response,
            Rendered::Waited(Outcome::Document(prepared, route)) => {
                let response = prepared.respond(&headers);
                self.count(&route, &method, &response, started);
                response
            }
            Rendered::Waited(Outcome::Failed(failure)) => failed(&failure),
            Rendered::Waited(Outcome::NotShared) => {
                let mut request = Request::new(Body::empty());
                *request.method_mut() = method;
                *request.headers_mut() = headers;
                *request.uri_mut() = uri;
                request.extensions_mut().insert(Arrived(started));
                self.route(request).await
            }
            Rendered::TimedOut => {
                ApiError::Unavailable("the document is being rendered; try again shortly".into()).into_response()
            }
        }
    }

    /// Routes `request` and says what readers waiting for it may be given: the document
    /// kept, or, for a path known to be a document (`known`), the failure of a GET.
    async fn route_shared(&self, request: Request, known: bool) -> (Response, Outcome) {
        let is_get = request.method() == Method::GET;
        let mut response = self.route(request).await;
        if let Some(Kept(prepared, route)) = response.extensions_mut().remove::<Kept>() {
            return (response, Outcome::Document(prepared, route));
        }
        if !(known && is_get && response.status().is_server_error()) {
            return (response, Outcome::NotShared);
        }
        let (parts, body) = response.into_parts();
        let Ok(body) = axum::body::to_bytes(body, MAX_SHARED_FAILURE).await else {
            return ((parts.status, "render failed").into_response(), Outcome::NotShared);
        };
        let mut headers = parts.headers;
        headers.remove(header::CONTENT_LENGTH);
        let failure = Arc::new(Failure { status: parts.status, headers, body });
        (failed(&failure), Outcome::Failed(failure))
    }

    async fn route(&self, request: Request) -> Response {
        let mut router = self.router.clone();
        match tower::Service::call(&mut router, request).await {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        }
    }
}

/// The answer of a failed render, for one more reader.
fn failed(failure: &Failure) -> Response {
    let mut response = Response::new(Body::from(failure.body.clone()));
    *response.status_mut() = failure.status;
    *response.headers_mut() = failure.headers.clone();
    response
}

/// Whether the request says who sends it: its answer may be personal, never shared.
fn carries_credentials(request: &Request) -> bool {
    request.headers().contains_key(header::AUTHORIZATION) || request.headers().contains_key(header::COOKIE)
}

impl tower::Service<Request> for CacheFront {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let readable = is_read(&request);
        // Behind this process's own writes, a reader that accepts a stale answer is answered
        // with what is held while the cache catches up; one asking for the current
        // document waits for the catch-up.
        let behind = readable && self.state.cache_follower.is_behind();
        let tolerant = behind && self.state.cache.serves_stale() && !wants_current(request.headers());
        if tolerant {
            self.state.cache_follower.catch_up_soon();
        }
        let held = (readable && (!behind || tolerant)).then(|| self.look_up(&request));
        if let Some((key, lookup)) = &held {
            if let Some(response) = self.answer_held(&request, key, lookup, started) {
                return Either::Left(std::future::ready(Ok(response)));
            }
        }
        let front = self.clone();
        Either::Right(Box::pin(async move {
            request.extensions_mut().insert(Arrived(started));
            if !readable {
                return Ok(crate::http::write_lane::route(front.router.clone(), request).await);
            }
            let (key, lookup) = match held {
                Some(held) => held,
                None => {
                    if let Err(error) = front.state.cache_follower.catch_up_if_behind().await {
                        tracing::error!(%error, "render cache cannot read the change clock");
                    }
                    let (key, lookup) = front.look_up(&request);
                    if let Some(response) = front.answer_held(&request, &key, &lookup, started) {
                        return Ok(response);
                    }
                    (key, lookup)
                }
            };
            Ok(front.render(request, &key, lookup, started).await)
        }))
    }
}
