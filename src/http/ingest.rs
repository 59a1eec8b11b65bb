//! Push ingest: `POST /api/v1/articles` with an outlet's token — one article as JSON,
//! or a whole RSS/Atom/JSON Feed document (`?column=SLUG`, repeatable) imported
//! through the same path polling uses, answered item by item.

use super::auth::Editor;
use super::auth::OutletAuth;
use super::body::{parse_json, require_json};
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::domain::column::ColumnTree;
use crate::domain::source::Routing;
use crate::domain::{ArticleDraft, FieldErrors, OriginalUrl, Outlet};
use crate::ingest::feed;
use crate::ingest::push::{draft_from_push, PushArticle};
use crate::ingest::{self, Disposition};
use crate::publish::rfc3339;
use crate::store::Withdrawal;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest push body: room for the largest allowed content plus its metadata.
pub const MAX_PUSH_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Most articles in one batch, and the largest batch body.
pub const MAX_BATCH_ARTICLES: usize = 1_000;
pub const MAX_BATCH_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Media types of feed documents accepted for import.
const FEED_MEDIA_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
];

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles", post(push_article).delete(withdraw_by_url))
        .route("/api/v1/articles/batch", post(push_batch))
        .route("/api/v1/articles/{id}", axum::routing::delete(withdraw_by_id))
}

/// `DELETE /api/v1/articles/{id}`: withdraws an article of the caller's outlet (any, for the admin).
async fn withdraw_by_id(
    editor: Editor,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Response, ApiError> {
    withdraw(&state, editor, Some(id.get()), None).await
}

/// `DELETE /api/v1/articles?original_url=…`: the same, by the article's original link.
async fn withdraw_by_url(
    editor: Editor,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let raw = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "original_url")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            ApiError::Invalid(FieldErrors::single("original_url", "is required (or DELETE /api/v1/articles/{id})"))
        })?;
    let url =
        OriginalUrl::parse(&raw).map_err(|reason| ApiError::Invalid(FieldErrors::single("original_url", reason)))?;
    withdraw(&state, editor, None, Some(url.as_str())).await
}

async fn withdraw(state: &AppState, editor: Editor, id: Option<i64>, url: Option<&str>) -> Result<Response, ApiError> {
    let outlet = match &editor {
        Editor::Admin => None,
        Editor::Outlet(outlet) => Some(outlet.id),
    };
    match state.store.withdraw_article(id, url, outlet).await? {
        // As if there were no such article: an outlet learns nothing of another's,
        // embargoed ones included.
        Withdrawal::NotYours => Err(ApiError::NotFound("article")),
        Withdrawal::Withdrawn(id) => {
            tracing::info!(article = id, "article withdrawn");
            Ok(Json(json!({"id": id, "url": state.site.article_url(id), "status": "withdrawn"})).into_response())
        }
    }
}

async fn push_article(
    outlet: OutletAuth,
    state: State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if FEED_MEDIA_TYPES.contains(&essence.as_str()) {
        return import_document(outlet, state, query, headers, body).await;
    }
    push_one(outlet, state, headers, body).await
}

async fn push_one(
    OutletAuth(outlet): OutletAuth,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (bytes, _room) = state.bodies.read(&headers, body, MAX_PUSH_BODY_BYTES).await?;
    require_json(&headers)?;
    let input: PushArticle = parse_json(&bytes)?;
    drop(bytes);
    let columns = state.store.column_tree().await?;
    let draft = draft_from_push(input, &outlet, &columns).inspect_err(|fields| {
        tracing::info!(outlet = %outlet.slug, reasons = %fields, "push rejected");
    })?;
    let accepted = state.pipeline.accept(&outlet, &draft).await?;
    let url = state.site.article_url(accepted.id);
    let body = Json(accepted_json(&state, &draft, &accepted));
    Ok(match (&accepted.held, accepted.disposition) {
        // Held back: accepted for review, published nowhere; the outlet learns why.
        (Some(_), _) => (StatusCode::ACCEPTED, body).into_response(),
        (None, Disposition::Created) => (StatusCode::CREATED, [(header::LOCATION, url)], body).into_response(),
        (None, Disposition::Updated | Disposition::Unchanged) => (StatusCode::OK, body).into_response(),
    })
}

/// What the outlet is told of a stored article.
fn accepted_json(state: &AppState, draft: &ArticleDraft, accepted: &ingest::Accepted) -> Value {
    json!({
        "id": accepted.id,
        "url": state.site.article_url(accepted.id),
        "original_url": draft.original_url.as_str(),
        "status": if accepted.held.is_some() { "quarantined" } else { accepted.disposition.as_str() },
        "quarantine_reason": accepted.held,
        "hidden_elements_removed": draft.hidden_removed,
        "reposted_at": rfc3339(accepted.reposted_at),
        "updated_at": rfc3339(accepted.updated_at),
    })
}

/// The batch body: `{"articles": [...]}`, each as `POST /api/v1/articles` takes it.
/// Articles are kept as the text they were sent as, each parsed on its own when it is
/// validated: one article of the wrong shape is reported, not fatal, and no parsed copy
/// of the whole batch is ever made.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch<'a> {
    #[serde(borrow)]
    articles: Option<Vec<&'a RawValue>>,
}

/// `POST /api/v1/articles/batch`: up to 1,000 articles of the caller's outlet, each
/// validated on its own (an invalid one is reported, not fatal) and all valid ones
/// written in one transaction. Answered with one result per article, in order.
async fn push_batch(
    OutletAuth(outlet): OutletAuth,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (bytes, _room) = state.bodies.read(&headers, body, MAX_BATCH_BODY_BYTES).await?;
    require_json(&headers)?;
    let batch: Batch = parse_json(&bytes)?;
    let articles = batch
        .articles
        .ok_or_else(|| ApiError::Invalid(FieldErrors::single("articles", "is required: a list of articles")))?;
    if !(1..=MAX_BATCH_ARTICLES).contains(&articles.len()) {
        let reason = format!("holds {} articles; a batch takes 1 to {MAX_BATCH_ARTICLES}", articles.len());
        return Err(ApiError::Invalid(FieldErrors::single("articles", reason)));
    }
    // Each article's text, sharing the body's buffer, which goes once they are validated.
    let articles: Vec<Bytes> = articles.into_iter().map(|raw| bytes.slice_ref(raw.get().as_bytes())).collect();
    drop(bytes);
    let columns = Arc::new(state.store.column_tree().await?);
    let validated = validate_all(articles, Arc::new(outlet.clone()), columns).await?;
    let stored = state.pipeline.accept_valid(&outlet, validated).await?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::with_capacity(stored.len());
    for (index, stored) in stored.into_iter().enumerate() {
        let mut result = match stored {
            Err(problem) => problem,
            Ok((draft, Ok(accepted))) => accepted_json(&state, &draft, &accepted),
            Ok((draft, Err(ingest::IngestError::OwnedByOtherOutlet))) => json!({
                "status": "refused", "original_url": draft.original_url.as_str(),
                "reason": "this article belongs to another outlet",
            }),
            Ok((_, Err(ingest::IngestError::NotYours(reason)))) => json!({
                "status": "invalid", "error": "invalid input", "fields": {"original_url": reason},
            }),
            Ok((draft, Err(ingest::IngestError::Unstorable))) => json!({
                "status": "refused", "original_url": draft.original_url.as_str(),
                "reason": ingest::IngestError::Unstorable.to_string(),
            }),
            Ok((_, Err(ingest::IngestError::Store(e)))) => return Err(e.into()),
        };
        result["index"] = json!(index);
        *counts.entry(result["status"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        results.push(result);
    }
    tracing::info!(outlet = %outlet.slug, articles = results.len(), ?counts, "batch ingested");
    let mut answer = json!({"results": results});
    for status in ["created", "updated", "unchanged", "quarantined", "invalid", "refused"] {
        answer[status] = json!(counts.get(status).copied().unwrap_or(0));
    }
    Ok(Json(answer).into_response())
}

/// Parses, validates and sanitises every article of a batch, on blocking threads, one
/// per core: sanitising HTML is the costly part of ingest.
async fn validate_all(
    articles: Vec<Bytes>,
    outlet: Arc<Outlet>,
    columns: Arc<ColumnTree>,
) -> Result<Vec<Result<ArticleDraft, Value>>, ApiError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = articles.len().div_ceil(threads);
    let mut tasks = Vec::new();
    let mut rest = articles;
    while !rest.is_empty() {
        let part: Vec<Bytes> = rest.drain(..chunk.min(rest.len())).collect();
        let (outlet, columns) = (outlet.clone(), columns.clone());
        tasks.push(tokio::task::spawn_blocking(move || {
            part.into_iter().map(|article| validate_one(article, &outlet, &columns)).collect::<Vec<_>>()
        }));
    }
    let mut validated = Vec::new();
    for task in tasks {
        validated.extend(task.await.map_err(|e| ApiError::Internal(Box::new(e)))?);
    }
    Ok(validated)
}

/// One article of a batch as a draft, or its "invalid" result naming the fields.
fn validate_one(article: Bytes, outlet: &Outlet, columns: &ColumnTree) -> Result<ArticleDraft, Value> {
    let invalid = |error: String, fields: &FieldErrors| {
        let fields: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        json!({"status": "invalid", "error": error, "fields": fields})
    };
    let input: PushArticle = match parse_json(&article) {
        Ok(input) => input,
        Err(ApiError::BadRequest { message, fields }) => return Err(invalid(message, &fields)),
        Err(other) => return Err(invalid(other.to_string(), &FieldErrors::new())),
    };
    draft_from_push(input, outlet, columns).map_err(|fields| invalid("invalid input".into(), &fields))
}

/// Imports every entry of a feed document into the columns named in the query.
async fn import_document(
    OutletAuth(outlet): OutletAuth,
    State(state): State<AppState>,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let tree = state.store.column_tree().await?;
    let slugs: Vec<String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "column")
        .map(|(_, v)| v.into_owned())
        .collect();
    let mut columns = Vec::new();
    for slug in &slugs {
        let column = tree
            .by_slug(slug)
            .ok_or_else(|| ApiError::Invalid(FieldErrors::single("column", format!("unknown column '{slug}'"))))?;
        columns.push(column.id);
    }
    if columns.is_empty() {
        return Err(ApiError::Invalid(FieldErrors::single("column", "name at least one column: ?column=SLUG")));
    }
    let (bytes, _room) = state.bodies.read(&headers, body, feed::MAX_FEED_BYTES).await?;
    let context = feed::Context {
        document_url: None,
        content_type: headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
        zone: outlet.timezone,
    };
    let routing = Routing { columns, ..Routing::default() };
    let tally = state.pipeline.import_document(&outlet, &routing, bytes, &context).await.map_err(|e| match e {
        ingest::ImportError::Feed(e) => ApiError::BadRequest { message: e.to_string(), fields: FieldErrors::new() },
        ingest::ImportError::Store(e) => e.into(),
    })?;
    let items: Vec<Value> = tally
        .items
        .iter()
        .map(|item| match &item.outcome {
            Ok(accepted) => json!({
                    "link": item.link,
                    "status": if accepted.held.is_some() { "quarantined" } else { accepted.disposition.as_str() },
            "quarantine_reason": accepted.held,
                    "id": accepted.id,
                    "url": state.site.article_url(accepted.id),
                }),
            Err(reason) => json!({"link": item.link, "status": "refused", "reason": reason}),
        })
        .collect();
    let unchanged = items.iter().filter(|i| i["status"] == "unchanged").count();
    let status = if tally.new > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(json!({
            "created": tally.new, "updated": tally.updated, "unchanged": unchanged, "refused": tally.refused,
            "quarantined": tally.quarantined,
            "warnings": tally.warnings,
            "items": items,
        })),
    )
        .into_response())
}
