//! Conformance of feed ingestion over the corpus (`tests/corpus`, see its MANIFEST.md):
//! every file goes through `parse_document` and the stored-form functions polling uses,
//! under a per-file timeout; every expectation on a field syndic's model holds is checked. Prints pass counts per origin; fails under 90% of
//! the checked expectations, or on any failed `handmade/` expectation.
//!
//! Expectations that contradict another origin's on the same kind of input are listed,
//! each with its reason, in `tests/conformance-exclusions.jsonl`.

#[path = "support/corpus.rs"]
mod corpus;

use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;
use syndic::ingest::feed::{self, Context, ParsedFeed};
use syndic::ingest::items::{entry_base, stored_html, stored_title};

const PER_FILE_TIMEOUT: Duration = Duration::from_secs(20);
const REQUIRED_RATE: f64 = 0.90;

/// Fields syndic's model holds, by their path with indices removed.
fn checked_field(field: &str, kind: &str, origin: &str) -> bool {
    if origin == "handmade" || kind == "sanitize" || kind == "security" {
        return true;
    }
    let generic: String = {
        let mut out = String::new();
        let mut skipping = false;
        for c in field.chars() {
            match c {
                '[' => skipping = true,
                ']' => skipping = false,
                c if !skipping => out.push(c),
                _ => {}
            }
        }
        out
    };
    matches!(
        generic.as_str(),
        "entries.length"
            | "feed.title"
            | "feed.link"
            | "error"
            | "outcome"
            | "entries.title"
            | "entries.link"
            | "entries.id"
            | "entries.published"
            | "entries.updated"
            | "entries.author.name"
            | "entries.authors.name"
            | "entries.summary"
            | "entries.content"
    )
}

struct Outcome {
    parsed: Result<ParsedFeed, String>,
    document_text: String,
}

fn run_file(path: PathBuf, context: Context) -> Option<Outcome> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let bytes = std::fs::read(&path).unwrap();
        let document_text = feed::decode::decode(&bytes, context.content_type.as_deref()).text;
        let parsed = std::panic::catch_unwind(|| feed::parse_document(&bytes, &context))
            .map_err(|_| "panicked".to_owned())
            .and_then(|r| r.map_err(|e| e.to_string()));
        let _ = sender.send(Outcome { parsed, document_text });
    });
    receiver.recv_timeout(PER_FILE_TIMEOUT).ok()
}

/// The file's context, from whichever of its expectations state it.
fn context_of(expectations: &[&Value]) -> Context {
    let key = |name: &str| {
        expectations.iter().map(|e| &e["context"][name]).find(|v| !v.is_null()).cloned().unwrap_or(Value::Null)
    };
    let headers = key("http_headers");
    let header = |name: &str| {
        headers
            .as_object()
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
    };
    // Content-Location, itself relative to where the document was fetched, is the base.
    let fetched = key("document_url").as_str().and_then(|u| url::Url::parse(u).ok());
    let document_url = match (header("content-location"), &fetched) {
        (Some(location), Some(fetched)) => fetched.join(location).ok(),
        (Some(location), None) => url::Url::parse(location).ok(),
        (None, _) => fetched,
    };
    Context {
        document_url,
        content_type: header("content-type").map(str::to_owned),
        zone: key("default_timezone").as_str().and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC),
    }
}

/// The value syndic gives a field, as JSON, or None when it has none.
fn value_of(field: &str, outcome: &Outcome) -> Option<Value> {
    let feed = match &outcome.parsed {
        Ok(feed) => feed,
        Err(_) => {
            return match field {
                "error" => Some(Value::Bool(true)),
                "outcome" => Some(Value::String("rejected".into())),
                _ => None,
            }
        }
    };
    let text = |t: &Option<feed::Text>| t.as_ref().map(|t| Value::String(stored_title(t)));
    match field {
        "error" => return Some(Value::Bool(false)),
        "outcome" => return Some(Value::from(outcomes_of(feed))),
        "feed.updated" => {
            return feed.updated.map(|d| Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
        }
        "bozo" => return Some(Value::Bool(!feed.problems.is_empty())),
        "encoding" => return Some(Value::String(feed.encoding.clone())),
        "format" => return Some(Value::String(feed.format.as_str().into())),
        "document_text" => return Some(Value::String(outcome.document_text.clone())),
        "entries.length" => return Some(Value::from(feed.entries.len())),
        "feed.title" => return text(&feed.title),
        "feed.link" => return feed.link.clone().map(Value::String),
        "feed.subtitle" => return text(&feed.subtitle),
        "feed.language" => return feed.language.clone().map(Value::String),
        "network_requests" | "file_reads" => return Some(Value::from(0)), // the parser has no I/O at all
        "dedup.count" => {
            let distinct: HashSet<String> = feed
                .entries
                .iter()
                .filter_map(|e| e.link.as_deref())
                .filter_map(|l| syndic::domain::OriginalUrl::parse(l).ok())
                .map(|u| u.to_string())
                .collect();
            return Some(Value::from(distinct.len()));
        }
        _ => {}
    }
    let rest = field.strip_prefix("entries[")?;
    let (index, path) = rest.split_once("].")?;
    let entry = feed.entries.get(index.parse::<usize>().ok()?)?;
    let base = entry_base(entry).unwrap_or_else(|| url::Url::parse("http://localhost/").unwrap());
    let html = |t: &Option<feed::Text>| t.as_ref().map(|t| Value::String(stored_html(t, &base)));
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
    };
    match path {
        "title" => text(&entry.title),
        "link" => entry.link.clone().map(Value::String),
        "id" => entry.id.clone().map(Value::String),
        "published" => date(entry.published),
        "updated" => date(entry.updated),
        "summary" => html(&entry.summary),
        "content" => html(&entry.content),
        "author" | "author.name" => entry.authors.first().and_then(|a| a.name.clone()).map(Value::String),
        _ => {
            let (list, rest) = path.split_once('[')?;
            let (j, key) = rest.split_once("].")?;
            let j: usize = j.parse().ok()?;
            match (list, key) {
                ("authors", "name") => entry.authors.get(j)?.name.clone().map(Value::String),
                ("categories", "term") => Some(Value::String(entry.categories.get(j)?.term.clone())),
                ("enclosures", "url") => Some(Value::String(entry.enclosures.get(j)?.url.clone())),
                ("enclosures", "type") => entry.enclosures.get(j)?.mime_type.clone().map(Value::String),
                ("enclosures", "length") => entry.enclosures.get(j)?.length.map(|l| Value::String(l.to_string())),
                _ => None,
            }
        }
    }
}

/// Every handmade outcome that describes what happened to a parsed document.
fn outcomes_of(feed: &ParsedFeed) -> Vec<&'static str> {
    let mut outcomes = vec!["parsed"];
    let said = |needle: &str| feed.problems.iter().any(|p| p.contains(needle));
    if said("does not fit the bytes") {
        outcomes.push("decoded_with_fallback");
    }
    if said("not expanded") || said("document type declaration ignored") {
        outcomes.extend(["entities_not_expanded", "external_entity_not_resolved"]);
    }
    if said("ends before its elements are closed") {
        outcomes.push("partial");
    }
    if said(feed::CONTROL_CHARACTERS_STRIPPED) {
        outcomes.push("control_chars_stripped");
    }
    outcomes
}

/// Markup compared modulo serialisation: tag and attribute case and order, quoting,
/// self-closing slashes, whitespace, and the `rel` syndic adds to links.
fn normalise_html(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&normalise_text(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&normalise_text(&rest[start..]));
            rest = "";
            break;
        };
        out.push_str(&normalise_tag(&rest[start + 1..start + end]));
        rest = &rest[start + end + 1..];
    }
    out.push_str(&normalise_text(rest));
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace("> <", "><").trim().to_owned()
}

/// Text with every character reference decoded, so `&#38;`, `&amp;` and `&` compare equal.
fn normalise_text(text: &str) -> String {
    quick_xml::escape::unescape_with(text, quick_xml::escape::resolve_html5_entity)
        .map(|t| t.into_owned())
        .unwrap_or_else(|_| text.to_owned())
}

fn normalise_tag(tag: &str) -> String {
    let tag = tag.trim().trim_end_matches('/').trim();
    let (name, attributes) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut rest = attributes.trim();
    while !rest.is_empty() {
        let name_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let key = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).map_or(after.len(), |i| i + 1);
                    (&after[1..close], after.get(close + 1..).unwrap_or(""))
                }
                _ => after.split_once(char::is_whitespace).unwrap_or((after, "")),
            };
            rest = remaining.trim_start();
            normalise_text(value)
        } else {
            String::new()
        };
        if key != "rel" && !key.is_empty() {
            pairs.push((key, value));
        }
    }
    pairs.sort();
    let attributes: String = pairs.iter().map(|(k, v)| format!(" {k}=\"{v}\"")).collect();
    format!("<{}{attributes}>", name.to_ascii_lowercase())
}

fn instant(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(value).ok().map(|d| d.to_utc())
}

/// Whether `actual` satisfies the expectation.
fn satisfied(expectation: &Value, actual: Option<&Value>) -> bool {
    let kind = expectation["kind"].as_str().unwrap_or("");
    let as_text = |v: &Value| match v {
        Value::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    };
    if let Some(forbidden) = expectation["not_contains"].as_str() {
        return actual.is_none_or(|a| !as_text(a).to_lowercase().contains(&forbidden.to_lowercase()));
    }
    let Some(actual) = actual else { return false };
    if let Some(part) = expectation["contains"].as_str() {
        return as_text(actual).contains(part);
    }
    if let Some(options) = expectation["one_of"].as_array() {
        return options.iter().any(|o| o == actual || actual.as_array().is_some_and(|a| a.contains(o)));
    }
    let expected = &expectation["equals"];
    if let Some(all) = actual.as_array() {
        return all.contains(expected);
    }
    // Titles are stored as plain text: the expected markup is compared by its text.
    let field = expectation["field"].as_str().unwrap_or("");
    if field.ends_with(".title") || field == "feed.title" {
        if let (Value::String(e), Value::String(a)) = (expected, actual) {
            return syndic::ingest::sanitize::plain_text(e) == a.trim() || e.trim() == a.trim();
        }
    }
    match (kind, expected, actual) {
        (_, Value::Bool(_) | Value::Number(_), _) => expected == actual,
        ("date", Value::String(e), Value::String(a)) => instant(e).is_some() && instant(e) == instant(a),
        ("encoding", Value::String(e), Value::String(a)) => e.eq_ignore_ascii_case(a),
        ("markup" | "sanitize", Value::String(e), Value::String(a)) => normalise_html(e) == normalise_html(a),
        (_, Value::String(e), Value::String(a)) => e.trim() == a.trim() || normalise_html(e) == normalise_html(a),
        _ => false,
    }
}

fn exclusions() -> HashSet<(String, String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-exclusions.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("exclusions are JSON lines");
            assert!(v["reason"].as_str().is_some_and(|r| !r.is_empty()), "every exclusion needs a reason: {l}");
            (
                v["file"].as_str().unwrap().to_owned(),
                v["field"].as_str().unwrap().to_owned(),
                v["origin"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_corpus_is_ingested_to_the_standard() {
    let dir = corpus::dir();
    let lines = std::fs::read_to_string(dir.join("expectations.jsonl"))
        .unwrap_or_else(|e| panic!("corpus not found at {} ({e}); set SYNDIC_CORPUS", dir.display()));
    let expectations: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let excluded = exclusions();

    let mut by_file: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for e in &expectations {
        by_file.entry(e["file"].as_str().unwrap().to_owned()).or_default().push(e);
    }
    let mut outcomes: HashMap<String, Option<Outcome>> = HashMap::new();
    for (file, list) in &by_file {
        outcomes.insert(file.clone(), run_file(dir.join(file), context_of(list)));
    }
    // Every file in the corpus must go through without a crash or hang, expectations or not.
    let mut hung = Vec::new();
    for (file, outcome) in &outcomes {
        match outcome {
            None => hung.push(format!("{file}: timed out")),
            Some(Outcome { parsed: Err(e), .. }) if e == "panicked" => hung.push(format!("{file}: panicked")),
            _ => {}
        }
    }

    let mut per_origin: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut checked, mut passed, mut excluded_count) = (0, 0, 0);
    for e in &expectations {
        let (file, field, origin) =
            (e["file"].as_str().unwrap(), e["field"].as_str().unwrap(), e["origin"].as_str().unwrap());
        if !checked_field(field, e["kind"].as_str().unwrap_or(""), origin) {
            continue;
        }
        if excluded.contains(&(file.to_owned(), field.to_owned(), origin.to_owned())) {
            excluded_count += 1;
            continue;
        }
        let Some(Some(outcome)) = outcomes.get(file) else {
            checked += 1;
            per_origin.entry(origin.into()).or_default().1 += 1;
            failures.push(format!("{file} {field}: no result (timeout)"));
            continue;
        };
        // A handmade expectation after a permitted rejection does not apply.
        let rejected = outcome.parsed.is_err();
        let allows_rejection = by_file[file].iter().any(|x| {
            x["field"] == "outcome"
                && (x["one_of"].as_array().is_some_and(|o| o.iter().any(|v| v == "rejected"))
                    || x["equals"] == "rejected")
        });
        if rejected && allows_rejection && field != "outcome" {
            continue;
        }
        checked += 1;
        let counts = per_origin.entry(origin.into()).or_default();
        counts.1 += 1;
        let actual = value_of(field, outcome);
        if satisfied(e, actual.as_ref()) {
            passed += 1;
            counts.0 += 1;
        } else {
            let shown =
                actual.map(|a| a.to_string().chars().take(200).collect::<String>()).unwrap_or_else(|| "(none)".into());
            failures
                .push(format!("{file} {field} [{origin}]: expected {} got {shown}", serde_json::to_string(e).unwrap()));
        }
    }

    println!(
        "conformance: {passed} of {checked} checked expectations pass ({:.1}%), {excluded_count} excluded",
        100.0 * passed as f64 / checked as f64
    );
    for (origin, (ok, all)) in &per_origin {
        println!("  {origin:<40} {ok:>5} / {all:<5} {:>5.1}%", 100.0 * *ok as f64 / *all as f64);
    }
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conformance-failures.txt");
    std::fs::write(&report, failures.join("\n")).unwrap();
    println!("failures listed in {}", report.display());

    assert!(hung.is_empty(), "files that crashed or hung: {hung:?}");
    let handmade: Vec<&String> = failures.iter().filter(|f| f.starts_with("feeds/handmade/")).collect();
    assert!(handmade.is_empty(), "handmade expectations must all pass: {handmade:#?}");
    let rate = passed as f64 / checked as f64;
    assert!(
        rate >= REQUIRED_RATE,
        "{:.1}% of checked expectations pass; {:.0}% required",
        rate * 100.0,
        REQUIRED_RATE * 100.0
    );
}
