//! Editors' corrections of articles (issue 15): an edit is validated and sanitised as a
//! push is (`ingest::edit`), refused where the content policy blocks it (a push would
//! be held; an editor can change it), checked against the strict titles of the columns it is
//! filed under (`domain::correction`) and the reposting rules of the columns it moves
//! to (a move is `move_article`'s), and stored beside the outlet's version; an outlet's
//! later correction of an edited article is resolved by an editor.

use super::Operations;
use crate::catalog::{self, CatalogError};
use crate::domain::audit::Action;
use crate::domain::correction::{strict_title_refusal, Correction, Take};
use crate::domain::{Actor, FieldErrors};
use crate::ingest::edit::{self, ArticleEdit};
use crate::store::{Audit, StaffArticle, StoreError};

/// An edit as validated: the correction and, if it moves the article, its columns (ids,
/// primary first).
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub correction: Correction,
    pub column_ids: Option<Vec<i64>>,
}

impl Operations {
    /// Validates an edit of article `id` (its links resolved against the article's
    /// original URL), every bad field named, a blocked term or domain too; a caller checks who may file it under the
    /// columns it names before it makes the edit.
    pub async fn prepare_edit(&self, id: i64, mut input: ArticleEdit) -> Result<Edit, CatalogError> {
        let found = self.found(id).await?;
        let base = url::Url::parse(&found.article.original_url)
            .map_err(|e| StoreError::Corrupt(format!("article {id}'s original URL: {e}")))?;
        let tree = self.store.column_tree().await?;
        let slugs = input.columns.take();
        let correction = edit::correction(input, &base);
        let mut errors = correction.as_ref().err().cloned().unwrap_or_default();
        if let Ok(correction) = &correction {
            for (field, refusal) in self.pipeline.policy.refusals(correction) {
                errors.add(field, refusal);
            }
        }
        let column_ids = slugs.map(|slugs| catalog::filing(&tree, &slugs)).transpose().unwrap_or_else(|refused| {
            refused.iter().for_each(|(field, reason)| errors.add(field.clone(), reason.clone()));
            None
        });
        errors.into_result()?;
        Ok(Edit { correction: correction.unwrap_or_default(), column_ids })
    }

    /// Makes an edit: the correction laid over the article's outlet version (recorded
    /// as `article.edit` with the fields shown before and after), then the move, if it
    /// moves (as `move_article`). Refused before anything is written, each field named:
    /// a title that a strict column (one it is filed under, before or after the move)
    /// keeps as the original; a column its outlet may not file into.
    pub async fn edit_article(&self, actor: &Actor, id: i64, edit: Edit) -> Result<(), CatalogError> {
        let found = self.found(id).await?;
        let tree = self.store.column_tree().await?;
        let article = &found.article;
        let mut errors = FieldErrors::new();
        if edit.correction.title.is_some() || edit.column_ids.is_some() {
            let mut columns: Vec<i64> = article.columns.iter().map(|c| c.id).collect();
            columns.extend(edit.column_ids.iter().flatten());
            let title = edit.correction.title.as_deref().unwrap_or(&article.title);
            if let Some(refusal) = strict_title_refusal(&tree, &columns, article.outlet_title(), title) {
                errors.add("title", refusal);
            }
        }
        if let Some(column_ids) = &edit.column_ids {
            let outlet = self.store.outlet_by_slug(article.outlet.slug.as_str()).await?;
            if let Err(refusal) = outlet.reposting.may_file(&tree, column_ids) {
                errors.add("columns", refusal.to_string());
            }
        }
        errors.into_result()?;
        if !edit.correction.is_empty() {
            self.store.correct_article(id, &edit.correction, Audit::new(actor, Action::ArticleEdit)).await?;
        }
        let filed: Vec<i64> = article.columns.iter().map(|c| c.id).collect();
        match edit.column_ids {
            Some(column_ids) if column_ids != filed => self.move_article(actor, id, &column_ids).await,
            _ => Ok(()),
        }
    }

    /// Decides which version of an article shows after its outlet corrected it under an
    /// edit (`Take::Outlet` drops the edits, `Take::Edit` keeps them), recorded as
    /// `article.correction.resolve`; a conflict when it is not flagged. Keeping an
    /// edited title that no longer says what the outlet's corrected title says, under a
    /// strict column, is refused naming `title`.
    pub async fn resolve_outlet_correction(&self, actor: &Actor, id: i64, take: Take) -> Result<(), CatalogError> {
        if take == Take::Edit {
            let found = self.found(id).await?;
            let article = &found.article;
            let tree = self.store.column_tree().await?;
            let columns: Vec<i64> = article.columns.iter().map(|c| c.id).collect();
            if let Some(refusal) = strict_title_refusal(&tree, &columns, article.outlet_title(), &article.title) {
                let reason = format!("the edited title may not be kept: {refusal}");
                return Err(FieldErrors::single("title", reason).into());
            }
        }
        let audit = Audit::new(actor, Action::ArticleCorrectionResolve);
        Ok(self.store.resolve_outlet_correction(id, take, audit).await?)
    }

    async fn found(&self, id: i64) -> Result<StaffArticle, StoreError> {
        self.store.staff_article(id).await?.ok_or(StoreError::NotFound("article"))
    }
}
