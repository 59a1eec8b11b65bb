//! Queries on polled sources and their status.

use super::audit::{self, fields, fields::Slugs, Audit};
use super::{
    conflict_on_unique, from_micros, now_micros, optional_time_at, time_at, to_micros, Backend, Store, StoreError,
};
use crate::domain::audit::Target;
use crate::domain::review::Review;
use crate::domain::source::{Route, RouteMatch, Routing, Source, SourceKind, SourceStatus};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

const SOURCE_FIELDS: &str = "s.id, s.outlet_id, o.slug AS outlet_slug, s.url, s.interval_secs, s.etag, \
    s.last_modified, s.last_fetch_at, s.last_status, s.last_error, s.items_seen, s.items_new, s.items_updated, \
    s.items_refused, s.refusals, s.items_quarantined, s.hidden_spam_removed, s.consecutive_failures, s.next_fetch_at, \
    s.warnings, s.last_new_at, s.created_at, s.review, s.kind, s.rules, s.full_text";

/// What one poll found, to be recorded on the source.
#[derive(Debug, Clone, Default)]
pub struct PollRecord {
    pub status: Option<i64>,
    pub error: Option<String>,
    /// New validators; `None` keeps the stored ones (a 304 or a failure).
    pub validators: Option<(Option<String>, Option<String>)>,
    pub seen: i64,
    pub new: i64,
    pub updated: i64,
    pub refused: i64,
    pub refusals: std::collections::BTreeMap<String, i64>,
    pub quarantined: i64,
    pub hidden_removed: i64,
    /// What was wrong with the document, though items could be read from it.
    pub warnings: Vec<String>,
    /// Set when the feed moved permanently: the address to poll from now on.
    pub moved_to: Option<String>,
    pub next_fetch_at: DateTime<Utc>,
}

/// The changes a source edit applies; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct SourceChanges {
    pub url: Option<String>,
    pub interval_secs: Option<i64>,
    pub routing: Option<Routing>,
    pub review: Option<Review>,
    /// How its pages are read: `Some(None)` removes the rules (automatic extraction).
    pub rules: Option<Option<String>>,
    pub full_text: Option<bool>,
}

/// A new source: what it is and how it is polled and routed.
#[derive(Debug, Clone)]
pub struct NewSource<'a> {
    pub outlet_id: i64,
    pub url: &'a str,
    pub kind: SourceKind,
    /// Page rules as JSON (checked by the caller).
    pub rules: Option<&'a str>,
    pub full_text: bool,
    pub interval_secs: i64,
    pub routing: &'a Routing,
    pub review: Review,
}

impl Store {
    pub async fn insert_source(&self, new: NewSource<'_>, audit: Audit<'_>) -> Result<Source, StoreError> {
        let now = now_micros();
        let url = new.url;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sources (outlet_id, url, interval_secs, next_fetch_at, created_at, updated_at, review,
                kind, rules, full_text)
             VALUES ($1, $2, $3, $4, $4, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.outlet_id)
        .bind(url)
        .bind(new.interval_secs)
        .bind(now)
        .bind(new.review.as_str())
        .bind(new.kind.as_str())
        .bind(new.rules)
        .bind(i64::from(new.full_text))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("the outlet already has a source for {url}")))?;
        replace_routing(&mut tx, id, new.routing).await?;
        let feed_moved = name_outlet_feed(&mut tx, new.outlet_id).await?;
        let source = source_by_id(&mut tx, id).await?;
        let after = fields::source(&source, &Slugs::read(&mut tx).await?);
        audit::commit(tx, audit.entry(Target::Source(id)).after(after)).await?;
        self.feed_url_written(feed_moved).await?;
        Ok(source)
    }

    pub async fn update_source(
        &self,
        id: i64,
        changes: &SourceChanges,
        audit: Audit<'_>,
    ) -> Result<Source, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = source_by_id(&mut tx, id).await?;
        let done = sqlx::query(
            // A new address, routing or way of reading must see the whole feed again: the
            // validators go.
            "UPDATE sources SET url = COALESCE($2, url), interval_secs = COALESCE($3, interval_secs), updated_at = $4,
                etag = CASE WHEN $5 = 1 THEN NULL ELSE etag END,
                last_modified = CASE WHEN $5 = 1 THEN NULL ELSE last_modified END,
                review = COALESCE($6, review),
                rules = CASE WHEN $7 = 1 THEN $8 ELSE rules END,
                full_text = COALESCE($9, full_text)
             WHERE id = $1",
        )
        .bind(id)
        .bind(changes.url.as_deref())
        .bind(changes.interval_secs)
        .bind(now_micros())
        .bind(i64::from(
            changes.url.is_some()
                || changes.routing.is_some()
                || changes.rules.is_some()
                || changes.full_text.is_some(),
        ))
        .bind(changes.review.map(Review::as_str))
        .bind(i64::from(changes.rules.is_some()))
        .bind(changes.rules.clone().flatten())
        .bind(changes.full_text.map(i64::from))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || "the outlet already has a source for that URL".to_owned()))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("source"));
        }
        if let Some(routing) = &changes.routing {
            replace_routing(&mut tx, id, routing).await?;
        }
        let feed_moved = name_feed_of_source(&mut tx, id).await?;
        let after = source_by_id(&mut tx, id).await?;
        let slugs = Slugs::read(&mut tx).await?;
        let entry = audit.entry(Target::Source(id));
        audit::commit(tx, entry.changed(fields::source(&before, &slugs), fields::source(&after, &slugs))).await?;
        self.feed_url_written(feed_moved).await?;
        Ok(after)
    }

    pub async fn source(&self, id: i64) -> Result<Option<Source>, StoreError> {
        let mut sources = sources_where(&mut *self.pool.acquire().await?, "s.id = $1", Some(id)).await?;
        Ok(sources.pop())
    }

    pub async fn list_sources(&self) -> Result<Vec<Source>, StoreError> {
        sources_where(&mut *self.pool.acquire().await?, "1 = 1", None).await
    }

    /// Sources due for a poll now, soonest first; each is leased for `lease_secs` (its
    /// next fetch moved past the lease) in the same statement, so that of many
    /// instances exactly one polls it. On PostgreSQL, rows another instance is leasing
    /// are skipped rather than waited for.
    pub async fn claim_due_sources(&self, limit: i64, lease_secs: i64) -> Result<Vec<Source>, StoreError> {
        let ids = self.lease_due("sources", "next_fetch_at", limit, lease_secs).await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            claimed.extend(self.source(id).await?);
        }
        Ok(claimed)
    }

    /// Leases up to `limit` rows of `table` whose `due` time has come, soonest first, by
    /// moving it a lease ahead in the statement that picks them, so that of many
    /// instances exactly one acts on each (on PostgreSQL, rows another instance is
    /// leasing are skipped rather than waited for); their ids.
    pub(super) async fn lease_due(
        &self,
        table: &str,
        due: &str,
        limit: i64,
        lease_secs: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let now = now_micros();
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET {due} = $1 WHERE id IN (
                SELECT id FROM {table} WHERE {due} <= $2 ORDER BY {due}, id LIMIT $3 {lock})
             AND {due} <= $2 RETURNING id"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(now + lease_secs * 1_000_000)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Records a poll on its source; one someone asked for (`audit`) in the audit log too,
    /// with what it found.
    pub async fn record_poll(&self, id: i64, record: &PollRecord, audit: Option<Audit<'_>>) -> Result<(), StoreError> {
        let failed = record.error.is_some();
        let (update_validators, etag, last_modified) = match &record.validators {
            Some((etag, modified)) => (1_i64, etag.clone(), modified.clone()),
            None => (0, None, None),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE sources SET last_fetch_at = $2, last_status = $3, last_error = $4,
                etag = CASE WHEN $5 = 1 THEN $6 ELSE etag END,
                last_modified = CASE WHEN $5 = 1 THEN $7 ELSE last_modified END,
                items_seen = $8, items_new = $9, items_updated = $10, items_refused = $11,
                consecutive_failures = CASE WHEN $12 = 1 THEN consecutive_failures + 1 ELSE 0 END,
                next_fetch_at = $13, updated_at = $2, refusals = $14, url = COALESCE($15, url),
                items_quarantined = $16, hidden_spam_removed = $17, warnings = $18,
                last_new_at = CASE WHEN $9 > 0 THEN $2 ELSE last_new_at END
             WHERE id = $1",
        )
        .bind(id)
        .bind(now_micros())
        .bind(record.status)
        .bind(record.error.as_deref())
        .bind(update_validators)
        .bind(etag)
        .bind(last_modified)
        .bind(record.seen)
        .bind(record.new)
        .bind(record.updated)
        .bind(record.refused)
        .bind(i64::from(failed))
        .bind(to_micros(record.next_fetch_at))
        .bind(serde_json::to_string(&record.refusals).unwrap_or_else(|_| "{}".into()))
        .bind(record.moved_to.as_deref())
        .bind(record.quarantined)
        .bind(record.hidden_removed)
        .bind(serde_json::to_string(&record.warnings).unwrap_or_else(|_| "[]".into()))
        .execute(&mut *tx)
        .await?;
        let feed_moved = record.moved_to.is_some() && name_feed_of_source(&mut tx, id).await?;
        match audit {
            Some(audit) => {
                let found = serde_json::json!({
                    "status": record.status, "error": record.error, "new": record.new, "updated": record.updated,
                    "refused": record.refused, "quarantined": record.quarantined,
                });
                let found = found.as_object().cloned().unwrap_or_default();
                audit::commit(tx, audit.entry(Target::Source(id)).after(found)).await?
            }
            None => tx.commit().await?,
        }
        self.feed_url_written(feed_moved).await
    }

    /// Records what a hub's delivery to a source did (`ingest::poll::record_push`): its
    /// counts, warnings and error, as a poll's are shown; the last poll's status,
    /// validators, failures and next poll are left as they are, since no poll happened.
    pub async fn record_delivery(&self, id: i64, record: &PollRecord) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sources SET last_error = $3, items_seen = $4, items_new = $5, items_updated = $6,
                items_refused = $7, refusals = $8, items_quarantined = $9, hidden_spam_removed = $10,
                warnings = $11, updated_at = $2, last_new_at = CASE WHEN $5 > 0 THEN $2 ELSE last_new_at END
             WHERE id = $1",
        )
        .bind(id)
        .bind(now_micros())
        .bind(record.error.as_deref())
        .bind(record.seen)
        .bind(record.new)
        .bind(record.updated)
        .bind(record.refused)
        .bind(serde_json::to_string(&record.refusals).unwrap_or_else(|_| "{}".into()))
        .bind(record.quarantined)
        .bind(record.hidden_removed)
        .bind(serde_json::to_string(&record.warnings).unwrap_or_else(|_| "[]".into()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Brings a source's next poll forward to now, or a minute after its last poll if
    /// that is later — only when its next poll is further off than a poll's lease (so
    /// never while one runs: a claim moves it exactly a lease ahead) and it is not
    /// failing (its backoff stands). A hub's push to a full-text source.
    pub async fn hasten_source(&self, id: i64, lease_secs: i64) -> Result<(), StoreError> {
        let now = now_micros();
        sqlx::query(
            "UPDATE sources SET next_fetch_at = CASE WHEN last_fetch_at IS NOT NULL AND last_fetch_at + $3 > $2
                    THEN last_fetch_at + $3 ELSE $2 END
             WHERE id = $1 AND consecutive_failures = 0 AND next_fetch_at > $4",
        )
        .bind(id)
        .bind(now)
        .bind(60_000_000_i64)
        .bind(now + lease_secs * 1_000_000)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes a source due now (a "poll now" request), even during backoff.
    pub async fn make_source_due(&self, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE sources SET next_fetch_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now_micros())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("source"));
        }
        Ok(())
    }

    pub async fn delete_source(&self, id: i64, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let source = source_by_id(&mut tx, id).await?;
        let before = fields::source(&source, &Slugs::read(&mut tx).await?);
        for table in ["source_columns", "source_routes", "source_filters", "source_pages"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE source_id = $1")).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM sources WHERE id = $1").bind(id).execute(&mut *tx).await?;
        super::subscriptions::retire_for_source(&mut tx, id).await?;
        let feed_moved = name_outlet_feed(&mut tx, source.outlet_id).await?;
        audit::commit(tx, audit.entry(Target::Source(id)).before(before)).await?;
        self.feed_url_written(feed_moved).await
    }

    /// After an outlet's `feed_url` changed: feeds name it (RSS `source`, Atom `source`,
    /// JSON Feed `_syndic.outlet`), so the caches start over, as for any catalogue change.
    async fn feed_url_written(&self, changed: bool) -> Result<(), StoreError> {
        if changed {
            self.catalog_changed().await?;
        }
        Ok(())
    }

    /// The original publication time stored for an article URL, if it exists.
    pub async fn original_published_at(&self, original_url: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let micros: Option<i64> =
            sqlx::query_scalar("SELECT original_published_at FROM articles WHERE original_url = $1")
                .bind(original_url)
                .fetch_optional(&self.pool)
                .await?;
        Ok(micros.map(from_micros))
    }
}

async fn sources_where(conn: &mut AnyConnection, filter: &str, id: Option<i64>) -> Result<Vec<Source>, StoreError> {
    let sql = format!(
        "SELECT {SOURCE_FIELDS} FROM sources s JOIN outlets o ON o.id = s.outlet_id WHERE {filter} ORDER BY s.id"
    );
    let mut query = sqlx::query(&sql);
    if let Some(id) = id {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut routing = routings(conn).await?;
    let mut subscriptions = super::subscriptions::current(conn).await?;
    rows.iter()
        .map(|row| {
            let mut source = source_from_row(row)?;
            source.routing = routing.remove(&source.id).unwrap_or_default();
            source.status.subscription = subscriptions.remove(&source.id);
            Ok(source)
        })
        .collect()
}

/// Every source's routing, by source id.
async fn routings(conn: &mut AnyConnection) -> Result<HashMap<i64, Routing>, StoreError> {
    let mut by_source: HashMap<i64, Routing> = HashMap::new();
    for row in sqlx::query("SELECT source_id, column_id FROM source_columns ORDER BY source_id, position")
        .fetch_all(&mut *conn)
        .await?
    {
        by_source.entry(row.try_get("source_id")?).or_default().columns.push(row.try_get("column_id")?);
    }
    for row in sqlx::query("SELECT source_id, match_kind, value, column_id FROM source_routes ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
    {
        let kind: String = row.try_get("match_kind")?;
        by_source.entry(row.try_get("source_id")?).or_default().routes.push(Route {
            matching: RouteMatch::parse(&kind).map_err(StoreError::Corrupt)?,
            value: row.try_get("value")?,
            column_id: row.try_get("column_id")?,
        });
    }
    for row in
        sqlx::query("SELECT source_id, kind, keyword FROM source_filters ORDER BY id").fetch_all(&mut *conn).await?
    {
        let routing = by_source.entry(row.try_get("source_id")?).or_default();
        let keyword: String = row.try_get("keyword")?;
        match row.try_get::<String, _>("kind")?.as_str() {
            "include" => routing.include.push(keyword),
            _ => routing.exclude.push(keyword),
        }
    }
    Ok(by_source)
}
/// A source as it stands in the transaction.
async fn source_by_id(conn: &mut AnyConnection, id: i64) -> Result<Source, StoreError> {
    sources_where(conn, "s.id = $1", Some(id)).await?.pop().ok_or(StoreError::NotFound("source"))
}

async fn replace_routing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    source_id: i64,
    routing: &Routing,
) -> Result<(), StoreError> {
    for table in ["source_columns", "source_routes", "source_filters"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE source_id = $1")).bind(source_id).execute(&mut **tx).await?;
    }
    for (position, column_id) in routing.columns.iter().enumerate() {
        sqlx::query("INSERT INTO source_columns (source_id, column_id, position) VALUES ($1, $2, $3)")
            .bind(source_id)
            .bind(column_id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    for route in &routing.routes {
        sqlx::query("INSERT INTO source_routes (source_id, match_kind, value, column_id) VALUES ($1, $2, $3, $4)")
            .bind(source_id)
            .bind(route.matching.as_str())
            .bind(&route.value)
            .bind(route.column_id)
            .execute(&mut **tx)
            .await?;
    }
    let filters = routing.include.iter().map(|k| ("include", k)).chain(routing.exclude.iter().map(|k| ("exclude", k)));
    for (kind, keyword) in filters {
        sqlx::query("INSERT INTO source_filters (source_id, kind, keyword) VALUES ($1, $2, $3)")
            .bind(source_id)
            .bind(kind)
            .bind(keyword)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn source_from_row(row: &AnyRow) -> Result<Source, StoreError> {
    Ok(Source {
        id: row.try_get("id")?,
        outlet_id: row.try_get("outlet_id")?,
        outlet_slug: row.try_get("outlet_slug")?,
        url: row.try_get("url")?,
        kind: SourceKind::parse(&row.try_get::<String, _>("kind")?).map_err(StoreError::Corrupt)?,
        rules: row.try_get("rules")?,
        full_text: row.try_get::<i64, _>("full_text")? != 0,
        interval_secs: row.try_get("interval_secs")?,
        routing: Routing::default(),
        review: Review::parse(&row.try_get::<String, _>("review")?).map_err(StoreError::Corrupt)?,
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        status: SourceStatus {
            last_fetch_at: optional_time_at(row, "last_fetch_at")?,
            last_status: row.try_get("last_status")?,
            last_error: row.try_get("last_error")?,
            items_seen: row.try_get("items_seen")?,
            items_new: row.try_get("items_new")?,
            items_updated: row.try_get("items_updated")?,
            items_refused: row.try_get("items_refused")?,
            refusals: serde_json::from_str(&row.try_get::<String, _>("refusals")?).unwrap_or_default(),
            items_quarantined: row.try_get("items_quarantined")?,
            hidden_spam_removed: row.try_get("hidden_spam_removed")?,
            warnings: serde_json::from_str(&row.try_get::<String, _>("warnings")?).unwrap_or_default(),
            consecutive_failures: row.try_get("consecutive_failures")?,
            next_fetch_at: time_at(row, "next_fetch_at")?,
            last_new_at: optional_time_at(row, "last_new_at")?,
            subscription: None,
        },
        created_at: time_at(row, "created_at")?,
    })
}

/// The outlet's `feed_url`, the feed it is known by in ours: the URL of its first feed
/// source (the oldest, when it has several: the one it was first polled from; a list page
/// is no feed), or none when it has none, and our feed of it stands in. True when it
/// changed.
async fn name_outlet_feed(tx: &mut sqlx::Transaction<'_, sqlx::Any>, outlet_id: i64) -> Result<bool, StoreError> {
    const FIRST_SOURCE: &str =
        "(SELECT s.url FROM sources s WHERE s.outlet_id = outlets.id AND s.kind = 'feed' ORDER BY s.id LIMIT 1)";
    let done = sqlx::query(&format!(
        "UPDATE outlets SET feed_url = {FIRST_SOURCE}
         WHERE id = $1 AND COALESCE(feed_url, '') <> COALESCE({FIRST_SOURCE}, '')"
    ))
    .bind(outlet_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// `name_outlet_feed` for the outlet of source `source_id`.
async fn name_feed_of_source(tx: &mut sqlx::Transaction<'_, sqlx::Any>, source_id: i64) -> Result<bool, StoreError> {
    let outlet_id: Option<i64> = sqlx::query_scalar("SELECT outlet_id FROM sources WHERE id = $1")
        .bind(source_id)
        .fetch_optional(&mut **tx)
        .await?;
    match outlet_id {
        Some(outlet_id) => name_outlet_feed(tx, outlet_id).await,
        None => Ok(false),
    }
}
