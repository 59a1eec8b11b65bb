//! Review before publish (审核, issue 15): an outlet or a source set to `manual` has
//! what it brings held until an editor approves it; `auto` (the default) publishes at
//! once. Which setting holds an article, and where a held article stands, are decided
//! here once for every way articles come in.

use super::user::{Role, User};

/// How an outlet's or a source's articles are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Review {
    /// Published at once (the default).
    #[default]
    Auto,
    /// Held for an editor's review.
    Manual,
}

impl Review {
    pub const NAMES: &'static str = "'auto' or 'manual'";

    pub fn parse(s: &str) -> Result<Review, String> {
        match s.trim() {
            "auto" => Ok(Review::Auto),
            "manual" => Ok(Review::Manual),
            other => Err(format!("'{other}' is not one of {}", Self::NAMES)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Review::Auto => "auto",
            Review::Manual => "manual",
        }
    }
}

/// Which setting holds an article for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldBy {
    /// Its outlet is under manual review.
    Outlet,
    /// The source it was polled from is.
    Source,
}

impl HeldBy {
    pub fn as_str(self) -> &'static str {
        match self {
            HeldBy::Outlet => "outlet",
            HeldBy::Source => "source",
        }
    }

    pub fn parse(s: &str) -> Option<HeldBy> {
        match s {
            "outlet" => Some(HeldBy::Outlet),
            "source" => Some(HeldBy::Source),
            _ => None,
        }
    }

    /// Whether an article new to the store, from an outlet and (when polled) a source
    /// set so, is held for review, and by which: the outlet's setting first. Only a new
    /// article is asked: a later push or poll of one keeps its standing (pending stays
    /// pending, rejected stays rejected, published stays published).
    pub fn of(outlet: Review, source: Review) -> Option<HeldBy> {
        match (outlet, source) {
            (Review::Manual, _) => Some(HeldBy::Outlet),
            (Review::Auto, Review::Manual) => Some(HeldBy::Source),
            (Review::Auto, Review::Auto) => None,
        }
    }
}

/// Where a held article stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// Waiting for an editor: published nowhere.
    Pending,
    /// An editor refused it, with a reason: published nowhere, kept for staff.
    Rejected,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        match s {
            "pending" => Some(ReviewState::Pending),
            "rejected" => Some(ReviewState::Rejected),
            _ => None,
        }
    }
}

/// Whether a user of this role may be an article's responsible editor (责任编辑):
/// someone who may approve articles, an editor or an admin.
pub fn may_be_responsible(role: Role) -> bool {
    matches!(role, Role::Editor | Role::Admin)
}

/// Why a user may not be an outlet's default responsible editor, recorded on each of its
/// articles published without review (`None`: it may). It must be enabled, one who may
/// approve (`may_be_responsible`), and answer for every article of the outlet: a push
/// may file an outlet's article under any column, so an editor limited to some columns
/// (a column scope) may not; an admin decides on every column whatever its scope. The
/// store applies the same rule when it records one (`store::articles::upsert`), so that
/// a default editor disabled, made a viewer or limited later is recorded on nothing new.
pub fn default_editor_refusal(user: &User) -> Option<String> {
    let username = &user.username;
    if user.is_disabled() {
        Some(format!("user '{username}' is disabled"))
    } else if !may_be_responsible(user.role) {
        Some(format!(
            "user '{username}' is a {}: a responsible editor must be an editor or an admin",
            user.role.as_str()
        ))
    } else if user.role == Role::Editor && !user.column_ids.is_empty() {
        Some(format!(
            "user '{username}' edits only some columns, and an outlet's articles may be filed under any: a \
             default editor must be an admin or an editor of every column"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlet_holds_first_then_the_source() {
        assert_eq!(HeldBy::of(Review::Manual, Review::Manual), Some(HeldBy::Outlet));
        assert_eq!(HeldBy::of(Review::Manual, Review::Auto), Some(HeldBy::Outlet));
        assert_eq!(HeldBy::of(Review::Auto, Review::Manual), Some(HeldBy::Source));
        assert_eq!(HeldBy::of(Review::Auto, Review::Auto), None);
    }

    #[test]
    fn review_settings_read_back_as_written_and_refuse_others() {
        for review in [Review::Auto, Review::Manual] {
            assert_eq!(Review::parse(review.as_str()), Ok(review));
        }
        assert!(Review::parse("Manual").unwrap_err().contains("'auto' or 'manual'"));
        for state in [ReviewState::Pending, ReviewState::Rejected] {
            assert_eq!(ReviewState::parse(state.as_str()), Some(state));
        }
        assert!(!may_be_responsible(Role::Viewer) && may_be_responsible(Role::Editor));
    }

    #[test]
    fn a_default_editor_is_an_enabled_admin_or_an_editor_of_every_column() {
        let at = chrono::DateTime::UNIX_EPOCH;
        let user = |role, column_ids: Vec<i64>, disabled: bool| User {
            id: 1,
            username: crate::domain::Slug::parse("liming").unwrap(),
            real_name: "李明".into(),
            role,
            column_ids,
            disabled_at: disabled.then_some(at),
            language: None,
            created_at: at,
            updated_at: at,
        };
        assert_eq!(default_editor_refusal(&user(Role::Editor, vec![], false)), None);
        assert_eq!(default_editor_refusal(&user(Role::Admin, vec![], false)), None);
        assert_eq!(default_editor_refusal(&user(Role::Admin, vec![3], false)), None, "an admin decides on all");
        let scoped = default_editor_refusal(&user(Role::Editor, vec![3], false)).unwrap();
        assert!(scoped.contains("only some columns"), "{scoped}");
        assert!(default_editor_refusal(&user(Role::Viewer, vec![], false)).unwrap().contains("is a viewer"));
        assert!(default_editor_refusal(&user(Role::Editor, vec![], true)).unwrap().contains("disabled"));
    }
}
