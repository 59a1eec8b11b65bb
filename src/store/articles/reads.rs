//! Single articles and the newest-first listings the publishers read.

use super::*;

impl Store {
    /// A published article.
    pub async fn article(&self, id: i64) -> Result<Option<Article>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ARTICLE_FIELDS} FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE a.id = $1 AND {PUBLIC}"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut articles = vec![article_from_row(&row)?];
        self.attach_columns(&mut articles).await?;
        self.attach_copies(&mut articles).await?;
        Ok(articles.pop())
    }

    /// The newest articles of a scope by repost time, `offset` skipped.
    pub async fn newest_articles(
        &self,
        scope: &FeedScope,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Article>, StoreError> {
        let (mut filter, ids) = scope_filter(scope, 3);
        if *scope == FeedScope::Site {
            filter.push_str(" AND a.shadowed = 0");
        }
        let sql = match scope {
            // A range of the column's listing index (`ids` binds the column as $3), skipped
            // inside the index alone: only the page's own articles are read, however deep.
            // `listed = 1` is kept equal to PUBLIC (less the duplicates a column hides,
            // `listings`); PUBLIC is checked again on the articles read
            // so that nothing withdrawn or held can show, even through a stale listing.
            FeedScope::Column(_) => format!(
                "SELECT {ARTICLE_FIELDS} FROM
                    (SELECT article_id, reposted_at FROM column_listings
                     WHERE column_id = $3 AND listed = 1
                     ORDER BY reposted_at DESC, article_id DESC LIMIT $1 OFFSET $2) l
                 JOIN articles a ON a.id = l.article_id JOIN outlets o ON o.id = a.outlet_id
                 WHERE {PUBLIC} ORDER BY l.reposted_at DESC, l.article_id DESC"
            ),
            // Likewise in the index of public articles (`filter` holds the conditions of
            // its WHERE clause, so that the planner may use it); site-wide, a duplicate
            // whose original is public is left out (`store::duplicates`).
            _ => format!(
                "SELECT {ARTICLE_FIELDS} FROM
                    (SELECT a.id, a.reposted_at FROM articles a WHERE {filter}
                     ORDER BY a.reposted_at DESC, a.id DESC LIMIT $1 OFFSET $2) p
                 JOIN articles a ON a.id = p.id JOIN outlets o ON o.id = a.outlet_id
                 ORDER BY p.reposted_at DESC, p.id DESC"
            ),
        };
        let mut query = sqlx::query(&sql).bind(limit).bind(offset);
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        Ok(articles)
    }

    /// How many articles of a scope are public: one row of the kept counts for a column
    /// or an outlet, the outlets' kept counts summed for the site (one row an outlet),
    /// shadowed duplicates left out where the scope leaves them out.
    pub async fn count_articles(&self, scope: &FeedScope) -> Result<i64, StoreError> {
        let (sql, id) = match scope {
            FeedScope::Column(id) => ("SELECT listed_count FROM column_stats WHERE column_id = $1", id),
            FeedScope::Outlet(id) => ("SELECT listed_count FROM outlet_stats WHERE outlet_id = $1", id),
            FeedScope::Site => {
                // SUM over BIGINT is NUMERIC on PostgreSQL: cast back.
                let sql = "SELECT CAST(COALESCE(SUM(listed_count - shadowed_count), 0) AS BIGINT) FROM outlet_stats";
                return Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?);
            }
        };
        let count: Option<i64> = sqlx::query_scalar(sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(count.unwrap_or(0))
    }

    /// For each column with articles, the latest change to one it lists or listed until
    /// that change (a withdrawal, a re-filing), its sub-columns' included. Kept by every
    /// article write (`listings`), so reading it costs one row a column.
    pub async fn column_last_changes(&self) -> Result<HashMap<i64, DateTime<Utc>>, StoreError> {
        let rows = sqlx::query("SELECT column_id, last_change FROM column_stats WHERE last_change IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("column_id")?, time_at(r, "last_change")?))).collect()
    }

    /// Fills in each article's columns, primary first, with one query for the whole page,
    /// and its kept images (`attach_kept_images`) with another.
    pub(in crate::store) async fn attach_columns(&self, articles: &mut [Article]) -> Result<(), StoreError> {
        if articles.is_empty() {
            return Ok(());
        }
        self.attach_kept_images(articles).await?;
        let sql = format!(
            "SELECT ac.article_id, c.id, c.slug, c.title FROM article_columns ac
             JOIN columns c ON c.id = ac.column_id
             WHERE ac.article_id IN ({}) ORDER BY ac.article_id, ac.position",
            placeholders(1, articles.len())
        );
        let mut query = sqlx::query(&sql);
        for article in articles.iter() {
            query = query.bind(article.id);
        }
        let mut by_article: HashMap<i64, Vec<ColumnRef>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let slug: String = row.try_get("slug")?;
            by_article.entry(row.try_get("article_id")?).or_default().push(ColumnRef {
                id: row.try_get("id")?,
                slug: Slug::parse(&slug).map_err(|e| StoreError::Corrupt(format!("column slug '{slug}': {e}")))?,
                title: row.try_get("title")?,
            });
        }
        for article in articles {
            article.columns = by_article.remove(&article.id).unwrap_or_default();
        }
        Ok(())
    }

    /// Fills in each article's other outlets' public copies of its story, with one query
    /// for them all: the story's original (its own id, or the one it duplicates) and
    /// every public duplicate of it, less the article itself and its own outlet's.
    pub(in crate::store) async fn attach_copies(&self, articles: &mut [Article]) -> Result<(), StoreError> {
        if articles.is_empty() {
            return Ok(());
        }
        let roots: Vec<i64> = articles.iter().map(|a| a.duplicate_of.unwrap_or(a.id)).collect();
        let list = placeholders(1, roots.len());
        let sql = format!(
            "SELECT a.id, COALESCE(a.duplicate_of, a.id) AS root, a.outlet_id, o.slug, o.name
             FROM articles a JOIN outlets o ON o.id = a.outlet_id
             WHERE (a.id IN ({list}) OR a.duplicate_of IN ({list})) AND {PUBLIC}
             ORDER BY a.reposted_at, a.id"
        );
        let mut query = sqlx::query(&sql);
        for root in &roots {
            query = query.bind(root);
        }
        let mut by_root: HashMap<i64, Vec<(i64, StoryCopy)>> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let slug: String = row.try_get("slug")?;
            let copy = StoryCopy {
                id: row.try_get("id")?,
                outlet_slug: Slug::parse(&slug)
                    .map_err(|e| StoreError::Corrupt(format!("outlet slug '{slug}': {e}")))?,
                outlet_name: row.try_get("name")?,
            };
            by_root.entry(row.try_get("root")?).or_default().push((row.try_get("outlet_id")?, copy));
        }
        for (article, root) in articles.iter_mut().zip(roots) {
            let copies = by_root.get(&root).map(Vec::as_slice).unwrap_or_default();
            article.copies = copies
                .iter()
                .filter(|(outlet, copy)| copy.id != article.id && *outlet != article.outlet.id)
                .map(|(_, copy)| copy.clone())
                .collect();
        }
        Ok(())
    }
}
