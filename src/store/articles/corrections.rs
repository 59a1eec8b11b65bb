//! Editors' corrections, kept beside the outlet's version of an article (`edited_*`,
//! migration 0024) so that the outlet's own fields stay as it sent them: the public
//! reads lay the edits over them (`ARTICLE_FIELDS`). Each write is a change like any
//! other article write (`updated_at` moves, its listings and the caches follow) and is
//! recorded with the fields shown before and after.

use super::*;
use crate::domain::audit::Target;
use crate::domain::correction::{same_title, Correction, Editable, Take};
use crate::store::audit::{Audit, Fields};
use crate::store::columns::column_tree_in;

/// An article's two versions as stored: the outlet's, and the edits over it.
#[derive(Debug, Clone)]
struct Versions {
    outlet: Editable,
    edits: Correction,
    edited_at: Option<i64>,
    edited_by: Option<String>,
    outlet_corrected_at: Option<i64>,
}

/// What an edit writes: the edits, when and by whom, and whether the outlet's
/// correction is still to be resolved.
struct Edits<'a> {
    edits: &'a Correction,
    edited_at: Option<i64>,
    edited_by: Option<&'a str>,
    outlet_corrected_at: Option<i64>,
}

impl Store {
    /// Lays `correction` over article `id`'s edits. A field set to the outlet's own
    /// value is no longer edited; when nothing is edited any more, nothing is left for an
    /// outlet's correction to be weighed against, and its flag goes too. A correction
    /// that changes nothing writes nothing.
    pub async fn correct_article(&self, id: i64, correction: &Correction, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut change = self.begin_change(1).await?;
        let stored = versions(&mut change.tx, id).await?;
        let merged = stored.edits.clone().then(correction.clone()).against(&stored.outlet);
        if merged == stored.edits {
            return Ok(());
        }
        let actor = audit.actor.to_string();
        let edited = !merged.is_empty();
        let edits = Edits {
            edits: &merged,
            edited_at: edited.then_some(change.first),
            edited_by: edited.then_some(actor.as_str()),
            outlet_corrected_at: stored.outlet_corrected_at.filter(|_| edited),
        };
        write(&mut change.tx, id, &edits, change.first).await?;
        change.written.push(id);
        let (before, after) = (stored.edits.applied_to(&stored.outlet), merged.applied_to(&stored.outlet));
        change.audit = Some(audit.entry(Target::Article(id)).changed(shown_fields(&before), shown_fields(&after)));
        self.commit_change(change).await
    }

    /// Decides which version of article `id` shows after its outlet corrected it under
    /// an edit: the outlet's (the edits are dropped) or the edit (kept as they are).
    /// Either way the flag goes, audited; only a decision that changes what readers see
    /// is a change (`updated_at` moves). Not flagged: a conflict.
    pub async fn resolve_outlet_correction(&self, id: i64, take: Take, audit: Audit<'_>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let stored = versions(&mut tx, id).await?;
        if stored.outlet_corrected_at.is_none() {
            return Err(StoreError::Conflict(format!(
                "article {id} has no correction by its outlet after an edit to resolve"
            )));
        }
        let none = Correction::default();
        let edits = match take {
            Take::Outlet => Edits { edits: &none, edited_at: None, edited_by: None, outlet_corrected_at: None },
            Take::Edit => Edits {
                edits: &stored.edits,
                edited_at: stored.edited_at,
                edited_by: stored.edited_by.as_deref(),
                outlet_corrected_at: None,
            },
        };
        let (shown_before, shown_after) =
            (stored.edits.applied_to(&stored.outlet), edits.edits.applied_to(&stored.outlet));
        let mut before = shown_fields(&shown_before);
        before.insert("outlet_corrected".into(), json!(true));
        let mut after = shown_fields(&shown_after);
        after.insert("outlet_corrected".into(), json!(false));
        let entry = audit.entry(Target::Article(id)).changed(before, after);
        if take == Take::Edit && shown_before == shown_after {
            // Readers see nothing new: only the flag goes, and the article keeps its
            // place in feeds and the change log (`updated_at` stays).
            sqlx::query("UPDATE articles SET outlet_corrected_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            return crate::store::audit::commit(tx, entry).await;
        }
        let mut change = self.change_in(tx, 1).await?;
        write(&mut change.tx, id, &edits, change.first).await?;
        change.written.push(id);
        change.audit = Some(entry);
        self.commit_change(change).await
    }
}

/// Drops article `id`'s edited title when, under a strict column (one of `column_ids` or
/// above it), it no longer says what the outlet's `title` says (`same_title`): a push or
/// poll changed the outlet's title, or filed the article under a strict column. In a
/// strict column the title shown is always the outlet's as far as `same_title` goes; the
/// other edits stay, and the flag (`outlet_corrected_at`) is raised as for any outlet
/// correction. Logged, since pushes and polls are not in the audit log.
pub(super) async fn keep_strict_title(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    title: &str,
    column_ids: &[i64],
) -> Result<(), StoreError> {
    let edited: Option<String> =
        sqlx::query_scalar("SELECT edited_title FROM articles WHERE id = $1").bind(id).fetch_one(&mut **tx).await?;
    let Some(edited) = edited.filter(|edited| !same_title(title, edited)) else {
        return Ok(());
    };
    let tree = column_tree_in(tx).await?;
    let Some(strict) = column_ids.iter().find_map(|&column| tree.strict_titles_by(column)) else {
        return Ok(());
    };
    sqlx::query("UPDATE articles SET edited_title = NULL WHERE id = $1").bind(id).execute(&mut **tx).await?;
    tracing::warn!(
        article = id, column = %strict.slug, dropped = %edited, outlet_title = %title,
        "an editor's title no longer matches its outlet's under a strict column: the outlet's shows"
    );
    Ok(())
}

/// Article `id`'s versions, read in the change's transaction.
async fn versions(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Versions, StoreError> {
    let row = sqlx::query(
        "SELECT title, subtitle, summary, content_html, image_url, image_caption, edited_title, edited_subtitle,
            edited_summary, edited_content_html, edited_image_url, edited_image_caption, edited_at, edited_by,
            outlet_corrected_at
         FROM articles WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("article"))?;
    let image_url: Option<String> = row.try_get("image_url")?;
    let outlet = Editable {
        title: row.try_get("title")?,
        subtitle: row.try_get("subtitle")?,
        summary: row.try_get("summary")?,
        content_html: row.try_get("content_html")?,
        image: image_url.map(|url| Image { url, caption: row.try_get("image_caption").ok().flatten() }),
    };
    let edited = |column: &str| -> Result<Option<Option<String>>, StoreError> {
        Ok(row.try_get::<Option<String>, _>(column)?.map(|text| Some(text).filter(|t| !t.is_empty())))
    };
    let image = edited("edited_image_url")?
        .map(|url| url.map(|url| Image { url, caption: row.try_get("edited_image_caption").ok().flatten() }));
    let edits = Correction {
        title: row.try_get("edited_title")?,
        subtitle: edited("edited_subtitle")?,
        summary: edited("edited_summary")?,
        content_html: edited("edited_content_html")?,
        image,
    };
    Ok(Versions {
        outlet,
        edits,
        edited_at: row.try_get("edited_at")?,
        edited_by: row.try_get("edited_by")?,
        outlet_corrected_at: row.try_get("outlet_corrected_at")?,
    })
}

/// Stores `edits` as article `id`'s, a change at clock value `now`.
async fn write(tx: &mut sqlx::AnyConnection, id: i64, edits: &Edits<'_>, now: i64) -> Result<(), StoreError> {
    // Not edited: NULL; edited to nothing: ''.
    let column = |field: &Option<Option<String>>| field.as_ref().map(|value| value.clone().unwrap_or_default());
    let correction = edits.edits;
    let image = correction.image.as_ref();
    sqlx::query(
        "UPDATE articles SET edited_title = $2, edited_subtitle = $3, edited_summary = $4,
            edited_content_html = $5, edited_image_url = $6, edited_image_caption = $7, edited_at = $8,
            edited_by = $9, outlet_corrected_at = $10, updated_at = $11
         WHERE id = $1",
    )
    .bind(id)
    .bind(correction.title.clone())
    .bind(column(&correction.subtitle))
    .bind(column(&correction.summary))
    .bind(column(&correction.content_html))
    .bind(image.map(|image| image.as_ref().map(|i| i.url.clone()).unwrap_or_default()))
    .bind(image.and_then(|image| image.as_ref().and_then(|i| i.caption.clone())))
    .bind(edits.edited_at)
    .bind(edits.edited_by)
    .bind(edits.outlet_corrected_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The editable fields as the audit log shows them.
fn shown_fields(shown: &Editable) -> Fields {
    let image = shown.image.as_ref().map(|i| json!({"url": i.url, "caption": i.caption}));
    Fields::from_iter([
        ("title".to_owned(), json!(shown.title)),
        ("subtitle".to_owned(), json!(shown.subtitle)),
        ("summary".to_owned(), json!(shown.summary)),
        ("content_html".to_owned(), json!(shown.content_html)),
        ("image".to_owned(), image.unwrap_or(Value::Null)),
    ])
}
