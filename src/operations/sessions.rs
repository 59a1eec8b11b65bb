//! Console sessions: signing in (with login throttling), finding the session a request
//! carries, signing out, and what a signed-in user changes of their own account. The
//! rules (expiry, throttling windows) are `domain::session`'s; this applies them.
//!
//! Logins, failed logins and a user's changes to their own account are in the audit
//! log; sign-outs and throttled attempts (refused before a password is checked) only
//! in the service log.

use super::Operations;
use crate::catalog::{self, CatalogError, UserEdit};
use crate::domain::audit::Action;
use crate::domain::password::verify_login;
use crate::domain::session::{
    self, account_key, locked_until, ConsoleLanguage, Standing, ACCOUNT_FAILURES, ADDRESS_FAILURES, FAILURE_WINDOW,
};
use crate::domain::{token, Actor, FieldErrors, User};
use crate::store::sessions::{FailureKind, StoredSession};
use crate::store::Audit;
use crate::store::StoreError;
use chrono::{DateTime, TimeDelta, Utc};

/// Characters of a user agent kept with a session (for its user's own list).
const MAX_USER_AGENT_CHARS: usize = 300;

/// Someone trying to sign in.
pub struct LoginAttempt {
    pub username: String,
    /// As typed.
    pub password: String,
    /// The client's address (throttled; shown to the user with the session).
    pub address: String,
    pub user_agent: String,
}

/// How a login ended.
pub enum LoginOutcome {
    /// A new session: `session_id` goes into the cookie, and nowhere else.
    SignedIn { session_id: String, user: User },
    /// Unknown username, wrong password or disabled user: one answer for all three.
    Refused,
    /// Too many failures for this account or address; try again after this many seconds.
    Throttled { retry_after_secs: u64 },
}

/// A live session, as the request carrying its id finds it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The digest it is stored under.
    pub digest: String,
    /// Its user, as stored now (a role change shows at the next request).
    pub user: User,
    /// What its forms carry to prove they came from the console (synchronizer token).
    pub csrf_secret: String,
}

/// A session in its user's own list.
pub struct SessionEntry {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub address: String,
    pub user_agent: String,
    /// Whether it is the session asking.
    pub current: bool,
}

impl Operations {
    /// Signs in: refused at once while the account or the address is locked; otherwise
    /// the password is verified (at the same cost for a username that does not exist)
    /// and, if it matches an enabled user, a new session begins. `previous`, the id of a
    /// session the browser already held, is ended: a login never keeps an id it was given.
    pub async fn login(&self, attempt: LoginAttempt, previous: Option<&str>) -> Result<LoginOutcome, StoreError> {
        let now = Utc::now();
        if let Some(previous) = previous {
            self.store.delete_session(&token::digest(previous)).await?;
        }
        let account = account_key(&attempt.username);
        if let Some(until) = self.locked_until(&account, &attempt.address, now).await? {
            // Not in the audit log: refused before any password is checked, these cost
            // a stranger nothing and would flood it.
            self.record(&Actor::Visitor { address: attempt.address.clone() }, "login throttled", &account);
            let secs = (until - now).num_seconds().max(1);
            return Ok(LoginOutcome::Throttled { retry_after_secs: u64::try_from(secs).unwrap_or(1) });
        }
        let found = self.store.user_for_login(&account).await?;
        let (password, stored) = (attempt.password, found.as_ref().map(|(_, hash)| hash.clone()));
        let matches = tokio::task::spawn_blocking(move || verify_login(&password, stored.as_deref()))
            .await
            .expect("verifying a password does not panic");
        let user = found.map(|(user, _)| user).filter(|user| matches && !user.is_disabled());
        let Some(user) = user else {
            let keys = [(FailureKind::Account, account.as_str()), (FailureKind::Address, attempt.address.as_str())];
            self.store.record_login_failure(&keys, now, now - window()).await?;
            self.audit_failed_login(&account, &attempt.address).await?;
            return Ok(LoginOutcome::Refused);
        };
        self.store.clear_login_failures(FailureKind::Account, &account).await?;
        let user_agent: String = attempt.user_agent.chars().take(MAX_USER_AGENT_CHARS).collect();
        let session_id = self.begin_session(&user, &attempt.address, &user_agent, now).await?;
        self.audit_login(user.username.as_str(), &attempt.address).await?;
        Ok(LoginOutcome::SignedIn { session_id, user })
    }

    /// The live session with this id, its last-seen time moved on when due; `None` when
    /// there is none, its user is disabled or gone, or it has ended (then it is deleted).
    pub async fn session(&self, session_id: &str) -> Result<Option<Session>, StoreError> {
        let digest = token::digest(session_id);
        let Some((stored, user)) = self.store.session_by_digest(&digest).await? else { return Ok(None) };
        let now = Utc::now();
        match self.config.sessions.standing(stored.last_seen_at, stored.expires_at, now) {
            Standing::Ended => {
                self.store.delete_session(&digest).await?;
                Ok(None)
            }
            Standing::Alive { touch } => {
                if touch {
                    self.store.touch_session(&digest, now).await?;
                }
                Ok(Some(Session { digest, user, csrf_secret: stored.csrf_secret }))
            }
        }
    }

    /// Ends a session (signing out): its id is refused from now on, on every instance.
    pub async fn logout(&self, session: &Session) -> Result<(), StoreError> {
        self.store.delete_session(&session.digest).await?;
        self.record(&actor(&session.user), "logout", &session.user.username);
        Ok(())
    }

    /// The user's sessions, for their own account page.
    pub async fn own_sessions(&self, session: &Session) -> Result<Vec<SessionEntry>, StoreError> {
        let now = Utc::now();
        let stored = self.store.sessions_of(session.user.id).await?;
        Ok(stored
            .into_iter()
            .filter(|s| {
                matches!(self.config.sessions.standing(s.last_seen_at, s.expires_at, now), Standing::Alive { .. })
            })
            .map(|s| SessionEntry {
                current: s.id_digest == session.digest,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                address: s.address,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Sets the console language the session's user reads in (`None`: the site's).
    pub async fn set_own_language(
        &self,
        session: &Session,
        language: Option<ConsoleLanguage>,
    ) -> Result<User, CatalogError> {
        let actor = actor(&session.user);
        catalog::set_user_language(&self.store, &session.user, language, Audit::new(&actor, Action::UserEdit)).await
    }

    /// Changes the session user's own password, given the current one. Every session of
    /// the user ends with the change (`Store::update_user`), this one too; the new
    /// session returned (its id for the cookie) replaces it, so that an id known before
    /// the change is worth nothing after it.
    pub async fn change_own_password(
        &self,
        session: &Session,
        current: String,
        new: String,
        address: &str,
        user_agent: &str,
    ) -> Result<String, CatalogError> {
        let stored = self.store.user_for_login(session.user.username.as_str()).await?.map(|(_, hash)| hash);
        let matches = tokio::task::spawn_blocking(move || verify_login(&current, stored.as_deref()))
            .await
            .expect("verifying a password does not panic");
        if !matches {
            return Err(CatalogError::Invalid(FieldErrors::single("current_password", "is not your current password")));
        }
        let edit = UserEdit { password: Some(new), ..UserEdit::default() };
        let actor = actor(&session.user);
        let audit = Audit::new(&actor, Action::UserPassword);
        let user = catalog::edit_user(&self.store, session.user.username.as_str(), edit, audit).await?;
        let user_agent: String = user_agent.chars().take(MAX_USER_AGENT_CHARS).collect();
        Ok(self.begin_session(&user, address, &user_agent, Utc::now()).await?)
    }

    /// Until when logins for this account name or from this address are refused.
    async fn locked_until(
        &self,
        account: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let since = now - window();
        let by_account =
            self.store.recent_login_failures(FailureKind::Account, account, since, ACCOUNT_FAILURES).await?;
        let by_address =
            self.store.recent_login_failures(FailureKind::Address, address, since, ADDRESS_FAILURES).await?;
        let until = [locked_until(&by_account, ACCOUNT_FAILURES), locked_until(&by_address, ADDRESS_FAILURES)];
        Ok(until.into_iter().flatten().max().filter(|until| *until > now))
    }

    /// Stores a new session for `user` and returns its id (only its digest is stored).
    async fn begin_session(
        &self,
        user: &User,
        address: &str,
        user_agent: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        // Sessions past their lifetime are forgotten as new ones begin.
        self.store.delete_sessions_expired(now).await?;
        let session_id = session::new_secret();
        let stored = StoredSession {
            id_digest: token::digest(&session_id),
            user_id: user.id,
            csrf_secret: session::new_secret(),
            created_at: now,
            last_seen_at: now,
            expires_at: self.config.sessions.expires_at(now),
            address: address.to_owned(),
            user_agent: user_agent.to_owned(),
        };
        self.store.insert_session(&stored).await?;
        Ok(session_id)
    }
}

fn actor(user: &User) -> Actor {
    Actor::User { username: user.username.to_string() }
}

fn window() -> TimeDelta {
    TimeDelta::from_std(FAILURE_WINDOW).expect("fifteen minutes fit")
}
