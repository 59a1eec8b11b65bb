//! Which original URLs an outlet may publish: those on its own domains. Nothing else
//! ties an `original_url` to its outlet, so without this an outlet could claim (and
//! withdraw) a URL that another outlet publishes tomorrow.

use super::OriginalUrl;

/// Most domains one outlet may list.
pub const MAX_DOMAINS: usize = 32;

/// The domains an outlet's articles may come from; each covers its subdomains.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OutletDomains {
    /// The registrable domain of the outlet's homepage (`www.cjxww.cn` → `cjxww.cn`),
    /// following the homepage when it changes. The default.
    #[default]
    OfHomepage,
    /// These domains, as the admin listed them (lower-case, ASCII, no trailing dot).
    Listed(Vec<String>),
    /// Any URL: for aggregators the portal trusts; such an outlet can see that a URL is
    /// another outlet's article by the refusal it gets.
    Any,
}

impl OutletDomains {
    /// Domains as an admin writes them: names (`cjxww.cn`, `*.cjxww.cn`, `新闻.cn`,
    /// `CJXWW.CN.`), normalised to the ASCII form URLs carry.
    pub fn parse_list(names: &[String]) -> Result<OutletDomains, String> {
        if names.is_empty() {
            return Err("must list at least one domain, or be \"any\"".into());
        }
        if names.len() > MAX_DOMAINS {
            return Err(format!("may list at most {MAX_DOMAINS} domains"));
        }
        let mut listed = Vec::with_capacity(names.len());
        for name in names {
            let domain = normalised_domain(name)?;
            if !listed.contains(&domain) {
                listed.push(domain);
            }
        }
        Ok(OutletDomains::Listed(listed))
    }

    /// The domains in force for an outlet whose homepage is `homepage`; `None`: any.
    pub fn effective(&self, homepage: &str) -> Option<Vec<String>> {
        match self {
            OutletDomains::Any => None,
            OutletDomains::Listed(domains) => Some(domains.clone()),
            OutletDomains::OfHomepage => Some(vec![homepage_domain(homepage)]),
        }
    }

    /// Whether an outlet with these domains and `homepage` may publish `url`.
    pub fn allow(&self, homepage: &str, url: &OriginalUrl) -> bool {
        let Some(domains) = self.effective(homepage) else { return true };
        let Some(host) = url::Url::parse(url.as_str()).ok().and_then(|u| u.host_str().map(host_key)) else {
            return false;
        };
        domains
            .iter()
            .any(|domain| host == *domain || host.strip_suffix(domain.as_str()).is_some_and(|h| h.ends_with('.')))
    }

    /// How it is stored: `NULL` for the homepage's, `*` for any, else the names.
    pub fn to_stored(&self) -> Option<String> {
        match self {
            OutletDomains::OfHomepage => None,
            OutletDomains::Any => Some("*".into()),
            OutletDomains::Listed(domains) => Some(domains.join(" ")),
        }
    }

    pub fn from_stored(stored: Option<&str>) -> OutletDomains {
        match stored.map(str::trim) {
            None | Some("") => OutletDomains::OfHomepage,
            Some("*") => OutletDomains::Any,
            Some(names) => OutletDomains::Listed(names.split(' ').map(str::to_owned).collect()),
        }
    }
}

/// A host as compared: lower-case, without the trailing dot of a fully qualified name.
fn host_key(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn normalised_domain(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let bare = trimmed.strip_prefix("*.").unwrap_or(trimmed);
    let invalid = || format!("'{trimmed}' is not a domain name such as 'cjxww.cn'");
    if bare.is_empty() || bare.contains(['/', ':', '@', '?', '#', ' ']) {
        return Err(invalid());
    }
    let parsed = url::Url::parse(&format!("http://{bare}/")).map_err(|_| invalid())?;
    if matches!(parsed.host(), Some(url::Host::Domain(name)) if !super::text::is_host_name(name)) {
        return Err(invalid());
    }
    let host = host_key(parsed.host_str().ok_or_else(invalid)?);
    if host.is_empty() || !host.contains('.') && host.parse::<std::net::IpAddr>().is_err() {
        return Err(invalid());
    }
    if psl::suffix_str(&host).is_some_and(|suffix| suffix == host) {
        return Err(format!("'{trimmed}' is a public suffix: it would cover every site under it"));
    }
    Ok(host)
}

/// The registrable domain of a homepage URL (`http://www.cjxww.cn/` → `cjxww.cn`,
/// `https://news.gov.cn/` → `news.gov.cn`); its whole host when it has none (an IP).
fn homepage_domain(homepage: &str) -> String {
    url::Url::parse(homepage).map(|url| registrable_domain(&url)).unwrap_or_default()
}

/// The registrable domain of any URL's host (`http://news.cjxww.cn/a` → `cjxww.cn`); its
/// whole host when it has none (an IP, `localhost`); empty without a host. Two URLs
/// with the same one are of the same site.
pub fn registrable_domain(url: &url::Url) -> String {
    let host = url.host_str().map(host_key).unwrap_or_default();
    psl::domain_str(&host).map(str::to_owned).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> OriginalUrl {
        OriginalUrl::parse(s).unwrap()
    }

    #[test]
    fn the_default_is_the_homepage_registrable_domain_with_its_subdomains() {
        let domains = OutletDomains::OfHomepage;
        assert_eq!(domains.effective("http://www.cjxww.cn/"), Some(vec!["cjxww.cn".to_owned()]));
        assert_eq!(domains.effective("https://www.xinhua.com.cn/"), Some(vec!["xinhua.com.cn".to_owned()]));
        for ok in ["http://www.cjxww.cn/a", "https://cjxww.cn/", "http://m.news.CJXWW.cn/x"] {
            assert!(domains.allow("http://www.cjxww.cn/", &url(ok)), "{ok}");
        }
        for refused in ["http://cjxww.cn.evil.example/", "http://notcjxww.cn/", "http://spam.example/cjxww.cn"] {
            assert!(!domains.allow("http://www.cjxww.cn/", &url(refused)), "{refused}");
        }
    }

    #[test]
    fn listed_domains_are_normalised_and_public_suffixes_refused() {
        let names = ["*.CJXWW.cn.", "新闻.cn", "cjxww.cn"].map(str::to_owned);
        let OutletDomains::Listed(domains) = OutletDomains::parse_list(&names).unwrap() else { panic!() };
        assert_eq!(domains, ["cjxww.cn", "xn--efvy88h.cn"]);
        for bad in ["com.cn", "cn", "", "http://x.cn/", "a b.cn", "localhost", "a.cn*", "a..cn", "a!.cn"] {
            assert!(OutletDomains::parse_list(&[bad.to_owned()]).is_err(), "{bad}");
        }
        assert!(OutletDomains::parse_list(&[]).is_err());
    }

    #[test]
    fn any_allows_everything_and_storage_round_trips() {
        assert!(OutletDomains::Any.allow("http://a.cn/", &url("http://b.example/")));
        for domains in
            [OutletDomains::Any, OutletDomains::OfHomepage, OutletDomains::Listed(vec!["a.cn".into(), "b.cn".into()])]
        {
            assert_eq!(OutletDomains::from_stored(domains.to_stored().as_deref()), domains);
        }
    }
}
