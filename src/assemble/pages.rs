//! The HTML pages: reads what the home, column, outlet and article pages show and has
//! `publish::html` render them.

use super::Assembler;
use crate::domain::{Article, Withdrawer};
use crate::publish::html::{self, Page, Paging, ARTICLES_PER_PAGE};
use crate::publish::last_change;
use crate::publish::media::{all_with_kept_images, with_kept_images};
use crate::store::{FeedScope, StoreError};
use chrono::{DateTime, Utc};

/// A rendered page, with what makes it stale.
pub struct PageDocument {
    pub page: Page,
    /// The latest change to anything it shows.
    pub modified: DateTime<Utc>,
    /// The articles it shows.
    pub article_ids: Vec<i64>,
}

/// Whose articles a listing page shows: the site's (the home page), or a column's or
/// an outlet's, by slug.
pub enum Listed<'a> {
    Site,
    Column(&'a str),
    Outlet(&'a str),
}

/// What an article's address holds.
pub enum ArticleAnswer {
    Page(PageDocument),
    /// Withdrawn (or expired): its page says so and by whom, when that is known, and
    /// answers 410.
    Withdrawn(Option<Withdrawer>),
    Missing,
}

impl Assembler<'_> {
    /// Page `page_number` of the site's (the home page, under the column tree), a column's
    /// (sub-columns included) or an outlet's articles, newest first, with the scope it lists; `None` when there is no such listing or
    /// no such page of it.
    pub async fn listing_page(
        &self,
        listed: Listed<'_>,
        page_number: i64,
    ) -> Result<Option<(PageDocument, FeedScope)>, StoreError> {
        let tree = self.store.column_tree().await?;
        let document = match listed {
            Listed::Site => {
                let scope = FeedScope::Site;
                let Some((articles, paging)) = self.listing(&scope, page_number).await? else { return Ok(None) };
                let page = html::home(self.site, &tree, &articles, paging);
                let modified =
                    last_change(&articles, tree.all().iter().map(|c| c.updated_at).max().unwrap_or_default());
                (PageDocument { page, modified, article_ids: ids_of(&articles) }, scope)
            }
            Listed::Column(slug) => {
                let Some(column) = tree.by_slug(slug) else { return Ok(None) };
                let scope = FeedScope::Column(column.id);
                let Some((articles, paging)) = self.listing(&scope, page_number).await? else { return Ok(None) };
                let page = html::column_page(self.site, &tree, column, &articles, paging);
                let modified = last_change(&articles, column.updated_at);
                (PageDocument { page, modified, article_ids: ids_of(&articles) }, scope)
            }
            Listed::Outlet(slug) => {
                let outlet = match self.store.outlet_by_slug(slug).await {
                    Ok(outlet) => outlet,
                    Err(StoreError::NotFound(_)) => return Ok(None),
                    Err(other) => return Err(other),
                };
                let scope = FeedScope::Outlet(outlet.id);
                let Some((articles, paging)) = self.listing(&scope, page_number).await? else { return Ok(None) };
                let page = html::outlet_page(self.site, &tree, &outlet, &articles, paging);
                let modified = last_change(&articles, outlet.updated_at);
                (PageDocument { page, modified, article_ids: ids_of(&articles) }, scope)
            }
        };
        Ok(Some(document))
    }

    /// An article's page; quarantined and embargoed articles are missing.
    pub async fn article_page(&self, id: i64) -> Result<ArticleAnswer, StoreError> {
        let Some(article) = self.store.article(id).await? else {
            let withdrawal = self.store.withdrawal(id).await?;
            return Ok(withdrawal.map_or(ArticleAnswer::Missing, ArticleAnswer::Withdrawn));
        };
        let tree = self.store.column_tree().await?;
        let article = with_kept_images(self.site, article);
        let page = html::article_page(self.site, &tree, &article);
        // It shows its story's other copies: a change to any of them, or to the story's
        // original (which every new copy of the story touches), makes it stale.
        let mut article_ids = vec![id];
        article_ids.extend(article.duplicate_of);
        article_ids.extend(article.copies.iter().map(|copy| copy.id));
        Ok(ArticleAnswer::Page(PageDocument { page, modified: article.updated_at, article_ids }))
    }

    /// The HTML 404 page; rendered even when the column tree cannot be read.
    pub async fn not_found_page(&self) -> Page {
        html::not_found(self.site, &self.store.column_tree().await.unwrap_or_default())
    }

    /// The page of an article withdrawn by `by` (410); rendered even when the column tree
    /// cannot be read.
    pub async fn withdrawn_page(&self, by: Option<Withdrawer>) -> Page {
        html::withdrawn(self.site, &self.store.column_tree().await.unwrap_or_default(), by)
    }

    /// One page of a listing; pages past the last one do not exist.
    async fn listing(&self, scope: &FeedScope, page_number: i64) -> Result<Option<(Vec<Article>, Paging)>, StoreError> {
        let total = self.store.count_articles(scope).await?;
        let paging = Paging::new(page_number, total);
        if page_number > paging.pages {
            return Ok(None);
        }
        let offset = (page_number - 1) * ARTICLES_PER_PAGE;
        let articles = self.store.newest_articles(scope, ARTICLES_PER_PAGE, offset).await?;
        Ok(Some((all_with_kept_images(self.site, articles), paging)))
    }
}

fn ids_of(articles: &[Article]) -> Vec<i64> {
    articles.iter().map(|a| a.id).collect()
}
