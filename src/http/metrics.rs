//! `/metrics` for Prometheus, and the middleware that counts and times every request
//! by route (the route pattern, not the path, so that series stay few).
//! Scraping needs the admin token (Prometheus: `authorization: {credentials_file: …}`):
//! the figures describe the deployment, which is nobody else's business.

use super::auth::Admin;
use super::cache::BackgroundRender;
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::metrics::write_single;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// When a request reached the application, before the render cache and routing: its
/// time is counted from there.
#[derive(Debug, Clone, Copy)]
pub struct Arrived(pub Instant);

/// Counts the request and times it up to its response head (not the renders the cache
/// starts by itself: no reader asked for them).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.extensions().get::<BackgroundRender>().is_some() {
        return next.run(request).await;
    }
    let started = request.extensions().get::<Arrived>().map_or_else(Instant::now, |arrived| arrived.0);
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", |p| p.as_str());
    state.operations.metrics().count_request(route, method.as_str(), response.status().as_str(), started);
    response
}

/// Prometheus metrics of this instance
///
/// Prometheus text exposition format 0.0.4: `syndic_http_requests_total{route,method,status}`,
/// `syndic_http_request_duration_seconds{route}` (histogram), `syndic_render_cache_hits_total`,
/// `_misses_total`, `_stale_total`, `_renders_total`, `_evictions_total`, `syndic_render_cache_documents`,
/// `syndic_render_cache_bytes`, `syndic_polls_total{outcome}`,
/// `syndic_articles_ingested_total{outcome}`, `syndic_queue_length{queue}`,
/// `syndic_db_connections{state}`, `syndic_db_connections_max`,
/// `syndic_body_budget_bytes{state}`. Each instance counts for itself.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(("admin" = [])),
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = CONTENT_TYPE),
        (
            status = 401,
            description = "No admin token (`missing or invalid bearer token`).",
            body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`")),
        ),
        (status = 403, description = "The admin API is off: no admin token is configured.", body = ErrorBody),
        (status = 500, description = "An internal error (logged, never described to the client).", body = ErrorBody),
    ),
)]
pub async fn metrics(_: Admin, State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut out = String::with_capacity(16 * 1024);
    state.operations.metrics().render(&mut out);
    let cache = &state.cache.counters;
    let counter = |value: &std::sync::atomic::AtomicU64| [("", value.load(Ordering::Relaxed) as f64)];
    write_single(
        &mut out,
        "counter",
        "syndic_render_cache_hits_total",
        "Requests answered from the render cache.",
        &counter(&cache.hits),
    );
    write_single(
        &mut out,
        "counter",
        "syndic_render_cache_misses_total",
        "Requests the render cache could not answer: they waited for a render, or rendered.",
        &counter(&cache.misses),
    );
    write_single(
        &mut out,
        "counter",
        "syndic_render_cache_stale_total",
        "Requests answered with a superseded document while its successor rendered (the freshness contract).",
        &counter(&cache.stale),
    );
    write_single(
        &mut out,
        "counter",
        "syndic_render_cache_renders_total",
        "Documents rendered: one per version however many readers waited for it.",
        &counter(&cache.renders),
    );
    write_single(
        &mut out,
        "counter",
        "syndic_render_cache_evictions_total",
        "Documents superseded by a change, or dropped over budget.",
        &counter(&cache.evictions),
    );
    let connections = &state.connections;
    write_single(
        &mut out,
        "gauge",
        "syndic_http_connections",
        "Client connections open.",
        &[("", connections.open() as f64)],
    );
    write_single(
        &mut out,
        "gauge",
        "syndic_http_connections_max",
        "Most client connections held at once; at the cap idle ones make room.",
        &[("", connections.max() as f64)],
    );
    let closed = &connections.counters;
    let load = |value: &std::sync::atomic::AtomicU64| value.load(Ordering::Relaxed) as f64;
    write_single(
        &mut out,
        "counter",
        "syndic_http_connections_closed_total",
        "Client connections the server closed: timed out, shed to make room at the cap, or refused there.",
        &[
            ("{reason=\"header_timeout\"}", load(&closed.header_timeout)),
            ("{reason=\"idle_timeout\"}", load(&closed.idle_timeout)),
            ("{reason=\"body_timeout\"}", load(&closed.body_timeout)),
            ("{reason=\"send_timeout\"}", load(&closed.send_timeout)),
            ("{reason=\"shed\"}", load(&closed.shed)),
            ("{reason=\"refused\"}", load(&closed.refused)),
        ],
    );
    let (documents, bytes) = state.cache.size();
    write_single(&mut out, "gauge", "syndic_render_cache_documents", "Documents held.", &[("", documents as f64)]);
    write_single(&mut out, "gauge", "syndic_render_cache_bytes", "Bytes held, both encodings.", &[("", bytes as f64)]);
    let queues: Vec<(String, f64)> = state
        .operations
        .queue_lengths()
        .await?
        .into_iter()
        .map(|(queue, length)| (format!("{{queue=\"{queue}\"}}"), length as f64))
        .collect();
    let queues: Vec<(&str, f64)> = queues.iter().map(|(labels, n)| (labels.as_str(), *n)).collect();
    write_single(&mut out, "gauge", "syndic_queue_length", "Work waiting, by queue.", &queues);
    let (open, idle, max) = state.operations.pool_usage();
    write_single(
        &mut out,
        "gauge",
        "syndic_db_connections",
        "Database connections, by state.",
        &[("{state=\"in_use\"}", (open as usize - idle) as f64), ("{state=\"idle\"}", idle as f64)],
    );
    write_single(
        &mut out,
        "gauge",
        "syndic_db_connections_max",
        "Most connections the pool opens.",
        &[("", f64::from(max))],
    );
    if let Some((documents, lag)) = state.operations.search_index_state().await? {
        write_single(
            &mut out,
            "gauge",
            "syndic_search_documents",
            "Articles this instance's search index holds, whatever their standing.",
            &[("", documents as f64)],
        );
        write_single(
            &mut out,
            "gauge",
            "syndic_search_lag_seconds",
            "How far this instance's search index is behind the database's last change.",
            &[("", lag as f64 / 1e6)],
        );
    }
    let (budget, held) = state.bodies.usage();
    write_single(
        &mut out,
        "gauge",
        "syndic_body_budget_bytes",
        "Request-body bytes large requests may hold at once (body_budget_mb), and hold now.",
        &[("{state=\"budget\"}", budget as f64), ("{state=\"held\"}", held as f64)],
    );
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], out).into_response())
}
