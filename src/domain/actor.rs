//! Who makes a change. Every write operation names its actor, so that what records
//! changes (the audit log, or the server log for what it leaves out) knows who did each one.

use super::Outlet;
use std::fmt;

/// The one who asks for a change, as far as syndic knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The holder of the shared admin token, through the admin API (written `admin-token`).
    Admin,
    /// A user, through their personal API token (later, their console session).
    User { username: String },
    /// An outlet, through one of its ingest tokens (pushes, imports, withdrawals).
    Outlet { id: i64, slug: String },
    /// A WebSub subscriber asking the hub to (un)subscribe its callback; it holds no token.
    Subscriber { callback_host: String },
    /// The poll scheduler of a `syndic serve`, polling sources when they are due.
    Scheduler,
    /// Whoever runs the `syndic` command on the database itself.
    Cli,
    /// Someone not (yet) known, by the address they came from: a failed login.
    Visitor { address: String },
}

impl Actor {
    /// The outlet as the actor of its own pushes.
    pub fn outlet(outlet: &Outlet) -> Actor {
        Actor::Outlet { id: outlet.id, slug: outlet.slug.to_string() }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Admin => f.write_str("admin-token"),
            Actor::User { username } => write!(f, "user:{username}"),
            Actor::Outlet { slug, .. } => write!(f, "outlet:{slug}"),
            Actor::Subscriber { callback_host } => write!(f, "subscriber:{callback_host}"),
            Actor::Scheduler => f.write_str("scheduler"),
            Actor::Cli => f.write_str("cli"),
            Actor::Visitor { address } => write!(f, "visitor:{address}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_is_written_as_its_kind_and_name() {
        let outlet = Actor::Outlet { id: 3, slug: "cjrb".into() };
        let subscriber = Actor::Subscriber { callback_host: "hub.example".into() };
        let user = Actor::User { username: "wangfang".into() };
        let visitor = Actor::Visitor { address: "203.0.113.9".into() };
        assert_eq!(
            [Actor::Admin, user, outlet, subscriber, Actor::Scheduler, Actor::Cli, visitor].map(|a| a.to_string()),
            [
                "admin-token",
                "user:wangfang",
                "outlet:cjrb",
                "subscriber:hub.example",
                "scheduler",
                "cli",
                "visitor:203.0.113.9"
            ]
        );
    }
}
