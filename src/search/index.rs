//! The index itself: its schema, writing articles into it, and answering a query.
//!
//! Text fields are analysed by `analyzer` and keep positions (phrases); nothing is
//! stored but fast fields (id, repost time, outlet), so the index holds terms, not
//! copies of articles: what a result shows is read back from the database. Each commit
//! records the change-clock value the index holds everything up to (`Mark`).

use super::analyzer::{self, Mode, ANALYZER};
use super::query::{Part, QueryError, SearchQuery};
use super::text::content_text;
use super::SearchError;
use crate::domain::ArticleStatus;
use crate::store::IndexableArticle;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering as Rank;
use std::collections::BTreeMap;
use std::collections::BinaryHeap;
use std::ops::{Bound, Range};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};

/// The schema's version: an index written with another is rebuilt.
const SCHEMA_VERSION: u32 = 2;
/// Memory the writer buffers documents in before it writes a segment, while serving.
const WRITER_HEAP_BYTES: usize = 32 << 20;
/// The same for a rebuild, shared by its threads: fewer, larger segments to merge.
const REBUILD_HEAP_BYTES: usize = 1 << 30;
/// Tries at merging every segment while background merges hold some.
const MERGE_ATTEMPTS: u32 = 50;
/// Characters of text a snippet shows at most.
const SNIPPET_CHARS: usize = 160;

/// What the last commit recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    schema: u32,
    /// The change-clock value the index holds every change up to.
    pub through: i64,
    /// Each outlet's name as the index holds it in its articles (an outlet renamed
    /// since has its articles written again).
    #[serde(default)]
    pub outlet_names: BTreeMap<i64, String>,
}

/// The text fields, and how much a match in each counts.
struct TextFields {
    title: Field,
    subtitle: Field,
    summary: Field,
    content: Field,
    author: Field,
    outlet: Field,
    tags: Field,
}

impl TextFields {
    fn weighted(&self) -> [(Field, Score); 7] {
        [
            (self.title, 3.0),
            (self.subtitle, 1.5),
            (self.summary, 1.5),
            (self.content, 1.0),
            (self.author, 2.0),
            (self.outlet, 1.0),
            (self.tags, 2.0),
        ]
    }
}

struct Fields {
    id: Field,
    text: TextFields,
    reposted_at: Field,
    columns: Field,
    outlet_id: Field,
    standing: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | FAST),
        text: TextFields {
            title: builder.add_text_field("title", text.clone()),
            subtitle: builder.add_text_field("subtitle", text.clone()),
            summary: builder.add_text_field("summary", text.clone()),
            content: builder.add_text_field("content", text.clone()),
            author: builder.add_text_field("author", text.clone()),
            outlet: builder.add_text_field("outlet", text.clone()),
            tags: builder.add_text_field("tags", text),
        },
        reposted_at: builder.add_i64_field("reposted_at", INDEXED | FAST),
        columns: builder.add_i64_field("columns", INDEXED),
        outlet_id: builder.add_i64_field("outlet_id", INDEXED | FAST),
        standing: builder.add_text_field("standing", STRING),
    };
    (builder.build(), fields)
}

/// Which articles a search may find, besides matching the query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Public ones (the default), or, for staff, any or those of one standing.
    pub standing: Standing,
    /// Filed under one of these columns (a column's whole subtree, already expanded).
    pub column_ids: Option<Vec<i64>>,
    /// Filed under none of these columns (those outside a user's scope).
    pub not_in_columns: Vec<i64>,
    pub outlet_id: Option<i64>,
    /// From none of these outlets (those that let partners carry nothing).
    pub not_from_outlets: Vec<i64>,
    /// Reposted at or after, before (microseconds).
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// The standing of the articles a search may find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    /// What the public site shows.
    #[default]
    Public,
    /// Whatever their standing.
    Any,
    /// Those standing so.
    Only(ArticleStatus),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Best match first, the newer first among equals.
    #[default]
    Relevance,
    /// Newest repost first, the later stored first among equals (staff's listing's order).
    Newest,
}

/// What a search found: how many in all, and one page of (article id, score).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub total: usize,
    pub hits: Vec<(i64, Score)>,
}

/// A passage of text around what matched, with the matches as byte ranges of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// What the index's writer may use: one thread and a little memory beside requests
/// (`Serving`), every core and more memory when a rebuild is all the process does
/// (`Rebuilding`, `syndic search reindex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    Serving,
    Rebuilding,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Bytes of text written since opened (what an index's size compares with).
    text_bytes: AtomicU64,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) if missing; one written
    /// with another schema is emptied, to be rebuilt.
    pub fn open(dir: &Path, writing: Writing) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Directory { dir: dir.to_owned(), source })?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
        let index = match Index::open_or_create(directory.clone(), schema.clone()) {
            Ok(index) if read_mark(&index).is_none_or(|mark| mark.schema == SCHEMA_VERSION) => index,
            _ => {
                tracing::warn!(dir = %dir.display(), "search index of another version: rebuilding it");
                remove_contents(dir)?;
                Index::create(directory, schema, Default::default())?
            }
        };
        index.tokenizers().register(ANALYZER, analyzer::analyzer(Mode::Index));
        let (threads, heap) = match writing {
            Writing::Serving => (1, WRITER_HEAP_BYTES),
            Writing::Rebuilding => (std::thread::available_parallelism().map_or(1, |n| n.get()), REBUILD_HEAP_BYTES),
        };
        let writer = index.writer_with_num_threads(threads, heap).map_err(|error| match error {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy(dir.to_owned()),
            error => error.into(),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields, text_bytes: AtomicU64::new(0) })
    }

    /// Documents the index holds (one an article), as of the last commit.
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// What the last commit recorded; `None` for an index never committed to.
    pub fn mark(&self) -> Option<Mark> {
        read_mark(&self.index)
    }

    /// Bytes of text (title, subtitle, summary and content text, author, outlet name,
    /// tags) written since the index was opened.
    pub fn text_bytes(&self) -> u64 {
        self.text_bytes.load(Ordering::Relaxed)
    }

    /// Replaces these articles' documents (committed by `commit`).
    pub fn write(&self, articles: &[IndexableArticle]) -> Result<(), SearchError> {
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for article in articles {
            writer.delete_term(Term::from_field_i64(self.fields.id, article.id));
            writer.add_document(self.document(article))?;
        }
        Ok(())
    }

    /// Removes these articles' documents (committed by `commit`).
    pub fn delete(&self, ids: &[i64]) {
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for &id in ids {
            writer.delete_term(Term::from_field_i64(self.fields.id, id));
        }
    }

    /// Empties the index (committed by `commit`).
    pub fn clear(&self) -> Result<(), SearchError> {
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes what was written searchable, recording that the index holds every change
    /// up to `through`, and outlets under `outlet_names`.
    pub fn commit(&self, through: i64, outlet_names: BTreeMap<i64, String>) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut commit = writer.prepare_commit()?;
        let mark = Mark { schema: SCHEMA_VERSION, through, outlet_names };
        commit.set_payload(&serde_json::to_string(&mark).unwrap_or_default());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one: after a build from nothing, segments written as
    /// the writer's memory filled each hold a copy of much the same term dictionary.
    /// A background merge may hold some of them; then this waits and tries again.
    pub fn merge_segments(&self) -> Result<(), SearchError> {
        let mut attempts = 0;
        loop {
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() <= 1 {
                break;
            }
            let mut writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match writer.merge(&segments).wait() {
                Ok(_) => break,
                Err(tantivy::TantivyError::InvalidArgument(_)) if attempts < MERGE_ATTEMPTS => {
                    drop(writer);
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(error) => return Err(error.into()),
            }
        }
        let writer = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        writer.garbage_collect_files().wait()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, article: &IndexableArticle) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        let mut text_bytes = 0;
        let mut add_text = |doc: &mut TantivyDocument, field: Field, text: &str| {
            text_bytes += text.len();
            doc.add_text(field, text);
        };
        doc.add_i64(f.id, article.id);
        add_text(&mut doc, f.text.title, &article.title);
        for (field, value) in [(f.text.subtitle, &article.subtitle), (f.text.author, &article.author)] {
            if let Some(value) = value {
                add_text(&mut doc, field, value);
            }
        }
        // The summary and content are HTML: their text is what is searched.
        for (field, html) in [(f.text.summary, &article.summary), (f.text.content, &article.content_html)] {
            if let Some(html) = html {
                add_text(&mut doc, field, &content_text(html));
            }
        }
        add_text(&mut doc, f.text.outlet, &article.outlet_name);
        for tag in &article.tags {
            add_text(&mut doc, f.text.tags, tag);
        }
        self.text_bytes.fetch_add(text_bytes as u64, Ordering::Relaxed);
        doc.add_i64(f.reposted_at, article.reposted_at);
        for &column in &article.column_ids {
            doc.add_i64(f.columns, column);
        }
        doc.add_i64(f.outlet_id, article.outlet_id);
        doc.add_text(f.standing, article.standing.as_str());
        doc
    }

    /// Articles matching `query` and `filters`, `limit` of them after `offset`.
    pub fn search(
        &self,
        query: &SearchQuery,
        filters: &Filters,
        order: Order,
        offset: usize,
        limit: usize,
    ) -> Result<Found, SearchError> {
        let query = self.query(query, filters)?;
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let reposted = |segment: &SegmentReader| {
            let column = segment.fast_fields().i64("reposted_at").ok().map(|c| c.first_or_default_col(0));
            move |doc: DocId| column.as_ref().map_or(0, |c| c.get_val(doc))
        };
        let (total, addresses): (usize, Vec<(Score, DocAddress)>) = match order {
            Order::Relevance => {
                let (total, best) =
                    searcher.search(&query, &(Count, BestNewerFirst { keep: offset + limit.max(1) }))?;
                (total, best.into_iter().skip(offset).map(|hit| (hit.score, hit.address)).collect())
            }
            Order::Newest => {
                let top = top.tweak_score(move |segment: &SegmentReader| {
                    let reposted = reposted(segment);
                    let ids = segment.fast_fields().i64("id").ok().map(|c| c.first_or_default_col(0));
                    move |doc: DocId, score: Score| (reposted(doc), ids.as_ref().map_or(0, |c| c.get_val(doc)), score)
                });
                let (total, docs) = searcher.search(&query, &(Count, top))?;
                (total, docs.into_iter().map(|((_, _, score), address)| (score, address)).collect())
            }
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let ids = searcher.segment_reader(address.segment_ord).fast_fields().i64("id")?;
            if let Some(id) = ids.first(address.doc_id) {
                hits.push((id, score));
            }
        }
        Ok(Found { total, hits })
    }

    /// Snippets of texts for `query`: what it matches, highlighted.
    pub fn snippets(&self, query: &SearchQuery, texts: &[&str]) -> Result<Vec<Snippet>, SearchError> {
        let searcher = self.reader.searcher();
        let query = self.query(query, &Filters::default())?;
        let mut generator = SnippetGenerator::create(&searcher, &query, self.fields.text.content)?;
        generator.set_max_num_chars(SNIPPET_CHARS);
        Ok(texts
            .iter()
            .map(|text| {
                let snippet = generator.snippet(text);
                if snippet.is_empty() {
                    let end = text.char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(at, _)| at);
                    return Snippet { text: text[..end].to_owned(), highlights: Vec::new() };
                }
                Snippet { text: snippet.fragment().to_owned(), highlights: snippet.highlighted().to_vec() }
            })
            .collect())
    }

    /// The whole query: every group, no exclusion, within the filters (public only by default).
    fn query(&self, query: &SearchQuery, filters: &Filters) -> Result<Box<dyn Query>, SearchError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &query.all_of {
            let parts: Vec<Box<dyn Query>> = group.iter().filter_map(|part| self.part_query(part, true)).collect();
            match parts.len() {
                0 => {}
                1 => clauses.extend(parts.into_iter().map(|q| (Occur::Must, q))),
                _ => clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(parts.into_iter().map(|q| (Occur::Should, q)).collect())),
                )),
            }
        }
        if clauses.is_empty() {
            return Err(QueryError::Empty.into());
        }
        for part in &query.none_of {
            clauses.extend(self.part_query(part, false).map(|q| (Occur::MustNot, q)));
        }
        let f = &self.fields;
        let mut filter =
            |query: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        let standing = match filters.standing {
            Standing::Public => Some(ArticleStatus::Published),
            Standing::Any => None,
            Standing::Only(standing) => Some(standing),
        };
        if let Some(standing) = standing {
            let term = Term::from_field_text(f.standing, standing.as_str());
            filter(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if let Some(ids) = &filters.column_ids {
            filter(Box::new(TermSetQuery::new(ids.iter().map(|&id| Term::from_field_i64(f.columns, id)))));
        }
        if let Some(id) = filters.outlet_id {
            filter(Box::new(TermQuery::new(Term::from_field_i64(f.outlet_id, id), IndexRecordOption::Basic)));
        }
        if filters.since.is_some() || filters.until.is_some() {
            let bound = |at: Option<i64>, make: fn(Term) -> Bound<Term>| {
                at.map_or(Bound::Unbounded, |at| make(Term::from_field_i64(f.reposted_at, at)))
            };
            filter(Box::new(RangeQuery::new(
                bound(filters.since, Bound::Included),
                bound(filters.until, Bound::Excluded),
            )));
        }
        for (field, ids) in [(f.columns, &filters.not_in_columns), (f.outlet_id, &filters.not_from_outlets)] {
            if !ids.is_empty() {
                let terms = ids.iter().map(|&id| Term::from_field_i64(field, id));
                clauses.push((Occur::MustNot, Box::new(TermSetQuery::new(terms))));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// A word or phrase in any text field, its terms in sequence; dictionary words it
    /// holds (when `scored`) add to the score. `None` when it has no terms (punctuation).
    fn part_query(&self, part: &Part, scored: bool) -> Option<Box<dyn Query>> {
        let exact = analyzer::terms(part.text(), Mode::Exact);
        let first = exact.first()?.0;
        let in_field = |field: Field| -> Box<dyn Query> {
            if exact.len() == 1 {
                return Box::new(TermQuery::new(
                    Term::from_field_text(field, &exact[0].1),
                    IndexRecordOption::WithFreqs,
                ));
            }
            let terms = exact.iter().map(|(at, text)| (at - first, Term::from_field_text(field, text))).collect();
            Box::new(PhraseQuery::new_with_offset(terms))
        };
        let weighted = self.fields.text.weighted();
        let any_field = BooleanQuery::new(
            weighted.iter().map(|&(field, weight)| (Occur::Should, boosted(in_field(field), weight))).collect(),
        );
        if !scored {
            return Some(Box::new(any_field));
        }
        let words = analyzer::terms(part.text(), Mode::Words);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(any_field))];
        for (_, word) in &words {
            for (field, weight) in [(self.fields.text.title, 3.0), (self.fields.text.content, 1.0)] {
                let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, boosted(Box::new(term), weight)));
            }
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

/// The best `keep` matches by score, the newer repost first among equals (then the
/// first indexed). Every match is scored, so the repost time is read only for a match
/// that may be among the best: most of a common word's matches are not.
struct BestNewerFirst {
    keep: usize,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    score: Score,
    reposted_at: i64,
    address: DocAddress,
}

impl Hit {
    /// `Less` when `self` comes first.
    fn rank(&self, other: &Hit) -> Rank {
        other
            .score
            .total_cmp(&self.score)
            .then(other.reposted_at.cmp(&self.reposted_at))
            .then(self.address.cmp(&other.address))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Hit) -> bool {
        self.rank(other) == Rank::Equal
    }
}

impl Eq for Hit {}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Hit) -> Option<Rank> {
        Some(self.cmp(other))
    }
}

/// The heap's greatest is the last in rank: the one to drop.
impl Ord for Hit {
    fn cmp(&self, other: &Hit) -> Rank {
        self.rank(other)
    }
}

struct SegmentBest {
    keep: usize,
    segment: SegmentOrdinal,
    reposted_at: tantivy::columnar::Column<i64>,
    best: BinaryHeap<Hit>,
}

impl Collector for BestNewerFirst {
    type Fruit = Vec<Hit>;
    type Child = SegmentBest;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentBest> {
        let reposted_at = reader.fast_fields().i64("reposted_at")?;
        Ok(SegmentBest { keep: self.keep, segment, reposted_at, best: BinaryHeap::with_capacity(self.keep + 1) })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Vec<Hit>>) -> tantivy::Result<Vec<Hit>> {
        let mut hits: Vec<Hit> = segments.into_iter().flatten().collect();
        hits.sort();
        hits.truncate(self.keep);
        Ok(hits)
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = Vec<Hit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.best.len() == self.keep && self.best.peek().is_some_and(|last| score < last.score) {
            return;
        }
        let reposted_at = self.reposted_at.first(doc).unwrap_or(0);
        self.best.push(Hit { score, reposted_at, address: DocAddress::new(self.segment, doc) });
        if self.best.len() > self.keep {
            self.best.pop();
        }
    }

    fn harvest(self) -> Vec<Hit> {
        self.best.into_vec()
    }
}

fn boosted(query: Box<dyn Query>, weight: Score) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, weight))
}

fn read_mark(index: &Index) -> Option<Mark> {
    let payload = index.load_metas().ok()?.payload?;
    serde_json::from_str(&payload).ok()
}

fn remove_contents(dir: &Path) -> Result<(), SearchError> {
    let error = |source| SearchError::Directory { dir: dir.to_owned(), source };
    for entry in std::fs::read_dir(dir).map_err(error)? {
        let path = entry.map_err(error)?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(error)?;
        } else {
            std::fs::remove_file(&path).map_err(error)?;
        }
    }
    Ok(())
}
