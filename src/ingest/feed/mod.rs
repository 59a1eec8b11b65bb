//! Reading feeds: bytes (with the HTTP Content-Type they came with) → text in the
//! right charset → RSS, Atom or JSON Feed → one normalised `ParsedFeed`. Polling,
//! one-shot import and the conformance test all go through `parse_document`.

pub mod dates;
pub mod decode;
pub mod json_feed;
pub mod model;
pub mod tree;
pub mod xml_feed;

pub use model::{Entry, Format, ParsedFeed, Text};

use chrono_tz::Tz;
use url::Url;

/// The largest feed document accepted, in bytes; larger ones are refused unread.
pub const MAX_FEED_BYTES: usize = 16 * 1024 * 1024;

/// Recorded when characters XML 1.0 forbids were removed from a document.
pub const CONTROL_CHARACTERS_STRIPPED: &str = "control characters XML does not allow were removed";

/// Where a document came from: the base of its relative links and the zone of its
/// naive times.
#[derive(Debug, Clone)]
pub struct Context {
    pub document_url: Option<Url>,
    pub content_type: Option<String>,
    pub zone: Tz,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("feed is {size} bytes, over the {MAX_FEED_BYTES}-byte limit")]
    TooLarge { size: usize },
    #[error("not a feed: {0}")]
    NotAFeed(String),
}

/// Parses a feed document of any supported format.
pub fn parse_document(bytes: &[u8], context: &Context) -> Result<ParsedFeed, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge { size: bytes.len() });
    }
    let mut decoded = decode::decode(bytes, context.content_type.as_deref());
    let clean = crate::ingest::sanitize::xml_safe(&decoded.text);
    let stripped_controls = clean.len() != decoded.text.len();
    decoded.text = clean;
    let body = decoded.text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    // What is wrong, and what the document begins with, so that an operator sees at once
    // whether it was an HTML page, an error message or a file of another kind.
    let not_a_feed = |problem: String| FeedError::NotAFeed(format!("{problem}; it begins {}", opening(body)));
    let mut feed = if body.starts_with('{') {
        json_feed::read(body, context).map_err(not_a_feed)?
    } else {
        let document = tree::parse(&decoded.text);
        let root = document.root.ok_or_else(|| match document.problems.first() {
            Some(problem) => not_a_feed(problem.clone()),
            None if body.trim().is_empty() => FeedError::NotAFeed("empty document".into()),
            None => not_a_feed("neither XML nor JSON".into()),
        })?;
        let mut feed = xml_feed::read(&root, context).map_err(not_a_feed)?;
        // Broken markup that yields no complete item is a failure, not an empty feed:
        // the outlet's feed is damaged and its source must say so.
        if document.broken && feed.entries.is_empty() {
            return Err(FeedError::NotAFeed(format!(
                "no complete item could be read: {}",
                document.problems.join("; ")
            )));
        }
        feed.problems = document.problems;
        feed
    };
    feed.encoding = decoded.encoding;
    if stripped_controls {
        feed.problems.insert(0, CONTROL_CHARACTERS_STRIPPED.to_owned());
    }
    if let Some(problem) = decoded.problem {
        feed.problems.insert(0, problem);
    }
    Ok(feed)
}

/// How many characters of a document that is not a feed its error quotes.
const QUOTED_CHARS: usize = 40;

/// The first characters of a document, quoted so that a control character or a line
/// break cannot disguise what they are.
fn opening(body: &str) -> String {
    let quoted: String = body.chars().take(QUOTED_CHARS).flat_map(char::escape_debug).collect();
    let more = if body.chars().nth(QUOTED_CHARS).is_some() { "…" } else { "" };
    format!("\"{quoted}{more}\"")
}
