//! The public search page: the query asked, then the articles found, each with its
//! outlet, repost time and a snippet with what matched marked (`<mark>`, every piece of
//! text escaped by maud), sorted by relevance or newest first, 20 a page. Search pages are
//! kept out of search engines' indexes.

use super::html::{labels, layout, search_box, time, Head, Page, ARTICLES_PER_PAGE};
use super::Site;
use crate::domain::column::ColumnTree;
use crate::domain::text::xml_safe;
use crate::domain::{Article, Column};
use crate::search::Snippet;
use maud::{html, Markup};

/// Results a page shows: as many as a listing's.
pub const RESULTS_PER_PAGE: usize = ARTICLES_PER_PAGE as usize;

/// What the page shows.
pub struct SearchView<'a> {
    /// As typed (shown back in the search box).
    pub asked: &'a str,
    /// Only articles in this column and its sub-columns.
    pub column: Option<&'a Column>,
    pub newest_first: bool,
    pub outcome: Outcome<'a>,
}

pub enum Outcome<'a> {
    /// Nothing asked yet: the search box alone.
    NothingAsked,
    /// A query that cannot be read.
    Refused,
    /// Page `page` of the results, `total` in all.
    Found { total: usize, page: i64, pages: i64, hits: Vec<(&'a Article, &'a Snippet)> },
}

pub fn search_page(site: &Site, columns: &ColumnTree, view: &SearchView) -> Page {
    let l = labels(site);
    // What was typed is shown back: without what no HTML or XML reader accepts.
    let asked = xml_safe(view.asked);
    let title = match asked.as_str() {
        "" => format!("{} - {}", l.search, site.config.name),
        asked => format!("{}: {asked} - {}", l.search_results, site.config.name),
    };
    let head = Head {
        title,
        description: site.config.description.clone(),
        url: search_url(site, view, 1, view.newest_first),
        canonical: None,
        noindex: true,
        feeds: None,
        image: None,
        og_type: "website",
        json_ld: None,
    };
    let body = html! {
        h1 { (l.search_results) @if let Some(column) = view.column { " · " (column.title) } }
        (search_box(site, &asked, l))
        @match &view.outcome {
            Outcome::NothingAsked => {}
            Outcome::Refused => p.notice { (l.search_refused) },
            Outcome::Found { total, page, pages, hits } => {
                p.meta {
                    (l.found_count(*total)) " · "
                    @if view.newest_first {
                        a href=(search_url(site, view, 1, false)) { (l.best_match) } " | " (l.newest_first)
                    } @else {
                        (l.best_match) " | " a href=(search_url(site, view, 1, true)) { (l.newest_first) }
                    }
                }
                @if hits.is_empty() { p { (l.no_results) } }
                ul.list {
                    @for (article, snippet) in hits {
                        li {
                            a href=(site.article_url(article.id)) { (article.title) }
                            " " span.meta { (article.outlet.name) }
                            (time(site, article.reposted_at))
                            p.snippet { (marked(snippet)) }
                        }
                    }
                }
                @if *pages > 1 {
                    nav.pager {
                        @if *page > 1 { a rel="prev" href=(search_url(site, view, page - 1, view.newest_first)) { (l.newer) } " " }
                        (l.page_number(*page)) " / " (pages)
                        @if page < pages { " " a rel="next" href=(search_url(site, view, page + 1, view.newest_first)) { (l.older) } }
                    }
                }
            }
        }
    };
    layout(site, columns, head, body)
}

/// The page's own address for another page or order of the same search.
fn search_url(site: &Site, view: &SearchView, page: i64, newest_first: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !view.asked.is_empty() {
        query.append_pair("q", view.asked);
    }
    if let Some(column) = view.column {
        query.append_pair("column", column.slug.as_str());
    }
    if newest_first {
        query.append_pair("sort", "date");
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    match query.finish() {
        query if query.is_empty() => site.search_url(),
        query => format!("{}?{query}", site.search_url()),
    }
}

/// The snippet's text with what matched in `<mark>`; every piece escaped.
fn marked(snippet: &Snippet) -> Markup {
    let text = snippet.text.as_str();
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in &snippet.highlights {
        if let (Some(before), Some(matched)) = (text.get(at..range.start), text.get(range.clone())) {
            pieces.push((before, false));
            pieces.push((matched, true));
            at = range.end;
        }
    }
    pieces.push((text.get(at..).unwrap_or_default(), false));
    html! {
        @for (piece, matched) in pieces {
            @if matched { mark { (piece) } } @else { (piece) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_and_everything_is_escaped() {
        let snippet = Snippet { text: "<b>头雁</b> & 群众".into(), highlights: vec![3..9, 20..22] };
        assert_eq!(marked(&snippet).into_string(), "&lt;b&gt;<mark>头雁</mark>&lt;/b&gt; &amp; 群众");
    }
}
