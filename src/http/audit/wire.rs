//! The audit log's JSON, and the schemas of its query parameters.

use crate::domain::audit::Action;
use crate::store::AuditRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    /// Newest first.
    pub items: Vec<AuditItem>,
    /// Where the next (older) page starts; null on the last page.
    #[schema(value_type = Option<AuditCursor>)]
    pub next_cursor: Option<String>,
}

/// One recorded change.
#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    /// When it was recorded, to the microsecond.
    #[schema(format = DateTime)]
    pub at: String,
    /// Who: `admin-token`, `user:NAME`, `outlet:SLUG`, `cli`, `visitor:ADDRESS`, ….
    pub actor: String,
    #[schema(value_type = ActionName)]
    pub action: String,
    /// What: `column:SLUG`, `outlet:SLUG`, `source:ID`, `partner:ID`, `user:NAME`, `article:ID`.
    pub target: String,
    /// The fields as they were (of an edit, only those that changed); null for an addition.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The fields as they are (of an edit, only those that changed); null for a removal.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

pub fn item(record: &AuditRecord) -> AuditItem {
    AuditItem {
        id: record.id,
        at: record.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor: record.actor.clone(),
        action: record.action.clone(),
        target: record.target.clone(),
        before: record.before.clone(),
        after: record.after.clone(),
    }
}

/// The last character of a cursor: one whose low 2 bits are zero (the 66 bits of 11
/// base64url characters carry the 64 of 8 bytes).
pub const CURSOR_LAST: &str = "AEIMQUYcgkosw048";

/// An opaque position in the audit log, as `next_cursor` gives it.
pub struct AuditCursor;

impl PartialSchema for AuditCursor {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!("^[A-Za-z0-9_-]{{10}}[{CURSOR_LAST}]$")))
            .description(Some("Opaque: a position in the audit log, as `next_cursor` gives it."))
            .into()
    }
}

impl ToSchema for AuditCursor {}

/// An action's machine name.
pub struct ActionName;

impl PartialSchema for ActionName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Action::ALL.map(Action::as_str)))
            .description(Some("What kind of change: `NOUN.VERB` (`column.add`, `outlet.token.issue`), or a login."))
            .into()
    }
}

impl ToSchema for ActionName {}

/// An `actor` or `target` to match exactly.
pub struct Filter;

impl PartialSchema for Filter {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(super::MAX_FILTER_CHARS))
            .pattern(Some("^[^\\u0000-\\u001f\\u007f-\\u009f]+$"))
            .into()
    }
}

impl ToSchema for Filter {}
