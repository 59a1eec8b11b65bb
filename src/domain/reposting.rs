//! The reposting rules an outlet's standing sets (issue 15), decided here once for
//! every way an article enters or moves: push, batch, poll, import, an editor's move.
//!
//! - Licensed sources (稿源单位): news may be reposted only from units on the national
//!   source list. A column marked `licensed_only` takes articles from licensed outlets
//!   only, and so does every column under it: a column's feeds and pages carry its
//!   sub-columns' articles, so an unlicensed article filed below would show in the
//!   licensed-only column all the same.
//! - Permission: an outlet that withdrew its permission to repost (`allow_repost` false)
//!   has nothing more taken from it; what is already published stays until an admin
//!   withdraws it.

use super::column::ColumnTree;

/// What an outlet's agreement and standing say about reposting its articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reposting {
    /// On the national source list (稿源单位).
    pub licensed: bool,
    /// What that was checked against, such as the list's edition.
    pub licence_ref: Option<String>,
    /// Whether the outlet lets us repost its articles (default true).
    pub allow_repost: bool,
    /// Plain text shown under each of its articles (版权归原作者所有…).
    pub terms: Option<String>,
}

impl Default for Reposting {
    fn default() -> Self {
        Reposting { licensed: false, licence_ref: None, allow_repost: true, terms: None }
    }
}

/// Why an article of an outlet may not be filed where it is to go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The outlet withdrew its permission to repost.
    #[error("the outlet does not allow reposting its articles (allow_repost is false)")]
    NotAllowed,
    /// A column (or one above it) takes licensed sources only; names that column.
    #[error("column '{0}' takes articles from licensed sources (稿源单位) only, and this outlet is not licensed")]
    Unlicensed(String),
}

impl Reposting {
    /// Whether a new or updated article of this outlet may be stored under `column_ids`.
    pub fn admits(&self, tree: &ColumnTree, column_ids: &[i64]) -> Result<(), Refusal> {
        if !self.allow_repost {
            return Err(Refusal::NotAllowed);
        }
        self.may_file(tree, column_ids)
    }

    /// Whether an article of this outlet may be filed under `column_ids` (an editor's
    /// move asks only this: moving is not taking anything new).
    pub fn may_file(&self, tree: &ColumnTree, column_ids: &[i64]) -> Result<(), Refusal> {
        if self.licensed {
            return Ok(());
        }
        match column_ids.iter().find_map(|&id| tree.licensed_only_by(id)) {
            Some(column) => Err(Refusal::Unlicensed(column.slug.to_string())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::column::Column;

    fn column(id: i64, slug: &str, parent_id: Option<i64>, licensed_only: bool) -> Column {
        crate::domain::column::test_column(id, slug, parent_id, licensed_only)
    }

    fn tree() -> ColumnTree {
        ColumnTree::new(vec![
            column(1, "news", None, true),
            column(2, "local", Some(1), false),
            column(3, "culture", None, false),
        ])
    }

    fn outlet(licensed: bool, allow_repost: bool) -> Reposting {
        Reposting { licensed, allow_repost, ..Reposting::default() }
    }

    #[test]
    fn an_unlicensed_outlet_is_kept_out_of_a_licensed_only_column_and_those_below_it() {
        let unlicensed = outlet(false, true);
        assert_eq!(unlicensed.admits(&tree(), &[3, 1]), Err(Refusal::Unlicensed("news".into())));
        assert_eq!(unlicensed.admits(&tree(), &[2]), Err(Refusal::Unlicensed("news".into())));
        assert_eq!(unlicensed.admits(&tree(), &[3]), Ok(()));
    }

    #[test]
    fn a_licensed_outlet_files_anywhere() {
        assert_eq!(outlet(true, true).admits(&tree(), &[1, 2, 3]), Ok(()));
    }

    #[test]
    fn an_outlet_that_withdrew_permission_has_nothing_taken_but_may_be_moved() {
        let withdrawn = outlet(true, false);
        assert_eq!(withdrawn.admits(&tree(), &[3]), Err(Refusal::NotAllowed));
        assert_eq!(withdrawn.may_file(&tree(), &[1]), Ok(()));
    }
}
