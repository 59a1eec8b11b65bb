//! Reads under writes (issue 18): readers hammer feeds, plain and gzip, while an outlet
//! pushes and corrects articles, under the default freshness contract (superseded
//! documents served for a short while). Every answer is whole and well-formed, an ETag
//! never names two bodies, nothing fails, every acknowledged write is stored and shown to
//! a reader asking for the current document, and renders follow writes, not reads.

use crate::helpers::{numbered_article, TestApp};
use flate2::read::GzDecoder;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use syndic::config::{Config, DEFAULT_RENDER_CACHE_STALE_MS};

crate::stories!(with default_freshness: reads_under_writes_stay_whole_and_every_write_lands);

/// The freshness contract as deployed, not the stories' "always current".
fn default_freshness(config: &mut Config) {
    config.render_cache_stale = std::time::Duration::from_millis(DEFAULT_RENDER_CACHE_STALE_MS);
}

/// A site feed and column feeds (the article's column and its parent), in three formats.
const FEEDS: &[&str] = &["/rss.xml", "/feed.json", "/columns/zhuanti/rss.xml", "/columns/party-96/atom.xml"];
const READERS: usize = 6;
const NEW_ARTICLES: usize = 24;
const CORRECTIONS: usize = 12;

/// Each ETag seen, and the digest of the bytes it came with.
type Seen = Arc<Mutex<HashMap<String, [u8; 32]>>>;

async fn reads_under_writes_stay_whole_and_every_write_lands(app: TestApp) {
    let token = app.with_example_catalog().await;
    for n in 0..4 {
        assert!(app.push(&token, &numbered_article(n, "party-96")).await.status().is_success());
    }
    let app = Arc::new(app);
    let (stop, seen) = (Arc::new(AtomicBool::new(false)), Seen::default());
    let readers: Vec<_> =
        (0..READERS).map(|reader| tokio::spawn(read_until(app.clone(), reader, stop.clone(), seen.clone()))).collect();

    let mut titles = HashMap::new();
    for n in 4..4 + NEW_ARTICLES {
        let article = numbered_article(n, "party-96");
        assert!(app.push(&token, &article).await.status().is_success(), "push {n}");
        titles.insert(n, article["title"].as_str().unwrap().to_owned());
        if n % 2 == 0 && n / 2 < CORRECTIONS {
            // The outlet corrects an earlier article.
            let earlier = n / 2;
            let mut corrected = numbered_article(earlier, "party-96");
            corrected["title"] = json!(format!("稿件 {earlier} 更正"));
            assert_eq!(app.push(&token, &corrected).await.status(), 200, "correction of {earlier}");
            titles.insert(earlier, format!("稿件 {earlier} 更正"));
        }
    }
    stop.store(true, Ordering::Release);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.unwrap();
    }
    assert!(reads >= READERS * FEEDS.len(), "{reads} reads");

    let stored = app.query_number("SELECT COUNT(*) FROM articles").await;
    assert_eq!(stored, (4 + NEW_ARTICLES) as i64, "every acknowledged push is stored");
    let current = app.client.get(app.url("/rss.xml")).header("cache-control", "no-cache").send().await.unwrap();
    let current = current.text().await.unwrap();
    for (n, title) in &titles {
        assert!(current.contains(&format!("<title>{title}</title>")), "article {n} as last written: {title}");
    }

    let metrics = app.admin_get("/metrics").await.text().await.unwrap();
    let figure = |name: &str| -> f64 {
        metrics.lines().find_map(|line| line.strip_prefix(name)?.trim().parse().ok()).unwrap_or(f64::NAN)
    };
    let writes = (4 + NEW_ARTICLES + CORRECTIONS) as f64;
    let renders = figure("syndic_render_cache_renders_total");
    assert!(
        renders <= (writes + 4.0) * FEEDS.len() as f64,
        "{renders} renders for {writes} writes and {reads} reads: renders follow writes, not reads"
    );
    assert!(figure("syndic_render_cache_documents") <= FEEDS.len() as f64, "one document per feed held");
}

/// Reads the feeds in turn, plain and gzip, until `stop`; checks every answer; returns how many.
async fn read_until(app: Arc<TestApp>, reader: usize, stop: Arc<AtomicBool>, seen: Seen) -> usize {
    let mut reads = 0;
    // Every reader reads every feed at least once, and more while writes go on.
    while reads < FEEDS.len() * 2 || !stop.load(Ordering::Acquire) {
        let path = FEEDS[(reader + reads) % FEEDS.len()];
        let gzip = (reader + reads / FEEDS.len()) % 2 == 0;
        let mut request = app.client.get(app.url(path));
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
        assert_eq!(length, bytes.len(), "{path}: Content-Length is what was sent");
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        if let Some(earlier) = seen.lock().unwrap().insert(etag.clone(), digest) {
            assert_eq!(earlier, digest, "{path}: ETag {etag} names two bodies");
        }
        let body = match headers.get("content-encoding") {
            Some(encoding) => {
                assert_eq!(encoding, "gzip");
                let mut inflated = Vec::new();
                GzDecoder::new(&bytes[..]).read_to_end(&mut inflated).expect("the gzip body inflates");
                assert!(etag.ends_with("-gz\""), "{path}: the gzip variant has its own ETag");
                inflated
            }
            None => bytes.to_vec(),
        };
        feed_rs::parser::parse(&body[..]).unwrap_or_else(|error| panic!("{path} does not parse: {error}"));
        reads += 1;
    }
    reads
}
