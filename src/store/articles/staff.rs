//! Articles as staff see them: every article whatever its standing (published,
//! withdrawn, expired, held, under embargo), filtered, newest first, a page at a time,
//! with the fields that say where it stands. Nothing read here reaches a public output.

use super::*;
use crate::domain::review::HeldBy;
use crate::domain::{ArticleStatus, Withdrawer};

/// A place in the newest-first order: just after the article `(reposted_at, id)`;
/// ordered as the listing is, the later the greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListPosition {
    pub reposted_at: i64,
    pub id: i64,
}

/// Which articles a staff listing shows.
#[derive(Debug, Clone, Default)]
pub struct StaffQuery {
    /// Only articles filed wholly within these columns (a user's scope, sub-columns
    /// included); `None`: every article.
    pub within: Option<Vec<i64>>,
    /// Only articles filed in one of these columns (a column and its sub-columns).
    pub column_ids: Option<Vec<i64>>,
    pub outlet_id: Option<i64>,
    pub status: Option<ArticleStatus>,
    /// Reposted at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Reposted before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only these articles (what a search of the text filter found).
    pub ids: Option<Vec<i64>>,
    /// Only articles whose outlet corrected them after an editor's edit, not yet resolved.
    pub outlet_corrected: bool,
    pub after: Option<ListPosition>,
    pub limit: i64,
}

/// An article with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffArticle {
    pub article: Article,
    pub status: ArticleStatus,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it, when that is known.
    pub withdrawn_by: Option<Withdrawer>,
    pub embargo_until: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why the content policy holds it.
    pub quarantine_reason: Option<String>,
    /// What editors corrected of it.
    pub edit: EditState,
    /// Which setting held it for review (while pending, or once rejected or approved).
    pub held_by: Option<HeldBy>,
    /// Why an editor rejected it in review.
    pub review_reason: Option<String>,
    /// Its responsible editor (责任编辑), when one is recorded.
    pub editor: Option<EditorRef>,
}

/// A responsible editor as staff see one: the user and the real name shown to readers.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorRef {
    pub username: String,
    pub real_name: String,
}

/// What editors corrected of an article, and whether its outlet changed it since.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditState {
    /// The fields shown as an editor set them (`title`, `subtitle`, `summary`,
    /// `content_html`, `image`); empty when none is.
    pub fields: Vec<&'static str>,
    /// When, and by whom, it was last edited; `None` while nothing is edited.
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
    /// When its outlet sent a changed version after the edit, while no editor has yet
    /// decided which one shows.
    pub outlet_corrected_at: Option<DateTime<Utc>>,
}

/// The editable fields, by the name of their `edited_` column and as APIs name them.
const EDITABLE: [(&str, &str); 5] = [
    ("edited_title", "title"),
    ("edited_subtitle", "subtitle"),
    ("edited_summary", "summary"),
    ("edited_content_html", "content_html"),
    ("edited_image_url", "image"),
];

impl StaffArticle {
    pub fn position(&self) -> ListPosition {
        ListPosition { reposted_at: to_micros(self.article.reposted_at), id: self.article.id }
    }
}

/// A value bound to a listing's query.
enum Bound {
    Number(i64),
    Text(String),
}

impl Store {
    /// Articles matching `query`, newest first by repost time; `limit + 1` are read so
    /// that the caller can tell whether another page follows.
    pub async fn staff_articles(&self, query: &StaffQuery) -> Result<Vec<StaffArticle>, StoreError> {
        let mut filters = Vec::new();
        let mut binds = vec![Bound::Number(query.limit + 1)];
        let next = |binds: &mut Vec<Bound>, value: Bound| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if let Some(within) = &query.within {
            filters.push(filed_within(within, |id| next(&mut binds, Bound::Number(id))));
        }
        if let Some(columns) = &query.column_ids {
            filters.push(in_columns(columns, binds.len() + 1));
            binds.extend(columns.iter().map(|id| Bound::Number(*id)));
        }
        if let Some(outlet) = query.outlet_id {
            filters.push(format!("a.outlet_id = {}", next(&mut binds, Bound::Number(outlet))));
        }
        if let Some(status) = query.status {
            filters.push(format!("({STANDING}) = {}", next(&mut binds, Bound::Text(status.as_str().into()))));
        }
        if let Some(since) = query.since {
            filters.push(format!("a.reposted_at >= {}", next(&mut binds, Bound::Number(to_micros(since)))));
        }
        if let Some(until) = query.until {
            filters.push(format!("a.reposted_at < {}", next(&mut binds, Bound::Number(to_micros(until)))));
        }
        if let Some(ids) = &query.ids {
            if ids.is_empty() {
                filters.push("1 = 0".into());
            } else {
                let list: Vec<String> = ids.iter().map(|&id| next(&mut binds, Bound::Number(id))).collect();
                filters.push(format!("a.id IN ({})", list.join(", ")));
            }
        }
        if query.outlet_corrected {
            filters.push("a.outlet_corrected_at IS NOT NULL".into());
        }
        if let Some(after) = query.after {
            let (at, id) =
                (next(&mut binds, Bound::Number(after.reposted_at)), next(&mut binds, Bound::Number(after.id)));
            filters.push(format!("(a.reposted_at < {at} OR (a.reposted_at = {at} AND a.id < {id}))"));
        }
        self.staff_articles_where(&filters, binds).await
    }

    /// One article as staff see it, whatever its standing.
    pub async fn staff_article(&self, id: i64) -> Result<Option<StaffArticle>, StoreError> {
        let found = self.staff_articles_where(&["a.id = $2".into()], vec![Bound::Number(1), Bound::Number(id)]).await?;
        let Some(mut found) = found.into_iter().next() else { return Ok(None) };
        self.attach_copies(std::slice::from_mut(&mut found.article)).await?;
        Ok(Some(found))
    }

    /// Articles matching every filter, newest first; `binds` starts with the limit ($1).
    async fn staff_articles_where(
        &self,
        filters: &[String],
        binds: Vec<Bound>,
    ) -> Result<Vec<StaffArticle>, StoreError> {
        let filter = if filters.is_empty() { "1 = 1".to_owned() } else { filters.join(" AND ") };
        let edited: Vec<String> = EDITABLE
            .iter()
            .map(|(column, _)| {
                format!("CAST(CASE WHEN a.{column} IS NULL THEN 0 ELSE 1 END AS BIGINT) AS {column}_set")
            })
            .collect();
        let sql = format!(
            "SELECT {ARTICLE_FIELDS}, {STANDING} AS standing, a.withdrawn_at, a.withdrawn_by, a.embargo_until,
                a.expires_at, a.quarantine_reason, a.edited_at, a.edited_by, a.outlet_corrected_at, {},
                a.review_held_by, a.review_reason, u.username AS editor_username
             FROM articles a JOIN outlets o ON o.id = a.outlet_id LEFT JOIN users u ON u.id = a.editor_id
             WHERE {filter} ORDER BY a.reposted_at DESC, a.id DESC LIMIT $1",
            edited.join(", ")
        );
        let mut sql_query = sqlx::query(&sql);
        for bound in binds {
            sql_query = match bound {
                Bound::Number(n) => sql_query.bind(n),
                Bound::Text(t) => sql_query.bind(t),
            };
        }
        let rows = sql_query.fetch_all(&self.pool).await?;
        let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
        self.attach_columns(&mut articles).await?;
        rows.iter()
            .zip(articles)
            .map(|(row, article)| {
                let standing: String = row.try_get("standing")?;
                let editor = row
                    .try_get::<Option<String>, _>("editor_username")?
                    .zip(article.responsible_editor.clone())
                    .map(|(username, real_name)| EditorRef { username, real_name });
                Ok(StaffArticle {
                    article,
                    status: ArticleStatus::parse(&standing).map_err(StoreError::Corrupt)?,
                    withdrawn_at: optional_time_at(row, "withdrawn_at")?,
                    withdrawn_by: row
                        .try_get::<Option<String>, _>("withdrawn_by")?
                        .as_deref()
                        .and_then(Withdrawer::parse),
                    embargo_until: optional_time_at(row, "embargo_until")?,
                    expires_at: optional_time_at(row, "expires_at")?,
                    quarantine_reason: row.try_get("quarantine_reason")?,
                    edit: edit_state(row)?,
                    held_by: row.try_get::<Option<String>, _>("review_held_by")?.as_deref().and_then(HeldBy::parse),
                    review_reason: row.try_get("review_reason")?,
                    editor,
                })
            })
            .collect()
    }
}

/// Where article `id` stands now, read inside a write (no article with this id: not
/// found), so that what a change answers and records is what it left.
pub(super) async fn standing(conn: &mut sqlx::AnyConnection, id: i64) -> Result<ArticleStatus, StoreError> {
    let standing: String = sqlx::query_scalar(&format!("SELECT {STANDING} FROM articles a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("article"))?;
    ArticleStatus::parse(&standing).map_err(StoreError::Corrupt)
}

fn edit_state(row: &AnyRow) -> Result<EditState, StoreError> {
    let mut fields = Vec::new();
    for (column, name) in EDITABLE {
        if row.try_get::<i64, _>(format!("{column}_set").as_str())? == 1 {
            fields.push(name);
        }
    }
    Ok(EditState {
        fields,
        at: optional_time_at(row, "edited_at")?,
        by: row.try_get("edited_by")?,
        outlet_corrected_at: optional_time_at(row, "outlet_corrected_at")?,
    })
}
