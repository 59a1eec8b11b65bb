//! Lists of IP networks an operator configures: the internal networks fetches may
//! reach (`ingest::guard::FetchAllow`) and the reverse proxies whose
//! `X-Forwarded-For` is believed (`Config::trusted_proxies`). One spelling for both:
//! comma-separated CIDRs, a bare address meaning just itself.

use ipnet::IpNet;
use std::net::IpAddr;

/// A set of networks; empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(pub Vec<IpNet>);

impl Networks {
    /// Parses a comma-separated list of CIDRs (a bare address is a /32 or /128).
    pub fn parse(list: &str) -> Result<Networks, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("'{item}' is not a network such as 127.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Networks)
    }

    /// Whether `ip` (an IPv4-mapped IPv6 address read as IPv4) lies in one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client behind these proxies: `peer` when it is not one of
    /// them; else, walking the `X-Forwarded-For` hops from the nearest, the first that
    /// is not one of them (hops before it were written by the client and prove
    /// nothing). A hop that does not parse stops the walk at the last proxy reached.
    pub fn client_behind(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded_for.iter().flat_map(|value| value.split(',')).map(str::trim);
        for hop in hops.rev() {
            match hop.parse::<IpAddr>() {
                Ok(address) if self.contains(address) => client = canonical(address),
                Ok(address) => return canonical(address),
                Err(_) => return client,
            }
        }
        client
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_parse_with_bare_addresses_and_refuse_names() {
        let nets = Networks::parse(" 10.0.0.0/8, ::1 ,").unwrap();
        assert!(nets.contains(ip("10.1.2.3")) && nets.contains(ip("::1")) && !nets.contains(ip("11.0.0.1")));
        assert!(nets.contains(ip("::ffff:10.0.0.1")), "IPv4-mapped read as IPv4");
        assert_eq!(Networks::parse("localhost").unwrap_err(), "'localhost' is not a network such as 127.0.0.0/8");
    }

    #[test]
    fn the_client_is_the_nearest_hop_no_trusted_proxy_wrote() {
        let proxies = Networks::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let peer = ip("127.0.0.1");
        assert_eq!(proxies.client_behind(peer, &["198.51.100.9, 203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(proxies.client_behind(peer, &["198.51.100.9", "203.0.113.7, 10.0.0.2"]), ip("203.0.113.7"));
        assert_eq!(proxies.client_behind(peer, &["10.0.0.2"]), ip("10.0.0.2"), "only proxies: the farthest");
        assert_eq!(proxies.client_behind(peer, &["forged, 10.0.0.2"]), ip("10.0.0.2"), "stops at garbage");
        assert_eq!(proxies.client_behind(peer, &[]), peer);
        let stranger = ip("192.0.2.1");
        assert_eq!(proxies.client_behind(stranger, &["203.0.113.7"]), stranger, "a stranger's header is ignored");
        assert_eq!(Networks::default().client_behind(peer, &["203.0.113.7"]), peer, "no proxies trusted");
    }
}
