//! The partner API: partners and their tokens (admin), and `GET /api/v1/articles`, the
//! change feed partners walk to stay in step: every article's latest version in the
//! order changes committed, behind an opaque cursor, withdrawals as tombstones.

pub(super) mod wire;

use super::admin::json_body;
use super::auth::{Admin, Reader};
use super::error::ErrorBody;
use super::openapi::{cursor_schema, page_size_schema};
use super::params::{Number, Params};
use super::{error::ApiError, AppState};
use crate::catalog::{fields, PartnerForm};
use crate::domain::FieldErrors;
use crate::store::{ChangePosition, ChangeQuery, ChangedArticle};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Articles per page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_partners, create_partner, revoke_partner, changed_articles),
    components(schemas(Cursor, PageSize))
)]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/partners", get(list_partners).post(create_partner))
        .route("/api/v1/partners/{id}", delete(revoke_partner))
        .route("/api/v1/articles", get(changed_articles))
}

/// Create a partner and its token
///
/// Creates a partner allowed to read the partner API (`GET /api/v1/articles`), limited
/// to some columns or not, and answers with its token, shown only this once.
#[utoipa::path(
    post,
    path = "/api/v1/partners",
    tag = "partners",
    security(("admin" = [])),
    request_body(content = PartnerForm, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = wire::PartnerCreated),
        (status = 409, description = "No column has a slug of `columns` (named in `fields`).", body = ErrorBody),
    ),
)]
async fn create_partner(
    Admin(actor): Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let form: PartnerForm = json_body(&headers, body).await?;
    let (partner, token) = state.operations.add_partner(&actor, form).await?;
    let tree = state.operations.column_tree().await?;
    let body = wire::PartnerCreated { partner: wire::partner(&partner, &tree), token };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// List partners
///
/// Every partner, revoked ones included (with `revoked_at`).
#[utoipa::path(
    get,
    path = "/api/v1/partners",
    tag = "partners",
    security(("admin" = [])),
    responses((status = 200, description = "The partners.", body = wire::PartnerList)),
)]
async fn list_partners(_: Admin, State(state): State<AppState>) -> Result<Json<wire::PartnerList>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let partners = state.operations.partners().await?.iter().map(|p| wire::partner(p, &tree)).collect();
    Ok(Json(wire::PartnerList { partners }))
}

/// Revoke a partner
///
/// Revokes the partner's token at once; the partner stays listed, with `revoked_at`.
/// Revoking it again changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/partners/{id}",
    tag = "partners",
    security(("admin" = [])),
    params(("id" = i64, Path, minimum = 0, description = "The partner's id.")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 404, description = "No partner has this id.", body = ErrorBody),
    ),
)]
async fn revoke_partner(
    Admin(actor): Admin,
    State(state): State<AppState>,
    Params(id): Params<Number>,
) -> Result<StatusCode, ApiError> {
    state.operations.revoke_partner(&actor, id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The change feed (partners)
///
/// Articles changed since a position, for partners to mirror, in ascending (`updated_at`,
/// `id`) order: each item is an article's latest version, or the tombstone of one that
/// is no longer public. Articles of outlets whose `partner_content` is `none` never
/// appear; for `summary` outlets `content_html` is null and `content` is `summary`. Start
/// without `cursor` (or with `updated_since`), then follow `next_cursor` while `has_more`
/// is true; keep the last `next_cursor` and come back with it to get only what changed
/// since, each version once. A partner token reads the partner's columns; the admin
/// token reads every column.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "partner-api",
    security(("partner" = []), ("admin" = [])),
    params(
        ("column" = Option<fields::Slug>, Query, description = "Only articles in this column or its sub-columns."),
        ("outlet" = Option<fields::Slug>, Query, description = "Only this outlet's articles."),
        ("updated_since" = Option<String>, Query, format = DateTime,
            description = "RFC 3339: only articles changed at or after this time."),
        ("cursor" = Option<Cursor>, Query, description = "A `next_cursor` of an earlier answer: only what changed after it."),
        ("limit" = Option<PageSize>, Query, description = "Most items in the answer."),
    ),
    responses(
        (status = 200, description = "A page of changes.", body = wire::ArticlePage),
        (status = 400, description = "A `cursor`, `limit` or `updated_since` that is not one (each named in `fields`).",
            body = ErrorBody),
        (status = 403, description = "`column` is not among the partner's columns.", body = ErrorBody),
        (status = 404, description = "No column or outlet has the slug given.", body = ErrorBody),
    ),
)]
async fn changed_articles(
    reader: Reader,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::ArticlePage>, ApiError> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let after = match param("cursor") {
        Some(cursor) => {
            errors.check("cursor", decode_cursor(&cursor).map(|(updated_at, id)| ChangePosition { updated_at, id }))
        }
        None => Some(ChangePosition::default()),
    };
    let since = param("updated_since").and_then(|t| {
        errors.check("updated_since", chrono::DateTime::parse_from_rfc3339(&t).map_err(|e| format!("'{t}': {e}")))
    });
    let limit = page_limit(param("limit"), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    }
    let (Some(after), Some(limit)) = (after, limit) else { unreachable!("errors are empty") };
    let tree = state.operations.column_tree().await?;
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
        Some(slug) => Some(state.operations.outlet(&slug).await?.id),
        None => None,
    };
    let query = ChangeQuery { column_ids, outlet_id, since: since.map(|t| t.to_utc()), after, limit };
    let mut changes = state.operations.changed_articles(&query).await?;
    let has_more = changes.len() as i64 > limit;
    changes.truncate(limit as usize);
    let next = changes.last().map(ChangedArticle::position).or(param("cursor").map(|_| after));
    Ok(Json(wire::ArticlePage {
        items: changes.iter().map(|c| wire::change(&state.site, c)).collect(),
        next_cursor: next.map(|position| encode_cursor(position.updated_at, position.id)),
        has_more,
    }))
}

/// The `limit` of a page (the change feed's, the staff listing's): from 1 to
/// `MAX_PAGE`, `DEFAULT_PAGE` when absent.
pub(super) fn page_limit(raw: Option<String>, errors: &mut FieldErrors) -> Option<i64> {
    let Some(raw) = raw else { return Some(DEFAULT_PAGE) };
    let limit = raw.parse::<i64>().ok().filter(|n| (1..=MAX_PAGE).contains(n));
    errors.check("limit", limit.ok_or(format!("must be a whole number from 1 to {MAX_PAGE}")))
}

/// A position in the change order (or the staff listing's), as `next_cursor` gives it:
/// the position's two numbers (`updated_at`, or `reposted_at`, in microseconds, then the
/// article id), each 8 bytes big-endian,
/// in unpadded base64url. Every 22-character string that decodes to 16 bytes is one, so
/// the description can say exactly which strings are cursors.
pub struct Cursor;

/// The characters of a cursor: 21 of base64url, then one whose low 4 bits are zero
/// (the 132 bits of 22 characters carry the 128 of 16 bytes).
const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{21}[AQgw]$";

impl PartialSchema for Cursor {
    fn schema() -> RefOr<Schema> {
        cursor_schema(CURSOR_PATTERN, "Opaque: a position in the change feed, as `next_cursor` gives it.")
    }
}

impl ToSchema for Cursor {}

/// The `limit` of a page of the change feed.
pub struct PageSize;

impl PartialSchema for PageSize {
    fn schema() -> RefOr<Schema> {
        page_size_schema(MAX_PAGE, DEFAULT_PAGE)
    }
}

impl ToSchema for PageSize {}

/// The cursor of a position: a time in microseconds and an article id.
pub(super) fn encode_cursor(micros: i64, id: i64) -> String {
    let mut bytes = [0; 16];
    bytes[..8].copy_from_slice(&micros.to_be_bytes());
    bytes[8..].copy_from_slice(&id.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The position a cursor names: a time in microseconds and an article id.
pub(super) fn decode_cursor(cursor: &str) -> Result<(i64, i64), String> {
    let invalid = || "is not a cursor this API returned".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    if let Some(position) = decode_text_cursor(&bytes) {
        return Ok(position);
    }
    let bytes: [u8; 16] = bytes.try_into().map_err(|_| invalid())?;
    let [micros, id] = [&bytes[..8], &bytes[8..]].map(|half| i64::from_be_bytes(half.try_into().expect("8 bytes")));
    Ok((micros, id))
}

/// The cursors of earlier versions (`v1.{updated_at}.{id}` in base64url), which partners
/// may have kept, still read as the positions they name.
fn decode_text_cursor(bytes: &[u8]) -> Option<(i64, i64)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut parts = text.split('.');
    match (parts.next(), parts.next().map(str::parse), parts.next().map(str::parse), parts.next()) {
        (Some("v1"), Some(Ok(updated_at)), Some(Ok(id)), None) => Some((updated_at, id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_the_position_it_was_made_from() {
        for position in [(1_719_000_000_123_456, 42), (0, 0), (i64::MAX, i64::MIN)] {
            let cursor = encode_cursor(position.0, position.1);
            assert_eq!(cursor.len(), 22);
            assert_eq!(decode_cursor(&cursor), Ok(position));
        }
    }

    #[test]
    fn cursors_of_earlier_versions_still_read() {
        let old = URL_SAFE_NO_PAD.encode("v1.1719000000123456.42");
        assert_eq!(decode_cursor(&old), Ok((1_719_000_000_123_456, 42)));
    }

    #[test]
    fn what_the_pattern_calls_a_cursor_is_one() {
        let last = |c: char| format!("{}{c}", "Az0_-".repeat(5).chars().take(21).collect::<String>());
        for c in "AQgw".chars() {
            assert!(decode_cursor(&last(c)).is_ok(), "{c}");
        }
        for c in "BRhx9-".chars() {
            assert!(decode_cursor(&last(c)).is_err(), "{c}");
        }
        for garbage in ["", "garbage", &"A".repeat(23)] {
            assert!(decode_cursor(garbage).is_err(), "{garbage}");
        }
    }
}
