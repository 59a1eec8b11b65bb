//! The audit log's vocabulary: which changes are recorded, under which stable machine
//! names, and how what they changed is named. Both are written as `kind.verb` /
//! `kind:name` and never reworded once released, since operators filter on them and keep
//! exported logs.
//!
//! Actions are `NOUN.VERB`, the noun the kind of thing changed (`column`, `outlet`,
//! `outlet.token`, `source`, `partner`, `user`, `user.token`, `quarantine`, `article`)
//! and the verb what was done to it (`add`, `edit`, `remove`, `issue`, `revoke`, …); a
//! login is `login` or `login.failed`. Targets are `KIND:NAME`, the name what the kind
//! is known by in URLs: a slug, a username, or a numeric id.

use std::fmt;

/// A kind of change the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ColumnAdd,
    ColumnEdit,
    ColumnRemove,
    /// An outlet added, or edited (its domains and rights grants included).
    OutletAdd,
    OutletEdit,
    OutletTokenIssue,
    OutletTokenRevoke,
    SourceAdd,
    SourceEdit,
    SourceRemove,
    /// A poll someone asked for (the scheduler's polls are not audited).
    SourcePoll,
    PartnerAdd,
    PartnerRevoke,
    UserAdd,
    UserEdit,
    UserDisable,
    UserEnable,
    UserPassword,
    UserTokenIssue,
    QuarantineRelease,
    QuarantineReject,
    ArticleWithdraw,
    /// A withdrawn article made public again by staff.
    ArticleReinstate,
    /// An article filed under other columns.
    ArticleMove,
    /// An editor's correction of an article's title, subtitle, summary, content or image.
    ArticleEdit,
    /// An editor's decision on an outlet's correction of an edited article: its version
    /// or the edit.
    ArticleCorrectionResolve,
    /// An article held for review published by an editor (its responsible editor).
    ArticleApprove,
    /// An article held for review refused by an editor, with a reason.
    ArticleReject,
    Login,
    LoginFailed,
}

impl Action {
    /// Every action, in the order the README lists them.
    pub const ALL: [Action; 30] = [
        Action::ColumnAdd,
        Action::ColumnEdit,
        Action::ColumnRemove,
        Action::OutletAdd,
        Action::OutletEdit,
        Action::OutletTokenIssue,
        Action::OutletTokenRevoke,
        Action::SourceAdd,
        Action::SourceEdit,
        Action::SourceRemove,
        Action::SourcePoll,
        Action::PartnerAdd,
        Action::PartnerRevoke,
        Action::UserAdd,
        Action::UserEdit,
        Action::UserDisable,
        Action::UserEnable,
        Action::UserPassword,
        Action::UserTokenIssue,
        Action::QuarantineRelease,
        Action::QuarantineReject,
        Action::ArticleWithdraw,
        Action::ArticleReinstate,
        Action::ArticleMove,
        Action::ArticleEdit,
        Action::ArticleCorrectionResolve,
        Action::ArticleApprove,
        Action::ArticleReject,
        Action::Login,
        Action::LoginFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ColumnAdd => "column.add",
            Action::ColumnEdit => "column.edit",
            Action::ColumnRemove => "column.remove",
            Action::OutletAdd => "outlet.add",
            Action::OutletEdit => "outlet.edit",
            Action::OutletTokenIssue => "outlet.token.issue",
            Action::OutletTokenRevoke => "outlet.token.revoke",
            Action::SourceAdd => "source.add",
            Action::SourceEdit => "source.edit",
            Action::SourceRemove => "source.remove",
            Action::SourcePoll => "source.poll",
            Action::PartnerAdd => "partner.add",
            Action::PartnerRevoke => "partner.revoke",
            Action::UserAdd => "user.add",
            Action::UserEdit => "user.edit",
            Action::UserDisable => "user.disable",
            Action::UserEnable => "user.enable",
            Action::UserPassword => "user.password",
            Action::UserTokenIssue => "user.token.issue",
            Action::QuarantineRelease => "quarantine.release",
            Action::QuarantineReject => "quarantine.reject",
            Action::ArticleWithdraw => "article.withdraw",
            Action::ArticleReinstate => "article.reinstate",
            Action::ArticleMove => "article.move",
            Action::ArticleEdit => "article.edit",
            Action::ArticleCorrectionResolve => "article.correction.resolve",
            Action::ArticleApprove => "article.approve",
            Action::ArticleReject => "article.reject",
            Action::Login => "login",
            Action::LoginFailed => "login.failed",
        }
    }

    /// The action a machine name names.
    pub fn parse(name: &str) -> Result<Action, String> {
        Action::ALL
            .into_iter()
            .find(|action| action.as_str() == name)
            .ok_or_else(|| format!("'{name}' is no action the audit log records (such as 'column.add')"))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a change was made to, written `KIND:NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Column(&'a str),
    Outlet(&'a str),
    Source(i64),
    Partner(i64),
    User(&'a str),
    Article(i64),
}

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Column(slug) => write!(f, "column:{slug}"),
            Target::Outlet(slug) => write!(f, "outlet:{slug}"),
            Target::Source(id) => write!(f, "source:{id}"),
            Target::Partner(id) => write!(f, "partner:{id}"),
            Target::User(username) => write!(f, "user:{username}"),
            Target::Article(id) => write!(f, "article:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name_and_names_are_unique() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Ok(action));
            assert_eq!(Action::ALL.iter().filter(|a| a.as_str() == action.as_str()).count(), 1);
            let name = action.as_str();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '.'), "{name}");
        }
        assert!(Action::parse("column.delete").unwrap_err().contains("column.delete"));
    }

    #[test]
    fn targets_are_written_as_their_kind_and_name() {
        assert_eq!(Target::Column("zhuanti").to_string(), "column:zhuanti");
        assert_eq!(Target::Article(42).to_string(), "article:42");
        assert_eq!(Target::User("wangfang").to_string(), "user:wangfang");
    }
}
