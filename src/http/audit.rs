//! The audit log (`GET /api/v1/audit`): who changed what, newest first, filtered and
//! paged behind an opaque cursor. Admin only (the admin token or an admin user's token);
//! nothing here or anywhere else deletes an entry.

mod wire;

use super::auth::Admin;
use super::error::ErrorBody;
use super::{error::ApiError, AppState};
use crate::domain::audit::Action;
use crate::domain::FieldErrors;
use crate::store::AuditQuery;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Entries per page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;
/// Longest `actor` or `target` filter, in characters.
pub const MAX_FILTER_CHARS: usize = 200;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(audit_log), components(schemas(wire::AuditCursor, wire::ActionName, wire::Filter)))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(audit_log))
}

/// Read the audit log
///
/// Every change made through the admin API, the console or the command line (columns,
/// outlets with their domains and grants, outlet tokens, sources and polls asked for,
/// partners, users and their tokens, quarantine decisions, withdrawals), and logins,
/// newest first: when, who (`admin-token`, `user:NAME`, `outlet:SLUG`, `cli`,
/// `visitor:ADDRESS`), what (`column.add`, …), to what (`column:SLUG`, `article:ID`, …),
/// and the fields before and after (of an edit only those that changed; never a
/// secret). Follow `next_cursor` while it is not null. Admin only.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    security(("admin" = [])),
    params(
        ("actor" = Option<wire::Filter>, Query, description = "Only entries of this actor (`user:wangfang`)."),
        ("target" = Option<wire::Filter>, Query, description = "Only entries about this target (`column:zhuanti`)."),
        ("action" = Option<wire::ActionName>, Query, description = "Only entries of this action."),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: only entries recorded at or after this time."),
        ("cursor" = Option<wire::AuditCursor>, Query, description = "A `next_cursor` of an earlier answer: the entries older than its page."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "Most entries in the answer (default 50)."),
    ),
    responses(
        (status = 200, description = "A page of entries, newest first.", body = wire::AuditLog),
        (status = 400, description = "A parameter that is not one (each named in `fields`).", body = ErrorBody),
    ),
)]
async fn audit_log(
    _: Admin,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::AuditLog>, ApiError> {
    let query = parse_query(query.as_deref().unwrap_or_default())?;
    let page = state.operations.audit_log(&query).await?;
    let next_cursor = page.more.then(|| page.records.last().map(|r| encode_cursor(r.id))).flatten();
    Ok(Json(wire::AuditLog { items: page.records.iter().map(wire::item).collect(), next_cursor }))
}

/// The query string as an `AuditQuery`; every parameter that is not one is named.
fn parse_query(raw: &str) -> Result<AuditQuery, ApiError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    // Filters are matched exactly, as given; the other parameters are read trimmed.
    let exact = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let param = |name: &str| exact(name).map(|v| v.trim().to_owned());
    let mut errors = FieldErrors::new();
    let mut query = AuditQuery {
        actor: exact("actor").and_then(|a| errors.check("actor", filter(a))),
        target: exact("target").and_then(|t| errors.check("target", filter(t))),
        action: param("action").and_then(|a| errors.check("action", Action::parse(&a))),
        since: param("since").and_then(|t| {
            let parsed =
                chrono::DateTime::parse_from_rfc3339(&t).map(|t| t.to_utc()).map_err(|e| format!("'{t}': {e}"));
            errors.check("since", parsed)
        }),
        before_id: param("cursor").and_then(|c| errors.check("cursor", decode_cursor(&c))),
        limit: DEFAULT_PAGE,
    };
    if let Some(raw) = param("limit") {
        let limit = raw.parse::<i64>().ok().filter(|n| (1..=MAX_PAGE).contains(n));
        query.limit = errors
            .check("limit", limit.ok_or(format!("must be a whole number from 1 to {MAX_PAGE}")))
            .unwrap_or(DEFAULT_PAGE);
    }
    if !errors.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameters".into(), fields: errors });
    }
    Ok(query)
}

/// An `actor` or `target` filter: matched exactly, so it must be text an entry can hold.
pub(super) fn filter(value: String) -> Result<String, String> {
    if value.is_empty() {
        Err("must not be empty".into())
    } else if value.chars().count() > MAX_FILTER_CHARS {
        Err(format!("must be at most {MAX_FILTER_CHARS} characters"))
    } else if value.chars().any(char::is_control) {
        Err("must not hold control characters".into())
    } else {
        Ok(value)
    }
}

/// The id of the last entry of a page, as `next_cursor` gives it: 8 bytes big-endian
/// in unpadded base64url (11 characters, `wire::AuditCursor`).
pub(super) fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(id.to_be_bytes())
}

pub(super) fn decode_cursor(cursor: &str) -> Result<i64, String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|b| <[u8; 8]>::try_from(b).ok());
    bytes.map(i64::from_be_bytes).ok_or_else(|| "is not a cursor this API returned".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_the_entry_it_was_made_from() {
        for id in [1, 42, i64::MAX, 0] {
            let cursor = encode_cursor(id);
            assert_eq!(cursor.len(), 11);
            assert!(regex_lite_match(&cursor), "{cursor}");
            assert_eq!(decode_cursor(&cursor), Ok(id));
        }
        for garbage in ["", "garbage", "AAAAAAAAAAB", &"A".repeat(12)] {
            assert!(decode_cursor(garbage).is_err(), "{garbage}");
        }
    }

    /// `wire::CURSOR_PATTERN`, checked by hand.
    fn regex_lite_match(cursor: &str) -> bool {
        let (head, last) = cursor.split_at(10);
        head.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && last.len() == 1
            && wire::CURSOR_LAST.contains(last)
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let Err(ApiError::BadRequest { fields, .. }) =
            parse_query("actor=&target=a%00b&action=column.delete&since=yesterday&cursor=x&limit=501")
        else {
            panic!("refused")
        };
        for name in ["actor", "target", "action", "since", "cursor", "limit"] {
            assert!(fields.iter().any(|(field, _)| field == name), "{name}");
        }
        let query = parse_query("actor=user%3Awangfang&action=column.add&limit=2").unwrap();
        assert_eq!(
            (query.actor.as_deref(), query.action, query.limit),
            (Some("user:wangfang"), Some(Action::ColumnAdd), 2)
        );
    }
}
