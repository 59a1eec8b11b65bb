//! Feed ingestion: bytes → charset → parse → entries → drafts (normalised, sanitised).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use syndic::ingest::feed::{parse_document, Context};
use syndic::ingest::items::draft_from_entry;

fuzz_target!(|data: &[u8]| {
    let context = Context {
        document_url: url_for_fuzzing(),
        content_type: None,
        zone: chrono_tz::Asia::Shanghai,
    };
    let Ok(feed) = parse_document(data, &context) else { return };
    let outlet = common::outlet();
    for entry in &feed.entries {
        if let Ok(draft) = draft_from_entry(entry, &outlet, &[1], chrono::Utc::now()) {
            for html in [&draft.summary, &draft.content_html].into_iter().flatten() {
                common::assert_clean(html);
            }
            assert!(!draft.title.contains('<') || !draft.title.to_ascii_lowercase().contains("<script"));
        }
    }
});

fn url_for_fuzzing() -> Option<url::Url> {
    url::Url::parse("http://feeds.example.cn/rss.xml").ok()
}
