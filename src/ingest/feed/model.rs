//! The one normalised shape every feed format is read into, before it becomes
//! article drafts. Values are as the feed states them (HTML unsanitised, URLs already
//! made absolute); sanitising happens when drafts are made.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }
}

/// A text value and whether it is HTML (else plain text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub html: bool,
}

impl Text {
    pub fn plain(value: impl Into<String>) -> Text {
        Text { value: value.into(), html: false }
    }

    pub fn html(value: impl Into<String>) -> Text {
        Text { value: value.into(), html: true }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
    pub uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub term: String,
    pub scheme: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    pub mime_type: Option<String>,
    pub length: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub id: Option<String>,
    pub title: Option<Text>,
    /// The alternate (article) link, absolute.
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Person>,
    pub summary: Option<Text>,
    pub content: Option<Text>,
    pub categories: Vec<Category>,
    pub enclosures: Vec<Enclosure>,
    pub image: Option<String>,
    /// The base against which relative URLs inside this entry's HTML resolve.
    pub base: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub format: Format,
    pub title: Option<Text>,
    /// The site the feed belongs to, absolute.
    pub link: Option<String>,
    pub subtitle: Option<Text>,
    pub language: Option<String>,
    pub updated: Option<DateTime<Utc>>,
    pub entries: Vec<Entry>,
    /// The WebSub hubs it names (`atom:link rel="hub"`, JSON Feed `hubs`), absolute.
    pub hubs: Vec<String>,
    /// Its own address as it states it (`atom:link rel="self"`, JSON Feed `feed_url`).
    pub self_url: Option<String>,
    /// Charset the document was decoded with.
    pub encoding: String,
    /// What was wrong with the document, if anything (data may still have been read).
    pub problems: Vec<String>,
}
