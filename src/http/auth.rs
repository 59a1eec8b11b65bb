//! Bearer-token authentication: the admin token from configuration, users' personal
//! tokens, and outlets' ingest tokens, looked up by digest. What a user's role allows is
//! decided here for every admin route, before its handler runs: a route that needs the
//! admin accepts an admin user's token as the admin token, and refuses other roles (403).

use super::{error::ApiError, AppState};
use crate::domain::column::ColumnTree;
use crate::domain::{token, Actor, Outlet, Role, User};
use crate::store::partners::Partner;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

/// Proof that the request carries the admin token or an enabled admin user's token; the
/// actor its changes are recorded as.
pub struct Admin(pub Actor);

/// Whoever may read the admin API: the admin token or any enabled user (a viewer too).
pub enum Staff {
    AdminToken,
    User(User),
}

impl Staff {
    /// Who its changes are recorded as.
    pub fn actor(&self) -> Actor {
        match self {
            Staff::AdminToken => Actor::Admin,
            Staff::User(user) => Actor::User { username: user.username.to_string() },
        }
    }

    /// The columns it sees, sub-columns included (`User::scope_ids`); `None`: every one.
    pub fn within(&self, tree: &ColumnTree) -> Option<Vec<i64>> {
        match self {
            Staff::AdminToken => None,
            Staff::User(user) => user.scope_ids(tree),
        }
    }

    /// Whether it sees what is filed under these columns (`User::sees`).
    pub fn sees(&self, tree: &ColumnTree, column_ids: &[i64]) -> bool {
        match self {
            Staff::AdminToken => true,
            Staff::User(user) => user.sees(tree, column_ids),
        }
    }

    /// Refuses (403) a change to what is filed under these columns that its role or
    /// column scope does not allow (`User::may_change`).
    pub fn may_change(&self, tree: &ColumnTree, column_ids: &[i64]) -> Result<(), ApiError> {
        match self {
            Staff::User(user) if !user.may_change(tree, column_ids) => Err(ApiError::Forbidden(format!(
                "user '{}' ({}) may not change this: it is outside the user's columns or role",
                user.username,
                user.role.as_str()
            ))),
            _ => Ok(()),
        }
    }
}

/// The outlet whose ingest token the request carries.
pub struct OutletAuth(pub Outlet);

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match staff_member(parts, state).await? {
            Staff::AdminToken => Ok(Admin(Actor::Admin)),
            Staff::User(user) if user.role == Role::Admin => {
                Ok(Admin(Actor::User { username: user.username.to_string() }))
            }
            Staff::User(user) => Err(ApiError::Forbidden(format!(
                "the role '{}' of user '{}' may not do this; it needs an admin",
                user.role.as_str(),
                user.username
            ))),
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        staff_member(parts, state).await
    }
}

/// The admin token, or an enabled user's personal token (a disabled user's is refused
/// at once, since the lookup asks for enabled users only); anything else is 401.
async fn staff_member(parts: &Parts, state: &AppState) -> Result<Staff, ApiError> {
    let given = bearer(parts);
    if let Some(given) = given.filter(|given| given.starts_with(token::USER_TOKEN_PREFIX)) {
        let user = state.operations.user_by_token_digest(&token::digest(given)).await?;
        return user.map(Staff::User).ok_or(ApiError::Unauthorized);
    }
    let Some(expected) = &state.config.admin_token else {
        return Err(ApiError::Forbidden(
            "the admin API is disabled: set SYNDIC_ADMIN_TOKEN (or admin_token in syndic.toml)".into(),
        ));
    };
    match given {
        Some(given) if token::constant_time_eq(given, expected.expose()) => Ok(Staff::AdminToken),
        _ => Err(ApiError::Unauthorized),
    }
}

impl FromRequestParts<AppState> for OutletAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let given = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let digest = token::digest(given);
        let Some(outlet) = state.operations.outlet_by_token_digest(&digest).await? else {
            return Err(other_kind_of_token(state, given).await?.unwrap_or(ApiError::Unauthorized));
        };
        if let Some(limiter) = &state.rate_limiter {
            limiter.check(&digest).map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
        }
        Ok(OutletAuth(outlet))
    }
}

/// The answer to a valid token of the wrong kind on an outlet's route: an admin or a
/// partner who pushes is told what the route needs, rather than that the token is
/// invalid.
async fn other_kind_of_token(state: &AppState, given: &str) -> Result<Option<ApiError>, ApiError> {
    let admin =
        state.config.admin_token.as_ref().is_some_and(|expected| token::constant_time_eq(given, expected.expose()));
    if admin {
        return Ok(Some(ApiError::Forbidden("this is the admin token; pushes need an outlet's ingest token".into())));
    }
    if state.operations.partner_by_token_digest(&token::digest(given)).await?.is_some() {
        return Ok(Some(ApiError::Forbidden(
            "this is a partner's read token; pushes need an outlet's ingest token".into(),
        )));
    }
    Ok(None)
}

/// Who may withdraw an article: staff (the admin token, an admin user, an editor within
/// its columns: `Staff::may_change`, checked by the handler), or the outlet it belongs to.
pub enum Editor {
    Staff(Staff),
    Outlet(Box<Outlet>),
}

impl FromRequestParts<AppState> for Editor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let admin = state.config.admin_token.as_ref();
        match bearer(parts) {
            Some(given)
                if given.starts_with(token::USER_TOKEN_PREFIX)
                    || admin.is_some_and(|expected| token::constant_time_eq(given, expected.expose())) =>
            {
                staff_member(parts, state).await.map(Editor::Staff)
            }
            _ => OutletAuth::from_request_parts(parts, state)
                .await
                .map(|OutletAuth(outlet)| Editor::Outlet(Box::new(outlet))),
        }
    }
}

/// Who may read the article API: the admin (the admin token or an admin user's), or a
/// partner (limited to its columns).
pub enum Reader {
    Admin,
    Partner(Partner),
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let given = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let admin_token =
            state.config.admin_token.as_ref().is_some_and(|expected| token::constant_time_eq(given, expected.expose()));
        if admin_token || given.starts_with(token::USER_TOKEN_PREFIX) {
            return Admin::from_request_parts(parts, state).await.map(|_| Reader::Admin);
        }
        let partner = state.operations.partner_by_token_digest(&token::digest(given)).await?;
        partner.map(Reader::Partner).ok_or(ApiError::Unauthorized)
    }
}
