//! Push ingest: `POST /api/v1/articles` with an outlet's token — one article as JSON,
//! or a whole RSS/Atom/JSON Feed document (`?column=SLUG`, repeatable) imported
//! through the same path polling uses, answered item by item.

mod wire;

use super::auth::OutletAuth;
use super::auth::{Editor, Staff};
use super::body::{parse_json, require_json};
use super::error::{ApiError, ErrorBody};
use super::params::{Number, Params};
use super::AppState;
use crate::catalog::fields::Slug;
use crate::domain::column::ColumnTree;
use crate::domain::reposting::Refusal;
use crate::domain::source::Routing;
use crate::domain::{Actor, ArticleDraft, FieldErrors, OriginalUrl, Outlet};
use crate::ingest::feed;
use crate::ingest::fields::ArticleUrl;
use crate::ingest::push::{draft_from_push, PushArticle};
use crate::ingest::{self, Disposition};
use crate::store::Withdrawal;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::sync::Arc;
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::RefOr;
use wire::{BatchOutcome, BatchResult, InvalidArticle, PushResult, Pushed, WithdrawnArticle};

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
#[openapi(
    paths(push_article, push_batch, withdraw_by_url, withdraw_by_id),
    components(schemas(PushArticle)),
    modifiers(&ClosedPushArticle)
)]
pub(super) struct Api;

/// A push article takes no fields but its own (unknown ones are refused by name, 422),
/// which its schema cannot say by itself: they are collected by a `flatten`ed map.
struct ClosedPushArticle;

impl utoipa::Modify for ClosedPushArticle {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let schemas = document.components.as_mut().map(|c| &mut c.schemas);
        if let Some(RefOr::T(Schema::Object(article))) = schemas.and_then(|s| s.get_mut("PushArticle")) {
            article.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles", post(push_article).delete(withdraw_by_url))
        .route("/api/v1/articles/batch", post(push_batch))
        .route("/api/v1/articles/{id}", axum::routing::delete(withdraw_by_id))
}

/// Withdraw an article by id
///
/// Withdraws an article: it leaves every feed, listing and sitemap, its page answers 410
/// Gone, and partners get a tombstone. It stays stored; pushing the same original URL
/// again reinstates it. Withdrawing again answers 200 again.
///
/// **Token:** an outlet ingest token (only that outlet's own articles; rate-limited like
/// push), the admin token or an admin user's (any article), or an editor's (articles
/// filed wholly within its columns; a viewer's is refused, 403). Partner tokens are
/// refused with 401.
#[utoipa::path(
    delete,
    path = "/api/v1/articles/{id}",
    operation_id = "withdrawArticle",
    tag = "ingest",
    security(("admin" = []), ("outlet" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The article's id.")),
    responses(
        (status = 200, description = "Withdrawn.", body = WithdrawnArticle),
        (status = 404, description = "No such article, or another outlet's (`article not found`).", body = ErrorBody),
    )
)]
async fn withdraw_by_id(
    editor: Editor,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<Response, ApiError> {
    withdraw(&state, editor, Some(id.get()), None).await
}

/// Withdraw an article by its original URL
///
/// The same as by id, for the article whose normalised original URL this is.
///
/// **Token:** an outlet ingest token (only that outlet's own articles; rate-limited like
/// push), the admin token or an admin user's (any article), or an editor's (articles
/// filed wholly within its columns; a viewer's is refused, 403). Partner tokens are
/// refused with 401.
#[utoipa::path(
    delete,
    path = "/api/v1/articles",
    operation_id = "withdrawArticleByUrl",
    tag = "ingest",
    security(("admin" = []), ("outlet" = [])),
    params(("original_url" = ArticleUrl, Query, description = "The article's original URL (normalised before it is looked up, as on push).")),
    responses(
        (status = 200, description = "Withdrawn.", body = WithdrawnArticle),
        (status = 404, description = "No such article, or another outlet's (`article not found`).", body = ErrorBody),
        (status = 422, description = "`original_url` missing or not a valid URL (named in `fields`).", body = ErrorBody),
    )
)]
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
    let actor = match &editor {
        Editor::Staff(staff) => {
            if let Staff::User(_) = staff {
                let id = match (id, url) {
                    (Some(id), _) => id,
                    (None, url) => state.operations.article_id(url.unwrap_or_default()).await?,
                };
                super::articles::may_change(staff, state, id).await?;
            }
            staff.actor()
        }
        Editor::Outlet(outlet) => Actor::outlet(outlet),
    };
    match state.operations.withdraw_article(&actor, id, url).await? {
        // As if there were no such article: an outlet learns nothing of another's,
        // embargoed ones included.
        Withdrawal::NotYours => Err(ApiError::NotFound("article")),
        Withdrawal::Withdrawn(id) => Ok(Json(wire::withdrawn(&state.site, id)).into_response()),
    }
}

/// Push an article, or import a feed document
///
/// With a JSON body (`application/json`, or any `+json` type but `application/feed+json`):
/// creates or updates one article of the token's outlet. The answer is 201 (with
/// `Location`) the first time, 200 with `status` `updated` or `unchanged` when the same
/// original URL comes again (`reposted_at` never moves), 202 with `status: quarantined` and
/// `quarantine_reason` when the content policy holds it, else 202 with `status: pending`
/// when the outlet is under `manual` review (the article waits for an editor's approval,
/// published nowhere; a later push updates it and keeps it pending) or `status: rejected`
/// for an article an editor rejected in review (updated, and still published nowhere).
/// The content policy decides first: an article it holds is quarantined, and once
/// released waits for review if it is held for one. `publish_at` (embargo) and
/// `expires_at` (automatic withdrawal) schedule publication. The size limit is checked
/// (413) before the media type (415). `column` is not read.
///
/// With a feed document (`Content-Type` one of `application/rss+xml`,
/// `application/atom+xml`, `application/xml`, `text/xml`, `application/rdf+xml`, or
/// `application/feed+json` for a JSON Feed): imports its entries (the newest 1,000; the
/// rest are refused) into the columns named by `?column=` (repeatable, required), through
/// the path polling takes, and answers entry by entry: 201 when at least one was created,
/// else 200. 422 for a missing or unknown column, 400 when the document cannot be read as
/// a feed.
///
/// **Token:** an outlet ingest token only (articles are stored as that outlet's). The
/// admin token and partner tokens are refused with 401. Rate-limited per token when
/// `rate_limit_per_minute` is configured (429).
#[utoipa::path(
    post,
    path = "/api/v1/articles",
    operation_id = "pushArticle",
    tag = "ingest",
    security(("outlet" = [])),
    params((
        "column" = Option<Vec<Slug>>, Query, style = Form, explode,
        description = "Feed documents only (required there, repeatable): the columns their entries are reposted under."
    )),
    request_body(
        description = "One article as JSON (at most 2 MiB), or a whole feed document (at most 16 MiB).",
        content(
            (PushArticle = "application/json"),
            (String = "application/rss+xml"),
            (String = "application/atom+xml"),
            (String = "application/xml"),
            (String = "text/xml"),
            (String = "application/rdf+xml"),
            (Object = "application/feed+json"),
        )
    ),
    responses(
        (status = 200, description = "An article updated or unchanged, or a document of which no entry was created.", body = Pushed),
        (status = 201, description = "An article created, or a document of which at least one entry was.", body = Pushed,
            headers(("Location" = String, description = "The article's page (an article only)."))),
        (status = 202, description = "An article stored but published nowhere: held in quarantine by the content policy until an admin releases it (`quarantined`), held for review until an editor approves it (`pending`), or rejected in review (`rejected`).", body = PushResult),
        (status = 400, description = "Malformed JSON or a value of the wrong JSON type (named in `fields`), or a document that cannot be read as a feed.", body = ErrorBody),
        (status = 403, description = "The original URL is another outlet's published article; or the outlet does not allow reposting (`allow_repost` false); or the token is the admin's or a partner's, and pushes need an outlet's ingest token.", body = ErrorBody),
        (status = 413, description = "A body over 2 MiB (an article) or 16 MiB (a document).", body = ErrorBody),
        (status = 415, description = "A body that is neither JSON nor a feed document.", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named in `fields`: among them an original URL outside the outlet's domains, or another outlet's unpublished article, in the same words; a column that takes licensed sources only (or one under it), for an unlicensed outlet (`columns`); for a document, a missing or unknown `column`.", body = ErrorBody),
        (status = 503, description = "Too many large request bodies are being read at once (`body_budget_mb`): the request waited 10 s for room; nothing of it was kept.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again."))),
    )
)]
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
    let columns = state.operations.column_tree().await?;
    let draft = draft_from_push(input, &outlet, &columns).inspect_err(|fields| {
        tracing::info!(outlet = %outlet.slug, reasons = %fields, "push rejected");
    })?;
    let accepted = state.operations.push_article(&Actor::outlet(&outlet), &outlet, &draft).await?;
    let url = state.site.article_url(accepted.id);
    let result = wire::push_result(&state.site, &draft, &accepted);
    Ok(match (result.status.is_held(), accepted.disposition) {
        // Held back by the policy or for review: published nowhere; the outlet learns why.
        (true, _) => (StatusCode::ACCEPTED, Json(result)).into_response(),
        (false, Disposition::Created) => {
            (StatusCode::CREATED, [(header::LOCATION, url)], Json(Pushed::Article(result))).into_response()
        }
        (false, Disposition::Updated | Disposition::Unchanged) => Json(Pushed::Article(result)).into_response(),
    })
}

/// Up to 1,000 articles of the token's outlet. Unknown fields are refused (400).
//
// Articles are kept as the text they were sent as, each parsed on its own when it is
// validated: one article of the wrong shape is reported, not fatal, and no parsed copy
// of the whole batch is ever made.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PushBatch)]
struct Batch<'a> {
    /// 1 to 1,000 articles, each as `POST /api/v1/articles` takes it (`PushArticle`). One
    /// that is not a valid article is reported `invalid` in its result, not refused here:
    /// any JSON value is taken.
    #[serde(borrow)]
    #[schema(value_type = Vec<Value>, required = true, min_items = 1, max_items = 1000)]
    articles: Option<Vec<&'a RawValue>>,
}

/// Push up to 1,000 articles at once
///
/// Each article is validated and sanitised as a single push would be; an invalid one is
/// reported and skipped, never fatal. Every valid article is written in one transaction
/// (if the database refuses it, the articles are written one by one and only the refused
/// one is reported `refused`), taking one run of change-clock values. The same original
/// URL twice in one batch is created, then updated. The answer lists one result per
/// article in the order sent.
///
/// **Token:** an outlet ingest token only. Rate-limited per token like a single push.
#[utoipa::path(
    post,
    path = "/api/v1/articles/batch",
    operation_id = "pushBatch",
    tag = "ingest",
    security(("outlet" = [])),
    request_body(content = Batch, content_type = "application/json", description = "At most 64 MiB."),
    responses(
        (status = 200, description = "Every article's result.", body = BatchResult),
        (status = 413, description = "A body over 64 MiB.", body = ErrorBody),
        (status = 422, description = "`articles` missing, empty or over 1,000 long.", body = ErrorBody),
        (status = 503, description = "Too many large request bodies are being read at once (`body_budget_mb`): the request waited 10 s for room; nothing of it was kept.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again."))),
    )
)]
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
    let columns = Arc::new(state.operations.column_tree().await?);
    let validated = validate_all(articles, Arc::new(outlet.clone()), columns).await?;
    let stored = state.operations.push_batch(&Actor::outlet(&outlet), &outlet, validated).await?;
    let mut outcomes = Vec::with_capacity(stored.len());
    for stored in stored {
        outcomes.push(match stored {
            Err(invalid) => BatchOutcome::Invalid(invalid),
            Ok((draft, Ok(accepted))) => BatchOutcome::Stored(wire::push_result(&state.site, &draft, &accepted)),
            Ok((draft, Err(ingest::IngestError::OwnedByOtherOutlet))) => BatchOutcome::Refused {
                status: wire::Refused::Refused,
                original_url: draft.original_url.as_str().to_owned(),
                reason: "this article belongs to another outlet".into(),
            },
            Ok((_, Err(ingest::IngestError::NotYours(reason)))) => BatchOutcome::Invalid(InvalidArticle::new(
                "invalid input".into(),
                FieldErrors::single("original_url", reason).iter(),
            )),
            Ok((draft, Err(ingest::IngestError::Unstorable))) => BatchOutcome::Refused {
                status: wire::Refused::Refused,
                original_url: draft.original_url.as_str().to_owned(),
                reason: ingest::IngestError::Unstorable.to_string(),
            },
            Ok((draft, Err(ingest::IngestError::Refused(refusal @ Refusal::NotAllowed)))) => BatchOutcome::Refused {
                status: wire::Refused::Refused,
                original_url: draft.original_url.as_str().to_owned(),
                reason: refusal.to_string(),
            },
            Ok((_, Err(ingest::IngestError::Refused(refusal @ Refusal::Unlicensed(_))))) => BatchOutcome::Invalid(
                InvalidArticle::new("invalid input".into(), FieldErrors::single("columns", refusal.to_string()).iter()),
            ),
            Ok((_, Err(ingest::IngestError::Store(e)))) => return Err(e.into()),
        });
    }
    let answer: BatchResult = wire::batch_result(outcomes);
    tracing::info!(
        outlet = %outlet.slug, articles = answer.results.len(), created = answer.created, updated = answer.updated,
        unchanged = answer.unchanged, quarantined = answer.quarantined, invalid = answer.invalid,
        refused = answer.refused, "batch ingested"
    );
    Ok(Json(answer).into_response())
}

/// Parses, validates and sanitises every article of a batch, on blocking threads, one
/// per core: sanitising HTML is the costly part of ingest.
async fn validate_all(
    articles: Vec<Bytes>,
    outlet: Arc<Outlet>,
    columns: Arc<ColumnTree>,
) -> Result<Vec<Result<ArticleDraft, InvalidArticle>>, ApiError> {
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
fn validate_one(article: Bytes, outlet: &Outlet, columns: &ColumnTree) -> Result<ArticleDraft, InvalidArticle> {
    let input: PushArticle = match parse_json(&article) {
        Ok(input) => input,
        Err(ApiError::BadRequest { message, fields }) => return Err(InvalidArticle::new(message, fields.iter())),
        Err(other) => return Err(InvalidArticle::new(other.to_string(), FieldErrors::new().iter())),
    };
    draft_from_push(input, outlet, columns).map_err(|fields| InvalidArticle::new("invalid input".into(), fields.iter()))
}

/// Imports every entry of a feed document into the columns named in the query.
async fn import_document(
    OutletAuth(outlet): OutletAuth,
    State(state): State<AppState>,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let tree = state.operations.column_tree().await?;
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
    let tally = state
        .operations
        .import_document(&Actor::outlet(&outlet), &outlet, &routing, bytes, &context)
        .await
        .map_err(|e| match e {
            ingest::ImportError::Feed(e) => ApiError::BadRequest { message: e.to_string(), fields: FieldErrors::new() },
            ingest::ImportError::Store(e) => e.into(),
        })?;
    let status = if tally.new > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(Pushed::Document(wire::import_result(&state.site, tally)))).into_response())
}
