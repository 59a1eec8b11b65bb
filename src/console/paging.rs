//! Lists paged by cursor (the articles, the audit log): a page's address carries its
//! filters, the cursor it starts after and the trail of cursors of the pages before it,
//! so that "previous" and "next" are plain links and nothing is stored between requests.

use super::labels::NewsroomLabels;
use maud::{html, Markup};

/// Where a page of a list stands: after `cursor` (none: the first page), the pages
/// before it starting after the cursors of `trail` ("" for the first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paging {
    cursor: Option<String>,
    trail: Vec<String>,
}

/// The links to the pages around one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLinks {
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Paging {
    /// The page a query's `cursor` and `trail` name; a cursor `valid` refuses (or none)
    /// is the first page, with no trail.
    pub fn new(cursor: Option<String>, trail: Option<&str>, valid: impl Fn(&str) -> bool) -> Paging {
        match cursor.filter(|cursor| valid(cursor)) {
            Some(cursor) => {
                let trail = trail.map(|t| t.split('.').map(str::to_owned).collect()).unwrap_or_default();
                Paging { cursor: Some(cursor), trail }
            }
            None => Paging::default(),
        }
    }

    /// The cursor the page starts after.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The links of the list at `path` with `filters`: to the page before this one, and
    /// to the page after `next` (the cursor of this page's last row, when more follow).
    pub fn links(&self, path: &str, filters: &[(&str, &str)], next: Option<String>) -> PageLinks {
        let next = next.map(|next| {
            let mut onward = self.trail.clone();
            onward.push(self.cursor.clone().unwrap_or_default());
            list_href(path, filters, Some(&next), &onward)
        });
        let previous = self
            .trail
            .split_last()
            .map(|(back, before)| list_href(path, filters, Some(back.as_str()).filter(|b| !b.is_empty()), before));
        PageLinks { previous, next }
    }
}

/// The list at `path` with the `filters` given (empty ones left out), at the page after
/// `cursor`, with the `trail` of the pages before.
pub fn list_href(path: &str, filters: &[(&str, &str)], cursor: Option<&str>, trail: &[String]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(name, value);
    }
    if let Some(cursor) = cursor {
        query.append_pair("cursor", cursor);
    }
    if !trail.is_empty() {
        query.append_pair("trail", &trail.join("."));
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The "previous" and "next" links under a list, when there is another page.
pub fn pager(links: &PageLinks, labels: &NewsroomLabels) -> Markup {
    html! {
        @if links.previous.is_some() || links.next.is_some() {
            nav.pager aria-label=(labels.pages) {
                @if let Some(previous) = &links.previous { a rel="prev" href=(previous) { "← " (labels.previous_page) } }
                @if let Some(next) = &links.next { a rel="next" href=(next) { (labels.next_page) " →" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_extends_the_trail_and_previous_shortens_it() {
        let first = Paging::new(None, Some("ignored"), |_| true);
        let links = first.links("/admin/audit", &[("actor", "user:王芳"), ("target", "")], Some("B".into()));
        assert_eq!(links.previous, None);
        assert_eq!(links.next.as_deref(), Some("/admin/audit?actor=user%3A%E7%8E%8B%E8%8A%B3&cursor=B&trail="));
        let second = Paging::new(Some("B".into()), Some(""), |_| true);
        let links = second.links("/admin/audit", &[], Some("C".into()));
        assert_eq!(links.previous.as_deref(), Some("/admin/audit"));
        assert_eq!(links.next.as_deref(), Some("/admin/audit?cursor=C&trail=.B"));
        let third = Paging::new(Some("C".into()), Some(".B"), |_| true);
        assert_eq!(third.links("/l", &[], None).previous.as_deref(), Some("/l?cursor=B&trail="));
    }

    #[test]
    fn a_cursor_that_is_not_one_is_the_first_page() {
        assert_eq!(Paging::new(Some("x".into()), Some(".B"), |_| false), Paging::default());
    }
}
