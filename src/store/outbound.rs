//! The durable queues of outbound notifications: WebSub (un)subscription requests
//! awaiting verification, subscriptions, pending deliveries, and URL pings (IndexNow,
//! Baidu, an external hub). Work is claimed with a lease (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so many instances share the queues and each item is worked on by one
//! at a time; an instance that dies mid-way only delays the item until its lease ends.

use super::watermarks::{move_watermark, Follower};
use super::{now_micros, placeholders, Backend, Store, StoreError};
use sqlx::Row;

/// A WebSub request as the hub received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebsubRequest {
    pub id: i64,
    pub subscribe: bool,
    pub topic: String,
    pub callback: String,
    pub lease_seconds: i64,
    pub secret: Option<String>,
    pub attempts: i64,
}

/// A checked (un)subscription request, to be queued for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebsubRequest {
    pub subscribe: bool,
    pub topic: String,
    pub callback: String,
    /// What the callback's pending verifications are counted under (`PendingCaps`).
    pub callback_host: String,
    pub lease_seconds: i64,
    pub secret: Option<String>,
}

/// The most verifications that may be pending for one callback host, and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCaps {
    pub per_host: i64,
    pub total: i64,
}

/// What became of a request offered to the verification queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    Accepted,
    /// Its callback host has `PendingCaps::per_host` requests pending already.
    HostFull,
    /// The queue holds `PendingCaps::total` requests already.
    QueueFull,
}

/// A feed to send to one subscriber, covering changes up to `change_seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub subscription_id: i64,
    pub topic: String,
    pub callback: String,
    pub secret: Option<String>,
    pub change_seq: i64,
    pub attempts: i64,
}

/// One URL waiting to be announced to a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ping {
    pub id: i64,
    pub url: String,
    pub attempts: i64,
}

/// The PostgreSQL advisory lock that serialises additions to the verification queue
/// (any number no other lock in the database uses; "syndic" in ASCII, then 1).
const WEBSUB_QUEUE_LOCK: i64 = 0x7379_6e64_6963_0001;

impl Store {
    /// Moves the watermark from `from` to `to` and, in the same transaction, queues a
    /// delivery for every live subscription to one of `topics` and a ping for each of
    /// `pings` (target, URL). Returns false, changing nothing, when another instance
    /// moved the watermark first.
    pub async fn queue_notifications(
        &self,
        from: i64,
        to: i64,
        topics: &[String],
        pings: &[(String, String)],
    ) -> Result<bool, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        if !move_watermark(&mut tx, Follower::Notifier, from, to).await? {
            return Ok(false);
        }
        if !topics.is_empty() {
            // A failing subscriber keeps its backoff; the others are due at once.
            let sql = format!(
                "INSERT INTO websub_deliveries (subscription_id, change_seq, due_at)
                 SELECT id, $1, $2 FROM websub_subscriptions WHERE expires_at > $2 AND topic IN ({})
                 ON CONFLICT (subscription_id) DO UPDATE SET change_seq = excluded.change_seq,
                    due_at = CASE WHEN websub_deliveries.attempts = 0 THEN excluded.due_at
                             ELSE websub_deliveries.due_at END",
                placeholders(3, topics.len())
            );
            let mut query = sqlx::query(&sql).bind(to).bind(now);
            for topic in topics {
                query = query.bind(topic);
            }
            query.execute(&mut *tx).await?;
        }
        for (target, url) in pings {
            sqlx::query(
                "INSERT INTO outbound_pings (target, url, due_at) VALUES ($1, $2, $3)
                 ON CONFLICT (target, url) DO UPDATE SET due_at = excluded.due_at, attempts = 0",
            )
            .bind(target)
            .bind(url)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Queues a (un)subscription request for the verification of its intent, unless
    /// `caps.per_host` requests for its callback host or `caps.total` requests in all are
    /// pending already. Counted in the queue itself under a lock, so instances sharing the
    /// database share the caps.
    pub async fn add_websub_request(
        &self,
        request: &NewWebsubRequest,
        caps: PendingCaps,
    ) -> Result<Queued, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Serialises adders (SQLite's write transaction already does), so that two
            // counting at once cannot both take the last place. Released at commit.
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(WEBSUB_QUEUE_LOCK).execute(&mut *tx).await?;
        }
        let counts = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM websub_requests) AS total,
                    (SELECT COUNT(*) FROM websub_requests WHERE callback_host = $1) AS of_host",
        )
        .bind(&request.callback_host)
        .fetch_one(&mut *tx)
        .await?;
        if counts.try_get::<i64, _>("of_host")? >= caps.per_host {
            return Ok(Queued::HostFull);
        }
        if counts.try_get::<i64, _>("total")? >= caps.total {
            return Ok(Queued::QueueFull);
        }
        sqlx::query(
            "INSERT INTO websub_requests
                (mode, topic, callback, callback_host, lease_seconds, secret, due_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(if request.subscribe { "subscribe" } else { "unsubscribe" })
        .bind(&request.topic)
        .bind(&request.callback)
        .bind(&request.callback_host)
        .bind(request.lease_seconds)
        .bind(request.secret.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Queued::Accepted)
    }

    pub async fn claim_websub_requests(&self, limit: i64, lease_secs: i64) -> Result<Vec<WebsubRequest>, StoreError> {
        let fields = "id, mode, topic, callback, lease_seconds, secret, attempts";
        let rows = self.claim("websub_requests", "id", fields, None, limit, lease_secs).await?;
        rows.iter()
            .map(|r| {
                Ok(WebsubRequest {
                    id: r.try_get("id")?,
                    subscribe: r.try_get::<String, _>("mode")? == "subscribe",
                    topic: r.try_get("topic")?,
                    callback: r.try_get("callback")?,
                    lease_seconds: r.try_get("lease_seconds")?,
                    secret: r.try_get("secret")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Applies a verified request: the subscription starts (or is renewed) or ends.
    pub async fn apply_websub_request(&self, request: &WebsubRequest) -> Result<(), StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        if request.subscribe {
            sqlx::query(
                "INSERT INTO websub_subscriptions (topic, callback, secret, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, expires_at = excluded.expires_at",
            )
            .bind(&request.topic)
            .bind(&request.callback)
            .bind(request.secret.as_deref())
            .bind(now + request.lease_seconds * 1_000_000)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM websub_subscriptions WHERE topic = $1 AND callback = $2")
                .bind(&request.topic)
                .bind(&request.callback)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM websub_requests WHERE id = $1").bind(request.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn drop_websub_request(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM websub_requests WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn retry_websub_request(&self, id: i64, delay_micros: i64) -> Result<(), StoreError> {
        self.retry("websub_requests", "id", id, delay_micros, None).await
    }

    /// Subscriptions to `topic` that have not expired: `(callback, expires_at)`.
    pub async fn websub_subscribers(&self, topic: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT callback, expires_at FROM websub_subscriptions WHERE topic = $1 AND expires_at > $2 ORDER BY id",
        )
        .bind(topic)
        .bind(now_micros())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("callback")?, r.try_get("expires_at")?))).collect()
    }

    pub async fn claim_deliveries(&self, limit: i64, lease_secs: i64) -> Result<Vec<Delivery>, StoreError> {
        let claimed =
            self.claim("websub_deliveries", "subscription_id", "subscription_id", None, limit, lease_secs).await?;
        let mut deliveries = Vec::with_capacity(claimed.len());
        for row in claimed {
            let id: i64 = row.try_get("subscription_id")?;
            let found = sqlx::query(
                "SELECT s.topic, s.callback, s.secret, s.expires_at, d.change_seq, d.attempts
                 FROM websub_deliveries d JOIN websub_subscriptions s ON s.id = d.subscription_id
                 WHERE d.subscription_id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            let Some(r) = found else { continue };
            if r.try_get::<i64, _>("expires_at")? <= now_micros() {
                // The lease ran out: the subscription ends, and its delivery with it.
                self.drop_subscription(id).await?;
                continue;
            }
            deliveries.push(Delivery {
                subscription_id: id,
                topic: r.try_get("topic")?,
                callback: r.try_get("callback")?,
                secret: r.try_get("secret")?,
                change_seq: r.try_get("change_seq")?,
                attempts: r.try_get("attempts")?,
            });
        }
        Ok(deliveries)
    }

    /// A delivery went through: done, unless a newer change arrived while it was sent,
    /// in which case it goes out again at once.
    pub async fn finish_delivery(&self, delivery: &Delivery) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM websub_deliveries WHERE subscription_id = $1 AND change_seq = $2")
            .bind(delivery.subscription_id)
            .bind(delivery.change_seq)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            sqlx::query("UPDATE websub_deliveries SET attempts = 0, lease_until = 0 WHERE subscription_id = $1")
                .bind(delivery.subscription_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn retry_delivery(&self, subscription_id: i64, delay_micros: i64, error: &str) -> Result<(), StoreError> {
        self.retry("websub_deliveries", "subscription_id", subscription_id, delay_micros, Some(error)).await
    }

    /// Ends a subscription (and any pending delivery to it).
    pub async fn drop_subscription(&self, subscription_id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM websub_deliveries WHERE subscription_id = $1")
            .bind(subscription_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM websub_subscriptions WHERE id = $1").bind(subscription_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets subscriptions whose lease has ended; returns how many.
    pub async fn purge_expired_subscriptions(&self) -> Result<u64, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM websub_deliveries WHERE subscription_id IN
                (SELECT id FROM websub_subscriptions WHERE expires_at <= $1)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let done =
            sqlx::query("DELETE FROM websub_subscriptions WHERE expires_at <= $1").bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Claims up to `limit` due pings of one target.
    pub async fn claim_pings(&self, target: &str, limit: i64, lease_secs: i64) -> Result<Vec<Ping>, StoreError> {
        let rows = self.claim("outbound_pings", "id", "id, url, attempts", Some(target), limit, lease_secs).await?;
        rows.iter()
            .map(|r| Ok(Ping { id: r.try_get("id")?, url: r.try_get("url")?, attempts: r.try_get("attempts")? }))
            .collect()
    }

    /// Removes pings that were delivered or given up.
    pub async fn finish_pings(&self, ids: &[i64]) -> Result<(), StoreError> {
        for chunk in ids.chunks(500) {
            let sql = format!("DELETE FROM outbound_pings WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            query.execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn retry_pings(&self, ids: &[i64], delay_micros: i64) -> Result<(), StoreError> {
        for &id in ids {
            self.retry("outbound_pings", "id", id, delay_micros, None).await?;
        }
        Ok(())
    }

    /// Leases up to `limit` due rows of a queue table (of one `target`, for pings) and
    /// returns `returning` of each. Work that has not failed yet comes first, so that a
    /// recipient that keeps failing (a slow subscriber) waits behind those that do not.
    pub(super) async fn claim(
        &self,
        table: &str,
        key: &str,
        returning: &str,
        target: Option<&str>,
        limit: i64,
        lease_secs: i64,
    ) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let now = now_micros();
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Most of the time nothing is due: find that out with a read, which on SQLite
        // does not take the write lock the UPDATE below would.
        let due_filter = |at: usize| {
            let of_target = if target.is_some() { format!("AND target = ${at}") } else { String::new() };
            format!("due_at <= $1 AND lease_until <= $1 {of_target}")
        };
        let probe = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {} LIMIT 1) due", due_filter(2));
        let mut probe = sqlx::query_scalar::<_, i64>(&probe).bind(now);
        if let Some(target) = target {
            probe = probe.bind(target);
        }
        if probe.fetch_one(&self.pool).await? == 0 {
            return Ok(Vec::new());
        }
        let of_target = if target.is_some() { "AND target = $4" } else { "" };
        let sql = format!(
            "UPDATE {table} SET lease_until = $1 WHERE {key} IN (
                SELECT {key} FROM {table} WHERE due_at <= $2 AND lease_until <= $2 {of_target}
                ORDER BY attempts, due_at, {key} LIMIT $3 {lock})
             AND lease_until <= $2 RETURNING {returning}"
        );
        let mut query = sqlx::query(&sql).bind(now + lease_secs * 1_000_000).bind(now).bind(limit);
        if let Some(target) = target {
            query = query.bind(target);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Puts a queue row back, due after `delay_micros`, one attempt more.
    pub(super) async fn retry(
        &self,
        table: &str,
        key: &str,
        id: i64,
        delay_micros: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let error_column = if error.is_some() { ", last_error = $3" } else { "" };
        let sql = format!(
            "UPDATE {table} SET attempts = attempts + 1, lease_until = 0, due_at = $2{error_column} WHERE {key} = $1"
        );
        let mut query = sqlx::query(&sql).bind(id).bind(now_micros() + delay_micros);
        if let Some(error) = error {
            query = query.bind(error);
        }
        query.execute(&self.pool).await?;
        Ok(())
    }
}
