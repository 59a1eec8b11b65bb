//! Searching articles: the query through this instance's index (`search`), what it
//! found read back from the database as public articles, with snippets; and staff's
//! listing's text filter, over every article whatever its standing. The index is
//! opened on first use (serving, searching, reindexing), never by other commands.

use super::Operations;
use crate::domain::{Article, Carriage};
use crate::publish::html::Page;
use crate::publish::search_page::{search_page, Outcome, SearchView, RESULTS_PER_PAGE};
use crate::search::{
    content_text, Filters, Found, IndexFollower, Order, QueryError, SearchError, SearchIndex, SearchQuery, Snippet,
    Standing, Writing, MAX_RESULTS,
};
use crate::store::{SearchSource, StaffArticle, StaffQuery};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

/// Matches staff's listing reads back at a time.
const STAFF_CHUNK: usize = 200;

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

    /// What the index finds, once it holds what this process wrote.
    async fn index_found(
        &self,
        query: &SearchQuery,
        filters: &Filters,
        order: Order,
        offset: usize,
        limit: usize,
    ) -> Result<Found, SearchError> {
        let follower = self.search_index().await?;
        follower.catch_up_if_behind().await?;
        let (index, query, filters) = (follower.index().clone(), query.clone(), filters.clone());
        tokio::task::spawn_blocking(move || index.search(&query, &filters, order, offset, limit))
            .await
            .map_err(|e| SearchError::Task(e.to_string()))?
    }

    /// Articles matching `request`, public ones only, best first.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        let mut filters = request.filters.clone();
        if request.audience == Audience::Partner {
            filters.not_from_outlets = self
                .store
                .list_outlets()
                .await?
                .into_iter()
                .filter(|outlet| outlet.grants.partners == Carriage::Nothing)
                .map(|outlet| outlet.id)
                .collect();
        }
        let found = self.index_found(&request.query, &filters, request.order, request.offset, request.limit).await?;
        let ids: Vec<i64> = found.hits.iter().map(|(id, _)| *id).collect();
        let mut articles: HashMap<i64, Article> =
            self.store.public_articles(&ids).await?.into_iter().map(|a| (a.id, a)).collect();
        // An outlet's grant read again with its articles: one changed since the index was
        // asked still keeps its articles from partners.
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
        let index = self.search_index().await?.index().clone();
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

    /// Staff's listing with its text filter: the articles `text` finds among those
    /// `query` lists, whatever their standing (editors search pending and quarantined
    /// articles too), newest first as the listing is. The index applies every filter it
    /// holds (standing, columns, the user's scope, outlet, time, the page's place); the
    /// listing's query then reads what it found, in chunks, until the page is full or
    /// `MAX_RESULTS` more matches than it holds were looked at.
    pub(super) async fn staff_articles_matching(
        &self,
        query: &StaffQuery,
        text: &SearchQuery,
    ) -> Result<Vec<StaffArticle>, SearchError> {
        let not_in_columns = match &query.within {
            Some(scope) => {
                self.column_tree().await?.all().iter().map(|c| c.id).filter(|id| !scope.contains(id)).collect()
            }
            None => Vec::new(),
        };
        // The page's place as a time bound the index holds; the listing's query puts
        // articles reposted at the same moment in their place.
        let after = query.after.map(|after| after.reposted_at.saturating_add(1));
        let until = [query.until.map(|t| t.timestamp_micros()), after].into_iter().flatten().min();
        let filters = Filters {
            standing: query.status.map_or(Standing::Any, Standing::Only),
            column_ids: query.column_ids.clone(),
            not_in_columns,
            outlet_id: query.outlet_id,
            not_from_outlets: Vec::new(),
            since: query.since.map(|t| t.timestamp_micros()),
            until,
        };
        let wanted = usize::try_from(query.limit).unwrap_or(0).saturating_add(1);
        let mut listed: Vec<StaffArticle> = Vec::new();
        let mut offset = 0;
        // A page is full long before this unless the listing's query refuses most of
        // what the index found (it applies only `outlet_corrected` beyond the index).
        let scan = MAX_RESULTS + wanted;
        while listed.len() < wanted && offset < scan {
            let found = self.index_found(text, &filters, Order::Newest, offset, STAFF_CHUNK).await?;
            if found.hits.is_empty() {
                break;
            }
            offset += found.hits.len();
            let chunk = StaffQuery {
                ids: Some(found.hits.iter().map(|(id, _)| *id).collect()),
                limit: STAFF_CHUNK as i64,
                ..query.clone()
            };
            listed.extend(self.store.staff_articles(&chunk).await?);
            if offset >= found.total {
                break;
            }
        }
        listed.sort_by_key(|article| Reverse(article.position()));
        listed.truncate(wanted);
        Ok(listed)
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

    /// This instance's index, when it is open: the documents it holds, and how far
    /// behind the database it is (microseconds of the change clock).
    pub async fn search_index_state(&self) -> Result<Option<(u64, i64)>, SearchError> {
        match self.search.get() {
            Some(follower) => Ok(Some((follower.index().documents(), follower.lag_micros().await?))),
            None => Ok(None),
        }
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
