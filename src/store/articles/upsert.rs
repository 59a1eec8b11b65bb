//! The idempotent upsert every ingest path ends in: created, updated or left alone,
//! many rows a statement, under the change clock.

use super::*;
use crate::domain::likeness::Likeness;
use crate::domain::review::{HeldBy, ReviewState};
use crate::store::duplicates;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(ArticleStamp),
    Updated(ArticleStamp),
    Unchanged(ArticleStamp),
    /// The URL is already another outlet's article (`public`: one readers can see);
    /// nothing was written.
    OwnedByOtherOutlet {
        public: bool,
    },
}

/// One article of an upsert: the draft, if the content policy holds it, why, and, if
/// it is held for review when new, which setting holds it (an article already stored
/// keeps its standing in review).
#[derive(Debug, Clone, Copy)]
pub struct Upsert<'a> {
    pub draft: &'a ArticleDraft,
    pub quarantine: Option<&'a str>,
    pub review: Option<HeldBy>,
}

/// What an upsert needs to know of an article already stored.
#[derive(Debug, Clone)]
struct Existing {
    stamp: ArticleStamp,
    outlet_id: i64,
    fingerprint: String,
    withdrawn: bool,
    public: bool,
}

/// The outcome that needs no write, if there is one: another outlet's URL, or the same
/// content and still live.
fn settled(existing: Option<&Existing>, outlet_id: i64, fingerprint: &str) -> Option<UpsertOutcome> {
    let existing = existing?;
    if existing.outlet_id != outlet_id {
        Some(UpsertOutcome::OwnedByOtherOutlet { public: existing.public })
    } else if existing.fingerprint == fingerprint && !existing.withdrawn {
        Some(UpsertOutcome::Unchanged(existing.stamp))
    } else {
        None
    }
}

/// URLs per lookup of existing articles (well under every backend's bind limit).
const URLS_PER_LOOKUP: usize = 500;

/// The stored articles among `items`' URLs, by URL.
async fn existing_articles(
    conn: &mut sqlx::AnyConnection,
    items: &[Upsert<'_>],
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut found = HashMap::with_capacity(items.len());
    for chunk in items.chunks(URLS_PER_LOOKUP) {
        let sql = format!(
            "SELECT id, outlet_id, original_url, fingerprint, reposted_at, updated_at, withdrawn_at, review,
                CASE WHEN {PUBLIC} THEN 1 ELSE 0 END AS public
             FROM articles a WHERE original_url IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for item in chunk {
            query = query.bind(item.draft.original_url.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let stamp = ArticleStamp {
                id: row.try_get("id")?,
                reposted_at: time_at(&row, "reposted_at")?,
                updated_at: time_at(&row, "updated_at")?,
                review: row.try_get::<Option<String>, _>("review")?.as_deref().and_then(ReviewState::parse),
            };
            let existing = Existing {
                stamp,
                outlet_id: row.try_get("outlet_id")?,
                fingerprint: row.try_get("fingerprint")?,
                withdrawn: row.try_get::<Option<i64>, _>("withdrawn_at")?.is_some(),
                public: row.try_get::<i64, _>("public")? == 1,
            };
            found.insert(row.try_get("original_url")?, existing);
        }
    }
    Ok(found)
}

/// An article to create, with its change-clock value.
struct Creation<'a> {
    /// Its place in the batch.
    index: usize,
    item: Upsert<'a>,
    fingerprint: &'a str,
    now: i64,
}

/// Values each created row binds: its content (`bind_content`), then what holds it for
/// review.
const CREATED_VALUES: usize = CONTENT_VALUES + 1;

/// Articles created per statement (23 values each). SQLite finds each `$N` value by a
/// scan of the statement's parameters, so a statement's cost grows with the square of
/// its values: about two hundred per statement is the sweet spot.
const ARTICLES_PER_INSERT: usize = 10;
/// Column memberships written per statement (three values each).
const MEMBERSHIPS_PER_INSERT: usize = 200;

/// Creates the articles of `creations` (their URLs all new) and files them in their
/// columns, many rows a statement; their ids, in order.
async fn insert_articles(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    outlet_id: i64,
    creations: &[Creation<'_>],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(creations.len());
    for chunk in creations.chunks(ARTICLES_PER_INSERT) {
        // Each row: the outlet ($1), then the row's CREATED_VALUES values from `first`;
        // reposted_at is created equal to updated_at, and an article published now
        // (not held by the policy or for review, not embargoed) takes its archive place
        // from the same clock value. One held for review is marked pending; one that is
        // not has its outlet's default editor as its responsible editor, from now on, if
        // that user may still be one (`review::default_editor_refusal`: an admin, or an
        // editor of every column, not disabled): none is recorded else.
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                let first = 2 + row * CREATED_VALUES;
                let value = |k: usize| format!("${}", first + k);
                let contents: Vec<String> = (0..CONTENT_VALUES).map(value).collect();
                let (now, status, embargo, held) = (value(14), value(16), value(19), value(CONTENT_VALUES));
                format!(
                    "($1, {}, {now}, CASE WHEN {status} = 'published' AND {embargo} IS NULL AND {held} IS NULL THEN {now} END,
                      CASE WHEN {held} IS NOT NULL THEN 'pending' END, {held},
                      CASE WHEN {held} IS NULL THEN (SELECT u.id FROM outlets o JOIN users u ON u.id = o.default_editor_id
                          WHERE o.id = $1 AND u.disabled_at IS NULL AND (u.role = 'admin' OR u.role = 'editor'
                              AND NOT EXISTS (SELECT 1 FROM user_columns uc WHERE uc.user_id = u.id))) END)",
                    contents.join(", ")
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO articles (outlet_id, original_url, title, subtitle, author, summary, content_html,
                language, tags, rights, image_url, image_caption, enclosures, original_published_at,
                original_updated_at, updated_at, fingerprint, status, quarantine_reason, hidden_removed,
                embargo_until, expires_at, credit, reposted_at, archive_seq, review, review_held_by, editor_id)
             VALUES {} RETURNING id, original_url",
            rows.join(", ")
        );
        let mut insert = sqlx::query(&sql).bind(outlet_id);
        for creation in chunk {
            insert = bind_content(insert, creation.item, creation.now, creation.fingerprint)
                .bind(creation.item.review.map(HeldBy::as_str));
        }
        // Rows come back in no promised order: matched by URL, which is unique.
        let mut by_url = HashMap::with_capacity(chunk.len());
        for row in insert.fetch_all(&mut **tx).await? {
            by_url.insert(row.try_get::<String, _>("original_url")?, row.try_get::<i64, _>("id")?);
        }
        for creation in chunk {
            let url = creation.item.draft.original_url.as_str();
            ids.push(*by_url.get(url).ok_or_else(|| StoreError::Corrupt(format!("no id came back for {url}")))?);
        }
    }
    let memberships: Vec<(i64, i64, usize)> = creations
        .iter()
        .zip(&ids)
        .flat_map(|(creation, &id)| {
            creation.item.draft.column_ids.iter().enumerate().map(move |(position, &column)| (id, column, position))
        })
        .collect();
    insert_memberships(tx, &memberships).await?;
    Ok(ids)
}

/// Files articles in columns: (article, column, position among its columns).
async fn insert_memberships(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    memberships: &[(i64, i64, usize)],
) -> Result<(), StoreError> {
    for chunk in memberships.chunks(MEMBERSHIPS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len()).map(|row| format!("({})", placeholders(1 + row * 3, 3))).collect();
        let sql = format!("INSERT INTO article_columns (article_id, column_id, position) VALUES {}", rows.join(", "));
        let mut insert = sqlx::query(&sql);
        for &(article, column, position) in chunk {
            insert = insert.bind(article).bind(column).bind(position as i64);
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Updates the outlet's version of an article. An editor's corrections are kept apart
/// (`edited_*`, migration 0024) and go on showing; when the outlet's version changed
/// (its fingerprint differs) under an edit, the article is flagged as corrected by its
/// outlet since, for an editor to decide which version shows. An edited title that no
/// longer says what the outlet's says under a strict column is dropped
/// (`corrections::keep_strict_title`).
async fn update_article(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    stamp: ArticleStamp,
    item: &Upsert<'_>,
    fingerprint: &str,
    now: i64,
) -> Result<UpsertOutcome, StoreError> {
    let update = sqlx::query(
        "UPDATE articles SET original_url = $2, title = $3, subtitle = $4, author = $5, summary = $6,
            content_html = $7, language = $8, tags = $9, rights = $10, image_url = $11, image_caption = $12,
            enclosures = $13, original_published_at = $14, original_updated_at = $15,
            updated_at = $16, fingerprint = $17, status = $18, quarantine_reason = $19, hidden_removed = $20,
            withdrawn_at = NULL, withdrawn_by = NULL, expires_at = $22, credit = $23,
            embargo_until = CASE WHEN archive_seq IS NULL THEN $21 END,
            archive_seq = COALESCE(archive_seq, CASE WHEN $18 = 'published' AND $21 IS NULL AND review IS NULL THEN $16 END),
            outlet_corrected_at = CASE WHEN edited_at IS NOT NULL AND fingerprint <> $17 THEN $16
                ELSE outlet_corrected_at END
         WHERE id = $1",
    )
    .bind(stamp.id);
    bind_content(update, *item, now, fingerprint).execute(&mut **tx).await?;
    if refile(tx, stamp.id, &item.draft.column_ids).await? {
        // Its old columns' pages and archives shift: caches start over.
        bump_catalog_version(&mut **tx).await?;
    }
    corrections::keep_strict_title(tx, stamp.id, &item.draft.title, &item.draft.column_ids).await?;
    Ok(UpsertOutcome::Updated(ArticleStamp { updated_at: from_micros(now), ..stamp }))
}

/// Identity and times of a stored article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleStamp {
    pub id: i64,
    pub reposted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where it stands in review, if it was held for one and not approved.
    pub review: Option<ReviewState>,
}

impl Store {
    /// Creates the article, or updates it when its content changed, or does nothing when
    /// it did not. `reposted_at` is set once, at creation, and never moves.
    /// A draft with a `quarantine` reason is stored held back from every public output.
    pub async fn upsert_article(
        &self,
        outlet_id: i64,
        draft: &ArticleDraft,
        quarantine: Option<&str>,
    ) -> Result<UpsertOutcome, StoreError> {
        let mut outcomes = self.upsert_articles(outlet_id, &[Upsert { draft, quarantine, review: None }]).await?;
        Ok(outcomes.remove(0))
    }

    /// `upsert_article` for many articles of one outlet, in one transaction that takes
    /// one run of change-clock values; outcomes in the order of `items`. A URL given
    /// twice is created, then updated (or left unchanged).
    pub async fn upsert_articles(
        &self,
        outlet_id: i64,
        items: &[Upsert<'_>],
    ) -> Result<Vec<UpsertOutcome>, StoreError> {
        if let Some(item) = items.iter().find(|item| item.draft.column_ids.is_empty()) {
            return Err(StoreError::Unfiled(item.draft.original_url.as_str().to_owned()));
        }
        let fingerprints: Vec<String> = items.iter().map(|item| item.draft.fingerprint()).collect();
        // First without a lock: what is unchanged, or another outlet's, needs no write.
        let known = existing_articles(&mut *self.pool.acquire().await?, items).await?;
        let mut written = std::collections::HashSet::new();
        let mut outcomes: Vec<Option<UpsertOutcome>> = Vec::with_capacity(items.len());
        for (item, fingerprint) in items.iter().zip(&fingerprints) {
            let url = item.draft.original_url.as_str();
            // Once a URL is written in this batch, what is stored no longer tells.
            let outcome = settled(known.get(url), outlet_id, fingerprint).filter(|_| !written.contains(url));
            if outcome.is_none() {
                written.insert(url);
            }
            outcomes.push(outcome);
        }
        let pending: Vec<usize> = (0..items.len()).filter(|&i| outcomes[i].is_none()).collect();
        if pending.is_empty() {
            return Ok(outcomes.into_iter().flatten().collect());
        }
        // Signatures are computed before the clock's lock is taken.
        let likenesses: HashMap<usize, Option<Likeness>> = pending
            .iter()
            .map(|&i| (i, Likeness::of(&items[i].draft.title, items[i].draft.content_html.as_deref())))
            .collect();
        let mut change = self.begin_change(pending.len() as i64).await?;
        duplicates::prune(&mut change.tx, change.first).await?;
        // Again under the clock's lock, which every article writer takes: now it holds.
        let pending_items: Vec<Upsert<'_>> = pending.iter().map(|&i| items[i]).collect();
        let mut known = existing_articles(&mut change.tx, &pending_items).await?;
        let stamped: Vec<(usize, i64)> = pending.iter().copied().zip(change.first..).collect();
        // URLs new to the store are created together, at their first mention; a later
        // mention in the batch is then an update (or unchanged) like any other.
        let mut fresh = std::collections::HashSet::new();
        let creations: Vec<Creation<'_>> = stamped
            .iter()
            .filter(|&&(i, _)| {
                let url = items[i].draft.original_url.as_str();
                !known.contains_key(url) && fresh.insert(url)
            })
            .map(|&(i, now)| Creation { index: i, item: items[i], fingerprint: &fingerprints[i], now })
            .collect();
        let created_ids = insert_articles(&mut change.tx, outlet_id, &creations).await?;
        let mut created: HashMap<usize, ArticleStamp> = HashMap::with_capacity(creations.len());
        for (creation, id) in creations.iter().zip(created_ids) {
            let at = from_micros(creation.now);
            let review = creation.item.review.map(|_| ReviewState::Pending);
            created.insert(creation.index, ArticleStamp { id, reposted_at: at, updated_at: at, review });
        }
        for &(i, now) in &stamped {
            let (item, fingerprint) = (&items[i], fingerprints[i].as_str());
            let url = item.draft.original_url.as_str();
            let outcome = match (created.remove(&i), settled(known.get(url), outlet_id, fingerprint)) {
                (Some(stamp), _) => UpsertOutcome::Created(stamp),
                (None, Some(outcome)) => outcome,
                (None, None) => {
                    let existing = known.get(url).expect("a URL new to the store was created at its first mention");
                    update_article(&mut change.tx, existing.stamp, item, fingerprint, now).await?
                }
            };
            if let UpsertOutcome::Created(stamp) | UpsertOutcome::Updated(stamp) = outcome {
                let likeness = likenesses.get(&i).and_then(Option::as_ref);
                let reposted_at = to_micros(stamp.reposted_at);
                if let Some(left) =
                    duplicates::link(&mut change.tx, stamp.id, outlet_id, reposted_at, now, likeness).await?
                {
                    change.unlinked.push(left);
                }
                change.written.push(stamp.id);
                // `public` is asked only of another outlet's rows: this one is the writer's.
                let existing =
                    Existing { stamp, outlet_id, fingerprint: fingerprint.to_owned(), withdrawn: false, public: false };
                known.insert(url.to_owned(), existing);
            }
            outcomes[i] = Some(outcome);
        }
        self.commit_change(change).await?;
        Ok(outcomes.into_iter().flatten().collect())
    }
}

/// Binds `$2`‥`$23` of an insert or update: the draft's fields, the change time, the
/// fingerprint, the publication status, the schedule (an embargo only while it lasts) and
/// the credit, in the column order both statements share.
/// Values `bind_content` binds: an article's content, its change time, fingerprint,
/// status, schedule, credit.
const CONTENT_VALUES: usize = 22;

fn bind_content<'q>(query: AnyQuery<'q>, item: Upsert<'q>, now: i64, fingerprint: &'q str) -> AnyQuery<'q> {
    let (draft, quarantine) = (item.draft, item.quarantine);
    query
        .bind(draft.original_url.as_str())
        .bind(&draft.title)
        .bind(draft.subtitle.as_deref())
        .bind(draft.author.as_deref())
        .bind(draft.summary.as_deref())
        .bind(draft.content_html.as_deref())
        .bind(draft.language.as_deref())
        .bind(tags_json(&draft.tags))
        .bind(draft.rights.as_deref())
        .bind(draft.image.as_ref().map(|i| i.url.as_str()))
        .bind(draft.image.as_ref().and_then(|i| i.caption.as_deref()))
        .bind(enclosures_json(&draft.enclosures))
        .bind(to_micros(draft.original_published_at))
        .bind(draft.original_updated_at.map(to_micros))
        .bind(now)
        .bind(fingerprint)
        .bind(if quarantine.is_some() { QUARANTINED } else { PUBLISHED })
        .bind(quarantine)
        .bind(i64::from(draft.hidden_removed))
        .bind(draft.schedule.publish_at.map(to_micros).filter(|&t| t > now))
        .bind(draft.schedule.expires_at.map(to_micros))
        .bind(draft.credit.as_deref())
}

/// Files an existing article under `column_ids`; true when the set of its columns
/// changed (not only their order).
async fn refile(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: i64,
    column_ids: &[i64],
) -> Result<bool, StoreError> {
    let filed: Vec<i64> =
        sqlx::query_scalar("SELECT column_id FROM article_columns WHERE article_id = $1 ORDER BY position")
            .bind(article_id)
            .fetch_all(&mut **tx)
            .await?;
    if filed == column_ids {
        return Ok(false);
    }
    replace_columns(tx, article_id, column_ids).await?;
    let (mut before, mut after) = (filed, column_ids.to_vec());
    before.sort_unstable();
    after.sort_unstable();
    Ok(before != after)
}

async fn replace_columns(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: i64,
    column_ids: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM article_columns WHERE article_id = $1").bind(article_id).execute(&mut **tx).await?;
    let memberships: Vec<(i64, i64, usize)> =
        column_ids.iter().enumerate().map(|(position, &column)| (article_id, column, position)).collect();
    insert_memberships(tx, &memberships).await
}

fn tags_json(tags: &[String]) -> String {
    Value::from(tags).to_string()
}

fn enclosures_json(enclosures: &[Enclosure]) -> String {
    let list: Vec<Value> =
        enclosures.iter().map(|e| json!({"url": e.url, "type": e.mime_type, "length": e.length})).collect();
    Value::from(list).to_string()
}
