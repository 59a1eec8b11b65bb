//! Where an article stands, as staff see it: one word for what the store keeps in
//! several fields (publication status, withdrawal and who made it, embargo).

/// An article's standing. An article withdrawn while held or under embargo counts as
/// withdrawn (or expired): withdrawal decides first, then the quarantine, then review,
/// then an embargo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleStatus {
    /// Public: in feeds, pages and sitemaps.
    Published,
    /// Withdrawn by its outlet or by this site.
    Withdrawn,
    /// Withdrawn when its repost right ran out (`expires_at`).
    Expired,
    /// Held by the content policy, published nowhere.
    Quarantined,
    /// Invisible until its embargo ends.
    Embargoed,
    /// Held for an editor's review (`domain::review`), published nowhere.
    Pending,
    /// Refused by an editor in review, with a reason: published nowhere, kept for staff.
    Rejected,
}

impl ArticleStatus {
    pub const ALL: [ArticleStatus; 7] = [
        ArticleStatus::Published,
        ArticleStatus::Withdrawn,
        ArticleStatus::Expired,
        ArticleStatus::Quarantined,
        ArticleStatus::Embargoed,
        ArticleStatus::Pending,
        ArticleStatus::Rejected,
    ];
    pub const NAMES: &'static str =
        "'published', 'withdrawn', 'expired', 'quarantined', 'embargoed', 'pending' or 'rejected'";

    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Published => "published",
            ArticleStatus::Withdrawn => "withdrawn",
            ArticleStatus::Expired => "expired",
            ArticleStatus::Quarantined => "quarantined",
            ArticleStatus::Embargoed => "embargoed",
            ArticleStatus::Pending => "pending",
            ArticleStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<ArticleStatus, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| format!("'{s}' is not one of {}", Self::NAMES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_written_and_refuse_others() {
        for status in ArticleStatus::ALL {
            assert_eq!(ArticleStatus::parse(status.as_str()), Ok(status));
        }
        assert!(ArticleStatus::parse("deleted").unwrap_err().contains("'published', 'withdrawn'"));
        assert!(ArticleStatus::parse("Published").is_err());
    }
}
