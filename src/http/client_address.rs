//! Who a request comes from: the connected peer, or — when that peer is one of the
//! reverse proxies the operator trusts (`console.trusted_proxies`) — the client its
//! `X-Forwarded-For` names. Login throttling counts failures per this address; without
//! it, every client behind a proxy would share one count and one lockout.

use super::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The client's address, as far as trusted proxies say.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(peer)| peer.ip());
        let forwarded_for: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok()).collect();
        Ok(ClientAddress(state.config.trusted_proxies.client_behind(peer, &forwarded_for)))
    }
}
