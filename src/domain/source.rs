//! Sources: an outlet's feed, or a list page of its site, that syndic polls, routed into
//! columns.

use chrono::{DateTime, Utc};

/// Shortest and longest poll interval accepted, and the default (15 minutes).
pub const MIN_INTERVAL_SECS: i64 = 60;
pub const MAX_INTERVAL_SECS: i64 = 7 * 24 * 3600;
pub const DEFAULT_INTERVAL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: i64,
    pub outlet_id: i64,
    pub outlet_slug: String,
    pub url: String,
    /// What `url` is, and how its articles are read.
    pub kind: SourceKind,
    /// Extraction rules for its article pages (`ingest::page::PageRules` as JSON, checked
    /// when they were set); `None`: automatic extraction.
    pub rules: Option<String>,
    /// A feed whose items' pages are fetched for their full text (`kind` feed only).
    pub full_text: bool,
    pub interval_secs: i64,
    /// Columns its items are reposted under (primary first), rules and filters.
    pub routing: Routing,
    /// Whether what it brings is held for review (`manual`) or published at once.
    pub review: super::review::Review,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub status: SourceStatus,
    pub created_at: DateTime<Utc>,
}

/// What a source's address is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SourceKind {
    /// A feed (RSS, Atom, JSON Feed): its items are the articles.
    #[default]
    Feed,
    /// A list page of the outlet's site: the article pages it links to are fetched and
    /// read by extraction (for outlets that publish no feed).
    Html,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Result<SourceKind, String> {
        match s.trim() {
            "feed" => Ok(SourceKind::Feed),
            "html" => Ok(SourceKind::Html),
            other => Err(format!("'{other}' is not 'feed' or 'html'")),
        }
    }
}

/// What the last polls of a source did, as operators see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub items_seen: i64,
    pub items_new: i64,
    pub items_updated: i64,
    pub items_refused: i64,
    /// Why items were refused in the last poll, with counts.
    pub refusals: std::collections::BTreeMap<String, i64>,
    /// Items of the last poll held by the content policy.
    pub items_quarantined: i64,
    /// Hidden elements (likely injected spam) removed from the last poll's items.
    pub hidden_spam_removed: i64,
    /// What was wrong with the last document, though items could be read from it.
    pub warnings: Vec<String>,
    pub consecutive_failures: i64,
    pub next_fetch_at: DateTime<Utc>,
    /// When a poll last found a new item; `None` while none has.
    pub last_new_at: Option<DateTime<Utc>>,
    /// Its WebSub subscription, when its feed names a hub (`domain::subscription`).
    pub subscription: Option<super::subscription::Subscription>,
}

/// How a rule recognises the items it routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteMatch {
    /// One of the item's categories equals the value (case-insensitively).
    Category,
    /// The item's title or text contains the value (case-insensitively).
    Keyword,
}

impl RouteMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteMatch::Category => "category",
            RouteMatch::Keyword => "keyword",
        }
    }

    pub fn parse(s: &str) -> Result<RouteMatch, String> {
        match s.trim() {
            "category" => Ok(RouteMatch::Category),
            "keyword" => Ok(RouteMatch::Keyword),
            other => Err(format!("'{other}' is not 'category' or 'keyword'")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub matching: RouteMatch,
    pub value: String,
    pub column_id: i64,
}

/// Where a source's items go, and which it takes at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    pub columns: Vec<i64>,
    pub routes: Vec<Route>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Routing {
    /// Every column it may file an item under: its own, and those of its rules.
    pub fn target_ids(&self) -> Vec<i64> {
        self.columns.iter().copied().chain(self.routes.iter().map(|route| route.column_id)).collect()
    }

    /// The columns an item goes to, or `None` when the filters leave it out.
    pub fn columns_for(&self, categories: &[String], text: &str) -> Option<Vec<i64>> {
        let text = text.to_lowercase();
        let contains = |keyword: &String| text.contains(&keyword.to_lowercase());
        if self.exclude.iter().any(contains) || (!self.include.is_empty() && !self.include.iter().any(contains)) {
            return None;
        }
        let mut columns = self.columns.clone();
        for route in &self.routes {
            let matched = match route.matching {
                RouteMatch::Category => categories.iter().any(|c| c.trim().eq_ignore_ascii_case(route.value.trim())),
                RouteMatch::Keyword => contains(&route.value),
            };
            if matched && !columns.contains(&route.column_id) {
                columns.push(route.column_id);
            }
        }
        Some(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing() -> Routing {
        Routing {
            columns: vec![1],
            routes: vec![
                Route { matching: RouteMatch::Category, value: "党建".into(), column_id: 2 },
                Route { matching: RouteMatch::Keyword, value: "Economy".into(), column_id: 3 },
            ],
            include: vec![],
            exclude: vec!["广告".into()],
        }
    }

    #[test]
    fn categories_and_keywords_add_columns() {
        assert_eq!(routing().columns_for(&["党建".into()], "村里的新闻"), Some(vec![1, 2]));
        assert_eq!(routing().columns_for(&[], "The regional economy grows"), Some(vec![1, 3]));
        assert_eq!(routing().columns_for(&[], "nothing special"), Some(vec![1]));
    }

    #[test]
    fn filters_leave_items_out() {
        assert_eq!(routing().columns_for(&[], "这是一条广告"), None);
        let only = Routing { include: vec!["昌吉".into()], ..routing() };
        assert_eq!(only.columns_for(&[], "乌鲁木齐新闻"), None);
        assert_eq!(only.columns_for(&[], "昌吉新闻"), Some(vec![1]));
    }
}
