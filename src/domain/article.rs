//! Articles: one reposted piece, identified by its normalised original URL.

use super::{Grants, Indexing, OriginalUrl, Slug};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub url: String,
    pub caption: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    pub mime_type: String,
    pub length: Option<u64>,
}

/// A validated, sanitised article as an outlet submitted it, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDraft {
    pub original_url: OriginalUrl,
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    /// The origin the outlet's page names (来源, e.g. 新华社 for a wire story a local
    /// paper carries), plain text; `None` when it names none.
    pub credit: Option<String>,
    pub summary: Option<String>,
    pub content_html: Option<String>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub rights: Option<String>,
    pub image: Option<Image>,
    pub enclosures: Vec<Enclosure>,
    pub original_published_at: DateTime<Utc>,
    pub original_updated_at: Option<DateTime<Utc>>,
    /// Ids of the columns it is reposted under, in the order given (the first is primary).
    pub column_ids: Vec<i64>,
    /// Elements hidden from readers that sanitising removed (a sign of injected spam).
    pub hidden_removed: u32,
    /// When the agreement lets it be shown, and until when.
    pub schedule: Schedule,
}

/// The publication window a syndication agreement sets for one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    /// An embargo: invisible everywhere until then, then published with that repost time.
    pub publish_at: Option<DateTime<Utc>>,
    /// The end of the repost right: withdrawn automatically then.
    pub expires_at: Option<DateTime<Utc>>,
}

impl ArticleDraft {
    /// Drops every character XML forbids from every text field (see
    /// `text::is_xml_safe_char`): the last step of making any draft, whichever way the
    /// article came, so nothing stored can make an output ill-formed.
    pub fn make_xml_safe(&mut self) {
        use super::text::make_xml_safe;
        make_xml_safe(&mut self.title);
        for field in [&mut self.subtitle, &mut self.author, &mut self.credit, &mut self.summary, &mut self.content_html]
            .into_iter()
            .chain([&mut self.language, &mut self.rights])
            .flatten()
        {
            make_xml_safe(field);
        }
        self.tags.iter_mut().for_each(make_xml_safe);
        if let Some(image) = &mut self.image {
            make_xml_safe(&mut image.url);
            image.caption.iter_mut().for_each(make_xml_safe);
        }
        for enclosure in &mut self.enclosures {
            make_xml_safe(&mut enclosure.url);
            make_xml_safe(&mut enclosure.mime_type);
        }
    }

    /// The draft with `make_xml_safe` applied.
    pub fn into_xml_safe(mut self) -> ArticleDraft {
        self.make_xml_safe();
        self
    }

    /// Whether `make_xml_safe` would change nothing.
    pub fn is_xml_safe(&self) -> bool {
        let mut copy = self.clone();
        copy.make_xml_safe();
        copy == *self
    }

    /// A digest of everything an outlet controls. Two drafts with the same fingerprint
    /// are the same version, so a repeated push or poll costs no write.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |value: &str| {
            hasher.update((value.len() as u64).to_le_bytes());
            hasher.update(value.as_bytes());
        };
        field(self.original_url.as_str());
        field(&self.title);
        for v in [&self.subtitle, &self.author, &self.summary, &self.content_html, &self.language, &self.rights] {
            field(v.as_deref().unwrap_or("\u{0}none"));
        }
        // Added after the others, and only when there is one: a draft without a credit
        // keeps the fingerprint it had before credits existed (no rewrite of every article).
        if let Some(credit) = &self.credit {
            field("\u{0}credit");
            field(credit);
        }
        field(&self.tags.join("\u{1f}"));
        match &self.image {
            Some(image) => {
                field(&image.url);
                field(image.caption.as_deref().unwrap_or(""));
            }
            None => field("\u{0}none"),
        }
        for e in &self.enclosures {
            field(&format!("{} {} {:?}", e.url, e.mime_type, e.length));
        }
        field(&self.original_published_at.timestamp_micros().to_string());
        field(&self.original_updated_at.map(|t| t.timestamp_micros().to_string()).unwrap_or_default());
        field(&format!("{:?}", self.column_ids));
        for t in [self.schedule.publish_at, self.schedule.expires_at] {
            field(&t.map(|t| t.timestamp_micros().to_string()).unwrap_or_default());
        }
        hex::encode(hasher.finalize())
    }
}

/// What an article's readers need to know of its outlet.
#[derive(Debug, Clone, PartialEq)]
pub struct OutletRef {
    pub id: i64,
    pub slug: Slug,
    pub name: String,
    pub homepage: String,
    pub rights: Option<String>,
    pub indexing: Indexing,
    pub grants: Grants,
    pub feed_url: Option<String>,
    /// Its reposting terms, shown (as plain text) under each of its articles.
    pub repost_terms: Option<String>,
}

/// A column an article is reposted under.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
}

/// A stored article with its outlet and columns, as every publisher reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: i64,
    pub outlet: OutletRef,
    pub original_url: String,
    /// The title shown: an editor's, where one corrected it, else the outlet's. So for
    /// subtitle, summary, content and image (`correction`).
    pub title: String,
    /// The outlet's own title (原标题) when it differs from the title shown; `None`
    /// when it is the title shown.
    pub original_title: Option<String>,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    /// The origin the outlet's page names (来源), if it names one.
    pub credit: Option<String>,
    pub summary: Option<String>,
    pub content_html: Option<String>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub rights: Option<String>,
    pub image: Option<Image>,
    pub enclosures: Vec<Enclosure>,
    pub original_published_at: DateTime<Utc>,
    pub original_updated_at: Option<DateTime<Utc>>,
    /// When syndic first accepted it; never moves.
    pub reposted_at: DateTime<Utc>,
    /// When its content last changed.
    pub updated_at: DateTime<Utc>,
    /// Primary column first.
    pub columns: Vec<ColumnRef>,
    /// The real name of its responsible editor (责任编辑), if one is recorded.
    pub responsible_editor: Option<String>,
    /// Copies syndic keeps of its images, while its outlet keeps images: readers are
    /// pointed at them (`publish::kept_images`).
    pub kept_images: Vec<super::media::KeptImage>,
    /// The earliest article of another outlet this one is a near-duplicate of
    /// (`likeness`): one story from many outlets.
    pub duplicate_of: Option<i64>,
    /// The other outlets' public copies of its story (its original and the original's
    /// other duplicates, or its own duplicates), earliest first. Read only where they
    /// are shown (the article page, the staff and partner APIs); empty elsewhere.
    pub copies: Vec<StoryCopy>,
}

/// Another outlet's public copy of the same story.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryCopy {
    pub id: i64,
    pub outlet_slug: Slug,
    pub outlet_name: String,
}

impl Article {
    /// The article's own rights line, else its outlet's default.
    pub fn effective_rights(&self) -> Option<&str> {
        self.rights.as_deref().or(self.outlet.rights.as_deref())
    }

    /// Its own duplicates: the copies of its story that link to it, when it is the
    /// story's original (every copy then does).
    pub fn duplicates(&self) -> &[StoryCopy] {
        if self.duplicate_of.is_some() {
            &[]
        } else {
            &self.copies
        }
    }

    /// The outlet's own title, whether or not an editor changed the one shown.
    pub fn outlet_title(&self) -> &str {
        self.original_title.as_deref().unwrap_or(&self.title)
    }
}
