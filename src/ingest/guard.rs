//! The SSRF guard every outbound fetch goes through: only http(s), and never an
//! address inside the operator's network — loopback, private, link-local (cloud
//! metadata at 169.254.169.254), unique-local, multicast, unspecified, reserved —
//! unless an explicit allowlist of networks (`SYNDIC_FETCH_ALLOW`) opens it.
//!
//! Names are resolved by `GuardedResolver`, which hands the HTTP client only permitted
//! addresses, so the address checked is the address connected to (no DNS-rebinding
//! gap). Literal IP hosts bypass resolvers, so `check_url` is applied to every hop.
//! `check_destination` asks the same questions of an address given to be used later
//! (a WebSub callback), so that what the guard would refuse is refused when it is given.

use crate::domain::networks::{canonical, Networks};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Networks the operator allows despite the rules (e.g. `127.0.0.0/8` in tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchAllow(pub Vec<IpNet>);

impl FetchAllow {
    /// Parses a comma-separated list of CIDRs (a bare address is a /32 or /128).
    pub fn parse(list: &str) -> Result<FetchAllow, String> {
        Networks::parse(list).map(|networks| FetchAllow(networks.0))
    }

    /// Whether syndic may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_internal(ip) || self.0.iter().any(|net| net.contains(&canonical(ip)))
    }
}

/// Whether `ip` belongs to a range no outbound fetch may reach by default.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

/// IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 they carry.
fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8);
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site local (deprecated) fec0::/10
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
        || (segments[0] == 0x0064 && segments[1] == 0xff9b && internal_v4(embedded_v4(segments[6], segments[7]))) // NAT64
        || (segments[0] == 0x2002 && internal_v4(embedded_v4(segments[1], segments[2])))
    // 6to4
}

/// Why a fetch was refused by the guard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused by the fetch guard: {0}")]
pub struct Refused(pub String);

/// Checks a URL before it is requested: scheme, and the host when it is a literal IP.
pub fn check_url(url: &url::Url, allow: &FetchAllow) -> Result<(), Refused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused(format!("only http and https URLs are fetched, not {}", url.scheme())));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(_)) => return Ok(()), // checked by the resolver
        None => return Err(Refused("the URL has no host".into())),
    };
    if allow.permits(ip) {
        Ok(())
    } else {
        Err(Refused(format!("{ip} is an internal address")))
    }
}

/// Why `check_destination` does not admit an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inadmissible {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("{0} does not resolve")]
    Unresolvable(String),
    /// The name could not be looked up in time (or lookups were all busy): ask again later.
    #[error("looking up {0} took too long")]
    LookupTimedOut(String),
}

/// How long `check_destination` waits for a name to be looked up, its turn included.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// Names `check_destination` looks up at once, in the whole process. Each lookup holds a
/// blocking thread until the system resolver answers, however soon its caller stops
/// waiting, so without this bound clients naming slow domains could take every
/// blocking thread (batch validation runs on them too).
static LOOKUPS: Semaphore = Semaphore::const_new(16);

/// Whether a request to `url` would get past the guard now: its scheme and literal
/// address, or at least one permitted address for its name (what `GuardedResolver`
/// requires). The name is looked up with the system resolver, as the HTTP client will.
pub async fn check_destination(url: &url::Url, allow: &FetchAllow) -> Result<(), Inadmissible> {
    check_url(url, allow)?;
    let Some(url::Host::Domain(name)) = url.host() else { return Ok(()) };
    let host = name.to_owned();
    let lookup = async {
        let turn = LOOKUPS.acquire().await.expect("the lookup semaphore is never closed");
        let host = host.clone();
        // The turn moves into the lookup: it ends when the lookup does, not when we stop waiting.
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            (host.as_str(), 0).to_socket_addrs().map(Iterator::collect::<Vec<_>>)
        })
        .await
    };
    match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
        Err(_) => Err(Inadmissible::LookupTimedOut(host)),
        Ok(Ok(Ok(resolved))) => permitted(&host, resolved, allow).map(drop).map_err(Inadmissible::from),
        Ok(Ok(Err(_)) | Err(_)) => Err(Inadmissible::Unresolvable(host)),
    }
}

/// The addresses among `resolved` the guard permits; refused when there are none.
fn permitted(host: &str, resolved: Vec<SocketAddr>, allow: &FetchAllow) -> Result<Vec<SocketAddr>, Refused> {
    let permitted: Vec<SocketAddr> = resolved.iter().copied().filter(|a| allow.permits(a.ip())).collect();
    if permitted.is_empty() {
        return Err(Refused(format!("{host} resolves only to internal addresses {resolved:?}")));
    }
    Ok(permitted)
}

/// A DNS resolver that returns only addresses the guard permits.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    allow: FetchAllow,
}

impl GuardedResolver {
    pub fn new(allow: FetchAllow) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver { allow })
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted = permitted(&host, resolved, &allow)?;
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges_are_refused_in_every_spelling() {
        for internal in [
            "127.0.0.1",
            "127.255.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fec0::1",
        ] {
            assert!(is_internal(ip(internal)), "{internal} must be refused");
            assert!(!FetchAllow::default().permits(ip(internal)), "{internal}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            assert!(!is_internal(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn the_allowlist_opens_only_its_networks() {
        let allow = FetchAllow::parse("127.0.0.1/32, ::1").unwrap();
        assert!(allow.permits(ip("127.0.0.1")));
        assert!(allow.permits(ip("::1")));
        assert!(allow.permits(ip("::ffff:127.0.0.1")));
        assert!(!allow.permits(ip("127.0.0.2")));
        assert!(!allow.permits(ip("10.0.0.1")));
        assert!(FetchAllow::parse("not-a-network").is_err());
    }

    #[test]
    fn literal_hosts_in_urls_are_checked_however_written() {
        let none = FetchAllow::default();
        for url in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://2130706433/",
            "http://[::1]/",
            "http://0x7f000001/",
            "http://[::ffff:7f00:1]/",
        ] {
            let parsed = url::Url::parse(url).unwrap();
            assert!(check_url(&parsed, &none).is_err(), "{url}");
        }
        assert!(check_url(&url::Url::parse("file:///etc/passwd").unwrap(), &none).is_err());
        assert!(check_url(&url::Url::parse("https://example.org/feed").unwrap(), &none).is_ok());
    }

    #[tokio::test]
    async fn destinations_are_judged_by_the_addresses_their_names_resolve_to() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        let none = FetchAllow::default();
        for refused in ["http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]/", "ftp://example.org/"] {
            let verdict = check_destination(&url(refused), &none).await;
            assert!(matches!(verdict, Err(Inadmissible::Refused(_))), "{refused}: {verdict:?}");
        }
        let loopback = FetchAllow::parse("127.0.0.0/8").unwrap();
        assert_eq!(check_destination(&url("http://localhost:8080/cb"), &loopback).await, Ok(()));
        let nowhere = check_destination(&url("http://nowhere.invalid/cb"), &none).await;
        assert!(matches!(nowhere, Err(Inadmissible::Unresolvable(_) | Inadmissible::LookupTimedOut(_))), "{nowhere:?}");
    }
}
