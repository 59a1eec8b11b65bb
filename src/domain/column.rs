//! Columns: the portal's sections, in a tree (专题栏目 › 庆祝建党96周年). A column's
//! feeds and pages include the articles of all its sub-columns.

use super::Slug;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    /// Takes articles from licensed outlets only, as do the columns under it
    /// (`reposting`).
    pub licensed_only: bool,
    /// Refuses an editor's title that says other than the original title, as do the
    /// columns under it (`correction`).
    pub strict_titles: bool,
    /// Its feeds and pages leave out duplicates whose original is public, as site-wide
    /// ones do (`likeness`); this column only, not those under it.
    pub hide_duplicates: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A validated column, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewColumn {
    pub slug: Slug,
    pub title: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub licensed_only: bool,
    pub strict_titles: bool,
    pub hide_duplicates: bool,
}

/// All columns, with the tree walks the publishers and validators need.
#[derive(Debug, Clone, Default)]
pub struct ColumnTree {
    columns: Vec<Column>,
    index_by_id: HashMap<i64, usize>,
}

impl ColumnTree {
    pub fn new(columns: Vec<Column>) -> Self {
        let index_by_id = columns.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        ColumnTree { columns, index_by_id }
    }

    pub fn all(&self) -> &[Column] {
        &self.columns
    }

    pub fn get(&self, id: i64) -> Option<&Column> {
        self.index_by_id.get(&id).map(|&i| &self.columns[i])
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.slug.as_str() == slug)
    }

    pub fn roots(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.parent_id.is_none())
    }

    pub fn children(&self, id: i64) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(move |c| c.parent_id == Some(id))
    }

    /// The column and everything below it, parents before children.
    pub fn subtree_ids(&self, id: i64) -> Vec<i64> {
        let mut ids = vec![id];
        let mut next = 0;
        while next < ids.len() {
            let current = ids[next];
            ids.extend(self.children(current).map(|c| c.id));
            next += 1;
        }
        ids
    }

    /// The path from the root down to the column itself (the breadcrumb).
    pub fn path_to(&self, id: i64) -> Vec<&Column> {
        let mut path = Vec::new();
        let mut current = self.get(id);
        while let Some(column) = current {
            if path.len() > self.columns.len() {
                break; // a cycle can only come from a corrupted database; stop, don't spin
            }
            path.push(column);
            current = column.parent_id.and_then(|p| self.get(p));
        }
        path.reverse();
        path
    }

    /// The column that makes `id` licensed-only: itself or the nearest column above
    /// it marked `licensed_only`; `None` when neither it nor any above it is.
    pub fn licensed_only_by(&self, id: i64) -> Option<&Column> {
        self.path_to(id).into_iter().rev().find(|c| c.licensed_only)
    }

    /// The column that keeps `id`'s titles strict: itself or the nearest column above
    /// it marked `strict_titles`; `None` when neither it nor any above it is.
    pub fn strict_titles_by(&self, id: i64) -> Option<&Column> {
        self.path_to(id).into_iter().rev().find(|c| c.strict_titles)
    }

    /// Whether making `parent` the parent of `id` would close a loop.
    pub fn would_cycle(&self, id: i64, parent: i64) -> bool {
        self.subtree_ids(id).contains(&parent)
    }
}

/// A column for the domain's unit tests: `slug` upper-cased as its title.
#[cfg(test)]
pub(crate) fn test_column(id: i64, slug: &str, parent: Option<i64>, licensed_only: bool) -> Column {
    Column {
        id,
        slug: Slug::parse(slug).unwrap(),
        title: slug.to_uppercase(),
        description: None,
        parent_id: parent,
        licensed_only,
        strict_titles: false,
        hide_duplicates: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(id: i64, slug: &str, parent: Option<i64>) -> Column {
        test_column(id, slug, parent, false)
    }

    fn tree() -> ColumnTree {
        ColumnTree::new(vec![
            column(1, "zhuanti", None),
            column(2, "party-96", Some(1)),
            column(3, "deep", Some(2)),
            column(4, "english", None),
        ])
    }

    #[test]
    fn subtree_includes_every_descendant() {
        assert_eq!(tree().subtree_ids(1), vec![1, 2, 3]);
        assert_eq!(tree().subtree_ids(4), vec![4]);
    }

    #[test]
    fn breadcrumb_runs_from_the_root() {
        let t = tree();
        let path: Vec<&str> = t.path_to(3).iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(path, ["zhuanti", "party-96", "deep"]);
    }

    #[test]
    fn moving_a_column_under_its_own_descendant_is_a_cycle() {
        assert!(tree().would_cycle(1, 3));
        assert!(tree().would_cycle(1, 1));
        assert!(!tree().would_cycle(2, 4));
    }
}
