//! The partner API: partners and their tokens (admin), and `GET /api/v1/articles`, the
//! change feed partners walk to stay in step: every article's latest version in the
//! order changes committed, behind an opaque cursor, withdrawals as tombstones.

use super::admin::json_body;
use super::auth::{Admin, Reader};
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::{self, PartnerForm};
use crate::domain::{Article, Carriage, FieldErrors};
use crate::publish::{rfc3339, Site};
use crate::store::partners::Partner;
use crate::store::{ChangePosition, ChangeQuery, ChangedArticle};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};

/// Articles per page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths())]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partners", get(list_partners).post(create_partner))
        .route("/api/v1/partners/{id}", delete(revoke_partner))
        .route("/api/v1/articles", get(changed_articles))
}

async fn create_partner(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: PartnerForm = json_body(&headers, body).await?;
    let (partner, token) = catalog::add_partner(&state.store, form).await?;
    let tree = state.store.column_tree().await?;
    let mut body = partner_json(&partner, &tree);
    body["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn list_partners(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tree = state.store.column_tree().await?;
    let partners: Vec<Value> = state.store.partners().await?.iter().map(|p| partner_json(p, &tree)).collect();
    Ok(Json(json!({ "partners": partners })))
}

async fn revoke_partner(
    _: Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<StatusCode, ApiError> {
    state.store.revoke_partner(id.get()).await?;
    tracing::info!(partner = id.get(), "partner token revoked");
    Ok(StatusCode::NO_CONTENT)
}

fn partner_json(partner: &Partner, tree: &crate::domain::column::ColumnTree) -> Value {
    let columns: Vec<&str> =
        partner.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.as_str()).collect();
    json!({
        "id": partner.id,
        "name": partner.name,
        "columns": columns,
        "created_at": rfc3339(partner.created_at),
        "revoked_at": partner.revoked_at.map(rfc3339),
    })
}

/// `GET /api/v1/articles?column=&outlet=&updated_since=&cursor=&limit=`.
async fn changed_articles(
    reader: Reader,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let after = match param("cursor") {
        Some(cursor) => errors.check("cursor", decode_cursor(&cursor)),
        None => Some(ChangePosition::default()),
    };
    let since = param("updated_since").and_then(|t| {
        errors.check("updated_since", chrono::DateTime::parse_from_rfc3339(&t).map_err(|e| format!("'{t}': {e}")))
    });
    let limit = match param("limit") {
        Some(raw) => errors.check(
            "limit",
            raw.parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or(format!("must be a whole number from 1 to {MAX_PAGE}")),
        ),
        None => Some(DEFAULT_PAGE),
    };
    if !errors.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    }
    let (Some(after), Some(limit)) = (after, limit) else { unreachable!("errors are empty") };
    let tree = state.store.column_tree().await?;
    let allowed: Option<Vec<i64>> = match &reader {
        Reader::Partner(p) if !p.column_ids.is_empty() => {
            Some(p.column_ids.iter().flat_map(|id| tree.subtree_ids(*id)).collect())
        }
        _ => None,
    };
    let column_ids = match param("column") {
        Some(slug) => {
            let column = tree.by_slug(&slug).ok_or(ApiError::NotFound("column"))?;
            if allowed.as_ref().is_some_and(|ids| !ids.contains(&column.id)) {
                return Err(ApiError::Forbidden(format!("column '{slug}' is not among this partner's columns")));
            }
            Some(tree.subtree_ids(column.id))
        }
        None => allowed,
    };
    let outlet_id = match param("outlet") {
        Some(slug) => Some(state.store.outlet_by_slug(&slug).await?.id),
        None => None,
    };
    let query = ChangeQuery { column_ids, outlet_id, since: since.map(|t| t.to_utc()), after, limit };
    let mut changes = state.store.changed_articles(&query).await?;
    let has_more = changes.len() as i64 > limit;
    changes.truncate(limit as usize);
    let next = changes.last().map(ChangedArticle::position).or(param("cursor").map(|_| after));
    let items: Vec<Value> = changes.iter().map(|c| change_json(&state.site, c)).collect();
    Ok(Json(json!({"items": items, "next_cursor": next.map(encode_cursor), "has_more": has_more})))
}

fn encode_cursor(position: ChangePosition) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1.{}.{}", position.updated_at, position.id))
}

fn decode_cursor(cursor: &str) -> Result<ChangePosition, String> {
    let invalid = || "is not a cursor this API returned".to_owned();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.split('.');
    match (parts.next(), parts.next().map(str::parse), parts.next().map(str::parse), parts.next()) {
        (Some("v1"), Some(Ok(updated_at)), Some(Ok(id)), None) => Ok(ChangePosition { updated_at, id }),
        _ => Err(invalid()),
    }
}

fn change_json(site: &Site, change: &ChangedArticle) -> Value {
    match change {
        ChangedArticle::Live(article) => article_json(site, article),
        ChangedArticle::Gone { id, original_url, updated_at } => json!({
            "id": id,
            "url": site.article_url(*id),
            "original_url": original_url,
            "updated_at": rfc3339_micros(*updated_at),
            "withdrawn": true,
        }),
    }
}

/// A full article with every attribution field, as its outlet lets partners have it.
fn article_json(site: &Site, article: &Article) -> Value {
    let full = article.outlet.grants.partners == Carriage::Full;
    json!({
        "id": article.id,
        "url": site.article_url(article.id),
        "original_url": article.original_url,
        "title": article.title,
        "subtitle": article.subtitle,
        "author": article.author,
        "summary": article.summary,
        "content_html": if full { article.content_html.as_deref() } else { None },
        "content": if full { "full" } else { "summary" },
        "language": article.language,
        "tags": article.tags,
        "rights": article.effective_rights(),
        "image": article.image.as_ref().map(|i| json!({"url": i.url, "caption": i.caption})),
        "enclosures": article.enclosures.iter().map(|e| json!({"url": e.url, "type": e.mime_type, "length": e.length})).collect::<Vec<_>>(),
        "outlet": {
            "slug": article.outlet.slug.as_str(),
            "name": article.outlet.name,
            "homepage": article.outlet.homepage,
            "rights": article.outlet.rights,
        },
        "columns": article.columns.iter().map(|c| json!({"slug": c.slug.as_str(), "title": c.title})).collect::<Vec<_>>(),
        "original_published_at": rfc3339(article.original_published_at),
        "original_updated_at": article.original_updated_at.map(rfc3339),
        "reposted_at": rfc3339(article.reposted_at),
        "updated_at": rfc3339_micros(article.updated_at),
        "withdrawn": false,
    })
}

/// `updated_at` to the microsecond: it is the version partners compare.
fn rfc3339_micros(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
