//! The HTTP edge: routing, authentication, caching headers and error bodies. Handlers
//! are thin: they parse the request, call `operations` (public documents through its
//! `assemble::Assembler`), and shape the response. Only this module knows about HTTP;
//! it never holds the `Store` (checked by `tests/invariants.rs`).

mod admin;
mod articles;
mod audit;
mod auth;
mod body;
pub mod cache;
mod client_address;
mod console;
mod dashboard;
mod error;
mod feeds;
mod hub;
mod hub_callback;
mod ingest;
mod media;
mod metrics;
pub mod openapi;
mod pages;
mod params;
mod partners;
mod quarantine;
mod rate_limit;
mod representation;
mod review;
mod search;
mod server;
mod sitemaps;
mod sources;
mod users;
mod write_lane;
#[cfg(target_os = "linux")]
pub mod zero_copy;

pub use error::ApiError;

use crate::config::Config;
use crate::operations::Operations;
use crate::publish::Site;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// What every handler can reach: one reference, cloned for each request.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The parts of the application handlers use.
pub struct Services {
    /// Every read and write handlers make.
    pub operations: Operations,
    pub site: Arc<Site>,
    pub config: Arc<Config>,
    /// Per-token ingest rate limit, when configured.
    pub rate_limiter: Option<Arc<rate_limit::RateLimiter>>,
    /// Requests to the callbacks of syndic's own WebSub subscriptions, per subscription.
    pub callback_limiter: rate_limit::RateLimiter,
    /// Room for the bodies of large requests in flight.
    pub bodies: body::BodyBudget,
    /// Rendered public documents, and what keeps them current.
    pub cache: Arc<cache::RenderCache>,
    pub cache_follower: Arc<cache::follow::CacheFollower>,
    /// Client connections: their cap, and those closed for being slow or idle.
    pub connections: Arc<server::Connections>,
}

impl AppState {
    pub fn new(operations: Operations) -> AppState {
        let (site, config) = (operations.site().clone(), operations.config().clone());
        let rate_limiter = config.rate_limit_per_minute.map(|n| Arc::new(rate_limit::RateLimiter::new(n)));
        let bodies = body::BodyBudget::new(config.body_budget_bytes);
        let freshness =
            cache::freshness::Freshness { stale: config.render_cache_stale, coalesce: config.render_cache_coalesce };
        let cache = Arc::new(cache::RenderCache::new(config.render_cache_bytes, freshness));
        let cache_follower = Arc::new(cache::follow::CacheFollower::new(operations.change_clock(), cache.clone()));
        let connections = Arc::new(server::Connections::new(config.connections));
        AppState(Arc::new(Services {
            operations,
            site,
            config,
            rate_limiter,
            callback_limiter: hub_callback::limiter(),
            bodies,
            cache,
            cache_follower,
            connections,
        }))
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(console::router(&state))
        .merge(admin::router())
        .merge(sources::router())
        .merge(quarantine::router())
        .merge(review::router())
        .merge(articles::router())
        .merge(dashboard::router())
        .merge(ingest::router())
        .merge(hub::router(state.config.notify.indexnow_key.as_deref()))
        .merge(hub_callback::router())
        .merge(partners::router())
        .merge(search::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(feeds::router())
        .merge(sitemaps::router())
        .merge(media::router())
        .merge(pages::router())
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::serve))
        .route("/metrics", get(metrics::metrics))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::keep_rendered))
        .layer(axum::middleware::from_fn(error::json_refusals))
        .layer(axum::middleware::map_response(representation::forbid_sniffing))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

/// Operations served here: health, metrics and the description itself; and the
/// IndexNow key file, routed by `hub` when IndexNow is configured.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, metrics::metrics, openapi::serve, hub::indexnow_key_file))]
struct Api;

/// Health check
///
/// 200 when the database answers. Not cached.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Healthy: `ok`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 503, description = "The database is unreachable (`database unreachable`).", body = error::ErrorBody),
    ),
)]
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, ApiError> {
    state.operations.ping().await.map_err(|_| ApiError::Unavailable("database unreachable".into()))?;
    Ok("ok\n")
}

/// Serves the application on `listener` until `shutdown` completes, then lets
/// in-flight requests finish (`server`). The render cache follows changes meanwhile.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    // Held in a set so that it stops with this future, however that ends.
    let mut follower = tokio::task::JoinSet::new();
    follower.spawn(state.cache_follower.clone().run());
    let app = cache::CacheFront::new(state.clone(), router(state.clone()));
    server::run(listener, app, state.connections.clone(), shutdown).await;
    // Gone before the caller closes the pool it reads.
    follower.shutdown().await;
}
