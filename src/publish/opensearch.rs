//! The OpenSearch 1.1 description (`/opensearch.xml`), linked from every page
//! (`<link rel="search">`), from which browsers offer the site's search.

use super::Site;
use quick_xml::escape::escape;

pub const MEDIA_TYPE: &str = "application/opensearchdescription+xml";
const NAMESPACE: &str = "http://a9.com/-/spec/opensearch/1.1/";
/// OpenSearch 1.1 allows 16 characters of `ShortName`.
const SHORT_NAME_CHARS: usize = 16;

pub fn description(site: &Site) -> String {
    let config = &site.config;
    let short: String = config.name.chars().take(SHORT_NAME_CHARS).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OpenSearchDescription xmlns=\"{NAMESPACE}\">\
         <ShortName>{}</ShortName><Description>{}</Description>\
         <Url type=\"text/html\" method=\"get\" template=\"{}?q={{searchTerms}}\"/>\
         <Language>{}</Language><InputEncoding>UTF-8</InputEncoding>\
         </OpenSearchDescription>\n",
        escape(short.as_str()),
        escape(config.description.as_str()),
        escape(site.search_url().as_str()),
        escape(config.language.as_str()),
    )
}
