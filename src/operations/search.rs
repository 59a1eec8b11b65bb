//! Searching articles: the query through this instance's index (`search`), what it
//! found read back from the database as public articles, with snippets. The index is
//! opened on first use (serving, searching, reindexing), never by other commands.

use super::Operations;
use crate::domain::{Article, Carriage};
use crate::publish::html::Page;
use crate::publish::search_page::{search_page, Outcome, SearchView, RESULTS_PER_PAGE};
use crate::search::{
    content_text, Filters, IndexFollower, Order, QueryError, SearchError, SearchIndex, SearchQuery, Snippet, Writing,
    MAX_RESULTS,
};
use crate::store::SearchSource;
use std::collections::HashMap;
use std::sync::Arc;

/// Who reads the results, which decides what a result may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The public site, and the admin: what the public site shows.
    Public,
    /// A partner: what the outlet's agreement lets partners carry (its `partners`
    /// grant); articles of outlets that give partners nothing are left out.
    Partner,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: SearchQuery,
    pub filters: Filters,
    pub order: Order,
    pub offset: usize,
    pub limit: usize,
    pub audience: Audience,
}

/// What the public search page was asked: `/search?q=…&column=…&page=…&sort=date`.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    pub text: String,
    pub column: Option<String>,
    /// From 1.
    pub page: i64,
    pub newest_first: bool,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub article: Article,
    pub score: f32,
    pub snippet: Snippet,
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Public articles matching, in all.
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

impl Operations {
    /// This instance's index and its follower, opened on first use.
    async fn search_index(&self) -> Result<&Arc<IndexFollower>, SearchError> {
        self.open_search_index(Writing::Serving).await
    }

    /// The same, its writer sized for `writing` if this opens it.
    async fn open_search_index(&self, writing: Writing) -> Result<&Arc<IndexFollower>, SearchError> {
        self.search
            .get_or_try_init(|| async {
                let dir = self.config.search_dir.clone();
                let index = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, writing))
                    .await
                    .map_err(|e| SearchError::Task(e.to_string()))??;
                Ok(Arc::new(IndexFollower::new(SearchSource::new(self.store.clone()), index)))
            })
            .await
    }

    /// Keeps the index in step with the database until the process ends (`serve`).
    pub async fn follow_search(&self) {
        match self.search_index().await {
            Ok(follower) => follower.clone().run().await,
            Err(error) => tracing::error!(%error, "search is unavailable"),
        }
    }

    /// Articles matching `request`, public ones only, best first.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        let follower = self.search_index().await?;
        follower.catch_up_if_behind().await?;
        let index = follower.index().clone();
        let found = {
            let (index, request) = (index.clone(), request.clone());
            tokio::task::spawn_blocking(move || {
                index.search(&request.query, &request.filters, request.order, request.offset, request.limit)
            })
            .await
            .map_err(|e| SearchError::Task(e.to_string()))??
        };
        let ids: Vec<i64> = found.hits.iter().map(|(id, _)| *id).collect();
        let mut articles: HashMap<i64, Article> =
            self.store.public_articles(&ids).await?.into_iter().map(|a| (a.id, a)).collect();
        let shown: Vec<(Article, f32)> = found
            .hits
            .iter()
            .filter_map(|(id, score)| articles.remove(id).map(|article| (article, *score)))
            .filter(|(article, _)| {
                request.audience == Audience::Public || article.outlet.grants.partners != Carriage::Nothing
            })
            .collect();
        let texts: Vec<String> = shown.iter().map(|(article, _)| snippet_source(article, request.audience)).collect();
        let query = request.query.clone();
        let snippets = tokio::task::spawn_blocking(move || {
            index.snippets(&query, &texts.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .map_err(|e| SearchError::Task(e.to_string()))??;
        let hits = shown
            .into_iter()
            .zip(snippets)
            .map(|((article, score), snippet)| SearchHit { article, score, snippet })
            .collect();
        Ok(SearchPage { total: found.total, hits })
    }

    /// The public search page for what was asked (`PageQuery`): `None` when its column
    /// does not exist or its page is past the last; with whether the query was refused
    /// as unreadable.
    pub async fn search_page(&self, asked: &PageQuery) -> Result<Option<(Page, bool)>, SearchError> {
        let tree = self.column_tree().await?;
        let column = match &asked.column {
            Some(slug) => match tree.by_slug(slug) {
                Some(column) => Some(column),
                None => return Ok(None),
            },
            None => None,
        };
        let offset =
            usize::try_from(asked.page.saturating_sub(1)).unwrap_or(usize::MAX).saturating_mul(RESULTS_PER_PAGE);
        let found = match SearchQuery::parse(&asked.text) {
            Err(QueryError::Empty) if asked.text.trim().is_empty() => None,
            Err(_) => Some(Err(())),
            Ok(query) if offset < MAX_RESULTS => {
                let request = SearchRequest {
                    query,
                    filters: Filters { column_ids: column.map(|c| tree.subtree_ids(c.id)), ..Filters::default() },
                    order: if asked.newest_first { Order::Newest } else { Order::Relevance },
                    offset,
                    limit: RESULTS_PER_PAGE,
                    audience: Audience::Public,
                };
                match self.search(&request).await {
                    Ok(page) => Some(Ok(page)),
                    Err(SearchError::Query(_)) => Some(Err(())),
                    Err(error) => return Err(error),
                }
            }
            Ok(_) => return Ok(None),
        };
        let outcome = match &found {
            None => Outcome::NothingAsked,
            Some(Err(())) => Outcome::Refused,
            Some(Ok(page)) => {
                let shown = page.total.min(MAX_RESULTS);
                let pages = shown.div_ceil(RESULTS_PER_PAGE).max(1) as i64;
                if asked.page > pages {
                    return Ok(None);
                }
                let hits = page.hits.iter().map(|hit| (&hit.article, &hit.snippet)).collect();
                Outcome::Found { total: page.total, page: asked.page, pages, hits }
            }
        };
        let refused = matches!(outcome, Outcome::Refused);
        let view = SearchView { asked: &asked.text, column, newest_first: asked.newest_first, outcome };
        Ok(Some((search_page(&self.site, &tree, &view), refused)))
    }

    /// Empties this instance's index and indexes every article again; `progress` hears
    /// how many so far. Returns how many were indexed. Meant for a process doing nothing
    /// else (`syndic search reindex`): the index's writer, if this opens it, uses every core.
    pub async fn reindex(&self, progress: &mut (dyn FnMut(usize) + Send)) -> Result<usize, SearchError> {
        self.open_search_index(Writing::Rebuilding).await?.rebuild(progress).await
    }

    /// Bytes of text this process has written to the index (`SearchIndex::text_bytes`).
    pub async fn indexed_text_bytes(&self) -> Result<u64, SearchError> {
        Ok(self.open_search_index(Writing::Rebuilding).await?.index().text_bytes())
    }

    /// How many articles a reindex goes through.
    pub async fn indexable_count(&self) -> Result<i64, SearchError> {
        self.open_search_index(Writing::Rebuilding).await?.article_count().await
    }
}

/// The text a result's snippet is cut from: the content the audience may read, else the
/// summary, else the title.
fn snippet_source(article: &Article, audience: Audience) -> String {
    let content = match audience {
        Audience::Partner if article.outlet.grants.partners != Carriage::Full => None,
        _ => article.content_html.as_deref().map(content_text).filter(|text| !text.is_empty()),
    };
    content
        .or_else(|| article.summary.as_deref().map(content_text).filter(|text| !text.is_empty()))
        .unwrap_or_else(|| article.title.clone())
}
