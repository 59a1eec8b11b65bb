//! Search: a full-text index of every article, embedded (tantivy), kept by each
//! instance in a directory of its own and following the change clock, so no search
//! service runs beside syndic. `analyzer` makes terms of Chinese and Latin text,
//! `query` reads what a person types, `index` holds the schema and answers queries,
//! `follow` keeps the index in step with the database, `text` reads content's text.
//!
//! The index decides which articles match; the database decides what is shown: results
//! are read back through the store's `PUBLIC` condition (`public_articles`), so
//! an article withdrawn a moment ago on another instance is not shown here either.
//! This module never writes the database.

mod analyzer;
pub mod follow;
pub mod index;
pub mod query;
mod text;

pub use follow::IndexFollower;
pub use index::{Filters, Found, Order, SearchIndex, Snippet, Standing, Writing};
pub use query::{QueryError, SearchQuery};
pub use text::content_text;

use crate::store::StoreError;

/// How deep results are paged: past this many, refine the query (a deeper page costs
/// the index as much as all the results before it).
pub const MAX_RESULTS: usize = 1_000;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// What the person typed cannot be read (the `q` parameter).
    #[error("q {0}")]
    Query(#[from] QueryError),
    #[error("search index directory {}: {source}", dir.display())]
    Directory { dir: PathBuf, source: std::io::Error },
    #[error(
        "search index {} is in use by another syndic (each instance needs its own `[search] dir`; \
         stop `syndic serve` before `syndic search reindex`)",
        .0.display()
    )]
    Busy(PathBuf),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index task failed: {0}")]
    Task(String),
    #[error(transparent)]
    Database(#[from] StoreError),
}
