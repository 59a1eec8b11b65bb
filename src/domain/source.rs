//! Sources: an outlet's feed that syndic polls, routed into columns.

use chrono::{DateTime, Utc};

/// Shortest and longest poll interval accepted, and the default (15 minutes).
pub const MIN_INTERVAL_SECS: i64 = 60;
pub const MAX_INTERVAL_SECS: i64 = 7 * 24 * 3600;
pub const DEFAULT_INTERVAL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: i64,
    pub outlet_id: i64,
    pub outlet_slug: String,
    pub url: String,
    pub interval_secs: i64,
    /// Columns its items are reposted under, primary first.
    pub column_ids: Vec<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub status: SourceStatus,
}

/// What the last polls of a source did, as operators see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub items_seen: i64,
    pub items_new: i64,
    pub items_updated: i64,
    pub items_refused: i64,
    pub consecutive_failures: i64,
    pub next_fetch_at: DateTime<Utc>,
}
