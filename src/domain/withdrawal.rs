//! Who withdrew an article, so that its page (410 Gone) can say so: readers arriving
//! from an old link learn whether the outlet took it back, this site did, or the right
//! to repost it ran out.

use super::Actor;

/// Who (or what) withdrew an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawer {
    /// The outlet, with one of its ingest tokens.
    Outlet,
    /// This site: the admin token, a user, or whoever runs the `syndic` command.
    Site,
    /// Nobody: the repost right ended (the article's `expires_at`).
    Expiry,
}

impl Withdrawer {
    /// Who withdraws when `actor` asks: an outlet, or else the site.
    pub fn acting_as(actor: &Actor) -> Withdrawer {
        match actor {
            Actor::Outlet { .. } => Withdrawer::Outlet,
            Actor::Admin
            | Actor::User { .. }
            | Actor::Cli
            | Actor::Scheduler
            | Actor::Subscriber { .. }
            | Actor::Visitor { .. } => Withdrawer::Site,
        }
    }

    /// Whether the site's staff may reinstate what this withdrew: their own (the site's)
    /// withdrawals and expiries, never an outlet's own withdrawal, which is the outlet's
    /// to undo (by pushing the article again). Unknown (`None`, before it was recorded)
    /// counts as the outlet's: the safer reading.
    pub fn reinstatable_by_site(withdrawer: Option<Withdrawer>) -> Result<(), &'static str> {
        match withdrawer {
            Some(Withdrawer::Site | Withdrawer::Expiry) => Ok(()),
            Some(Withdrawer::Outlet) => {
                Err("the outlet withdrew this article itself; only the outlet can reinstate it, by pushing it again")
            }
            None => {
                Err("who withdrew this article is not known; only its outlet can reinstate it, by pushing it again")
            }
        }
    }

    /// The stored form (`articles.withdrawn_by`).
    pub fn as_str(self) -> &'static str {
        match self {
            Withdrawer::Outlet => "outlet",
            Withdrawer::Site => "site",
            Withdrawer::Expiry => "expiry",
        }
    }

    /// The stored form read back; `None` for anything else (rows withdrawn before it was
    /// recorded hold NULL).
    pub fn parse(stored: &str) -> Option<Withdrawer> {
        [Withdrawer::Outlet, Withdrawer::Site, Withdrawer::Expiry].into_iter().find(|w| w.as_str() == stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlets_withdraw_as_themselves_and_everyone_else_as_the_site() {
        assert_eq!(Withdrawer::acting_as(&Actor::Outlet { id: 1, slug: "cjrb".into() }), Withdrawer::Outlet);
        assert_eq!(Withdrawer::acting_as(&Actor::Admin), Withdrawer::Site);
        assert_eq!(Withdrawer::acting_as(&Actor::Cli), Withdrawer::Site);
    }

    #[test]
    fn staff_reinstate_the_sites_withdrawals_and_expiries_only() {
        assert!(Withdrawer::reinstatable_by_site(Some(Withdrawer::Site)).is_ok());
        assert!(Withdrawer::reinstatable_by_site(Some(Withdrawer::Expiry)).is_ok());
        assert!(Withdrawer::reinstatable_by_site(Some(Withdrawer::Outlet)).unwrap_err().contains("only the outlet"));
        assert!(Withdrawer::reinstatable_by_site(None).is_err());
    }

    #[test]
    fn the_stored_form_reads_back() {
        for withdrawer in [Withdrawer::Outlet, Withdrawer::Site, Withdrawer::Expiry] {
            assert_eq!(Withdrawer::parse(withdrawer.as_str()), Some(withdrawer));
        }
        assert_eq!(Withdrawer::parse("admin"), None);
    }
}
