//! Sources' WebSub subscriptions to outlets' hubs (migration 0029): what a poll
//! discovered, the subscriber's leased claims, verification, denial, deliveries; and the
//! source's next poll moved out while pushes come and back in when they stop.

use super::{now_micros, optional_time_at, time_at, to_micros, Store, StoreError};
use crate::domain::subscription::{poll_interval, HubCredentials, Subscription, SubscriptionState};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

const FIELDS: &str = "id, source_id, hub, topic, state, wanted, attempts, requested_at, verified_at, \
    lease_expires_at, last_delivery_at, deliveries, ignored_deliveries, last_error, next_action_at";

/// A subscription with what acting on it takes: its credentials, and its source's poll
/// interval (`None`: the source is gone).
#[derive(Debug, Clone)]
pub struct SubscriptionJob {
    pub subscription: Subscription,
    pub credentials: HubCredentials,
    pub source_interval: Option<i64>,
}

/// A change of a subscription's state, made by the subscriber or a callback.
#[derive(Debug, Clone)]
pub struct StateChange {
    pub state: SubscriptionState,
    /// The error to show; `None` clears it.
    pub error: Option<String>,
    /// Whether a request to the hub failed (one more attempt counted) or was accepted
    /// (`requested_at` set, attempts back to 0); neither for a change of the subscriber's own.
    pub request: Option<bool>,
    pub next_action_at: DateTime<Utc>,
    /// Applied only if the subscription still stands as read before a request to its
    /// hub (the hub may have verified, or a poll ended it, meanwhile); `None`: always.
    pub expected: Option<Expected>,
}

/// What a subscription stood as when the subscriber claimed it.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    state: SubscriptionState,
    verified_at: Option<DateTime<Utc>>,
    wanted: bool,
}

impl Expected {
    pub fn of(subscription: &Subscription) -> Expected {
        Expected { state: subscription.state, verified_at: subscription.verified_at, wanted: subscription.wanted }
    }
}

impl Store {
    /// Records the hub and topic a source's document names now (`None`: none): the same
    /// as its subscription's changes nothing; else that one is ended (to be unsubscribed)
    /// and a new one, due at once, takes its place. True when anything changed.
    pub async fn subscription_discovered(
        &self,
        source_id: i64,
        found: Option<(&str, &str)>,
        credentials: &HubCredentials,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let current =
            sqlx::query("SELECT id, hub, topic FROM source_subscriptions WHERE source_id = $1 AND wanted = 1")
                .bind(source_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = match current {
            Some(row) => Some((
                row.try_get::<i64, _>("id")?,
                row.try_get::<String, _>("hub")?,
                row.try_get::<String, _>("topic")?,
            )),
            None => None,
        };
        let same = match (&current, found) {
            (Some((_, hub, topic)), Some((new_hub, new_topic))) => hub == new_hub && topic == new_topic,
            (None, None) => true,
            _ => false,
        };
        if same {
            return Ok(false);
        }
        let now = now_micros();
        if let Some((id, ..)) = current {
            retire(&mut tx, "id", id, now).await?;
        }
        if let Some((hub, topic)) = found {
            sqlx::query(
                "INSERT INTO source_subscriptions (source_id, hub, topic, callback_token, secret, state, wanted,
                     next_action_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'subscribing', 1, $6, $6)",
            )
            .bind(source_id)
            .bind(hub)
            .bind(topic)
            .bind(&credentials.callback_token)
            .bind(&credentials.secret)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Subscriptions due for the subscriber now, soonest first; each leased for
    /// `lease_secs` (its next action moved past the lease) in the same statement, so
    /// that of many instances one acts on each.
    pub async fn claim_due_subscriptions(
        &self,
        limit: i64,
        lease_secs: i64,
    ) -> Result<Vec<SubscriptionJob>, StoreError> {
        let ids = self.lease_due("source_subscriptions", "next_action_at", limit, lease_secs).await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            claimed.extend(self.subscription_job(id).await?);
        }
        Ok(claimed)
    }

    /// One subscription with its credentials, for the subscriber or a callback.
    pub async fn subscription_job(&self, id: i64) -> Result<Option<SubscriptionJob>, StoreError> {
        let sql = format!(
            "SELECT {FIELDS}, callback_token, secret,
                    (SELECT s.interval_secs FROM sources s WHERE s.id = source_id) AS source_interval
             FROM source_subscriptions WHERE id = $1"
        );
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await? else { return Ok(None) };
        Ok(Some(SubscriptionJob {
            subscription: subscription_from_row(&row)?,
            credentials: HubCredentials {
                callback_token: row.try_get("callback_token")?,
                secret: row.try_get("secret")?,
            },
            source_interval: row.try_get("source_interval")?,
        }))
    }

    /// Changes a subscription's state (if it stands as `expected`); one that stops pushes
    /// (denied, failed, expired) brings its source's next poll back within the source's
    /// own interval.
    pub async fn change_subscription(&self, id: i64, change: &StateChange) -> Result<(), StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let (failed, accepted) = match change.request {
            Some(true) => (1_i64, 0_i64),
            Some(false) => (0, 1),
            None => (0, 0),
        };
        let expected = change.expected;
        let source_id: Option<i64> = sqlx::query_scalar(
            "UPDATE source_subscriptions SET state = $2, last_error = $3, next_action_at = $4,
                attempts = CASE WHEN $5 = 1 THEN attempts + 1 WHEN $6 = 1 THEN 0 ELSE attempts END,
                requested_at = CASE WHEN $6 = 1 THEN $7 ELSE requested_at END
             WHERE id = $1
               AND ($8 = 0 OR (state = $9 AND COALESCE(verified_at, 0) = $10 AND wanted = $11))
             RETURNING source_id",
        )
        .bind(id)
        .bind(change.state.as_str())
        .bind(change.error.as_deref())
        .bind(to_micros(change.next_action_at))
        .bind(failed)
        .bind(accepted)
        .bind(now)
        .bind(i64::from(expected.is_some()))
        .bind(expected.map_or("", |e| e.state.as_str()))
        .bind(expected.and_then(|e| e.verified_at).map_or(0, to_micros))
        .bind(i64::from(expected.is_some_and(|e| e.wanted)))
        .fetch_optional(&mut *tx)
        .await?;
        let stops_pushes =
            matches!(change.state, SubscriptionState::Denied | SubscriptionState::Failed | SubscriptionState::Expired);
        if let (Some(source_id), true) = (source_id, stops_pushes) {
            sqlx::query(
                "UPDATE sources SET next_fetch_at = $2 + interval_secs * 1000000
                 WHERE id = $1 AND next_fetch_at > $2 + interval_secs * 1000000",
            )
            .bind(source_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The hub verified a subscription, with a lease of `lease_secs`: renewed at
    /// `renew_at`; its source is polled only at the long fallback interval from now on.
    pub async fn subscription_verified(
        &self,
        id: i64,
        lease_secs: i64,
        renew_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let source_id: Option<i64> = sqlx::query_scalar(
            "UPDATE source_subscriptions SET state = 'verified', verified_at = $2, lease_seconds = $3,
                lease_expires_at = $4, next_action_at = $5, attempts = 0, last_error = NULL
             WHERE id = $1 RETURNING source_id",
        )
        .bind(id)
        .bind(now)
        .bind(lease_secs)
        .bind(now.saturating_add(lease_secs.saturating_mul(1_000_000)))
        .bind(to_micros(renew_at))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(source_id) = source_id {
            let interval: Option<i64> = sqlx::query_scalar("SELECT interval_secs FROM sources WHERE id = $1")
                .bind(source_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(interval) = interval {
                let later = now + poll_interval(interval, true) * 1_000_000;
                sqlx::query("UPDATE sources SET next_fetch_at = $2 WHERE id = $1 AND next_fetch_at < $2")
                    .bind(source_id)
                    .bind(later)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// A delivery came: stored (`ignored` `None`), or ignored for the reason given.
    pub async fn subscription_delivery(&self, id: i64, ignored: Option<&str>) -> Result<(), StoreError> {
        let query = match ignored {
            None => sqlx::query(
                "UPDATE source_subscriptions SET deliveries = deliveries + 1, last_delivery_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(now_micros()),
            Some(reason) => sqlx::query(
                "UPDATE source_subscriptions SET ignored_deliveries = ignored_deliveries + 1, last_error = $2
                 WHERE id = $1",
            )
            .bind(id)
            .bind(reason),
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// Deletes a subscription once it is ended (or could not be).
    pub async fn forget_subscription(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM source_subscriptions WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }
}

/// Marks the wanted subscription of a source (`column` `source_id`) or the one with this
/// `id` as being ended, due for the subscriber at `now`.
async fn retire(conn: &mut AnyConnection, column: &str, value: i64, now: i64) -> Result<(), StoreError> {
    let sql =
        format!("UPDATE source_subscriptions SET wanted = 0, next_action_at = $2 WHERE {column} = $1 AND wanted = 1");
    sqlx::query(&sql).bind(value).bind(now).execute(&mut *conn).await?;
    Ok(())
}

/// In a source's deletion: its subscription is to be ended.
pub(super) async fn retire_for_source(conn: &mut AnyConnection, source_id: i64) -> Result<(), StoreError> {
    retire(conn, "source_id", source_id, now_micros()).await
}

/// Every source's current (wanted) subscription, by source id.
pub(super) async fn current(conn: &mut AnyConnection) -> Result<HashMap<i64, Subscription>, StoreError> {
    let sql = format!("SELECT {FIELDS} FROM source_subscriptions WHERE wanted = 1");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|row| subscription_from_row(row).map(|s| (s.source_id, s))).collect()
}

fn subscription_from_row(row: &AnyRow) -> Result<Subscription, StoreError> {
    Ok(Subscription {
        id: row.try_get("id")?,
        source_id: row.try_get("source_id")?,
        hub: row.try_get("hub")?,
        topic: row.try_get("topic")?,
        state: SubscriptionState::parse(&row.try_get::<String, _>("state")?).map_err(StoreError::Corrupt)?,
        wanted: row.try_get::<i64, _>("wanted")? == 1,
        attempts: row.try_get("attempts")?,
        requested_at: optional_time_at(row, "requested_at")?,
        verified_at: optional_time_at(row, "verified_at")?,
        lease_expires_at: optional_time_at(row, "lease_expires_at")?,
        last_delivery_at: optional_time_at(row, "last_delivery_at")?,
        deliveries: row.try_get("deliveries")?,
        ignored_deliveries: row.try_get("ignored_deliveries")?,
        last_error: row.try_get("last_error")?,
        next_action_at: time_at(row, "next_action_at")?,
    })
}
