//! The content policy: terms and link domains the portal never publishes. An article
//! that matches is held in quarantine for an admin to release or reject.

use super::ArticleDraft;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentPolicy {
    /// Lower-cased terms matched anywhere in an article's text.
    terms: Vec<String>,
    /// Lower-cased domains matched against every link's host, subdomains included.
    domains: Vec<String>,
}

impl ContentPolicy {
    pub fn new(terms: &[String], domains: &[String]) -> ContentPolicy {
        let clean = |list: &[String]| -> Vec<String> {
            list.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect()
        };
        let domains =
            clean(domains).into_iter().map(|d| d.trim_start_matches("*.").trim_matches('.').to_owned()).collect();
        ContentPolicy { terms: clean(terms), domains }
    }

    /// Parses a comma-separated list, as the environment gives it.
    pub fn list(text: &str) -> Vec<String> {
        text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.domains.is_empty()
    }

    /// Why `draft` must be held, or `None` when it may be published.
    pub fn violation(&self, draft: &ArticleDraft) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let fields: [(&str, Option<&str>); 7] = [
            ("title", Some(&draft.title)),
            ("subtitle", draft.subtitle.as_deref()),
            ("author", draft.author.as_deref()),
            ("summary", draft.summary.as_deref()),
            ("content", draft.content_html.as_deref()),
            ("rights", draft.rights.as_deref()),
            ("image caption", draft.image.as_ref().and_then(|i| i.caption.as_deref())),
        ];
        for (field, text) in fields {
            let Some(text) = text else { continue };
            let lower = text.to_lowercase();
            if let Some(term) = self.terms.iter().find(|t| lower.contains(t.as_str())) {
                return Some(format!("blocked term '{term}' in {field}"));
            }
        }
        let tags = draft.tags.join(" ").to_lowercase();
        if let Some(term) = self.terms.iter().find(|t| tags.contains(t.as_str())) {
            return Some(format!("blocked term '{term}' in tags"));
        }
        self.blocked_link(draft)
    }

    fn blocked_link(&self, draft: &ArticleDraft) -> Option<String> {
        let mut links: Vec<(&str, String)> = vec![("original_url", draft.original_url.to_string())];
        links.extend(draft.image.iter().map(|i| ("image", i.url.clone())));
        links.extend(draft.enclosures.iter().map(|e| ("enclosure", e.url.clone())));
        for (field, html) in [("summary", &draft.summary), ("content", &draft.content_html)] {
            links.extend(html.as_deref().map(urls_in).unwrap_or_default().into_iter().map(|u| (field, u)));
        }
        links.into_iter().find_map(|(field, link)| {
            let host = url::Url::parse(&link).ok()?.host_str()?.to_lowercase();
            let domain = self.domains.iter().find(|d| host == **d || host.ends_with(&format!(".{d}")))?;
            Some(format!("blocked domain '{domain}' in {field} ({link})"))
        })
    }
}

/// The values of `href` and `src` attributes in sanitised HTML (always double-quoted).
fn urls_in(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let value = &rest[start + attribute.len()..];
            let end = value.find('"').unwrap_or(value.len());
            urls.push(value[..end].replace("&amp;", "&"));
            rest = &value[end..];
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OriginalUrl;

    fn draft(content: &str) -> ArticleDraft {
        ArticleDraft {
            original_url: OriginalUrl::parse("http://www.cjxww.cn/a?id=1").unwrap(),
            title: "新闻".into(),
            subtitle: None,
            author: None,
            summary: None,
            content_html: Some(content.into()),
            language: None,
            tags: vec![],
            rights: None,
            image: None,
            enclosures: vec![],
            original_published_at: chrono::Utc::now(),
            original_updated_at: None,
            column_ids: vec![1],
            hidden_removed: 0,
            schedule: Default::default(),
        }
    }

    #[test]
    fn blocked_terms_match_case_insensitively_anywhere() {
        let policy = ContentPolicy::new(&["BET365".into()], &[]);
        assert_eq!(policy.violation(&draft("<p>Bet365中文</p>")).unwrap(), "blocked term 'bet365' in content");
        assert_eq!(policy.violation(&draft("<p>干净</p>")), None);
    }

    #[test]
    fn blocked_domains_match_their_subdomains_in_any_link() {
        let policy = ContentPolicy::new(&[], &["spam.example".into()]);
        let hit = policy.violation(&draft(r#"<a href="http://www.SPAM.example/x?a=1&amp;b=2">x</a>"#)).unwrap();
        assert!(hit.starts_with("blocked domain 'spam.example' in content"), "{hit}");
        assert_eq!(policy.violation(&draft(r#"<a href="http://notspam.example/">x</a>"#)), None);
        assert_eq!(policy.violation(&draft(r#"<img src="http://spam.example.org/a.png">"#)), None);
    }

    #[test]
    fn an_empty_policy_holds_nothing() {
        assert!(ContentPolicy::default().violation(&draft("bet365")).is_none());
    }
}
